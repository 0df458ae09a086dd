"""Validation rules every kind shares: required columns, declared ranges, unknown schools and
duplicate keys (pandera schemas built from spec.toml, lazy: every failure is collected), impossible
years, and ``row_rule`` — the one way a kind's own rule reports its rows (kind_rules.py)."""
from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from analytics.config import load_settings
from analytics.importer.header import Header
from analytics.importer.issues import Issues
from analytics.importer.spec import KindSpec, first_year
from analytics.importer.tables import SCHOOL_COLUMNS


def add_missing(issues: Issues, spec: KindSpec, missing) -> None:
    """Missing required columns; a year or procedure the page / command line can give says how."""
    for column in missing:
        if column.name in spec.defaults:
            issues.add_file("missing_default", column=column.title, option=column.name,
                            synonyms=", ".join(column.synonyms[:3]))
        else:
            issues.add_file("missing_column", column=column.title, synonyms=", ".join(column.synonyms[:4]))


def row_rule(issues: Issues, frame: pd.DataFrame, bad: pd.Series, header: Header, column: str, code: str,
             value_column: str | None = None, **params) -> None:
    """Report the rows where ``bad`` holds, under ``column``'s title, showing ``value_column``'s values."""
    bad = bad.fillna(False).astype(bool)
    if bad.any():
        values = frame.loc[bad, value_column or column]
        issues.add(bad.index[bad], header.titles.get(column, column), values.astype(object).tolist(), code, **params)


def check_ranges(spec: KindSpec, typed: pd.DataFrame, header: Header, issues: Issues) -> None:
    """Declared min/max per column, as a pandera schema (lazy: every failure is collected)."""
    columns = {}
    for column in spec.columns:
        if column.name in typed and (column.min is not None or column.max is not None):
            checks = []
            if column.min is not None:
                checks.append(pa.Check.ge(column.min, error="out_of_range"))
            if column.max is not None:
                checks.append(pa.Check.le(column.max, error="out_of_range"))
            columns[column.name] = pa.Column(nullable=True, checks=checks, coerce=False)
    if not columns:
        return
    schema = pa.DataFrameSchema(columns)
    _run_schema(schema, typed, spec, header, issues)


def _run_schema(schema: pa.DataFrameSchema, frame: pd.DataFrame, spec: KindSpec, header: Header,
                issues: Issues, params: dict | None = None) -> None:
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
        cases = cases[cases["index"].notna()]
        for (check, column), group in cases.groupby(["check", "column"], dropna=False, sort=False):
            group = group.drop_duplicates("index")
            name = column if isinstance(column, str) else None
            title = header.titles.get(name, name) if name else None
            code, _, rule = str(check).partition(":")
            extra = dict((params or {}).get(str(check), {}))
            if name and code == "out_of_range":
                column_spec = spec.column(name)
                extra.update(min=column_spec.min, max=column_spec.max)
            issues.add(group["index"].tolist(), title, group["failure_case"].tolist(), code, rule=rule, **extra)


def check_keys_and_schools(spec: KindSpec, frame: pd.DataFrame, header: Header, context, issues: Issues,
                           raw: dict[str, pd.Series]) -> None:
    """Unknown schools and duplicate keys, declared as one pandera schema."""
    columns = {}
    for name in SCHOOL_COLUMNS:
        if name in frame and spec.kind != "schools":
            columns[name] = pa.Column(nullable=True, checks=pa.Check.isin(context.school_ids(), error="unknown_school"))
    unique = [k for k in spec.keys if k in frame]
    schema = pa.DataFrameSchema(columns, unique=unique or None, report_duplicates="exclude_first")
    before = len(issues.frames)
    _run_schema(schema, frame, spec, header, issues)
    # pandera reports a duplicate once per key column: keep one line per row, naming the key.
    rest = issues.frames[before:]
    keep = [f for f in rest if f["code"].iat[0] != "multiple_fields_uniqueness"]
    dupes = [f for f in rest if f["code"].iat[0] == "multiple_fields_uniqueness"]
    issues.frames[before:] = keep
    if dupes:
        rows = sorted(set(pd.concat(dupes)["row"]))
        titles = [header.titles.get(k, spec.column(k).title) for k in unique]
        issues.add(rows, titles[0], [_key_text(frame, raw, r, unique) for r in rows], "duplicate_key",
                   keys=", ".join(titles))
    for frame_ in issues.frames[before:]:
        if frame_["code"].iat[0] == "unknown_school":
            frame_["params"] = [{"hint": context.leading_zero_hint(v)} for v in frame_["value"]]


def _key_text(frame: pd.DataFrame, raw: dict[str, pd.Series], row, keys: list[str]) -> str:
    """The key as the user wrote it (e.g. «Математика», not the stored code «math»)."""
    return " · ".join(str(raw[k].at[row] if k in raw else frame.at[row, k]) for k in keys)


def impossible_years(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series, int]:
    """Results years that cannot be true: after the current year (settings' today), or before the first
    year the procedure was held (spec.toml [first_year]). Returns (too late, too early, current year)."""
    current = load_settings().today.year
    first = frame["procedure"].map(first_year()).astype("Float64")
    year = frame["year"].astype("Float64")
    return (year > current).fillna(False).astype(bool), (year < first).fillna(False).astype(bool), current


def check_years(frame: pd.DataFrame, header: Header, issues: Issues) -> None:
    late, early, current = impossible_years(frame)
    title = header.titles.get("year", "Год")
    if late.any():
        issues.add(late.index[late], title, frame.loc[late, "year"].tolist(), "year_future", current=current)
    if early.any():
        issues.add(early.index[early], title, frame.loc[early, "year"].tolist(), "year_before_procedure")
        issues.frames[-1]["params"] = [{"first": first_year()[p], "procedure": p}
                                       for p in frame.loc[early, "procedure"]]
