"""Identification that knows its noise: empirical-Bayes shrinkage of the results index and the
probability of being in the region's bottom share.

Each component of the results index (share of «2» in ВПР and ОГЭ, СОУ in ВПР, share below the
ЕГЭ minimum) is a school's estimate from its own counts. A share from 10 participants moves by
10 points when one student changes, so the raw z of a small school is mostly noise. Per
region × year and component (method of moments, as in Morris 1983 / the beta-binomial model):

* sampling variance of school i: ``v_i = μ(1 − μ) / n_i`` for a share (μ the region's
  participant-weighted mean), ``(E[x²] − E[x]²) / n_i`` for СОУ (from the school's own marks);
* between-school variance ``τ² = max(S − Σ n_i v_i / Σ n_i, ε)``, S the weighted variance of
  the raw values;
* reliability ``r_i = τ² / (τ² + v_i)``; shrunk value ``μ + r_i (x_i − μ)``; z = (shrunk − μ) / τ.

A large school keeps almost its raw value; a school of 10 is pulled most of the way to the mean.

The probability of being in the bottom share: a parametric bootstrap (``replicates`` draws,
seeded) redraws every school's counts from its own estimate (binomial for shares, normal for
СОУ), recomputes the shrunk index with the region's μ, τ² fixed, ranks the schools, and counts
how often the school is within the bottom share in every results year of the rule.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

# component -> (participants column, raw value column, second-moment column or None, sign: +1 higher is better)
COMPONENTS = {
    "vpr_share2": ("vpr_n", "vpr_share2", None, -1.0),
    "vpr_sou": ("vpr_n", "vpr_sou", "vpr_sou_sq", 1.0),
    "oge_share2": ("oge_n", "oge_share2", None, -1.0),
    "ege_below": ("ege_n", "ege_below_share", None, -1.0),
}
EPSILON = 1e-9
GROUP = ["region_id", "year"]


def _eligible(frame: pd.DataFrame, component: str, min_n: int) -> pd.Series:
    n_column, value_column, _, _ = COMPONENTS[component]
    return (frame[n_column].fillna(0) >= min_n) & frame[value_column].notna()


def _sampling_variance(frame: pd.DataFrame, component: str, mu: pd.Series) -> pd.Series:
    n_column, value_column, square_column, _ = COMPONENTS[component]
    n = frame[n_column].astype(float)
    if square_column is None:
        return mu * (1 - mu) / n
    spread = (frame[square_column] - frame[value_column] ** 2).clip(lower=0)
    return spread / n


def moments(frame: pd.DataFrame, min_component_n: int) -> pd.DataFrame:
    """Per row and component: mu_c, tau2_c, v_c (sampling variance), r_c (reliability);
    NaN where the component does not count for the school-year."""
    out = pd.DataFrame(index=frame.index)
    for component, (n_column, value_column, _, _) in COMPONENTS.items():
        ok = _eligible(frame, component, min_component_n)
        n = frame[n_column].where(ok).astype(float)
        x = frame[value_column].where(ok).astype(float)
        keys = [frame[g] for g in GROUP]
        total = n.groupby(keys).transform("sum")
        mu = (n * x).groupby(keys).transform("sum") / total
        observed = (n * (x - mu) ** 2).groupby(keys).transform("sum") / total
        v = _sampling_variance(frame, component, mu).where(ok)
        noise = (n * v).groupby(keys).transform("sum") / total
        tau2 = (observed - noise).clip(lower=EPSILON)
        out[f"mu_{component}"] = mu.where(ok)
        out[f"tau2_{component}"] = tau2.where(ok)
        out[f"v_{component}"] = v
        out[f"r_{component}"] = (tau2 / (tau2 + v)).where(ok)
    return out


def shrunk_z(values: pd.DataFrame | dict, stats: pd.DataFrame) -> dict[str, np.ndarray]:
    """z of the shrunk value per component for raw ``values`` (one column per component)."""
    out = {}
    for component, (_, _, _, sign) in COMPONENTS.items():
        mu = stats[f"mu_{component}"].to_numpy()
        tau = np.sqrt(stats[f"tau2_{component}"].to_numpy())
        r = stats[f"r_{component}"].to_numpy()
        x = np.asarray(values[component], dtype=float)
        shrunk = mu + r * (x - mu)
        out[component] = sign * (shrunk - mu) / tau
    return out


def combine(z: dict[str, np.ndarray], weights: dict[str, float], n_core: np.ndarray,
            min_participants: int) -> np.ndarray:
    """The index: the weighted mean of the available z; NaN below ``min_participants``."""
    total = np.zeros(len(n_core))
    weight = np.zeros(len(n_core))
    for component, values in z.items():
        w = float(weights.get(component, 0.0))
        if w <= 0:
            continue
        ok = ~np.isnan(values)
        total += np.where(ok, w * np.nan_to_num(values), 0.0)
        weight += np.where(ok, w, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        composite = np.where(weight > 0, total / np.where(weight > 0, weight, 1), np.nan)
    return np.where(n_core >= min_participants, composite, np.nan)


def apply(frame: pd.DataFrame, params: dict) -> pd.DataFrame:
    """The composite index frame with shrunk z, reliabilities (``r_*``), the index and ranks recomputed."""
    settings = params["composite"]
    frame = frame.reset_index(drop=True)
    stats = moments(frame, int(settings["min_component_n"]))
    raw = {c: frame[COMPONENTS[c][1]] for c in COMPONENTS}
    z = shrunk_z(raw, stats)
    out = frame.copy()
    for component in COMPONENTS:
        out[f"z_{component}"] = z[component]
        out[f"r_{component}"] = stats[f"r_{component}"]
    out["composite"] = combine(z, settings["weights"], frame["n_core"].to_numpy(dtype=float),
                               int(settings["min_participants"]))
    return rank(out)


def rank(frame: pd.DataFrame) -> pd.DataFrame:
    """rank_from_bottom (by index, then school id; unranked last) and n_ranked per region × year."""
    ordered = frame.sort_values(GROUP + ["composite", "school_id"], na_position="last")
    position = ordered.groupby(GROUP).cumcount() + 1
    frame = frame.copy()
    frame["rank_from_bottom"] = position.where(ordered["composite"].notna()).reindex(frame.index).astype("Int64")
    frame["n_ranked"] = frame.groupby(GROUP)["composite"].transform("count").astype("Int64")
    return frame.sort_values(GROUP + ["school_id"]).reset_index(drop=True)


def bottom_probability(frame: pd.DataFrame, params: dict, years: list[int], share: float,
                       replicates: int = 200, seed: int = 20261122) -> pd.Series:
    """Per school: the probability of being in the region's bottom ``share`` in every one of
    ``years`` under a parametric bootstrap of its counts (see the module docstring). Each
    region draws from its own seeded generator, so a region's answer does not depend on others."""
    data = frame[frame["year"].isin(years)]
    parts = [_region_probability(part.reset_index(drop=True), params, years, share, replicates,
                                 np.random.default_rng([seed, *map(ord, str(region_id))]))
             for region_id, part in data.groupby("region_id", sort=True)]
    return pd.concat(parts).rename("probability") if parts else pd.Series(dtype=float, name="probability")


