"""A figure builder's chart fitted for ``ui.present.draw`` (see presentation/views/__init__.py)."""
from __future__ import annotations

from presentation.figures.style import fit


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


def values_beside_names(figure):
    """Horizontal bars' outside value labels moved next to the bars' names (``name · value``):
    at the bar's end a reference line (a target, a zone boundary) can cross them."""
    for trace in figure.data:
        if trace.type != "bar" or trace.orientation != "h" or trace.text is None or trace.textposition != "outside":
            continue
        names, values = list(trace.y), list(trace.text)
        trace.text = None
        figure.update_yaxes(tickmode="array", tickvals=names,
                            ticktext=[f"{n} · {v}" if v else n for n, v in zip(names, values)])
    return figure


def colour_legend(figure, items: list[tuple[str, str]]):
    """Legend entries (name, colour) for colours a trace cannot list itself (bars coloured one by
    one, Sankey links): square markers with no data."""
    for name, colour in items:
        figure.add_scatter(x=[None], y=[None], mode="markers", name=name, showlegend=True, hoverinfo="skip",
                           marker=dict(symbol="square", size=16, color=colour))
    return figure
