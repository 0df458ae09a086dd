"""Roadmap execution: unit states at a date, completion, checkpoints, breakdowns, burn-up.

Unit of counting: one execution unit = measure × covered school (or none) × due date —
the rows of ``measure_status``. A measure that covers five schools and is due quarterly
is twenty units. The stored status is what people report (не начато, в работе,
выполнено + completion date, не применимо); the state at a date is derived:

* «не применимо» — left out of every numerator and denominator;
* «выполнено» — reported done and completed on or before its due date;
* «выполнено с опозданием» — reported done, completed after its due date;
* «просрочено» — the due date has passed (due < as-of date) and it was not done by then;
* otherwise «в работе» or «не начато» as reported.

A unit reported done with a completion date after the as-of date counts as not yet done
at that date, so completion can be computed at any past date. Completion shares:

* share of plan = units done by the date / all applicable units of the plan (the plan is
  the units due in the selected calendar year) — what checkpoints are compared with;
* share of due = units due by the date that are done / units due by the date.

Two bases for these shares (``basis``), both in the figure registry (analytics/figures.py):

* ``units`` — every execution unit weighs the same (the shares above);
* ``measures`` — a measure's share is the share of its own units; the scope's share is the
  mean over its measures (a weekly meeting with 40 units weighs as much as one report).

Counts (planned, done, overdue, ...) are always counts of units.
"""
from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import numpy as np
import pandas as pd

from analytics.store import Store
from analytics.reads import reads
from analytics.query import MunicipalityId, RegionId, RoadmapId, SchoolId
from analytics.shared_results import shared

BASES = ("measures", "units")
STATES = ("done", "done_late", "in_progress", "not_started", "overdue", "not_applicable")
# Targets used when the checkpoints table has nothing for the year: 30 June ≥ 35 %, 30 November ≥ 85 %.
DEFAULT_CHECKPOINTS = ((6, 30, 0.35), (11, 30, 0.85))


class RoadmapFilter(NamedTuple):
    """Which execution units to look at. ``None`` means "all"."""
    region_id: RegionId
    municipality_id: MunicipalityId | None = None
    year: int | None = None          # units due in this calendar year
    subject_id: str | None = None    # measures linked to this subject
    level: str | None = None         # region | municipality | school
    roadmap_id: RoadmapId | None = None
    school_id: SchoolId | None = None
    section: str | None = None
    executor: str | None = None


# RoadmapFilter's fields other than region and municipality: one text for the unit list and the counts.
UNIT_CONDITIONS = """
  AND ($year IS NULL OR year(coalesce(u.due_date, r.period_end)) = $year)
  AND ($subject_id IS NULL OR list_contains(me.subjects, $subject_id))
  AND ($level IS NULL OR r.level = $level)
  AND ($roadmap_id IS NULL OR r.roadmap_id = $roadmap_id)
  AND ($school_id IS NULL OR u.school_id = $school_id)
  AND ($section IS NULL OR me.section = $section)
  AND ($executor IS NULL OR list_contains(me.executors, $executor))
"""

# A unit belongs to its school's municipality, else to its roadmap's (region-level units
# without a school belong to no municipality). A unit without a due date is due at the
# end of its roadmap's period.
UNIT_BASE = f"""
SELECT u.unit_id, u.measure_id, u.school_id,
       coalesce(u.due_date, r.period_end)                   AS due_date,
       u.status, u.completed_on, u.comment, u.evidence_url, u.version, u.updated_by, u.updated_at,
       CASE WHEN u.status = 'done'
            THEN coalesce(u.completed_on, CAST(u.updated_at AS DATE), u.due_date, r.period_end) END AS done_on,
       me.number, me.section, me.title, me.executors, me.risk_factors, me.subjects,
       me.schedule_kind, me.deadline_text, me.indicator, me.start_date,
       r.roadmap_id, r.level, r.title AS roadmap_title, r.period_start, r.period_end,
       coalesce(s.municipality_id, r.municipality_id)       AS municipality_id,
       s.short_name                                         AS school_name
FROM measure_status u
JOIN measures me USING (measure_id)
JOIN roadmaps r USING (roadmap_id)
LEFT JOIN schools s ON s.school_id = u.school_id
WHERE ($region_id IS NULL OR r.region_id = $region_id)
  AND ($municipality_id IS NULL OR coalesce(s.municipality_id, r.municipality_id) = $municipality_id)
{UNIT_CONDITIONS}"""

