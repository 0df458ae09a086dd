"""Saving an imported roadmap: roadmap, measures, coverage and execution units, all or nothing.

Execution units follow the status-tracking model: one ``measure_status`` row per measure ×
covered school (a school roadmap covers its school; region and municipality roadmaps none)
× assessment date from :func:`analytics.schedules.assessment_dates`, status ``not_started``.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from analytics import access
from analytics.roadmap_import.model import Measure, Period
from analytics.schedules import assessment_dates
from analytics.store import Store, insert_df

LEVELS = ("region", "municipality", "school")
DEFAULT_CHECKPOINTS = ((6, 30), (11, 30))     # used when the store holds no checkpoints

NEXT_ROADMAP_ID = "SELECT coalesce(max(roadmap_id), 0) + 1 FROM roadmaps"
NEXT_MEASURE_ID = "SELECT coalesce(max(measure_id), 0) + 1 FROM measures"
NEXT_UNIT_ID = "SELECT coalesce(max(unit_id), 0) + 1 FROM measure_status"
CHECKPOINT_DATES = """
SELECT DISTINCT checkpoint_date FROM checkpoints
WHERE roadmap_id IS NULL AND checkpoint_date BETWEEN $start AND $end
ORDER BY checkpoint_date
"""
SCHOOL_PLACE = """
SELECT s.municipality_id, m.region_id FROM schools s JOIN municipalities m USING (municipality_id)
WHERE s.school_id = $school_id
"""
MUNICIPALITY_REGION = "SELECT region_id FROM municipalities WHERE municipality_id = $municipality_id"
# The id comes from import_seq, as for every other import (max + 1 took an id the sequence
# would hand out next, and the following file import failed on a duplicate key).
LOG_IMPORT = """
INSERT INTO import_log (started_at, finished_at, user_name, file_name, kind, rows, outcome, message)
VALUES ($started, $finished, $user_name, $file_name, 'roadmap', $rows, $outcome, $message)
"""


class SaveError(ValueError):
    """The roadmap cannot be saved as given (Russian message)."""


def checkpoint_dates(store: Store, period: Period) -> list[dt.date]:
    rows = store.query_rows(CHECKPOINT_DATES, {"start": period.start, "end": period.end})
    if rows:
        return [r[0] for r in rows]
    return [d for y in period.years for m, day in DEFAULT_CHECKPOINTS
            if period.contains(d := dt.date(y, m, day))]


def _attachment(store: Store, level: str, region_id: str | None, municipality_id: str | None,
                school_id: str | None) -> tuple[str, str | None, str | None]:
    if level not in LEVELS:
        raise SaveError(f"неизвестный уровень дорожной карты «{level}»")
    if level == "school":
        place = store.query_rows(SCHOOL_PLACE, {"school_id": school_id})
        if not school_id or not place:
            raise SaveError("школа не найдена")
        return place[0][1], place[0][0], school_id
    if level == "municipality":
        region = store.scalar(MUNICIPALITY_REGION, {"municipality_id": municipality_id})
        if not municipality_id or region is None:
            raise SaveError("муниципалитет не найден")
        return region, municipality_id, None
    if not region_id:
        raise SaveError("не указан регион")
    return region_id, None, None


def unit_rows(measures: list[Measure], measure_ids: list[int], schools: list[str | None], period: Period,
              checkpoints: list[dt.date], first_unit_id: int, user: str | None, now: dt.datetime) -> pd.DataFrame:
    rows = []
    for measure, measure_id in zip(measures, measure_ids):
        s = measure.schedule
        dates = assessment_dates(s.kind, s.due_dates, s.start, s.recurrence, period.start, period.end, checkpoints)
        for school_id in schools:
            for due in dates:
                rows.append(dict(unit_id=first_unit_id + len(rows), measure_id=measure_id, school_id=school_id,
                                 due_date=due, status="not_started", version=1, updated_by=user, updated_at=now))
    return pd.DataFrame(rows, columns=["unit_id", "measure_id", "school_id", "due_date", "status", "version",
                                       "updated_by", "updated_at"])


def save_roadmap(store: Store, *, title: str, period: Period, measures: list[Measure], level: str,
                 region_id: str | None = None, municipality_id: str | None = None, school_id: str | None = None,
                 user: str | None = None, file_name: str | None = None,
                 principal: access.Principal | None = None) -> int:
    """Write the roadmap in one transaction; returns its id. Nothing is written if anything fails.
    The acting user must be allowed to edit roadmaps where it is attached (AccessDenied)."""
    started = dt.datetime.now()
    if not title.strip():
        raise SaveError("не указано название дорожной карты")
    if period is None or period.start > period.end:
        raise SaveError("период дорожной карты не указан или начинается позже, чем кончается")
    if not measures:
        raise SaveError("нет ни одного мероприятия")
    region_id, municipality_id, school_id = _attachment(store, level, region_id, municipality_id, school_id)
    access.require(principal, "edit_roadmap", access.Place(region_id, municipality_id, school_id))
    checkpoints = checkpoint_dates(store, period)
    try:
        with store.transaction() as cur:
            roadmap_id = cur.execute(NEXT_ROADMAP_ID).fetchall()[0][0]
            first_measure = cur.execute(NEXT_MEASURE_ID).fetchall()[0][0]
            first_unit = cur.execute(NEXT_UNIT_ID).fetchall()[0][0]
            insert_df(cur, "roadmaps", pd.DataFrame([dict(
                roadmap_id=roadmap_id, level=level, region_id=region_id, municipality_id=municipality_id,
                school_id=school_id, title=title.strip(), period_start=period.start, period_end=period.end,
                source="import")]))
            measure_ids = list(range(first_measure, first_measure + len(measures)))
            insert_df(cur, "measures", _measure_frame(measures, measure_ids, roadmap_id))
            schools = [school_id] if school_id else [None]
            insert_df(cur, "measure_schools", _link_frame(measures, measure_ids, school_id))
            units = unit_rows(measures, measure_ids, schools, period, checkpoints, first_unit, user, started)
            _insert_units(cur, units)
            cur.execute(LOG_IMPORT, dict(started=started, finished=dt.datetime.now(), user_name=user,
                                         file_name=file_name, rows=len(measures), outcome="success",
                                         message=f"roadmap {roadmap_id}: {len(measures)} measures, {len(units)} units"))
            store.bump_data_version(cur, tables=["roadmaps", "measures", "measure_schools", "measure_status",
                                                 "import_log"])
    except Exception as error:
        store.cursor().execute(LOG_IMPORT, dict(started=started, finished=dt.datetime.now(), user_name=user,
                                                file_name=file_name, rows=0, outcome="failed",
                                                message=str(error)[:500]))
        raise
    return int(roadmap_id)


def _measure_frame(measures: list[Measure], ids: list[int], roadmap_id: int) -> pd.DataFrame:
    return pd.DataFrame([dict(
        measure_id=measure_id, roadmap_id=roadmap_id, number=m.number, section=m.section, title=m.title,
        executors=list(m.executors), executor_levels=list(m.executor_levels or [None] * len(m.executors)),
        deadline_text=m.deadline_text, schedule_kind=m.schedule.kind,
        start_date=m.schedule.start, due_dates=list(m.schedule.due_dates), recurrence=m.schedule.recurrence,
        indicator=m.indicator, risk_factors=list(m.risk_factors)) for m, measure_id in zip(measures, ids)])


def _link_frame(measures: list[Measure], ids: list[int], school_id: str | None) -> pd.DataFrame:
    """measure × school links: a school roadmap's own school, and the schools a measure names
    (matched with confidence at import), so the measure counts for those schools' risks."""
    pairs = {(measure_id, s) for m, measure_id in zip(measures, ids)
             for s in ([school_id] if school_id else []) + list(m.school_ids)}
    return pd.DataFrame(sorted(pairs), columns=["measure_id", "school_id"])


def _insert_units(cur, units: pd.DataFrame) -> int:
    return insert_df(cur, "measure_status", units)


def unit_count(store: Store, measures: list[Measure], period: Period, schools: int = 1) -> int:
    """How many execution units saving would create (for the preview)."""
    checkpoints = checkpoint_dates(store, period)
    return schools * sum(len(assessment_dates(m.schedule.kind, m.schedule.due_dates, m.schedule.start,
                                              m.schedule.recurrence, period.start, period.end, checkpoints))
                         for m in measures)
