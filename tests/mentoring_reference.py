"""The mentor proposal as it was computed before the fast path (frozen copy, for equivalence
tests only): eligibility in pandas, every allowed pair with its geodesic distance
(``mentoring.candidate_pairs``), the per-part solver on the full cost matrix
(``mentoring.assign``), names and points by ``Series.map``."""
from __future__ import annotations

import numpy as np
import pandas as pd

from analytics import mentoring
from analytics.mentoring import MENTEE_CATEGORY, NOT_MENTOR_CATEGORIES, Rules

REGION_SCHOOLS = """
SELECT s.school_id, s.short_name, s.school_type, s.lat, s.lon, s.municipality_id, m.region_id
FROM schools s JOIN municipalities m USING (municipality_id)
WHERE ($region_id IS NULL OR m.region_id = $region_id) AND s.lat IS NOT NULL AND s.lon IS NOT NULL
"""
LIST_OF_YEAR = """
SELECT l.school_id, l.category FROM school_lists l
JOIN schools s USING (school_id) JOIN municipalities m USING (municipality_id)
WHERE l.year = $year AND ($region_id IS NULL OR m.region_id = $region_id)
"""


def mentees_and_mentors(store, region_id, municipality_id, year, list_year, rules: Rules):
    schools = store.query_df(REGION_SCHOOLS, {"region_id": region_id})
    lists = store.query_df(LIST_OF_YEAR, {"region_id": region_id, "year": list_year})
    listed = set(lists.loc[lists["category"] == MENTEE_CATEGORY, "school_id"])
    excluded = set(lists.loc[lists["category"].isin(NOT_MENTOR_CATEGORIES), "school_id"])
    official = set(lists.loc[lists["category"] == "mentor", "school_id"])
    mentees = schools[schools["school_id"].isin(listed)]
    if municipality_id is not None:
        mentees = mentees[mentees["municipality_id"] == municipality_id]
    strength = mentoring.school_strength(store, region_id, year)
    candidates = schools.merge(strength, on="school_id", how="left")
    measured = candidates["participants"].fillna(0) >= rules.min_participants
    threshold = (candidates[measured].groupby("region_id")["share2"]
                 .quantile(rules.mentor_quantile).rename("threshold"))
    candidates = candidates.merge(threshold, left_on="region_id", right_index=True, how="left")
    strong = measured & (candidates["share2"] <= candidates["threshold"])
    candidates["basis"] = np.where(candidates["school_id"].isin(official), "official", "results")
    mentors = candidates[(strong | candidates["school_id"].isin(official))
                         & ~candidates["school_id"].isin(excluded)]
    return mentees.reset_index(drop=True), mentors.reset_index(drop=True)


def current_plan(store, mentees, year, rules: Rules):
    current = store.query_df(mentoring.CURRENT_OF_YEAR, {"year": year})
    current = current[current["mentee_school_id"].isin(mentees["school_id"])].copy()
    current["km"] = current["road_km"].where(current["road_km"].notna(), current["straight_km"] * rules.road_factor)
    current["km_kind"] = np.where(current["road_km"].notna(), "road", "estimate")
    return current.reset_index(drop=True)


def propose(store, region_id, municipality_id, year, list_year, method="total", **rule_values) -> dict:
    rules = Rules(**rule_values)
    mentees, mentors = mentees_and_mentors(store, region_id, municipality_id, year, list_year, rules)
    candidates = mentoring.candidate_pairs(mentees, mentors, mentoring.known_road_km(store), rules)
    pairs, unassigned = mentoring.assign(mentees, mentors, candidates, rules, method)
    names = pd.concat([mentees[["school_id", "short_name", "municipality_id"]],
                       mentors[["school_id", "short_name", "municipality_id"]]]).drop_duplicates("school_id")
    name_of = names.set_index("school_id")["short_name"]
    pairs["mentee_name"] = pairs["mentee_school_id"].map(name_of)
    pairs["mentor_name"] = pairs["mentor_school_id"].map(name_of)
    points = pd.concat([mentees, mentors]).drop_duplicates("school_id").set_index("school_id")
    for role in ("mentee", "mentor"):
        pairs[f"{role}_municipality_id"] = pairs[f"{role}_school_id"].map(points["municipality_id"])
        pairs[f"{role}_lat"] = pairs[f"{role}_school_id"].map(points["lat"])
        pairs[f"{role}_lon"] = pairs[f"{role}_school_id"].map(points["lon"])
    unassigned["mentee_name"] = unassigned["mentee_school_id"].map(name_of)
    current = current_plan(store, mentees, list_year, rules)
    return {
        "pairs": pairs, "unassigned": unassigned,
        "summary": mentoring.summarise(pairs, len(mentees), rules),
        "current_summary": mentoring.summarise(current, len(mentees), rules),
        "comparison": mentoring.compare(current, pairs, name_of),
        "eligible_mentors": len(mentors),
    }


def assert_same_proposal(new: dict, old: dict) -> None:
    """Identical frames (values, order, dtypes) and figures."""
    for key in ("pairs", "unassigned", "comparison"):
        pd.testing.assert_frame_equal(new[key], old[key], check_exact=True, obj=key)
    for key in ("summary", "current_summary"):
        assert new[key].keys() == old[key].keys()
        for name, value in old[key].items():
            assert value == new[key][name] or (value != value and new[key][name] != new[key][name]), (key, name)
    assert new["eligible_mentors"] == old["eligible_mentors"]
