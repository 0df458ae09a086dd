"""Which listed schools (and municipalities) are furthest behind on their roadmap, and why.

One rule, its weights as data (``analytics/reference/attention.toml``; methodology in
``docs/methodology/attention.md``). Each school on the official low-results list of the list
year gets points:

- ``overdue``: overdue execution units among the units due by the date, in percentage points
  (of at least ``min_due_units`` units, so a handful of units cannot pretend to be a share);
- ``gap``: how far its completion (the registry's ``school_roadmap_completion`` on the chosen
  basis) is behind the path to the next checkpoint: the straight line from the previous
  checkpoint's target (0 % on 1 January) to the next one's; after the last checkpoint, its
  target. A pro-rated path, so that in February every school is not "30 p.p. behind" June;
- ``uncovered``: high risks that no measure of the year concerning the school addresses
  (``risks.coverage``), a fixed number of points each.

Schools are ranked by the sum (ties: more overdue units, then the code); a school needs
attention when the sum reaches ``threshold``. Municipalities get the same points from their
own units (``completion_by`` municipality, as on the roadmap slide) and their listed schools'
uncovered high risks per listed school.
"""
from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from analytics import risks
from analytics import roadmaps as rm
from analytics.overview import LISTED_IN_SCOPE
from analytics.query import MunicipalityId, Query, RegionId
from analytics.store import Store

RULE_PATH = Path(__file__).parent / "reference" / "attention.toml"
LISTED = f"""
WITH listed AS ({LISTED_IN_SCOPE})
SELECT s.school_id, s.short_name, s.municipality_id, m.name AS municipality
FROM listed JOIN schools s USING (school_id) JOIN municipalities m USING (municipality_id)
ORDER BY s.school_id
"""
REASONS = ("overdue", "gap", "uncovered")
POINT_COLUMNS = {"overdue": "points_overdue", "gap": "points_gap", "uncovered": "points_uncovered"}
COLUMNS = ["rank", "school_id", "short_name", "municipality_id", "municipality", "planned", "due", "overdue",
           "overdue_share", "share_of_plan", "expected_share", "next_date", "next_target", "high_risks",
           "uncovered_high", "uncovered_factors", *POINT_COLUMNS.values(), "score", "needs_attention", "reasons"]
MUNICIPALITY_COLUMNS = ["rank", "municipality_id", "municipality", "listed", "schools_needing_attention", "planned",
                        "due", "overdue", "overdue_share", "share_of_plan", "expected_share", "next_date",
                        "next_target", "uncovered_high", "uncovered_per_school", *POINT_COLUMNS.values(), "score",
                        "needs_attention", "reasons"]


@dataclass(frozen=True)
class Rule:
    overdue_pp: float
    gap_pp: float
    uncovered_high: float
    min_due_units: int
    threshold: float
    reasons_shown: int


@lru_cache(maxsize=1)
def rule() -> Rule:
    data = tomllib.loads(RULE_PATH.read_text(encoding="utf-8"))
    return Rule(**data["weights"], **data["rule"])


@dataclass(frozen=True)
class Path_:
    """Where completion should be at a date on the way to the next checkpoint."""
    expected: float | None
    next_date: dt.date | None
    next_target: float | None


def checkpoint_path(checkpoints: pd.DataFrame, as_of: dt.date, year: int) -> Path_:
    """The expected share at ``as_of``: linear from the previous checkpoint's target (0 at
    1 January of ``year``) to the next one's; after the last checkpoint, its target."""
    points = checkpoints.sort_values("checkpoint_date")
    if points.empty:
        return Path_(None, None, None)
    ahead = points[points["checkpoint_date"] > as_of]
    behind = points[points["checkpoint_date"] <= as_of]
    if ahead.empty:
        last = behind.iloc[-1]
        return Path_(float(last["target_share"]), last["checkpoint_date"], float(last["target_share"]))
    nxt = ahead.iloc[0]
    start_date, start_share = dt.date(year, 1, 1), 0.0
    if not behind.empty:
        start_date, start_share = behind.iloc[-1]["checkpoint_date"], float(behind.iloc[-1]["target_share"])
    span = (nxt["checkpoint_date"] - start_date).days
    progress = min(max((as_of - start_date).days / span, 0.0), 1.0) if span > 0 else 1.0
    expected = start_share + (float(nxt["target_share"]) - start_share) * progress
    return Path_(expected, nxt["checkpoint_date"], float(nxt["target_share"]))


