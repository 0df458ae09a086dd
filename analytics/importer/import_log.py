"""The import log: every attempt (stored, rejected, failed, undone) with who, which file and what it did."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
from babel import Locale

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


def log_rejected(store: Store, prepared, user: str | None, started: dt.datetime | None = None) -> Outcome:
    codes = prepared.issues.codes()
    summary = "; ".join(f"{code}×{n}" for code, n in sorted(codes.items(), key=lambda kv: -kv[1]))
    message = f"{errors_text(prepared.issues.total)}: {summary}"[:500]
    write_log(store, started or dt.datetime.now(), user, prepared, "rejected", message)
    return Outcome("rejected", prepared.source_rows, 0, 0, message)


def errors_text(count: int) -> str:
    """«1 ошибка», «2 ошибки», «5 ошибок» for the import log (CLDR plural rules, via babel)."""
    form = {"one": "ошибка", "few": "ошибки"}.get(Locale.parse("ru").plural_form(count), "ошибок")
    return f"{count} {form}"


def write_log(store: Store, started, user, prepared, outcome: str, message: str) -> None:
    with store.transaction() as cur:
        cur.execute(LOG_INSERT, [started, dt.datetime.now(), user, prepared.file_name, prepared.kind,
                                 prepared.source_rows, outcome, message])


def recent_imports(store: Store, limit: int = 50) -> pd.DataFrame:
    return store.query_df(RECENT_LOG, {"limit": limit})
