"""Heavy parts of a page computed and sent only while they are shown (issue #24).

Streamlit's plain ``st.tabs`` runs and sends every tab's content on every run, and a closed
``st.expander`` still carries its content to the browser. Here the tabs and expanders track
which one is open (``on_change="rerun"``, Streamlit ≥ 1.51): a click reruns the page and only the
open part is drawn.

- :func:`tabs` keeps the open tab in the URL as a code (``?results_tab=schools``), so a copied
  link opens the same tab; it follows ``ui.url_state``'s rule (the URL seeds it on a first run and
  after an outside change; the default tab leaves the URL).
- A tab drawn only while open loses its widgets' values when another tab is open (Streamlit
  forgets a widget not drawn in a run): ``keep`` names the keys to carry over meanwhile.
- :func:`expander` yields whether it is open: draw the heavy content only then."""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager

import streamlit as st

from ui import url_state


def keep(keys: Iterable[str]) -> None:
    """Carry the values of widgets not drawn in this run over to the next (a value the user set
    survives a switch to another tab and back)."""
    for key in keys:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def tabs(choices: Mapping[str, str], *, key: str, url: str, default: str | None = None,
         keep_keys: Mapping[str, Iterable[str]] | None = None) -> tuple[dict, str]:
    """Tabs over ``choices`` ({code: label}) whose open one is kept in the URL under ``url``;
    returns ({code: tab container}, the open code). Draw a tab's content only when its code is
    the open one (a tab may also be drawn always, e.g. one holding unsaved input).
    ``keep_keys``: {code: widget keys} kept while that tab is not drawn."""
    codes, labels = list(choices), list(choices.values())
    default = default if default is not None else codes[0]
    code_key = f"{key}_code"        # plain session value: survives a label that changes (a count in it)
    clicked = st.session_state.get(key)
    if clicked in labels and not url_state.changed_outside(url):
        st.session_state[code_key] = codes[labels.index(clicked)]
    url_state.seed(code_key, url, codes, default)
    code = st.session_state[code_key]
    if clicked != choices[code]:
        st.session_state[key] = choices[code]
    for other, keys in (keep_keys or {}).items():
        if other != code:
            keep(keys)
    containers = st.tabs(labels, key=key, on_change="rerun", default=choices[default])
    url_state.write(url, code, default)
    return dict(zip(codes, containers)), code


@contextmanager
def expander(label: str, *, key: str, **kwargs) -> Iterator[bool]:
    """``with lazy.expander(label, key=...) as is_open: if is_open: ...`` — an expander whose
    content is computed and sent only while it is open (opening it reruns the page)."""
    box = st.expander(label, key=key, on_change="rerun", **kwargs)
    with box:
        yield bool(box.open)
