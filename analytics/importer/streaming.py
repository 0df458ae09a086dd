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
"""
from __future__ import annotations

import codecs
import csv
import io
import os
import re
import tempfile
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analytics.importer import lookups, parsing
from analytics.importer.header import Header, find_header
from analytics.importer.issues import REPORT_LIMIT, FileProblem
from analytics.importer.reading import HEADER_SCAN_ROWS, csv_layout, grid_from_text, sniff_format
from analytics.importer.spec import KindSpec, first_year

FAST_PATH_MIN_BYTES = 2 * 1024 * 1024    # student CSV files from this size on go through DuckDB ("auto")
HEAD_BYTES = 1 << 20                     # sniffed: encoding, separator, columns, header
CHUNK_BYTES = 16 << 20                   # re-encoding to UTF-8 and line scanning, per read
PACK_BITS = 16                           # counters packed into one sum: groups up to 65 535 rows
KEYS = ("school_id", "year", "procedure", "subject_id", "grade")
MARKED = ("VPR", "OGE")

# Python's str.isspace() characters: what str.strip() (the pandas path's trimming) removes.
_WHITESPACE = [c for c in range(0x3001) if chr(c).isspace()]
_WS_CLASS = "".join(f"\\x{{{c:x}}}" for c in _WHITESPACE)
# «Итого» / «Всего» at the start of a cell after spaces, any case (header.is_total_row).
TOTAL_PATTERN = f"^[{_WS_CLASS}]*(?i:итого|всего)"
# parsing.clean: strip, drop a leading Excel apostrophe, strip again; "" is missing.
_CLEAN_PATTERN = f"^[{_WS_CLASS}]*'*[{_WS_CLASS}]*|[{_WS_CLASS}]*$"
_PLAIN_SCORE = "[0-9]+(?:[.,][0-9]*)?"
_TRUE = pa.array(np.ones(1 << 14, dtype=bool))


def _starts_like_total(c: str) -> str:
    """``c`` may start with spaces or «итого»/«всего» in any case (whitespace: below «!», U+0085 to
    U+00A0, U+1680 to U+3000; letters: В, И, в, и)."""
    ranges = [("chr(133)", "chr(161)"), ("chr(5760)", "chr(12289)"), ("'В'", "'Г'"), ("'И'", "'Й'"),
              ("'в'", "'г'"), ("'и'", "'й'")]
    # Two comparisons for the usual ASCII code; the ranges only for texts from U+0085 on.
    return (f"({c} < '!' OR ({c} >= chr(133) AND (" + " OR ".join(f"({c} >= {a} AND {c} < {b})" for a, b in ranges)
            + ")))")


def _literal(text: str) -> str:
    """A code constant (a pattern) as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


class Fallback(Exception):
    """This file has a form the DuckDB path does not read the way the pandas path does."""


def applies(kind: str, head: bytes, size: int, engine: str = "auto") -> bool:
    """The rule: student-level files whose content is CSV and which are at least
    ``FAST_PATH_MIN_BYTES`` long (``engine="duckdb"`` forces it for any size, tests use it)."""
    if engine == "pandas" or kind != "student_results" or size == 0:
        return False
    if sniff_format(head) != "csv":
        return False
    return engine == "duckdb" or size >= FAST_PATH_MIN_BYTES


# -- reading: encoding, layout, header ----------------------------------------------------------
@dataclass
class Layout:
    encoding: str                # label shown to the user, as reading.decode names it
    codec: str                   # Python codec of the original bytes
    separator: str
    width: int
    header: Header
    skip: int                    # physical lines before the first data line (title, header)
    header_end: int              # spreadsheet row of the (last) header row


def _head_text(head: bytes, codec: str, whole: bool) -> str:
    decoder = codecs.getincrementaldecoder(codec)("strict")
    return decoder.decode(head, final=whole)


def _encoding(head: bytes, whole: bool) -> tuple[str, str]:
    from analytics.importer.reading import _looks_koi8, utf16_without_bom

    if head.startswith(b"\xef\xbb\xbf"):
        return "UTF-8 (BOM)", "utf-8-sig"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16", "utf-16"
    if utf16_without_bom(head):
        raise Fallback("UTF-16 without BOM: read and named by the pandas path")
    try:
        _head_text(head, "utf-8", whole)
        return "UTF-8", "utf-8"
    except UnicodeDecodeError:
        if _looks_koi8(head.decode("cp1251", errors="replace")):
            raise Fallback("KOI8-R: read and named by the pandas path") from None
        return "Windows-1251", "cp1251"


def layout(head: bytes, whole: bool, spec: KindSpec, force_codec: str | None = None, prepared=None) -> Layout:
    """Encoding, separator, columns and header from the first part of the file (``prepared``, when
    given, gets them as soon as they are known, as the pandas path sets them before the header)."""
    encoding, codec = ("Windows-1251", "cp1251") if force_codec else _encoding(head, whole)
    try:
        text = _head_text(head, codec, whole)
    except UnicodeDecodeError:
        raise FileProblem("bad_encoding") from None
    if not text.strip():
        raise Fallback("no text in the first part")
    separator, width = csv_layout(text)
    if prepared is not None:
        prepared.file_format, prepared.encoding, prepared.separator = "csv", encoding, separator
    complete = text if whole else text[: text.rfind("\n") + 1]
    grid = grid_from_text(complete, encoding, separator, width, max_rows=HEADER_SCAN_ROWS + 1)
    header = find_header(grid, spec)
    header_end = max(header.rows)
    reader = csv.reader(io.StringIO(complete), delimiter=separator)
    skip = None
    for number, _ in enumerate(reader, 1):
        if number == header_end:
            skip = reader.line_num
            break
    if skip is None:
        raise Fallback("header not within the first part")
    return Layout(encoding, codec, separator, width, header, skip, header_end)


