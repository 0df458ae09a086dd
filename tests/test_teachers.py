"""Teacher coverage, diagnostic dynamics, deficits and the results join on a hand-made store."""
import math

import numpy as np
import pandas as pd
import pytest

from analytics import teachers
from analytics.query import Query
from analytics.store import insert_df
from tests.fixtures import add_region

DEV_COLUMNS = ["school_id", "year", "round", "subject_id", "teachers_total", "teachers_diagnosed",
               "diagnostic_mean", "teachers_level_rose", "teachers_with_route", "teachers_trained",
               "teachers_in_consultations", "teachers_in_mentoring"]


@pytest.fixture
def tiny(empty_store):
    cur = empty_store.cursor()
    add_region(cur, {"s1": "A", "s2": "A", "s3": "B"})
    insert_df(cur, "subjects", pd.DataFrame({
        "subject_id": ["rus", "math", "math_prof"], "name_ru": ["Русский язык", "Математика", "Математика (п)"],
        "name_en": ["Russian", "Maths", "Maths (adv)"], "position": [1, 2, 3]}))
    insert_df(cur, "deficit_topics", pd.DataFrame({
        "subject_id": ["math", "math", "rus"], "topic_id": ["t1", "t2", "r1"],
        "name_ru": ["Т1", "Т2", "Р1"], "name_en": ["T1", "T2", "R1"]}))
    rows = [
        # school, year, round, subject, total, diagnosed, mean, rose, route, trained, consult, mentoring
        ("s1", 2026, 1, "math", 4, 4, 50.0, None, 2, 1, 2, 1),
        ("s1", 2026, 2, "math", 4, 4, 60.0, 3, 4, 2, 3, 1),
        ("s2", 2026, 2, "math", 2, 1, 40.0, 0, 0, 0, 1, 0),
        ("s3", 2026, 1, "math", 3, 3, 70.0, None, 3, 3, 0, 2),
        ("s1", 2026, 2, "rus", 5, 5, 55.0, 2, 5, 1, 5, 0),
        ("s1", 2025, 2, "math", 4, 4, 45.0, 1, 1, 0, 0, 0),
    ]
    frame = pd.DataFrame(rows, columns=DEV_COLUMNS)
    frame["teachers_level_rose"] = frame["teachers_level_rose"].astype("Int32")
    insert_df(cur, "teacher_development", frame)
    insert_df(cur, "teacher_deficits", pd.DataFrame(
        [("s1", 2026, 2, "math", "t1", 3), ("s1", 2026, 2, "math", "t2", 1), ("s1", 2026, 1, "math", "t1", 4),
         ("s2", 2026, 2, "math", "t2", 1), ("s3", 2026, 1, "math", "t1", 1)],
        columns=["school_id", "year", "round", "subject_id", "topic_id", "teachers_with_deficit"]))
    marks = [
        # school, year, procedure, subject, grade, N, n2, n3, n4, n5, below_min
        ("s1", 2025, "VPR", "math", 5, 10, 1, 4, 3, 2, None),
        ("s1", 2025, "VPR", "math", 6, 10, 1, 5, 3, 1, None),
        ("s1", 2026, "VPR", "math", 5, 12, 4, 5, 2, 1, None),
        ("s1", 2026, "VPR", "math", 6, 8, 2, 4, 2, 0, None),
        ("s2", 2025, "VPR", "math", 5, 5, 1, 2, 2, 0, None),
        ("s2", 2026, "VPR", "math", 5, 6, 3, 3, 0, 0, None),
        ("s3", 2025, "VPR", "math", 5, 15, 3, 6, 4, 2, None),
        ("s3", 2026, "VPR", "math", 5, 15, 2, 6, 5, 2, None),
        ("s1", 2025, "EGE", "math_prof", 11, 10, None, None, None, None, 1),
        ("s1", 2026, "EGE", "math_prof", 11, 10, None, None, None, None, 3),
    ]
    results = pd.DataFrame(marks, columns=["school_id", "year", "procedure", "subject_id", "grade", "participants",
                                           "n2", "n3", "n4", "n5", "n_below_min"])
    for column in ("n2", "n3", "n4", "n5", "n_below_min"):
        results[column] = results[column].astype("Int32")
    insert_df(cur, "results", results)
    insert_df(cur, "kpi_targets", pd.DataFrame({
        "target_id": ["teachers_routes", "teachers_consultations", "teachers_consultations"],
        "scope_level": ["region", "region", "municipality"], "scope_id": ["01", "01", "A"],
        "year": [2025, 2025, 2026], "target_low": [1.0, 0.5, 0.6], "direction": "at_least"}))
    return empty_store


