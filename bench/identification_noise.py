"""How often the low-results list picks the truly worst schools, before and after shrinkage.

``python -m bench.identification_noise [--seeds N]`` builds the demo region for N seeds (the
generator knows each school's latent quality), identifies the list of 2026 with three rule
variants and prints, summed over the seeds: schools listed, the share of them that are truly
among the worst 10 % (mean latent quality over the rule's results years, among the schools
ranked in each of them), the share of the truly worst that were listed, and the median core
participants of listed schools. The table is in docs/methodology/identification.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from analytics import identification
from analytics.demo import _region_part, build_demo, geography
from analytics.demo import results as demo_results
from analytics.store import Store

YEAR = 2026
TODAY = dt.date(2026, 11, 22)
VARIANTS = {
    "before: raw z": {"composite": {"shrinkage": "none"}, "low_results": {"min_probability": 0.0}},
    "shrunk z only": {"low_results": {"min_probability": 0.0}},
    "after: shrunk z + probability ≥ 0.5": {},
}


def evaluate(store: Store, quality: pd.DataFrame, overrides: dict) -> dict:
    params = identification.load_params(overrides, override_file=None)
    flags = identification.identify(store, "01", YEAR, params)
    listed = sorted(flags.loc[flags["category"] == "low_results", "school_id"].unique())
    years = identification.results_years(params, YEAR)
    # Ranked on the raw index in every year: the same pool of schools for every variant.
    raw = identification.index_for(store, "01", YEAR, identification.load_params(VARIANTS["before: raw z"],
                                                                              override_file=None))
    window = raw[raw["year"].isin(years)]
    ranked = window.dropna(subset=["composite"]).groupby("school_id").size()
    pool = ranked[ranked == len(years)].index
    latent = quality.loc[pool, years].mean(axis=1)
    worst = set(latent.nsmallest(int(np.ceil(0.10 * len(latent)))).index)
    participants = window.groupby("school_id")["n_core"].mean()
    return {"listed": len(listed), "hits": sum(s in worst for s in listed), "worst": len(worst),
            "participants": participants.reindex(listed).tolist()}


def main(seeds: int) -> pd.DataFrame:
    totals = {name: {"listed": 0, "hits": 0, "worst": 0, "participants": []} for name in VARIANTS}
    with tempfile.TemporaryDirectory() as folder:
        for k in range(seeds):
            seed = 20261122 + k
            store = Store(Path(folder) / f"demo_{seed}.duckdb")
            store.migrate()
            build_demo(store, scale="region", seed=seed, today=TODAY)
            _, _, model = _region_part(geography.REGION_SPEC, seed, TODAY)
            quality = pd.DataFrame(model.quality, index=model.school_ids, columns=demo_results.YEARS)
            for name, overrides in VARIANTS.items():
                result = evaluate(store, quality, overrides)
                for key in ("listed", "hits", "worst"):
                    totals[name][key] += result[key]
                totals[name]["participants"] += result["participants"]
            store.close()
    rows = [{"rule": name, "schools listed": t["listed"], "truly worst among listed": t["hits"] / t["listed"],
             "truly worst found": t["hits"] / t["worst"],
             "median core participants of listed": float(np.median(t["participants"]))}
            for name, t in totals.items()]
    return pd.DataFrame(rows)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=10)
    arguments = parser.parse_args()
    print(main(arguments.seeds).to_string(index=False, float_format=lambda v: f"{v:.3f}"))