@contextmanager
def utf8_file(path: Path, codec: str):
    """The file as UTF-8 for DuckDB: itself, or a temporary copy re-encoded in chunks."""
    if codec in ("utf-8", "utf-8-sig"):
        yield path
        return
    handle, name = tempfile.mkstemp(suffix=".csv", prefix="shnor_import_")
    try:
        decoder = codecs.getincrementaldecoder(codec)("strict")
        with open(path, "rb") as source, os.fdopen(handle, "wb") as target:
            while True:
                chunk = source.read(CHUNK_BYTES)
                text = decoder.decode(chunk, final=not chunk)
                target.write(text.encode("utf-8"))
                if not chunk:
                    break
        yield Path(name)
    except UnicodeDecodeError:
        raise FileProblem("bad_encoding") from None
    finally:
        Path(name).unlink(missing_ok=True)


# -- the SQL of both passes -------------------------------------------------------------------
READ_CSV = ("read_csv($path, delim = $delim, header = false, skip = $skip, auto_detect = false, "
            "columns = {columns}, null_padding = true, quote = '\"', escape = '\"')")


@dataclass
class Columns:
    """SQL expressions of the file's columns (names come from code: c0, c1, … and constants)."""
    layout: Layout
    options: dict
    present: dict = field(default_factory=dict)        # canonical name → "c<j>" (mapped columns)
    keys: dict = field(default_factory=dict)           # key name → SQL expression (column or $opt_)
    totals: list = field(default_factory=list)         # first-3 columns checked per row for «Итого»
    key_totals: list = field(default_factory=list)     # key names among the first three columns

    def __post_init__(self):
        header = self.layout.header
        self.present = {name: f"c{j}" for name, j in header.columns.items()}
        for name in KEYS:
            if name in self.present:
                self.keys[name] = self.present[name]
            elif name in self.options:
                self.keys[name] = f"CAST($opt_{name} AS VARCHAR)"
            else:
                self.keys[name] = "CAST(NULL AS VARCHAR)"
        by_grid = {j: name for name, j in header.columns.items()}
        for j in range(min(3, self.layout.width)):
            name = by_grid.get(j)
            if name in KEYS:
                self.key_totals.append(name)
            else:
                self.totals.append(f"c{j}")

    def read(self) -> str:
        columns = "{" + ", ".join(f"'c{j}': 'VARCHAR'" for j in range(self.layout.width)) + "}"
        return READ_CSV.format(columns=columns)

    def params(self, path: Path) -> dict:
        values = {"path": str(path), "delim": self.layout.separator, "skip": self.layout.skip}
        for name in KEYS:
            if name not in self.present and name in self.options:
                values[f"opt_{name}"] = str(self.options[name])
        return values

    # per-row expressions --------------------------------------------------------------------
    def total_row(self) -> str:
        """«Итого»/«Всего» in a first-three column that is not a key (keys are checked per group).
        The pattern runs only on texts that start with a space or control character or with
        «И», «и», «В», «в» (prefix comparisons cost next to nothing; an IN list would be rewritten
        into a join evaluated on every row)."""
        if not self.totals:
            return "false"
        return " OR ".join(f"(CASE WHEN {_starts_like_total(c)} THEN regexp_matches({c}, {_literal(TOTAL_PATTERN)}) "
                           f"ELSE false END)" for c in self.totals)

    def blank_values(self) -> str:
        """Every mapped column that is not a key is empty (with empty keys: a blank row)."""
        others = [c for name, c in self.present.items() if name not in KEYS]
        return " AND ".join(f"{c} IS NULL" for c in others) if others else "true"

    def blank_row(self, prefix: str = "") -> str:
        return " AND ".join(f"{prefix}{c} IS NULL" for c in self.present.values()) if self.present else "true"

    def student(self) -> str | None:
        """The participant code as parsing.clean leaves it. The exact pattern runs only for codes that
        start below «(» (spaces, control characters, an apostrophe) or from U+0085 on, or end in a
        Unicode space (DuckDB's rtrim) or a tab; comparing prefixes costs next to nothing."""
        column = self.present.get("student_id")
        if column is None:
            return None
        c = column
        suspect = (f"{c} < '(' OR {c} >= chr(133) OR strlen(rtrim({c})) <> strlen({c}) OR suffix({c}, chr(9))")
        return (f"CASE WHEN {suspect} THEN nullif(regexp_replace({c}, {_literal(_CLEAN_PATTERN)}, '', 'g'), '') "
                f"ELSE {c} END")

    def student_key(self) -> str:
        """The participant and the subject as written. A file is nearly always one year and one
        procedure: hashing two more texts per row costs more than the rare extra candidates a
        file of several years or procedures gives (the exact check compares every candidate)."""
        parts = ["sid"] + [self.present[k] for k in ("subject_id",) if k in self.present]
        return f"CASE WHEN NOT t AND sid IS NOT NULL THEN hash({', '.join(parts)}) END"

    def mark(self, name: str) -> str:
        column = self.present.get(name)
        if column is None:
            return "CAST(NULL AS TINYINT)"
        return f"CAST(CASE {column} WHEN '2' THEN 2 WHEN '3' THEN 3 WHEN '4' THEN 4 WHEN '5' THEN 5 END AS TINYINT)"

    def score(self) -> str:
        column = self.present.get("score")
        if column is None:
            return "CAST(NULL AS DOUBLE)"
        return (f"CASE WHEN regexp_full_match({column}, {_literal(_PLAIN_SCORE)}) "
                f"THEN CAST(replace({column}, ',', '.') AS DOUBLE) END")

    def odd(self) -> dict[str, str]:
        """Raw texts that are part of the group key: a mark not in the plain form «2»…«5» (then the
        journal mark too, so the pair is known), a journal mark not in the plain form, a score not
        in the form «70» / «70,5». Plain values are counted in SQL; a file of plain values keeps one
        group per key."""
        out = {}
        mark, journal, score = (self.present.get(k) for k in ("mark", "journal_mark", "score"))
        if mark:
            out["om"] = f"CASE WHEN m IS NULL THEN {mark} END"
        if journal:
            out["oj"] = (f"CASE WHEN j IS NULL OR m IS NULL THEN {journal} END" if mark
                         else f"CASE WHEN j IS NULL THEN {journal} END")
        if score:
            out["os"] = f"CASE WHEN s IS NULL THEN {score} END"
        return out


