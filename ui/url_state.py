"""A page's own view choices kept in the URL (``?mode=regions``), so a copied link reproduces
the view. One rule for every page:

- the URL seeds the widget when the page first runs in a session, and again whenever the URL
  names a value this module did not put there (a link opened with other parameters); a page
  reached through the menu, whose URL names nothing, keeps the session's choice;
- a value the URL names that is not on offer falls back to the default and is reported once
  (``app.bad_url_value``), the way the sidebar filters report theirs;
- the widget's value goes back to the URL; a value equal to its default leaves the URL, so
  links stay short.

The sidebar filters (``ui.filters``) follow the same rule for the global view."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from presentation.safe import md
from ui.text import t

_WRITTEN = "_url_state_written"     # {url name: the text this module last put in the URL}


def _texts(options: Sequence) -> list[str]:
    return ["" if o is None else str(o) for o in options]


def _from_url(url: str, options: Sequence, default, *, report: bool):
    """The option the URL names, or ``default`` (reporting a value that is not on offer)."""
    value = st.query_params.get(url)
    if value is None:
        return default
    texts = _texts(options)
    if value in texts:
        return options[texts.index(value)]
    if report:
        st.warning(t("app.bad_url_value", name=md(url), value=md(value)))
    return default


def changed_outside(url: str) -> bool:
    """The URL names a value under ``url`` that this module did not put there (a link opened)."""
    return url in st.query_params and st.query_params[url] != st.session_state.get(_WRITTEN, {}).get(url)


def seed(key: str, url: str, options: Sequence, default, *, report: bool = True) -> str:
    """Make ``st.session_state[key]`` (the widget's key) one of ``options``, taken from the URL
    on a first run or after an outside change; returns ``key`` for the widget."""
    if key not in st.session_state or changed_outside(url):
        st.session_state[key] = _from_url(url, options, default, report=report)
    elif st.session_state[key] not in options:
        st.session_state[key] = default
    return key


def write(url: str, value, default=None) -> None:
    """Put ``value`` in the URL under ``url``; ``None``, ``""`` and the default remove it."""
    written = st.session_state.setdefault(_WRITTEN, {})
    if value is None or value == "" or value == default:
        st.query_params.pop(url, None)
        written[url] = None
        return
    text = str(value)
    if st.query_params.get(url) != text:
        st.query_params[url] = text
    written[url] = text


def choice(widget: Callable, label: str, *, key: str, url: str, options: Sequence, default,
           report: bool = True, **kwargs) -> Any:
    """Render ``widget`` (``st.selectbox``, ``columns[0].segmented_control``, ``st.radio`` …) over
    ``options`` with its value kept in the URL; returns the value chosen."""
    seed(key, url, options, default, report=report)
    widget(label, options, key=key, **kwargs)
    value = st.session_state[key]
    if value is None:           # a segmented control can be cleared: that means the default
        value = default
    write(url, value, default)
    return value


def flag(widget: Callable, label: str, *, key: str, url: str, default: bool = False, on: str = "1",
         **kwargs) -> bool:
    """A toggle or checkbox kept in the URL as ``on``/``0`` (absent: the default); ``on`` is ``1``
    unless a page's links already say otherwise (``?pool=2``)."""
    if key not in st.session_state or changed_outside(url):
        raw = st.query_params.get(url)
        st.session_state[key] = default if raw not in ("0", on) else raw == on
    widget(label, key=key, **kwargs)
    value = bool(st.session_state[key])
    write(url, None if value == default else (on if value else "0"))
    return value


def read(url: str) -> str | None:
    """The text the URL holds under ``url`` — for a page whose state is the URL itself (a school
    opened from a table click), not a widget."""
    return st.query_params.get(url)
