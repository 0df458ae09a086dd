"""Targets (KPI) of the programme: target vs actual per region or municipality and year.

Every target has a details function returning the schools (or municipalities, roadmaps)
behind its number with a ``numerator`` and ``denominator`` column (counts have
denominator 1 per counted row), so the figure shown is always ``sum(num) / sum(den)`` for
shares and ``sum(num)`` for counts: the drill-down adds up to the number.
"""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from analytics import access
from analytics.composite import composite_index
from analytics.identification import load_params
from analytics.reference import kpi_defaults
from analytics.roadmaps import RoadmapFilter, per_measure, units
from analytics.scope import GEO_CONDITION
from analytics.shared_results import key_of, shared
from analytics.store import Store
from analytics.reads import reads
from analytics.query import MunicipalityId, RegionId

# target_id -> kind (share | count | reported | municipalities); order = display order
TARGETS = {
    "list_reduction": "share", "positive_changes": "share", "leave_list": "share",
    "survey_participation": "share", "teachers_positive_dynamics": "share", "teachers_consultations": "share",
    "teachers_routes": "share", "curators_share": "reported", "resilient_added": "count", "no_biased": "count",
    "roadmap_execution": "share", "schools_with_roadmap": "share", "partnership_agreements": "municipalities",
}
STATUSES = ("achieved", "at_risk", "not_achieved", "no_data")

SCHOOLS_IN_SCOPE = f"""
SELECT s.school_id, s.short_name, m.name AS municipality
FROM schools s JOIN municipalities m USING (municipality_id)
WHERE {GEO_CONDITION}
"""

LISTED = f"""
SELECT l.year, l.category, l.school_id
FROM school_lists l JOIN schools s USING (school_id) JOIN municipalities m USING (municipality_id)
WHERE {GEO_CONDITION} AND l.year IN ($year, $year - 1) AND l.category IN ('low_results', 'resilient', 'biased')
"""

SURVEYS = f"""
WITH listed AS (SELECT school_id FROM ({LISTED}) WHERE year = $year AND category = 'low_results')
SELECT school_id, sum(invited) AS denominator, sum(responded) AS numerator
FROM survey_participation JOIN listed USING (school_id)
WHERE year = $year
GROUP BY school_id
"""

TEACHERS = f"""
WITH listed AS (SELECT school_id FROM ({LISTED}) WHERE year = $year AND category = 'low_results'),
rows AS (SELECT t.*, max(round) OVER (PARTITION BY school_id, subject_id) AS last_round
         FROM teacher_development t JOIN listed USING (school_id) WHERE t.year = $year)
-- The year's latest round per school × subject, as on «Кадры» (figure teachers_positive_dynamics):
-- summing both rounds of a year counted every teacher twice.
SELECT school_id,
       sum(teachers_level_rose) FILTER (WHERE teachers_level_rose IS NOT NULL AND round = last_round) AS rose,
       sum(teachers_diagnosed) FILTER (WHERE teachers_level_rose IS NOT NULL AND round = last_round)  AS diagnosed,
       sum(teachers_in_consultations) FILTER (WHERE round = last_round)         AS consultations,
       sum(teachers_with_route) FILTER (WHERE round = last_round)               AS routes,
       sum(teachers_total) FILTER (WHERE round = last_round)                    AS total
FROM rows GROUP BY school_id
"""

SCHOOL_ROADMAPS = f"""
WITH listed AS (SELECT school_id FROM ({LISTED}) WHERE year = $year AND category = 'low_results')
SELECT l.school_id, count(r.roadmap_id) > 0 AS has_roadmap
FROM listed l LEFT JOIN roadmaps r ON r.school_id = l.school_id AND r.level = 'school'
     AND year(r.period_start) <= $year AND year(r.period_end) >= $year
GROUP BY l.school_id
"""

AGREEMENTS = """
SELECT m.municipality_id, m.name AS municipality, count(p.pair_id) AS agreements
FROM municipalities m
LEFT JOIN schools s ON s.municipality_id = m.municipality_id
LEFT JOIN mentor_pairs p ON p.mentee_school_id = s.school_id
     AND p.agreement_date >= $from_date AND p.agreement_date < $to_date
WHERE m.region_id = $region_id AND ($municipality_id IS NULL OR m.municipality_id = $municipality_id)
GROUP BY m.municipality_id, m.name
ORDER BY m.municipality_id
"""