def pass_sql(cols: Columns, min_scores: list[int], packed: bool, collect: str | None) -> str:
    """The one pass: groups of raw key texts (+ odd value texts) with their counts."""
    keys = ", ".join(f"{expr} AS k_{name}" for name, expr in cols.keys.items())
    odd = cols.odd()
    odd_select = "".join(f", {expr} AS {name}" for name, expr in odd.items())
    student = cols.student()
    inner = [f"{cols.mark('mark')} AS m", f"{cols.mark('journal_mark')} AS j", f"{cols.score()} AS s",
             f"({cols.total_row()}) AS t", f"({cols.blank_values()}) AS b"]
    if student:
        inner.append(f"{student} AS sid")
    collected = bool(student and collect)
    # The collecting function hands each vector of participant hashes to numpy and returns TRUE
    # for every row, so counting its result counts the rows (no extra aggregate for it).
    aggs = [f"count({collect}(h)) AS n" if collected else "count(*) AS n"]
    if "mark" in cols.present:
        if not packed:
            aggs.append("count(m) AS n_m")
        if packed:
            aggs.append(f"CAST(coalesce(sum(CAST(1 AS BIGINT) << CAST({PACK_BITS} * (m - 2) AS INTEGER)), 0) "
                        f"AS UBIGINT) AS pm")
        else:
            aggs += [f"count(*) FILTER (WHERE m = {k}) AS m{k}" for k in (2, 3, 4, 5)]
        if "journal_mark" in cols.present:
            if packed:
                aggs.append(f"CAST(coalesce(sum(CAST(1 AS BIGINT) << CAST({PACK_BITS} * (sign(m - j) + 1) "
                            f"AS INTEGER)), 0) AS UBIGINT) AS pj")
            else:
                aggs += ["count(*) FILTER (WHERE m < j) AS j_lower", "count(*) FILTER (WHERE m = j) AS j_equal",
                         "count(*) FILTER (WHERE m > j) AS j_higher"]
    if "score" in cols.present:
        aggs += ["count(s) AS s_n", "fsum(s) AS s_sum", "stddev_samp(s) AS s_sd", "min(s) AS s_min",
                 "max(s) AS s_max", "count(*) FILTER (WHERE s >= 81) AS s_high"]
        aggs += [f"count(*) FILTER (WHERE s < {int(q)}) AS s_below_{int(q)}" for q in min_scores]
    groups = [f"k_{name}" for name in cols.keys] + list(odd) + ["t", "b"]
    hashed = f", {cols.student_key()} AS h" if collected else ""
    return (f"SELECT {', '.join(groups)}, {', '.join(aggs)}\n"
            f"FROM (SELECT {keys}{odd_select}, t, b, m, j, s{hashed}\n"
            f"      FROM (SELECT *, {', '.join(inner)} FROM {cols.read()}))\n"
            f"GROUP BY {', '.join(groups)}")


# -- the pass and its groups --------------------------------------------------------------------
@dataclass
class Groups:
    frame: pd.DataFrame          # one row per group of raw texts (kept rows only)
    records: int                 # every record DuckDB read after the header (blank and total ones too)
    source_rows: int
    skipped_totals: int
    duplicate_hashes: np.ndarray


def _connection(store) -> duckdb.DuckDBPyConnection:
    return store.cursor().cursor()       # own cursor (the store's settings: threads, memory limit)


def run_pass(store, cols: Columns, path: Path, min_scores: list[int]) -> tuple[pd.DataFrame, np.ndarray]:
    con = _connection(store)
    chunks: list = []

    def collect(hashes):
        chunks.append(pc.drop_null(hashes) if hashes.null_count else hashes)
        return _TRUE.slice(0, len(hashes)) if len(hashes) <= len(_TRUE) else pa.array(np.ones(len(hashes), bool))

    name = f"_shnor_collect_{threading.get_ident()}"
    student = cols.student() is not None
    try:
        if student:
            con.create_function(name, collect, ["UBIGINT"], "BOOLEAN", type="arrow", side_effects=True,
                                null_handling="special")
        params = cols.params(path)
        frame = _fetch(con, pass_sql(cols, min_scores, True, name if student else None), params)
        if len(frame) and frame["n"].max() >= 1 << PACK_BITS:       # a group too big for packed counters
            chunks.clear()
            frame = _fetch(con, pass_sql(cols, min_scores, False, name if student else None), params)
        else:
            frame = _unpack(frame)
    finally:
        if student:
            con.remove_function(name)
        con.close()
    hashes = np.empty(sum(len(c) for c in chunks), dtype=np.uint64)
    position = len(hashes)
    while chunks:                        # copy and let go chunk by chunk: one copy in memory, not two
        chunk = chunks.pop().to_numpy()
        hashes[position - len(chunk):position] = chunk
        position -= len(chunk)
    hashes.sort()
    repeated = hashes[1:][hashes[1:] == hashes[:-1]]
    return frame, np.unique(repeated)


def _fetch(con, sql: str, params: dict) -> pd.DataFrame:
    """The groups as a frame, through Arrow (several times faster than ``.df()`` for text columns)."""
    return con.sql(sql, params=params).to_arrow_table().to_pandas()