UNITS_AT = f"""
WITH units AS ({UNIT_BASE})
SELECT units.*,
       CASE WHEN status = 'not_applicable'                       THEN 'not_applicable'
            WHEN done_on <= $as_of AND done_on <= due_date       THEN 'done'
            WHEN done_on <= $as_of                               THEN 'done_late'
            WHEN due_date < $as_of                               THEN 'overdue'
            WHEN status IN ('in_progress', 'done')               THEN 'in_progress'
            ELSE 'not_started' END                               AS state,
       CASE WHEN status <> 'not_applicable' AND due_date < $as_of AND NOT coalesce(done_on <= $as_of, FALSE)
            THEN date_diff('day', due_date, $as_of) END          AS days_overdue
FROM units
ORDER BY roadmap_id, measure_id, school_id NULLS FIRST, due_date
"""

# The same states as UNITS_AT, counted in DuckDB (what summarise() counts in pandas). Only the
# columns the states need; the schools join (a unit's municipality) only when filtering by one.
# States are numbered (0 не применимо, 1 выполнено, 2 с опозданием, 3 просрочено, 4 в работе,
# 5 не начато) and counted per state × due-by-the-date first: a dozen groups instead of
# eleven filtered counts over every unit.
_COUNTS_AT = """
WITH units AS (
    SELECT u.measure_id,
           coalesce(u.due_date, r.period_end)                   AS due_date,
           u.status,
           CASE WHEN u.status = 'done'
                THEN coalesce(u.completed_on, CAST(u.updated_at AS DATE), u.due_date, r.period_end) END AS done_on
    FROM measure_status u
    JOIN measures me USING (measure_id)
    JOIN roadmaps r USING (roadmap_id)
    {school_join}
    WHERE ($region_id IS NULL OR r.region_id = $region_id)
      {municipality_condition}
      {unit_conditions}
),
states AS (
    SELECT measure_id, due_date <= $as_of                           AS is_due,
           CASE WHEN status = 'not_applicable'                       THEN 0
                WHEN done_on <= $as_of AND done_on <= due_date       THEN 1
                WHEN done_on <= $as_of                               THEN 2
                WHEN due_date < $as_of                               THEN 3
                WHEN status IN ('in_progress', 'done')               THEN 4
                ELSE 5 END                                           AS state
    FROM units
),
grouped AS (SELECT measure_id, state, is_due, count(*) AS k FROM states GROUP BY ALL)
SELECT measure_id,
       sum(k)                                             AS units,
       sum(k) FILTER (WHERE state <> 0)                   AS planned,
       sum(k) FILTER (WHERE state <> 0 AND is_due)        AS due,
       sum(k) FILTER (WHERE state IN (1, 2))              AS done,
       sum(k) FILTER (WHERE state = 1)                    AS done_on_time,
       sum(k) FILTER (WHERE state = 2)                    AS done_late,
       sum(k) FILTER (WHERE state IN (1, 2) AND is_due)   AS done_due,
       sum(k) FILTER (WHERE state = 3)                    AS overdue,
       sum(k) FILTER (WHERE state = 4)                    AS in_progress,
       sum(k) FILTER (WHERE state = 5)                    AS not_started,
       sum(k) FILTER (WHERE state = 0)                    AS not_applicable
FROM grouped
GROUP BY measure_id
"""
COUNTS_AT = _COUNTS_AT.format(
    unit_conditions=UNIT_CONDITIONS,
    school_join="LEFT JOIN schools s ON s.school_id = u.school_id",
    municipality_condition="AND ($municipality_id IS NULL OR coalesce(s.municipality_id, r.municipality_id) = $municipality_id)")