TARGET_ROWS = """
SELECT target_id, scope_level, scope_id, year, target_low, target_high, direction
FROM kpi_targets
WHERE year <= $year AND ((scope_level = 'region' AND scope_id = $region_id)
   OR (scope_level = 'municipality' AND (scope_id = $municipality_id
       OR ($municipality_id IS NULL AND scope_id IN (SELECT municipality_id FROM municipalities
                                                     WHERE region_id = $region_id)))))
ORDER BY target_id, year
"""

REPORTED = """
SELECT value FROM kpi_reported
WHERE target_id = $target_id AND year = $year
  AND ((scope_level = 'municipality' AND scope_id = $municipality_id)
    OR (scope_level = 'region' AND scope_id = $region_id))
ORDER BY scope_level = 'municipality' DESC
LIMIT 1
"""


def _geo(region_id, municipality_id, year, **extra) -> dict:
    return {"region_id": region_id, "municipality_id": municipality_id, "year": int(year), **extra}


def _with_names(store: Store, frame: pd.DataFrame, region_id: str, municipality_id: str | None) -> pd.DataFrame:
    names = store.query_df(SCHOOLS_IN_SCOPE, {"region_id": region_id, "municipality_id": municipality_id})
    out = names.merge(frame, on="school_id", how="inner")
    return out.sort_values("school_id").reset_index(drop=True)


def _lists(store, region_id, municipality_id, year) -> dict:
    frame = store.query_df(LISTED, _geo(region_id, municipality_id, year))
    return {(y, c): set(g["school_id"]) for (y, c), g in frame.groupby(["year", "category"])}


