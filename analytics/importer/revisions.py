"""Storing a file's changes with a revision, and undoing them: ``apply`` runs the diff (diff.py)
inside the import transaction and saves every non-unchanged row's key, its row before and its values
after into ``import_revision_rows`` (migration 010); ``undo`` puts the "before" rows back, refusing
when a later import touched the same keys or the rows were changed since.
"""
from __future__ import annotations

import datetime as dt
import json
import threading

import pandas as pd

from analytics import access
from analytics.importer.diff import STATUSES, Territory, plan_sql, table_types, territory_params
from analytics.importer.import_log import LOG_RETURNING
from analytics.importer.spec import kind as kind_spec
from analytics.importer.tables import TABLE_COLUMNS
from analytics.store import Store

REVISION_INSERT = """
INSERT INTO import_revisions (import_id, kind, table_name, complete_for, rows_new, rows_changed, rows_unchanged,
                              rows_removed)
VALUES ($id, $kind, $table, $complete, $new, $changed, $unchanged, $removed)
"""
UNDOABLE = """
SELECT v.import_id, l.started_at, l.user_name, l.file_name, v.kind, v.rows_new, v.rows_changed, v.rows_removed,
       v.complete_for
FROM import_revisions v JOIN import_log l USING (import_id)
WHERE v.undone_at IS NULL
ORDER BY v.import_id DESC LIMIT $limit
"""
LATER_OVERLAP = """
SELECT l.import_id, l.file_name, l.started_at, l.user_name
FROM import_revision_rows r JOIN import_revisions v USING (import_id) JOIN import_log l USING (import_id)
WHERE v.table_name = $table AND v.undone_at IS NULL AND r.import_id > $id
  AND r.key_json IN (SELECT key_json FROM import_revision_rows WHERE import_id = $id AND status <> 'unchanged')
GROUP BY ALL ORDER BY l.import_id LIMIT 1
"""


def apply(cur, prepared, territory: Territory | None, import_id: int, user: str | None,
          started: dt.datetime) -> dict[str, int]:
    """Inside the caller's transaction: store the file's changes and their revision; the counts."""
    spec = prepared.spec
    frame = prepared.frame
    ident = threading.get_ident()
    view, planned = f"_apply_file_{ident}", f"_apply_plan_{ident}"
    types = table_types(cur, spec.table)
    columns = list(frame.columns)
    key = list(spec.row_key)
    values = [c for c in columns if c not in key]
    cur.register(view, frame)
    try:
        sql = plan_sql(spec, types, columns, prepared.carried, view, territory, with_json=True)
        cur.execute(f'CREATE OR REPLACE TEMP TABLE "{planned}" AS {sql}', territory_params(territory))
    finally:
        cur.unregister(view)
    found = dict(cur.execute(f'SELECT _status, count(*) FROM "{planned}" GROUP BY 1').fetchall())
    counts = {s: int(found.get(s, 0)) for s in STATUSES}
    cur.execute(REVISION_INSERT, {"id": import_id, "kind": prepared.kind, "table": spec.table,
                                  "complete": territory.text if territory else None, **counts})
    # Unchanged rows are kept by key only: a later file that repeats them still covers them, so an
    # earlier import's undo is refused rather than silently contradicting that later file.
    cur.execute(f"INSERT INTO import_revision_rows SELECT $id, _status, _school, _key, "
                f"CASE WHEN _status = 'unchanged' THEN NULL ELSE _before END, "
                f"CASE WHEN _status = 'unchanged' THEN NULL ELSE _after END FROM \"{planned}\"", {"id": import_id})
    match = " AND ".join(f't."{c}" = p."{c}"' for c in key)
    if counts["removed"]:
        cur.execute(f"DELETE FROM {spec.table} t WHERE EXISTS (SELECT 1 FROM \"{planned}\" p "
                    f"WHERE p._status = 'removed' AND {match})")
    if counts["changed"] and values:
        assignments = ", ".join(f'"{c}" = p."a_{c}"' for c in values)
        cur.execute(f"UPDATE {spec.table} t SET {assignments} FROM \"{planned}\" p "
                    f"WHERE p._status = 'changed' AND {match}")
    if counts["new"]:
        listed = ", ".join(f'"{c}"' for c in columns)
        chosen = ", ".join(f'p."{c}"' if c in key else f'p."a_{c}"' for c in columns)
        extra_columns, extra_values = "", ""
        if spec.table == "mentor_pairs":
            extra_columns, extra_values = ", source, created_by, created_at", ", 'official', $user, $at"
        cur.execute(f"INSERT INTO {spec.table} ({listed}{extra_columns}) SELECT {chosen}{extra_values} "
                    f"FROM \"{planned}\" p WHERE p._status = 'new'",
                    {"user": user, "at": started} if spec.table == "mentor_pairs" else {})
    cur.execute(f'DROP TABLE "{planned}"')
    return counts


