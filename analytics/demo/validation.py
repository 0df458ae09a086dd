"""Validation of the effect estimators on the demo: over several seeds, how often each
estimator's 95 % interval covers the true average effect, and its bias.

``python -m analytics.demo.validation [--seeds N] [--first S]`` prints one line per seed and
the summary table (docs/methodology/effectiveness.md holds the table of the last run; the
coverage decides which estimators the page shows: analytics/reference/effectiveness.toml).

Estimands (true values from :mod:`analytics.demo.effects`):
* RD — the mean true effect in year Y + 1 of the schools first listed in Y within the
  estimate's bandwidth (the effect of the list at the cut-off);
* DiD — the mean true effect over the listed schools' years 1+ after the list year in the
  estimation sample (the effect on the treated).
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from analytics import effectiveness as ef
from analytics.demo import build_demo
from analytics.demo.effects import true_effects
from analytics.store import Store

TODAY = dt.date(2026, 11, 22)


def one_seed(seed: int, directory: Path) -> dict:
    store = Store(directory / f"seed{seed}.duckdb")
    store.migrate()
    build_demo(store, seed=seed, today=TODAY)
    truth = true_effects(store, seed).set_index(["school_id", "year"])["effect"]
    row = dict(seed=seed)

    sample = ef.rd_sample(store, "01")
    rd = ef.rd_estimate(sample)
    if rd["ok"]:
        near = sample[(sample["x"].abs() <= rd["bandwidth"]) & sample["listed"]]
        true_rd = truth.reindex(list(zip(near["school_id"], near["year"] + 1))).fillna(0.0).mean()
        row.update(rd=rd["estimate"], rd_low=rd["ci_low"], rd_high=rd["ci_high"], rd_true=true_rd)

    panel = ef.did_sample(store, "01")
    did = ef.did_estimate(panel)
    if did["ok"]:
        post = panel[panel["treated"] & (panel["event"] >= 1)]
        true_did = truth.reindex(list(zip(post["school_id"], post["year"]))).fillna(0.0).mean()
        row.update(did=did["estimate"], did_low=did["ci_low"], did_high=did["ci_high"], did_true=true_did,
                   pretrend_p=did["pretrend_p"])
    store.close()
    return row


def summary(runs: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for name in ("rd", "did"):
        done = runs.dropna(subset=[name]) if name in runs else runs.iloc[0:0]
        covered = (done[f"{name}_low"] <= done[f"{name}_true"]) & (done[f"{name}_true"] <= done[f"{name}_high"])
        rows.append(dict(estimator=name, runs=len(done), coverage=covered.mean() if len(done) else np.nan,
                         bias=(done[name] - done[f"{name}_true"]).mean() if len(done) else np.nan,
                         mean_true=done[f"{name}_true"].mean() if len(done) else np.nan,
                         mean_width=(done[f"{name}_high"] - done[f"{name}_low"]).mean() if len(done) else np.nan,
                         median_width=(done[f"{name}_high"] - done[f"{name}_low"]).median() if len(done) else np.nan,
                         rmse=float(np.sqrt(((done[name] - done[f"{name}_true"]) ** 2).mean())) if len(done) else np.nan))
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analytics.demo.validation")
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--first", type=int, default=1)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    runs = []
    with tempfile.TemporaryDirectory() as directory:
        for seed in range(args.first, args.first + args.seeds):
            started = time.perf_counter()
            runs.append(one_seed(seed, Path(directory)))
            print(f"seed {seed}: {runs[-1]} ({time.perf_counter() - started:.1f} s)", file=sys.stderr, flush=True)
    table = summary(pd.DataFrame(runs))
    pd.set_option("display.width", 200)
    print(pd.DataFrame(runs).round(4).to_string())
    print(table.round(4).to_string())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
