"""Teachers and methodological support: coverage, diagnostic dynamics, deficits, and the
association of students' results with teachers' deficits (no Streamlit here).

Everything is aggregated per school × year × round × subject; no teacher is identified.

Year snapshot: coverage and deficits of a year use, per school × subject, the latest
diagnostic round of that year (round 2 when present, else round 1).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analytics.reference import kpi_defaults
from analytics.scope import GEO_CONDITION
from analytics.query import MunicipalityId, Query, RegionId
from analytics.store import Store
from analytics.reads import reads

# Target ids in kpi_targets (see analytics/reference/kpi_defaults.csv).
TARGET_IDS = ("teachers_routes", "teachers_consultations", "teachers_positive_dynamics")
# Coverage indicators: share column -> (numerator, denominator, target id or None).
INDICATORS = {
    "route_share": ("with_route", "teachers_total", "teachers_routes"),
    "consultations_share": ("in_consultations", "teachers_total", "teachers_consultations"),
    "positive_share": ("level_rose", "rose_base", "teachers_positive_dynamics"),
    "diagnosed_share": ("diagnosed", "teachers_total", None),
    "trained_share": ("trained", "teachers_total", None),
    "mentoring_share": ("in_mentoring", "teachers_total", None),
}
# Results subjects whose teachers are recorded under another subject id.
RESULTS_TO_TEACHER_SUBJECT = {"math_prof": "math"}
# Join-view rules (docs/methodology/teachers.md): a fall of at least this many share points,
# on at least settings.min_n participants in each year, counts as "results fell".
FALL_THRESHOLD = 0.05
MOST_TEACHERS = 0.5

# Per school × subject: the latest round of the year, in the geography and subject chosen.
SNAPSHOT = f"""
SELECT td.school_id, s.short_name, s.municipality_id, m.name AS municipality_name,
       td.year, td.round, td.subject_id, td.teachers_total, td.teachers_diagnosed, td.diagnostic_mean,
       td.teachers_level_rose, td.teachers_with_route, td.teachers_trained,
       td.teachers_in_consultations, td.teachers_in_mentoring
FROM teacher_development td
JOIN schools s USING (school_id)
JOIN municipalities m ON m.municipality_id = s.municipality_id
WHERE td.year = $year AND {GEO_CONDITION}
  AND ($subject_id IS NULL OR td.subject_id = $subject_id)
QUALIFY td.round = max(td.round) OVER (PARTITION BY td.school_id, td.subject_id)
"""

_SUMS = """
       count(DISTINCT r.school_id)                                                   AS schools,
       sum(r.teachers_total)::BIGINT                                                         AS teachers_total,
       sum(r.teachers_diagnosed)::BIGINT                                                     AS diagnosed,
       sum(r.teachers_with_route)::BIGINT                                                    AS with_route,
       sum(r.teachers_trained)::BIGINT                                                       AS trained,
       sum(r.teachers_in_consultations)::BIGINT                                              AS in_consultations,
       sum(r.teachers_in_mentoring)::BIGINT                                                  AS in_mentoring,
       coalesce(sum(r.teachers_level_rose), 0)::BIGINT                                       AS level_rose,
       coalesce(sum(r.teachers_diagnosed) FILTER (WHERE r.teachers_level_rose IS NOT NULL), 0)::BIGINT AS rose_base,
       sum(r.diagnostic_mean * r.teachers_diagnosed)
         / nullif(sum(r.teachers_diagnosed) FILTER (WHERE r.diagnostic_mean IS NOT NULL), 0) AS diagnostic_mean
"""

# Grouping levels of the coverage table (code constants spliced into the query).
GROUPINGS = {
    "total": "",
    "subject": "r.subject_id, sub.name_ru AS subject_ru, sub.name_en AS subject_en, sub.position,",
    "municipality": "r.municipality_id, r.municipality_name,",
    "school": "r.school_id, r.short_name, r.municipality_name,",
    "school_subject": "r.school_id, r.short_name, r.municipality_name, r.subject_id, sub.name_ru AS subject_ru,"
                      " sub.name_en AS subject_en, sub.position,",
}
_ORDER = {"total": "", "subject": "ORDER BY sub.position", "municipality": "ORDER BY r.municipality_name",
          "school": "ORDER BY r.municipality_name, r.short_name",
          "school_subject": "ORDER BY r.municipality_name, r.short_name, sub.position"}


def _coverage_sql(level: str) -> str:
    return f"""
