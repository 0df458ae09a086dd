"""Text cells → typed values, vectorised; what does not parse is reported, never guessed."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from analytics.importer.lookups import Lookups, value_map
from analytics.importer.spec import ColumnSpec, normalise

# Plain-string patterns (not compiled) so pandas runs them in Arrow, not per value in Python.
_SPACES = r"[\s\u00a0\u202f\u2009]"
_INT = r"^[+-]?\d+(?:[.,]0*)?$"
_YEAR = re.compile(r"^(\d{4})(?:\s*[/\-–]\s*(\d{2}|\d{4}))?(?:\s*(?:г|год|уч\.?\s*г)\.?)?$")
_GRADE = re.compile(r"^(\d{1,2})\s*(?:-?\s*(?:класс|кл)\.?)?\s*-?\s*[a-zа-яё]?\s*(?:класс|кл)?\.?$")


def clean(series: pd.Series) -> pd.Series:
    """Strip spaces; empty text (and a lone Excel text apostrophe) becomes missing."""
    text = series.astype("str").str.strip()
    if text.str.startswith("'").any():
        text = text.str.lstrip("'").str.strip()
    return text.mask(text == "")


def map_uniques(series: pd.Series, function) -> pd.Series:
    """Apply a slow per-value function once per distinct value (files repeat values a lot)."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    mapped = np.array([function(u) for u in uniques] + [None], dtype=object)
    return pd.Series(mapped[codes], index=series.index, dtype=object)


def on_uniques(function):
    """Run a vectorised parser on the distinct values only, then spread the results back
    (a million marks are five distinct strings). Missing values parse as one extra value."""
    def wrapper(text: pd.Series):
        codes, uniques = pd.factorize(text, use_na_sentinel=True)
        if len(uniques) > len(text) // 2:
            return function(text)
        distinct = pd.Series(list(uniques) + [None], dtype="str")
        positions = np.where(codes < 0, len(uniques), codes)
        spread = []
        for result in function(distinct):
            taken = result.reset_index(drop=True).take(positions)
            taken.index = text.index
            spread.append(taken)
        return tuple(spread)
    return wrapper


@on_uniques
def parse_int(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    compact = text.str.replace(_SPACES, "", regex=True)
    good = compact.str.match(_INT).fillna(False).astype(bool)
    numbers = pd.to_numeric(compact.where(good).str.replace(",", ".", regex=False), errors="coerce")
    values = numbers.round().astype("Int64")
    return values, text.notna() & ~good


@on_uniques
def parse_float(text: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Numbers with a decimal comma or point; returns values, bad mask and "had a % sign"."""
    compact = text.str.replace(_SPACES, "", regex=True)
    percent = compact.str.endswith("%").fillna(False).astype(bool)
    compact = compact.str.rstrip("%").str.replace(",", ".", regex=False)
    values = pd.to_numeric(compact, errors="coerce").astype("Float64")
    bad = text.notna() & values.isna()
    return values, bad, percent


def parse_year(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    def one(value):
        match = _YEAR.match(normalise_keep_dots(value))
        if not match:
            return None
        first, second = match.group(1), match.group(2)
        if second is None:
            return int(first)
        end = int(first[:2] + second) if len(second) == 2 else int(second)
        return end if end == int(first) + 1 else None   # «2025/2026» → 2026 (the spring of the school year)

    values = pd.array(map_uniques(text, one), dtype="Int64")
    values = pd.Series(values, index=text.index)
    return values, text.notna() & values.isna()


def normalise_keep_dots(value: str) -> str:
    return " ".join(str(value).lower().replace("\u00a0", " ").split())


def parse_grade(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    def one(value):
        match = _GRADE.match(normalise_keep_dots(value))
        return int(match.group(1)) if match else None

    values = pd.Series(pd.array(map_uniques(text, one), dtype="Int64"), index=text.index)
    return values, text.notna() & values.isna()


@on_uniques
def parse_date(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    dotted = pd.to_datetime(text, format="%d.%m.%Y", errors="coerce")
    iso = pd.to_datetime(text.where(dotted.isna()), format="%Y-%m-%d", errors="coerce")
    values = dotted.fillna(iso).dt.date
    values = values.where(dotted.notna() | iso.notna(), None)
    return values, text.notna() & dotted.isna() & iso.isna()


def parse_lookup(text: pd.Series, mapping: dict[str, str]) -> tuple[pd.Series, pd.Series]:
    """Written value → code through a normalised lookup (codes themselves included)."""
    values = map_uniques(text, lambda v: mapping.get(normalise(v)))
    values = values.astype("string")
    return values, text.notna() & values.isna()


def parse_code(text: pd.Series) -> pd.Series:
    """School and territory codes are text; an Excel number like «100001.0» loses only the «.0»."""
    return text.str.replace(r"^(\d+)\.0+$", r"\1", regex=True)


def parse_column(column: ColumnSpec, text: pd.Series, context: Lookups):
    """A column's cleaned texts → (values, bad mask, expected code) by its declared type; for a
    share column the values are (values, bad, had a % sign)."""
    kind = column.type
    if kind in ("text", "label"):
        return text, pd.Series(False, index=text.index), ""
    if kind == "code":
        return parse_code(text), pd.Series(False, index=text.index), ""
    if kind == "int":
        values, bad = parse_int(text)
        return values, bad, "integer"
    if kind == "float":
        values, bad, _ = parse_float(text)
        return values, bad, "number"
    if kind == "share":
        values, bad, percent = parse_float(text)
        return (values, bad, percent), bad, "share"
    if kind == "year":
        values, bad = parse_year(text)
        return values, bad, "year"
    if kind == "grade":
        values, bad = parse_grade(text)
        return values, bad, "grade"
    if kind == "date":
        values, bad = parse_date(text)
        return values, bad, "date"
    if kind == "bool":
        values, bad = parse_lookup(text, value_map("bool"))
        return values.map({"true": True, "false": False}, na_action="ignore").astype("boolean"), bad, "bool"
    if kind.startswith("enum:"):
        table = kind.split(":", 1)[1]
        mapping = context.kpi_map() if table == "kpi" else value_map(table)
        values, bad = parse_lookup(text, mapping)
        return values, bad, f"one_of:{table}"
    if kind == "subject":
        values, bad = parse_lookup(text, context.subject_map())
        return values, bad, "one_of:subject"
    if kind == "factor":
        values, bad = parse_lookup(text, context.factor_map())
        return values, bad, "one_of:factor"
    if kind == "municipality":
        values, bad = parse_lookup(text, context.municipality_map())
        return values, bad, "one_of:municipality"
    raise ValueError(f"unknown column type {kind}")