def score(frame: pd.DataFrame, expected: float | None, the_rule: Rule, uncovered_column: str = "uncovered_high"
          ) -> pd.DataFrame:
    """Points, score, rank and reasons of each row (pure). ``frame`` needs ``due``, ``overdue``,
    ``planned``, ``share_of_plan`` (NaN: no plan, counted as 0 done) and ``uncovered_column``."""
    out = frame.copy()
    due = out["due"].fillna(0).astype(float)
    overdue = out["overdue"].fillna(0).astype(float)
    out["overdue_share"] = (overdue / due.clip(lower=the_rule.min_due_units)).where(due > 0, 0.0)
    done = out["share_of_plan"].astype(float).where(out["planned"].fillna(0) > 0, 0.0).fillna(0.0)
    out["expected_share"] = expected
    gap = (expected - done).clip(lower=0.0) if expected is not None else done * 0.0
    out["points_overdue"] = the_rule.overdue_pp * 100 * out["overdue_share"]
    out["points_gap"] = the_rule.gap_pp * 100 * gap
    out["points_uncovered"] = the_rule.uncovered_high * out[uncovered_column].fillna(0).astype(float)
    points = out[list(POINT_COLUMNS.values())].round(6)
    out["score"] = points.sum(axis=1).round(1)
    out["needs_attention"] = out["score"] >= the_rule.threshold
    out["reasons"] = [tuple(sorted((r for r in REASONS if row[POINT_COLUMNS[r]] > 0),
                                   key=lambda r: (-row[POINT_COLUMNS[r]], REASONS.index(r))))
                      for _, row in points.iterrows()]
    out["_overdue"] = overdue
    key = out.columns[out.columns.isin(["school_id", "municipality_id"])][0]
    out = out.sort_values(["score", "_overdue", key], ascending=[False, False, True], kind="stable")
    out["rank"] = range(1, len(out) + 1)
    return out.drop(columns="_overdue").reset_index(drop=True)


def _uncovered(store, region_id, municipality_id, catalogue_id, risk_year) -> pd.DataFrame:
    """One row per school: high risks, uncovered high risks, the uncovered factors' ids (by position)."""
    if catalogue_id is None or risk_year is None:
        return pd.DataFrame(columns=["school_id", "high_risks", "uncovered_high", "uncovered_factors"])
    cover = risks.coverage(store, region_id, municipality_id, risk_year, catalogue_id)
    high = cover[cover["level"] == "high"].sort_values(["school_id", "position"])
    open_ = high[~high["covered"]]
    return pd.DataFrame({
        "high_risks": high.groupby("school_id").size(),
        "uncovered_high": open_.groupby("school_id").size(),
        "uncovered_factors": open_.groupby("school_id")["factor_id"].agg(tuple),
    }).rename_axis("school_id").reset_index()


def _path(store, year, as_of) -> Path_:
    return checkpoint_path(rm.checkpoints_for(store, year), as_of, year)


