"""The analytics operations at national scale: project function, pandas baseline, floor."""
from __future__ import annotations

import datetime as dt
from typing import Callable, NamedTuple

from analytics import dynamics, identification, indicators, mentoring, overview, risks, roadmaps
from bench import baselines, mentoring_baseline

YEAR = 2026
AS_OF = dt.date(2026, 11, 22)
RESULT_COLUMNS = ("school_id, year, procedure, subject_id, grade, participants, n2, n3, n4, n5, mean_score, "
                  "score_sd, n_below_min, n_high, n_lower, n_confirmed, n_higher")


class Operation(NamedTuple):
    name: str
    project: Callable[[], object]
    pandas: Callable[[], object]
    floor_sql: str                     # DuckDB's bare scan of the columns the operation needs
    check: Callable[[object, object], bool]


def _same_count(a, b) -> bool:
    return len(a) == len(b)


def operations(store) -> list[Operation]:
    con = store.cursor()
    params = identification.load_params()
    last = YEAR - 1
    first = identification.results_years(params, YEAR)[0]
    first = min(first, last - int(params["risk_zone"]["window_years"]) + 1, last - 1)
    catalogue = risks.default_catalogue(store)
    profile_year = risks.profile_year(store, catalogue, YEAR)
    list_year = overview.latest_list_year(store, YEAR)

    def ident_pandas():
        index = baselines.composite_index(con, first, last, params)
        schools = con.execute(identification.SCHOOLS_OF_REGION, {"region_id": None}).df()
        low, cuts = identification.rule_low_results(index, params, YEAR)
        parts = [low, identification.rule_social_risk(schools, params),
                 identification.rule_resilient(index, schools, params, YEAR),
                 identification.rule_risk_zone(index, params, YEAR, cuts, low),
                 identification.biased_flags(index, baselines.vpr_higher(con, last), params, YEAR)]
        import pandas as pd
        return pd.concat(parts, ignore_index=True)

    return [
        Operation("indicators: every school, one year, all indicators (pooled grades/subjects)",
                  lambda: indicators.school_indicators(store, None, year_from=YEAR, year_to=YEAR, pool_grades=True,
                                                       pool_subjects=True),
                  lambda: baselines.school_indicators(con, YEAR),
                  f"SELECT sum(hash({RESULT_COLUMNS})) FROM results WHERE year = {YEAR}", _same_count),
        Operation("dynamics: change vs last year, every school (ВПР quality)",
                  lambda: dynamics.changes(store, "school", None, None, YEAR, "VPR", pool_grades=True,
                                           pool_subjects=True, indicators=("quality",)),
                  lambda: baselines.quality_changes(con, YEAR),
                  f"SELECT sum(hash(school_id, year, procedure, participants, n4, n5)) FROM results "
                  f"WHERE procedure = 'VPR' AND year BETWEEN {YEAR - 1} AND {YEAR}", _same_count),
        Operation("dynamics: 5-year trend, every school (ВПР quality)",
                  lambda: dynamics.trends(store, "school", None, None, YEAR - 4, YEAR, "VPR", pool_grades=True,
                                          pool_subjects=True, indicators=("quality",)),
                  lambda: baselines.quality_trends(con, YEAR - 4, YEAR),
                  f"SELECT sum(hash(school_id, year, procedure, participants, n4, n5)) FROM results "
                  f"WHERE procedure = 'VPR' AND year BETWEEN {YEAR - 4} AND {YEAR}", _same_count),
        Operation("identification: every category, all 85 regions",
                  lambda: identification.identify(store, None, YEAR, params),
                  ident_pandas,
                  f"SELECT sum(hash(school_id, year, procedure, subject_id, participants, n2, n3, n4, n5, "
                  f"n_below_min, n_higher)) FROM results WHERE year BETWEEN {first} AND {last}", _same_count),
        Operation("roadmap completion at a date, whole country",
                  lambda: roadmaps.completion(store, roadmaps.RoadmapFilter(None, None, YEAR), AS_OF),
                  lambda: baselines.roadmap_completion(con, YEAR, AS_OF),
                  "SELECT sum(hash(u.due_date, u.status, u.completed_on, u.updated_at, r.period_end)) "
                  "FROM measure_status u JOIN measures USING (measure_id) JOIN roadmaps r USING (roadmap_id)",
                  lambda a, b: int(a.iloc[0]["done"]) == b["done"] and int(a.iloc[0]["planned"]) == b["planned"]),
        Operation("risk level counts per factor, whole country",
                  lambda: risks.level_counts(store, None, None, profile_year, catalogue),
                  lambda: baselines.risk_level_counts(con, profile_year, catalogue),
                  f"SELECT sum(hash(school_id, factor_id, level)) FROM risk_profiles WHERE year = {profile_year}",
                  lambda a, b: int(a["high"].sum()) == int(b["high"].sum())),
        Operation("mentor assignment: nearest, whole country",
                  lambda: mentoring.propose(store, None, None, YEAR, list_year, "nearest")["pairs"],
                  lambda: mentoring_baseline.nearest(con, YEAR, list_year),
                  mentoring_baseline.FLOOR.format(year=YEAR), _same_count),
        Operation("mentor assignment: least total km with capacity, whole country",
                  lambda: mentoring.propose(store, None, None, YEAR, list_year, "total")["pairs"],
                  lambda: mentoring_baseline.least_total(con, YEAR, list_year),
                  mentoring_baseline.FLOOR.format(year=YEAR), _same_count),
    ]