@reads("municipalities", "school_lists", "schools")
def details(store: Store, target_id: str, region_id: RegionId, municipality_id: MunicipalityId | None, year: int,
            as_of: dt.date, params: dict | None = None) -> pd.DataFrame:
    """The rows behind a target's actual value (see the module docstring)."""
    params = params or load_params()
    year = int(year)
    lists = _lists(store, region_id, municipality_id, year)
    now, before = lists.get((year, "low_results"), set()), lists.get((year - 1, "low_results"), set())
    if target_id in ("list_reduction", "leave_list"):
        base = pd.DataFrame({"school_id": sorted(before | now)})
        base["listed_before"] = base["school_id"].isin(before)
        base["listed_now"] = base["school_id"].isin(now)
        if target_id == "list_reduction":
            # numerator: the net reduction, spread as +1 per school that left and −1 per school that entered
            base["numerator"] = base["listed_before"].astype(int) - base["listed_now"].astype(int)
            base["denominator"] = base["listed_before"].astype(int)
        else:
            base = base[base["listed_before"]].copy()
            base["numerator"] = (~base["listed_now"]).astype(int)
            base["denominator"] = 1
        return _with_names(store, base, region_id, municipality_id)
    if target_id == "positive_changes":
        index = composite_index(store, region_id, year - 1, year, params)
        wide = index.pivot(index="school_id", columns="year", values="composite")
        base = pd.DataFrame({"school_id": sorted(now)})
        base["index_before"] = base["school_id"].map(wide.get(year - 1, pd.Series(dtype=float)))
        base["index_now"] = base["school_id"].map(wide.get(year, pd.Series(dtype=float)))
        base["change"] = base["index_now"] - base["index_before"]
        known = base["change"].notna()
        base["numerator"] = (known & (base["change"] > float(params["targets"]["positive_change_min"]))).astype(int)
        base["denominator"] = known.astype(int)
        return _with_names(store, base, region_id, municipality_id)
    if target_id == "survey_participation":
        frame = store.query_df(SURVEYS, _geo(region_id, municipality_id, year))
        return _with_names(store, frame, region_id, municipality_id)
    if target_id in ("teachers_positive_dynamics", "teachers_consultations", "teachers_routes"):
        frame = store.query_df(TEACHERS, _geo(region_id, municipality_id, year))
        num, den = {"teachers_positive_dynamics": ("rose", "diagnosed"),
                    "teachers_consultations": ("consultations", "total"),
                    "teachers_routes": ("routes", "total")}[target_id]
        frame = frame.dropna(subset=[den]).assign(numerator=lambda f: f[num].fillna(0), denominator=lambda f: f[den])
        return _with_names(store, frame[["school_id", "numerator", "denominator"]], region_id, municipality_id)
    if target_id == "resilient_added":
        added = lists.get((year, "resilient"), set()) - lists.get((year - 1, "resilient"), set())
        frame = pd.DataFrame({"school_id": sorted(added), "numerator": 1, "denominator": 1})
        return _with_names(store, frame, region_id, municipality_id)
    if target_id == "no_biased":
        both = now & lists.get((year, "biased"), set())
        frame = pd.DataFrame({"school_id": sorted(both), "numerator": 1, "denominator": 1})
        return _with_names(store, frame, region_id, municipality_id)
    if target_id == "roadmap_execution":
        # The registry's figure roadmap_completion on its default basis (by measures): one row
        # per measure, numerator = the share of its units done by as_of, so sum/sum is the
        # mean over measures, as on the roadmaps page.
        frame = units(store, RoadmapFilter(region_id, municipality_id, year), as_of)
        counts = per_measure(frame, as_of) if len(frame) else pd.DataFrame(columns=["measure_id", "planned", "done"])
        counts = counts[counts["planned"] > 0]
        first = frame.drop_duplicates("measure_id").set_index("measure_id")
        ids = counts["measure_id"]
        return pd.DataFrame({"roadmap_id": first.loc[ids, "roadmap_id"].astype(int).to_numpy(),
                             "title": first.loc[ids, "roadmap_title"].to_numpy(),
                             "number": first.loc[ids, "number"].to_numpy(),
                             "units_done": counts["done"].astype(int).to_numpy(),
                             "units_planned": counts["planned"].astype(int).to_numpy(),
                             "numerator": (counts["done"] / counts["planned"]).astype(float).to_numpy(),
                             "denominator": 1})
    if target_id == "schools_with_roadmap":
        frame = store.query_df(SCHOOL_ROADMAPS, _geo(region_id, municipality_id, year))
        frame = frame.assign(numerator=frame["has_roadmap"].astype(int), denominator=1)
        return _with_names(store, frame, region_id, municipality_id)
    if target_id == "partnership_agreements":
        start_month = int(params["targets"]["agreement_year_start_month"])
        start = dt.date(year - 1 if start_month > 1 else year, start_month, 1)
        end = dt.date(start.year + 1, start_month, 1)
        frame = store.query_df(AGREEMENTS, {"region_id": region_id, "municipality_id": municipality_id,
                                            "from_date": start, "to_date": end})
        targets = target_values(store, region_id, municipality_id, year)
        municipal = targets[targets["scope_level"] == "municipality"].set_index("scope_id")
        frame["target"] = frame["municipality_id"].map(municipal["target_low"])
        frame["numerator"] = (frame["agreements"] >= frame["target"]).astype(int)
        frame["denominator"] = frame["target"].notna().astype(int)
        return frame
    if target_id == "curators_share":
        return pd.DataFrame(columns=["numerator", "denominator"])
    raise ValueError(f"unknown target {target_id!r}")


def target_values(store: Store, region_id: RegionId, municipality_id: MunicipalityId | None, year: int) -> pd.DataFrame:
    """The target rows in force in ``year`` (the latest year ≤ ``year`` per target and scope)."""
    rows = store.query_df(TARGET_ROWS, _geo(region_id, municipality_id, year))
    return rows.sort_values("year").groupby(["target_id", "scope_level", "scope_id"], as_index=False).last()


def _target_for(targets: pd.DataFrame, target_id: str, municipality_id: str | None) -> dict:
    rows = targets[targets["target_id"] == target_id]
    if municipality_id is not None:
        local = rows[(rows["scope_level"] == "municipality") & (rows["scope_id"] == municipality_id)]
        if not local.empty:
            return local.iloc[0].to_dict()
    regional = rows[rows["scope_level"] == "region"]
    if not regional.empty:
        return regional.iloc[0].to_dict()
    defaults = kpi_defaults().set_index("target_id")
    if target_id in defaults.index:
        row = defaults.loc[target_id]
        return dict(target_low=float(row["target_low"]), target_high=row["target_high"], direction=row["direction"],
                    scope_level="default")
    return {}


