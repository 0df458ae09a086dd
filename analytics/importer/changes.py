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

Here: the preview (``plan``, ``Plan``) and its warnings. The diff's SQL is in diff.py, storing and
undoing in revisions.py; their public names are re-exported so ``changes`` stays the one door.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field

import pandas as pd

from analytics.importer.diff import (STATUSES, Territory, carried_columns, plan_sql, table_types,
                                     territory_params)
from analytics.importer.revisions import UndoRefused, apply, undo, undoable
from analytics.importer.spec import normalise, plausibility
from analytics.store import Store

__all__ = ["Plan", "Territory", "UndoRefused", "apply", "carried_columns", "plan", "undo", "undoable"]

SCHOOL_NAMES = """
SELECT s.school_id, s.name, s.short_name, s.municipality_id, m.name AS municipality
FROM schools s LEFT JOIN municipalities m USING (municipality_id)
"""


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
        types = table_types(cur, spec.table)
        sql = plan_sql(spec, types, list(frame.columns), prepared.carried, view, territory, with_json=False)
        rows = cur.execute(sql, territory_params(territory)).df()
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