def test_wilson_interval_known_values_and_edges():
    low, high = teachers.wilson_interval([3, 0, 0], [5, 1, 0])
    assert (low[0], high[0]) == pytest.approx((0.2307, 0.8824), abs=1e-4)
    assert low[1] == 0 and high[1] == pytest.approx(0.7935, abs=1e-4)
    assert math.isnan(low[2]) and math.isnan(high[2])


def test_coverage_uses_the_latest_round_of_the_year(tiny):
    row = teachers.coverage(tiny, "01", None, 2026, "math").iloc[0]
    # Snapshot rows: s1 round 2, s2 round 2, s3 round 1 (no round 2).
    assert (row["schools"], row["teachers_total"], row["diagnosed"], row["with_route"], row["trained"],
            row["in_consultations"], row["in_mentoring"]) == (3, 9, 8, 7, 5, 4, 3)
    assert row["route_share"] == pytest.approx(7 / 9)
    assert row["consultations_share"] == pytest.approx(4 / 9)
    assert row["diagnosed_share"] == pytest.approx(8 / 9)
    # Positive dynamics only where a previous round exists: s1 (3 of 4) and s2 (0 of 1).
    assert (row["level_rose"], row["rose_base"]) == (3, 5)
    assert row["positive_share"] == pytest.approx(0.6)
    assert (row["positive_share_low"], row["positive_share_high"]) == pytest.approx((0.2307, 0.8824), abs=1e-4)
    assert row["diagnostic_mean"] == pytest.approx((60 * 4 + 40 * 1 + 70 * 3) / 8)


def test_coverage_by_level(tiny):
    by_municipality = teachers.coverage(tiny, "01", None, 2026, "math", level="municipality")
    assert by_municipality.set_index("municipality_id")["route_share"].to_dict() == pytest.approx(
        {"A": 4 / 6, "B": 1.0})
    by_subject = teachers.coverage(tiny, "01", None, 2026, level="subject").set_index("subject_id")
    assert list(by_subject.index) == ["rus", "math"]
    assert by_subject.loc["rus", "consultations_share"] == pytest.approx(1.0)
    total = teachers.coverage(tiny, "01", None, 2026).iloc[0]
    assert (total["teachers_total"], total["with_route"], total["in_consultations"]) == (14, 12, 9)
    assert teachers.coverage(tiny, "01", "B", 2026, level="school")["short_name"].tolist() == ["Ш3"]
    assert teachers.coverage(tiny, "01", None, 2024).empty


def test_targets_prefer_municipality_then_newest_year_then_defaults(tiny):
    region = teachers.targets(tiny, "01", None, 2026).set_index("target_id")
    assert region.loc["teachers_routes", "target_low"] == 1.0
    assert region.loc["teachers_consultations", "target_low"] == 0.5
    assert region.loc["teachers_positive_dynamics", "scope_level"] == "default"
    assert region.loc["teachers_positive_dynamics", "target_low"] == 0.5
    assert teachers.targets(tiny, "01", "A", 2026).set_index("target_id").loc[
        "teachers_consultations", "target_low"] == 0.6
    assert teachers.targets(tiny, "01", None, 2024).set_index("target_id").loc[
        "teachers_routes", "scope_level"] == "default"


def test_against_targets(tiny):
    cover = teachers.coverage(tiny, "01", None, 2026, "math")
    table = teachers.against_targets(cover, teachers.targets(tiny, "01", None, 2026)).set_index("indicator")
    assert table.loc["route_share", "met"] == False  # noqa: E712  7/9 < 100 %
    assert (table.loc["route_share", "numerator"], table.loc["route_share", "denominator"]) == (7, 9)
    assert table.loc["consultations_share", "met"] == False  # noqa: E712  4/9 < 50 %
    assert table.loc["positive_share", "met"] == True  # noqa: E712  60 % ≥ 50 %
    assert pd.isna(table.loc["trained_share", "met"])
    empty = teachers.against_targets(teachers.coverage(tiny, "01", None, 2024), teachers.targets(tiny, "01", None, 2024))
    assert empty["denominator"].eq(0).all() and empty["met"].isna().all()


