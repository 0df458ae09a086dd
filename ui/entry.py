"""Make every page run through app.py, even when a deep link is the first request.

Streamlit (1.67) still honours the old "pages/ folder" mode until the entry point has
called ``st.navigation`` once: a first request to ``/schools`` after a server start would
run ``pages/schools.py`` alone, without the shell and its filters. A page that finds
itself in that mode switches it off and reruns, so app.py runs and routes to the page
(the URL and its query parameters are kept).

The switch is process-wide: when several sessions make their first request at once, one
session may switch the mode off while another's page is already running alone. Such a
page finds no filters of this session ("scope" is set by app.py) and reruns as well.
"""
from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def ensure_entry_point() -> None:
    if PagesManager.uses_pages_directory or "scope" not in st.session_state:
        PagesManager.uses_pages_directory = False
        st.rerun()
