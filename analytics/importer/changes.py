"""What a prepared file would change, row by row, and storing exactly that (with a revision to undo).

A file replaces, per *unit* it contains (spec.toml ``unit``: for results a school × year × procedure ×
subject × grade, for pairs a mentee school × year …), that unit's stored rows by its own rows. Rows of
units the file does not contain are never read for writing. With a territory chosen («файл полный
для …», ``Territory``), rows of that territory's schools in the file's ``scope`` (e.g. the same year ×
procedure × subject × grade) whose unit is absent from the file are removed as well.

Each stored row is then: new, changed, unchanged or removed (by ``row_key``). ``plan`` computes this
for the preview; ``apply`` computes it again inside the import transaction with the same SQL, so the
preview's counts are what the commit does, and saves every non-unchanged row's key, its row before
and its values after into ``import_revision_rows`` (migration 010); ``undo`` puts the "before" rows
back, refusing when a later import touched the same keys or the rows were changed since.
"""
from __future__ import annotations

import datetime as dt
import json
import threading
from dataclasses import dataclass, field

import pandas as pd

from analytics.importer.spec import KindSpec, kind as kind_spec, normalise, plausibility
from analytics.store import Store

STATUSES = ("new", "changed", "unchanged", "removed")
# Rows the file does not carry but the kind computes anyway (so they are "in the file").
ALWAYS_CARRIED = {"mentor_pairs": ("straight_km",)}
TABLE_TYPES = """
SELECT column_name, data_type FROM information_schema.columns
WHERE table_name = $table AND table_schema = 'main' ORDER BY ordinal_position
"""
TERRITORY_SCHOOLS = {
    "region": ("SELECT s.school_id FROM schools s JOIN municipalities m USING (municipality_id) "
               "WHERE list_contains($territory, m.region_id)"),
    "municipality": "SELECT s.school_id FROM schools s WHERE list_contains($territory, s.municipality_id)",
}
SCHOOL_NAMES = """
SELECT s.school_id, s.name, s.short_name, s.municipality_id, m.name AS municipality
FROM schools s LEFT JOIN municipalities m USING (municipality_id)
"""
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


@dataclass(frozen=True)
class Territory:
    """«Файл полный для»: the region or the municipalities whose rows the file fully lists."""
    level: str                     # region | municipality
    ids: tuple[str, ...]

    @property
    def text(self) -> str:
        return f"{self.level}:{','.join(self.ids)}"

    @classmethod
    def parse(cls, store: Store, text: str | None) -> "Territory | None":
        """"01" (a region or a municipality code), "region:01" or "municipality:01-03,01-04"."""
        if not text:
            return None
        level, _, ids = text.partition(":") if ":" in text else ("", "", text)
        codes = tuple(c.strip() for c in ids.split(",") if c.strip())
        regions = {r for (r,) in store.query_rows("SELECT region_id FROM regions")}
        municipalities = {m for (m,) in store.query_rows("SELECT municipality_id FROM municipalities")}
        if not level:
            level = "region" if all(c in regions for c in codes) else "municipality"
        known = regions if level == "region" else municipalities
        unknown = [c for c in codes if c not in known]
        if level not in TERRITORY_SCHOOLS or not codes or unknown:
            raise ValueError(f"unknown territory {text!r}")
        return cls(level, codes)