COUNTS_AT_ANY_MUNICIPALITY = _COUNTS_AT.format(unit_conditions=UNIT_CONDITIONS, school_join="",
                                               municipality_condition="")


CHECKPOINTS_FOR = """
SELECT roadmap_id, checkpoint_date, target_share, label
FROM checkpoints
WHERE year(checkpoint_date) = $year AND (roadmap_id IS NULL OR roadmap_id = $roadmap_id)
ORDER BY checkpoint_date
"""

NAMES = {
    "municipality": "SELECT municipality_id AS key, name FROM municipalities WHERE region_id = $region_id",
    "school": """SELECT s.school_id AS key, s.short_name AS name FROM schools s
                 JOIN municipalities m USING (municipality_id) WHERE m.region_id = $region_id""",
    "roadmap": "SELECT CAST(roadmap_id AS VARCHAR) AS key, title AS name FROM roadmaps WHERE region_id = $region_id",
    "risk_factor": """SELECT factor_id AS key, name_ru, name_en FROM risk_factors f
                      JOIN risk_catalogues c USING (catalogue_id) WHERE c.is_default""",
    "subject": "SELECT subject_id AS key, name_ru, name_en FROM subjects",
}

ROADMAPS_IN_SCOPE = """
SELECT r.roadmap_id, r.level, r.title, r.municipality_id, r.school_id, r.period_start, r.period_end,
       count(u.unit_id) AS units
FROM roadmaps r
LEFT JOIN measures me USING (roadmap_id)
LEFT JOIN measure_status u USING (measure_id)
WHERE r.region_id = $region_id
  AND ($municipality_id IS NULL OR r.municipality_id = $municipality_id OR r.level = 'region')
  AND ($year IS NULL OR (year(r.period_start) <= $year AND year(r.period_end) >= $year))
GROUP BY r.roadmap_id, r.level, r.title, r.municipality_id, r.school_id, r.period_start, r.period_end
ORDER BY CASE r.level WHEN 'region' THEN 0 WHEN 'municipality' THEN 1 ELSE 2 END, r.title
"""

# Dimensions a completion table can be broken down by; list-valued ones count a unit once
# under each of its values (so their rows add up to more than the total).
DIMENSIONS = {
    "roadmap": "roadmap_id", "level": "level", "municipality": "municipality_id", "school": "school_id",
    "section": "section", "executor": "executors", "risk_factor": "risk_factors", "subject": "subjects",
}
LIST_DIMENSIONS = {"executors", "risk_factors", "subjects"}


# -- units -------------------------------------------------------------------------------------
def units(store: Store, flt: RoadmapFilter, as_of: dt.date) -> pd.DataFrame:
    """Execution units in the filter with their ``state`` and ``days_overdue`` at ``as_of``
    (shared by the page's timeline, completion, workload and overdue lists)."""
    return shared(store, UNITS_READS, ("units", tuple(flt), as_of), lambda: _units(store, flt, as_of))


UNITS_READS = ("measure_status", "measures", "roadmaps", "schools")


