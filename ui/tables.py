"""Tables as a person reads them on a meeting screen: «—» for a missing value, the key column
pinned, numbers (also numbers already formatted as text) right-aligned, dates as ДД.ММ.ГГГГ,
long texts wrapped instead of cut, secondary columns hidden (the table's toolbar shows them
again; the download has every column). Pages call :func:`dataframe` instead of
``st.dataframe`` and name per table what to wrap, hide or size."""
from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from presentation.views.layout import TableLayout
from ui.text import language

MISSING = "—"
# Streamlit wraps cell text only when rows are taller than 4rem; this fits three lines.
WRAPPED_ROW_PX = 78
NUMBER_TEXT = re.compile(r"^[−\-+]?\d[\d\s\u00a0\u202f]*([,.]\d+)?\s?(%|п\.\s?п\.|км|балл\w*)?$")


def _looks_numeric(values: pd.Series) -> bool:
    texts = [str(v).strip() for v in values.dropna() if str(v).strip() not in ("", MISSING)]
    return bool(texts) and all(NUMBER_TEXT.match(x) for x in texts)


def _is_dates(values: pd.Series) -> bool:
    if pd.api.types.is_datetime64_any_dtype(values):
        return True
    present = values.dropna()
    return bool(len(present)) and all(isinstance(v, dt.date) and not isinstance(v, dt.datetime) for v in present)


def column_config(frame: pd.DataFrame, *, pinned: str | None = None, wrap=(), hidden=(),
                  widths: dict | None = None) -> dict:
    """Per column: pinned key column, alignment and date format by content, widths and hiding."""
    widths = widths or {}
    pinned = frame.columns[0] if pinned is None and len(frame.columns) else pinned
    config = {}
    for column in frame.columns:
        values = frame[column]
        width = widths.get(column, "large" if column in wrap else None)
        if _is_dates(values):
            spec = st.column_config.DateColumn(format="DD.MM.YYYY", width=width, pinned=column == pinned)
        elif pd.api.types.is_bool_dtype(values):
            spec = st.column_config.CheckboxColumn(width=width, pinned=column == pinned)
        elif pd.api.types.is_numeric_dtype(values) or _looks_numeric(values):
            spec = st.column_config.Column(width=width, pinned=column == pinned, alignment="right")
        else:
            spec = st.column_config.Column(width=width, pinned=column == pinned)
        if column in hidden:
            spec = {**spec, "hidden": True}
        config[column] = spec
    return config


def dataframe(frame, *, pinned: str | None = None, wrap=(), hidden=(), widths: dict | None = None, first=(),
              headers: dict | None = None, column_config: dict | None = None, layout: TableLayout | None = None,
              **kwargs):
    """``st.dataframe`` with this module's defaults; ``column_config`` entries override them.
    ``layout``: a view's :class:`TableLayout` (widths, wrapping, hidden columns, short headers by
    column key) in place of those keywords.
    ``first``: the columns shown first, in this order (the rest follow as they are);
    ``headers``: shorter headers for narrow columns (the full name becomes the header's tooltip;
    the download keeps the full names)."""
    if layout is not None:
        laid = layout.options(language())
        wrap, hidden, widths, headers = laid["wrap"], laid["hidden"], laid["widths"], laid["headers"]
    data = frame.data if isinstance(frame, Styler) else frame
    headers = {c: h for c, h in (headers or {}).items() if c in data.columns}
    config = globals()["column_config"](data, pinned=pinned, wrap=wrap, hidden=hidden, widths=widths)
    for column, short in (headers or {}).items():
        config[column] = {**config[column], "label": short, "help": column}
    config.update(column_config or {})
    if first:
        kwargs.setdefault("column_order", [*first, *(c for c in data.columns if c not in first)])
    kwargs.setdefault("hide_index", True)
    kwargs.setdefault("width", "stretch")
    kwargs.setdefault("placeholder", MISSING)
    if wrap:
        kwargs.setdefault("row_height", WRAPPED_ROW_PX)
    return st.dataframe(frame, column_config=config, **kwargs)
