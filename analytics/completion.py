"""Roadmap completion in a scope at a date (the summary the overview needs).

A thin layer over :mod:`analytics.roadmaps`, which defines the unit of counting (measure ×
covered school × due date) and the states; «не применимо» is left out of numerator and
denominator, and a unit counts as done at date D when it is reported done and was
completed on or before D.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from analytics.roadmaps import RoadmapFilter, checkpoints_for
from analytics.roadmaps import completion as _completion
from analytics.store import Store
from analytics.reads import reads
from analytics.query import MunicipalityId, RegionId


@reads("measure_status", "measures", "roadmaps")
def year_completion(store: Store, region_id: RegionId, municipality_id: MunicipalityId | None, year: int,
                    as_of: dt.date) -> pd.DataFrame:
    """One row: planned, due, done, done_on_time, done_late, overdue, share_of_plan, share_of_due, ..."""
    return _completion(store, RoadmapFilter(region_id, municipality_id, year), as_of)


@reads("checkpoints")
def checkpoint_status(store: Store, year: int, as_of: dt.date) -> pd.DataFrame:
    """The year's common checkpoints (or the defaults) with a flag for those passed at ``as_of``."""
    frame = checkpoints_for(store, year)
    frame["passed"] = frame["checkpoint_date"] <= as_of
    return frame
