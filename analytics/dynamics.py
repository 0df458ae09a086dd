"""Dynamics of indicators: change vs the previous period and the trend over 3+ years.

Both run in DuckDB on top of :func:`analytics.indicators.values_sql`:

* change: value(year) − value(year − p), where p = ``pool_years`` (with pooled years the
  previous window does not overlap the current one). 95 % interval: Newcombe's hybrid
  score interval (from the two Wilson intervals) for shares, ±1.96·sqrt(SE₁² + SE₀²)
  for means. Shown as significant only when the interval excludes zero, and only when
  both values rest on at least ``min_n`` participants.
* trend: weighted least squares slope over the years with n ≥ min_n (at least
  ``min_years`` of them), weights 1/SE² (shares: Agresti–Coull variance, never zero).
  SE of the slope = sqrt(φ / Σw(x − x̄)²) with φ = max(1, weighted RSS/(k − 2)), so that
  year-to-year swings larger than sampling noise widen the interval. 95 % normal interval.
"""
from __future__ import annotations

from dataclasses import replace

import pandas as pd

from analytics import multiplicity, small_numbers
from analytics.indicators import INDICATORS, params, used, values_sql
from analytics.query import Pooling, Query, default_min_n
from analytics.store import Store

KEYS = "unit_id, procedure, subject_id, grade, indicator"
_DIRECTION = " ".join(
    f"WHEN '{i.code}' THEN {0 if i.higher_is_better is None else (1 if i.higher_is_better else -1)}"
    for i in INDICATORS)
_VERDICT = """
    CASE WHEN {low} IS NULL OR NOT ({enough}) THEN 'insufficient'
         WHEN {low} > 0 THEN CASE direction WHEN 1 THEN 'improved' WHEN -1 THEN 'declined' ELSE 'up' END
         WHEN {high} < 0 THEN CASE direction WHEN 1 THEN 'declined' WHEN -1 THEN 'improved' ELSE 'down' END
         ELSE 'no_change' END
"""


def change_sql(level: str, pool_grades: bool, pool_subjects: bool, window: bool = False,
               indicators: tuple[str, ...] | None = None) -> str:
    verdict = _VERDICT.format(low="delta_low", high="delta_high", enough="enough AND prev_enough")
    return f"""
WITH vals AS ({values_sql(level, pool_grades, pool_subjects, window, indicators)}),
cur AS (SELECT * FROM vals WHERE year = $year),
prev AS (SELECT * FROM vals WHERE year = $year - $pool_years),
joined AS (
    SELECT c.*, CASE c.indicator {_DIRECTION} END AS direction,
           p.year AS prev_year, p.n AS prev_n, p.value AS prev_value, p.se AS prev_se,
           p.ci_low AS prev_ci_low, p.ci_high AS prev_ci_high, coalesce(p.enough, FALSE) AS prev_enough,
           c.value - p.value AS delta
    FROM cur c LEFT JOIN prev p
      ON p.unit_id = c.unit_id AND p.procedure = c.procedure AND p.indicator = c.indicator
     AND p.subject_id IS NOT DISTINCT FROM c.subject_id AND p.grade IS NOT DISTINCT FROM c.grade
),
d AS (
    SELECT *,
        CASE WHEN kind = 'share'
             THEN delta - sqrt((value - ci_low) ^ 2 + (prev_ci_high - prev_value) ^ 2)
             ELSE delta - $z * sqrt(se ^ 2 + prev_se ^ 2) END AS delta_low,
        CASE WHEN kind = 'share'
             THEN delta + sqrt((ci_high - value) ^ 2 + (prev_value - prev_ci_low) ^ 2)
             ELSE delta + $z * sqrt(se ^ 2 + prev_se ^ 2) END AS delta_high
    FROM joined
)
SELECT *, {verdict} AS change_verdict FROM d
"""


def trend_sql(level: str, pool_grades: bool, pool_subjects: bool,
              indicators: tuple[str, ...] | None = None) -> str:
    verdict = _VERDICT.format(low="slope_low", high="slope_high", enough="TRUE")
    return f"""
WITH vals AS ({values_sql(level, pool_grades, pool_subjects, indicators=indicators)}),
w AS (
    SELECT {KEYS}, CAST(year - 2000 AS DOUBLE) AS x, value AS y,
           1.0 / CASE WHEN kind = 'share'
                      THEN ((s1 + 2) / (n + 4)) * (1 - (s1 + 2) / (n + 4)) / (n + 4)
                      ELSE greatest(se * se, 1e-9) END AS w
    FROM vals WHERE enough AND se IS NOT NULL
),
sums AS (
    SELECT {KEYS}, count(*) AS years, sum(w) AS sw, sum(w * x) AS sx, sum(w * y) AS sy,
           sum(w * x * x) AS sxx, sum(w * x * y) AS sxy, sum(w * y * y) AS syy
    FROM w GROUP BY ALL HAVING count(*) >= $min_years
),
fit AS (
    SELECT *, sxx - sx * sx / sw AS sxx_c, sxy - sx * sy / sw AS sxy_c, syy - sy * sy / sw AS syy_c
    FROM sums
),
slope AS (
    SELECT {KEYS}, years, sxy_c / sxx_c AS slope,
           sqrt(greatest(1.0, greatest(syy_c - sxy_c * sxy_c / sxx_c, 0) / (years - 2)) / sxx_c) AS slope_se,
           CASE indicator {_DIRECTION} END AS direction
    FROM fit WHERE sxx_c > 0
),
ci AS (SELECT *, slope - $z * slope_se AS slope_low, slope + $z * slope_se AS slope_high FROM slope)
SELECT * EXCLUDE (direction), {verdict} AS trend_verdict FROM ci
"""