WITH r AS ({SNAPSHOT})
SELECT {GROUPINGS[level]} {_SUMS}
FROM r LEFT JOIN subjects sub ON sub.subject_id = r.subject_id
GROUP BY ALL
{_ORDER[level]}
"""


DYNAMICS = f"""
SELECT td.year, td.round, {{subject_key}}
       count(DISTINCT td.school_id)                                                   AS schools,
       sum(td.teachers_diagnosed)::BIGINT                                                     AS diagnosed,
       coalesce(sum(td.teachers_level_rose), 0)::BIGINT                                       AS level_rose,
       coalesce(sum(td.teachers_diagnosed) FILTER (WHERE td.teachers_level_rose IS NOT NULL), 0)::BIGINT AS rose_base,
       sum(td.diagnostic_mean * td.teachers_diagnosed)
         / nullif(sum(td.teachers_diagnosed) FILTER (WHERE td.diagnostic_mean IS NOT NULL), 0) AS diagnostic_mean
FROM teacher_development td
JOIN schools s USING (school_id)
JOIN municipalities m ON m.municipality_id = s.municipality_id
LEFT JOIN subjects sub ON sub.subject_id = td.subject_id
WHERE td.year <= $year AND {GEO_CONDITION}
  AND ($subject_id IS NULL OR td.subject_id = $subject_id)
GROUP BY ALL
ORDER BY td.year, td.round {{subject_order}}
"""

DEFICIT_TOPICS = f"""
WITH r AS ({SNAPSHOT}),
base AS (
    SELECT subject_id, sum(teachers_diagnosed)::BIGINT AS diagnosed, count(DISTINCT school_id) AS schools
    FROM r GROUP BY subject_id
),
found AS (
    SELECT d.subject_id, d.topic_id,
           sum(d.teachers_with_deficit)::BIGINT                                      AS teachers_with_deficit,
           count(DISTINCT d.school_id) FILTER (WHERE d.teachers_with_deficit > 0) AS schools_with_deficit
    FROM teacher_deficits d
    JOIN r ON r.school_id = d.school_id AND r.year = d.year AND r.round = d.round AND r.subject_id = d.subject_id
    GROUP BY d.subject_id, d.topic_id
)
SELECT b.subject_id, sub.name_ru AS subject_ru, sub.name_en AS subject_en, t.topic_id, t.name_ru, t.name_en,
       coalesce(f.teachers_with_deficit, 0) AS teachers_with_deficit, b.diagnosed,
       coalesce(f.schools_with_deficit, 0) AS schools_with_deficit, b.schools
FROM base b
JOIN deficit_topics t ON t.subject_id = b.subject_id
LEFT JOIN found f ON f.subject_id = t.subject_id AND f.topic_id = t.topic_id
LEFT JOIN subjects sub ON sub.subject_id = b.subject_id
ORDER BY sub.position, teachers_with_deficit DESC, t.topic_id
"""

# Per school × subject: the most frequent deficit topic of the snapshot round.
SCHOOL_TOP_DEFICIT = f"""
WITH r AS ({SNAPSHOT})
SELECT d.school_id, d.subject_id, d.topic_id, t.name_ru AS topic_ru, t.name_en AS topic_en,
       d.teachers_with_deficit
FROM teacher_deficits d
JOIN r ON r.school_id = d.school_id AND r.year = d.year AND r.round = d.round AND r.subject_id = d.subject_id
LEFT JOIN deficit_topics t ON t.subject_id = d.subject_id AND t.topic_id = d.topic_id
QUALIFY row_number() OVER (PARTITION BY d.school_id, d.subject_id
                           ORDER BY d.teachers_with_deficit DESC, d.topic_id) = 1
"""

# Students' side of the join: per school × subject, counts pooled over grades (or the chosen
# grade) in the year and the year before. ЕГЭ has no marks: its «fail» is below the minimum.
RESULTS_CHANGE = f"""
SELECT r.school_id, r.subject_id,
       sum(r.participants) FILTER (WHERE r.year = $year - 1)                                   AS n_before,
       sum(r.participants) FILTER (WHERE r.year = $year)                                       AS n_now,
       sum(CASE WHEN r.procedure = 'EGE' THEN r.n_below_min ELSE r.n2 END) FILTER (WHERE r.year = $year - 1)
                                                                                               AS fail_before,
       sum(CASE WHEN r.procedure = 'EGE' THEN r.n_below_min ELSE r.n2 END) FILTER (WHERE r.year = $year)
                                                                                               AS fail_now,
       sum(r.n4 + r.n5) FILTER (WHERE r.year = $year - 1)                                      AS good_before,
       sum(r.n4 + r.n5) FILTER (WHERE r.year = $year)                                          AS good_now
