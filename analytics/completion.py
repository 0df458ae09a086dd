"""Roadmap completion in a scope at a date (the summary the overview needs).

Unit of counting: one execution unit = measure × covered school × due date. Units marked
"не применимо" are left out of both numerator and denominator. A unit counts as done at
date D when its status is «выполнено» and it was completed on or before D.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from analytics.store import Store

UNITS_IN_SCOPE = """
SELECT u.unit_id, u.measure_id, u.school_id, u.due_date, u.status, u.completed_on,
       r.roadmap_id, r.level, coalesce(r.municipality_id, '') AS municipality_id
FROM measure_status u
JOIN measures me USING (measure_id)
JOIN roadmaps r USING (roadmap_id)
WHERE r.region_id = $region_id
  AND ($municipality_id IS NULL OR r.municipality_id = $municipality_id)
  AND year(u.due_date) = $year
  AND u.status <> 'not_applicable'
"""

YEAR_COMPLETION = f"""
WITH units AS ({UNITS_IN_SCOPE})
SELECT count(*)                                                                   AS planned,
       count(*) FILTER (WHERE due_date <= $as_of)                                 AS due,
       count(*) FILTER (WHERE status = 'done' AND completed_on <= $as_of)         AS done,
       count(*) FILTER (WHERE status = 'done' AND completed_on <= $as_of
                          AND completed_on <= due_date)                           AS done_on_time,
       count(*) FILTER (WHERE due_date < $as_of
                          AND NOT (status = 'done' AND completed_on <= $as_of))   AS overdue
FROM units
"""

CHECKPOINTS_OF_YEAR = """
SELECT checkpoint_date, target_share, label
FROM checkpoints
WHERE roadmap_id IS NULL AND year(checkpoint_date) = $year
ORDER BY checkpoint_date
"""


def year_completion(store: Store, region_id: str, municipality_id: str | None, year: int,
                    as_of: dt.date) -> pd.DataFrame:
    """One row: planned, due, done, done_on_time, overdue, share_of_plan, share_of_due."""
    frame = store.query_df(YEAR_COMPLETION, {"region_id": region_id, "municipality_id": municipality_id,
                                             "year": year, "as_of": as_of})
    planned, due, done = (int(frame.at[0, c]) for c in ("planned", "due", "done"))
    frame["share_of_plan"] = done / planned if planned else float("nan")
    frame["share_of_due"] = done / due if due else float("nan")
    return frame


def checkpoint_status(store: Store, year: int, as_of: dt.date) -> pd.DataFrame:
    """The year's checkpoints with a flag for those already passed at ``as_of``."""
    frame = store.query_df(CHECKPOINTS_OF_YEAR, {"year": year})
    frame["checkpoint_date"] = pd.to_datetime(frame["checkpoint_date"]).dt.date
    frame["passed"] = frame["checkpoint_date"] <= as_of
    return frame
