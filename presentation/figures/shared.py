"""Figures shared between runs (``ui.cache.view``): built once, drawn many times, never changed.

``st.plotly_chart`` turns a figure into a dict (``Figure.to_dict``: a deep copy of every
trace) and then into JSON, calling plotly's encoder hook for every date and numpy value, on
every run. For a cached figure both give the same result each time: :func:`share` makes the
dict once, as plain JSON values (the figure's own JSON read back), so each run only copies
plain values to text — the same text as before.
"""
from __future__ import annotations

import json

import plotly.graph_objects as go
import plotly.io

from presentation.figures.markup import escape_data_text


class SharedFigure(go.Figure):
    """A finished figure whose dict is made once. Never change it: copy it first
    (``go.Figure(shared)``); :func:`share` refuses nothing, the contract is the caller's."""

    def to_dict(self):
        return self._shnor_dict


def share(figure: go.Figure) -> go.Figure:
    """The same figure, its dict made now (only plain ``go.Figure`` objects are touched)."""
    if type(figure) is go.Figure:
        figure._shnor_dict = json.loads(plotly.io.to_json(figure, validate=False))
        figure.__class__ = SharedFigure
    return figure


def escaped(result):
    """``result`` with the data text of every figure in it (also in tuples, lists and dict
    values) escaped, whichever builder made it (see presentation.figures.markup)."""
    if isinstance(result, go.Figure):
        return escape_data_text(result)
    if isinstance(result, (tuple, list)) and not hasattr(result, "_fields"):
        for item in result:
            escaped(item)
    elif isinstance(result, dict):
        for item in result.values():
            escaped(item)
    return result


def shared(result):
    """``result`` with every figure in it (also in tuples, lists and dict values) shared."""
    if isinstance(result, go.Figure):
        return share(result)
    if isinstance(result, tuple) and not hasattr(result, "_fields"):
        return tuple(shared(v) for v in result)
    if isinstance(result, list):
        return [shared(v) for v in result]
    if isinstance(result, dict):
        return {k: shared(v) for k, v in result.items()}
    return result
