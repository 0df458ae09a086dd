"""What the school map shows: schools with one primary category, key indicators per
school, area aggregates for the choropleth, and the mentor pairs of a year.

``region_id=None`` means the whole country (national view); otherwise the usual
region / municipality scope.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from analytics.geo import geodesic_km
from analytics.query import MunicipalityId, Query, RegionId
from analytics.store import Store
from analytics.reads import reads

# Order = priority: a school on several lists shows the first of its categories.
CATEGORIES = ("low_results", "social_risk", "risk_zone", "resilient", "mentor", "other")

AREA_CONDITION = ("($region_id IS NULL OR m.region_id = $region_id)"
                  " AND ($municipality_id IS NULL OR m.municipality_id = $municipality_id)")

SCHOOLS = f"""
SELECT s.school_id, s.name, s.short_name, s.school_type, s.is_rural, s.students, s.lat, s.lon,
       s.municipality_id, m.name AS municipality, m.region_id
FROM schools s JOIN municipalities m USING (municipality_id)
WHERE {AREA_CONDITION} AND s.lat IS NOT NULL AND s.lon IS NOT NULL
ORDER BY s.school_id
"""

LIST_ENTRIES = f"""
SELECT l.school_id, l.category
FROM school_lists l JOIN schools s USING (school_id) JOIN municipalities m USING (municipality_id)
WHERE l.year = $year AND {AREA_CONDITION}
"""

# ВПР of the year from counts: participants and marks «2» (optionally one subject / grade).
VPR_OF_YEAR = f"""
SELECT r.school_id, sum(r.participants) AS vpr_participants, sum(r.n2) AS vpr_n2
FROM results r JOIN schools s USING (school_id) JOIN municipalities m USING (municipality_id)
WHERE r.procedure = 'VPR' AND r.year = $year AND {AREA_CONDITION}
  AND ($subject_id IS NULL OR r.subject_id = $subject_id) AND ($grade IS NULL OR r.grade = $grade)
GROUP BY r.school_id
"""

# Roadmap completion of a school: its execution units due in the year, done by the date; the
# share on the registry's default basis (by measures: the mean over its measures of each
# measure's share of units done), as in the passport.
ROADMAP_OF_YEAR = f"""
WITH per_measure AS (
    SELECT u.school_id, u.measure_id,
           count(*) AS planned,
           count(*) FILTER (WHERE u.status = 'done'
                            AND coalesce(u.completed_on, CAST(u.updated_at AS DATE)) <= $as_of) AS done
    FROM measure_status u JOIN schools s USING (school_id) JOIN municipalities m USING (municipality_id)
    WHERE year(u.due_date) = $year AND u.status <> 'not_applicable' AND {AREA_CONDITION}
    GROUP BY u.school_id, u.measure_id
)
SELECT school_id, sum(planned) AS units_planned, sum(done) AS units_done,
       avg(done / planned) AS roadmap_share
FROM per_measure
GROUP BY school_id
"""

MUNICIPALITY_AREAS = """
SELECT m.municipality_id AS area_id, m.name, m.boundary_geojson
FROM municipalities m
WHERE ($region_id IS NULL OR m.region_id = $region_id)
ORDER BY m.municipality_id
"""

REGION_AREAS = "SELECT region_id AS area_id, name, boundary_geojson FROM regions ORDER BY region_id"

CURRENT_PAIRS = f"""
SELECT p.pair_id, p.year, p.mentor_school_id, p.mentee_school_id, p.straight_km, p.road_km, p.source,
       p.created_by, p.created_at,
       mr.short_name AS mentor_name, mr.lat AS mentor_lat, mr.lon AS mentor_lon,
       s.short_name AS mentee_name, s.lat AS mentee_lat, s.lon AS mentee_lon, s.municipality_id
