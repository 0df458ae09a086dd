"""The attention rule (analytics/attention.py): hand-computed points and ranks, the checkpoint
path, and on the demo region a ranking that does not flag every school."""
import datetime as dt

import pandas as pd
import pytest

from analytics import attention, figures, risks
from analytics.query import Query
from analytics.figures import FigureScope
from tests.conftest import TODAY

RULE = attention.Rule(overdue_pp=1.0, gap_pp=1.0, uncovered_high=10.0, min_due_units=10, threshold=40.0,
                      reasons_shown=3)
CHECKPOINTS = pd.DataFrame({"checkpoint_date": [dt.date(2026, 6, 30), dt.date(2026, 11, 30)],
                            "target_share": [0.35, 0.85]})


@pytest.mark.parametrize("as_of, expected, next_date", [
    (dt.date(2026, 3, 31), 0.35 * 89 / 180, dt.date(2026, 6, 30)),      # 0 on 1 January → 35 % on 30 June
    (dt.date(2026, 6, 30), 0.35, dt.date(2026, 11, 30)),               # on a checkpoint: its target
    (dt.date(2026, 11, 22), 0.35 + 0.50 * 145 / 153, dt.date(2026, 11, 30)),
    (dt.date(2026, 12, 10), 0.85, dt.date(2026, 11, 30)),              # after the last: its target
])
def test_checkpoint_path(as_of, expected, next_date):
    path = attention.checkpoint_path(CHECKPOINTS, as_of, 2026)
    assert path.expected == pytest.approx(expected)
    assert path.next_date == next_date


def test_checkpoint_path_without_checkpoints():
    assert attention.checkpoint_path(CHECKPOINTS.iloc[0:0], TODAY, 2026).expected is None


def test_points_and_ranks_by_hand():
    frame = pd.DataFrame({
        "school_id": ["A", "B", "C", "D"],
        "due": [40, 4, 0, 20], "overdue": [10, 3, 0, 0], "planned": [50, 10, 0, 30],
        "share_of_plan": [0.30, 0.45, float("nan"), 0.60], "uncovered_high": [0, 1, 2, 0]})
    ranked = attention.score(frame, 0.5, RULE).set_index("school_id")
    # A: 10 of 40 due overdue = 25 p.p.; 50 − 30 = 20 p.p. behind the path → 45.
    # B: 3 of 4 due, taken of at least 10 units = 30 p.p.; 5 p.p. behind; 1 uncovered risk = 10 → 45.
    # C: no plan (counted as 0 done) → 50 p.p. behind; 2 uncovered risks = 20 → 70.
    # D: nothing overdue, ahead of the path → 0.
    assert ranked["score"].to_dict() == {"C": 70.0, "A": 45.0, "B": 45.0, "D": 0.0}
    assert ranked["points_overdue"].round(6).to_dict() == {"C": 0.0, "A": 25.0, "B": 30.0, "D": 0.0}
    # Ties: more overdue units first (A 10 > B 3).
    assert ranked["rank"].to_dict() == {"C": 1, "A": 2, "B": 3, "D": 4}
    assert ranked["reasons"].to_dict() == {"C": ("gap", "uncovered"), "A": ("overdue", "gap"),
                                           "B": ("overdue", "uncovered", "gap"), "D": ()}
    assert ranked["needs_attention"].to_dict() == {"C": True, "A": True, "B": True, "D": False}


def test_the_rule_is_data_and_the_registry_says_it():
    rule = attention.rule()
    numerator = figures.definition("attention_schools", "ru")["numerator"]
    assert f"{rule.threshold:g} баллов" in numerator
    assert f"{rule.uncovered_high:g} баллов за высокий риск" in numerator
    assert rule.overdue_pp == rule.gap_pp == 1.0  # the text says "1 балл за п.п."


def test_demo_region_is_ranked_not_all_flagged(demo_store):
    catalogue = risks.default_catalogue(demo_store)
    ranked = attention.rank_schools(demo_store, Query.of("01", year=2026), list_year=2026, as_of=TODAY,
                                    catalogue_id=catalogue, risk_year=2026)
    listed = demo_store.scalar("SELECT count(*) FROM school_lists WHERE category = 'low_results' AND year = 2026")
    assert len(ranked) == listed
    assert ranked["rank"].tolist() == list(range(1, listed + 1))
    assert ranked["score"].is_monotonic_decreasing
    assert 0 < int(ranked["needs_attention"].sum()) < listed
    for row in ranked.itertuples():
        assert ("uncovered" in row.reasons) == (row.uncovered_high > 0)
        assert ("overdue" in row.reasons) == (row.overdue > 0)
        assert len(row.uncovered_factors) == row.uncovered_high <= row.high_risks
    value = figures.compute(demo_store, "attention_schools", FigureScope("01", None, 2026, TODAY))
    assert value.value == int(ranked["needs_attention"].sum()) and value.denominator == listed
    municipalities = attention.rank_municipalities(demo_store, "01", 2026, 2026, TODAY, ranked)
    assert municipalities["listed"].sum() == listed
    assert municipalities["schools_needing_attention"].sum() == value.value
    assert municipalities["score"].is_monotonic_decreasing


def test_nothing_without_a_list(demo_store):
    assert attention.rank_schools(demo_store, Query.of("01", year=2026), list_year=None, as_of=TODAY).empty
    early = attention.rank_schools(demo_store, Query.of("01", year=2026), list_year=2026,
                                   as_of=dt.date(2026, 1, 1))
    assert not early.empty and early["points_overdue"].sum() == 0
