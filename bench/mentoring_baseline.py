"""Pandas baseline of the mentor assignment (same eligibility, distances and solver)."""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from analytics.geo import geodesic_km
from analytics.mentoring import CAN_MENTOR, FULL_SCHOOLS, KNOWN_ROAD_KM, NOT_MENTOR_CATEGORIES, Rules
from bench.expert import arrow_frame

FLOOR = ("SELECT max(school_id), sum(participants), sum(n2) FROM results "
         "WHERE procedure = 'VPR' AND year IN ({year}, {year} - 1)")


def _road_km(con) -> pd.DataFrame:
    """Known road km per ordered (mentor, mentee) pair by the product's rule (the records ranked
    by its query: imported first, then the newest; at equal rank the record in the asked
    direction before the reversed one)."""
    known = arrow_frame(con, KNOWN_ROAD_KM)
    both = pd.concat([known.assign(reversed=0),
                      known.rename(columns={"mentor_school_id": "mentee_school_id",
                                            "mentee_school_id": "mentor_school_id"}).assign(reversed=1)],
                     ignore_index=True)
    both = both.sort_values(["priority", "reversed"]).drop_duplicates(["mentor_school_id", "mentee_school_id"])
    return both.rename(columns={"mentee_school_id": "school_id_e", "mentor_school_id": "school_id_r"})[
        ["school_id_e", "school_id_r", "road_km"]]


def _pairs(con, year: int, list_year: int, rules: Rules) -> pd.DataFrame:
    """Every allowed mentee × mentor pair with its km: the road km if known, else the WGS84
    geodesic (pyproj, as the product) × road factor. Schools without coordinates take no part.
    Rows in the schools' storage order (mentee, then mentor): the order the product meets
    them in, so that ``idxmin`` resolves equal km the same way."""
    schools = arrow_frame(con, "SELECT s.school_id, s.school_type, s.lat, s.lon, m.region_id FROM schools s "
                          "JOIN municipalities m USING (municipality_id) "
                          "WHERE s.lat IS NOT NULL AND s.lon IS NOT NULL ORDER BY s.rowid")
    lists = arrow_frame(con, "SELECT school_id, category FROM school_lists WHERE year = ?", [list_year])
    vpr = arrow_frame(con, "SELECT school_id, participants, n2 FROM results WHERE procedure = 'VPR' AND year IN (?, ?)",
                      [year, year - 1]).groupby("school_id", as_index=False).sum()
    vpr["share2"] = vpr["n2"] / vpr["participants"]
    s = schools.merge(vpr, on="school_id", how="left")
    measured = s["participants"].fillna(0) >= rules.min_participants
    s["threshold"] = s["region_id"].map(s[measured].groupby("region_id")["share2"].quantile(rules.mentor_quantile))
    official = set(lists.loc[lists["category"] == "mentor", "school_id"])
    excluded = set(lists.loc[lists["category"].isin(NOT_MENTOR_CATEGORIES), "school_id"])
    mentors = s[((measured & (s["share2"] <= s["threshold"])) | s["school_id"].isin(official))
                & ~s["school_id"].isin(excluded)]
    mentees = s[s["school_id"].isin(set(lists.loc[lists["category"] == "low_results", "school_id"]))]
    pairs = mentees.merge(mentors, on="region_id", suffixes=("_e", "_r"))
    # Which school type may mentor which: a small table of type pairs (a loop over types, not pairs).
    allowed = pd.DataFrame([(e, r) for e in pairs["school_type_e"].unique() for r in CAN_MENTOR.get(e, FULL_SCHOOLS)],
                           columns=["school_type_e", "school_type_r"])
    pairs = pairs.merge(allowed, on=["school_type_e", "school_type_r"])
    pairs = pairs[pairs["school_id_e"] != pairs["school_id_r"]]
    pairs = pairs.merge(_road_km(con), on=["school_id_e", "school_id_r"], how="left")
    straight = geodesic_km(pairs["lat_e"], pairs["lon_e"], pairs["lat_r"], pairs["lon_r"])
    return pairs.assign(km=pairs["road_km"].where(pairs["road_km"].notna(), straight * rules.road_factor))


def nearest(con, year: int, list_year: int) -> pd.DataFrame:
    pairs = _pairs(con, year, list_year, Rules())
    return pairs.loc[pairs.groupby("school_id_e")["km"].idxmin()]


def least_total(con, year: int, list_year: int) -> pd.DataFrame:
    rules = Rules()
    pairs = _pairs(con, year, list_year, rules)
    pairs = pairs[pairs["km"] <= rules.max_km]
    chosen = []
    for _, part in pairs.groupby("region_id"):
        cost = part.pivot_table(index="school_id_e", columns="school_id_r", values="km", aggfunc="min")
        matrix = np.repeat(cost.to_numpy(), rules.capacity, axis=1)
        big = np.nanmax(matrix) * (len(cost) + 1) + 1
        matrix = np.hstack([np.where(np.isnan(matrix), big * 10, matrix), np.full((len(cost), len(cost)), big)])
        rows, cols = linear_sum_assignment(matrix)
        real = cols < len(cost.columns) * rules.capacity
        chosen.append(pd.DataFrame({"mentee": cost.index[rows[real]],
                                    "mentor": cost.columns[cols[real] // rules.capacity]}))
    return pd.concat(chosen, ignore_index=True)
