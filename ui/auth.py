"""Sign-in and the acting principal of a session.

With ``[auth] enabled = false`` (the demo) everyone acts as an open administrator. With it
on, nothing but the sign-in form is drawn until a user of the users file signs in; the
session then keeps only the user name (server side) and the user's role and scope are
read from the users file on every run, so removing a user or changing a role takes effect
on that user's next click.
"""
from __future__ import annotations

import time
from pathlib import Path

import streamlit as st

from analytics import access
from analytics.access import Principal, Role
from analytics.users import UsersFileError, auth_settings, authenticate, read_users
from ui.data import store
from ui.text import t

SESSION_USER = "auth_user"
OPEN = Principal("open", Role.ADMIN, "")
MAX_FAILURES = 5          # failed sign-ins in a row before the form pauses
PAUSE_SECONDS = 60


@st.cache_data(show_spinner=False, max_entries=4)
def _users(path: str, modified: float) -> dict:
    return read_users(Path(path))


def _current_users() -> dict:
    path = auth_settings().users_file
    modified = path.stat().st_mtime if path.exists() else 0.0
    return _users(str(path), modified)


def principal() -> Principal:
    """The principal of this session (also set as the acting one for the analytics layer)."""
    return st.session_state.get("_principal", OPEN)


def gate() -> Principal:
    """Settle who acts in this run; draws the sign-in form and stops the run if nobody has signed in."""
    settings = auth_settings()
    if not settings.enabled:
        who = OPEN
    else:
        try:
            users = _current_users()
        except UsersFileError as error:
            access.set_current(access.NOBODY)
            st.error(t("access.users_file_broken", problem=str(error)))
            st.stop()
        user = users.get(st.session_state.get(SESSION_USER) or "")
        if user is None:
            st.session_state.pop(SESSION_USER, None)
            access.set_current(access.NOBODY)
            # Leave Streamlit's "pages/ folder" mode (which would list every page file in the
            # sidebar) without showing any menu: nothing but the form before signing in.
            from ui.pages import navigation_pages
            st.navigation(navigation_pages(), position="hidden")   # keeps a deep link's page
            _sign_in_form(users)
            st.stop()
        who = access.complete(store(), user.principal())
    st.session_state["_principal"] = who
    access.set_current(who)
    return who


def _sign_in_form(users: dict) -> None:
    st.title(t("access.sign_in_title"))
    if not users:
        st.warning(t("access.no_users"))
    paused_until = st.session_state.get("_auth_paused_until", 0.0)
    with st.form("sign_in"):
        username = st.text_input(t("access.username"), key="auth_username")
        password = st.text_input(t("access.password"), type="password", key="auth_password")
        submitted = st.form_submit_button(t("access.sign_in"), type="primary")
    if not submitted:
        return
    if time.time() < paused_until:
        st.error(t("access.paused", seconds=int(paused_until - time.time()) + 1))
        return
    user = authenticate(users, username, password)
    if user is None:
        failures = st.session_state.get("_auth_failures", 0) + 1
        st.session_state["_auth_failures"] = failures
        if failures >= MAX_FAILURES:
            st.session_state["_auth_failures"] = 0
            st.session_state["_auth_paused_until"] = time.time() + PAUSE_SECONDS
        st.error(t("access.wrong"))
        return
    st.session_state["_auth_failures"] = 0
    st.session_state[SESSION_USER] = user.username
    st.session_state.pop("auth_password", None)
    st.rerun()


def sidebar_user(who: Principal) -> None:
    if not auth_settings().enabled:
        return
    scope = st.session_state.get("scope_labels", {})
    place = (scope.get("municipality") if who.municipality_id else None) or (scope.get("region") if who.region_id
                                                                             else t("access.everywhere"))
    st.sidebar.caption(t("access.signed_in", name=who.name or who.username, role=t(f"access.roles.{who.role.value}"),
                         place=place if not who.school_id else who.school_id))
    if st.sidebar.button(t("access.sign_out"), key="auth_sign_out", icon=":material/logout:"):
        for key in (SESSION_USER, "_principal"):
            st.session_state.pop(key, None)
        st.rerun()