FROM results r
JOIN schools s USING (school_id)
JOIN municipalities m ON m.municipality_id = s.municipality_id
WHERE r.procedure = $procedure AND r.year IN ($year, $year - 1)
  AND ($grade IS NULL OR r.grade = $grade)
  AND list_contains($subjects, r.subject_id)
  AND {GEO_CONDITION}
GROUP BY r.school_id, r.subject_id
"""

TARGETS = """
SELECT target_id, target_low, target_high, direction, scope_level, year
FROM kpi_targets
WHERE list_contains($targets, target_id) AND year <= $year
  AND ((scope_level = 'region' AND scope_id = $region_id)
       OR (scope_level = 'municipality' AND scope_id = $municipality_id))
QUALIFY row_number() OVER (PARTITION BY target_id
                           ORDER BY (scope_level = 'municipality') DESC, year DESC) = 1
"""

DATA_YEARS = f"""
SELECT DISTINCT td.year
FROM teacher_development td
JOIN schools s USING (school_id)
JOIN municipalities m ON m.municipality_id = s.municipality_id
WHERE {GEO_CONDITION}
ORDER BY td.year
"""

SUBJECTS_WITH_DATA = """
SELECT DISTINCT td.subject_id, sub.name_ru, sub.name_en, sub.position
FROM teacher_development td LEFT JOIN subjects sub USING (subject_id)
ORDER BY sub.position
"""


# -- statistics --------------------------------------------------------------------------------
def wilson_interval(successes, trials, z: float = 1.96) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for shares; NaN where there are no trials."""
    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        denominator = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denominator
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    low = np.where(n > 0, np.clip(centre - half, 0, 1), np.nan)
    high = np.where(n > 0, np.clip(centre + half, 0, 1), np.nan)
    return low, high


def _add_shares(frame: pd.DataFrame, indicators=INDICATORS) -> pd.DataFrame:
    for share, (numerator, denominator, _) in indicators.items():
        if numerator not in frame or denominator not in frame:
            continue
        num = frame[numerator].astype(float)
        den = frame[denominator].astype(float)
        frame[share] = (num / den).where(den > 0)
        frame[f"{share}_low"], frame[f"{share}_high"] = wilson_interval(num, den)
    return frame


def _geo(region_id: str, municipality_id: str | None, **extra) -> dict:
    return {"region_id": region_id, "municipality_id": municipality_id, **extra}


# -- reference ------------------------------------------------------------------------------------
def teacher_subject(subject_id: str | None) -> str | None:
    """The teachers' subject id for a results subject (профильная математика → математика)."""
    if subject_id is None:
        return None
    return RESULTS_TO_TEACHER_SUBJECT.get(subject_id, subject_id)


def results_subjects(teacher_subject_id: str) -> list[str]:
    """Results subject ids whose students are taught by teachers of ``teacher_subject_id``."""
    return [teacher_subject_id] + [r for r, t in RESULTS_TO_TEACHER_SUBJECT.items() if t == teacher_subject_id]


@reads("subjects", "teacher_development")
def subjects_with_data(store: Store) -> pd.DataFrame:
    return store.query_df(SUBJECTS_WITH_DATA)


def data_years(store: Store, region_id: RegionId, municipality_id: MunicipalityId | None) -> list[int]:
    return [int(y) for (y,) in store.query_rows(DATA_YEARS, _geo(region_id, municipality_id))]


@reads("municipalities", "schools", "teacher_development")
def snapshot_year(store: Store, region_id: RegionId, municipality_id: MunicipalityId | None, year: int) -> int | None:
    """The newest year ≤ ``year`` with teacher data in the geography (data may lag results)."""
    years = [y for y in data_years(store, region_id, municipality_id) if y <= year]
    return years[-1] if years else None


# -- coverage --------------------------------------------------------------------------------------
@reads("municipalities", "schools", "subjects", "teacher_development")
def coverage(store: Store, region_id: RegionId, municipality_id: MunicipalityId | None, year: int,
             subject_id: str | None = None, level: str = "total") -> pd.DataFrame:
    """Coverage counts and shares with Wilson intervals, grouped by ``level`` (see GROUPINGS).

    Shares: diagnosed, with a route (ИОМ), trained, in consultations, in mentoring — of all
    teachers of the subject; positive dynamics — teachers whose level rose, of the teachers
    diagnosed in rounds where a previous round exists.
    """
    if level not in GROUPINGS:
        raise ValueError(f"unknown level {level!r}")
    frame = store.query_df(_coverage_sql(level), _geo(region_id, municipality_id, year=year,
                                                       subject_id=subject_id))
    if level == "total" and (frame.empty or pd.isna(frame.at[0, "teachers_total"])):
        frame = frame.iloc[0:0]
    return _add_shares(frame)