def _units(store: Store, flt: RoadmapFilter, as_of: dt.date) -> pd.DataFrame:
    frame = store.query_df(UNITS_AT, {**flt._asdict(), "as_of": as_of})
    for column in ("due_date", "completed_on", "done_on", "period_start", "period_end", "start_date"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    for column in ("executors", "risk_factors", "subjects"):
        frame[column] = frame[column].map(lambda v: list(v) if isinstance(v, (list, np.ndarray)) else [])
    return frame


COUNT_COLUMNS = ("units", "planned", "due", "done", "done_on_time", "done_late", "done_due", "overdue",
                 "in_progress", "not_started", "not_applicable")


def per_measure(frame: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Counts of units by state per measure (the columns COUNT_COLUMNS)."""
    state = frame["state"]
    applicable = state != "not_applicable"
    due = applicable & (frame["due_date"] <= as_of)
    done = state.isin(["done", "done_late"])
    flags = pd.DataFrame({
        "measure_id": frame["measure_id"], "units": 1, "planned": applicable, "due": due, "done": done,
        "done_on_time": state == "done", "done_late": state == "done_late", "done_due": done & due,
        "overdue": state == "overdue", "in_progress": state == "in_progress", "not_started": state == "not_started",
        "not_applicable": ~applicable})
    return flags.groupby("measure_id", as_index=False).sum()


def summarise(frame: pd.DataFrame, as_of: dt.date, basis: str = "units") -> dict:
    """Counts (units) and shares (on ``basis``) of a set of units: the columns of every completion table."""
    return _summary(per_measure(frame, as_of), basis)


def _summary(per_measure: pd.DataFrame, basis: str) -> dict:
    if basis not in BASES:
        raise ValueError(f"unknown completion basis {basis!r}")
    row = {c: int(per_measure[c].sum()) if len(per_measure) else 0 for c in COUNT_COLUMNS}
    row["measures"] = int((per_measure["planned"] > 0).sum()) if len(per_measure) else 0
    return _shares(row) if basis == "units" else _measure_shares(row, per_measure)


def _measure_shares(row: dict, per_measure: pd.DataFrame) -> dict:
    """Shares as the mean over measures of each measure's own share."""
    def mean(numerator: str, denominator: str) -> float:
        part = per_measure[per_measure[denominator] > 0]
        return float((part[numerator] / part[denominator]).mean()) if len(part) else float("nan")
    row["share_of_plan"] = mean("done", "planned")
    row["on_time_share_of_plan"] = mean("done_on_time", "planned")
    row["late_share_of_plan"] = mean("done_late", "planned")
    row["share_of_due"] = mean("done_due", "due")
    row["overdue_share_of_due"] = mean("overdue", "due")
    return row


def _shares(row: dict) -> dict:
    planned, due_n = row["planned"], row["due"]
    row["share_of_plan"] = row["done"] / planned if planned else float("nan")
    row["on_time_share_of_plan"] = row["done_on_time"] / planned if planned else float("nan")
    row["late_share_of_plan"] = row["done_late"] / planned if planned else float("nan")
    row["share_of_due"] = row["done_due"] / due_n if due_n else float("nan")
    row["overdue_share_of_due"] = row["overdue"] / due_n if due_n else float("nan")
    return row


@reads("measure_status", "measures", "roadmaps")
def completion(store: Store, flt: RoadmapFilter, as_of: dt.date, basis: str = "units") -> pd.DataFrame:
    """One row: counts of units by state at ``as_of`` and the completion shares on ``basis``.

    Counted in DuckDB per measure (no unit is loaded into pandas); ``region_id=None`` is every region."""
    values = {**flt._asdict(), "as_of": as_of}
    if flt.municipality_id is None:
        values.pop("municipality_id")
        per_measure = store.query_df(COUNTS_AT_ANY_MUNICIPALITY, values)
    else:
        per_measure = store.query_df(COUNTS_AT, values)
    per_measure[list(COUNT_COLUMNS)] = per_measure[list(COUNT_COLUMNS)].fillna(0).astype(int)
    return pd.DataFrame([_summary(per_measure, basis)])


@reads("measure_status", "measures", "municipalities", "roadmaps", "schools")
def completion_by(store: Store, flt: RoadmapFilter, as_of: dt.date, dimension: str,
                  language: str = "ru", basis: str = "units") -> pd.DataFrame:
    """Completion per value of ``dimension`` (see DIMENSIONS): key, name, then summarise() columns."""
    column = DIMENSIONS[dimension]
    frame = units(store, flt, as_of)
    if column in LIST_DIMENSIONS:
        frame = frame.explode(column)
    frame = frame.dropna(subset=[column]) if dimension == "school" else frame
    keys = frame[column].map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v))
    rows = [{"key": key, **summarise(group, as_of, basis)} for key, group in frame.groupby(keys, sort=True)]
    table = pd.DataFrame(rows, columns=["key", *summarise(frame.iloc[0:0], as_of, basis)])
    names = _names(store, dimension, flt.region_id, language)
    table["name"] = [names.get(key, key) for key in table["key"]]
    return table[["key", "name", *[c for c in table.columns if c not in ("key", "name")]]]