def test_dynamics_between_rounds(tiny):
    frame = teachers.dynamics(tiny, "01", None, 2026, "math").set_index("label")
    assert list(frame.index) == ["2025/2", "2026/1", "2026/2"]
    assert frame.loc["2025/2", "positive_share"] == pytest.approx(0.25)
    assert math.isnan(frame.loc["2026/1", "positive_share"])  # nobody had a previous round
    assert frame.loc["2026/1", "diagnostic_mean"] == pytest.approx((50 * 4 + 70 * 3) / 7)
    assert frame.loc["2026/2", "positive_share"] == pytest.approx(3 / 5)
    assert frame.loc["2026/2", "diagnostic_mean"] == pytest.approx(56.0)
    assert list(teachers.dynamics(tiny, "01", None, 2025, "math")["label"]) == ["2025/2"]
    by_subject = teachers.dynamics(tiny, "01", None, 2026, by_subject=True)
    assert set(by_subject.loc[by_subject["label"] == "2026/2", "subject_id"]) == {"rus", "math"}


def test_deficit_topics(tiny):
    frame = teachers.deficit_topics(tiny, "01", None, 2026).set_index("topic_id")
    # Snapshot rounds only: s1 round 1 (4 with t1) is not counted.
    assert (frame.loc["t1", "teachers_with_deficit"], frame.loc["t1", "diagnosed"]) == (4, 8)
    assert frame.loc["t1", "share"] == pytest.approx(0.5) and frame.loc["t1", "rank"] == 1
    assert frame.loc["t2", "share"] == pytest.approx(0.25) and frame.loc["t2", "schools_with_deficit"] == 2
    assert (frame.loc["r1", "teachers_with_deficit"], frame.loc["r1", "diagnosed"]) == (0, 5)
    assert list(teachers.deficit_topics(tiny, "01", None, 2026, "math", top=1)["topic_id"]) == ["t1"]


def test_results_change_from_counts(tiny):
    frame = teachers.results_change(tiny, "01", None, 2026, "VPR", ["math"]).set_index("school_id")
    assert (frame.loc["s1", "n_before"], frame.loc["s1", "n_now"]) == (20, 20)
    assert frame.loc["s1", "fail_change"] == pytest.approx(0.30 - 0.10)
    assert frame.loc["s1", "quality_change"] == pytest.approx(0.25 - 0.45)
    assert frame.loc["s3", "fail_change"] == pytest.approx(2 / 15 - 3 / 15)
    grade6 = teachers.results_change(tiny, "01", None, 2026, "VPR", ["math"], grade=6).set_index("school_id")
    assert list(grade6.index) == ["s1"] and grade6.loc["s1", "n_now"] == 8


def test_attention_join(tiny):
    frame = teachers.attention(tiny, Query.of("01", year=2026, procedure="VPR", subject_id="math"), min_n=10).set_index("school_id")
    # s1: «2» 10 % → 30 % on 20 pupils; routes for all, but 3 of 4 teachers share a deficit.
    assert frame.loc["s1", ["results_fell", "no_route", "most_deficit", "attention"]].tolist() == [
        True, False, True, True]
    assert frame.loc["s1", "topic_ru"] == "Т1" and frame.loc["s1", "top_deficit_share"] == pytest.approx(0.75)
    # s2: no route and a worse result, but 5 and 6 pupils: too few to call it a fall.
    assert frame.loc["s2", ["small_n", "results_fell", "no_route", "attention"]].tolist() == [True, False, True, False]
    # s3 improved.
    assert frame.loc["s3", ["results_fell", "attention"]].tolist() == [False, False]
    assert frame.index[0] == "s1"  # schools needing attention first


def test_attention_maps_advanced_maths_to_maths_teachers(tiny):
    frame = teachers.attention(tiny, Query.of("01", year=2026, procedure="EGE", subject_id="math"), min_n=10).set_index("school_id")
    assert frame.loc["s1", "fail_change"] == pytest.approx(0.2)
    assert pd.isna(frame.loc["s1", "quality_change"])
    assert bool(frame.loc["s1", "attention"])
    assert teachers.teacher_subject("math_prof") == "math" and teachers.teacher_subject(None) is None


def test_snapshot_year(tiny):
    assert teachers.data_years(tiny, "01", None) == [2025, 2026]
    assert teachers.snapshot_year(tiny, "01", None, 2030) == 2026
    assert teachers.snapshot_year(tiny, "01", None, 2024) is None


def test_demo_has_teacher_data_for_three_years_and_two_rounds(demo_store):
    frame = teachers.dynamics(demo_store, "01", None, 2026)
    assert len(frame) == 6 and frame["rose_base"].iloc[0] == 0 and frame["rose_base"].iloc[1:].gt(0).all()
    assert np.all(frame["diagnosed"] > 0)
