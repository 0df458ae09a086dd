"""Data text inside plotly charts is shown as text, not markup.

Plotly renders a subset of HTML in labels, titles and hover text (bold, links, spans). A
school name such as ``<a href="…">`` would become a link in a chart; every '<' and '>'
that does not open one of the formatting tags our builders use is therefore escaped, and
bidirectional control characters (which could make a name read backwards) are removed.
"""
from __future__ import annotations

import re

import numpy as np
import plotly.graph_objects as go

from presentation.safe import BIDI_CONTROLS

# Tags the builders themselves write in data-bearing strings (line breaks, plotly's hover
# <extra>). Emphasis is written only in templates (hovertemplate, texttemplate), which are
# not touched: a <b> inside a name is shown as the characters it is.
_OWN_TAG = re.compile(r"</?(?:br|extra)\s*/?>", re.IGNORECASE)
_SKIP_KEYS = {"type", "uid", "hovertemplate", "texttemplate", "template"}


def neutralise(text: str) -> str:
    if BIDI_CONTROLS.search(text):
        text = BIDI_CONTROLS.sub("", text)
    if "<" not in text and ">" not in text:
        return text
    parts, last = [], 0
    for match in _OWN_TAG.finditer(text):
        parts.append(text[last:match.start()].replace("<", "&lt;").replace(">", "&gt;"))
        parts.append(match.group(0))
        last = match.end()
    parts.append(text[last:].replace("<", "&lt;").replace(">", "&gt;"))
    return "".join(parts)


def _clean(value):
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, dict):
        return {k: (v if k in _SKIP_KEYS else _clean(v)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, np.ndarray) and value.dtype == object:
        return np.array([_clean(v) for v in value.ravel()], dtype=object).reshape(value.shape)
    return value


def _needs_cleaning(value) -> bool:
    if isinstance(value, str):
        return "<" in value or ">" in value or BIDI_CONTROLS.search(value) is not None
    if isinstance(value, dict):
        return any(_needs_cleaning(v) for k, v in value.items() if k not in _SKIP_KEYS)
    if isinstance(value, (list, tuple)):
        return any(_needs_cleaning(v) for v in value)
    if isinstance(value, np.ndarray) and value.dtype == object:
        return any(_needs_cleaning(v) for v in value.ravel())
    return False


def escape_data_text(figure: go.Figure) -> go.Figure:
    """Escape markup in every trace's strings and in titles, annotations and tick labels."""
    for trace in figure.data:
        spec = trace.to_plotly_json()
        changed = {k: _clean(v) for k, v in spec.items() if k not in _SKIP_KEYS and _needs_cleaning(v)}
        if changed:
            trace.update(changed)
    layout = figure.layout.to_plotly_json()
    changed = {k: _clean(v) for k, v in layout.items()
               if (k == "title" or k == "annotations" or k.startswith(("xaxis", "yaxis"))) and _needs_cleaning(v)}
    if changed:
        figure.update_layout(changed)
    return figure
