"""Numbers, shares and dates in the user's language (Russian: 1 234,5 · 12,3 % · 22.11.2026)."""
from __future__ import annotations

import datetime as dt
import math

import pandas as pd
from babel import Locale
from babel.dates import format_date as _babel_date
from babel.numbers import format_decimal

LOCALES = {"ru": "ru_RU", "en": "en_GB"}


def _is_missing(value) -> bool:
    """None, NaN, pandas' NA / NaT (a nullable column's empty cell, e.g. students not in the registry)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):        # not a scalar
        return False


def number(value, language: str = "ru", decimals: int = 0) -> str:
    if _is_missing(value):
        return "—"
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=LOCALES[language])


def percent(share, language: str = "ru", decimals: int = 1) -> str:
    """A share 0..1 as a percentage with a space before the sign (Russian typography)."""
    if _is_missing(share):
        return "—"
    return f"{number(share * 100, language, decimals)}\u00a0%"


def points(delta, language: str = "ru", decimals: int = 1) -> str:
    """A change of a share, in percentage points with an explicit sign."""
    if _is_missing(delta):
        return "—"
    sign = "+" if delta > 0 else ("−" if delta < 0 else "±")
    unit = "п.п." if language == "ru" else "pp"
    return f"{sign}{number(abs(delta) * 100, language, decimals)}\u00a0{unit}"


def signed(value, language: str = "ru", decimals: int = 0) -> str:
    if _is_missing(value):
        return "—"
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    return f"{sign}{number(abs(value), language, decimals)}"


def date(value: dt.date | None, language: str = "ru") -> str:
    if value is None:
        return "—"
    return value.strftime("%d.%m.%Y") if language == "ru" else _babel_date(value, "d MMM yyyy", locale="en_GB")


def month_year(value: dt.date, language: str = "ru") -> str:
    return _babel_date(value, "LLLL yyyy", locale=LOCALES[language])


# CLDR plural categories (babel) → the position of the form in «одна|две|пять» / «one|other».
_FORM_POSITION = {"ru": {"one": 0, "few": 1, "many": 2, "other": 1}, "en": {"one": 0, "other": 1}}


def plural_index(value, language: str = "ru") -> int:
    """Which plural form a number takes, by the CLDR rules of babel: Russian 0 = одна школа,
    1 = две школы, 2 = пять школ (fractions take form 1: «2,5 школы»); English 0 = one, 1 = other."""
    if _is_missing(value):
        return 2 if language == "ru" else 1
    number_value = int(value) if float(value) == int(value) else float(value)
    category = Locale.parse(LOCALES[language]).plural_form(abs(number_value))
    return _FORM_POSITION.get(language, _FORM_POSITION["en"]).get(category, 1)


def plural(value, forms: str | tuple[str, ...], language: str = "ru") -> str:
    """The word form for ``value``. ``forms``: «школа|школы|школ» (Russian: one, few, many;
    English: «school|schools»), as text or a tuple; missing forms repeat the last one."""
    variants = forms.split("|") if isinstance(forms, str) else list(forms)
    index = plural_index(value, language)
    return variants[min(index, len(variants) - 1)]


def count(value, forms: str | tuple[str, ...], language: str = "ru", decimals: int = 0) -> str:
    """«1 школа», «22 школы», «1 234 школы», «5 школ»."""
    return f"{number(value, language, decimals)}\u00a0{plural(value, forms, language)}"
