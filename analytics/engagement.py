"""Engagement monitoring («мониторинг вовлеченности») of municipalities and listed schools
(expert-review entry and import: :mod:`analytics.engagement_reviews`).

Twice a year (rounds as data: by 1 August and by 25 December) every municipality with listed
schools and every school of the year's list is scored on a catalogue of criteria
(``analytics/reference/engagement_criteria.csv``, a region may replace it with
``data/engagement_criteria.csv``). A criterion's ``rule`` says how it is scored:

* rules the database answers, scored at the round's date (see :data:`AUTO_RULES`): a share
  ``numerator / denominator`` gives ``max_points × share`` points (rounded);
* ``review``: points from the expert-review file (import kind ``engagement_reviews``) or
  entered on the page.

A criterion with nothing to measure (no data, no review yet) is «не оценено»: it counts
neither in the points nor in the maximum, and the unit's card says so. Per round and unit:
total points, share of the maximum, zone (green / yellow / red, cut points as data), the
change from the previous round and the rank among units of its level.
"""
from __future__ import annotations

import datetime as dt
import math
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd

from analytics import roadmaps as rm
from analytics.config import PROJECT_ROOT
from analytics.shared_results import shared
from analytics.store import Store
from analytics.query import MunicipalityId, RegionId

REFERENCE = Path(__file__).resolve().parent / "reference"
CRITERIA_FILE = REFERENCE / "engagement_criteria.csv"
SETTINGS_FILE = REFERENCE / "engagement.toml"
OVERRIDE_CRITERIA = PROJECT_ROOT / "data" / "engagement_criteria.csv"
OVERRIDE_SETTINGS = PROJECT_ROOT / "data" / "engagement.toml"

LEVELS = ("municipality", "school")
GROUPS = ("organisational", "content")
AUTO_RULES = ("roadmap_present", "executors_named", "units_on_time", "risks_covered", "mentor_active",
              "teacher_routes", "risk_profile", "survey_participation", "results_loaded")
RULES = (*AUTO_RULES, "review")
ZONES = ("green", "yellow", "red")
CRITERIA_COLUMNS = ["criterion_id", "number", "level", "criterion_group", "max_points", "rule", "name_ru", "name_en"]


# -- configuration ------------------------------------------------------------------------------
def load_config(override: Path | None = OVERRIDE_SETTINGS) -> dict:
    config = tomllib.loads(SETTINGS_FILE.read_text(encoding="utf-8"))
    if override is not None and Path(override).exists():
        extra = tomllib.loads(Path(override).read_text(encoding="utf-8"))
        for key, value in extra.items():
            config[key] = {**config.get(key, {}), **value} if isinstance(value, dict) else value
    return config


def read_criteria(path: Path | None = None) -> pd.DataFrame:
    """The catalogue, checked: known levels, groups and rules, positive maxima, unique ids."""
    if path is None:
        path = OVERRIDE_CRITERIA if OVERRIDE_CRITERIA.exists() else CRITERIA_FILE
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = set(CRITERIA_COLUMNS) - set(frame.columns)
    if missing:
        raise ValueError(f"{path}: no column(s) {', '.join(sorted(missing))}")
    frame = frame[CRITERIA_COLUMNS].copy()
    frame["max_points"] = pd.to_numeric(frame["max_points"], errors="coerce")
    problems = []
    for column, allowed in (("level", LEVELS), ("criterion_group", GROUPS), ("rule", RULES)):
        bad = frame.loc[~frame[column].isin(allowed), column]
        problems += [f"{column} «{v}» (expected: {', '.join(allowed)})" for v in bad]
    problems += [f"max_points of {c}" for c in frame.loc[~(frame["max_points"] > 0), "criterion_id"]]
    problems += [f"duplicate criterion_id {c}" for c in frame.loc[frame["criterion_id"].duplicated(), "criterion_id"]]
    if problems:
        raise ValueError(f"{path}: " + "; ".join(problems))
    return frame.reset_index(drop=True)


def criteria(store: Store | None = None) -> pd.DataFrame:
    """The criteria catalogue (``store`` unused: the signature lets pages cache it like a query)."""
    return read_criteria()


def zone(share: float, zones: dict | None = None) -> str | None:
    """green ≥ zones.green > yellow ≥ zones.yellow > red; None when the share is unknown."""
    zones = zones or load_config()["zones"]
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return None
    if share >= zones["green"] - 1e-12:
        return "green"
    if share >= zones["yellow"] - 1e-12:
        return "yellow"
    return "red"


