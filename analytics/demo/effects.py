"""The demo's true effect of support, in the outcome the estimators use (share of «2» in
ВПР, Russian and mathematics): known only because the generator made it.

The generator adds ``support[school, year]`` to a listed school's latent quality from the
year after its listing (:func:`analytics.demo.results.simulate_quality`). A school-year's
true effect on the share of «2» is the expected share with its quality minus the expected
share had the support been zero — for the school's own result rows (subject, grade,
participants), through the generator's ordinal model (:data:`VPR_CUTS`, subject and grade
difficulty, averaged over the row noise)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.demo import geography, names
from analytics.demo import results as model_module
from analytics.effectiveness import OUTCOME_SUBJECTS
from analytics.store import Store

ROWS = """
SELECT school_id, year, subject_id, grade, participants FROM results
WHERE procedure = 'VPR' AND list_contains($subjects, subject_id)
"""
_NODES, _WEIGHTS = np.polynomial.hermite_e.hermegauss(7)     # E over the row noise N(0, 0.18)


def region_model(seed: int) -> model_module.SchoolModel:
    """The demo region's school model for ``seed``, drawn exactly as build_demo draws it."""
    spec = geography.REGION_SPEC
    rng = np.random.default_rng([seed, int(spec.region_id)])
    _, _, schools = geography.build_region(spec, rng, names.NamePool(rng))
    return model_module.simulate_quality(schools, rng)


def _share2(latent: np.ndarray) -> np.ndarray:
    total = np.zeros_like(latent)
    for node, weight in zip(_NODES, _WEIGHTS / _WEIGHTS.sum()):
        total += weight / (1 + np.exp(-(model_module.VPR_CUTS[0] - (latent + 0.18 * node))))
    return total


def true_effects(store: Store, seed: int) -> pd.DataFrame:
    """school_id, year, support (latent), effect (share of «2», 0..1; negative = fewer «2»)
    for every school-year with support and VPR rows in the store."""
    model = region_model(seed)
    position = pd.Series(np.arange(len(model.school_ids)), index=model.school_ids)
    rows = store.query_df(ROWS, dict(subjects=list(OUTCOME_SUBJECTS)))
    rows["year"] = rows["year"].astype(int)
    s = position.reindex(rows["school_id"]).to_numpy()
    keep = ~np.isnan(s)
    rows, s = rows[keep].reset_index(drop=True), s[keep].astype(int)
    t = rows["year"].to_numpy() - model_module.YEARS[0]
    support = model.support[s, t]
    latent = (model.quality[s, t]
              + rows["subject_id"].map(model_module.SUBJECT_DIFFICULTY).fillna(0).to_numpy()
              + rows["grade"].map(model_module.GRADE_DIFFICULTY).fillna(0).to_numpy()
              + 0.9 * model.biased[s])
    rows["support"] = support
    rows["weighted"] = rows["participants"] * (_share2(latent) - _share2(latent - support))
    out = rows.groupby(["school_id", "year"]).agg(support=("support", "first"), weighted=("weighted", "sum"),
                                                  participants=("participants", "sum")).reset_index()
    out["effect"] = out["weighted"] / out["participants"]
    return out[out["support"] > 0][["school_id", "year", "support", "effect"]].reset_index(drop=True)