def rank_schools(store: Store, q: Query, *, list_year: int | None, as_of: dt.date, catalogue_id: str | None = None,
                 risk_year: int | None = None, basis: str = "measures") -> pd.DataFrame:
    """Every school of ``q.territory`` on the official list of ``list_year``, ranked by the rule
    on the roadmaps of ``q.year`` (columns COLUMNS; ``rank`` 1 = furthest behind)."""
    region_id, municipality_id, year = q.region_id, q.municipality_id, q.year
    if list_year is None:
        return pd.DataFrame(columns=COLUMNS)
    listed = store.query_df(LISTED, {"region_id": region_id, "municipality_id": municipality_id, "year": list_year})
    if listed.empty:
        return pd.DataFrame(columns=COLUMNS)
    flt = rm.RoadmapFilter(region_id, municipality_id, year)
    by_school = rm.completion_by(store, flt, as_of, "school", basis=basis).rename(columns={"key": "school_id"})
    frame = listed.merge(by_school[["school_id", "planned", "due", "overdue", "share_of_plan"]], on="school_id",
                         how="left")
    for column in ("planned", "due", "overdue"):
        frame[column] = frame[column].fillna(0).astype(int)
    frame = frame.merge(_uncovered(store, region_id, municipality_id, catalogue_id, risk_year), on="school_id",
                        how="left")
    frame["high_risks"] = frame["high_risks"].fillna(0).astype(int)
    frame["uncovered_high"] = frame["uncovered_high"].fillna(0).astype(int)
    frame["uncovered_factors"] = frame["uncovered_factors"].map(lambda v: v if isinstance(v, tuple) else ())
    path = _path(store, year, as_of)
    frame["next_date"], frame["next_target"] = path.next_date, path.next_target
    return score(frame, path.expected, rule())[COLUMNS]


def rank_municipalities(store: Store, region_id: RegionId, year: int, list_year: int | None, as_of: dt.date,
                        schools: pd.DataFrame, basis: str = "measures") -> pd.DataFrame:
    """Municipalities with listed schools, ranked by the same rule: their own units' overdue
    share and lag, and their listed schools' uncovered high risks per listed school.
    ``schools``: :func:`rank_schools` of the whole region."""
    if list_year is None or schools.empty:
        return pd.DataFrame(columns=MUNICIPALITY_COLUMNS)
    flt = rm.RoadmapFilter(region_id, None, year)
    by = rm.completion_by(store, flt, as_of, "municipality", basis=basis).rename(columns={"key": "municipality_id"})
    grouped = schools.groupby(["municipality_id", "municipality"], as_index=False).agg(
        listed=("school_id", "size"), schools_needing_attention=("needs_attention", "sum"),
        uncovered_high=("uncovered_high", "sum"))
    frame = grouped.merge(by[["municipality_id", "planned", "due", "overdue", "share_of_plan"]],
                          on="municipality_id", how="left")
    for column in ("planned", "due", "overdue", "schools_needing_attention"):
        frame[column] = frame[column].fillna(0).astype(int)
    frame["uncovered_per_school"] = frame["uncovered_high"] / frame["listed"]
    path = _path(store, year, as_of)
    frame["next_date"], frame["next_target"] = path.next_date, path.next_target
    return score(frame, path.expected, rule(), "uncovered_per_school")[MUNICIPALITY_COLUMNS]


def schools_needing_attention(store: Store, q: Query, *, list_year: int | None, as_of: dt.date,
                              catalogue_id: str | None = None, risk_year: int | None = None,
                              only_flagged: bool = True, basis: str = "measures") -> pd.DataFrame:
    """:func:`rank_schools`, only those whose score reaches the threshold unless ``only_flagged`` is False."""
    frame = rank_schools(store, q, list_year=list_year, as_of=as_of, catalogue_id=catalogue_id, risk_year=risk_year,
                         basis=basis)
    return frame[frame["needs_attention"].astype(bool)].reset_index(drop=True) if only_flagged else frame


def municipality_ranking(store: Store, region_id: RegionId, year: int, list_year: int | None, as_of: dt.date,
                         catalogue_id: str | None = None, risk_year: int | None = None,
                         basis: str = "measures", *, municipality_id: MunicipalityId | None = None) -> pd.DataFrame:
    """:func:`rank_municipalities` of the whole region (the schools ranked here first); with
    ``municipality_id``, that municipality's row only, ranked among all (what access narrows a
    district head's call to: the rank stays the rank in the region)."""
    schools = rank_schools(store, Query.of(region_id, year=year), list_year=list_year, as_of=as_of,
                           catalogue_id=catalogue_id, risk_year=risk_year, basis=basis)
    ranked = rank_municipalities(store, region_id, year, list_year, as_of, schools, basis)
    if municipality_id is None:
        return ranked
    return ranked[ranked["municipality_id"].astype(str) == str(municipality_id)].reset_index(drop=True)
