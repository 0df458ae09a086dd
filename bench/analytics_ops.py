"""The analytics operations at national scale: project function, pandas baseline, expert query, floor."""
from __future__ import annotations

import datetime as dt
from typing import Callable, NamedTuple

import numpy as np
import pandas as pd

from analytics import dynamics, identification, indicators, mentoring, overview, risks, roadmaps
from analytics.query import Pooling, Query
from bench import baselines, expert, mentoring_baseline

YEAR = 2026
AS_OF = dt.date(2026, 11, 22)

class Operation(NamedTuple):
    name: str
    project: Callable[[], object]
    pandas: Callable[[], object]
    floor_sql: str                     # DuckDB's bare scan of exactly the columns the operation needs
    check: Callable[[object, object], str | None]   # None when the figures agree, else what differs
    expert: Callable[[], object] | None = None       # the single best DuckDB query, through Arrow


def _frame(value) -> pd.DataFrame:
    return value if isinstance(value, pd.DataFrame) else pd.DataFrame([value])


def same_values(keys: dict[str, str], columns: dict[str, str], exact: tuple[str, ...] = ()) -> Callable:
    """A check comparing two frames row by row on their keys: ``keys``/``columns`` map the
    project's column names to the other's. Numbers to 1e-9 (relative), ``exact`` ones equal."""
    def check(project, other) -> str | None:
        a, b = _frame(project), _frame(other)
        a = a[list(keys) + list(columns)].rename(columns=lambda c: c)
        b = b[list(keys.values()) + list(columns.values())].rename(
            columns={v: k for k, v in {**keys, **columns}.items()})
        if len(a) != len(b):
            return f"{len(a)} rows against {len(b)}"
        if not keys:      # one row each
            merged = a.reset_index(drop=True).join(b.reset_index(drop=True), rsuffix="_other").assign(_merge="both")
        else:
            merged = a.merge(b, on=list(keys), how="outer", suffixes=("", "_other"), indicator=True)
        if (merged["_merge"] != "both").any():
            return f"{int((merged['_merge'] != 'both').sum())} keys in one only"
        for column in columns:
            x, y = merged[column], merged[column + "_other"]
            if column in exact or not pd.api.types.is_numeric_dtype(x):
                bad = ~((x.astype(str) == y.astype(str)) | (x.isna() & y.isna()))
            else:
                x, y = x.astype(float).to_numpy(), y.astype(float).to_numpy()
                bad = ~(np.isclose(x, y, rtol=1e-9, atol=1e-12) | (np.isnan(x) & np.isnan(y)))
            if bad.any():
                return f"{column}: {int(bad.sum())} values differ"
        return None
    return check


def same_rows(columns: tuple[str, ...]) -> Callable:
    """The same rows (as a multiset) in ``columns``."""
    def check(project, other) -> str | None:
        a = sorted(map(str, project[list(columns)].itertuples(index=False)))
        b = sorted(map(str, other[list(columns)].itertuples(index=False)))
        return None if a == b else f"{len(set(a) ^ set(b))} rows differ"
    return check


