"""Store a prepared file: exactly the changes of its units (changes.py) in one transaction; log every attempt."""
from __future__ import annotations

import datetime as dt
import os
import sys
import threading
from dataclasses import dataclass, field

import pandas as pd
from babel import Locale

from analytics import access
from analytics.importer import changes
from analytics.importer.spec import KindSpec
from analytics.store import Store

LOG_INSERT = """
INSERT INTO import_log (started_at, finished_at, user_name, file_name, kind, rows, outcome, message)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
"""
LOG_RETURNING = LOG_INSERT.strip() + " RETURNING import_id"
RECENT_LOG = """
SELECT import_id, started_at, finished_at, user_name, file_name, kind, rows, outcome, message
FROM import_log ORDER BY import_id DESC LIMIT $limit
"""


@dataclass
class Outcome:
    outcome: str          # success | rejected | failed
    rows_read: int
    rows_stored: int      # rows of the file now in the table (new + changed + unchanged)
    rows_replaced: int    # rows of the file's units there before (changed + unchanged + removed)
    message: str
    import_id: int | None = None
    counts: dict = field(default_factory=dict)     # new / changed / unchanged / removed


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


def commit(store: Store, prepared, user: str | None, principal: access.Principal | None = None,
           territory=None) -> Outcome:
    """All or nothing: the file's rows are stored unit by unit (changes.py: rows of units the file does
    not contain stay byte-identical; with ``territory`` the territory's rows of the file's scope that the
    file lacks are removed), the revision saved for undo, the data version bumped and the import logged,
    in one transaction. A file with problems is only logged as rejected.
    Only an administrator (or the command line) may import (AccessDenied otherwise)."""
    from analytics.importer.core import prepare_again

    access.require(principal, "import_data", what=prepared.kind)

    started = dt.datetime.now()
    if store.data_version() != prepared.data_version:
        prepared = prepare_again(store, prepared)      # the data changed since the preview: check again
    if not prepared.ok:
        return log_rejected(store, prepared, user, started)
    try:
        with store.transaction() as cur:
            import_id = cur.execute(LOG_RETURNING, [started, None, user, prepared.file_name, prepared.kind,
                                                    prepared.source_rows, "success", ""]).fetchall()[0][0]
            counts = changes.apply(cur, prepared, territory, import_id, user, started)
            stored = counts["new"] + counts["changed"] + counts["unchanged"]
            replaced = counts["changed"] + counts["unchanged"] + counts["removed"]
            message = (f"новых {counts['new']}, изменено {counts['changed']}, без изменений {counts['unchanged']}, "
                       f"удалено {counts['removed']}" + (f"; файл полный для {territory.text}" if territory else ""))
            cur.execute("UPDATE import_log SET finished_at = $at, message = $message WHERE import_id = $id",
                        {"at": dt.datetime.now(), "message": message, "id": import_id})
            store.bump_data_version(cur, tables=[prepared.spec.table, "import_log", "import_revisions",
                                                 "import_revision_rows"])
            _crash_test_hook()
    except Exception as error:  # a database failure: nothing was stored (rolled back); say so
        message = f"{type(error).__name__}: {error}"[:500]
        _log(store, started, user, prepared, "failed", message)
        return Outcome("failed", prepared.source_rows, 0, 0, message)
    return Outcome("success", prepared.source_rows, stored, replaced, message, import_id, counts)


def _crash_test_hook() -> None:
    """With SHNOR_IMPORT_HOLD=1 (tests only): say so on stderr and block just before COMMIT, so a
    test can kill the process inside the transaction and check nothing was stored."""
    if os.environ.get("SHNOR_IMPORT_HOLD") == "1":
        print("SHNOR_IMPORT_INSIDE_TRANSACTION", file=sys.stderr, flush=True)
        sys.stdin.readline()       # the test never answers: it kills the process


def log_rejected(store: Store, prepared, user: str | None, started: dt.datetime | None = None) -> Outcome:
    codes = prepared.issues.codes()
    summary = "; ".join(f"{code}×{n}" for code, n in sorted(codes.items(), key=lambda kv: -kv[1]))
    message = f"{errors_text(prepared.issues.total)}: {summary}"[:500]
    _log(store, started or dt.datetime.now(), user, prepared, "rejected", message)
    return Outcome("rejected", prepared.source_rows, 0, 0, message)


def errors_text(count: int) -> str:
    """«1 ошибка», «2 ошибки», «5 ошибок» for the import log (CLDR plural rules, via babel)."""
    form = {"one": "ошибка", "few": "ошибки"}.get(Locale.parse("ru").plural_form(count), "ошибок")
    return f"{count} {form}"


def _log(store: Store, started, user, prepared, outcome: str, message: str) -> None:
    with store.transaction() as cur:
        cur.execute(LOG_INSERT, [started, dt.datetime.now(), user, prepared.file_name, prepared.kind,
                                 prepared.source_rows, outcome, message])


def recent_imports(store: Store, limit: int = 50) -> pd.DataFrame:
    return store.query_df(RECENT_LOG, {"limit": limit})