@dataclass
class Plan:
    kind: str
    rows: pd.DataFrame                 # row_key columns, _school, _status, b_<column> / a_<column>
    complete: Territory | None = None
    warnings: list[dict] = field(default_factory=list)     # {"code", "school", **params}
    schools: pd.DataFrame | None = None                    # school_id → name, short_name, municipality
    untouched: int = 0                 # schools of the file's municipalities with rows in its scope, not in it

    @property
    def counts(self) -> dict[str, int]:
        found = self.rows["_status"].value_counts()
        return {s: int(found.get(s, 0)) for s in STATUSES}

    @property
    def changes_anything(self) -> bool:
        counts = self.counts
        return bool(counts["new"] or counts["changed"] or counts["removed"])

    def by_school(self) -> pd.DataFrame:
        """One row per school (or territory for targets): rows new / changed / unchanged / removed."""
        table = (self.rows.groupby(["_school", "_status"]).size().unstack(fill_value=0)
                 .reindex(columns=list(STATUSES), fill_value=0).reset_index().rename(columns={"_school": "school"}))
        if self.schools is not None:
            table = table.merge(self.schools, how="left", left_on="school", right_on="school_id")
            table = table.drop(columns="school_id")
        return table.sort_values(["removed", "changed", "school"], ascending=[False, False, True], ignore_index=True)


def _types(cur, table: str) -> list[tuple[str, str]]:
    return cur.execute(TABLE_TYPES, {"table": table}).fetchall()


def carried_columns(spec: KindSpec, header_columns, options_filled=()) -> tuple[str, ...]:
    """The columns whose values a file sets; with ``keep_absent`` the others keep stored values."""
    from analytics.importer.core import TABLE_COLUMNS

    columns = TABLE_COLUMNS[spec.table]
    if not spec.keep_absent:
        return tuple(columns)
    names = {c.name for c in spec.columns}
    given = {spec.column(c).share_of or c if c in names else c for c in header_columns}
    given |= set(options_filled) | set(spec.row_key) | set(spec.unit) | set(spec.keep_absent_when_same)
    given |= set(ALWAYS_CARRIED.get(spec.kind, ()))
    return tuple(c for c in columns if c in given)


def _plan_sql(spec: KindSpec, types: list[tuple[str, str]], columns: list[str], carried, view: str,
              territory: Territory | None, with_json: bool) -> str:
    """The diff of the file (registered as ``view``) against the table. Names come from spec.toml and
    the table's own schema (code), never from a file; values are parameters."""
    typed = dict(types)
    key, unit = list(spec.row_key), list(spec.unit)
    values = [c for c in columns if c not in key]
    casts = ", ".join(f'CAST("{c}" AS {typed[c]}) AS "{c}"' for c in columns)
    unit_match = " AND ".join(f'n."{c}" = t."{c}"' for c in unit)
    wanted = f"EXISTS (SELECT 1 FROM n WHERE {unit_match})"
    if territory is not None and spec.scope:
        scope_match = " AND ".join(f'n."{c}" = t."{c}"' for c in spec.scope)
        wanted = (f"({wanted} OR (t.\"{spec.school}\" IN ({TERRITORY_SCHOOLS[territory.level]}) "
                  f"AND EXISTS (SELECT 1 FROM n WHERE {scope_match})))")
    key_match = " AND ".join(f'n."{c}" = o."{c}"' for c in key)
    first = key[0]
    keep = f'o."{first}" IS NOT NULL'
    if spec.keep_absent_when_same:
        keep += "".join(f' AND n."{c}" IS NOT DISTINCT FROM o."{c}"' for c in spec.keep_absent_when_same)
    after = {c: (f'n."{c}"' if c in carried or c in key else f'CASE WHEN {keep} THEN o."{c}" ELSE n."{c}" END')
             for c in values}
    same = " AND ".join(f'({after[c]}) IS NOT DISTINCT FROM o."{c}"' for c in values) or "TRUE"
    select = [f'coalesce(n."{c}", o."{c}") AS "{c}"' for c in key]
    select.append(f'CAST(coalesce(n."{spec.school}", o."{spec.school}") AS VARCHAR) AS _school')
    select.append(f"CASE WHEN o.\"{first}\" IS NULL THEN 'new' WHEN n.\"{first}\" IS NULL THEN 'removed' "
                  f"WHEN {same} THEN 'unchanged' ELSE 'changed' END AS _status")
    for c in values:
        select.append(f'o."{c}" AS "b_{c}"')
        select.append(f'{after[c]} AS "a_{c}"')
    if with_json:
        key_struct = ", ".join(f"'{c}': coalesce(n.\"{c}\", o.\"{c}\")" for c in key)
        after_struct = ", ".join(f"'{c}': " + (f'n."{c}"' if c in key else after[c]) for c in columns)
        select.append(f"to_json({{{key_struct}}})::VARCHAR AS _key")
        select.append(f"CASE WHEN o.\"{first}\" IS NULL THEN NULL ELSE to_json(o)::VARCHAR END AS _before")
        select.append(f"CASE WHEN n.\"{first}\" IS NULL THEN NULL ELSE to_json({{{after_struct}}})::VARCHAR END "
                      "AS _after")
    return (f'WITH n AS (SELECT {casts} FROM "{view}"),\n'
            f"o AS (SELECT t.* FROM {spec.table} t WHERE {wanted})\n"
            f"SELECT {', '.join(select)}\nFROM n FULL OUTER JOIN o ON {key_match}")


