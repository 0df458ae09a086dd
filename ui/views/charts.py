"""A figure builder's chart fitted for ``ui.present.draw`` (see ui/views/__init__.py)."""
from __future__ import annotations

from ui.present import fit


def fitted(builder, args: tuple, height: int | None = None, width: int | None = None, on: bool = False,
           layout: dict | None = None):
    """``builder(*args)``, then ``layout`` applied, fitted like ``ui.present.chart`` fits it
    (``on``: presentation mode); None if the builder returns None."""
    figure = builder(*args)
    if figure is None:
        return None
    if layout:
        figure.update_layout(**layout)
    return fit(figure, height, width, on)