def _names(store: Store, dimension: str, region_id: str, language: str) -> dict:
    if dimension not in NAMES:
        return {}
    frame = store.query_df(NAMES[dimension], {"region_id": region_id} if "$region_id" in NAMES[dimension] else None)
    if "name" not in frame:
        frame["name"] = frame["name_ru" if language == "ru" else "name_en"]
    return dict(zip(frame["key"].astype(str), frame["name"]))


# -- checkpoints -------------------------------------------------------------------------------
def checkpoints_for(store: Store, year: int, roadmap_id: RoadmapId | None = None) -> pd.DataFrame:
    """The year's checkpoints: a roadmap's own if it has any, else the common ones, else the defaults."""
    frame = store.query_df(CHECKPOINTS_FOR, {"year": year, "roadmap_id": roadmap_id})
    own = frame[frame["roadmap_id"].notna()] if roadmap_id is not None else frame.iloc[0:0]
    chosen = own if not own.empty else frame[frame["roadmap_id"].isna()]
    if chosen.empty:
        chosen = pd.DataFrame([{"roadmap_id": None, "checkpoint_date": dt.date(year, m, d), "target_share": share,
                                "label": None} for m, d, share in DEFAULT_CHECKPOINTS])
    chosen = chosen.copy()
    chosen["checkpoint_date"] = pd.to_datetime(chosen["checkpoint_date"]).dt.date
    return chosen[["checkpoint_date", "target_share", "label"]].reset_index(drop=True)


@reads("checkpoints", "measure_status", "measures", "roadmaps", "schools")
def checkpoint_progress(store: Store, flt: RoadmapFilter, as_of: dt.date, basis: str = "units") -> pd.DataFrame:
    """Target vs actual at each checkpoint of ``flt.year``.

    Actual = share of the year's plan done by the checkpoint date (on time and late
    separately). For a checkpoint not reached yet at ``as_of`` the actual is the share
    done so far and ``passed`` is False.
    """
    if flt.year is None:
        raise ValueError("checkpoint_progress needs a year")
    points = checkpoints_for(store, flt.year, flt.roadmap_id)
    frame = units(store, flt, as_of)
    rows = []
    for point in points.itertuples(index=False):
        passed = point.checkpoint_date <= as_of
        at = point.checkpoint_date if passed else as_of
        summary = summarise(_restate(frame, at), at, basis)
        rows.append({"checkpoint_date": point.checkpoint_date, "label": point.label,
                     "target_share": float(point.target_share), "passed": passed,
                     "planned": summary["planned"], "done": summary["done"],
                     "done_on_time": summary["done_on_time"], "done_late": summary["done_late"],
                     "actual_share": summary["share_of_plan"],
                     "on_time_share": summary["on_time_share_of_plan"],
                     "late_share": summary["late_share_of_plan"]})
    table = pd.DataFrame(rows, columns=["checkpoint_date", "label", "target_share", "passed", "planned", "done",
                                        "done_on_time", "done_late", "actual_share", "on_time_share",
                                        "late_share"])
    table["gap"] = table["actual_share"] - table["target_share"]
    table["met"] = table["passed"] & (table["gap"] >= -1e-12)
    return table


def _restate(frame: pd.DataFrame, at: dt.date) -> pd.DataFrame:
    """The states of already-loaded units at an earlier date ``at`` (same rules as UNITS_AT)."""
    out = frame.copy()
    done_by = out["done_on"].map(lambda d: d is not None and not pd.isna(d) and d <= at)
    on_time = done_by & (out["done_on"].map(lambda d: d if d is not None and not pd.isna(d) else dt.date.max)
                         <= out["due_date"])
    state = np.where(out["status"] == "not_applicable", "not_applicable",
                     np.where(on_time, "done", np.where(done_by, "done_late",
                              np.where(out["due_date"] < at, "overdue",
                                       np.where(out["status"].isin(["in_progress", "done"]), "in_progress",
                                                "not_started")))))
    out["state"] = state
    return out