def _region_probability(data: pd.DataFrame, params: dict, years: list[int], share: float, replicates: int,
                        rng: np.random.Generator) -> pd.Series:
    settings = params["composite"]
    stats = moments(data, int(settings["min_component_n"]))
    n_core = data["n_core"].to_numpy(dtype=float)
    group_codes = data.groupby(GROUP).ngroup().to_numpy()
    in_bottom = np.zeros((replicates, len(data)), dtype=bool)
    for b in range(replicates):
        draws = {}
        for component, (n_column, value_column, square_column, _) in COMPONENTS.items():
            n = data[n_column].fillna(0).to_numpy(dtype=float)
            x = data[value_column].to_numpy(dtype=float)
            ok = ~np.isnan(x) & (n > 0)
            if square_column is None:
                # Draw around a slightly smoothed share so a school at 0 or 1 still varies.
                p = np.where(ok, (np.nan_to_num(x) * n + 0.5) / (n + 1), 0.0)
                draws[component] = np.where(ok, rng.binomial(n.astype(np.int64), p) / np.where(n > 0, n, 1), np.nan)
            else:
                sd = np.sqrt(np.nan_to_num(stats[f"v_{component}"].to_numpy()))
                draws[component] = np.where(ok, np.nan_to_num(x) + sd * rng.standard_normal(len(x)), np.nan)
        composite = combine(shrunk_z(draws, stats), settings["weights"], n_core, int(settings["min_participants"]))
        in_bottom[b] = _bottom(composite, group_codes, share)
    # In the bottom in every year of the rule (a school missing a year is never in).
    every_year = pd.DataFrame(in_bottom.T).groupby(data["school_id"].to_numpy()).all()
    present = data.groupby("school_id")["year"].nunique().reindex(every_year.index)
    return every_year.mean(axis=1).where(present == len(years), 0.0).rename("probability")


def _bottom(composite: np.ndarray, groups: np.ndarray, share: float) -> np.ndarray:
    """Rows within the bottom ``share`` of their group (k = ceil(share × ranked), ties by order)."""
    out = np.zeros(len(composite), dtype=bool)
    for g in np.unique(groups):
        rows = np.flatnonzero((groups == g) & ~np.isnan(composite))
        if len(rows) == 0:
            continue
        k = max(1, int(np.ceil(share * len(rows) - 1e-9)))
        chosen = rows[np.argsort(composite[rows], kind="stable")[:k]]
        out[chosen] = True
    return out
