"""Filters shared by every view: what part of the data the user is looking at."""
from __future__ import annotations

from typing import NamedTuple

PROCEDURES = ("VPR", "OGE", "EGE")


class Scope(NamedTuple):
    """Region / municipality / year plus the assessment slice. ``None`` means "all"."""
    region_id: str
    municipality_id: str | None = None
    year: int | None = None
    procedure: str = "VPR"
    subject_id: str | None = None
    grade: int | None = None

    def geo_params(self) -> dict:
        """Named parameters for the standard geography condition (see ``GEO_CONDITION``)."""
        return {"region_id": self.region_id, "municipality_id": self.municipality_id}


# Append to a query that joins ``municipalities m`` (and schools ``s`` where relevant).
# ``region_id`` None = every region (the national view).
GEO_CONDITION = ("($region_id IS NULL OR m.region_id = $region_id)"
                 " AND ($municipality_id IS NULL OR m.municipality_id = $municipality_id)")