# -- burn-up -----------------------------------------------------------------------------------
@reads("measure_status", "measures", "roadmaps", "schools")
def burnup(store: Store, flt: RoadmapFilter, as_of: dt.date, basis: str = "units") -> pd.DataFrame:
    """Cumulative planned vs actual completion over the plan year, one row per day.

    Columns: date, planned_share (units due by the date / plan), actual_share (units done
    by the date / plan; empty after ``as_of``), on_time_share. The plan = applicable units;
    on the ``measures`` basis each unit weighs 1 / (its measure's units × measures), so the
    curve at a date equals the completion on that basis at that date.
    """
    if flt.year is None:
        raise ValueError("burnup needs a year")
    frame = units(store, flt, as_of)
    frame = frame[frame["status"] != "not_applicable"]
    days = pd.date_range(dt.date(flt.year, 1, 1), dt.date(flt.year, 12, 31), freq="D")
    result = pd.DataFrame({"date": days.date})
    if frame.empty:
        result[["planned_share", "actual_share", "on_time_share"]] = float("nan")
        return result
    if basis == "measures":
        sizes = frame.groupby("measure_id")["unit_id"].transform("count")
        weight = 1.0 / (sizes * frame["measure_id"].nunique())
    else:
        weight = pd.Series(1.0 / len(frame), index=frame.index)
    stamps = days.to_numpy()

    def cumulative(dates: pd.Series, weights: pd.Series) -> np.ndarray:
        order = np.argsort(dates.to_numpy())
        sorted_dates = dates.to_numpy()[order]
        sums = np.concatenate([[0.0], np.cumsum(weights.to_numpy()[order])])
        return sums[np.searchsorted(sorted_dates, stamps, side="right")]

    done_mask = frame["done_on"].notna()
    done_on = pd.to_datetime(frame.loc[done_mask, "done_on"])
    on_time = done_on <= pd.to_datetime(frame.loc[done_mask, "due_date"])
    result["planned_share"] = cumulative(pd.to_datetime(frame["due_date"]), weight)
    actual = cumulative(done_on, weight[done_mask])
    on_time_share = cumulative(done_on[on_time], weight[done_mask][on_time])
    future = result["date"] > as_of
    result["actual_share"] = np.where(future, np.nan, actual)
    result["on_time_share"] = np.where(future, np.nan, on_time_share)
    return result


# -- measures (Gantt), overdue list, workload --------------------------------------------------------
def measure_state(states: pd.Series) -> str:
    """One state for a measure from its units: any overdue → overdue; all done on time → done; ..."""
    applicable = states[states != "not_applicable"]
    if applicable.empty:
        return "not_applicable"
    if (applicable == "overdue").any():
        return "overdue"
    if (applicable == "done").all():
        return "done"
    if applicable.isin(["done", "done_late"]).all():
        return "done_late"
    if applicable.isin(["done", "done_late", "in_progress"]).any():
        return "in_progress"
    return "not_started"


