"""Expert-review points of the engagement monitoring in the demo: both rounds of the roadmap
year, for every municipality with listed schools and every listed school.

Consistent with the rest of the demo: a unit's points follow how much of its roadmap is done
on time (the measure statuses drawn in :mod:`analytics.demo.monitoring`), plus the reviewer's
noise; the second round drifts from the first (some units slip a zone). Drawn from its own
random stream, so adding it changed no other generated table."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from analytics.demo.results import LIST_YEARS
from analytics.engagement import load_config, read_criteria


def reviews(part: dict, schools: pd.DataFrame, seed: int, region_id: str, today: dt.date) -> pd.DataFrame:
    rng = np.random.default_rng([seed, int(region_id), 23])
    year = LIST_YEARS[-1]
    criteria = read_criteria()
    criteria = criteria[criteria["rule"] == "review"]
    status = part["measure_status"].merge(part["measures"][["measure_id", "roadmap_id"]], on="measure_id")
    status = status.merge(part["roadmaps"][["roadmap_id", "municipality_id"]], on="roadmap_id")
    due = pd.to_datetime(status["due_date"]).dt.date
    past = status[(due <= today) & (status["status"] != "not_applicable")]
    on_time = past.assign(ok=(past["status"] == "done") & (pd.to_datetime(past["completed_on"]).dt.date
                                                           <= pd.to_datetime(past["due_date"]).dt.date))
    by_school = on_time.dropna(subset=["school_id"]).groupby("school_id")["ok"].mean()
    by_municipality = on_time.groupby("municipality_id")["ok"].mean()
    listed = part["school_lists"]
    listed = listed[(listed["year"] == year) & (listed["category"] == "low_results")]
    listed = listed.merge(schools[["school_id", "municipality_id"]], on="school_id")
    units = pd.concat([
        pd.DataFrame({"unit_level": "school", "unit_id": listed["school_id"],
                      "base": listed["school_id"].map(by_school).fillna(0.6).to_numpy()}),
        pd.DataFrame({"unit_level": "municipality", "unit_id": sorted(set(listed["municipality_id"]))}).assign(
            base=lambda f: f["unit_id"].map(by_municipality).fillna(0.6).to_numpy()),
    ], ignore_index=True)
    rows = []
    numbers = sorted(int(r["number"]) for r in load_config()["rounds"])
    for level, group in units.groupby("unit_level", sort=True):
        quality = np.clip(0.25 + 0.75 * group["base"].to_numpy() + rng.normal(0, 0.12, len(group)), 0, 1)
        for number in numbers:
            if number > 1:
                quality = np.clip(quality + rng.normal(-0.03, 0.14, len(group)), 0, 1)
            for c in criteria[criteria["level"] == level].itertuples():
                noise = rng.normal(0, 0.1, len(group))
                points = np.round(np.clip(quality + noise, 0, 1) * c.max_points)
                rows.append(pd.DataFrame({
                    "year": year, "round": number, "unit_level": level, "unit_id": group["unit_id"].to_numpy(),
                    "criterion_id": c.criterion_id, "points": points.astype(float), "comment": None,
                    "source": "demo", "entered_by": "демо", "entered_at": pd.Timestamp(min(
                        dt.date(year, 7, 20) if number == 1 else today, today))}))
    return pd.concat(rows, ignore_index=True)
