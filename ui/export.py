"""Table downloads: CSV (UTF-8 with BOM, so Excel opens it) and formatted XLSX."""
from __future__ import annotations

import functools
import io
import re

import pandas as pd
import streamlit as st

from ui.text import t

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d[\d\u00a0 ]*(?:[.,]\d+)?%?$")


def neutral_text(value):
    """A text a spreadsheet would run as a formula, prefixed with an apostrophe; anything else as is.

    Numbers (also negative ones, also numbers written as text like «-5» or «-3,2») stay
    numbers: only text that is not a plain number is neutralised."""
    if not isinstance(value, str) or not value.startswith(_FORMULA_START):
        return value
    if _PLAIN_NUMBER.match(value) or value in ("-", "+"):   # a number, or a lone dash for "no value"
        return value
    return "'" + value


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Neutralise text cells (and column headers) that a spreadsheet would run as a formula."""
    columns = []
    for position in range(frame.shape[1]):
        column = frame.iloc[:, position]
        if not (pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column)
                or pd.api.types.is_datetime64_any_dtype(column)):
            column = column.astype(object).map(neutral_text)
        columns.append(column.rename(position))
    safe = pd.concat(columns, axis=1) if columns else frame.copy()
    safe.columns = [neutral_text(str(c)) for c in frame.columns]
    return safe


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    return neutralise_formulas(frame).to_csv(index=False, sep=";", decimal=",").encode("utf-8-sig")


def to_xlsx_bytes(frame: pd.DataFrame, sheet: str = "Данные") -> bytes:
    from openpyxl.styles import Alignment, Font, PatternFill

    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        neutralise_formulas(frame).to_excel(writer, index=False, sheet_name=sheet[:31])
        sheet_ = writer.sheets[sheet[:31]]
        for cell in sheet_[1]:
            cell.font = Font(bold=True, color="FFFFFF")
            cell.fill = PatternFill("solid", fgColor="1F5FA8")
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        for column_cells in sheet_.columns:
            width = max(len(str(c.value or "")) for c in column_cells[:200])
            sheet_.column_dimensions[column_cells[0].column_letter].width = min(max(10, width + 2), 60)
        sheet_.freeze_panes = "A2"
    return buffer.getvalue()


def download_buttons(frame: pd.DataFrame, file_stem: str, key: str) -> None:
    """XLSX and CSV buttons for ``frame``. The files are written when a button is clicked
    (Streamlit's deferred download), not on every run: building an XLSX of a table of a
    few thousand rows costs more than drawing the whole page. The frame must not be
    changed after this call (the click reads it). A click does not rerun the page (nothing
    on it changes; a rerun would also renew the buttons' file ids under a second click)."""
    # One row right under the table it exports, labelled as the table's (not a chart's) download.
    row = st.container(horizontal=True, gap="small")
    row.download_button(t("app.download_xlsx"), functools.partial(to_xlsx_bytes, frame),
                         file_name=f"{file_stem}.xlsx",
                         mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                         key=f"{key}_xlsx", icon=":material/download:", on_click="ignore")
    row.download_button(t("app.download_csv"), functools.partial(to_csv_bytes, frame), file_name=f"{file_stem}.csv",
                          mime="text/csv", key=f"{key}_csv", icon=":material/download:", on_click="ignore")
