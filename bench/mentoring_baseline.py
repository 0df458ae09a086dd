"""Pandas baseline of the mentor assignment (same eligibility, distances and solver)."""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from analytics.mentoring import CAN_MENTOR, FULL_SCHOOLS, NOT_MENTOR_CATEGORIES, Rules
from bench.expert import arrow_frame

FLOOR = ("SELECT max(school_id), sum(participants), sum(n2) FROM results "
         "WHERE procedure = 'VPR' AND year IN ({year}, {year} - 1)")


def _haversine(lat1, lon1, lat2, lon2):
    lat1, lon1, lat2, lon2 = map(np.radians, (lat1, lon1, lat2, lon2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(a))


def _pairs(con, year: int, list_year: int, rules: Rules) -> pd.DataFrame:
    schools = arrow_frame(con, "SELECT s.school_id, s.school_type, s.lat, s.lon, m.region_id FROM schools s "
                          "JOIN municipalities m USING (municipality_id)")
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
    pairs = pairs.assign(km=_haversine(pairs["lat_e"], pairs["lon_e"], pairs["lat_r"], pairs["lon_r"])
                         * rules.road_factor)
    return pairs


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