@reads("kpi_targets")
def targets(store: Store, region_id: RegionId, municipality_id: MunicipalityId | None, year: int) -> pd.DataFrame:
    """One row per teacher target: the municipality's own target if set, else the region's,
    taking the newest year ≤ ``year``; targets missing from the data come from the defaults."""
    frame = store.query_df(TARGETS, _geo(region_id, municipality_id, year=year, targets=list(TARGET_IDS)))
    missing = [t for t in TARGET_IDS if t not in set(frame["target_id"])]
    if missing:
        defaults = kpi_defaults()
        defaults = defaults[defaults["target_id"].isin(missing)].assign(scope_level="default", year=pd.NA)
        frame = pd.concat([frame, defaults[frame.columns]], ignore_index=True)
    return frame.set_index("target_id").loc[list(TARGET_IDS)].reset_index()


def against_targets(cover_total: pd.DataFrame, target_frame: pd.DataFrame) -> pd.DataFrame:
    """Long table: indicator, numerator, denominator, share, interval, target, met (bool or NA)."""
    lookup = target_frame.set_index("target_id")
    rows = []
    row = cover_total.iloc[0] if not cover_total.empty else None
    for share, (numerator, denominator, target_id) in INDICATORS.items():
        target = lookup.at[target_id, "target_low"] if target_id in lookup.index else math.nan
        direction = lookup.at[target_id, "direction"] if target_id in lookup.index else None
        value = row[share] if row is not None else math.nan
        met = pd.NA
        if target_id and not pd.isna(value):
            met = bool(value >= target - 1e-12) if direction != "at_most" else bool(value <= target + 1e-12)
        rows.append(dict(indicator=share, target_id=target_id,
                         numerator=int(row[numerator]) if row is not None else 0,
                         denominator=int(row[denominator]) if row is not None else 0,
                         share=value, low=row[f"{share}_low"] if row is not None else math.nan,
                         high=row[f"{share}_high"] if row is not None else math.nan,
                         target=target, met=met))
    return pd.DataFrame(rows)


# -- dynamics ----------------------------------------------------------------------------------------
@reads("municipalities", "schools", "subjects", "teacher_development")
def dynamics(store: Store, region_id: RegionId, municipality_id: MunicipalityId | None, year: int,
             subject_id: str | None = None, by_subject: bool = False) -> pd.DataFrame:
    """Per year × round (× subject): teachers whose level rose of those diagnosed (Wilson
    interval) and the mean diagnostic score weighted by teachers diagnosed, up to ``year``."""
    key = "td.subject_id, sub.name_ru AS subject_ru, sub.name_en AS subject_en, sub.position," if by_subject else ""
    order = ", sub.position" if by_subject else ""
    sql = DYNAMICS.format(subject_key=key, subject_order=order)
    frame = store.query_df(sql, _geo(region_id, municipality_id, year=year, subject_id=subject_id))
    frame = _add_shares(frame, {"positive_share": INDICATORS["positive_share"]})
    frame["label"] = frame["year"].astype(str) + "/" + frame["round"].astype(str)
    return frame


# -- deficits ----------------------------------------------------------------------------------------
@reads("deficit_topics", "municipalities", "schools", "subjects", "teacher_deficits", "teacher_development")
def deficit_topics(store: Store, region_id: RegionId, municipality_id: MunicipalityId | None, year: int,
                   subject_id: str | None = None, top: int | None = None) -> pd.DataFrame:
    """Deficit topics per subject: teachers with the deficit of the teachers diagnosed in the
    snapshot round, with the number of schools where it was found; ``top`` per subject."""
    frame = store.query_df(DEFICIT_TOPICS, _geo(region_id, municipality_id, year=year, subject_id=subject_id))
    frame["share"] = (frame["teachers_with_deficit"] / frame["diagnosed"]).where(frame["diagnosed"] > 0)
    frame["share_low"], frame["share_high"] = wilson_interval(frame["teachers_with_deficit"], frame["diagnosed"])
    frame["rank"] = frame.groupby("subject_id").cumcount() + 1
    if top is not None:
        frame = frame[frame["rank"] <= top]
    return frame.reset_index(drop=True)


