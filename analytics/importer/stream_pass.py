"""The one DuckDB pass over a CSV file: every column read as text, rows grouped by the raw text of
the key columns (school, year, procedure, subject, grade) with counts of marks 2–5, mark vs journal
mark and ЕГЭ score statistics per group, participant codes hashed to find repeats (streaming.py
tells the whole story). Column names in the SQL come from code (c0, c1, …), values are parameters.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analytics.importer.stream_layout import Layout

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


# -- the pass -----------------------------------------------------------------------------------------
def connection(store) -> duckdb.DuckDBPyConnection:
    return store.cursor().cursor()       # own cursor (the store's settings: threads, memory limit)


def run_pass(store, cols: Columns, path: Path, min_scores: list[int]) -> tuple[pd.DataFrame, np.ndarray]:
    con = connection(store)
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