def _call(store: Store, sql: str, q: Query, pool_years: int, min_n: int | None, extra: dict) -> pd.DataFrame:
    values = params(q, pool_years=pool_years, min_n=default_min_n() if min_n is None else min_n)
    values.update(extra)
    return store.query_frame(sql, used(sql, values))


def changes(store: Store, q: Query, *, pooling: Pooling = Pooling(), min_n: int | None = None,
            indicators: tuple[str, ...] | None = None, fdr_q: float | None = None) -> pd.DataFrame:
    """Per unit of ``q.level``: the value of year ``q.year_to`` with its interval, the previous
    period's (``pooling.years`` earlier), the change and its interval (``q.year_from`` is not used).

    ``change_verdict``: improved | declined (direction-aware), up | down (no direction),
    no_change (interval includes 0), insufficient (a side below min_n or missing). For schools
    the flags are controlled across the schools of the table by Benjamini–Hochberg at ``fdr_q``
    (analytics/multiplicity.py; ``raw_verdict`` keeps the interval's own answer).
    """
    year, pool_years = int(q.year_to), pooling.years
    sql = change_sql(q.level, pooling.grades, pooling.subjects, pool_years > 1, indicators)
    frame = _call(store, sql, replace(q, year_from=year - pool_years), pool_years, min_n, {"year": year})
    if indicators is not None:
        # The SQL computes only the indicators asked for (the first of the registry when none is
        # known): a copy of the frame only when there is something to drop.
        keep = frame["indicator"].isin(list(indicators)).to_numpy()
        if not keep.all():
            frame = frame[keep].reset_index(drop=True)
    frame = small_numbers.suppress_changes(frame)
    if q.level == "school":
        if fdr_q is None:
            from analytics.config import load_settings
            fdr_q = float(load_settings().extra.get("fdr_q", multiplicity.DEFAULT_Q))
        if q.municipality_id is not None and q.region_id is not None:
            # The family is always the region's schools: a school's flag must not depend on
            # whether the page is filtered to its municipality (passport vs «Результаты»).
            region = changes(store, q.at(municipality_id=None), pooling=pooling, min_n=min_n,
                             indicators=indicators, fdr_q=fdr_q)
            return region[region["unit_id"].isin(set(frame["unit_id"]))].reset_index(drop=True)
        frame = multiplicity.control(frame, fdr_q)
    return frame


def trends(store: Store, q: Query, *, pooling: Pooling = Pooling(), min_years: int = 3, min_n: int | None = None,
           indicators: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Per unit of ``q.level``: WLS slope per year over ``q.year_from..q.year_to`` with its
    interval and ``trend_verdict`` (``pooling.years`` is not used)."""
    sql = trend_sql(q.level, pooling.grades, pooling.subjects, indicators)
    frame = _call(store, sql, q, 1, min_n, {"min_years": int(min_years)})
    if indicators is not None:
        frame = frame[frame["indicator"].isin(list(indicators))]
    return frame.reset_index(drop=True)


def summary(store: Store, q: Query, indicator: str, *, pooling: Pooling = Pooling(), trend_years: int = 5,
            min_n: int | None = None) -> pd.DataFrame:
    """One indicator: change (year ``q.year_to``) and trend (the ``trend_years`` up to it) side
    by side, one row per unit (and subject/grade if not pooled)."""
    keys = ["unit_id", "procedure", "subject_id", "grade", "indicator"]
    year = int(q.year_to)
    change = changes(store, q, pooling=pooling, min_n=min_n, indicators=(indicator,))
    trend = trends(store, replace(q, year_from=year - trend_years + 1), pooling=replace(pooling, years=1),
                   min_n=min_n, indicators=(indicator,))
    trend = trend[keys + ["years", "slope", "slope_se", "slope_low", "slope_high", "trend_verdict"]]
    merged = change.merge(trend, on=keys, how="left")
    merged["trend_verdict"] = merged["trend_verdict"].fillna("insufficient")
    return merged
