"""The school passport: one school on one page, assembled from the existing computations
(no new rules). Everything here is a thin composition of comparison, dynamics, lists,
mentoring pairs and roadmap units, restricted to one school."""
from __future__ import annotations

import pandas as pd

from analytics import comparison, dynamics
from analytics.query import Pooling, Query, RegionId, SchoolId
from analytics.store import Store
from analytics.reads import reads

SUBJECT_NAMES = "SELECT subject_id, name_ru, name_en, position FROM subjects"
SCHOOL_LISTS = """
SELECT year, category FROM school_lists WHERE school_id = $school_id ORDER BY year, category
"""

RESULT_COLUMNS = ["subject_id", "name_ru", "name_en", "n", "value", "ci_low", "ci_high", "enough", "prev_n", "prev_value",
                  "delta", "delta_low", "delta_high", "change_verdict", "trend_verdict", "slope",
                  "municipality_value", "municipality_n", "region_value", "region_n"]


@reads("municipalities", "schools")
def school(store: Store, school_id: SchoolId) -> pd.Series | None:
    """Identity of the school (name, municipality, region, type, setting, social index), or None."""
    info = comparison.school_info(store, school_id)
    return None if info.empty else info.iloc[0]


@reads("school_lists")
def official_lists(store: Store, school_id: SchoolId) -> pd.DataFrame:
    """Every official list the school was on: year, category."""
    return store.query_df(SCHOOL_LISTS, {"school_id": school_id})


@reads("municipalities", "results", "schools", "subjects")
def subject_results(store: Store, school_id: SchoolId, year: int, procedure: str, indicator: str,
                    min_n: int | None = None, trend_years: int = 5) -> pd.DataFrame:
    """One row per subject the school wrote in ``year``: the school's value with its 95 %
    interval, the change since the year before with its interval and verdict, the trend
    verdict over ``trend_years``, and the municipality's and region's values (grades
    pooled, from counts, exactly as on the «Результаты» page)."""
    info = school(store, school_id)
    if info is None:
        return pd.DataFrame(columns=RESULT_COLUMNS)
    by_subject = dict(pooling=Pooling(grades=True), min_n=min_n, indicators=(indicator,))
    here = Query.of(info["region_id"], info["municipality_id"], year_to=year, procedure=procedure)
    own = dynamics.changes(store, here, **by_subject)
    own = own[own["unit_id"] == school_id]
    if own.empty:
        return pd.DataFrame(columns=RESULT_COLUMNS)
    trend = dynamics.trends(store, here.at(year_from=year - trend_years + 1), **by_subject)
    trend = trend[trend["unit_id"] == school_id][["subject_id", "trend_verdict", "slope"]]
    groups = []
    for level, unit, municipality_id in (("municipality", info["municipality_id"], info["municipality_id"]),
                                         ("region", info["region_id"], None)):
        frame = dynamics.changes(store, here.at(municipality_id=municipality_id, level=level), **by_subject)
        frame = frame[frame["unit_id"] == unit][["subject_id", "value", "n"]]
        groups.append(frame.rename(columns={"value": f"{level}_value", "n": f"{level}_n"}))
    out = own.merge(trend, on="subject_id", how="left")
    for frame in groups:
        out = out.merge(frame, on="subject_id", how="left")
    out["trend_verdict"] = out["trend_verdict"].fillna("insufficient")
    names = store.query_df(SUBJECT_NAMES)
    out = out.merge(names, on="subject_id", how="left").sort_values(["position", "subject_id"])
    return out[RESULT_COLUMNS].reset_index(drop=True)


def related_pairs(pairs: pd.DataFrame, school_id: SchoolId) -> tuple[pd.DataFrame, pd.DataFrame]:
    """From a year's mentor pairs: (pairs where the school is the mentee, where it mentors)."""
    return (pairs[pairs["mentee_school_id"] == school_id].reset_index(drop=True),
            pairs[pairs["mentor_school_id"] == school_id].reset_index(drop=True))


def map_subset(schools: pd.DataFrame, pairs: pd.DataFrame, school_id: SchoolId) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The school, its mentors and mentees (rows of ``schools``) and the pairs joining them."""
    as_mentee, as_mentor = related_pairs(pairs, school_id)
    linked = pd.concat([as_mentee, as_mentor], ignore_index=True)
    ids = {school_id, *linked["mentor_school_id"], *linked["mentee_school_id"]}
    return schools[schools["school_id"].isin(ids)].reset_index(drop=True), linked


def list_reconciliation(store: Store, school_id: SchoolId, region_id: RegionId, year: int, list_year: int | None,
                        params: dict) -> dict:
    """The official list membership next to the computed low-results category, with the numbers
    a sentence needs: ``official`` (on the official list of ``list_year``), ``computed`` (the
    rule's bottom share in every results year), ``share``, and per results year the school's
    place from the bottom (``rank``), the schools ranked and the last place inside the cut (``cut_rank``)."""
    import math

    from analytics import identification
    official = False
    if list_year is not None:
        lists = official_lists(store, school_id)
        official = bool(((lists["year"] == list_year) & (lists["category"] == "low_results")).any())
    share = float(params["low_results"]["bottom_share"])
    index = identification.index_for(store, region_id, year, params)
    years = identification.results_years(params, year)
    own = index[(index["school_id"] == school_id) & index["year"].isin(years)]
    places = []
    for y in years:
        row = own[own["year"] == y]
        if row.empty or pd.isna(row.iloc[0]["rank_from_bottom"]):
            places.append({"year": y, "rank": None, "ranked": None, "cut_rank": None})
            continue
        ranked = int(row.iloc[0]["n_ranked"])
        places.append({"year": y, "rank": int(row.iloc[0]["rank_from_bottom"]), "ranked": ranked,
                       "cut_rank": max(1, math.ceil(share * ranked - 1e-9))})
    flags = identification.identify(store, region_id, year, params)
    computed = bool(((flags["school_id"] == school_id) & (flags["category"] == "low_results")).any())
    probability = identification.probability_for(store, region_id, year, params)
    probability = None if probability is None else float(probability.get(school_id, 0.0))
    return {"official": official, "computed": computed, "share": share, "list_year": list_year, "places": places,
            "probability": probability,
            "min_probability": float(params["low_results"].get("min_probability", 0.0))}
