"""Read, map, parse and validate a file into the rows it would store — without storing them.

``prepare`` never writes; ``analytics.importer.loading.commit`` stores a prepared file
in one transaction. Validation is declarative (pandera schemas built from spec.toml plus
named row rules); every problem is collected, none stops the others from being found.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from analytics.importer import lookups, parsing, streaming
from analytics.importer.header import Header, data_rows, find_header, is_total_row
from analytics.importer.issues import FileProblem, Issues
from analytics.importer.reading import read_grid, sniff_format
from analytics.importer.spec import KindSpec, first_year, kind as kind_spec, value_examples
from analytics.store import Store

DEFAULT_MAX_MB = 100
SHARE_TOLERANCE = 0.02        # shares of one group must sum to 1 within ±2 p.p. (rounded files)
TABLE_COLUMNS = {
    "schools": ["school_id", "municipality_id", "name", "short_name", "school_type", "is_rural", "students",
                "teachers", "lat", "lon", "social_index"],
    "results": ["school_id", "year", "procedure", "subject_id", "grade", "participants", "n2", "n3", "n4", "n5",
                "mean_score", "score_sd", "n_below_min", "n_high", "n_lower", "n_confirmed", "n_higher"],
    "school_lists": ["year", "category", "school_id"],
    "risk_profiles": ["school_id", "year", "catalogue_id", "factor_id", "level"],
    "mentor_pairs": ["year", "mentor_school_id", "mentee_school_id", "straight_km", "road_km", "agreement_date"],
    "kpi_targets": ["target_id", "scope_level", "scope_id", "year", "target_low", "target_high", "direction"],
    "teacher_development": ["school_id", "year", "round", "subject_id", "teachers_total", "teachers_diagnosed",
                            "diagnostic_mean", "teachers_level_rose", "teachers_with_route", "teachers_trained",
                            "teachers_in_consultations", "teachers_in_mentoring"],
    "engagement_reviews": ["year", "round", "unit_level", "unit_id", "criterion_id", "points", "comment", "source",
                           "entered_at"],
}
SCHOOL_COLUMNS = ("school_id", "mentor_school_id", "mentee_school_id")


@dataclass
class Prepared:
    kind: str
    file_name: str
    size: int
    sha256: str                       # of the bytes given to ``prepare`` ("" for a file read from disk)
    data_version: str
    options: dict = field(default_factory=dict)
    file_format: str | None = None
    encoding: str | None = None
    separator: str | None = None
    sheet: str | None = None
    header: Header | None = None
    source_rows: int = 0              # data rows read from the file (after dropping totals / blanks)
    skipped_totals: int = 0
    frame: pd.DataFrame | None = None  # the rows to store, table columns
    slices: pd.DataFrame | None = None
    share_scales: dict = field(default_factory=dict)
    filled_from_options: list = field(default_factory=list)
    issues: Issues = field(default_factory=Issues)
    max_mb: float = DEFAULT_MAX_MB
    data: bytes = field(default=b"", repr=False)
    source_path: str | None = None     # prepare_file: the file on disk (read again by prepare_again)
    engine: str = "pandas"             # pandas | duckdb (streaming.py): which path read the file
    labels: pd.DataFrame | None = None  # school code → the name written in the file (checked, not stored)
    notes: list = field(default_factory=list)   # (code, params) worth saying about the file, not blocking
    carried_columns: tuple | None = None  # the columns the file sets (None: all of the table's)

    @property
    def carried(self) -> tuple:
        return self.carried_columns if self.carried_columns is not None else tuple(TABLE_COLUMNS[self.spec.table])

    @property
    def ok(self) -> bool:
        return not self.issues and self.frame is not None

    @property
    def spec(self) -> KindSpec:
        return kind_spec(self.kind)


def prepare(store: Store, kind: str, file_name: str, data: bytes, options: dict | None = None,
            max_mb: float = DEFAULT_MAX_MB, engine: str = "auto") -> Prepared:
    """Check a file given as bytes (a page upload). ``engine``: "auto" chooses by kind, content and
    size (``streaming.applies``), "pandas" / "duckdb" force a path (tests compare them)."""
    spec = kind_spec(kind)
    options = {k: v for k, v in (options or {}).items() if v not in (None, "")}
    prepared = Prepared(kind=kind, file_name=file_name, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                        data_version=store.data_version(), options=options, max_mb=max_mb, data=data)
    if len(data) <= max_mb * 1024 * 1024 and streaming.applies(kind, data[:streaming.HEAD_BYTES], len(data), engine):
        handle, name = tempfile.mkstemp(suffix=".csv", prefix="shnor_upload_")
        try:
            with os.fdopen(handle, "wb") as target:
                target.write(data)
            if _prepare_streaming(store, prepared, spec, Path(name)):
                return prepared
        finally:
            Path(name).unlink(missing_ok=True)
        prepared = Prepared(kind=kind, file_name=file_name, size=len(data), sha256=prepared.sha256,
                            data_version=prepared.data_version, options=options, max_mb=max_mb, data=data)
    return _prepare_pandas(store, prepared, spec, data)


def prepare_file(store: Store, kind: str, path: Path | str, options: dict | None = None,
                 max_mb: float = DEFAULT_MAX_MB, engine: str = "auto", file_name: str | None = None) -> Prepared:
    """Check a file on disk (the command line). Large CSV student files are read by DuckDB in one
    streaming pass and never held in memory (streaming.py); other files as ``prepare`` reads bytes."""
    path = Path(path)
    spec = kind_spec(kind)
    options = {k: v for k, v in (options or {}).items() if v not in (None, "")}
    size = path.stat().st_size
    prepared = Prepared(kind=kind, file_name=file_name or path.name, size=size, sha256="",
                        data_version=store.data_version(), options=options, max_mb=max_mb, source_path=str(path))
    with open(path, "rb") as handle:
        head = handle.read(streaming.HEAD_BYTES)
    if 0 < size <= max_mb * 1024 * 1024 and streaming.applies(kind, head, size, engine):
        if _prepare_streaming(store, prepared, spec, path):
            return prepared
        prepared = Prepared(kind=kind, file_name=prepared.file_name, size=size, sha256="",
                            data_version=prepared.data_version, options=options, max_mb=max_mb,
                            source_path=str(path))
    if size > max_mb * 1024 * 1024:         # refused before reading it
        prepared.issues.add_file("too_large", mb=round(size / 1024 / 1024, 1), limit=max_mb)
        return prepared
    return _prepare_pandas(store, prepared, spec, path.read_bytes())


def _prepare_streaming(store: Store, prepared: Prepared, spec: KindSpec, path: Path) -> bool:
    """The DuckDB path; False when the file has a form only the pandas path reads (then nothing is set)."""
    prepared.engine = "duckdb"
    try:
        with open(path, "rb") as handle:
            head = handle.read(streaming.HEAD_BYTES)
        _check_file(prepared, prepared.file_name, head, prepared.max_mb, size=prepared.size)
        streaming.prepare_csv(store, prepared, path, spec)
    except streaming.Fallback:
        return False
    except FileProblem as problem:
        prepared.issues.add_file(problem.code, **problem.params)
        prepared.frame = None
    if prepared.issues:
        prepared.frame = None
    return True


def _prepare_pandas(store: Store, prepared: Prepared, spec: KindSpec, data: bytes) -> Prepared:
    prepared.engine = "pandas"
    file_name, max_mb = prepared.file_name, prepared.max_mb
    try:
        _check_file(prepared, file_name, data, max_mb)
        grid = read_grid(data)
        prepared.file_format, prepared.encoding = grid.file_format, grid.encoding
        prepared.separator, prepared.sheet = grid.separator, grid.sheet
        prepared.notes = list(grid.notes)
        header = find_header(grid, spec)
        prepared.header = header
        body = data_rows(grid, header)
        body = body.loc[body.notna().any(axis=1)]
        totals = is_total_row(body, grid.cells)
        prepared.skipped_totals = int(totals.sum())
        body = body.loc[~totals]
        prepared.source_rows = len(body)
        if body.empty:
            raise FileProblem("no_rows")
        _build(store, prepared, spec, header, body)
    except FileProblem as problem:
        prepared.issues.add_file(problem.code, **problem.params)
        prepared.frame = None
    if prepared.issues:
        prepared.frame = None
    return prepared


def prepare_again(store: Store, prepared: Prepared) -> Prepared:
    engine = prepared.engine          # the same file is read the same way
    if prepared.source_path:
        return prepare_file(store, prepared.kind, prepared.source_path, prepared.options, prepared.max_mb,
                            engine=engine, file_name=prepared.file_name)
    return prepare(store, prepared.kind, prepared.file_name, prepared.data, prepared.options, prepared.max_mb,
                   engine=engine)


def _check_file(prepared: Prepared, file_name: str, data: bytes, max_mb: float, size: int | None = None) -> None:
    """``data``: the file, or its first part when ``size`` is given (a file read in a stream)."""
    size = len(data) if size is None else size
    if size == 0:
        raise FileProblem("empty_file")
    if size > max_mb * 1024 * 1024:
        raise FileProblem("too_large", mb=round(size / 1024 / 1024, 1), limit=max_mb)
    detected = sniff_format(data)
    extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if detected not in ("csv", "xlsx"):
        raise FileProblem("not_a_table", detected=detected, extension=extension or "—")
    if extension in ("xlsx", "xlsm") and detected == "csv":
        raise FileProblem("extension_mismatch", extension=extension, detected="csv")


# -- building the typed frame ---------------------------------------------------------------
def _build(store: Store, prepared: Prepared, spec: KindSpec, header: Header, body: pd.DataFrame) -> None:
    issues = prepared.issues
    for name, titles in header.duplicates:
        issues.add_file("duplicate_column", column=" / ".join(titles))
    raw: dict[str, pd.Series] = {}
    for name, grid_column in header.columns.items():
        raw[name] = parsing.clean(body[grid_column])
    for name in spec.defaults:
        if name not in raw and name in prepared.options:
            raw[name] = pd.Series(str(prepared.options[name]), index=body.index, dtype="string")
            prepared.filled_from_options.append(name)
    missing = [c for c in spec.columns if c.required and c.name not in raw]
    add_missing(issues, spec, missing)
    if missing or issues:
        return
    context = lookups.Lookups(store)
    typed = pd.DataFrame(index=body.index)
    percent_signs: dict[str, pd.Series] = {}
    for column in spec.columns:
        if column.name not in raw or column.type in ("ignore",):
            continue
        text = raw[column.name]
        title = header.titles.get(column.name, column.title)
        if column.type == "personal":
            typed[column.name] = text          # only for checks; never stored
            continue
        values, bad, expected = _parse(column, text, context)
        if column.type == "share":
            values, bad, percent_signs[column.name] = values
        if bad.any():
            issues.add(bad.index[bad], title, text[bad], "bad_value", expected=expected.split(":")[0],
                       allowed=context.allowed(expected))
        if column.required:
            empty = text.isna()
            issues.add(empty.index[empty], title, None, "required_empty")
        typed[column.name] = values
    _ranges(spec, typed, header, issues)
    rules = KIND_RULES.get(spec.kind)
    file_level = len(issues.file_level)
    frame = rules(prepared, spec, typed, header, context, issues, percent_signs) if rules else typed
    if frame is None or len(issues.file_level) > file_level:
        return
    if spec.kind != "student_results":      # student rows were checked before aggregation
        _schema_checks(spec, frame, header, context, issues, raw)
    if issues:
        return
    table = spec.table
    if "_school_name" in frame:
        labels = frame[[spec.school, "_school_name"]].dropna()
        prepared.labels = labels.drop_duplicates().reset_index(drop=True)
    from analytics.importer.changes import carried_columns
    prepared.carried_columns = carried_columns(spec, header.columns, prepared.filled_from_options)
    frame = frame.reindex(columns=TABLE_COLUMNS[table])
    prepared.frame = frame.reset_index(drop=True)
    prepared.slices = _slices(store, spec, prepared.frame)


def add_missing(issues: Issues, spec: KindSpec, missing) -> None:
    """Missing required columns; a year or procedure the page / command line can give says how."""
    for column in missing:
        if column.name in spec.defaults:
            issues.add_file("missing_default", column=column.title, option=column.name,
                            synonyms=", ".join(column.synonyms[:3]))
        else:
            issues.add_file("missing_column", column=column.title, synonyms=", ".join(column.synonyms[:4]))


def _expected_range(column) -> dict:
    return {"min": column.min, "max": column.max}


def _parse(column, text: pd.Series, context: "lookups.Lookups"):
    kind = column.type
    if kind in ("text", "label"):
        return text, pd.Series(False, index=text.index), ""
    if kind == "code":
        return parsing.parse_code(text), pd.Series(False, index=text.index), ""
    if kind == "int":
        values, bad = parsing.parse_int(text)
        return values, bad, "integer"
    if kind == "float":
        values, bad, _ = parsing.parse_float(text)
        return values, bad, "number"
    if kind == "share":
        values, bad, percent = parsing.parse_float(text)
        return (values, bad, percent), bad, "share"
    if kind == "year":
        values, bad = parsing.parse_year(text)
        return values, bad, "year"
    if kind == "grade":
        values, bad = parsing.parse_grade(text)
        return values, bad, "grade"
    if kind == "date":
        values, bad = parsing.parse_date(text)
        return values, bad, "date"
    if kind == "bool":
        values, bad = parsing.parse_lookup(text, lookups.value_map("bool"))
        return values.map({"true": True, "false": False}, na_action="ignore").astype("boolean"), bad, "bool"
    if kind.startswith("enum:"):
        table = kind.split(":", 1)[1]
        mapping = context.kpi_map() if table == "kpi" else lookups.value_map(table)
        values, bad = parsing.parse_lookup(text, mapping)
        return values, bad, f"one_of:{table}"
    if kind == "subject":
        values, bad = parsing.parse_lookup(text, context.subject_map())
        return values, bad, "one_of:subject"
    if kind == "factor":
        values, bad = parsing.parse_lookup(text, context.factor_map())
        return values, bad, "one_of:factor"
    if kind == "municipality":
        values, bad = parsing.parse_lookup(text, context.municipality_map())
        return values, bad, "one_of:municipality"
    raise ValueError(f"unknown column type {kind}")


def _ranges(spec: KindSpec, typed: pd.DataFrame, header: Header, issues: Issues) -> None:
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


def _schema_checks(spec: KindSpec, frame: pd.DataFrame, header: Header, context, issues: Issues,
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


def _slices(store: Store, spec: KindSpec, frame: pd.DataFrame) -> pd.DataFrame:
    """Each slice the import replaces: rows in the file and rows now in the database."""
    from analytics.importer.loading import existing_rows_per_slice

    counts = frame.groupby(list(spec.slice), dropna=False).size().rename("rows_new").reset_index()
    existing = existing_rows_per_slice(store, spec, counts[list(spec.slice)])
    merged = counts.merge(existing, on=list(spec.slice), how="left")
    merged["rows_existing"] = merged["rows_existing"].fillna(0).astype(int)
    return merged


# -- kind rules --------------------------------------------------------------------------------
def _row_rule(issues: Issues, frame: pd.DataFrame, bad: pd.Series, header: Header, column: str, code: str,
              value_column: str | None = None, **params) -> None:
    bad = bad.fillna(False).astype(bool)
    if bad.any():
        values = frame.loc[bad, value_column or column]
        issues.add(bad.index[bad], header.titles.get(column, column), values.astype(object).tolist(), code, **params)


def _normalise_shares(typed: pd.DataFrame, group_columns: list[str], percent: dict[str, pd.Series]) -> str:
    """Detect 0–1 or 0–100 for a group of share columns (any value above 1 or a % sign → 0–100)."""
    values = typed[group_columns]
    as_percent = bool((values > 1).any().any()) or any(bool(percent[c].any()) for c in group_columns if c in percent)
    if as_percent:
        typed[group_columns] = values / 100
    return "0–100" if as_percent else "0–1"


def _shares_to_counts(shares: pd.DataFrame, total: pd.Series) -> pd.DataFrame:
    """Counts from shares by the largest remainder, so the counts sum exactly to ``total``."""
    exact = shares.to_numpy(dtype=float, na_value=0.0) * total.to_numpy(dtype=float, na_value=0.0)[:, None]
    floor = np.floor(exact)
    remainder = exact - floor
    missing = (total.to_numpy(dtype=float, na_value=0.0) - floor.sum(axis=1)).round().astype(int)
    order = np.argsort(-remainder, axis=1, kind="stable")
    add = np.zeros_like(floor)
    for k in range(shares.shape[1]):
        take = missing > k
        add[np.arange(len(floor))[take], order[take, k]] += 1
    return pd.DataFrame((floor + add).astype(int), index=shares.index, columns=shares.columns)


def impossible_years(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series, int]:
    """Results years that cannot be true: after the current year (settings' today), or before the first
    year the procedure was held (spec.toml [first_year]). Returns (too late, too early, current year)."""
    from analytics.config import load_settings

    current = load_settings().today.year
    first = frame["procedure"].map(first_year()).astype("Float64")
    year = frame["year"].astype("Float64")
    return (year > current).fillna(False).astype(bool), (year < first).fillna(False).astype(bool), current


def _year_rules(frame: pd.DataFrame, header: Header, issues: Issues) -> None:
    late, early, current = impossible_years(frame)
    title = header.titles.get("year", "Год")
    if late.any():
        issues.add(late.index[late], title, frame.loc[late, "year"].tolist(), "year_future", current=current)
    if early.any():
        issues.add(early.index[early], title, frame.loc[early, "year"].tolist(), "year_before_procedure")
        issues.frames[-1]["params"] = [{"first": first_year()[p], "procedure": p}
                                       for p in frame.loc[early, "procedure"]]


def _results_rules(prepared, spec, typed, header, context, issues, percent) -> pd.DataFrame | None:
    frame = typed
    _year_rules(frame, header, issues)
    marked = frame["procedure"].isin(["VPR", "OGE"]).fillna(False).astype(bool)
    ege = frame["procedure"].eq("EGE").fillna(False).astype(bool)
    # Shares → counts, per group.
    for group, counts in (("marks", ["n2", "n3", "n4", "n5"]), ("journal", ["n_lower", "n_confirmed", "n_higher"])):
        share_columns = [c.name for c in spec.columns if c.group == group and c.name in frame]
        if not share_columns:
            continue
        present_counts = [c for c in counts if c in frame]
        if present_counts:
            issues.add_file("shares_and_counts", columns=", ".join(header.titles[c] for c in share_columns))
            return None
        if len(share_columns) != len(counts):
            have = {spec.column(c).share_of for c in share_columns}
            for c in counts:
                if c not in have:
                    issues.add_file("missing_column", column=spec.column(c).title,
                                    synonyms=", ".join(spec.column(s.name).title for s in spec.columns
                                                       if s.share_of == c))
            return None
        prepared.share_scales[group] = _normalise_shares(frame, share_columns, percent)
        sums = frame[share_columns].sum(axis=1, min_count=len(share_columns))
        off = sums.notna() & ((sums - 1).abs() > SHARE_TOLERANCE)
        first = header.titles[share_columns[0]]
        if off.any():
            issues.add(off.index[off], first, (sums[off] * 100).round(1).tolist(), "shares_sum")
        out = frame[share_columns].lt(0).any(axis=1) | frame[share_columns].gt(1).any(axis=1)
        _row_rule(issues, frame, out, header, share_columns[0], "share_range")
        ok = sums.notna() & ~off & ~out & frame["participants"].notna()
        counts_frame = _shares_to_counts(frame.loc[ok, share_columns], frame.loc[ok, "participants"])
        for share_name, count_name in zip(share_columns, counts):
            column = pd.Series(pd.NA, index=frame.index, dtype="Int64")
            column.loc[ok] = counts_frame[share_name].to_numpy()
            frame[count_name] = column
            header.titles.setdefault(count_name, header.titles[share_name])
    marks = ["n2", "n3", "n4", "n5"]
    if marked.any() and not all(m in frame for m in marks):
        for m in marks:
            if m not in frame:
                issues.add_file("missing_column", column=spec.column(m).title,
                                synonyms=", ".join(spec.column(m).synonyms[:2]))
        return None
    if ege.any() and "mean_score" not in frame:
        issues.add_file("missing_column", column=spec.column("mean_score").title,
                        synonyms=", ".join(spec.column("mean_score").synonyms[:3]))
        return None
    if marked.any():
        empty = marked & frame[marks].isna().any(axis=1) & frame[marks].notna().any(axis=1)
        _row_rule(issues, frame, empty, header, marks[0], "required_empty")
        no_marks = marked & frame[marks].isna().all(axis=1)
        _row_rule(issues, frame, no_marks, header, marks[0], "required_empty")
        total = frame[marks].sum(axis=1, min_count=4)
        wrong = marked & total.notna() & frame["participants"].notna() & (total != frame["participants"])
        frame["_marks_total"] = total
        _row_rule(issues, frame, wrong, header, "participants", "marks_sum", value_column="participants",
                  total=None)
        if wrong.any():
            issues.frames[-1]["params"] = [{"total": int(t)} for t in total[wrong]]
        del frame["_marks_total"]
    if ege.any():
        _row_rule(issues, frame, ege & frame["mean_score"].isna(), header, "mean_score", "required_empty")
    for part in ("n_below_min", "n_high"):
        if part in frame:
            _row_rule(issues, frame, frame[part] > frame["participants"], header, part, "exceeds_participants")
    journal = [c for c in ("n_lower", "n_confirmed", "n_higher") if c in frame]
    if journal:
        total = frame[journal].sum(axis=1, min_count=1)
        _row_rule(issues, frame, total > frame["participants"], header, journal[0], "exceeds_participants")
    # Mark counts belong to ВПР/ОГЭ only, scores to ЕГЭ only.
    for m in marks:
        if m in frame:
            frame.loc[ege, m] = pd.NA
    for c in ("mean_score", "score_sd", "n_below_min", "n_high"):
        if c in frame:
            frame.loc[marked, c] = pd.NA
    return frame


def _student_rules(prepared, spec, typed, header, context, issues, percent) -> pd.DataFrame | None:
    frame = typed
    _year_rules(frame, header, issues)
    marked = frame["procedure"].isin(["VPR", "OGE"]).fillna(False).astype(bool)
    ege = frame["procedure"].eq("EGE").fillna(False).astype(bool)
    if marked.any() and "mark" not in frame:
        issues.add_file("missing_column", column=spec.column("mark").title,
                        synonyms=", ".join(spec.column("mark").synonyms[:3]))
    if ege.any() and "score" not in frame:
        issues.add_file("missing_column", column=spec.column("score").title,
                        synonyms=", ".join(spec.column("score").synonyms[:3]))
    if issues:
        return None
    if marked.any():
        _row_rule(issues, frame, marked & frame["mark"].isna(), header, "mark", "required_empty")
    if ege.any():
        _row_rule(issues, frame, ege & frame["score"].isna(), header, "score", "required_empty")
    if "student_id" in frame:
        keys = ["student_id", "year", "procedure", "subject_id"]
        dup = frame["student_id"].notna() & frame.duplicated(keys, keep="first")
        if dup.any():
            issues.add(dup.index[dup], header.titles["student_id"], "•••", "duplicate_student")
    # Unknown schools are checked on student rows (so the report points at the file's rows).
    if "school_id" in frame:
        unknown = frame["school_id"].notna() & ~frame["school_id"].isin(context.school_ids())
        if unknown.any():
            issues.add(unknown.index[unknown], header.titles["school_id"], frame.loc[unknown, "school_id"].tolist(),
                       "unknown_school")
            issues.frames[-1]["params"] = [{"hint": context.leading_zero_hint(v)}
                                           for v in issues.frames[-1]["value"]]
    if issues:
        return None
    return aggregate_students(frame, context.min_scores())


def aggregate_students(frame: pd.DataFrame, min_scores: dict[str, int]) -> pd.DataFrame:
    """Student rows → one results row per school × year × procedure × subject × grade.

    Counts of marks 2–5 (ВПР, ОГЭ); ЕГЭ mean, sample SD (n ≥ 2), below the subject's
    minimum and 81–100; ВПР mark vs journal mark (lower / equal / higher)."""
    keys = ["school_id", "year", "procedure", "subject_id", "grade"]
    work = pd.DataFrame({k: frame[k] for k in keys})
    mark = frame["mark"] if "mark" in frame else pd.Series(pd.NA, index=frame.index, dtype="Int64")
    score = frame["score"].astype("Float64") if "score" in frame else pd.Series(pd.NA, index=frame.index, dtype="Float64")
    is_ege = frame["procedure"].eq("EGE")
    for k in (2, 3, 4, 5):
        work[f"n{k}"] = (mark == k).fillna(False).astype(int)
    work["score"] = score.where(is_ege)
    minimum = frame["subject_id"].map(min_scores).astype("Float64")
    work["below"] = ((score < minimum) & is_ege).fillna(False).astype(int)
    work["high"] = ((score >= 81) & is_ege).fillna(False).astype(int)
    if "journal_mark" in frame:
        journal = frame["journal_mark"]
        known = journal.notna() & mark.notna() & frame["procedure"].eq("VPR")
        work["lower"] = (known & (mark < journal)).fillna(False).astype(int)
        work["confirmed"] = (known & (mark == journal)).fillna(False).astype(int)
        work["higher"] = (known & (mark > journal)).fillna(False).astype(int)
        work["journal_known"] = known.astype(int)
    grouped = work.groupby(keys, sort=True, observed=True, dropna=False)
    out = grouped.agg(participants=("n2", "size"), n2=("n2", "sum"), n3=("n3", "sum"), n4=("n4", "sum"),
                      n5=("n5", "sum"), mean_score=("score", "mean"), score_sd=("score", "std"),
                      n_below_min=("below", "sum"), n_high=("high", "sum"))
    if "journal_mark" in frame:
        journal_sums = grouped.agg(n_lower=("lower", "sum"), n_confirmed=("confirmed", "sum"),
                                   n_higher=("higher", "sum"), journal_known=("journal_known", "sum"))
        out = out.join(journal_sums)
    return finish_student_aggregate(out.reset_index())


def finish_student_aggregate(out: pd.DataFrame) -> pd.DataFrame:
    """Group sums → stored values: marks only for ВПР/ОГЭ, scores only for ЕГЭ (1 decimal),
    journal comparisons only where some journal mark was known."""
    ege = out["procedure"].eq("EGE")
    for k in ("n2", "n3", "n4", "n5"):
        out[k] = out[k].astype("Int64").mask(ege)
    for k in ("n_below_min", "n_high"):
        out[k] = out[k].astype("Int64").mask(~ege)
    out["mean_score"] = out["mean_score"].astype("Float64").round(1).mask(~ege)
    out["score_sd"] = out["score_sd"].astype("Float64").round(1).mask(~ege)
    if "journal_known" in out:
        none = out["journal_known"].eq(0)
        for k in ("n_lower", "n_confirmed", "n_higher"):
            out[k] = out[k].astype("Int64").mask(none)
        out = out.drop(columns="journal_known")
    return out


def _lists_rules(prepared, spec, typed, header, context, issues, percent):
    return typed


def _risk_rules(prepared, spec, typed, header, context, issues, percent):
    typed["catalogue_id"] = context.catalogue_id
    return typed


def _mentor_rules(prepared, spec, typed, header, context, issues, percent):
    from analytics.config import load_settings

    same = typed["mentor_school_id"].eq(typed["mentee_school_id"]).fillna(False)
    _row_rule(issues, typed, same, header, "mentee_school_id", "mentor_is_mentee")
    if "agreement_date" in typed:
        today = load_settings().today
        future = pd.to_datetime(typed["agreement_date"], errors="coerce") > pd.Timestamp(today)
        _row_rule(issues, typed, future, header, "agreement_date", "date_future", today=today.strftime("%d.%m.%Y"))
    coords = context.school_coords()
    a = typed[["mentor_school_id"]].merge(coords, left_on="mentor_school_id", right_index=True, how="left")
    b = typed[["mentee_school_id"]].merge(coords, left_on="mentee_school_id", right_index=True, how="left")
    computed = pd.Series(haversine_km(a["lat"], a["lon"], b["lat"], b["lon"]), index=typed.index).round(1)
    if "straight_km" not in typed:
        typed["straight_km"] = pd.Series(pd.NA, index=typed.index, dtype="Float64")
    typed["straight_km"] = typed["straight_km"].astype("Float64").fillna(computed.astype("Float64"))
    if "road_km" in typed:
        shorter = typed["road_km"] < typed["straight_km"] * 0.95
        _row_rule(issues, typed, shorter, header, "road_km", "road_shorter")
    return typed


def haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    lat1, lon1, lat2, lon2 = (np.radians(pd.to_numeric(x, errors="coerce").to_numpy(dtype=float))
                              for x in (lat1, lon1, lat2, lon2))
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.sqrt(h))


def _kpi_rules(prepared, spec, typed, header, context, issues, percent):
    count_targets = set(spec.extra.get("count_targets", ()))
    if "direction" not in typed:
        typed["direction"] = "at_least"
    typed["direction"] = typed["direction"].fillna("at_least")
    if "target_high" not in typed:
        typed["target_high"] = pd.Series(pd.NA, index=typed.index, dtype="Float64")
    share = ~typed["target_id"].isin(count_targets).fillna(False)
    values = typed.loc[share, ["target_low", "target_high"]]
    as_percent = bool((values > 1).any().any())
    prepared.share_scales["target"] = "0–100" if as_percent else "0–1"
    if as_percent:
        typed.loc[share, ["target_low", "target_high"]] = values / 100
    out = share & ((typed["target_low"] < 0) | (typed["target_low"] > 1) | (typed["target_high"] > 1))
    _row_rule(issues, typed, out, header, "target_low", "share_range")
    _row_rule(issues, typed, typed["target_low"] < 0, header, "target_low", "negative")
    _row_rule(issues, typed, typed["target_high"] < typed["target_low"], header, "target_high", "high_below_low")
    known = context.scope_ids()
    unknown = ~pd.Series([(lvl, sid) in known for lvl, sid in zip(typed["scope_level"], typed["scope_id"])],
                         index=typed.index)
    _row_rule(issues, typed, unknown & typed["scope_level"].notna(), header, "scope_id", "unknown_scope")
    return typed


def _teacher_rules(prepared, spec, typed, header, context, issues, percent):
    total = typed["teachers_total"]
    for part in ("teachers_diagnosed", "teachers_with_route", "teachers_trained", "teachers_in_consultations",
                 "teachers_in_mentoring"):
        _row_rule(issues, typed, typed[part] > total, header, part, "exceeds_total")
    if "teachers_level_rose" in typed:
        _row_rule(issues, typed, typed["teachers_level_rose"] > typed["teachers_diagnosed"], header,
                  "teachers_level_rose", "exceeds_diagnosed")
    return typed


def _schools_rules(prepared, spec, typed, header, context, issues, percent):
    if "short_name" not in typed:
        typed["short_name"] = typed["name"]
    typed["short_name"] = typed["short_name"].fillna(typed["name"])
    if "lat" in typed or "lon" in typed:
        for name in ("lat", "lon"):
            if name not in typed:
                typed[name] = pd.Series(pd.NA, index=typed.index, dtype="Float64")
        half = typed["lat"].isna() != typed["lon"].isna()
        present = "lat" if typed["lat"].notna().any() else "lon"
        _row_rule(issues, typed, half, header, present, "coords_pair")
    return typed


KIND_RULES = {
    "results": _results_rules, "student_results": _student_rules, "school_lists": _lists_rules,
    "risk_profiles": _risk_rules, "mentor_pairs": _mentor_rules, "kpi_targets": _kpi_rules,
    "teacher_development": _teacher_rules, "schools": _schools_rules,
    "engagement_reviews": lambda *args: _engagement_rules(*args),
}


def _engagement_rules(*args):
    from analytics.engagement_reviews import import_rules    # (imports analytics modules above the importer)
    return import_rules(*args)


def expected_values(table: str) -> str:
    return ", ".join(value_examples(table))


def today() -> dt.datetime:
    return dt.datetime.now()