def _unpack(frame: pd.DataFrame) -> pd.DataFrame:
    mask = (1 << PACK_BITS) - 1
    if "pm" in frame:
        packed = frame.pop("pm").fillna(0).astype("uint64").to_numpy()
        for i, k in enumerate((2, 3, 4, 5)):
            frame[f"m{k}"] = ((packed >> np.uint64(PACK_BITS * i)) & np.uint64(mask)).astype("int64")
        frame["n_m"] = frame[["m2", "m3", "m4", "m5"]].sum(axis=1)
    if "pj" in frame:
        packed = frame.pop("pj").fillna(0).astype("uint64").to_numpy()
        for i, name in enumerate(("j_lower", "j_equal", "j_higher")):
            frame[name] = ((packed >> np.uint64(PACK_BITS * i)) & np.uint64(mask)).astype("int64")
    return frame


def is_total_text(values: pd.Series) -> pd.Series:
    """header.is_total_row for one column of texts (run on its distinct texts)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    text = pd.Series(uniques, dtype=object).astype("string").str.strip().str.lower()
    total = np.append(text.str.match(r"^(итого|всего)").fillna(False).astype(bool).to_numpy(), False)
    return pd.Series(total[codes], index=values.index)


# -- from groups of raw texts to parsed values ----------------------------------------------------
@dataclass
class ValueMap:
    """Distinct raw texts of one column → clean text, parsed value and the problem, if any."""
    frame: pd.DataFrame                   # raw, clean, value, problem
    expected: str = ""

    _codes: dict = field(default_factory=dict, repr=False)

    def lookup(self, raws: pd.Series, what: str) -> pd.Series:
        """``what`` (clean / value / problem) for each raw text (None: missing)."""
        known = self.frame[self.frame["raw"].notna()]
        missing = self.frame.loc[self.frame["raw"].isna(), what]
        cached = self._codes.get(id(raws))
        if cached is None or cached[0] is not raws:      # the same column is looked up several times
            cached = (raws, *pd.factorize(raws, use_na_sentinel=True))
            self._codes[id(raws)] = cached
        _, codes, uniques = cached
        column = pd.Series(known[what].to_numpy(dtype=object), index=pd.Index(known["raw"].to_numpy(dtype=object)))
        values = column.reindex(pd.Index(np.asarray(uniques, dtype=object))).to_numpy(dtype=object)
        values = np.append(values, missing.iat[0] if len(missing) else None)
        values[pd.isna(values)] = None
        return pd.Series(values[codes], index=raws.index, dtype=object)


def value_map(column, raws: pd.Series, context, known_schools: frozenset | None = None) -> ValueMap:
    from analytics.importer.core import _parse

    raws = pd.Series(pd.unique(raws.astype(object).where(raws.notna(), None)), dtype=object)
    text = parsing.clean(raws)
    values, bad, expected = _parse(column, text, context)
    problem = pd.Series(None, index=raws.index, dtype=object)
    problem[bad.fillna(False).astype(bool).to_numpy()] = "bad_value"
    if column.required:
        problem[text.isna().to_numpy() & problem.isna().to_numpy()] = "required_empty"
    if column.min is not None or column.max is not None:
        numbers = pd.to_numeric(pd.Series(values, index=raws.index), errors="coerce")
        low = numbers < column.min if column.min is not None else False
        high = numbers > column.max if column.max is not None else False
        out = (pd.Series(low, index=raws.index) | pd.Series(high, index=raws.index)).fillna(False).astype(bool)
        problem[out.to_numpy() & problem.isna().to_numpy()] = "out_of_range"
    if known_schools is not None:
        unknown = np.array([v is not None and v is not pd.NA and v == v and v not in known_schools
                            for v in values.astype(object).tolist()], dtype=bool)
        problem[unknown & problem.isna().to_numpy()] = "unknown_school"
    frame = pd.DataFrame({"raw": raws, "clean": text.astype(object).where(text.notna(), None),
                          "value": pd.Series(values, index=raws.index).astype(object), "problem": problem})
    frame["value"] = frame["value"].where(pd.Series(values, index=raws.index).notna(), None)
    if not column.required:       # an empty optional value is not "bad"; marks / scores: see the rules
        frame.loc[frame["clean"].isna() & frame["problem"].isna(), "problem"] = "empty"
    return ValueMap(frame, expected)


# -- the whole fast path ---------------------------------------------------------------------------
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
        from analytics.importer.reading import _UTF8_CYRILLIC
        if len(_UTF8_CYRILLIC.findall(head)) >= 10:      # UTF-8 text, then other bytes: mixed encodings,
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
    from analytics.importer.core import TABLE_COLUMNS, _slices

    prepared.file_format, prepared.encoding, prepared.separator = "csv", found.encoding, found.separator
    prepared.header = found.header
    issues = prepared.issues
    cols = Columns(found, prepared.options)
    context = lookups.Lookups(store)
    minimums = sorted({int(v) for v in context.min_scores().values()})
    with utf8_file(path, found.codec) as csv_path:
        try:
            frame, repeated = _run_or_classify(run_pass, store, cols, csv_path, minimums)
        except _NotUtf8:
            if found.codec != "utf-8":
                raise FileProblem("bad_encoding") from None
            raise
        work = _Work(store, prepared, spec, cols, context, csv_path, frame, repeated, minimums)
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
        from analytics.importer.core import impossible_years
        late, early, current = impossible_years(frame)
        if late.any() or early.any():       # no row numbers here: the years as written, file-level
            for year in sorted(set(frame.loc[late, "year"])):
                prepared.issues.add_file("year_future_file", value=int(year), current=current)
            for year, procedure in sorted(set(zip(frame.loc[early, "year"], frame.loc[early, "procedure"]))):
                prepared.issues.add_file("year_before_procedure_file", value=int(year), procedure=procedure,
                                         first=first_year()[procedure])
            return
    prepared.frame = frame.reindex(columns=TABLE_COLUMNS[spec.table]).reset_index(drop=True)
    prepared.slices = _slices(store, spec, prepared.frame)


@dataclass
class Rule:
    name: str            # canonical column
    code: str            # problem code
    condition: str       # SQL over the second pass's row (r.*, maps)
    payload: str         # SQL of the value shown (raw text)


class _Work:
    """The state of one fast-path preparation: groups, value maps, rules, the report."""

    def __init__(self, store, prepared, spec, cols, context, csv_path, frame, repeated, minimums):
        self.store, self.prepared, self.spec, self.cols, self.context = store, prepared, spec, cols, context
        self.csv_path, self.frame, self.repeated, self.minimums = csv_path, frame, repeated, minimums
        self.maps: dict[str, ValueMap] = {}
        self.header = prepared.header

    # rows kept: not blank, not «Итого» ------------------------------------------------------------
    def count_rows(self) -> None:
        frame = self.frame
        self.records = int(frame["n"].sum())
        blank = frame["b"].astype(bool)
        for name in KEYS:
            if name in self.cols.present:
                blank &= frame[f"k_{name}"].isna()
        total = frame["t"].astype(bool)
        for name in self.cols.key_totals:
            total |= is_total_text(frame[f"k_{name}"])
        self.prepared.skipped_totals = int(frame.loc[total & ~blank, "n"].sum())
        self.kept = frame.loc[~blank & ~total].reset_index(drop=True)
        self.key_total_raws = {name: sorted(set(frame.loc[is_total_text(frame[f"k_{name}"]), f"k_{name}"]))
                               for name in self.cols.key_totals}
        self.prepared.source_rows = int(self.kept["n"].sum())
        if self.prepared.source_rows == 0:
            raise FileProblem("no_rows")

    # file-level checks of core._build ----------------------------------------------------------------
    def file_columns(self) -> bool:
        issues, spec, prepared = self.prepared.issues, self.spec, self.prepared
        for name, titles in self.header.duplicates:
            issues.add_file("duplicate_column", column=" / ".join(titles))
        for name in spec.defaults:
            if name not in self.cols.present and name in prepared.options:
                prepared.filled_from_options.append(name)
        available = set(self.cols.present) | set(prepared.filled_from_options)
        missing = [c for c in spec.columns if c.required and c.name not in available]
        from analytics.importer.core import add_missing
        add_missing(issues, spec, missing)
        return not (missing or issues)

    def title(self, name: str) -> str:
        return self.header.titles.get(name, self.spec.column(name).title)

    # parsing the raw texts of the groups ---------------------------------------------------------------
    def parse(self) -> None:
        kept, spec = self.kept, self.spec
        self.raw = {name: kept[f"k_{name}"] for name in KEYS}      # one Series each (lookups cache codes)
        for name in KEYS:
            self.maps[name] = value_map(spec.column(name), kept[f"k_{name}"], self.context,
                                        self.context.school_ids() if name == "school_id" else None)
        for name, odd in (("mark", "om"), ("journal_mark", "oj"), ("score", "os")):
            if odd in kept:
                self.maps[name] = value_map(spec.column(name), kept[odd].dropna(), self.context)
        # Per group only where needed (empty marks / scores per procedure); the other problems are
        # looked up in the maps, which hold exactly the texts of the groups kept.
        self.problems = {}
        for name, odd in (("mark", "om"), ("score", "os")):
            if name in self.maps:
                self.problems[name] = self.maps[name].lookup(kept[odd], "problem").where(kept[odd].notna(), None)
        self.procedure = self.maps["procedure"].lookup(self.raw["procedure"], "value")

    def cell_problems(self) -> bool:
        """Bad values, empty required cells, values out of range (core._build before the kind rules)."""
        cell = ["bad_value", "required_empty", "out_of_range"]
        if any(m.frame["problem"].isin(cell).any() for m in self.maps.values()):
            return True
        return "s_min" in self.kept and bool(((self.kept["s_min"] < 0) | (self.kept["s_max"] > 100)).any())

    def value_columns(self) -> bool:
        """core._student_rules: a mark column when there are ВПР/ОГЭ rows, a score column for ЕГЭ."""
        issues, spec = self.prepared.issues, self.spec
        if self.procedure.isin(MARKED).any() and "mark" not in self.cols.present:
            issues.add_file("missing_column", column=spec.column("mark").title,
                            synonyms=", ".join(spec.column("mark").synonyms[:3]))
        if self.procedure.eq("EGE").any() and "score" not in self.cols.present:
            issues.add_file("missing_column", column=spec.column("score").title,
                            synonyms=", ".join(spec.column("score").synonyms[:3]))
        return not issues

    def _empty(self, name: str, odd: str, count: str) -> pd.Series:
        """Rows of each group whose ``name`` is missing (NULL, or only spaces)."""
        kept = self.kept
        plain_missing = kept["n"] - kept[count]
        odd_missing = kept["n"].where(self.problems[name].eq("empty"), 0)
        return plain_missing.where(kept[odd].isna(), odd_missing)

    def any_row_problem(self) -> bool:
        marked = self.procedure.isin(MARKED)
        if "mark" in self.cols.present and (marked & self._empty("mark", "om", "n_m").gt(0)).any():
            return True
        if "score" in self.cols.present and (self.procedure.eq("EGE") & self._empty("score", "os", "s_n").gt(0)).any():
            return True
        return bool(self.maps["school_id"].frame["problem"].eq("unknown_school").any())

    # rules for the second pass -----------------------------------------------------------------------
    def _key_join(self, name: str) -> str:
        return f'LEFT JOIN "{self._view(name)}" mp_{name} ON {self._expr(name)} IS NOT DISTINCT FROM mp_{name}.raw'

    def _expr(self, name: str) -> str:
        expr = self.cols.keys.get(name) or self.cols.present[name]
        return expr if expr.startswith("CAST(") else f"r.{expr}"

    def _view(self, name: str) -> str:
        return f"_import_map_{name}_{threading.get_ident()}"

    def cell_rules(self) -> list[Rule]:
        """core._build: per column (spec order) bad values then empty required cells; then ranges."""
        rules = []
        for column in self.spec.columns:
            name = column.name
            if name not in self.maps:
                continue
            source = self._expr(name) if name in KEYS else f"r.{self.cols.present[name]}"
            rules.append(Rule(name, "bad_value", f"mp_{name}.problem = 'bad_value'", source))
            if column.required:
                rules.append(Rule(name, "required_empty", f"mp_{name}.problem = 'required_empty'", source))
        for column in self.spec.columns:
            name = column.name
            if name not in self.maps or (column.min is None and column.max is None):
                continue
            source = self._expr(name) if name in KEYS else f"r.{self.cols.present[name]}"
            condition = f"mp_{name}.problem = 'out_of_range'"
            if name == "score":
                condition = f"({condition} OR r.s < {column.min} OR r.s > {column.max})"
            rules.append(Rule(name, "out_of_range", condition, source))
        return rules

    def row_rules(self) -> list[Rule]:
        """core._student_rules: an empty mark (ВПР, ОГЭ) or score (ЕГЭ); an unknown school."""
        rules = []
        if "mark" in self.cols.present:
            rules.append(Rule("mark", "required_empty",
                              f"mp_procedure.value IN ('VPR', 'OGE') AND (r.{self.cols.present['mark']} IS NULL "
                              f"OR mp_mark.problem = 'empty')", f"r.{self.cols.present['mark']}"))
        if "score" in self.cols.present:
            rules.append(Rule("score", "required_empty",
                              f"mp_procedure.value = 'EGE' AND (r.{self.cols.present['score']} IS NULL "
                              f"OR mp_score.problem = 'empty')", f"r.{self.cols.present['score']}"))
        rules.append(Rule("school_id", "unknown_school", "mp_school_id.problem = 'unknown_school'",
                          self._expr("school_id")))
        return rules

    def _register(self, con) -> list[str]:
        views = []
        for name, mapping in self.maps.items():
            frame = mapping.frame.copy()
            frame["value"] = frame["value"].map(lambda v: None if v is None else str(v)).astype(object)
            frame["total"] = False
            totals = self.key_total_raws.get(name, [])
            if totals:       # «Итого» rows are not in the groups kept: join them as such
                frame = pd.concat([frame, pd.DataFrame({"raw": totals, "value": None, "problem": None,
                                                        "total": True})], ignore_index=True)
            con.register(self._view(name), frame[["raw", "value", "problem", "total"]])
            views.append(self._view(name))
        return views

    def _source(self) -> str:
        """The rows of the second pass: every record with its number, the maps joined."""
        cols = self.cols
        extra = [f"{cols.score()} AS s", f"({cols.total_row()}) AS t"]
        if cols.student():
            extra.append(f"{cols.student()} AS sid")
        joins = "\n".join(self._key_join(name) if name in KEYS else
                          f'LEFT JOIN "{self._view(name)}" mp_{name} ON r.{cols.present[name]} = mp_{name}.raw'
                          for name in self.maps)
        keep = ["NOT r.t", f"NOT ({cols.blank_row('r.')})"]
        keep += [f"NOT coalesce(mp_{name}.total, false)" for name in self.cols.key_totals]
        return (f"FROM (SELECT *, {', '.join(extra)} FROM {cols.read()} WITH ORDINALITY) r\n{joins}\n"
                f"WHERE {' AND '.join(keep)}")

    def _second_pass(self, rules: list[Rule]) -> list[tuple[int, list]]:
        aggs = []
        for i, rule in enumerate(rules):
            aggs.append(f"count(*) FILTER (WHERE {rule.condition}) AS n{i}")
            aggs.append(f"min_by({{'rn': r.ordinality, 'v': {rule.payload}}}, r.ordinality, {REPORT_LIMIT}) "
                        f"FILTER (WHERE {rule.condition}) AS f{i}")
        con = _connection(self.store)
        try:
            self._register(con)
            row = con.execute(f"SELECT {', '.join(aggs)}\n{self._source()}", self.cols.params(self.csv_path)
                              ).fetchall()[0]
        finally:
            con.close()
        return [(int(row[2 * i] or 0), list(row[2 * i + 1] or [])) for i in range(len(rules))]

    def duplicates(self) -> tuple[int, list[int]] | None:
        """Rows repeating an earlier participant × year × procedure × subject (core._student_rules),
        checked exactly on the rows whose hash repeats (all rows if a value is written two ways)."""
        if not self.cols.student():
            return None
        cols, kept = self.cols, self.kept
        ambiguous = False          # the subject written two ways: equal keys may hash differently
        for name in ("subject_id",):
            if name in cols.present:
                values = self.maps[name].lookup(self.raw[name], "value")
                pairs = pd.DataFrame({"raw": kept[f"k_{name}"], "value": values}).drop_duplicates()
                ambiguous |= bool(pairs["value"].duplicated().any())
        con = _connection(self.store)
        view = f"_import_repeated_{threading.get_ident()}"
        try:
            self._register(con)
            con.register(view, pd.DataFrame({"h": self.repeated.astype("uint64")}))
            hashed = cols.student_key().replace("NOT t", "NOT r.t").replace("sid", "r.sid")
            for column in cols.present.values():
                hashed = re.sub(rf"\b{column}\b", f"r.{column}", hashed)
            candidates = "" if ambiguous else f"AND {hashed} IN (SELECT h FROM \"{view}\")"
            keys = ", ".join(["r.sid"] + [f"mp_{k}.value" for k in ("year", "procedure", "subject_id")])
            sql = (f"SELECT count(*), min_by(rn, rn, {REPORT_LIMIT}) FROM (\n"
                   f"  SELECT r.ordinality AS rn, row_number() OVER (PARTITION BY {keys} ORDER BY r.ordinality) AS k\n"
                   f"  {self._source()} AND r.sid IS NOT NULL {candidates}\n"
                   f") WHERE k > 1")
            count, first = con.execute(sql, cols.params(self.csv_path)).fetchall()[0]
        finally:
            con.close()
        return (int(count), list(first or [])) if count else None

    # the report ------------------------------------------------------------------------------------
    def report(self, rules: list[Rule], duplicates: tuple[int, list[int]] | None = None) -> None:
        results = self._second_pass(rules) if rules else []
        ordinals = [item["rn"] for _, first in results for item in first] + (duplicates[1] if duplicates else [])
        rows = dict(zip(ordinals, spreadsheet_rows(self.csv_path, self.cols.layout, self.records, ordinals)))
        issues = self.prepared.issues
        for rule, (count, first) in zip(rules, results):
            if not count:
                continue
            numbers = [rows[item["rn"]] for item in first]
            raws = pd.Series([item["v"] for item in first], dtype=object)
            column = self.spec.column(rule.name)
            title = self.title(rule.name)
            if rule.code == "bad_value":
                mapping = self.maps[rule.name]
                values = mapping.lookup(raws, "clean").tolist()
                expected = _expected(column)
                issues.add_first(numbers, title, values, "bad_value", count, expected=expected.split(":")[0],
                                 allowed=self.context.allowed(expected))
            elif rule.code == "required_empty":
                values = None if rule.name in KEYS or column.required else [pd.NA] * len(numbers)
                issues.add_first(numbers, title, values, "required_empty", count)
            elif rule.code == "out_of_range":
                values = _typed(column, raws, self.context)
                issues.add_first(numbers, title, values, "out_of_range", count, rule="", min=column.min,
                                 max=column.max)
            elif rule.code == "unknown_school":
                values = self.maps["school_id"].lookup(raws, "value").tolist()
                issues.add_first(numbers, title, values, "unknown_school", count)
                issues.frames[-1]["params"] = [{"hint": self.context.leading_zero_hint(v)} for v in values]
        if duplicates:
            count, first = duplicates
            issues.add_first([rows[o] for o in first], self.title("student_id"), "•••", "duplicate_student", count)

    # the rows to store -------------------------------------------------------------------------------
    def aggregate(self) -> pd.DataFrame:
        from analytics.importer.core import finish_student_aggregate

        kept, maps = self.kept, self.maps
        out = pd.DataFrame({name: maps[name].lookup(self.raw[name], "value") for name in KEYS})
        out["year"] = out["year"].astype("int64")
        out["grade"] = out["grade"].astype("int64")
        out["participants"] = kept["n"].astype("int64")
        has_mark = "mark" in self.cols.present
        has_journal = "journal_mark" in self.cols.present
        n = kept["n"]
        if has_mark:
            odd_mark = kept["om"].notna()
            mark = pd.to_numeric(maps["mark"].lookup(kept["om"], "value"), errors="coerce")
            for k in (2, 3, 4, 5):
                out[f"n{k}"] = np.where(odd_mark, n.where(mark.eq(k), 0), kept[f"m{k}"]).astype("int64")
        else:
            for k in (2, 3, 4, 5):
                out[f"n{k}"] = 0
        if has_journal:
            odd_journal = kept["oj"].notna()
            journal = pd.to_numeric(maps["journal_mark"].lookup(kept["oj"], "value"), errors="coerce")
            plain = {"n_lower": kept.get("j_lower", 0), "n_confirmed": kept.get("j_equal", 0),
                     "n_higher": kept.get("j_higher", 0)}
            if has_mark:
                histogram = np.stack([kept[f"m{k}"].to_numpy() for k in (2, 3, 4, 5)], axis=1)
                marks = np.array([2, 3, 4, 5])
                both_fixed = odd_mark.to_numpy()
            for name, test in (("n_lower", np.less), ("n_confirmed", np.equal), ("n_higher", np.greater)):
                if not has_mark:
                    out[name] = 0
                    continue
                # a fixed mark and journal mark (odd mark): every row of the group compares the same
                fixed = np.where(test(mark.to_numpy(), journal.to_numpy()), n.to_numpy(), 0)
                # plain marks against one odd journal mark: from the group's counts of marks 2–5
                against = (histogram * test(marks[None, :], journal.to_numpy()[:, None])).sum(axis=1)
                out[name] = np.where(both_fixed, fixed, np.where(odd_journal, against, plain[name])).astype("int64")
            vpr = out["procedure"].eq("VPR")
            for name in ("n_lower", "n_confirmed", "n_higher"):
                out[name] = out[name].where(vpr, 0)
            out["journal_known"] = out["n_lower"] + out["n_confirmed"] + out["n_higher"]
        self._scores(out)
        keys = list(KEYS)
        sums = [c for c in out.columns if c not in keys and not c.startswith("_")]
        if out.duplicated(keys).any():         # texts written differently meaning the same key: add up
            grouped = out.groupby(keys, sort=True)
            result = grouped[[c for c in sums if c not in ("mean_score", "score_sd")]].sum()
            if "_s_n" in out:
                result[["mean_score", "score_sd"]] = _combine_scores(out, keys)
            else:
                result["mean_score"] = np.nan
                result["score_sd"] = np.nan
            result = result.reset_index()
        else:
            result = out.sort_values(keys, kind="stable").reset_index(drop=True)
            if "_s_n" in result:
                count = result["_s_n"].astype(float)
                result["mean_score"] = result["_s_sum"] / count.where(count > 0)
                result["score_sd"] = result["_s_sd"].where(count > 1)
            else:
                result["mean_score"] = np.nan
                result["score_sd"] = np.nan
        ordered = keys + ["participants", "n2", "n3", "n4", "n5", "mean_score", "score_sd", "n_below_min", "n_high"]
        if has_journal:
            ordered += ["n_lower", "n_confirmed", "n_higher", "journal_known"]
        return finish_student_aggregate(result[ordered])

    def _scores(self, out: pd.DataFrame) -> None:
        kept, maps = self.kept, self.maps
        minimum = out["subject_id"].map(self.context.min_scores())
        if "score" not in self.cols.present:
            out["n_below_min"] = 0
            out["n_high"] = 0
            return
        odd = kept["os"].notna()
        value = pd.to_numeric(maps["score"].lookup(kept["os"], "value"), errors="coerce") if "score" in maps \
            else pd.Series(np.nan, index=kept.index)
        n = kept["n"]
        below_plain = pd.Series(0, index=kept.index)
        for q in self.minimums:
            below_plain = below_plain.where(minimum.ne(q), kept[f"s_below_{q}"])
        out["n_below_min"] = np.where(odd, n.where(value < minimum, 0), below_plain).astype("int64")
        out["n_high"] = np.where(odd, n.where(value >= 81, 0), kept["s_high"]).astype("int64")
        has_value = odd & value.notna()
        out["_s_n"] = np.where(odd, n.where(has_value, 0), kept["s_n"]).astype("int64")
        out["_s_sum"] = np.where(odd, (n * value).where(has_value, 0.0), kept["s_sum"].fillna(0.0))
        out["_s_sd"] = np.where(odd, np.where(has_value, 0.0, np.nan), kept["s_sd"])


def _combine_scores(out: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Mean and sample SD of each final group from its raw-text groups (n, sum, SD each); a final
    group of one raw group keeps DuckDB's own SD."""
    n, total, sd = out["_s_n"].astype(float), out["_s_sum"].astype(float), out["_s_sd"].astype(float)
    mean_i = total / n.where(n > 0)
    m2_i = (sd.fillna(0.0) ** 2) * (n - 1).clip(lower=0)
    frame = pd.DataFrame({k: out[k] for k in keys})
    frame["n"], frame["total"], frame["m2"], frame["mean_i"], frame["sd"] = n, total, m2_i, mean_i, sd
    grouped = frame.groupby(keys, sort=True)
    count = grouped["n"].sum()
    mean = grouped["total"].sum() / count.where(count > 0)
    frame["mean"] = grouped["total"].transform("sum") / grouped["n"].transform("sum").where(lambda x: x > 0)
    frame["spread"] = frame["m2"] + frame["n"] * (frame["mean_i"] - frame["mean"]) ** 2
    spread = frame.groupby(keys, sort=True)["spread"].sum(min_count=1)
    parts = grouped.size()
    single_sd = grouped["sd"].first()
    sd_out = np.sqrt(spread / (count - 1).where(count > 1))
    sd_out = sd_out.where(parts > 1, single_sd.where(count > 1))
    return pd.DataFrame({"mean_score": mean, "score_sd": sd_out})