def _params(territory: Territory | None) -> dict:
    return {"territory": list(territory.ids)} if territory is not None else {}


def plan(store: Store, prepared, territory: Territory | None = None) -> Plan:
    """What committing ``prepared`` would do (nothing is written)."""
    spec = prepared.spec
    if territory is not None and not spec.scope:
        raise ValueError(f"a {spec.kind} file cannot be imported as complete for a territory")
    cur = store.cursor()
    view = f"_plan_file_{threading.get_ident()}"
    frame = prepared.frame
    cur.register(view, frame)
    try:
        types = _types(cur, spec.table)
        sql = _plan_sql(spec, types, list(frame.columns), prepared.carried, view, territory, with_json=False)
        rows = cur.execute(sql, _params(territory)).df()
    finally:
        cur.unregister(view)
    result = Plan(prepared.kind, rows, territory)
    _describe(store, prepared, result)
    return result


def _describe(store: Store, prepared, result: Plan) -> None:
    """School names, the non-blocking warnings and the count of untouched schools."""
    spec = prepared.spec
    names = store.query_df(SCHOOL_NAMES)
    if spec.school != "scope_id":
        result.schools = names[["school_id", "short_name", "municipality"]]
    rows = result.rows
    warnings = result.warnings
    # A school that had rows here and would lose them.
    removed = rows[rows["_status"] == "removed"].groupby("_school").size()
    for school, count in removed.items():
        warnings.append({"code": "loses_rows", "school": school, "count": int(count)})
    # The name written in the file differs from the registry's.
    labels = getattr(prepared, "labels", None)
    if labels is not None and len(labels):
        registry = names.set_index("school_id")
        for school, written in labels.itertuples(index=False):
            if school not in registry.index or not written:
                continue
            known = registry.loc[school]
            if not _same_name(written, (known["name"], known["short_name"])):
                warnings.append({"code": "name_differs", "school": school, "written": written,
                                 "registry": known["short_name"]})
    if spec.table == "results":
        warnings.extend(_jumps(store, rows))
    if spec.scope and result.complete is None and len(rows):
        result.untouched = _untouched(store, prepared)


def _squeeze(text: str) -> str:
    return "".join(ch for ch in normalise(text) if ch.isalnum())


def _same_name(written: str, known: tuple[str, str]) -> bool:
    mine = _squeeze(written)
    for name in known:
        theirs = _squeeze(name or "")
        if mine and theirs and (mine == theirs or mine in theirs or theirs in mine):
            return True
    return False


