"""Store a prepared file: delete its slices and insert its rows in one transaction; log every attempt."""
from __future__ import annotations

import datetime as dt
import os
import sys
import threading
from dataclasses import dataclass

import pandas as pd

from analytics import access
from analytics.importer.spec import KindSpec
from analytics.store import Store, insert_df

LOG_INSERT = """
INSERT INTO import_log (started_at, finished_at, user_name, file_name, kind, rows, outcome, message)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
"""
# Tables with a primary key: rows of a replaced slice whose key comes again are updated in place,
# the others deleted, the new keys inserted — the same table as "delete the slices, insert the file",
# without deleting and re-inserting every key of the (large) primary-key index.
IN_PLACE_KEYS = {"results": ("school_id", "year", "procedure", "subject_id", "grade")}
RECENT_LOG = """
SELECT import_id, started_at, finished_at, user_name, file_name, kind, rows, outcome, message
FROM import_log ORDER BY import_id DESC LIMIT $limit
"""


@dataclass
class Outcome:
    outcome: str          # success | rejected | failed
    rows_read: int
    rows_stored: int
    rows_replaced: int
    message: str


def _slice_condition(spec: KindSpec, target: str = "t", source: str = "s") -> str:
    # Column names come from spec.toml (code), never from a file.
    return " AND ".join(f"{target}.{c} IS NOT DISTINCT FROM {source}.{c}" for c in spec.slice)


def existing_rows_per_slice(store: Store, spec: KindSpec, slices: pd.DataFrame) -> pd.DataFrame:
    cur = store.cursor()
    view = f"_slices_{threading.get_ident()}"
    cur.register(view, slices)
    try:
        columns = ", ".join(f"s.{c}" for c in spec.slice)
        sql = (f"SELECT {columns}, count(t.{spec.slice[0]}) AS rows_existing FROM \"{view}\" s "
               f"LEFT JOIN {spec.table} t ON {_slice_condition(spec)} GROUP BY ALL")
        return cur.execute(sql).df()
    finally:
        cur.unregister(view)


def commit(store: Store, prepared, user: str | None, principal: access.Principal | None = None) -> Outcome:
    """All or nothing: the slices of the file are replaced, the data version bumped and the
    import logged in the same transaction. A file with problems is only logged as rejected.
    Only an administrator (or the command line) may import (AccessDenied otherwise)."""
    from analytics.importer.core import prepare_again

    access.require(principal, "import_data", what=prepared.kind)

    started = dt.datetime.now()
    if store.data_version() != prepared.data_version:
        prepared = prepare_again(store, prepared)      # the data changed since the preview: check again
    if not prepared.ok:
        return log_rejected(store, prepared, user, started)
    spec = prepared.spec
    frame = prepared.frame
    try:
        with store.transaction() as cur:
            view = f"_import_slices_{threading.get_ident()}"
            cur.register(view, prepared.slices[list(spec.slice)])
            try:
                if spec.table in IN_PLACE_KEYS:
                    replaced = _replace_in_place(cur, spec, view, frame)
                    stored = len(frame)
                else:
                    replaced = cur.execute(
                        f"SELECT count(*) FROM {spec.table} t WHERE EXISTS "
                        f"(SELECT 1 FROM \"{view}\" s WHERE {_slice_condition(spec)})").fetchall()[0][0]
                    cur.execute(f"DELETE FROM {spec.table} t WHERE EXISTS "
                                f"(SELECT 1 FROM \"{view}\" s WHERE {_slice_condition(spec)})")
            finally:
                cur.unregister(view)
            if spec.table not in IN_PLACE_KEYS:
                if spec.table == "mentor_pairs":
                    frame = frame.assign(source="official", created_by=user, created_at=started)
                stored = insert_df(cur, spec.table, frame)
            message = f"{stored} строк записано, {replaced} заменено"
            cur.execute(LOG_INSERT, [started, dt.datetime.now(), user, prepared.file_name, prepared.kind,
                                     prepared.source_rows, "success", message])
            store.bump_data_version(cur, tables=[spec.table, "import_log"])
            _crash_test_hook()
    except Exception as error:  # a database failure: nothing was stored (rolled back); say so
        message = f"{type(error).__name__}: {error}"[:500]
        _log(store, started, user, prepared, "failed", message)
        return Outcome("failed", prepared.source_rows, 0, 0, message)
    return Outcome("success", prepared.source_rows, stored, replaced, message)


