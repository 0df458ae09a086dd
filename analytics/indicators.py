"""Result indicators per school / municipality / region, computed from counts in DuckDB.

Every indicator is the mean of a per-student value x over the N participants:
a share is the mean of a 0/1 value (x = 1 for the counted marks), средняя отметка the
mean of the mark, СОУ the mean of the weights 1 / 0.64 / 0.36 / 0.16, the ЕГЭ score the
mean test score. So each row of ``results`` contributes three additive moments

    n = N,  s1 = Σx,  s2 = Σx²

and any aggregate (grades, subjects, years, schools → municipality, region, group of
similar schools) is a plain SUM of the moments: value = s1/n, never an average of
percentages. For the ЕГЭ score s1 = mean·N and s2 = (N−1)·sd² + N·mean², which pools
school SDs and means exactly. Intervals (95 %): Wilson for shares, mean ± 1.96·SE with
SE = sqrt(var/n), var = (s2 − s1²/n)/(n − 1), for means (0 when s2 − s1²/n is rounding
noise: ``VARIANCE_NOISE``).

The registry ``INDICATORS`` is data; its names and one-line definitions live in the UI
catalogue under ``indicators.<code>`` / ``indicators.<code>_def``.
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import NamedTuple

import pandas as pd

from analytics.query import MunicipalityId, Pooling, Query, RegionId, default_min_n
from analytics.store import Store
from analytics.reads import reads

Z95 = 1.959963984540054
# Σx² − (Σx)²/n of a group whose students all have the same value is 0, but in floating point
# it comes out as a few units in the last place of Σx² (СОУ weights 0.64 etc. and ЕГЭ means are
# not exact binary fractions), and its square root would widen a zero-width interval by ~1e-8.
# A remainder at or below this share of Σx² is rounding, not spread: the variance is 0. (A real
# spread of marks or scores is many orders of magnitude above it.)
VARIANCE_NOISE = 1e-12
MARK_PROCEDURES = ("VPR", "OGE")


class Indicator(NamedTuple):
    code: str
    procedures: tuple[str, ...]
    kind: str                      # share | mean
    weights: tuple[tuple[str, float], ...] = ()   # per-student value by count column
    higher_is_better: bool | None = True          # None: no direction (descriptive only)
    denominator: str = "participants"
    decimals: int = 1              # for means; shares are shown as percentages


INDICATORS: tuple[Indicator, ...] = (
    Indicator("success", MARK_PROCEDURES, "share", (("n3", 1), ("n4", 1), ("n5", 1))),
    Indicator("quality", MARK_PROCEDURES, "share", (("n4", 1), ("n5", 1))),
    Indicator("share2", MARK_PROCEDURES, "share", (("n2", 1),), higher_is_better=False),
    Indicator("mean_mark", MARK_PROCEDURES, "mean", (("n2", 2), ("n3", 3), ("n4", 4), ("n5", 5)), decimals=2),
    Indicator("sou", MARK_PROCEDURES, "mean", (("n2", 0.16), ("n3", 0.36), ("n4", 0.64), ("n5", 1)), decimals=3),
    Indicator("ege_mean", ("EGE",), "mean", (), decimals=1),
    Indicator("below_min", ("EGE",), "share", (("n_below_min", 1),), higher_is_better=False),
    Indicator("high_score", ("EGE",), "share", (("n_high", 1),)),
    Indicator("vpr_lower", ("VPR",), "share", (("n_lower", 1),), higher_is_better=None),
    Indicator("vpr_confirmed", ("VPR",), "share", (("n_confirmed", 1),)),
    Indicator("vpr_higher", ("VPR",), "share", (("n_higher", 1),), higher_is_better=False),
)
BY_CODE = {i.code: i for i in INDICATORS}
DEFAULT_INDICATOR = {"VPR": "quality", "OGE": "quality", "EGE": "ege_mean"}


def for_procedure(procedure: str | None) -> list[Indicator]:
    return [i for i in INDICATORS if procedure is None or procedure in i.procedures]


def _presence(indicator: Indicator) -> str:
    """The column whose presence (NOT NULL) says a results row carries this indicator."""
    return "mean_score" if indicator.code == "ege_mean" else indicator.weights[0][0]


def _selected(indicators) -> tuple[Indicator, ...]:
    """The registry entries asked for (all of them for ``None``), in registry order."""
    if indicators is None:
        return INDICATORS
    wanted = set(indicators)
    return tuple(i for i in INDICATORS if i.code in wanted) or INDICATORS[:1]


def _wide_columns(aggregate: bool, chosen: tuple[Indicator, ...] = INDICATORS) -> str:
    """Per unit: sums of the count columns, participants per presence column, ЕГЭ moments
    (only what the ``chosen`` indicators need)."""
    def agg(expr: str) -> str:
        # Counts are summed as DOUBLE (exact below 2^53): integer sums would be HUGEINT, which is
        # several times slower to aggregate and to hand over to pandas.
        return f"sum(CAST({expr} AS DOUBLE))" if aggregate else expr
    counts = sorted({col for ind in chosen for col, _ in ind.weights})
    presences = sorted({_presence(ind) for ind in chosen})
    parts = [f"{agg(f'r.{c}')} AS {c}" for c in counts]
    parts += [f"{agg(f'CASE WHEN r.{p} IS NOT NULL THEN r.participants END')} AS n_{p}" for p in presences]
    if any(ind.code == "ege_mean" for ind in chosen):
        parts.append(f"{agg('r.mean_score * r.participants')} AS ege_s1")
        parts.append(f"{agg('(r.participants - 1) * coalesce(r.score_sd, 0) ^ 2 + r.participants * r.mean_score ^ 2')}"
                     " AS ege_s2")
    return ",\n           ".join(parts)


def _per_indicator_columns(chosen: tuple[Indicator, ...]) -> tuple[str, str]:
    """Three columns per indicator (n if the procedure has it, Σx, Σx²) and the UNPIVOT groups
    that turn them into one row per indicator."""
    columns, groups = [], []
    for ind in chosen:
        procs = ", ".join(f"'{p}'" for p in ind.procedures)
        if ind.code == "ege_mean":
            s1, s2 = "w.ege_s1", "w.ege_s2"
        else:
            s1 = " + ".join(f"{wt!r} * w.{col}" for col, wt in ind.weights)
            s2 = " + ".join(f"{wt * wt!r} * w.{col}" for col, wt in ind.weights)
        columns.append(f"CASE WHEN w.procedure IN ({procs}) THEN w.n_{_presence(ind)} END AS {ind.code}_n, "
                       f"{s1} AS {ind.code}_s1, {s2} AS {ind.code}_s2")
        groups.append(f"({ind.code}_n, {ind.code}_s1, {ind.code}_s2) AS {ind.code}")
    return ",\n           ".join(columns), ", ".join(groups)


# Unit of aggregation -> SQL expression (code constants spliced into the query).
LEVELS = {
    "school": "r.school_id",
    "municipality": "s.municipality_id",
    "region": "m.region_id",
    # similar schools: same type, urban/rural, social-context band of width 0.2
    "similar": ("s.school_type || '|' || CASE WHEN s.is_rural THEN 'rural' ELSE 'urban' END || '|' || "
                "CAST(least(floor(coalesce(s.social_index, 0.5) * 5), 4) AS INTEGER)"),
}

_FILTERS = """
    ($region_id IS NULL OR m.region_id = $region_id)
    AND ($municipality_id IS NULL OR s.municipality_id = $municipality_id)
    AND ($school_id IS NULL OR r.school_id = $school_id)
    AND r.year BETWEEN coalesce($year_from, 0) - ($pool_years - 1) AND coalesce($year_to, 9999)
    AND ($procedure IS NULL OR r.procedure = $procedure)
    AND ($subject_id IS NULL OR r.subject_id = $subject_id)
    AND ($grade IS NULL OR r.grade = $grade)
    AND r.participants > 0
