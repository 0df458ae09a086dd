"""What a browser session keeps for its user, and forgetting it when the user changes.

The registry is the other way round on purpose: every session-state key belongs to the
signed-in user (the roadmap editor's snapshot, a built report, filters, widget values,
the principal…) except the few listed in :data:`DEVICE_KEYS`, which belong to the browser
tab. A key a page adds later is therefore cleared at sign-out without anyone having to
remember to list it.
"""
from __future__ import annotations

import streamlit as st

# Kept across a change of user: they say nothing about any user's data.
DEVICE_KEYS = frozenset({"lang"})
# URL parameters kept across a change of user (every filter and choice in the URL is dropped).
DEVICE_URL_KEYS = frozenset({"lang"})
OWNER = "_session_owner"       # the user whose state this session holds


def per_user_keys() -> list[str]:
    """The session-state keys that belong to the signed-in user."""
    return [key for key in st.session_state.keys() if key not in DEVICE_KEYS]


def forget_user() -> None:
    """Clear everything of the user from this session: state and the URL's filters."""
    for key in per_user_keys():
        del st.session_state[key]
    for key in [k for k in st.query_params.keys() if k not in DEVICE_URL_KEYS]:
        del st.query_params[key]


def take_over(username: str) -> None:
    """Before ``username`` signs in: drop what another user left in this session."""
    owner = st.session_state.get(OWNER)
    if owner is not None and owner != username:
        forget_user()
    st.session_state[OWNER] = username
