"""Store a prepared file: delete its slices and insert its rows in one transaction; log every attempt."""
from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass

import pandas as pd

from analytics.importer.spec import KindSpec
from analytics.store import Store, insert_df

LOG_INSERT = """
INSERT INTO import_log (started_at, finished_at, user_name, file_name, kind, rows, outcome, message)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
"""
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


def commit(store: Store, prepared, user: str | None) -> Outcome:
    """All or nothing: the slices of the file are replaced, the data version bumped and the
    import logged in the same transaction. A file with problems is only logged as rejected."""
    from analytics.importer.core import prepare_again

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
                replaced = cur.execute(
                    f"SELECT count(*) FROM {spec.table} t WHERE EXISTS "
                    f"(SELECT 1 FROM \"{view}\" s WHERE {_slice_condition(spec)})").fetchall()[0][0]
                cur.execute(f"DELETE FROM {spec.table} t WHERE EXISTS "
                            f"(SELECT 1 FROM \"{view}\" s WHERE {_slice_condition(spec)})")
            finally:
                cur.unregister(view)
            if spec.table == "mentor_pairs":
                frame = frame.assign(source="official", created_by=user, created_at=started)
            stored = insert_df(cur, spec.table, frame)
            message = f"{stored} строк записано, {replaced} заменено"
            cur.execute(LOG_INSERT, [started, dt.datetime.now(), user, prepared.file_name, prepared.kind,
                                     prepared.source_rows, "success", message])
            store.bump_data_version(cur)
    except Exception as error:  # a database failure: nothing was stored (rolled back); say so
        message = f"{type(error).__name__}: {error}"[:500]
        _log(store, started, user, prepared, "failed", message)
        return Outcome("failed", prepared.source_rows, 0, 0, message)
    return Outcome("success", prepared.source_rows, stored, replaced, message)


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
