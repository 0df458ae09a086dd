"""Large CSV student-level files, imported by DuckDB in one streaming pass (issue #11).

The pandas path (``core.prepare``) holds the whole file in memory several times over (bytes, text,
a frame of strings, typed columns). This path never reads the file into Python:

* the first megabyte is sniffed with the pandas path's own helpers (encoding, separator, number
  of columns, header with its synonyms); a Windows-1251 or UTF-16 file is first re-encoded to a
  temporary UTF-8 file in chunks (DuckDB reads UTF-8; its encodings extension needs the internet);
* ONE pass of ``read_csv`` (every column as text, explicit separator, no type sniffing) groups the
  rows by the *raw text* of the key columns (school, year, procedure, subject, grade) and counts
  marks 2–5, mark vs journal mark and ЕГЭ score statistics per group. A file repeats a few key
  texts millions of times, so the groups are few (320 000 for 15 million rows); their texts are
  then parsed with the very parsers of the pandas path (``parsing.py``) — the same trimming,
  decimal commas, «5А», synonyms — and groups whose texts mean the same key are added up. Marks
  and scores in any but the plain form («4», «70,5») are kept in the group key as text and parsed
  the same way, so an odd form never needs a parser written twice. Participant codes are hashed in
  the same pass (a DuckDB function hands the hashes to numpy, which sorts them to find repeats);
* the groups show at once whether anything is wrong. Only then a second pass finds, for each
  problem, how many rows have it and the first 200 of them with their spreadsheet row numbers, and
  the report is built exactly as the pandas path builds it (same codes, words, columns, values).

Files this path cannot read the way the pandas path does (a line break inside a quoted cell, a row
with more cells than the header, broken quotes) go to the pandas path instead (``Fallback``).

Modules: stream_layout (encoding, header, row numbers), stream_pass (the SQL of the pass),
stream_values (texts → values), stream_checks (problems and the report), stream_aggregate (the rows
to store); this one runs them in order.
"""
from __future__ import annotations

from pathlib import Path

import duckdb

from analytics.importer.diff import slice_counts
from analytics.importer.encodings import has_utf8_cyrillic
from analytics.importer.issues import FileProblem
from analytics.importer.lookups import Lookups
from analytics.importer.reading import sniff_format
from analytics.importer.spec import KindSpec, first_year
from analytics.importer.stream_checks import StreamedFile
from analytics.importer.stream_layout import Fallback, Layout, layout, utf8_file
from analytics.importer.stream_pass import Columns, run_pass
from analytics.importer.tables import TABLE_COLUMNS
from analytics.importer.validation import impossible_years

__all__ = ["FAST_PATH_MIN_BYTES", "HEAD_BYTES", "Fallback", "applies", "prepare_csv"]

FAST_PATH_MIN_BYTES = 2 * 1024 * 1024    # student CSV files from this size on go through DuckDB ("auto")
HEAD_BYTES = 1 << 20                     # sniffed: encoding, separator, columns, header


def applies(kind: str, head: bytes, size: int, engine: str = "auto") -> bool:
    """The rule: student-level files whose content is CSV and which are at least
    ``FAST_PATH_MIN_BYTES`` long (``engine="duckdb"`` forces it for any size, tests use it)."""
    if engine == "pandas" or kind != "student_results" or size == 0:
        return False
    if sniff_format(head) != "csv":
        return False
    return engine == "duckdb" or size >= FAST_PATH_MIN_BYTES


class _NotUtf8(Exception):
    """DuckDB met bytes that are not UTF-8 after the first megabyte looked like UTF-8."""


def prepare_csv(store, prepared, path: Path, spec: KindSpec) -> None:
    """Fill ``prepared`` (layout, counts, rows to store or issues) from the CSV file at ``path``."""
    size = path.stat().st_size
    with open(path, "rb") as handle:
        head = handle.read(HEAD_BYTES)
    whole = size <= HEAD_BYTES
    found = layout(head, whole, spec, prepared=prepared)
    try:
        _prepare(store, prepared, path, spec, found)
    except _NotUtf8:
        if has_utf8_cyrillic(head):                     # UTF-8 text, then other bytes: mixed encodings,
            raise Fallback("mixed encodings") from None    # named with their line by the pandas path
        # Like reading.decode: a file that is not UTF-8 as a whole is read as Windows-1251.
        prepared.header = None
        _prepare(store, prepared, path, spec, layout(head, whole, spec, force_codec="cp1251", prepared=prepared))


_OUR_MISTAKES = (duckdb.ParserException, duckdb.BinderException, duckdb.CatalogException, duckdb.InternalException,
                 duckdb.OutOfMemoryException, duckdb.InterruptException)


def _run_or_classify(function, *args):
    try:
        return function(*args)
    except _OUR_MISTAKES:
        raise
    except duckdb.Error as error:            # reading the CSV (DuckDB raises these as plain Error)
        message = str(error)
        if "unicode" in message.lower() or "utf-8" in message.lower() or "utf8" in message.lower():
            raise _NotUtf8() from None
        raise Fallback(message.splitlines()[0] if message else type(error).__name__) from None


def _prepare(store, prepared, path: Path, spec: KindSpec, found: Layout) -> None:
    prepared.file_format, prepared.encoding, prepared.separator = "csv", found.encoding, found.separator
    prepared.header = found.header
    issues = prepared.issues
    cols = Columns(found, prepared.options)
    context = Lookups(store)
    minimums = sorted({int(v) for v in context.min_scores().values()})
    with utf8_file(path, found.codec) as csv_path:
        try:
            frame, repeated = _run_or_classify(run_pass, store, cols, csv_path, minimums)
        except _NotUtf8:
            if found.codec != "utf-8":
                raise FileProblem("bad_encoding") from None
            raise
        work = StreamedFile(store, prepared, spec, cols, context, csv_path, frame, repeated, minimums)
        work.count_rows()
        if not work.file_columns():
            return
        work.parse()
        if work.cell_problems():
            work.report(work.cell_rules())
            return
        if not work.value_columns():
            return
        later = work.row_rules()
        duplicates = work.duplicates() if len(repeated) else None
        if work.any_row_problem() or duplicates:
            work.report(later, duplicates)
            return
        frame = work.aggregate()
        late, early, current = impossible_years(frame)
        if late.any() or early.any():       # no row numbers here: the years as written, file-level
            for year in sorted(set(frame.loc[late, "year"])):
                issues.add_file("year_future_file", value=int(year), current=current)
            for year, procedure in sorted(set(zip(frame.loc[early, "year"], frame.loc[early, "procedure"]))):
                issues.add_file("year_before_procedure_file", value=int(year), procedure=procedure,
                                first=first_year()[procedure])
            return
    prepared.frame = frame.reindex(columns=TABLE_COLUMNS[spec.table]).reset_index(drop=True)
    prepared.slices = slice_counts(store, spec, prepared.frame)