# -- the join: students' results × teachers' support ---------------------------------------------------
def results_change(store: Store, region_id: RegionId, municipality_id: MunicipalityId | None, year: int, procedure: str,
                   subjects: list[str], grade: int | None = None) -> pd.DataFrame:
    """Per school × results subject: participants, share of «2» (ЕГЭ: below the minimum) and
    качество знаний ((n4+n5)/N; not for ЕГЭ) in ``year - 1`` and ``year``, from counts."""
    frame = store.query_df(RESULTS_CHANGE, _geo(region_id, municipality_id, year=year, procedure=procedure,
                                                grade=grade, subjects=list(subjects)))
    for when in ("before", "now"):
        n = frame[f"n_{when}"].astype(float)
        frame[f"fail_share_{when}"] = (frame[f"fail_{when}"].astype(float) / n).where(n > 0)
        frame[f"quality_{when}"] = (frame[f"good_{when}"].astype(float) / n).where(n > 0)
    frame["fail_change"] = frame["fail_share_now"] - frame["fail_share_before"]
    frame["quality_change"] = frame["quality_now"] - frame["quality_before"]
    return frame


@reads("deficit_topics", "municipalities", "results", "schools", "subjects", "teacher_deficits",
       "teacher_development")
def attention(store: Store, q: Query, *, min_n: int = 10, fall_threshold: float = FALL_THRESHOLD) -> pd.DataFrame:
    """Schools × subject where students' results fell and teachers of the subject lack support.

    An association, not a cause. Flags per row:
    - ``small_n``: fewer than ``min_n`` participants in either year (then never "fell");
    - ``results_fell``: the share of «2» rose by ≥ ``fall_threshold`` or качество знаний fell
      by ≥ ``fall_threshold``;
    - ``no_route``: no teacher of the subject has an individual route;
    - ``most_deficit``: the most frequent deficit topic concerns more than half of the
      diagnosed teachers (a lower bound of the share with any deficit);
    - ``attention``: results fell and (no route or most_deficit).
    """
    region_id, municipality_id, year = q.region_id, q.municipality_id, q.year
    procedure, subject_id, grade = q.procedure, q.subject_id, q.grade
    teachers = coverage(store, region_id, municipality_id, year, subject_id, level="school_subject")
    columns = ["school_id", "short_name", "municipality_name", "subject_id", "subject_ru", "subject_en",
               "teachers_total", "with_route", "route_share", "diagnosed"]
    teachers = teachers[columns]
    top = store.query_df(SCHOOL_TOP_DEFICIT, _geo(region_id, municipality_id, year=year, subject_id=subject_id))
    teachers = teachers.merge(top[["school_id", "subject_id", "topic_ru", "topic_en", "teachers_with_deficit"]],
                              on=["school_id", "subject_id"], how="left")
    teachers["teachers_with_deficit"] = teachers["teachers_with_deficit"].fillna(0).astype(int)
    teachers["top_deficit_share"] = (teachers["teachers_with_deficit"] / teachers["diagnosed"]).where(
        teachers["diagnosed"] > 0)

    subject_ids = sorted(set(teachers["subject_id"]))
    wanted = sorted({r for s in subject_ids for r in results_subjects(s)})
    results = results_change(store, region_id, municipality_id, year, procedure, wanted, grade)
    results["subject_id"] = results["subject_id"].map(teacher_subject)
    # Several results subjects of one teacher subject (математика + профильная) pool their counts.
    count_columns = ["n_before", "n_now", "fail_before", "fail_now", "good_before", "good_now"]
    results = results.groupby(["school_id", "subject_id"], as_index=False)[count_columns].sum(min_count=1)
    for when in ("before", "now"):
        n = results[f"n_{when}"].astype(float)
        results[f"fail_share_{when}"] = (results[f"fail_{when}"].astype(float) / n).where(n > 0)
        results[f"quality_{when}"] = (results[f"good_{when}"].astype(float) / n).where(n > 0)
    results["fail_change"] = results["fail_share_now"] - results["fail_share_before"]
    results["quality_change"] = results["quality_now"] - results["quality_before"]

    frame = teachers.merge(results, on=["school_id", "subject_id"], how="left")
    n_before = frame["n_before"].fillna(0)
    n_now = frame["n_now"].fillna(0)
    frame["small_n"] = (n_before < min_n) | (n_now < min_n)
    fell = (frame["fail_change"] >= fall_threshold - 1e-12) | (frame["quality_change"] <= -fall_threshold + 1e-12)
    frame["results_fell"] = fell.fillna(False).astype(bool) & ~frame["small_n"]
    frame["no_route"] = frame["with_route"].fillna(0) == 0
    frame["most_deficit"] = (frame["top_deficit_share"] > MOST_TEACHERS).fillna(False).astype(bool)
    frame["attention"] = frame["results_fell"] & (frame["no_route"] | frame["most_deficit"])
    frame = frame.sort_values(["attention", "results_fell", "fail_change"], ascending=[False, False, False],
                              na_position="last").reset_index(drop=True)
    return frame