def rounds(store: Store | None, year: int, today: dt.date) -> pd.DataFrame:
    """The year's rounds: number, date, as_of (the date scored at) and ``provisional`` (the
    round date is still ahead: scored at ``today`` and shown as preliminary)."""
    rows = []
    for item in load_config()["rounds"]:
        date = dt.date(int(year), int(item["month"]), int(item["day"]))
        rows.append(dict(round=int(item["number"]), date=date, as_of=min(date, today), provisional=date > today,
                         started=dt.date(int(year), 1, 1) <= today))
    return pd.DataFrame(rows).sort_values("round").reset_index(drop=True)


def previous_round(year: int, number: int) -> tuple[int, int]:
    numbers = sorted(int(r["number"]) for r in load_config()["rounds"])
    position = numbers.index(number)
    return (year, numbers[position - 1]) if position > 0 else (year - 1, numbers[-1])


# -- who is assessed ---------------------------------------------------------------------------
ASSESSED = """
WITH listed AS (
    SELECT s.school_id, s.municipality_id, s.short_name, m.name AS municipality
    FROM school_lists l
    JOIN schools s USING (school_id)
    JOIN municipalities m USING (municipality_id)
    WHERE l.year = $year AND l.category = $category AND m.region_id = $region_id
      AND ($municipality_id IS NULL OR s.municipality_id = $municipality_id)
)
SELECT 'school' AS unit_level, school_id AS unit_id, municipality_id, school_id, short_name AS unit_name,
       municipality
FROM listed
UNION ALL
SELECT DISTINCT 'municipality', municipality_id, municipality_id, NULL, municipality, municipality
FROM listed
ORDER BY unit_level, municipality, unit_name
"""


def assessed_units(store: Store, region_id: RegionId, municipality_id: MunicipalityId | None, year: int) -> pd.DataFrame:
    """Municipalities with listed schools and the listed schools of the year (the scope's)."""
    return store.query_df(ASSESSED, dict(region_id=region_id, municipality_id=municipality_id, year=int(year),
                                         category=load_config()["rules"]["category"]))


# -- automatic evidence, per rule ------------------------------------------------------------------
ROADMAPS_BY_UNIT = """
SELECT r.level AS unit_level, coalesce(r.school_id, r.municipality_id) AS unit_id,
       count(DISTINCT r.roadmap_id) AS roadmaps,
       count(me.measure_id) AS measures,
       count(me.measure_id) FILTER (WHERE len(coalesce(me.executors, [])) > 0) AS with_executors
FROM roadmaps r LEFT JOIN measures me USING (roadmap_id)
WHERE r.region_id = $region_id AND r.level IN ('municipality', 'school')
  AND r.period_start <= $as_of AND year(r.period_start) <= $year AND year(r.period_end) >= $year
GROUP BY ALL
"""
MENTORED = """
SELECT DISTINCT mentee_school_id AS school_id FROM mentor_pairs
WHERE year = $year AND (agreement_date IS NULL OR agreement_date <= $as_of)
"""
PROFILED = "SELECT DISTINCT school_id FROM risk_profiles WHERE year = $year"
WITH_RESULTS = "SELECT DISTINCT school_id FROM results WHERE year = $year"
SURVEY = "SELECT school_id, responded, invited FROM survey_participation WHERE year = $year"
ROUTES = """
WITH latest AS (
    SELECT school_id, max(round) AS round FROM teacher_development
    WHERE year = $year AND round <= $round GROUP BY school_id
)
SELECT t.school_id, sum(t.teachers_with_route) AS with_route, sum(t.teachers_total) AS teachers
FROM teacher_development t JOIN latest USING (school_id, round)
WHERE t.year = $year
GROUP BY t.school_id
"""
HIGH_RISKS = """
SELECT p.school_id, count(*) AS high
FROM risk_profiles p JOIN risk_catalogues c USING (catalogue_id)
WHERE p.year = $year AND c.is_default AND p.level = 'high'
GROUP BY p.school_id
"""


