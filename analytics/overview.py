"""Headline figures for a district or regional head (one named query per figure)."""
from __future__ import annotations

import pandas as pd

from analytics.scope import GEO_CONDITION
from analytics.store import Store
from analytics.reads import reads
from analytics.query import MunicipalityId, RegionId

LISTED_IN_SCOPE = f"""
SELECT l.school_id
FROM school_lists l
JOIN schools s USING (school_id)
JOIN municipalities m USING (municipality_id)
WHERE l.category = 'low_results' AND l.year = $year AND {GEO_CONDITION}
"""

LIST_SIZE_BY_YEAR = f"""
SELECT l.year, count(*) AS schools
FROM school_lists l
JOIN schools s USING (school_id)
JOIN municipalities m USING (municipality_id)
WHERE l.category = $category AND {GEO_CONDITION}
GROUP BY l.year
ORDER BY l.year
"""

HIGH_RISK_SCHOOLS = f"""
WITH listed AS ({LISTED_IN_SCOPE}),
profiles AS (
    SELECT p.school_id, count(*) FILTER (WHERE p.level = 'high') AS high_factors
    FROM risk_profiles p JOIN listed USING (school_id)
    WHERE p.year = $year
    GROUP BY p.school_id
)
SELECT (SELECT count(*) FROM listed)                 AS listed,
       count(*)                                      AS with_profile,
       count(*) FILTER (WHERE high_factors > 0)      AS with_high_risk,
       coalesce(sum(high_factors), 0)                AS high_factor_count
FROM profiles
"""

TOP_HIGH_RISKS = f"""
WITH listed AS ({LISTED_IN_SCOPE})
SELECT f.factor_id, f.name_ru, f.name_en, count(*) AS schools
FROM risk_profiles p
JOIN listed USING (school_id)
JOIN risk_factors f USING (catalogue_id, factor_id)
WHERE p.year = $year AND p.level = 'high'
GROUP BY f.factor_id, f.name_ru, f.name_en, f.position
ORDER BY schools DESC, f.position
LIMIT 3
"""

MENTOR_COVERAGE = f"""
WITH listed AS ({LISTED_IN_SCOPE}),
pairs AS (
    SELECT mentee_school_id AS school_id,
           min(coalesce(road_km, straight_km)) AS km,
           bool_or(road_km IS NULL)            AS estimated
    FROM mentor_pairs WHERE year = $year
    GROUP BY mentee_school_id
)
SELECT count(*)                                   AS listed,
       count(p.school_id)                         AS with_mentor,
       avg(p.km)                                  AS mean_km,
       max(p.km)                                  AS max_km
FROM listed LEFT JOIN pairs p USING (school_id)
"""

BY_MUNICIPALITY = """
WITH listed AS (
    SELECT school_id, year FROM school_lists WHERE category = 'low_results' AND year IN ($year, $year - 1)
),
pairs AS (SELECT DISTINCT mentee_school_id AS school_id FROM mentor_pairs WHERE year = $year)
SELECT m.municipality_id, m.name, m.kind,
       count(DISTINCT s.school_id)                                                   AS schools,
       count(DISTINCT s.school_id) FILTER (WHERE s.is_rural)                         AS rural_schools,
       count(DISTINCT l.school_id) FILTER (WHERE l.year = $year)                     AS listed,
       count(DISTINCT l.school_id) FILTER (WHERE l.year = $year - 1)                 AS listed_previous,
       count(DISTINCT p.school_id)                                                   AS listed_with_mentor
FROM municipalities m
JOIN schools s USING (municipality_id)
LEFT JOIN listed l ON l.school_id = s.school_id
LEFT JOIN pairs p ON p.school_id = l.school_id AND l.year = $year
WHERE m.region_id = $region_id AND ($municipality_id IS NULL OR m.municipality_id = $municipality_id)
GROUP BY m.municipality_id, m.name, m.kind
ORDER BY listed DESC, m.name
"""


def _params(region_id: str, municipality_id: str | None, year: int, **extra) -> dict:
    return {"region_id": region_id, "municipality_id": municipality_id, "year": year, **extra}


@reads("municipalities", "school_lists", "schools")
def list_size_by_year(store: Store, region_id: RegionId, municipality_id: MunicipalityId | None,
                      category: str = "low_results") -> pd.DataFrame:
    return store.query_df(LIST_SIZE_BY_YEAR, {"region_id": region_id, "municipality_id": municipality_id,
                                              "category": category})


@reads("municipalities", "school_lists", "schools")
def list_change(store: Store, region_id: RegionId, municipality_id: MunicipalityId | None, year: int) -> pd.DataFrame:
    """One row: schools on the list this year and last year, and the relative change."""
    sizes = list_size_by_year(store, region_id, municipality_id).set_index("year")["schools"]
    current = int(sizes.get(year, 0))
    previous = int(sizes.get(year - 1, 0)) if (year - 1) in sizes.index else None
    change = (current - previous) / previous if previous else float("nan")
    return pd.DataFrame([{"year": year, "schools": current, "previous": previous, "relative_change": change}])


@reads("municipalities", "risk_profiles", "school_lists", "schools")
def high_risk_schools(store: Store, region_id: RegionId, municipality_id: MunicipalityId | None, year: int) -> pd.DataFrame:
    return store.query_df(HIGH_RISK_SCHOOLS, _params(region_id, municipality_id, year))


@reads("municipalities", "risk_factors", "risk_profiles", "school_lists", "schools")
def top_high_risks(store: Store, region_id: RegionId, municipality_id: MunicipalityId | None, year: int) -> pd.DataFrame:
    return store.query_df(TOP_HIGH_RISKS, _params(region_id, municipality_id, year))


@reads("mentor_pairs", "municipalities", "school_lists", "schools")
def mentor_coverage(store: Store, region_id: RegionId, municipality_id: MunicipalityId | None, year: int) -> pd.DataFrame:
    frame = store.query_df(MENTOR_COVERAGE, _params(region_id, municipality_id, year))
    listed = int(frame.at[0, "listed"])
    frame["share"] = frame.at[0, "with_mentor"] / listed if listed else float("nan")
    return frame


@reads("mentor_pairs", "municipalities", "school_lists", "schools")
def by_municipality(store: Store, region_id: RegionId, municipality_id: MunicipalityId | None, year: int) -> pd.DataFrame:
    frame = store.query_df(BY_MUNICIPALITY, _params(region_id, municipality_id, year))
    frame["listed_share"] = frame["listed"] / frame["schools"]
    frame["mentor_share"] = (frame["listed_with_mentor"] / frame["listed"]).where(frame["listed"] > 0)
    return frame


@reads("school_lists")
def latest_list_year(store: Store, year: int) -> int | None:
    """The newest year ≤ ``year`` that has an official list (lists may lag the results)."""
    value = store.scalar("SELECT max(year) FROM school_lists WHERE category = 'low_results' AND year <= ?", [year])
    return int(value) if value is not None else None

