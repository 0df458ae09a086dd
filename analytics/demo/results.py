"""School quality over the years, official lists, and assessment results (vectorised).

Model: every school has a latent quality ``q[school, year]`` = base (worse in difficult
social context) + its own trend + a regional year effect + the effect of support after it
was put on the low-results list. Marks come from an ordinal logit on ``q`` and are drawn
with a multinomial per row, so small schools are as noisy as real ones.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from analytics.reference import read_reference

YEARS = tuple(range(2020, 2027))
LIST_YEARS = tuple(range(2022, 2027))
YEAR_EFFECT = {2020: -0.18, 2021: -0.06, 2022: 0.0, 2023: 0.02, 2024: 0.04, 2025: 0.05, 2026: 0.06}

# ВПР: grade -> (core subjects written by everyone, subjects written by a random part)
VPR_PLAN = {
    4: (("rus", "math", "okr"), ()),
    5: (("rus", "math"), ("hist", "bio")),
    6: (("rus", "math"), ("hist", "bio", "geo", "soc")),
    7: (("rus", "math"), ("hist", "bio", "geo", "soc", "phys", "eng")),
    8: (("rus", "math"), ("hist", "bio", "geo", "soc", "phys", "chem")),
    10: ((), ("geo", "phys")),
    11: ((), ("hist", "bio", "chem", "phys", "geo")),
}
OGE_SUBJECTS = {"rus": 1.0, "math": 1.0, "soc": 0.55, "geo": 0.35, "bio": 0.3, "inf": 0.35,
                "hist": 0.08, "phys": 0.1, "chem": 0.08, "eng": 0.05}
EGE_SUBJECTS = {  # share of graduates taking it, national-like mean score
    "rus": (1.0, 70.0), "math_prof": (0.45, 57.0), "soc": (0.4, 56.0), "phys": (0.2, 54.0),
    "bio": (0.17, 51.0), "hist": (0.14, 56.0), "chem": (0.12, 54.0), "inf": (0.15, 58.0),
    "eng": (0.1, 66.0),
}
SUBJECT_DIFFICULTY = {"math": -0.3, "phys": -0.25, "chem": -0.2, "rus": -0.05}
GRADE_DIFFICULTY = {7: -0.2, 8: -0.2}
# Cut points of the ordinal logit: P(mark <= k) = logistic(cut_k - q)
VPR_CUTS = np.array([-2.0, 0.0, 1.75])
OGE_CUTS = np.array([-3.0, -0.6, 1.3])
EGE_SD = 16.0
EGE_TAIL_DF = 4  # heavier tails than a normal: 1-5 % below the minimum in Russian
EGE_MINIMUM = read_reference("subjects").dropna(subset=["ege_min_score"]).set_index("subject_id")["ege_min_score"].to_dict()


@dataclass
class SchoolModel:
    school_ids: np.ndarray
    quality: np.ndarray            # [school, year]
    biased: np.ndarray             # bool per school (inflated ВПР marks)
    resilient: np.ndarray          # bool per school
    lists: pd.DataFrame            # official lists: year, category, school_id
    support: np.ndarray | None = None   # [school, year]: the true effect of support on quality (known to the demo only)


def simulate_quality(schools: pd.DataFrame, rng: np.random.Generator) -> SchoolModel:
    n = len(schools)
    social = schools["social_index"].to_numpy()
    elite = schools["school_type"].isin(["gymnasium", "lyceum"]).to_numpy()
    base = -1.5 * (social - 0.45) + rng.normal(0, 0.42, n) + 0.45 * elite
    resilient = (social > 0.6) & (rng.uniform(size=n) < 0.06)
    base[resilient] += rng.uniform(1.0, 1.5, resilient.sum())
    slope = rng.normal(0, 0.04, n)
    declining = rng.uniform(size=n) < 0.06
    slope[declining] -= rng.uniform(0.08, 0.15, declining.sum())
    responsiveness = rng.uniform(0, 0.9, n)  # how much support helps a listed school
    biased = (rng.uniform(size=n) < 0.03) & ~resilient

    quality = np.zeros((n, len(YEARS)))
    support = np.zeros((n, len(YEARS)))
    years_listed = np.zeros(n)
    list_rows = []
    cutoff = None
    for t, year in enumerate(YEARS):
        # Support acts from the year after a listing, growing with the years listed (capped).
        support[:, t] = np.minimum(0.1 * years_listed * responsiveness, 0.3)
        quality[:, t] = (base + slope * (year - 2023) + YEAR_EFFECT[year]
                         + support[:, t]
                         + rng.normal(0, 0.06, n))
        if year in LIST_YEARS:
            composite = quality[:, t - 2: t].mean(axis=1) + rng.normal(0, 0.08, n)
            if cutoff is None:
                cutoff = np.quantile(composite, 0.12)
            on_list = composite < cutoff
            years_listed += on_list
            list_rows.append(_lists_for_year(year, schools, on_list, composite, cutoff, slope,
                                             resilient, biased, rng))
    lists = pd.concat(list_rows, ignore_index=True)
    return SchoolModel(schools["school_id"].to_numpy(), quality, biased, resilient, lists, support)


def _lists_for_year(year, schools, on_list, composite, cutoff, slope, resilient, biased, rng):
    ids = schools["school_id"].to_numpy()
    social = schools["social_index"].to_numpy()
    categories = {
        "low_results": on_list,
        "social_risk": social > 0.72,
        "risk_zone": ~on_list & (composite < cutoff + 0.35) & (slope < -0.02),
        "resilient": resilient & (composite > np.quantile(composite, 0.6)),
        "biased": biased & (rng.uniform(size=len(ids)) < 0.8),
    }
    frames = [pd.DataFrame({"year": year, "category": cat, "school_id": ids[mask]})
              for cat, mask in categories.items()]
    return pd.concat(frames, ignore_index=True)


def _grade_sizes(schools: pd.DataFrame) -> np.ndarray:
    """Students per grade: NOSh has grades 1-4, OOSh 1-9, the others 1-11."""
    grades = schools["school_type"].map({"nosh": 4, "oosh": 9}).fillna(11).to_numpy()
    return schools["students"].to_numpy() / grades


def _design(schools: pd.DataFrame) -> pd.DataFrame:
    """Every (school, procedure, subject, grade) a school can have, with its take-up rate."""
    max_grade = schools["school_type"].map({"nosh": 4, "oosh": 9}).fillna(11).to_numpy()
    plan = []
    for grade, (core, optional) in VPR_PLAN.items():
        # Each class writes two of the optional subjects, drawn at random (as in real ВПР).
        pick = min(1.0, 2 / len(optional)) if optional else 1.0
        plan += [("VPR", s, grade, 0.92, 1.0) for s in core]
        plan += [("VPR", s, grade, 0.9, pick) for s in optional]
    plan += [("OGE", s, 9, rate, 1.0) for s, rate in OGE_SUBJECTS.items()]
    plan += [("EGE", s, 11, rate, 1.0) for s, (rate, _) in EGE_SUBJECTS.items()]
    plan = pd.DataFrame(plan, columns=["procedure", "subject_id", "grade", "rate", "pick"])
    school_index = np.repeat(np.arange(len(schools)), len(plan))
    design = pd.concat([plan] * len(schools), ignore_index=True)
    design["school_index"] = school_index
    design = design[design["grade"].to_numpy() <= max_grade[school_index]]
    return design.reset_index(drop=True)


def _ordinal_probabilities(latent: np.ndarray, cuts: np.ndarray) -> np.ndarray:
    cumulative = 1 / (1 + np.exp(-(cuts[None, :] - latent[:, None])))
    probs = np.diff(np.column_stack([np.zeros(len(latent)), cumulative, np.ones(len(latent))]), axis=1)
    return np.clip(probs, 1e-9, None) / np.clip(probs, 1e-9, None).sum(axis=1, keepdims=True)


def results_for_year(schools: pd.DataFrame, model: SchoolModel, year: int,
                     rng: np.random.Generator, design: pd.DataFrame | None = None) -> pd.DataFrame:
    """All result rows of one year, as the assessment centre would export them."""
    design = _design(schools) if design is None else design
    t = YEARS.index(year)
    idx = design["school_index"].to_numpy()
    grade_size = _grade_sizes(schools)[idx]
    cohort = rng.poisson(np.maximum(grade_size, 0.5))
    participants = rng.binomial(cohort, design["rate"].to_numpy())
    keep = (participants > 0) & (rng.uniform(size=len(participants)) < design["pick"].to_numpy())
    design, idx, participants = design[keep].reset_index(drop=True), idx[keep], participants[keep]
    procedure = design["procedure"].to_numpy()
    subject = design["subject_id"].to_numpy()
    grade = design["grade"].to_numpy()

    latent = (model.quality[idx, t]
              + pd.Series(subject).map(SUBJECT_DIFFICULTY).fillna(0).to_numpy()
              + pd.Series(grade).map(GRADE_DIFFICULTY).fillna(0).to_numpy()
              + rng.normal(0, 0.18, len(idx)))
    is_vpr, is_oge, is_ege = procedure == "VPR", procedure == "OGE", procedure == "EGE"
    biased_vpr = is_vpr & model.biased[idx]
    latent = latent + 0.9 * biased_vpr

    out = pd.DataFrame({
        "school_id": model.school_ids[idx], "year": year, "procedure": procedure,
        "subject_id": subject, "grade": grade, "participants": participants,
    })
    marks = np.zeros((len(idx), 4), dtype=np.int64)
    for mask, cuts in ((is_vpr, VPR_CUTS), (is_oge, OGE_CUTS)):
        if mask.any():
            marks[mask] = rng.multinomial(participants[mask], _ordinal_probabilities(latent[mask], cuts))
    for k, column in enumerate(("n2", "n3", "n4", "n5")):
        out[column] = pd.array(np.where(is_ege, 0, marks[:, k]), dtype="Int32")
        out.loc[is_ege, column] = pd.NA

    out = _ege_scores(out, latent, is_ege, participants, rng)
    out = _vpr_vs_journal(out, idx, is_vpr, biased_vpr, participants, rng)
    return out


def _ege_scores(out, latent, is_ege, participants, rng):
    subject = out["subject_id"].to_numpy()
    base = pd.Series(subject).map({s: m for s, (_, m) in EGE_SUBJECTS.items()}).fillna(60).to_numpy()
    mu = base + 9.0 * latent
    minimum = pd.Series(subject).map(EGE_MINIMUM).fillna(0).to_numpy()
    p_below = stats.t.cdf((minimum - mu) / EGE_SD, EGE_TAIL_DF)
    p_high = 1 - stats.t.cdf((80.5 - mu) / EGE_SD, EGE_TAIL_DF)
    n = np.where(is_ege, participants, 0)
    sample_mean = mu + rng.normal(0, EGE_SD / np.sqrt(np.maximum(n, 1)))
    out["mean_score"] = np.where(is_ege, np.round(np.clip(sample_mean, 5, 98), 1), np.nan)
    out["score_sd"] = np.where(is_ege, np.round(EGE_SD * rng.uniform(0.75, 1.1, len(n)), 1), np.nan)
    below = rng.binomial(n, np.clip(p_below, 0, 1))
    high = rng.binomial(n - below, np.clip(p_high / np.maximum(1 - p_below, 1e-9), 0, 1))
    out["n_below_min"] = pd.array(np.where(is_ege, below, 0), dtype="Int32")
    out["n_high"] = pd.array(np.where(is_ege, high, 0), dtype="Int32")
    out.loc[~is_ege, ["n_below_min", "n_high"]] = pd.NA
    out.loc[~is_ege, ["mean_score", "score_sd"]] = np.nan
    return out


def _vpr_vs_journal(out, idx, is_vpr, biased_vpr, participants, rng):
    n = len(idx)
    p_lower = np.where(biased_vpr, rng.uniform(0.02, 0.08, n), rng.beta(6, 16, n))
    p_higher = np.where(biased_vpr, rng.uniform(0.25, 0.45, n), rng.beta(2, 30, n))
    p_confirmed = np.clip(1 - p_lower - p_higher, 0.05, None)
    probs = np.column_stack([p_lower, p_confirmed, p_higher])
    probs /= probs.sum(axis=1, keepdims=True)
    counts = np.zeros((n, 3), dtype=np.int64)
    if is_vpr.any():
        counts[is_vpr] = rng.multinomial(participants[is_vpr], probs[is_vpr])
    for k, column in enumerate(("n_lower", "n_confirmed", "n_higher")):
        out[column] = pd.array(counts[:, k], dtype="Int32")
        out.loc[~is_vpr, column] = pd.NA
    return out

