"""One school against its municipality, its region and similar schools (all from counts).

Similar schools = same school type, same urban/rural setting, same social-context band
(index cut at 0.2, 0.4, 0.6, 0.8), within the region; the school itself is included.
Grades are pooled; subjects are pooled when no subject is chosen.
"""
from __future__ import annotations

import pandas as pd

from analytics import dynamics, indicators
from analytics.query import Pooling, Query, SchoolId
from analytics.store import Store
from analytics.reads import reads

SCHOOL = """
SELECT s.school_id, s.short_name, s.name, s.municipality_id, m.name AS municipality, m.region_id,
       s.school_type, s.is_rural, s.social_index, s.students,
       s.school_type || '|' || CASE WHEN s.is_rural THEN 'rural' ELSE 'urban' END || '|' ||
       CAST(least(floor(coalesce(s.social_index, 0.5) * 5), 4) AS INTEGER) AS similar_key
FROM schools s JOIN municipalities m USING (municipality_id)
WHERE s.school_id = $school_id
"""

WHO = ("school", "municipality", "similar", "region")


def school_info(store: Store, school_id: SchoolId) -> pd.DataFrame:
    return store.query_df(SCHOOL, {"school_id": school_id})


def _units(info: pd.Series) -> dict[str, tuple[str, str | None, str]]:
    """who -> (level, municipality filter, unit_id)."""
    return {
        "school": ("school", info["municipality_id"], info["school_id"]),
        "municipality": ("municipality", info["municipality_id"], info["municipality_id"]),
        "similar": ("similar", None, info["similar_key"]),
        "region": ("region", None, info["region_id"]),
    }


def _pooling(subject_id: str | None, pool_years: int) -> Pooling:
    """Grades always pooled; subjects pooled when none is chosen."""
    return Pooling(grades=True, subjects=subject_id is None, years=pool_years)


@reads("municipalities", "results", "schools")
def series(store: Store, q: Query, indicator: str, *, pool_years: int = 1, min_n: int | None = None) -> pd.DataFrame:
    """Yearly values for the school of ``q`` (its procedure, subject, grade) and its three
    comparison groups: who, year, n, value, ci_low, ci_high, enough."""
    school_id, procedure, subject_id, grade = q.school_id, q.procedure, q.subject_id, q.grade
    info = school_info(store, school_id)
    if info.empty:
        return pd.DataFrame(columns=["who", "year", "n", "value", "ci_low", "ci_high", "enough"])
    info = info.iloc[0]
    parts = []
    for who, (level, municipality_id, unit_id) in _units(info).items():
        q = Query.of(info["region_id"], municipality_id, school_id if who == "school" else None,
                     procedure=procedure, subject_id=subject_id, grade=grade, level=level)
        frame = indicators.aggregate(store, q, pooling=_pooling(subject_id, pool_years), min_n=min_n,
                                     indicators=(indicator,))
        frame = frame[frame["unit_id"] == unit_id]
        parts.append(frame.assign(who=who))
    out = pd.concat(parts, ignore_index=True)
    return out[["who", "unit_id", "year", "n", "value", "ci_low", "ci_high", "enough"]]


def compare_school(store: Store, q: Query, indicator: str, *, pool_years: int = 1,
                   min_n: int | None = None) -> pd.DataFrame:
    """The school of ``q`` in year ``q.year``, one row per who (school, municipality, similar,
    region): value, interval, n, change and its interval."""
    school_id, year, procedure, subject_id, grade = q.school_id, q.year, q.procedure, q.subject_id, q.grade
    info = school_info(store, school_id)
    if info.empty:
        return pd.DataFrame()
    info = info.iloc[0]
    rows = []
    for who, (level, municipality_id, unit_id) in _units(info).items():
        q = Query.of(info["region_id"], municipality_id, year_to=year, procedure=procedure, subject_id=subject_id,
                     grade=grade, level=level)
        frame = dynamics.changes(store, q, pooling=_pooling(subject_id, pool_years), min_n=min_n,
                                 indicators=(indicator,))
        frame = frame[frame["unit_id"] == unit_id]
        if not frame.empty:
            rows.append(frame.assign(who=who))
    if not rows:
        return pd.DataFrame()
    out = pd.concat(rows, ignore_index=True)
    return out[["who", "unit_id", "n", "value", "ci_low", "ci_high", "enough", "prev_n", "prev_value", "delta",
                "delta_low", "delta_high", "change_verdict"]]