"""


def moments_sql(level: str, pool_grades: bool, pool_subjects: bool, window: bool = False,
                indicators: tuple[str, ...] | None = None) -> str:
    """SQL of the moments table: unit_id, year, procedure, subject_id, grade, indicator, n, s1, s2.

    Counts are summed per unit first (one wide row per unit x year x slice), then unpivoted
    into one row per indicator (only the ``indicators`` asked for; all for ``None``). Pooled
    grades/subjects are NULL in their column. With ``window`` (use when ``$pool_years`` > 1)
    each year holds the sum over that year and the preceding ``pool_years - 1`` years.
    """
    chosen = _selected(indicators)
    unit = LEVELS[level]
    subject = "CAST(NULL AS VARCHAR)" if pool_subjects else "r.subject_id"
    grade = "CAST(NULL AS SMALLINT)" if pool_grades else "r.grade"
    # A school row is already unique per school x year x procedure x subject x grade: no GROUP BY needed.
    unique = level == "school" and not pool_grades and not pool_subjects
    procedures = sorted({p for ind in chosen for p in ind.procedures})
    # Only the rows of procedures the chosen indicators use. With a procedure given the filter
    # on $procedure already does it: the condition folds to TRUE (otherwise DuckDB checks it on
    # every row, after the scan).
    only = ("" if len(procedures) == 3 else
            f"AND ($procedure IS NOT NULL OR r.procedure IN ({', '.join(repr(p) for p in procedures)}))")
    joins = "JOIN schools s USING (school_id) JOIN municipalities m USING (municipality_id)"
    filters, having = _FILTERS, ""
    if level == "school":
        # Per school the geography is only a filter: a semi-join on the schools in scope, applied
        # to the per-school sums (tens of thousands of rows) rather than to every results row
        # (millions) when there is a GROUP BY.
        joins = ""
        geo = ("($region_id IS NULL OR m.region_id = $region_id)\n"
               "    AND ($municipality_id IS NULL OR s.municipality_id = $municipality_id)")
        in_scope = ("{column} IN (SELECT s.school_id FROM schools s JOIN municipalities m USING (municipality_id)\n"
                    "        WHERE ($region_id IS NULL OR m.region_id = $region_id)\n"
                    "          AND ($municipality_id IS NULL OR s.municipality_id = $municipality_id))")
        assert geo in _FILTERS
        if unique:
            filters = _FILTERS.replace(geo, in_scope.format(column="r.school_id"))
        else:
            filters = _FILTERS.replace(geo, "TRUE")
            having = "HAVING " + in_scope.format(column="r.school_id")
    wide = f"""
    SELECT {unit} AS unit_id, r.year, r.procedure, {subject} AS subject_id, {grade} AS grade,
           {_wide_columns(not unique, chosen)}
    FROM results r
    {joins}
    WHERE {filters} {only}
    {"" if unique else "GROUP BY ALL"} {having}"""
    columns, groups = _per_indicator_columns(chosen)
    long = f"""
    SELECT unit_id, year, procedure, subject_id, grade, indicator, n, s1, s2
    FROM (UNPIVOT (SELECT w.unit_id, w.year, w.procedure, w.subject_id, w.grade,
           {columns}
           FROM wide w)
          ON {groups} INTO NAME indicator VALUE n, s1, s2)
    WHERE n > 0"""
    if not window:
        return f"WITH wide AS ({wide}),\nlong AS ({long})\nSELECT * FROM long WHERE year >= coalesce($year_from, 0)"
    return f"""
