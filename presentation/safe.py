"""Data text put into the page stays text: the one place that escapes it at the sink.

Names of schools and municipalities, executors, comments, reasons and titles come from
imported files and editors. Streamlit renders almost every text element as Markdown
(headers, captions, metric and expander labels, messages), plotly and folium render HTML.
A name such as ``**X** [вход](http://…) ![t](http://…/p.png)`` would otherwise become bold
text, a live link and an image the browser fetches (a tracking pixel), and bidirectional
control characters could make a name read backwards.

* :func:`md` — for any Markdown sink (``st.markdown``, ``st.caption``, ``st.header``,
  labels, ``t(...)`` parameters drawn through them).
* :func:`html_text` — for text inside HTML the code writes itself (``unsafe_allow_html``
  blocks, map popups and tooltips, chart labels).
* :func:`plain` — the text itself with bidi controls removed (tables, select options).

No Streamlit here: the presentation layer (figures, maps) uses it too.
"""
from __future__ import annotations

import html
import math
import re

# Bidirectional embedding, override and isolate controls, and the directional marks.
BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Characters that start inline Markdown anywhere in a line: emphasis, strikethrough, code,
# links and images ([…], which also opens Streamlit's ``:colour[…]``), HTML and autolinks
# (<…>), entities (&…;), escapes, headings (#), ``$…$`` maths. Other punctuation is left as
# it is, so a name's source text stays readable («г. Сергиевск», «СОШ № 1 "Родник"», «Итог: 2»).
_INLINE = re.compile(r"([\\`*_~\[\]<>&$#])")
# Block markers at the start of a line (the text may begin one): quote, list items.
_LINE_START = re.compile(r"^([>+-]|\d+(?=[.)]))")
# GFM's bare links (http://…, www.…, name@host) and Streamlit's ``:emoji:``, ``:material/…:``
# and ``:red[…]`` are found in the text *after* escapes are resolved, so no escape stops
# them: an invisible WORD JOINER inside the pattern does.
_BARE_LINK = re.compile(r"(?i)(https?:|ftp:)(?=//)|\b(www)(?=\.)|(?<=\w)(@)(?=\w)|(:)(?=[\w/+-])")
WORD_JOINER = "\u2060"
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x0b\x0c\x85]+")


def plain(value) -> str:
    """``value`` as one line of text: bidi controls removed, line breaks made spaces, nothing for None/NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = BIDI_CONTROLS.sub("", str(value))
    return _LINE_BREAKS.sub(" ", text)


def _unlinked(text: str) -> str:
    return _BARE_LINK.sub(lambda m: m.group(0) + WORD_JOINER, text)


def md(value) -> str:
    """``value`` for a Markdown sink: rendered exactly as the characters it has."""
    text = _INLINE.sub(r"\\\1", _unlinked(plain(value).strip()))
    match = _LINE_START.match(text)
    if match:
        marker, rest = match.group(1), text[match.end():]
        text = marker + "\\" + rest if marker[0].isdigit() else "\\" + marker + rest
    return text


def html_text(value) -> str:
    """``value`` for inside HTML written by the code (attribute values too)."""
    return html.escape(_unlinked(plain(value)), quote=True)
