"""Schools that need attention (the last slide of «Показ»): listed schools whose roadmap
lags or whose high risks no measure addresses. A composition of roadmaps.completion_by and
risks.coverage — no new data, one explicit rule:

A school on the official low-results list of ``list_year`` needs attention when at least one holds:
- ``overdue``: it has execution units overdue at ``as_of``;
- ``behind``: its share of the year plan done by the last checkpoint passed (at that date, on the
  chosen completion basis) is below that checkpoint's target;
- ``uncovered``: it has a high risk that no measure of the year concerning it addresses.
Ordered by the number of reasons, then uncovered high risks, overdue units, share done (lowest first).
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from analytics import risks
from analytics import roadmaps as rm
from analytics.overview import LISTED_IN_SCOPE
from analytics.store import Store

LISTED = f"""
WITH listed AS ({LISTED_IN_SCOPE})
SELECT s.school_id, s.short_name, m.name AS municipality
FROM listed JOIN schools s USING (school_id) JOIN municipalities m USING (municipality_id)
ORDER BY s.school_id
"""
COLUMNS = ["school_id", "short_name", "municipality", "planned", "share_of_plan", "overdue", "high_risks",
           "uncovered_high", "reasons"]
REASONS = ("overdue", "behind", "uncovered")


def schools_needing_attention(store: Store, region_id: str, municipality_id: str | None, year: int,
                              list_year: int | None, as_of: dt.date, catalogue_id: str | None = None,
                              risk_year: int | None = None, only_flagged: bool = True,
                              basis: str = "measures") -> pd.DataFrame:
    if list_year is None:
        return pd.DataFrame(columns=COLUMNS)
    listed = store.query_df(LISTED, {"region_id": region_id, "municipality_id": municipality_id, "year": list_year})
    flt = rm.RoadmapFilter(region_id, municipality_id, year)
    by_school = rm.completion_by(store, flt, as_of, "school", basis=basis)
    by_school = by_school.rename(columns={"key": "school_id"})[["school_id", "planned", "share_of_plan", "overdue"]]
    points = rm.checkpoints_for(store, year)
    passed = points[points["checkpoint_date"] <= as_of]
    target = float(passed.iloc[-1]["target_share"]) if not passed.empty else None
    frame = listed.merge(by_school, on="school_id", how="left")
    at_checkpoint = pd.Series(dtype=float)
    if target is not None:
        then = rm.completion_by(store, flt, passed.iloc[-1]["checkpoint_date"], "school", basis=basis)
        at_checkpoint = then.set_index("key")["share_of_plan"]
    frame["share_at_checkpoint"] = frame["school_id"].map(at_checkpoint)
    frame["planned"] = frame["planned"].fillna(0).astype(int)
    frame["overdue"] = frame["overdue"].fillna(0).astype(int)
    if catalogue_id is not None and risk_year is not None:
        cover = risks.coverage(store, region_id, municipality_id, risk_year, catalogue_id)
        high = cover[cover["level"] == "high"]
        frame["high_risks"] = frame["school_id"].map(high.groupby("school_id").size()).fillna(0).astype(int)
        frame["uncovered_high"] = frame["school_id"].map(
            high[~high["covered"]].groupby("school_id").size()).fillna(0).astype(int)
    else:
        frame["high_risks"] = 0
        frame["uncovered_high"] = 0
    behind = frame["share_at_checkpoint"].notna() & (target is not None) \
        & (frame["share_at_checkpoint"] < (target or 0) - 1e-12)
    flags = pd.DataFrame({"overdue": frame["overdue"] > 0, "behind": behind, "uncovered": frame["uncovered_high"] > 0})
    frame["reasons"] = [tuple(r for r in REASONS if row[r]) for _, row in flags.iterrows()]
    frame["_count"] = frame["reasons"].map(len)
    if only_flagged:
        frame = frame[frame["_count"] > 0]
    frame = frame.sort_values(["_count", "uncovered_high", "overdue", "share_of_plan", "school_id"],
                              ascending=[False, False, False, True, True], na_position="last")
    return frame[COLUMNS].reset_index(drop=True)
