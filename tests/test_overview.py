"""Overview figures on a hand-made store where every number is known."""
import datetime as dt

import pandas as pd
import pytest

from analytics import completion, overview
from analytics.store import insert_df
from tests.fixtures import add_region


@pytest.fixture
def tiny(empty_store):
    cur = empty_store.cursor()
    add_region(cur, {"s1": "A", "s2": "A", "s3": "A", "s4": "B", "s5": "B", "s6": "B"},
               rural=[True, True, False, True, False, False])
    insert_df(cur, "school_lists", pd.DataFrame({
        "year": [2025, 2025, 2025, 2025, 2026, 2026, 2026],
        "category": "low_results",
        "school_id": ["s1", "s2", "s4", "s5", "s1", "s4", "s6"]}))
    insert_df(cur, "risk_profiles", pd.DataFrame({
        "school_id": ["s1", "s1", "s4", "s4", "s6"], "year": 2026, "catalogue_id": "c",
        "factor_id": ["f1", "f2", "f1", "f2", "f1"], "level": ["high", "low", "medium", "low", "high"]}))
    cur.execute("INSERT INTO risk_catalogues VALUES ('c', 'C', TRUE)")
    insert_df(cur, "risk_factors", pd.DataFrame({"catalogue_id": "c", "factor_id": ["f1", "f2"],
                                                 "position": [1, 2], "name_ru": ["Ф1", "Ф2"], "name_en": ["F1", "F2"]}))
    insert_df(cur, "mentor_pairs", pd.DataFrame({
        "pair_id": [1, 2], "year": 2026, "mentor_school_id": ["s3", "s5"], "mentee_school_id": ["s1", "s4"],
        "straight_km": [10.0, 30.0], "road_km": [14.0, None]}))
    cur.execute("INSERT INTO roadmaps VALUES (1, 'municipality', '01', 'A', NULL, 'RA', '2026-01-01', '2026-12-31', 'demo')")
    cur.execute("INSERT INTO roadmaps VALUES (2, 'municipality', '01', 'B', NULL, 'RB', '2026-01-01', '2026-12-31', 'demo')")
    cur.execute("INSERT INTO measures (measure_id, roadmap_id, number, title, schedule_kind) VALUES"
                " (1, 1, '1', 'm1', 'dates'), (2, 2, '1', 'm2', 'dates')")
    insert_df(cur, "measure_status", pd.DataFrame({
        "unit_id": [1, 2, 3, 4, 5, 6],
        "measure_id": [1, 1, 1, 1, 2, 2],
        "due_date": pd.to_datetime(["2026-03-31", "2026-05-31", "2026-09-30", "2026-12-31",
                                    "2026-03-31", "2026-04-30"]).date,
        "status": ["done", "done", "in_progress", "not_started", "done", "not_applicable"],
        "completed_on": pd.to_datetime(["2026-03-20", "2026-06-10", None, None, "2026-03-31", None]).date,
    }))
    cur.execute("INSERT INTO checkpoints VALUES (NULL, '2026-06-30', 0.35, 'I'), (NULL, '2026-11-30', 0.85, 'II')")
    return empty_store


def test_list_change(tiny):
    row = overview.list_change(tiny, "01", None, 2026).iloc[0]
    assert (row["schools"], row["previous"]) == (3, 4)
    assert row["relative_change"] == pytest.approx(-0.25)
    assert overview.list_change(tiny, "01", "A", 2026).iloc[0]["schools"] == 1


def test_list_change_without_previous_year(tiny):
    row = overview.list_change(tiny, "01", None, 2025).iloc[0]
    assert row["previous"] is None
    assert pd.isna(row["relative_change"])


def test_high_risk_schools(tiny):
    row = overview.high_risk_schools(tiny, "01", None, 2026).iloc[0]
    assert (row["listed"], row["with_profile"], row["with_high_risk"]) == (3, 3, 2)
    top = overview.top_high_risks(tiny, "01", None, 2026)
    assert top.iloc[0]["factor_id"] == "f1" and top.iloc[0]["schools"] == 2


def test_mentor_coverage_prefers_road_distance(tiny):
    row = overview.mentor_coverage(tiny, "01", None, 2026).iloc[0]
    assert (row["listed"], row["with_mentor"]) == (3, 2)
    assert row["share"] == pytest.approx(2 / 3)
    assert row["mean_km"] == pytest.approx((14 + 30) / 2)
    assert row["max_km"] == pytest.approx(30)


def test_by_municipality(tiny):
    table = overview.by_municipality(tiny, "01", None, 2026).set_index("municipality_id")
    assert table.loc["A", ["schools", "rural_schools", "listed", "listed_previous"]].tolist() == [3, 2, 1, 2]
    assert table.loc["B", "listed_share"] == pytest.approx(2 / 3)
    assert table.loc["B", "mentor_share"] == pytest.approx(0.5)


def test_year_completion_counts_units_and_skips_not_applicable(tiny):
    row = completion.year_completion(tiny, "01", None, 2026, dt.date(2026, 6, 30)).iloc[0]
    # 5 applicable units; due by 30.06: 3; done by then: units 1, 2 (late, on 10.06) and 5.
    assert (row["planned"], row["due"], row["done"], row["done_on_time"], row["overdue"]) == (5, 3, 3, 2, 0)
    assert row["share_of_plan"] == pytest.approx(3 / 5)
    early = completion.year_completion(tiny, "01", "A", 2026, dt.date(2026, 6, 1)).iloc[0]
    # In A on 1 June: units 1 and 2 due, only 1 done by then, unit 2 overdue.
    assert (early["planned"], early["due"], early["done"], early["overdue"]) == (4, 2, 1, 1)


def test_checkpoints_passed(tiny):
    frame = completion.checkpoint_status(tiny, 2026, dt.date(2026, 11, 22))
    assert frame["passed"].tolist() == [True, False]
    assert frame["target_share"].tolist() == [0.35, 0.85]
