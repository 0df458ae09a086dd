"""Read, map, parse and validate a file into the rows it would store — without storing them.

``prepare`` never writes; ``analytics.importer.loading.commit`` stores a prepared file
in one transaction. Validation is declarative (pandera schemas built from spec.toml plus
named row rules); every problem is collected, none stops the others from being found.

The steps live apart: reading.py (bytes → grid, bounded by bounds.py), header.py (columns by
synonyms), parsing.py (texts → values), validation.py and kind_rules.py (the rules),
aggregation.py (the stored grain); large student CSV files take the DuckDB path (streaming.py).
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analytics.importer import streaming
from analytics.importer.diff import carried_columns, slice_counts
from analytics.importer.header import Header, data_rows, find_header, is_total_row
from analytics.importer.issues import FileProblem, Issues
from analytics.importer.kind_rules import rules_of
from analytics.importer.lookups import Lookups
from analytics.importer.parsing import clean, parse_column
from analytics.importer.reading import read_grid, sniff_format
from analytics.importer.spec import KindSpec, kind as kind_spec
from analytics.importer.tables import TABLE_COLUMNS
from analytics.importer.validation import add_missing, check_keys_and_schools, check_ranges
from analytics.store import Store

__all__ = ["DEFAULT_MAX_MB", "TABLE_COLUMNS", "Prepared", "prepare", "prepare_again", "prepare_file"]

DEFAULT_MAX_MB = 100


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
        raw[name] = clean(body[grid_column])
    for name in spec.defaults:
        if name not in raw and name in prepared.options:
            raw[name] = pd.Series(str(prepared.options[name]), index=body.index, dtype="string")
            prepared.filled_from_options.append(name)
    missing = [c for c in spec.columns if c.required and c.name not in raw]
    add_missing(issues, spec, missing)
    if missing or issues:
        return
    context = Lookups(store)
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
        values, bad, expected = parse_column(column, text, context)
        if column.type == "share":
            values, bad, percent_signs[column.name] = values
        if bad.any():
            issues.add(bad.index[bad], title, text[bad], "bad_value", expected=expected.split(":")[0],
                       allowed=context.allowed(expected))
        if column.required:
            empty = text.isna()
            issues.add(empty.index[empty], title, None, "required_empty")
        typed[column.name] = values
    check_ranges(spec, typed, header, issues)
    rules = rules_of(spec.kind)
    file_level = len(issues.file_level)
    frame = rules(prepared, spec, typed, header, context, issues, percent_signs) if rules else typed
    if frame is None or len(issues.file_level) > file_level:
        return
    if spec.kind != "student_results":      # student rows were checked before aggregation
        check_keys_and_schools(spec, frame, header, context, issues, raw)
    if issues:
        return
    table = spec.table
    if "_school_name" in frame:
        labels = frame[[spec.school, "_school_name"]].dropna()
        prepared.labels = labels.drop_duplicates().reset_index(drop=True)
    prepared.carried_columns = carried_columns(spec, header.columns, prepared.filled_from_options)
    frame = frame.reindex(columns=TABLE_COLUMNS[table])
    prepared.frame = frame.reset_index(drop=True)
    prepared.slices = slice_counts(store, spec, prepared.frame)