def _expected(column) -> str:
    kind = column.type
    return {"int": "integer", "float": "number", "year": "year", "grade": "grade", "date": "date",
            "subject": "one_of:subject", "factor": "one_of:factor", "municipality": "one_of:municipality",
            "bool": "bool"}.get(kind, f"one_of:{kind.split(':', 1)[1]}" if kind.startswith("enum:") else "")


def _typed(column, raws: pd.Series, context) -> list:
    from analytics.importer.core import _parse

    values = _parse(column, parsing.clean(raws), context)[0]
    return [None if pd.isna(v) else v for v in values.tolist()]


# -- spreadsheet row numbers ------------------------------------------------------------------------
_BLANK_LINE = re.compile(rb"\n(?=\r?\n)")


def spreadsheet_rows(path: Path, found: Layout, records: int, ordinals: list[int]) -> list[int]:
    """Row numbers as Excel shows them, for DuckDB's record numbers after the header. DuckDB skips
    empty lines, the pandas path counts them: add the empty lines before each record."""
    if not ordinals:
        return []
    blank_lines, lines = _blank_lines(path)
    after = blank_lines[blank_lines > found.skip]
    if lines - found.skip - len(after) != records:
        raise Fallback("a line break inside a quoted cell: rows are numbered by the pandas path")
    # Data record i (1-based) is on line skip + i + (empty lines before it).
    shifted = after - found.skip - np.arange(1, len(after) + 1)      # data records before each empty line
    ordinals_arr = np.asarray(ordinals, dtype=np.int64)
    before = np.searchsorted(shifted, ordinals_arr, side="left")
    lines_of = found.skip + ordinals_arr + before
    return (found.header_end + lines_of - found.skip).tolist()


def _blank_lines(path: Path) -> tuple[np.ndarray, int]:
    """Line numbers (1-based) of the empty lines, and the number of lines."""
    found, newlines, last, tail = [], 0, b"", b""
    with open(path, "rb") as handle:
        while True:
            chunk = handle.read(CHUNK_BYTES)
            data = tail + chunk
            limit = len(data) if not chunk else max(0, len(data) - 2)
            position = 0
            for match in _BLANK_LINE.finditer(data, 0, len(data)):
                start = match.start()
                if start >= limit:
                    break
                newlines_here = data.count(b"\n", position, start + 1)
                found.append(newlines + newlines_here + 1)
                newlines += newlines_here
                position = start + 1
            newlines += data.count(b"\n", position, limit)
            if not chunk:
                last = data[-1:] if data else last
                break
            tail = data[limit:]
    lines = newlines + (0 if last in (b"\n", b"") else 1)
    return np.asarray(found, dtype=np.int64), lines