def same_pairs(mentee: str, mentor: str) -> Callable:
    def check(project, other) -> str | None:
        a = set(zip(project["mentee_school_id"], project["mentor_school_id"]))
        b = set(zip(other[mentee], other[mentor]))
        return None if a == b else f"{len(a ^ b)} pairs differ"
    return check


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
        schools = expert.arrow_frame(con, identification.SCHOOLS_OF_REGION, {"region_id": None})
        low, cuts = identification.rule_low_results(index, params, YEAR)
        parts = [low, identification.rule_social_risk(schools, params),
                 identification.rule_resilient(index, schools, params, YEAR),
                 identification.rule_risk_zone(index, params, YEAR, cuts, low),
                 identification.biased_flags(index, baselines.vpr_higher(con, last), params, YEAR)]
        return pd.concat(parts, ignore_index=True)

    indicator_values = {"n": "n", "s1": "s1", "value": "value", "ci_low": "ci_low", "ci_high": "ci_high"}
    return [
        Operation("indicators: every school, one year, all indicators (pooled grades/subjects)",
                  lambda: indicators.school_indicators(store, Query(year_from=YEAR, year_to=YEAR),
                                                       pooling=Pooling(grades=True, subjects=True)),
                  lambda: baselines.school_indicators(con, YEAR),
                  "SELECT max(school_id), max(procedure), sum(participants), sum(mean_score), sum(score_sd), "
                  "sum(n2), sum(n3), sum(n4), sum(n5), sum(n_below_min), sum(n_high), sum(n_lower), "
                  f"sum(n_confirmed), sum(n_higher) FROM results WHERE year = {YEAR} AND participants > 0",
                  same_values({"school_id": "school_id", "procedure": "procedure", "indicator": "indicator"},
                              indicator_values),
                  lambda: expert.indicators(con, YEAR)),
        Operation("dynamics: change vs last year, every school (ВПР quality)",
                  lambda: dynamics.changes(store, Query(year_to=YEAR, procedure="VPR"),
                                           pooling=Pooling(grades=True, subjects=True), indicators=("quality",)),
                  lambda: baselines.quality_changes(con, YEAR),
                  f"SELECT max(school_id), sum(year), sum(participants), sum(n4), sum(n5) FROM results "
                  f"WHERE procedure = 'VPR' AND year BETWEEN {YEAR - 1} AND {YEAR} AND participants > 0",
                  # the interval's own verdict: the product then keeps a flag only under
                  # Benjamini–Hochberg across the schools (change_verdict), which neither reference does
                  same_values({"unit_id": "school_id"}, {"value": "value", "delta": "delta",
                                                         "raw_verdict": "change_verdict"}),
                  lambda: expert.quality_changes(con, YEAR)),
        Operation("dynamics: 5-year trend, every school (ВПР quality)",
                  lambda: dynamics.trends(store, Query(year_from=YEAR - 4, year_to=YEAR, procedure="VPR"),
                                          pooling=Pooling(grades=True, subjects=True), indicators=("quality",)),
                  lambda: baselines.quality_trends(con, YEAR - 4, YEAR),
                  f"SELECT max(school_id), sum(year), sum(participants), sum(n4), sum(n5) FROM results "
                  f"WHERE procedure = 'VPR' AND year BETWEEN {YEAR - 4} AND {YEAR} AND participants > 0",
                  same_values({"unit_id": "school_id"}, {"years": "years", "slope": "slope", "slope_se": "slope_se"}),
                  lambda: expert.quality_trends(con, YEAR - 4, YEAR)),
        Operation("identification: every category, all 85 regions",
                  lambda: identification.identify(store, None, YEAR, params),
                  ident_pandas,
                  "SELECT max(school_id), sum(year), max(procedure), max(subject_id), sum(participants), sum(n2), "
                  f"sum(n3), sum(n4), sum(n5), sum(n_below_min), sum(n_higher) FROM results "
                  f"WHERE year BETWEEN {first} AND {last}",
                  same_rows(("school_id", "category", "reason_key", "reason_params"))),
        Operation("roadmap completion at a date, whole country",
                  lambda: roadmaps.completion(store, roadmaps.RoadmapFilter(None, None, YEAR), AS_OF),
                  lambda: baselines.roadmap_completion(con, YEAR, AS_OF),
                  "SELECT count(u.due_date), max(u.status), count(u.completed_on), count(u.updated_at), "
                  "count(r.period_end) FROM measure_status u JOIN measures USING (measure_id) "
                  "JOIN roadmaps r USING (roadmap_id)",
                  same_values({}, {c: c for c in ("planned", "done", "done_on_time", "due", "overdue")}),
                  lambda: expert.completion(con, YEAR, AS_OF)),
        Operation("risk level counts per factor, whole country",
                  lambda: risks.level_counts(store, None, None, profile_year, catalogue),
                  lambda: baselines.risk_level_counts(con, profile_year, catalogue),
                  f"SELECT max(factor_id), max(level), count(*) FROM risk_profiles WHERE year = {profile_year} "
                  f"AND catalogue_id = '{catalogue}'",
                  same_values({"factor_id": "factor_id"}, {c: c for c in ("high", "medium", "low", "schools")}),
                  lambda: expert.risk_level_counts(con, profile_year, catalogue)),
        Operation("mentor assignment: nearest, whole country",
                  lambda: mentoring.propose(store, None, None, YEAR, list_year, "nearest")["pairs"],
                  lambda: mentoring_baseline.nearest(con, YEAR, list_year),
                  mentoring_baseline.FLOOR.format(year=YEAR), same_pairs("school_id_e", "school_id_r")),
        Operation("mentor assignment: least total km with capacity, whole country",
                  lambda: mentoring.propose(store, None, None, YEAR, list_year, "total")["pairs"],
                  lambda: mentoring_baseline.least_total(con, YEAR, list_year),
                  mentoring_baseline.FLOOR.format(year=YEAR), same_pairs("mentee", "mentor")),
    ]