WITH wide AS ({wide}),
long AS ({long}),
pooled AS (
    SELECT unit_id, year, procedure, subject_id, grade, indicator,
           sum(n) OVER w AS n, sum(s1) OVER w AS s1, sum(s2) OVER w AS s2
    FROM long
    WINDOW w AS (PARTITION BY unit_id, procedure, subject_id, grade, indicator
                 ORDER BY year RANGE BETWEEN ($pool_years - 1) PRECEDING AND CURRENT ROW)
)
SELECT * FROM pooled WHERE year >= coalesce($year_from, 0)
"""


def values_sql(level: str, pool_grades: bool, pool_subjects: bool, window: bool = False,
               indicators: tuple[str, ...] | None = None) -> str:
    """Moments plus value, SE and 95 % interval (Wilson for shares)."""
    kinds = " ".join(f"WHEN '{i.code}' THEN '{i.kind}'" for i in INDICATORS)
    return f"""
WITH mom AS ({moments_sql(level, pool_grades, pool_subjects, window, indicators)}),
v AS (
    SELECT *, CASE indicator {kinds} END AS kind,
           s1 / n AS value,
           CASE WHEN n > 1 THEN CASE WHEN spread > {VARIANCE_NOISE!r} * s2 THEN spread / (n - 1) ELSE 0 END
           END AS variance
    FROM (SELECT *, s2 - s1 * s1 / n AS spread FROM mom)
)
SELECT unit_id, year, procedure, subject_id, grade, indicator, kind, n, s1, s2, value,
       CASE WHEN kind = 'share' THEN sqrt(value * (1 - value) / n) ELSE sqrt(variance / n) END AS se,
       CASE WHEN kind = 'share'
            THEN (value + $z * $z / (2 * n) - $z * sqrt(value * (1 - value) / n + $z * $z / (4 * n * n)))
                 / (1 + $z * $z / n)
            ELSE value - $z * sqrt(variance / n) END AS ci_low,
       CASE WHEN kind = 'share'
            THEN (value + $z * $z / (2 * n) + $z * sqrt(value * (1 - value) / n + $z * $z / (4 * n * n)))
                 / (1 + $z * $z / n)
            ELSE value + $z * sqrt(variance / n) END AS ci_high,
       n >= $min_n AS enough