def status_of(actual: float, target_low: float, direction: str, at_risk_fraction: float) -> str:
    if actual is None or (isinstance(actual, float) and math.isnan(actual)) or target_low is None:
        return "no_data"
    if direction == "at_most":
        return "achieved" if actual <= target_low + 1e-12 else "not_achieved"
    if actual >= target_low - 1e-12:
        return "achieved"
    return "at_risk" if actual >= target_low * at_risk_fraction - 1e-12 else "not_achieved"


@reads("kpi_reported", "kpi_targets", "measure_status", "measures", "mentor_pairs", "municipalities",
       "results", "roadmaps", "school_lists", "schools", "survey_participation",
       "teacher_development")
def summary(store: Store, region_id: RegionId, municipality_id: MunicipalityId | None, year: int, as_of: dt.date,
            params: dict | None = None) -> pd.DataFrame:
    """One row per target: target_id, kind, target_low, target_high, direction, numerator,
    denominator, actual, status. (Shared: the page's table and the trend use the same year.)"""
    params = params or load_params()
    return shared(store, None, ("targets.summary", region_id, municipality_id, int(year), as_of, key_of(params)),
                  lambda: _summary(store, region_id, municipality_id, year, as_of, params))


def _summary(store: Store, region_id, municipality_id, year: int, as_of: dt.date, params: dict) -> pd.DataFrame:
    targets = target_values(store, region_id, municipality_id, year)
    fraction = float(params["targets"]["at_risk_fraction"])
    rows = []
    for target_id, kind in TARGETS.items():
        target = _target_for(targets, target_id, municipality_id)
        low, high, direction = target.get("target_low"), target.get("target_high"), target.get("direction", "at_least")
        if kind == "reported":
            value = store.scalar(REPORTED, {"target_id": target_id, "year": int(year), "region_id": region_id,
                                            "municipality_id": municipality_id})
            num, den, actual = None, None, (float(value) if value is not None else float("nan"))
        else:
            frame = details(store, target_id, region_id, municipality_id, year, as_of, params)
            num = float(frame["numerator"].sum()) if len(frame) else 0.0
            den = float(frame["denominator"].sum()) if len(frame) else 0.0
            if kind == "count":
                actual = num
            elif kind == "municipalities" and municipality_id is not None:
                kind, actual, num, den = "count", float(frame["agreements"].sum()), float(frame["agreements"].sum()), 1.0
            elif kind == "municipalities":
                # Regional view: the share of municipalities that meet their own target.
                low, high, direction = 1.0, None, "at_least"
                actual = num / den if den else float("nan")
            else:
                actual = num / den if den else float("nan")
        rows.append(dict(target_id=target_id, kind=kind, target_low=low,
                         target_high=None if high is None or (isinstance(high, float) and math.isnan(high)) else high,
                         direction=direction, numerator=num, denominator=den, actual=actual,
                         status=status_of(actual, low, direction, fraction)))
    return pd.DataFrame(rows)


@reads("kpi_reported", "kpi_targets", "measure_status", "measures", "mentor_pairs", "municipalities",
       "results", "roadmaps", "school_lists", "schools", "survey_participation",
       "teacher_development")
def trend(store: Store, region_id: RegionId, municipality_id: MunicipalityId | None, years: tuple[int, ...], as_of: dt.date,
          params: dict | None = None) -> pd.DataFrame:
    """``summary`` for several years (each year's figures at the end of that year or ``as_of``)."""
    frames = [summary(store, region_id, municipality_id, y, min(as_of, dt.date(int(y), 12, 31)), params).assign(year=int(y))
              for y in years]
    return pd.concat(frames, ignore_index=True)


TARGET_COLUMNS = ["target_id", "scope_level", "scope_id", "year", "target_low", "target_high", "direction"]


