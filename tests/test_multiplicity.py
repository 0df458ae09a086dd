"""Benjamini–Hochberg control of «значимое изменение» flags, by hand."""
import numpy as np
import pandas as pd
import pytest

from analytics import dynamics, multiplicity
from analytics.query import Query


def test_benjamini_hochberg_by_hand():
    # m = 5, q = 0.1: thresholds 0.02, 0.04, 0.06, 0.08, 0.10; the largest k with p(k) <= k·q/m is 3.
    p = np.array([0.050, 0.001, 0.500, 0.030, np.nan, 0.075])
    # valid m = 5: sorted 0.001, 0.030, 0.050, 0.075, 0.500 vs 0.02, 0.04, 0.06, 0.08, 0.10 -> k = 4
    assert multiplicity.benjamini_hochberg(p, 0.10).tolist() == [True, True, False, True, False, True]
    assert not multiplicity.benjamini_hochberg(np.array([0.2, 0.3]), 0.10).any()


def test_p_value_from_a_95_interval():
    # delta 1.96 with se 1: interval [0, 3.92] -> p = 0.05
    assert multiplicity.p_values([1.96], [0.0], [3.92])[0] == pytest.approx(0.05, abs=1e-4)


def test_control_keeps_only_what_survives_and_says_what_chance_gives():
    # p: ~0 (z 5.9), 0.0455 (z 2.0), then six at p = 1. m = 8, q = 0.1: thresholds 0.0125, 0.025, ...
    # -> only the first survives (0.0455 > 0.025).
    frame = pd.DataFrame({"procedure": "VPR", "subject_id": "math", "grade": 5, "indicator": "quality", "year": 2026,
                          "delta": [0.30, 0.05] + [0.0] * 6, "delta_low": [0.20, 0.001] + [-0.1] * 6,
                          "delta_high": [0.40, 0.099] + [0.1] * 6,
                          "change_verdict": ["improved", "improved"] + ["no_change"] * 6})
    out = multiplicity.control(frame, 0.10)
    assert out["p_value"].iloc[1] == pytest.approx(0.0455, abs=2e-4)
    assert out["raw_verdict"].tolist()[:2] == ["improved", "improved"]
    assert out["change_verdict"].tolist()[:2] == ["improved", "no_change"]
    summary = multiplicity.chance_summary(out)
    assert summary == {"compared": 8, "raw": 2, "chance": pytest.approx(0.4), "kept": 1}


def test_a_schools_flag_does_not_depend_on_the_municipality_filter(demo_store):
    region = dynamics.changes(demo_store, Query.of("01", year_to=2026, procedure="VPR"), indicators=("quality",))
    local = dynamics.changes(demo_store, Query.of("01", "01-02", year_to=2026, procedure="VPR"),
                             indicators=("quality",))
    merged = local.merge(region, on=["unit_id", "subject_id", "grade"], suffixes=("", "_region"))
    assert len(merged) == len(local) > 0
    assert (merged["change_verdict"] == merged["change_verdict_region"]).all()
    assert region["raw_verdict"].isin(["improved", "declined"]).sum() >= region["change_verdict"].isin(
        ["improved", "declined"]).sum()