FROM mentor_pairs p
JOIN schools s ON s.school_id = p.mentee_school_id
JOIN municipalities m ON m.municipality_id = s.municipality_id
JOIN schools mr ON mr.school_id = p.mentor_school_id
WHERE p.year = $year AND {AREA_CONDITION}
ORDER BY p.mentee_school_id, p.pair_id
"""


def _area(region_id: str | None, municipality_id: str | None) -> dict:
    return {"region_id": region_id, "municipality_id": municipality_id}


def primary_category(entries: pd.DataFrame, school_ids) -> pd.Series:
    """One category per school from (school_id, category) list entries, by priority
    (``CATEGORIES``); schools on no list are ``other``. Any categorisation that yields
    such entries (e.g. a computed one) can replace the official lists."""
    rank = {c: i for i, c in enumerate(CATEGORIES)}
    known = entries[entries["category"].isin(rank)].assign(rank=lambda f: f["category"].map(rank))
    best = known.sort_values("rank").drop_duplicates("school_id").set_index("school_id")["category"]
    return pd.Series(pd.Index(school_ids).map(best), index=pd.Index(school_ids, name="school_id")).fillna("other")


def with_pair_roles(schools: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """The category the map draws: a school at the mentor end of a drawn pair is shown as a mentor
    (the legend's colour for mentors), unless it is itself on the low-results list — that
    contradiction must stay visible. Legend counts are taken from the same column."""
    mentors = set(pairs["mentor_school_id"]) if len(pairs) and "mentor_school_id" in pairs else set()
    acting = schools["school_id"].isin(mentors) & (schools["category"] != "low_results")
    return schools.assign(category=schools["category"].where(~acting, "mentor"))


def _schools_with_vpr(store: Store, area: dict, year: int, list_year: int | None, subject_id: str | None,
                      grade: int | None) -> pd.DataFrame:
    schools = store.query_df(SCHOOLS, area)
    entries = store.query_df(LIST_ENTRIES, {**area, "year": list_year if list_year is not None else -1})
    schools["category"] = primary_category(entries, schools["school_id"]).to_numpy()
    vpr = store.query_df(VPR_OF_YEAR, {**area, "year": year, "subject_id": subject_id, "grade": grade})
    frame = schools.merge(vpr, on="school_id", how="left")
    for column in ("vpr_participants", "vpr_n2"):
        frame[column] = frame[column].fillna(0).astype(int)
    frame["vpr_share2"] = (frame["vpr_n2"] / frame["vpr_participants"]).where(frame["vpr_participants"] > 0)
    return frame


@reads("measure_status", "municipalities", "results", "school_lists", "schools")
def schools_for_map(store: Store, q: Query, *, list_year: int | None, as_of: dt.date) -> pd.DataFrame:
    """One row per school of ``q.territory``: identity, coordinates, category (official list of
    ``list_year``), ВПР indicators of ``q.year`` (``q.subject_id``, ``q.grade``) and roadmap
    indicators as of ``as_of``."""
    region_id, municipality_id, year = q.region_id, q.municipality_id, q.year
    return with_roadmap(schools_with_vpr(store, region_id, municipality_id, year, list_year, q.subject_id, q.grade),
                        roadmap_of_schools(store, region_id, municipality_id, year, as_of))


@reads("municipalities", "results", "school_lists", "schools")
def schools_with_vpr(store: Store, region_id: RegionId | None, municipality_id: MunicipalityId | None, year: int,
                     list_year: int | None, subject_id: str | None = None, grade: int | None = None) -> pd.DataFrame:
    """:func:`schools_for_map` without the roadmap columns (cached apart: a status saved
    leaves it cached)."""
    return _schools_with_vpr(store, _area(region_id, municipality_id), year, list_year, subject_id, grade)


@reads("measure_status", "municipalities", "schools")
def roadmap_of_schools(store: Store, region_id: RegionId | None, municipality_id: MunicipalityId | None, year: int,
                       as_of: dt.date) -> pd.DataFrame:
    """Per school: execution units due in ``year`` (units_planned), those done by ``as_of``, and the
    school's completion on the registry's definition (roadmap_share, by measures)."""
    return store.query_df(ROADMAP_OF_YEAR, {**_area(region_id, municipality_id), "year": year, "as_of": as_of})


def with_roadmap(schools: pd.DataFrame, roadmap: pd.DataFrame) -> pd.DataFrame:
    """``schools_with_vpr`` joined with ``roadmap_of_schools``: the frame of :func:`schools_for_map`."""
    frame = schools.merge(roadmap, on="school_id", how="left")
    for column in ("units_planned", "units_done"):
        frame[column] = frame[column].fillna(0).astype(int)
    frame["roadmap_share"] = frame["roadmap_share"].where(frame["units_planned"] > 0)
    return frame


@reads("municipalities", "results", "school_lists", "schools")
def areas_for_map(store: Store, region_id: RegionId | None, year: int, list_year: int | None, as_of: dt.date,
                  subject_id: str | None = None, grade: int | None = None) -> pd.DataFrame:
    """Municipalities of a region (or regions of the country) with the choropleth values:
    share of schools on the low-results list and the pooled ВПР share of «2»."""
    schools = _schools_with_vpr(store, _area(region_id, None), year, list_year, subject_id, grade)
    if region_id is None:
        areas = store.query_df(REGION_AREAS)
        key = "region_id"
    else:
        areas = store.query_df(MUNICIPALITY_AREAS, {"region_id": region_id})
        key = "municipality_id"
    grouped = schools.groupby(key).agg(
        schools=("school_id", "size"),
        listed=("category", lambda c: int((c == "low_results").sum())),
        vpr_participants=("vpr_participants", "sum"), vpr_n2=("vpr_n2", "sum"),
    ).rename_axis("area_id").reset_index()
    frame = areas.merge(grouped, on="area_id", how="left")
    for column in ("schools", "listed", "vpr_participants", "vpr_n2"):
        frame[column] = frame[column].fillna(0).astype(int)
    frame["listed_share"] = (frame["listed"] / frame["schools"]).where(frame["schools"] > 0)
    frame["vpr_share2"] = (frame["vpr_n2"] / frame["vpr_participants"]).where(frame["vpr_participants"] > 0)
    return frame


@reads("mentor_pairs", "municipalities", "schools")
def current_pairs(store: Store, region_id: RegionId | None, municipality_id: MunicipalityId | None, year: int) -> pd.DataFrame:
    """Mentor pairs of a year with coordinates and the distance to show: road km when
    known (``km_kind`` = road), otherwise the straight line (``km_kind`` = straight)."""
    frame = store.query_df(CURRENT_PAIRS, {**_area(region_id, municipality_id), "year": year})
    missing = frame["straight_km"].isna()
    if missing.any():
        frame.loc[missing, "straight_km"] = geodesic_km(
            frame.loc[missing, "mentee_lat"], frame.loc[missing, "mentee_lon"],
            frame.loc[missing, "mentor_lat"], frame.loc[missing, "mentor_lon"])
    frame["km"] = frame["road_km"].where(frame["road_km"].notna(), frame["straight_km"])
    frame["km_kind"] = np.where(frame["road_km"].notna(), "road", "straight")
    return frame