def _school_evidence(store: Store, region_id: str, municipality_id: str | None, year: int, number: int,
                     as_of: dt.date, schools: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Per rule: school_id, numerator, denominator for the assessed schools."""
    ids = schools["school_id"]
    p = dict(year=int(year))

    def present(sql: str, params: dict) -> pd.DataFrame:
        have = set(store.query_df(sql, params)["school_id"])
        return pd.DataFrame({"school_id": ids, "numerator": ids.isin(have).astype(float), "denominator": 1.0})

    out = {
        "mentor_active": present(MENTORED, {**p, "as_of": as_of}),
        "risk_profile": present(PROFILED, p),
        "results_loaded": present(WITH_RESULTS, p),
    }
    survey = store.query_df(SURVEY, p).rename(columns={"responded": "numerator", "invited": "denominator"})
    out["survey_participation"] = schools[["school_id"]].merge(survey, how="left")
    routes = store.query_df(ROUTES, {**p, "round": int(number)}).rename(
        columns={"with_route": "numerator", "teachers": "denominator"})
    out["teacher_routes"] = schools[["school_id"]].merge(routes, how="left")

    # High risks addressed by a measure of a roadmap of the year concerning the school.
    from analytics import risks
    catalogue = risks.default_catalogue(store)
    gaps = risks.coverage(store, region_id, municipality_id, int(year), catalogue)
    high = gaps[gaps["level"] == "high"].groupby("school_id").agg(
        numerator=("covered", "sum"), denominator=("covered", "size")).reset_index()
    profiled = out["risk_profile"].loc[out["risk_profile"]["numerator"] > 0, ["school_id"]]
    covered = profiled.merge(high, how="left").fillna({"numerator": 0.0, "denominator": 0.0})
    out["risks_covered"] = schools[["school_id"]].merge(covered, how="left")
    return {rule: frame.astype({"numerator": float, "denominator": float}) for rule, frame in out.items()}


def _units_on_time(store: Store, region_id: str, municipality_id: str | None, year: int,
                   as_of: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per school, per municipality): units due by ``as_of`` done on time / units due."""
    frame = rm.units(store, rm.RoadmapFilter(region_id, municipality_id, int(year)), as_of)
    due = frame[(frame["state"] != "not_applicable") & (frame["due_date"] <= as_of)]
    due = due.assign(on_time=(due["state"] == "done").astype(float))
    by_school = due.dropna(subset=["school_id"]).groupby("school_id").agg(
        numerator=("on_time", "sum"), denominator=("on_time", "size")).reset_index()
    by_municipality = due.dropna(subset=["municipality_id"]).groupby("municipality_id").agg(
        numerator=("on_time", "sum"), denominator=("on_time", "size")).reset_index()
    return by_school, by_municipality


def evidence(store: Store, region_id: RegionId, municipality_id: MunicipalityId | None, year: int, number: int,
             as_of: dt.date) -> pd.DataFrame:
    """unit_level, unit_id, rule, numerator, denominator of every automatic rule."""
    units = assessed_units(store, region_id, municipality_id, year)
    schools = units[units["unit_level"] == "school"][["school_id", "municipality_id"]].reset_index(drop=True)
    municipalities = units[units["unit_level"] == "municipality"][["unit_id"]]
    frames = []

    per_school = _school_evidence(store, region_id, municipality_id, year, number, as_of, schools)
    for rule, frame in per_school.items():
        frame = frame.merge(schools, on="school_id")
        frames.append(frame.assign(unit_level="school", unit_id=frame["school_id"], rule=rule))
        # A municipality: the sums over its listed schools (schools without data count as 0 of 1
        # for yes/no rules, and add nothing to share-of-people rules).
        pooled = frame.groupby("municipality_id")[["numerator", "denominator"]].sum(min_count=1).reset_index()
        if rule in ("mentor_active", "risk_profile", "results_loaded"):
            pooled["denominator"] = frame.groupby("municipality_id").size().reindex(pooled["municipality_id"]).to_numpy()
        frames.append(pooled.assign(unit_level="municipality", unit_id=pooled["municipality_id"], rule=rule))

    plans = store.query_df(ROADMAPS_BY_UNIT, dict(region_id=region_id, year=int(year), as_of=as_of))
    for level, keys in (("school", schools["school_id"]), ("municipality", municipalities["unit_id"])):
        own = pd.DataFrame({"unit_id": keys}).merge(plans[plans["unit_level"] == level], on="unit_id", how="left")
        has = own["roadmaps"].fillna(0) > 0
        frames.append(pd.DataFrame({"unit_level": level, "unit_id": own["unit_id"], "rule": "roadmap_present",
                                    "numerator": has.astype(float), "denominator": 1.0}))
        frames.append(pd.DataFrame({"unit_level": level, "unit_id": own["unit_id"], "rule": "executors_named",
                                    "numerator": own["with_executors"].astype(float),
                                    "denominator": own["measures"].astype(float)}))

    by_school, by_municipality = _units_on_time(store, region_id, municipality_id, year, as_of)
    frames.append(schools[["school_id"]].merge(by_school, how="left").assign(
        unit_level="school", unit_id=lambda f: f["school_id"], rule="units_on_time"))
    frames.append(municipalities.merge(by_municipality.rename(columns={"municipality_id": "unit_id"}), how="left")
                  .assign(unit_level="municipality", rule="units_on_time"))
    out = pd.concat([f[["unit_level", "unit_id", "rule", "numerator", "denominator"]] for f in frames],
                    ignore_index=True)
    return out.astype({"numerator": float, "denominator": float})


# -- scores ------------------------------------------------------------------------------------
REVIEWS = """
SELECT unit_level, unit_id, criterion_id, points, comment, source, entered_by, entered_at
FROM engagement_reviews WHERE year = $year AND round = $round
"""


def share_points(max_points: float, numerator: float, denominator: float, rule: str,
                 decimals: int = 1) -> tuple[float, float]:
    """(share, points) of an automatic criterion; NaN when there is nothing to measure.
    ``risks_covered`` with a profile but no high risk: nothing to cover, full points."""
    if denominator is None or not denominator == denominator:
        return math.nan, math.nan
    if denominator == 0:
        if rule == "risks_covered":
            return 1.0, float(max_points)
        return math.nan, math.nan
    share = min(max(numerator / denominator, 0.0), 1.0)
    return share, round(max_points * share + 1e-9, decimals)


def round_scores(store: Store, region_id: RegionId, municipality_id: MunicipalityId | None, year: int, number: int,
                 as_of: dt.date) -> pd.DataFrame:
    """One row per assessed unit × criterion of its level at round ``number`` of ``year``
    (scored at ``as_of``): share, points (NaN: not assessed), source (auto | review | none),
    numerator/denominator (automatic rules) or the reviewer's comment.
    (Shared: the page's table and the summary of the current and the previous round use it.)"""
    return shared(store, None, ("round_scores", region_id, municipality_id, int(year), int(number), as_of),
                  lambda: _round_scores(store, region_id, municipality_id, year, number, as_of))


def _round_scores(store: Store, region_id, municipality_id, year: int, number: int, as_of: dt.date) -> pd.DataFrame:
    config = load_config()
    decimals = int(config["rules"]["decimals"])
    units = assessed_units(store, region_id, municipality_id, year)
    catalogue = criteria()
    frame = units.merge(catalogue, left_on="unit_level", right_on="level").drop(columns="level")
    auto = evidence(store, region_id, municipality_id, year, number, as_of)
    frame = frame.merge(auto, on=["unit_level", "unit_id", "rule"], how="left")
    reviews = store.query_df(REVIEWS, dict(year=int(year), round=int(number)))
    frame = frame.merge(reviews[["unit_level", "unit_id", "criterion_id", "points", "comment", "source"]]
                        .rename(columns={"points": "review_points", "source": "review_source"}),
                        on=["unit_level", "unit_id", "criterion_id"], how="left")
    shares, points, sources = [], [], []
    for row in frame.itertuples(index=False):
        if row.rule == "review":
            value = row.review_points
            ok = value == value and value is not None
            points.append(float(value) if ok else math.nan)
            shares.append(float(value) / row.max_points if ok else math.nan)
            sources.append("review" if ok else "none")
        else:
            share, value = share_points(row.max_points, row.numerator, row.denominator, row.rule, decimals)
            shares.append(share)
            points.append(value)
            sources.append("auto" if value == value else "none")
    frame["share"] = shares
    frame["points"] = points
    frame["source"] = sources
    frame["assessed"] = frame["points"].notna()
    frame["year"] = int(year)
    frame["round"] = int(number)
    return frame.sort_values(["unit_level", "municipality", "unit_name", "number"]).reset_index(drop=True)


def totals(scores: pd.DataFrame, zones: dict | None = None) -> pd.DataFrame:
    """Per unit: points, max_points (of the assessed criteria), share, zone, assessed / criteria,
    rank within its level (1 = highest share; ties share the rank)."""
    zones = zones or load_config()["zones"]
    keys = ["unit_level", "unit_id", "municipality_id", "school_id", "unit_name", "municipality"]
    assessed = scores.assign(max_assessed=scores["max_points"].where(scores["assessed"], 0.0))
    out = assessed.groupby(keys, dropna=False, sort=False).agg(
        points=("points", lambda s: float(s.sum(min_count=1)) if s.notna().any() else math.nan),
        max_points=("max_assessed", "sum"), assessed=("assessed", "sum"),
        criteria=("criterion_id", "size")).reset_index()
    out["share"] = np.where(out["max_points"] > 0, out["points"] / out["max_points"].where(out["max_points"] > 0),
                            np.nan)
    out["zone"] = [zone(s, zones) for s in out["share"]]
    out["rank"] = out.groupby("unit_level")["share"].rank(method="min", ascending=False).astype("Int64")
    return out


def unit_summary(store: Store, region_id: RegionId, municipality_id: MunicipalityId | None, year: int, number: int,
                 today: dt.date) -> pd.DataFrame:
    """:func:`totals` of a round with the previous round's share and zone, the change (share
    points) and ``zone_change`` (fell | rose | same | new)."""
    schedule = rounds(store, year, today).set_index("round")
    as_of = schedule.at[int(number), "as_of"]
    current = totals(round_scores(store, region_id, municipality_id, year, number, as_of))
    prev_year, prev_number = previous_round(int(year), int(number))
    prev_as_of = rounds(store, prev_year, today).set_index("round").at[prev_number, "as_of"]
    previous = totals(round_scores(store, region_id, municipality_id, prev_year, prev_number, prev_as_of))
    previous = previous[["unit_level", "unit_id", "share", "zone", "points"]].rename(
        columns={"share": "previous_share", "zone": "previous_zone", "points": "previous_points"})
    out = current.merge(previous, on=["unit_level", "unit_id"], how="left")
    out["change"] = out["share"] - out["previous_share"]
    order = {"red": 0, "yellow": 1, "green": 2}
    out["zone_change"] = [
        "new" if not isinstance(b, str) or not isinstance(a, str) else
        ("fell" if order[a] < order[b] else "rose" if order[a] > order[b] else "same")
        for a, b in zip(out["zone"], out["previous_zone"])]
    out["previous_year"], out["previous_round"] = prev_year, prev_number
    return out.sort_values(["unit_level", "rank", "unit_name"]).reset_index(drop=True)


def criterion_failures(scores: pd.DataFrame, zones: dict | None = None) -> pd.DataFrame:
    """Per criterion: units assessed, units below the green cut (the documents' target «≥ 80 %
    of the maximum» not reached), their share, and the mean share of points — the criteria
    most often failed first."""
    zones = zones or load_config()["zones"]
    assessed = scores[scores["assessed"]]
    out = scores.groupby(["criterion_id", "number", "unit_level", "criterion_group", "name_ru", "name_en",
                          "max_points", "rule"], sort=False).size().rename("units").reset_index()
    stats = assessed.groupby("criterion_id").agg(
        assessed=("share", "size"), failed=("share", lambda s: int((s < zones["green"] - 1e-12).sum())),
        mean_share=("share", "mean")).reset_index()
    out = out.merge(stats, on="criterion_id", how="left").fillna({"assessed": 0, "failed": 0})
    out["failed_share"] = np.where(out["assessed"] > 0, out["failed"] / out["assessed"].where(out["assessed"] > 0),
                                   np.nan)
    return out.sort_values(["failed_share", "mean_share"], ascending=[False, True]).reset_index(drop=True)


def region_rounds(store: Store, region_id: RegionId, municipality_id: MunicipalityId | None, year: int,
                  today: dt.date) -> pd.DataFrame:
    """Per round of the year: units per zone and level (the page's and the report's summary)."""
    rows = []
    for r in rounds(store, year, today).itertuples():
        if not r.started:
            continue
        summary = totals(round_scores(store, region_id, municipality_id, year, r.round, r.as_of))
        for level, group in summary.groupby("unit_level"):
            counts = group["zone"].value_counts()
            rows.append(dict(round=r.round, date=r.date, as_of=r.as_of, provisional=r.provisional,
                             unit_level=level, units=len(group), mean_share=group["share"].mean(),
                             **{z: int(counts.get(z, 0)) for z in ZONES}))
    return pd.DataFrame(rows, columns=["round", "date", "as_of", "provisional", "unit_level", "units",
                                       "mean_share", *ZONES])