def validate_targets(frame: pd.DataFrame) -> list[str]:
    """Problems that stop a save or import (empty list: fine)."""
    problems = []
    missing = [c for c in TARGET_COLUMNS if c not in frame.columns]
    if missing:
        return [f"missing columns: {', '.join(missing)}"]
    for k, row in frame.reset_index(drop=True).iterrows():
        line = k + 1
        if row["target_id"] not in TARGETS:
            problems.append(f"row {line}: unknown target {row['target_id']!r}")
        if row["scope_level"] not in ("region", "municipality"):
            problems.append(f"row {line}: scope_level must be region or municipality")
        if row["direction"] not in ("at_least", "at_most"):
            problems.append(f"row {line}: direction must be at_least or at_most")
        try:
            low = float(row["target_low"])
            if math.isnan(low) or low < 0:
                raise ValueError
        except (TypeError, ValueError):
            problems.append(f"row {line}: target_low must be a non-negative number")
        try:
            int(row["year"])
        except (TypeError, ValueError):
            problems.append(f"row {line}: year must be a whole number")
    if not problems and frame.duplicated(["target_id", "scope_level", "scope_id", "year"]).any():
        problems.append("duplicate rows for the same target, scope and year")
    return problems


MUNICIPALITIES_OF_REGION = "SELECT municipality_id FROM municipalities WHERE region_id = ?"


def save_targets(store: Store, frame: pd.DataFrame, replace_region: str | None = None,
                 principal: access.Principal | None = None) -> int:
    """Upsert target rows in one transaction (all or nothing). With ``replace_region``, rows of
    that region and its municipalities that are absent from ``frame`` are deleted. Every row's
    territory must be within the acting user's scope (AccessDenied otherwise)."""
    problems = validate_targets(frame)
    if problems:
        raise ValueError("; ".join(problems))
    access.require(principal, "edit_targets")
    if replace_region is not None:
        access.require(principal, "edit_targets", access.Place(region_id=replace_region))
    for level, scope_id in frame[["scope_level", "scope_id"]].drop_duplicates().itertuples(index=False):
        thing = {"municipality_id": str(scope_id)} if level == "municipality" else {"region_id": str(scope_id)}
        access.require_at(store, principal, "edit_targets", **thing)
    clean = frame[TARGET_COLUMNS].copy()
    clean["year"] = clean["year"].astype(int)
    clean["target_low"] = clean["target_low"].astype(float)
    clean["target_high"] = pd.to_numeric(clean["target_high"], errors="coerce")
    clean["scope_id"] = clean["scope_id"].astype(str)
    # Read before the write: in the served mode the transaction is PostgreSQL's, which holds
    # kpi_targets but not the registry.
    replaced = [] if replace_region is None else [("region", replace_region)] + [
        ("municipality", m) for (m,) in store.query_rows(MUNICIPALITIES_OF_REGION, [replace_region])]
    with store.transaction() as cur:
        for level, scope_id in replaced:
            cur.execute("DELETE FROM kpi_targets WHERE scope_level = ? AND scope_id = ?", [level, scope_id])
        for row in clean.itertuples(index=False):
            cur.execute("INSERT OR REPLACE INTO kpi_targets (target_id, scope_level, scope_id, year, target_low, "
                        "target_high, direction) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [row.target_id, row.scope_level, row.scope_id, row.year, row.target_low,
                         None if pd.isna(row.target_high) else float(row.target_high), row.direction])
        store.bump_data_version(cur, tables=["kpi_targets"])
    return len(clean)


REGION_TARGETS = """
SELECT t.* FROM kpi_targets t
WHERE (t.scope_level = 'region' AND t.scope_id = $region_id)
   OR (t.scope_level = 'municipality' AND t.scope_id IN (SELECT municipality_id FROM municipalities
                                                         WHERE region_id = $region_id))
ORDER BY t.year, t.scope_level DESC, t.scope_id, t.target_id
"""


@reads("kpi_targets", "municipalities")
def region_targets(store: Store, region_id: RegionId) -> pd.DataFrame:
    """All target rows of a region and its municipalities (for the editor)."""
    return store.query_df(REGION_TARGETS, {"region_id": region_id})


__all__ = ["TARGETS", "STATUSES", "details", "summary", "trend", "save_targets", "validate_targets",
           "region_targets", "target_values", "status_of", "np"]