def _replace_in_place(cur, spec: KindSpec, slices_view: str, frame: pd.DataFrame) -> int:
    """Replace the slices of ``spec.table`` by ``frame``; returns the rows that were there before.

    Rows whose key comes again are updated, the rest of the slices deleted, new keys inserted —
    each step only when needed (a re-import updates; a new year inserts). Every statement also
    filters by the range of the file's slice columns, so DuckDB reads only the row groups of the
    years / grades the file has (results are stored by year)."""
    keys = IN_PLACE_KEYS[spec.table]
    ident = threading.get_ident()
    view, rows = f"_import_rows_{ident}", f"_import_new_{ident}"
    columns = list(frame.columns)                 # names from TABLE_COLUMNS (code)
    match = " AND ".join(f't."{k}" = n."{k}"' for k in keys)
    assignments = ", ".join(f'"{c}" = n."{c}"' for c in columns if c not in keys)
    listed = ", ".join(f'"{c}"' for c in columns)
    box = " AND ".join(f't."{c}" BETWEEN ${c}_low AND ${c}_high' for c in spec.slice)
    bounds = {}
    for c in spec.slice:
        values = frame[c].dropna()
        low, high = values.min(), values.max()
        bounds[f"{c}_low"] = low.item() if hasattr(low, "item") else low
        bounds[f"{c}_high"] = high.item() if hasattr(high, "item") else high
    in_slices = f'EXISTS (SELECT 1 FROM "{slices_view}" s WHERE {_slice_condition(spec)})'
    cur.register(view, frame)
    try:
        # A table (not the frame itself): the planner then knows its size and joins the small side.
        cur.execute(f'CREATE OR REPLACE TEMP TABLE "{rows}" AS SELECT * FROM "{view}"')
        existing = cur.execute(f"SELECT count(*) FROM {spec.table} t WHERE {box} AND {in_slices}",
                               bounds).fetchall()[0][0]
        updated = 0
        if existing:
            updated = cur.execute(f'UPDATE {spec.table} t SET {assignments} FROM "{rows}" n WHERE {match} AND {box}',
                                  bounds).fetchall()[0][0]
        if existing > updated:
            cur.execute(f'DELETE FROM {spec.table} t WHERE {box} AND {in_slices} '
                        f'AND NOT EXISTS (SELECT 1 FROM "{rows}" n WHERE {match})', bounds)
        if updated == 0:
            cur.execute(f'INSERT INTO {spec.table} ({listed}) SELECT {listed} FROM "{rows}"')
        elif updated < len(frame):
            cur.execute(f'INSERT INTO {spec.table} ({listed}) SELECT {listed} FROM "{rows}" n '
                        f'WHERE NOT EXISTS (SELECT 1 FROM {spec.table} t WHERE {match} AND {box})', bounds)
        cur.execute(f'DROP TABLE "{rows}"')
    finally:
        cur.unregister(view)
    return int(existing)


def _crash_test_hook() -> None:
    """With SHNOR_IMPORT_HOLD=1 (tests only): say so on stderr and block just before COMMIT, so a
    test can kill the process inside the transaction and check nothing was stored."""
    if os.environ.get("SHNOR_IMPORT_HOLD") == "1":
        print("SHNOR_IMPORT_INSIDE_TRANSACTION", file=sys.stderr, flush=True)
        sys.stdin.readline()       # the test never answers: it kills the process


def log_rejected(store: Store, prepared, user: str | None, started: dt.datetime | None = None) -> Outcome:
    codes = prepared.issues.codes()
    summary = "; ".join(f"{code}×{n}" for code, n in sorted(codes.items(), key=lambda kv: -kv[1]))
    message = f"{prepared.issues.total} ошибок: {summary}"[:500]
    _log(store, started or dt.datetime.now(), user, prepared, "rejected", message)
    return Outcome("rejected", prepared.source_rows, 0, 0, message)


def _log(store: Store, started, user, prepared, outcome: str, message: str) -> None:
    with store.transaction() as cur:
        cur.execute(LOG_INSERT, [started, dt.datetime.now(), user, prepared.file_name, prepared.kind,
                                 prepared.source_rows, outcome, message])


def recent_imports(store: Store, limit: int = 50) -> pd.DataFrame:
    return store.query_df(RECENT_LOG, {"limit": limit})