@reads("measure_status", "measures", "roadmaps", "schools")
def measures_timeline(store: Store, flt: RoadmapFilter, as_of: dt.date) -> pd.DataFrame:
    """One row per measure for a Gantt chart: start, finish (last due date), state, counts."""
    frame = units(store, flt, as_of)
    columns = ["measure_id", "roadmap_id", "roadmap_title", "number", "section", "title", "executors",
               "deadline_text", "start", "finish", "state", "units", "done", "overdue"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    for measure_id, group in frame.groupby("measure_id", sort=False):
        first = group.iloc[0]
        finish = max(group["due_date"])
        start = first["start_date"] if first["start_date"] is not None and not pd.isna(first["start_date"]) \
            else first["period_start"]
        if len(set(group["due_date"])) == 1 and first["schedule_kind"] == "dates":
            # A single dated measure: show the month leading to its deadline.
            start = max(start, finish - dt.timedelta(days=30))
        if flt.year is not None:
            start = max(start, dt.date(flt.year, 1, 1))
        start = min(start, finish)
        rows.append({"measure_id": measure_id, "roadmap_id": first["roadmap_id"],
                     "roadmap_title": first["roadmap_title"], "number": first["number"],
                     "section": first["section"], "title": first["title"], "executors": first["executors"],
                     "deadline_text": first["deadline_text"], "start": start, "finish": finish,
                     "state": measure_state(group["state"]), "units": len(group),
                     "done": int(group["state"].isin(["done", "done_late"]).sum()),
                     "overdue": int((group["state"] == "overdue").sum())})
    table = pd.DataFrame(rows, columns=columns)
    order = table["number"].map(_number_key)
    return table.assign(_order=order).sort_values(["roadmap_id", "_order"], kind="stable") \
        .drop(columns="_order").reset_index(drop=True)


def _number_key(number: str) -> tuple:
    """'2.10' after '2.9': hierarchical measure numbers compared part by part."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in str(number).strip(".").split("."))


@reads("measure_status", "measures", "roadmaps", "schools")
def overdue_units(store: Store, flt: RoadmapFilter, as_of: dt.date) -> pd.DataFrame:
    """Units overdue at ``as_of``, the longest overdue first."""
    frame = units(store, flt, as_of)
    frame = frame[frame["state"] == "overdue"].copy()
    frame["executors_text"] = frame["executors"].map(", ".join)
    columns = ["unit_id", "roadmap_title", "number", "title", "school_name", "due_date", "days_overdue",
               "executors_text", "executors", "status", "municipality_id"]
    return frame.sort_values(["days_overdue", "roadmap_id", "number"], ascending=[False, True, True])[columns] \
        .reset_index(drop=True)


@reads("measure_status", "measures", "roadmaps", "schools")
def executor_workload(store: Store, flt: RoadmapFilter, as_of: dt.date, horizon_days: int = 30) -> pd.DataFrame:
    """Per executor: open units (not done, applicable), overdue, due within ``horizon_days``, done."""
    frame = units(store, flt, as_of).explode("executors").dropna(subset=["executors"])
    frame = frame[frame["state"] != "not_applicable"]
    soon = as_of + dt.timedelta(days=horizon_days)
    open_ = ~frame["state"].isin(["done", "done_late"])
    frame = frame.assign(open=open_, overdue=frame["state"] == "overdue",
                         due_soon=open_ & (frame["due_date"] >= as_of) & (frame["due_date"] <= soon),
                         done=~open_)
    table = frame.groupby("executors").agg(open=("open", "sum"), overdue=("overdue", "sum"),
                                           due_soon=("due_soon", "sum"), done=("done", "sum"),
                                           units=("unit_id", "count")).reset_index()
    table = table.rename(columns={"executors": "executor"})
    return table.sort_values(["overdue", "open", "executor"], ascending=[False, False, True]).reset_index(drop=True)


# -- choices for the page ----------------------------------------------------------------------
@reads("measure_status", "measures", "roadmaps")
def roadmaps_in_scope(store: Store, region_id: RegionId, municipality_id: MunicipalityId | None, year: int | None) -> pd.DataFrame:
    return store.query_df(ROADMAPS_IN_SCOPE, {"region_id": region_id, "municipality_id": municipality_id,
                                              "year": year})


@reads("measure_status", "measures", "roadmaps", "schools")
def filter_choices(store: Store, flt: RoadmapFilter) -> dict[str, list[str]]:
    """Sections and executors present in the units of the filter (before section/executor choice)."""
    base = flt._replace(section=None, executor=None)
    frame = store.query_df(f"WITH units AS ({UNIT_BASE}) SELECT DISTINCT section, executors FROM units",
                           base._asdict())
    sections = sorted({s for s in frame["section"] if isinstance(s, str)})
    executors = sorted({e for values in frame["executors"] if values is not None for e in values})
    return {"section": sections, "executor": executors}