def _jumps(store: Store, rows: pd.DataFrame) -> list[dict]:
    """Participants or share of «2» that jump implausibly against the same row a year earlier."""
    limits = plausibility()
    changing = rows.loc[rows["_status"].isin(["new", "changed"]),
                        ["school_id", "year", "procedure", "subject_id", "grade", "a_participants", "a_n2"]]
    if changing.empty:
        return []
    cur = store.cursor()
    view = f"_plan_jumps_{threading.get_ident()}"
    cur.register(view, changing)
    try:
        previous = cur.execute(
            f'SELECT v.school_id, v.year, v.procedure, v.subject_id, v.grade, v.a_participants, v.a_n2, '
            f'r.participants AS p_participants, r.n2 AS p_n2 FROM "{view}" v JOIN results r '
            f"ON r.school_id = v.school_id AND r.year = v.year - 1 AND r.procedure = v.procedure "
            f"AND r.subject_id = v.subject_id AND r.grade = v.grade").df()
    finally:
        cur.unregister(view)
    found = []
    for row in previous.itertuples(index=False):
        now, before = float(row.a_participants), float(row.p_participants)
        base = {"school": row.school_id, "year": int(row.year), "procedure": row.procedure,
                "subject_id": row.subject_id, "grade": int(row.grade)}
        ratio = limits["participants_ratio"]
        if (abs(now - before) >= limits["participants_min_change"]
                and (now >= before * ratio or now * ratio <= before)):
            found.append({"code": "participants_jump", **base, "before": int(before), "after": int(now)})
        minimum = limits["share2_min_participants"]
        if (row.procedure != "EGE" and now >= minimum and before >= minimum and pd.notna(row.a_n2)
                and pd.notna(row.p_n2)):
            share_now, share_before = row.a_n2 / now, row.p_n2 / before
            if abs(share_now - share_before) >= limits["share2_jump"]:
                found.append({"code": "share2_jump", **base, "before": share_before, "after": share_now})
    return found


def _untouched(store: Store, prepared) -> int:
    """Schools of the file's municipalities with rows in the file's scope that the file does not contain."""
    spec = prepared.spec
    frame = prepared.frame
    cur = store.cursor()
    view = f"_plan_scope_{threading.get_ident()}"
    cur.register(view, frame[list(dict.fromkeys([*spec.scope, spec.school]))].drop_duplicates())
    try:
        scope_match = " AND ".join(f't."{c}" = f."{c}"' for c in spec.scope)
        sql = (f'SELECT count(DISTINCT t."{spec.school}") FROM {spec.table} t '
               f'JOIN schools s ON s.school_id = t."{spec.school}" '
               f'WHERE s.municipality_id IN (SELECT s2.municipality_id FROM "{view}" f2 '
               f'JOIN schools s2 ON s2.school_id = f2."{spec.school}") '
               f'AND EXISTS (SELECT 1 FROM "{view}" f WHERE {scope_match}) '
               f'AND t."{spec.school}" NOT IN (SELECT "{spec.school}" FROM "{view}")')
        return int(cur.execute(sql).fetchall()[0][0])
    finally:
        cur.unregister(view)


# -- storing ---------------------------------------------------------------------------------------
def apply(cur, prepared, territory: Territory | None, import_id: int, user: str | None,
          started: dt.datetime) -> dict[str, int]:
    """Inside the caller's transaction: store the file's changes and their revision; the counts."""
    spec = prepared.spec
    frame = prepared.frame
    ident = threading.get_ident()
    view, planned = f"_apply_file_{ident}", f"_apply_plan_{ident}"
    types = _types(cur, spec.table)
    columns = list(frame.columns)
    key = list(spec.row_key)
    values = [c for c in columns if c not in key]
    cur.register(view, frame)
    try:
        sql = _plan_sql(spec, types, columns, prepared.carried, view, territory, with_json=True)
        cur.execute(f'CREATE OR REPLACE TEMP TABLE "{planned}" AS {sql}', _params(territory))
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


# -- undo ------------------------------------------------------------------------------------------
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
    from analytics import access
    from analytics.importer.loading import LOG_RETURNING

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
        types = _types(cur, table)
        typed = dict(types)
        key = list(spec.row_key)
        from analytics.importer.core import TABLE_COLUMNS
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
