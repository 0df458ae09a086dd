"""An unexpected error shows the user a Russian message with an incident id; the traceback
(with the server's file paths) goes to the server log only, under the same id."""
from __future__ import annotations

import logging
import sys
import uuid

import streamlit as st

from analytics.store_errors import storage_kind

log = logging.getLogger("shnor.incident")
if not log.handlers:
    _handler = logging.StreamHandler(sys.stderr)
    _handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(_handler)
    log.setLevel(logging.INFO)

FALLBACK = "Непредвиденная ошибка. Сообщите администратору номер инцидента: {incident}."


def incident(error: BaseException) -> str:
    """Log ``error`` with its traceback under a new incident id; returns the id."""
    ident = uuid.uuid4().hex[:10]
    log.error("incident %s: %s: %s", ident, type(error).__name__, error, exc_info=error)
    return ident


def message_key(error: BaseException, key: str = "app.unexpected_error") -> str:
    """The catalogue key telling the user what happened: a storage failure of a known kind
    (locked file, lost connection, full disk, read-only table) has its own words; anything
    else says ``key``."""
    kind = storage_kind(error)
    return f"storage.{kind}" if kind is not None else key


def show(error: BaseException, key: str = "app.unexpected_error") -> str:
    """Log ``error`` and tell the user, without any detail of it, which incident it was."""
    ident = incident(error)
    try:
        from ui.text import t
        message = t(message_key(error, key), incident=ident)
    except Exception:       # the catalogue itself failed: still no traceback for the user
        message = FALLBACK.format(incident=ident)
    st.error(message, icon=":material/error:")
    return ident
