"""The error report of a file import, worded from the catalogue (no Streamlit: the command
line uses it too). One line per problem: file, row as numbered in Excel, the user's own
column header, the value as written, what is wrong and what was expected."""
from __future__ import annotations

import math

import pandas as pd

from analytics.importer import REPORT_LIMIT, Prepared
from presentation.i18n import text

_PLAIN_EXPECTED = {"integer", "number", "share", "year", "grade", "date"}


def _number(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace(".", ",")


def expected_text(code: str, params: dict, lang: str) -> str:
    if code == "bad_value":
        expected = params.get("expected", "")
        if expected in _PLAIN_EXPECTED:
            return text(lang, f"importer.expected.{expected}")
        return text(lang, "importer.expected.one_of", allowed=params.get("allowed", ""))
    if code == "out_of_range":
        low, high = params.get("min"), params.get("max")
        if low is not None and high is not None:
            return text(lang, "importer.expected.out_of_range", min=_number(low), max=_number(high))
        if low is not None:
            return text(lang, "importer.expected.out_of_range_min", min=_number(low))
        return text(lang, "importer.expected.out_of_range_max", max=_number(high))
    if code == "unknown_school" and params.get("hint"):
        return text(lang, "importer.expected.unknown_school_hint", hint=params["hint"])
    if code == "duplicate_key":
        return text(lang, "importer.expected.duplicate_key", keys=params.get("keys", ""))
    key = f"importer.expected.{code}"
    worded = text(lang, key)
    return worded if worded != key else ""


def problem_text(code: str, params: dict, value, lang: str) -> str:
    values = {k: v for k, v in params.items() if v is not None}
    if "detected" in values:
        values["detected"] = text(lang, f"importer.format.{values['detected']}")
    if "procedure" in values:
        values["procedure"] = text(lang, f"codes.procedure.{values['procedure']}")
    values.setdefault("value", _number(value))
    template_key = f"importer.problem.{code}"
    try:
        return text(lang, template_key, **values)
    except (KeyError, IndexError):
        return text(lang, template_key)


def _cell(value) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    return _number(value) if isinstance(value, float) else str(value)


def report_frame(prepared: Prepared, lang: str = "ru", limit: int = REPORT_LIMIT) -> pd.DataFrame:
    issues = prepared.issues.first(limit)
    columns = [text(lang, f"importer.report.{k}") for k in ("file", "row", "column", "value", "problem", "expected")]
    rows = []
    for item in issues.itertuples(index=False):
        params = item.params if isinstance(item.params, dict) else {}
        row = text(lang, "importer.report.whole_file") if item.row is None or pd.isna(item.row) else str(int(item.row))
        rows.append([prepared.file_name, row, _cell(item.column), _cell(item.value),
                     problem_text(item.code, params, item.value, lang), expected_text(item.code, params, lang)])
    return pd.DataFrame(rows, columns=columns)


def more_text(prepared: Prepared, lang: str = "ru", limit: int = REPORT_LIMIT) -> str | None:
    total = prepared.issues.total
    if total <= limit:
        return None
    from presentation.fmt import number, plural

    hidden = total - limit
    errors = f"{number(hidden, lang)} {plural(hidden, text(lang, 'import_preview.forms.error'), lang)}"
    return text(lang, "importer.report.more", count=errors, shown=limit)