FROM v
"""


def params(q: Query, *, pool_years: int = 1, min_n: int = 10) -> dict:
    """The named SQL parameters of a query (see ``_FILTERS``)."""
    return {"region_id": q.region_id, "municipality_id": q.municipality_id, "school_id": q.school_id,
            "year_from": q.year_from, "year_to": q.year_to, "procedure": q.procedure, "subject_id": q.subject_id,
            "grade": None if q.grade is None else int(q.grade), "pool_years": int(pool_years),
            "min_n": int(min_n), "z": Z95}


def used(sql: str, values: dict) -> dict:
    """Only the named parameters the SQL text uses (DuckDB rejects extra ones)."""
    names = set(re.findall(r"\$([a-z_]+)", sql))
    return {k: v for k, v in values.items() if k in names}


ORDERED = """
SELECT * REPLACE (CAST(year AS BIGINT) AS year, CAST(n AS BIGINT) AS n)
FROM ({sql})
ORDER BY {order}
"""
ORDER = ("unit_id", "procedure", "indicator", "year", "subject_id NULLS FIRST", "grade NULLS FIRST")


def order_by(single_year: bool, one_subject: bool, one_grade: bool) -> str:
    """The frame's sort keys, leaving out a column that holds one value (the sort costs as much
    as the aggregation for a national frame of one row per school × indicator)."""
    constant = {"year": single_year, "subject_id NULLS FIRST": one_subject, "grade NULLS FIRST": one_grade}
    return ", ".join(key for key in ORDER if not constant.get(key, False))


@reads("municipalities", "results", "schools")
def aggregate(store: Store, q: Query, *, pooling: Pooling = Pooling(), min_n: int | None = None,
              indicators: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Indicators per unit of ``q.level`` (school | municipality | region | similar) within
    ``q.territory``, from counts.

    Long frame: unit_id, year, procedure, subject_id, grade, indicator, kind, n, s1, s2,
    value, se, ci_low, ci_high, enough (n ≥ min_n; the settings' threshold for ``None``).
    A territory with ``region_id=None`` means every region.
    """
    if min_n is None:
        min_n = default_min_n()
    # Only the indicators asked for are computed, and DuckDB sorts: the frame is built once.
    order = order_by(q.single_year, pooling.subjects or q.subject_id is not None,
                     pooling.grades or q.grade is not None)
    sql = ORDERED.format(sql=values_sql(q.level, pooling.grades, pooling.subjects, pooling.years > 1, indicators),
                         order=order)
    if indicators is not None and not set(indicators) & set(BY_CODE):
        sql += " LIMIT 0"   # nothing known asked for: an empty frame with the usual columns
    return store.query_frame(sql, used(sql, params(q, pool_years=pooling.years, min_n=min_n)))


def school_indicators(store: Store, q: Query, *, pooling: Pooling = Pooling(), min_n: int | None = None,
                      indicators: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Per-school indicators (same columns as :func:`aggregate`, ``school_id`` for ``unit_id``)."""
    frame = aggregate(store, replace(q, level="school"), pooling=pooling, min_n=min_n, indicators=indicators)
    return frame.rename(columns={"unit_id": "school_id"})


MARKS = """
SELECT r.year, r.procedure,
       sum(r.participants) AS n, sum(r.n2) AS n2, sum(r.n3) AS n3, sum(r.n4) AS n4, sum(r.n5) AS n5,
       sum(r.n_below_min) AS n_below_min, sum(r.n_high) AS n_high,
       sum(r.n_lower) AS n_lower, sum(r.n_confirmed) AS n_confirmed, sum(r.n_higher) AS n_higher
FROM results r JOIN schools s USING (school_id) JOIN municipalities m USING (municipality_id)
WHERE {filters}
GROUP BY r.year, r.procedure
ORDER BY r.year
"""


@reads("municipalities", "results", "schools")
def mark_counts(store: Store, q: Query) -> pd.DataFrame:
    """Summed counts per year within the query (marks 2–5, ЕГЭ bands, ВПР vs journal) for the
    distribution charts."""
    sql = MARKS.format(filters=_FILTERS)
    return store.query_df(sql, used(sql, params(q, min_n=0)))


GROUP_MARKS = """
SELECT {unit} AS unit_id,
       sum(r.participants) AS n, sum(r.n_lower) AS n_lower, sum(r.n_confirmed) AS n_confirmed,
       sum(r.n_higher) AS n_higher
FROM results r JOIN schools s USING (school_id) JOIN municipalities m USING (municipality_id)
WHERE {filters} AND r.procedure = 'VPR'
GROUP BY ALL
"""


@reads("municipalities", "results", "schools")
def objectivity(store: Store, level: str, region_id: RegionId | None, municipality_id: MunicipalityId | None, year: int,
                subject_id: str | None = None, grade: int | None = None) -> pd.DataFrame:
    """ВПР vs journal marks per unit for one year: n, n_lower, n_confirmed, n_higher and shares."""
    sql = GROUP_MARKS.format(unit=LEVELS[level], filters=_FILTERS)
    q = Query.of(region_id, municipality_id, year_from=year, year_to=year, procedure="VPR", subject_id=subject_id,
                 grade=grade)
    frame = store.query_df(sql, used(sql, params(q)))
    for column in ("n_lower", "n_confirmed", "n_higher"):
        frame[column.replace("n_", "share_")] = frame[column] / frame["n"]
    return frame.sort_values("share_higher", ascending=False).reset_index(drop=True)
