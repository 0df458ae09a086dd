"""Deterministic synthetic data: a demo region (~400 schools) or a national-scale set.

Entry point: ``python -m analytics.demo [--scale region|national] [--db PATH]``.
"""
from __future__ import annotations

import datetime as dt
from typing import Callable

import numpy as np
import pandas as pd

from analytics.demo import basemap, engagement, geography, monitoring, names
from analytics.demo import results as results_model
from analytics.reference import load_reference
from analytics.store import Store, insert_df

Progress = Callable[[float, str], None]

# Tables the generator owns, in the order they are filled.
DEMO_TABLES = (
    "regions", "municipalities", "schools", "results", "school_lists", "risk_profiles",
    "mentor_pairs", "roadmaps", "measures", "measure_schools", "measure_status",
    "measure_status_history", "checkpoints", "kpi_targets", "kpi_reported",
    "survey_participation", "teacher_development", "teacher_deficits", "basemap_features", "engagement_reviews",
)


def _no_progress(fraction: float, message: str) -> None:
    return None


def _region_part(spec, seed: int, today: dt.date):
    """Everything of one region except the result rows (which are drawn per year)."""
    rng = np.random.default_rng([seed, int(spec.region_id)])
    region, municipalities, schools = geography.build_region(spec, rng, names.NamePool(rng))
    model = results_model.simulate_quality(schools, rng)
    profiles = monitoring.risk_profiles(schools, model, rng)
    pairs = monitoring.mentor_pairs(schools, model, rng)
    mentor_lists = pairs[["year", "mentor_school_id"]].drop_duplicates().rename(
        columns={"mentor_school_id": "school_id"}).assign(category="mentor")
    lists = pd.concat([model.lists, mentor_lists], ignore_index=True)
    teachers = monitoring.teacher_development(schools, model, rng)
    part = dict(
        regions=pd.DataFrame([region]), municipalities=municipalities,
        schools=schools.drop(columns="settlement"), school_lists=lists.assign(source="official"),
        risk_profiles=profiles, mentor_pairs=pairs,
        kpi_targets=monitoring.kpi_targets(spec.region_id, municipalities),
        kpi_reported=monitoring.kpi_reported(spec.region_id),
        survey_participation=monitoring.survey_participation(schools, model, rng),
        **teachers,
    )
    part.update(monitoring.roadmaps(schools, municipalities, spec.region_id, model, profiles, today, rng))
    part["basemap_features"] = basemap.features(spec.region_id, municipalities, schools, seed)
    part["engagement_reviews"] = engagement.reviews(part, schools, seed, spec.region_id, today)
    return part, schools, model


def _offset_ids(part: dict, offsets: dict) -> None:
    """Make roadmap, measure and unit ids unique across regions."""
    for table, column, key in (("roadmaps", "roadmap_id", "roadmap"), ("measures", "roadmap_id", "roadmap"),
                               ("measures", "measure_id", "measure"), ("measure_schools", "measure_id", "measure"),
                               ("measure_status", "measure_id", "measure"), ("measure_status", "unit_id", "unit")):
        part[table][column] = part[table][column] + offsets[key]
    offsets["roadmap"] += len(part["roadmaps"])
    offsets["measure"] += len(part["measures"])
    offsets["unit"] += len(part["measure_status"])


def _history(statuses: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "unit_id": statuses["unit_id"], "version": statuses["version"], "status": statuses["status"],
        "completed_on": statuses["completed_on"], "comment": statuses["comment"],
        "evidence_url": statuses["evidence_url"], "changed_by": statuses["updated_by"],
        "changed_at": statuses["updated_at"],
    })


def build_demo(store: Store, scale: str = "region", seed: int = 20261122, today: dt.date | None = None,
               progress: Progress = _no_progress) -> dict[str, int]:
    """Replace the store's content with generated data; returns row counts per table."""
    today = today or dt.date.today()
    if scale == "region":
        specs = [geography.REGION_SPEC]
        label = geography.REGION_SPEC.name
    elif scale == "national":
        specs = geography.national_specs(np.random.default_rng([seed, 0]))
        label = "Демонстрационная страна"
    else:
        raise ValueError(f"unknown scale {scale!r}")

    counts: dict[str, int] = {}
    with store.transaction() as cur:
        for table in DEMO_TABLES:
            cur.execute(f"DELETE FROM {table}")
        load_reference(cur)
        progress(0.02, "reference")

        offsets = {"roadmap": 0, "measure": 0, "unit": 0}
        all_schools, models = [], []
        for k, spec in enumerate(specs):
            part, schools, model = _region_part(spec, seed, today)
            _offset_ids(part, offsets)
            part["measure_status_history"] = _history(part["measure_status"])
            for table in DEMO_TABLES:
                if table in part:
                    counts[table] = counts.get(table, 0) + insert_df(cur, table, part[table])
            all_schools.append(schools)
            models.append(model)
            progress(0.02 + 0.38 * (k + 1) / len(specs), "regions")

        schools = pd.concat(all_schools, ignore_index=True)
        model = results_model.SchoolModel(
            school_ids=np.concatenate([m.school_ids for m in models]),
            quality=np.vstack([m.quality for m in models]),
            biased=np.concatenate([m.biased for m in models]),
            resilient=np.concatenate([m.resilient for m in models]),
            lists=pd.concat([m.lists for m in models], ignore_index=True),
        )
        design = results_model._design(schools)
        rng = np.random.default_rng([seed, 999])
        for k, year in enumerate(results_model.YEARS):
            rows = results_model.results_for_year(schools, model, year, rng, design)
            counts["results"] = counts.get("results", 0) + insert_df(cur, "results", rows)
            progress(0.4 + 0.58 * (k + 1) / len(results_model.YEARS), "results")

        for key, value in (("dataset_label", label), ("is_demo", "1"), ("scale", scale), ("seed", str(seed)),
                           ("generated_for_today", today.isoformat()),
                           ("generated_at", dt.datetime.now().isoformat(timespec="seconds"))):
            store.set_meta(key, value, cursor=cur)
        store.bump_data_version(cur)
    progress(1.0, "done")
    return counts
