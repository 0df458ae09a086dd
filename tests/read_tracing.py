"""Which tables a computation reads: a store that logs its queries, and DuckDB's own plan.

Every statement a computation runs (through ``Store.query_*`` or ``Store.cursor()``) is
explained with the optimizer off, and the plan's table scans name the tables. A statement
DuckDB cannot explain on another cursor (one reading a frame its caller registered) falls
back to the known table names in its text.
"""
from __future__ import annotations

import collections
import contextlib
import importlib
import json
import re
from typing import Iterator

from analytics.store import Store

_TABLE = re.compile(r'"Table":\s*"(?:[^".]+\.)*([A-Za-z0-9_]+)"')
_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|CREATE|DROP|BEGIN|COMMIT|ROLLBACK|CHECKPOINT|SET|PRAGMA)\b",
                    re.IGNORECASE)


def _plan_tables(plan) -> set[str]:
    return set(_TABLE.findall(json.dumps(plan)))


def tables_of(store: Store, sql: str, params=None) -> set[str]:
    """The stored tables ``sql`` reads."""
    if _WRITE.match(sql):
        return set()
    cursor = store._connection.cursor()
    try:
        cursor.execute("PRAGMA disable_optimizer")
        rows = cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params if params else None).fetchall()
        return _plan_tables(json.loads(rows[0][1]))
    except Exception:         # noqa: BLE001 — e.g. a frame registered on the caller's cursor
        known = {name for (name,) in cursor.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'").fetchall()}
        text = re.sub(r"'[^']*'", "''", sql)
        return {name for name in known if re.search(rf"\b{name}\b", text)}
    finally:
        cursor.close()


@contextlib.contextmanager
def reads_of_computations(monkeypatch) -> Iterator[dict[str, set[str]]]:
    """While active, every computation ``ui.cache.compute`` runs (none served from the cache)
    is run on a logging store; yields {function path: tables read}."""
    from ui import cache

    seen: dict[str, set[str]] = collections.defaultdict(set)

    def traced_call(function_path, db_path, versions, args, kwargs):
        module_name, _, name = function_path.rpartition(".")
        function = getattr(importlib.import_module(module_name), name)
        store = cache._store_for(db_path)
        log: list = []
        store.read_log = log
        try:
            return function(store, *args, **dict(kwargs))
        finally:
            store.read_log = None
            for sql, params in log:
                seen[function_path] |= tables_of(store, sql, params)

    monkeypatch.setattr(cache, "_cached_call", traced_call)
    yield seen


def undeclared_reads(store: Store, seen: dict[str, set[str]]) -> dict[str, set[str]]:
    """{function path: tables it read whose group it did not declare}, for declared functions."""
    from analytics.reads import tables_read

    problems = {}
    for function_path, tables in seen.items():
        module_name, _, name = function_path.rpartition(".")
        declared = tables_read(getattr(importlib.import_module(module_name), name))
        if declared is None:
            continue
        allowed = store.groups_of(declared)
        bad = {table for table in tables if store.groups_of([table]) - allowed}
        if bad:
            problems[function_path] = bad
    return problems
