"""Named lookups the report needs that no other module offers (parameterised SQL only)."""
from __future__ import annotations

import pandas as pd

from analytics.scope import GEO_CONDITION
from analytics.store import Store

SCHOOL_NAMES = """
SELECT s.school_id, s.short_name, m.name AS municipality
FROM schools s JOIN municipalities m USING (municipality_id)
WHERE m.region_id = $region_id
"""

# The low-results schools of the year with their mentor pair(s); schools without one appear
# with empty mentor columns.
MENTOR_PAIRS = f"""
SELECT s.school_id AS mentee_school_id, s.short_name AS mentee, m.name AS municipality,
       mr.short_name AS mentor, p.straight_km, p.road_km, p.agreement_date
FROM school_lists l
JOIN schools s USING (school_id)
JOIN municipalities m USING (municipality_id)
LEFT JOIN mentor_pairs p ON p.mentee_school_id = s.school_id AND p.year = $year
LEFT JOIN schools mr ON mr.school_id = p.mentor_school_id
WHERE l.year = $year AND l.category = 'low_results' AND {GEO_CONDITION}
ORDER BY m.name, s.short_name, p.pair_id
"""

SCHOOL_MENTOR_PAIRS = """
SELECT p.mentee_school_id, s.short_name AS mentee, mr.short_name AS mentor, p.straight_km, p.road_km,
       p.agreement_date
FROM mentor_pairs p
JOIN schools s ON s.school_id = p.mentee_school_id
JOIN schools mr ON mr.school_id = p.mentor_school_id
WHERE p.year = $year AND p.mentee_school_id = $school_id
ORDER BY p.pair_id
"""

SCHOOL_LISTS = "SELECT year, category FROM school_lists WHERE school_id = $school_id ORDER BY year, category"


def school_names(store: Store, region_id: str) -> pd.DataFrame:
    return store.query_df(SCHOOL_NAMES, {"region_id": region_id})


def mentor_pairs(store: Store, region_id: str, municipality_id: str | None, year: int) -> pd.DataFrame:
    return store.query_df(MENTOR_PAIRS, {"region_id": region_id, "municipality_id": municipality_id,
                                         "year": int(year)})


def school_mentor_pairs(store: Store, school_id: str, year: int) -> pd.DataFrame:
    return store.query_df(SCHOOL_MENTOR_PAIRS, {"school_id": school_id, "year": int(year)})


def school_lists(store: Store, school_id: str) -> pd.DataFrame:
    return store.query_df(SCHOOL_LISTS, {"school_id": school_id})
