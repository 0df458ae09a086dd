"""The current user's language and the catalogue lookup used by pages."""
from __future__ import annotations

import streamlit as st

from analytics.config import load_settings
from presentation import fmt
from presentation.i18n import LANGUAGES, text


def language() -> str:
    lang = st.session_state.get("lang")
    if lang in LANGUAGES:
        return lang
    default = load_settings().language
    return default if default in LANGUAGES else "ru"


def t(key: str, **values) -> str:
    return text(language(), key, **values)


def num(value, decimals: int = 0) -> str:
    return fmt.number(value, language(), decimals)


def pct(share, decimals: int = 1) -> str:
    return fmt.percent(share, language(), decimals)


def pp(delta, decimals: int = 1) -> str:
    return fmt.points(delta, language(), decimals)


def day(value) -> str:
    return fmt.date(value, language())


def signed(value, decimals: int = 0) -> str:
    return fmt.signed(value, language(), decimals)


def metric_delta(text: str) -> str:
    """st.metric reads the arrow direction from a leading ASCII "-": swap the typographic minus."""
    return "-" + text[1:] if text.startswith("\u2212") else text
