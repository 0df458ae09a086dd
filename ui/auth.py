"""Sign-in and the acting principal of a session.

With ``[auth] enabled = false`` (the demo) everyone acts as an open administrator. With it
on, nothing but the sign-in form is drawn until a user of the users file signs in; the
session then keeps the user name and the user's credential version (server side). The
users file is read on every run: removing a user or changing a password, role or scope
ends that user's sessions at their next click. Sign-in attempts go through the throttle
of :mod:`analytics.sign_in`; signing out forgets everything of the user (:mod:`ui.session`).
"""
from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import streamlit as st

from analytics import access, sign_in
from analytics.access import Principal, Role
from analytics.config import load_settings
from analytics.users import UsersFileError, auth_settings, read_users
from ui import session
from ui.cache import store
from presentation.safe import md
from ui.text import t

SESSION_USER = "auth_user"
SESSION_CREDENTIAL = "auth_credential"     # the user's credential version when the session signed in
ENDED = "_auth_ended"                      # why the last session ended (shown above the form)
OPEN = Principal("open", Role.ADMIN, "")


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


def client_address() -> str:
    """The client's address as the server sees it, or the header a trusted reverse proxy sets
    (``[auth] client_header``, e.g. ``X-Real-IP``): behind a proxy every client would otherwise
    share the proxy's address."""
    header = (load_settings().extra.get("auth", {}) or {}).get("client_header")
    value = st.context.headers.get(header) if header else None
    if isinstance(value, str) and value.strip():
        return value.split(",")[-1].strip()      # a list (X-Forwarded-For): the entry the proxy itself added
    value = st.context.ip_address
    return value if isinstance(value, str) and value else "unknown"


def _end_session(reason_key: str) -> None:
    session.forget_user()
    st.session_state[ENDED] = reason_key


def gate() -> Principal:
    """Settle who acts in this run; draws the sign-in form and stops the run if nobody has signed in.

    A session carries the credential version of its user (password hash, role, scope): when
    the users file changes any of them, or removes the user, the session ends here, at the
    user's next interaction, and everything it held is forgotten."""
    settings = auth_settings()
    if not settings.enabled:
        who = OPEN
    else:
        try:
            users = _current_users()
        except UsersFileError as error:
            access.set_current(access.NOBODY)
            st.error(t("access.users_file_broken", problem=md(error)))
            st.stop()
        username = st.session_state.get(SESSION_USER)
        user = users.get(username or "")
        if username:
            held = st.session_state.get(SESSION_CREDENTIAL)
            if held is None and user is not None:
                # Only server code sets the user without a credential (tests): bind it now.
                st.session_state[SESSION_CREDENTIAL] = held = user.credential_version()
            if user is None or held != user.credential_version():
                _end_session("access.session_ended")
                user = None
        if user is None:
            access.set_current(access.NOBODY)
            # Leave Streamlit's "pages/ folder" mode (which would list every page file in the
            # sidebar) without showing any menu: nothing but the form before signing in.
            from ui.navigation import navigation_pages
            st.navigation(navigation_pages(), position="hidden")   # keeps a deep link's page
            _sign_in_form(users)
            st.stop()
        who = access.complete(store(), user.principal())
    st.session_state["_principal"] = who
    access.set_current(who)
    return who


def _retry_text(retry_at: dt.datetime, locked: bool) -> str:
    seconds = max(math.ceil((retry_at - sign_in.now()).total_seconds()), 1)
    if locked:
        minute = retry_at.replace(second=0, microsecond=0)     # «после 14:05» must not be too early
        minute += dt.timedelta(minutes=1) if minute < retry_at else dt.timedelta(0)
        return t("access.locked", time=minute.strftime("%H:%M"), minutes=max((seconds + 59) // 60, 1))
    return t("access.paused", time=retry_at.strftime("%H:%M:%S"), seconds=seconds)


def _sign_in_form(users: dict) -> None:
    st.title(t("access.sign_in_title"))
    ended = st.session_state.pop(ENDED, None)
    if ended:
        st.info(t(ended))
    if not users:
        st.warning(t("access.no_users"))
    with st.form("sign_in"):
        username = st.text_input(t("access.username"), key="auth_username")
        password = st.text_input(t("access.password"), type="password", key="auth_password")
        submitted = st.form_submit_button(t("access.sign_in"), type="primary")
    if not submitted:
        return
    outcome = sign_in.attempt(store(), users, username, password, client_address())
    if outcome.user is None:
        if outcome.refused:
            st.error(_retry_text(outcome.retry_at, outcome.locked))
        else:
            st.error(t("access.wrong") + (" " + _retry_text(outcome.retry_at, outcome.locked)
                                           if outcome.retry_at else ""))
        return
    user = outcome.user
    session.take_over(user.username)
    st.session_state[SESSION_USER] = user.username
    st.session_state[SESSION_CREDENTIAL] = user.credential_version()
    st.session_state.pop("auth_password", None)
    st.rerun()


def sidebar_user(who: Principal) -> None:
    if not auth_settings().enabled:
        return
    scope = st.session_state.get("scope_labels", {})
    place = (scope.get("municipality") if who.municipality_id else None) or (scope.get("region") if who.region_id
                                                                             else t("access.everywhere"))
    st.sidebar.caption(t("access.signed_in", name=md(who.name or who.username), role=t(f"access.roles.{who.role.value}"),
                         place=md(place if not who.school_id else who.school_id)))
    if st.sidebar.button(t("access.sign_out"), key="auth_sign_out", icon=":material/logout:"):
        session.forget_user()
        st.rerun()
