"""What exists in the store: the choices the filters offer."""
from __future__ import annotations

import pandas as pd

from analytics.store import Store
from analytics.reads import reads
from analytics.query import MunicipalityId, RegionId

REGIONS = "SELECT region_id, name, is_synthetic FROM regions ORDER BY name"

MUNICIPALITIES = """
SELECT municipality_id, name, kind FROM municipalities
WHERE region_id = $region_id AND ($municipality_id IS NULL OR municipality_id = $municipality_id)
ORDER BY kind DESC, name
"""

YEARS = "SELECT DISTINCT year FROM results ORDER BY year"

SUBJECTS = """
SELECT DISTINCT r.subject_id, sub.name_ru, sub.name_en, sub.position
FROM results r JOIN subjects sub USING (subject_id)
WHERE r.procedure = $procedure
ORDER BY sub.position
"""

GRADES = """
SELECT DISTINCT grade FROM results
WHERE procedure = $procedure AND ($subject_id IS NULL OR subject_id = $subject_id)
ORDER BY grade
"""

SCHOOLS = """
SELECT s.school_id, s.short_name, s.name, s.municipality_id
FROM schools s JOIN municipalities m USING (municipality_id)
WHERE m.region_id = $region_id AND ($municipality_id IS NULL OR s.municipality_id = $municipality_id)
ORDER BY s.short_name
"""


@reads("regions")
def regions(store: Store) -> pd.DataFrame:
    return store.query_df(REGIONS)


@reads("municipalities")
def municipalities(store: Store, region_id: RegionId, municipality_id: MunicipalityId | None = None) -> pd.DataFrame:
    """The region's municipalities (only ``municipality_id`` when given: what access narrows a
    district head's call to)."""
    return store.query_df(MUNICIPALITIES, {"region_id": region_id, "municipality_id": municipality_id})


@reads("results")
def years(store: Store) -> list[int]:
    return [int(y) for (y,) in store.query_rows(YEARS)]


@reads("results", "subjects")
def subjects(store: Store, procedure: str) -> pd.DataFrame:
    return store.query_df(SUBJECTS, {"procedure": procedure})


@reads("results")
def grades(store: Store, procedure: str, subject_id: str | None) -> list[int]:
    return [int(g) for (g,) in store.query_rows(GRADES, {"procedure": procedure, "subject_id": subject_id})]


@reads("municipalities", "schools")
def schools(store: Store, region_id: RegionId, municipality_id: MunicipalityId | None = None) -> pd.DataFrame:
    return store.query_df(SCHOOLS, {"region_id": region_id, "municipality_id": municipality_id})


def dataset_label(store: Store) -> tuple[str, bool]:
    """The data set's name and whether it is synthetic."""
    return store.get_meta("dataset_label", ""), store.get_meta("is_demo", "0") == "1"
