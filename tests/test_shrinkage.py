"""Empirical-Bayes shrinkage of the results index and the bootstrap probability of the bottom share."""
import math

import numpy as np
import pandas as pd
import pytest

from analytics import identification, shrinkage


def _frame(rows):
    """rows: (school, n, share of «2») in one region-year, ВПР only."""
    return pd.DataFrame([dict(school_id=s, region_id="01", year=2025, n_core=float(n), vpr_n=float(n),
                              vpr_share2=p, vpr_sou=np.nan, vpr_sou_sq=np.nan, oge_n=np.nan, oge_share2=np.nan,
                              ege_n=np.nan, ege_below_share=np.nan) for s, n, p in rows])


def test_moments_by_hand():
    frame = _frame([("A", 100, 0.10), ("B", 10, 0.50)])
    stats = shrinkage.moments(frame, min_component_n=5)
    mu = 15 / 110                                   # (10 + 5) «2» of 110 participants
    observed = (100 * (0.10 - mu) ** 2 + 10 * (0.50 - mu) ** 2) / 110
    noise = 2 * mu * (1 - mu) / 110                 # Σ n·μ(1−μ)/n over two schools, / Σ n
    tau2 = observed - noise
    assert stats.at[0, "mu_vpr_share2"] == pytest.approx(mu)
    assert stats.at[0, "tau2_vpr_share2"] == pytest.approx(tau2)
    assert stats.at[0, "r_vpr_share2"] == pytest.approx(tau2 / (tau2 + mu * (1 - mu) / 100))
    assert stats.at[1, "r_vpr_share2"] == pytest.approx(tau2 / (tau2 + mu * (1 - mu) / 10))
    z = shrinkage.shrunk_z({c: frame[shrinkage.COMPONENTS[c][1]] for c in shrinkage.COMPONENTS}, stats)
    r_b = stats.at[1, "r_vpr_share2"]
    # higher is better: a share of «2» above the mean is a negative z
    assert z["vpr_share2"][1] == pytest.approx(-(r_b * (0.50 - mu)) / math.sqrt(tau2))


def test_a_small_school_is_pulled_towards_the_mean_more_than_a_large_one():
    rows = [(f"s{k}", 200, 0.10 + 0.01 * (k % 5)) for k in range(20)] + [("small", 10, 0.40), ("large", 400, 0.40)]
    params = identification.load_params({"composite": {"min_participants": 1}}, override_file=None)
    out = shrinkage.apply(_frame(rows), params).set_index("school_id")
    assert out.at["small", "r_vpr_share2"] < 0.5 < out.at["large", "r_vpr_share2"]
    assert out.at["large", "composite"] < out.at["small", "composite"] < 0
    assert out.at["large", "rank_from_bottom"] == 1


def test_bottom_probability_is_seeded_and_knows_small_schools_are_noisy():
    rows = [(f"s{k:02d}", 150, 0.08 + 0.004 * k) for k in range(30)] + [("big_bad", 300, 0.30), ("tiny", 15, 0.30)]
    frame = pd.concat([_frame(rows), _frame(rows).assign(year=2024)], ignore_index=True)
    params = identification.load_params({"composite": {"min_participants": 1}}, override_file=None)
    first = shrinkage.bottom_probability(frame, params, [2024, 2025], 0.10, replicates=100)
    again = shrinkage.bottom_probability(frame, params, [2024, 2025], 0.10, replicates=100)
    pd.testing.assert_series_equal(first, again)
    assert first["big_bad"] > 0.95
    assert first["tiny"] < first["big_bad"]
    assert first["s29"] > first["s00"]          # the worse of the regular schools is more often at the bottom
    assert first.between(0, 1).all()