class UndoRefused(Exception):
    """An import cannot be undone; ``code`` and ``params`` word the reason (catalogue data.undo_refused.*)."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


def undoable(store: Store, limit: int = 20) -> pd.DataFrame:
    return store.query_df(UNDOABLE, {"limit": limit})


def undo(store: Store, import_id: int, user: str | None, principal=None) -> dict[str, int]:
    """Restore the rows an import changed, exactly; the counts restored per status."""
    access.require(principal, "import_data", what="undo")
    started = dt.datetime.now()
    with store.transaction() as cur:
        found = cur.execute("SELECT v.kind, v.table_name, v.undone_at, l.file_name FROM import_revisions v "
                            "JOIN import_log l USING (import_id) WHERE v.import_id = $id", {"id": import_id}).fetchall()
        if not found:
            raise UndoRefused("unknown", id=import_id)
        kind, table, undone_at, file_name = found[0]
        if undone_at is not None:
            raise UndoRefused("already", id=import_id, at=undone_at)
        later = cur.execute(LATER_OVERLAP, {"table": table, "id": import_id}).fetchall()
        if later:
            other, other_file, other_at, other_user = later[0]
            raise UndoRefused("later_import", id=import_id, other=other, file=other_file or "—",
                              at=other_at, user=other_user or "—")
        spec = kind_spec(kind)
        types = table_types(cur, table)
        typed = dict(types)
        key = list(spec.row_key)
        columns = TABLE_COLUMNS[table]
        key_type = json.dumps({c: typed[c] for c in key})
        row_type = json.dumps({c: typed[c] for c, _ in types})
        revision = (f"(SELECT status, json_transform(key_json, '{_sql_text(key_type)}') AS k, after_json "
                    f"FROM import_revision_rows WHERE import_id = $id)")
        match = " AND ".join(f't."{c}" = r.k."{c}"' for c in key)
        now_json = "to_json({" + ", ".join(f"'{c}': t.\"{c}\"" for c in columns) + "})::VARCHAR"
        drifted = cur.execute(
            f"SELECT count(*) FROM {revision} r LEFT JOIN {table} t ON {match} "
            f"WHERE (r.status IN ('new', 'changed') AND (t.\"{key[0]}\" IS NULL OR {now_json} <> r.after_json)) "
            f"OR (r.status = 'removed' AND t.\"{key[0]}\" IS NOT NULL)", {"id": import_id}).fetchall()[0][0]
        if drifted:
            raise UndoRefused("changed_since", id=import_id, count=int(drifted))
        cur.execute(f"DELETE FROM {table} t WHERE EXISTS (SELECT 1 FROM {revision} r "
                    f"WHERE r.status IN ('new', 'changed') AND {match})", {"id": import_id})
        listed = ", ".join(f'"{c}"' for c, _ in types)
        picked = ", ".join(f'b.row."{c}"' for c, _ in types)
        cur.execute(f"INSERT INTO {table} ({listed}) SELECT {picked} FROM (SELECT json_transform(before_json, "
                    f"'{_sql_text(row_type)}') AS row FROM import_revision_rows WHERE import_id = $id "
                    f"AND status IN ('changed', 'removed')) b", {"id": import_id})
        counts = dict(cur.execute("SELECT status, count(*) FROM import_revision_rows WHERE import_id = $id "
                                  "AND status <> 'unchanged' GROUP BY 1", {"id": import_id}).fetchall())
        log_id = cur.execute(LOG_RETURNING, [started, dt.datetime.now(), user, file_name, kind,
                                             sum(counts.values()), "undone",
                                             f"отмена загрузки № {import_id}"]).fetchall()[0][0]
        cur.execute("UPDATE import_revisions SET undone_at = $at, undone_by = $user, undo_log_id = $log "
                    "WHERE import_id = $id", {"at": started, "user": user, "log": log_id, "id": import_id})
        store.bump_data_version(cur)
    return {s: int(counts.get(s, 0)) for s in ("new", "changed", "removed")}


def _sql_text(text: str) -> str:
    """A code-built JSON type description inside an SQL string literal."""
    return text.replace("'", "''")
