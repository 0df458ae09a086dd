"""Engagement monitoring: points, totals and zones on a hand-built database (values computed by hand)."""
from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from analytics import access, engagement, engagement_reviews
from analytics.importer import commit, prepare
from analytics.reference import load_reference
from tests.import_files import csv_bytes

ROUND_1 = dt.date(2026, 8, 1)
TODAY = dt.date(2026, 11, 22)


@pytest.fixture
def hand(empty_store):
    """Region 01, municipality M1 with listed schools S1 and S2 (and S3, unlisted, S1's mentor)."""
    s = empty_store
    cur = s.cursor()
    load_reference(cur)
    cur.execute("INSERT INTO regions VALUES ('01', 'Область', TRUE, NULL)")
    cur.execute("INSERT INTO municipalities VALUES ('M1', '01', 'Первый район', 'district', NULL, NULL, NULL)")
    for sid in ("S1", "S2", "S3"):
        cur.execute("INSERT INTO schools (school_id, municipality_id, name, short_name, school_type, is_rural) "
                    "VALUES (?, 'M1', ?, ?, 'sosh', TRUE)", [sid, f"Школа {sid}", sid])
    cur.execute("INSERT INTO school_lists VALUES (2026, 'low_results', 'S1', 'official'), "
                "(2026, 'low_results', 'S2', 'official')")
    cur.execute("INSERT INTO roadmaps VALUES (1, 'municipality', '01', 'M1', NULL, 'ДК района', '2026-01-01', "
                "'2026-12-31', 'test'), (2, 'school', '01', 'M1', 'S1', 'ДК S1', '2026-03-01', '2026-12-31', 'test')")
    cur.execute("""INSERT INTO measures (measure_id, roadmap_id, number, title, executors, schedule_kind, risk_factors)
                   VALUES (1, 1, '1', 'm1', ['РОО'], 'dates', []), (2, 1, '2', 'm2', [], 'dates', []),
                          (3, 2, '1', 'm3', ['школа'], 'dates', ['staff_shortage'])""")
    units = [(1, 1, None, "2026-06-30", "done", "2026-06-20"),      # on time
             (2, 1, None, "2026-11-30", "not_started", None),       # not due at 1 August
             (3, 2, None, "2026-07-15", "done", "2026-07-20"),      # late
             (4, 3, "S1", "2026-05-31", "done", "2026-05-30"),      # on time
             (5, 3, "S1", "2026-07-31", "in_progress", None)]       # overdue
    for unit in units:
        cur.execute("INSERT INTO measure_status (unit_id, measure_id, school_id, due_date, status, completed_on) "
                    "VALUES (?, ?, ?, ?, ?, ?)", list(unit))
    cur.execute("""INSERT INTO risk_profiles VALUES
        ('S1', 2026, 'federal_500plus', 'staff_shortage', 'high'), ('S1', 2026, 'federal_500plus', 'equipment', 'high'),
        ('S1', 2026, 'federal_500plus', 'low_motivation', 'low'), ('S2', 2026, 'federal_500plus', 'equipment', 'medium')""")
    cur.execute("INSERT INTO mentor_pairs (year, mentor_school_id, mentee_school_id, agreement_date) "
                "VALUES (2026, 'S3', 'S1', '2025-09-15')")
    cur.execute("INSERT INTO teacher_development VALUES ('S1', 2026, 1, 'rus', 10, 10, 50, NULL, 8, 5, 5, 2)")
    cur.execute("INSERT INTO survey_participation VALUES ('S1', 2026, 20, 15)")
    cur.execute("INSERT INTO results (school_id, year, procedure, subject_id, grade, participants, n2, n3, n4, n5) "
                "VALUES ('S1', 2026, 'VPR', 'rus', 5, 10, 1, 4, 4, 1)")
    cur.execute("INSERT INTO engagement_reviews (year, round, unit_level, unit_id, criterion_id, points, comment, source)"
                " VALUES (2026, 1, 'municipality', 'M1', 'm_system', 4, 'есть система', 'import'),"
                " (2026, 1, 'school', 'S1', 's_program', 3, NULL, 'import')")
    return s


def points_of(scores: pd.DataFrame, unit_id: str) -> dict:
    rows = scores[scores["unit_id"] == unit_id]
    return {c: (None if math.isnan(p) else p) for c, p in zip(rows["criterion_id"], rows["points"])}


def test_points_per_criterion_by_hand(hand):
    scores = engagement.round_scores(hand, "01", None, 2026, 1, ROUND_1)
    assert points_of(scores, "M1") == {
        "m_roadmap": 2.0,        # municipal roadmap from 01.01.2026
        "m_executors": 0.5,      # executors in 1 of 2 measures × 1
        "m_on_time": 1.5,        # due by 1 Aug: 4 units, 2 on time → 3 × 0.5
        "m_survey": 1.5,         # 15 of 20 answered × 2
        "m_results": 0.5,        # 1 of 2 listed schools with results × 1
        "m_info_system": None,   # no expert review: not assessed
        "m_system": 4.0,         # expert review
        "m_risks": 1.5,          # 1 of 2 high risks addressed × 3
        "m_mentors": 1.0,        # 1 of 2 listed schools paired × 2
        "m_routes": 1.6,         # 8 of 10 teachers × 2 (S2 has no data: adds nothing)
    }
    assert points_of(scores, "S1") == {
        "s_roadmap": 2.0, "s_executors": 1.0, "s_on_time": 1.5, "s_profile": 2.0, "s_results": 1.0,
        "s_events": None, "s_program": 3.0, "s_risks": 1.5, "s_mentor": 2.0, "s_routes": 1.6}
    assert points_of(scores, "S2") == {
        "s_roadmap": 0.0, "s_executors": None, "s_on_time": None, "s_profile": 2.0, "s_results": 0.0,
        "s_events": None, "s_program": None, "s_risks": 3.0,   # a profile without high risks: nothing to cover
        "s_mentor": 0.0, "s_routes": None}
    assert set(scores["unit_id"]) == {"M1", "S1", "S2"}          # S3 is not listed


def test_totals_zones_and_ranks_by_hand(hand):
    totals = engagement.totals(engagement.round_scores(hand, "01", None, 2026, 1, ROUND_1)).set_index("unit_id")
    # M1: 14.1 of 21 (m_info_system not assessed) = 67.1 % → yellow
    assert totals.at["M1", "points"] == pytest.approx(14.1)
    assert totals.at["M1", "max_points"] == 21
    assert totals.at["M1", "zone"] == "yellow"
    # S1: 15.6 of 20 = 78 % → yellow (just below the 80 % cut); S2: 5 of 10 = 50 % → yellow (at the cut)
    assert (totals.at["S1", "points"], totals.at["S1", "max_points"]) == (pytest.approx(15.6), 20)
    assert totals.at["S1", "share"] == pytest.approx(0.78)
    assert (totals.at["S2", "points"], totals.at["S2", "max_points"], totals.at["S2", "share"]) == (5, 10, 0.5)
    assert list(totals.loc[["S1", "S2"], "zone"]) == ["yellow", "yellow"]
    assert list(totals.loc[["S1", "S2"], "rank"]) == [1, 2]
    assert totals.at["S2", "assessed"] == 5 and totals.at["S2", "criteria"] == 10


@pytest.mark.parametrize("share, expected", [(0.8, "green"), (0.7999, "yellow"), (0.5, "yellow"),
                                             (0.4999, "red"), (0.0, "red"), (float("nan"), None)])
def test_zone_cut_points(share, expected):
    assert engagement.zone(share, {"green": 0.8, "yellow": 0.5}) == expected


def test_share_points_rules():
    assert engagement.share_points(3, 2, 4, "units_on_time") == (0.5, 1.5)
    assert engagement.share_points(2, 1, 3, "mentor_active") == (pytest.approx(1 / 3), 0.7)
    assert engagement.share_points(3, 0, 0, "risks_covered") == (1.0, 3.0)
    assert all(math.isnan(v) for v in engagement.share_points(3, 0, 0, "units_on_time"))


def test_change_from_the_previous_round_and_failed_criteria(hand):
    hand.cursor().execute("INSERT INTO engagement_reviews (year, round, unit_level, unit_id, criterion_id, points, "
                          "source) VALUES (2026, 2, 'school', 'S1', 's_program', 0, 'page')")
    summary = engagement.unit_summary(hand, "01", None, 2026, 2, TODAY).set_index("unit_id")
    # Round 2 at 22.11.2026: S1's programme review drops 3 → 0: 12.6 of 20 = 63 % (was 78 %).
    assert summary.at["S1", "share"] == pytest.approx(0.63)
    assert summary.at["S1", "previous_share"] == pytest.approx(0.78)
    assert summary.at["S1", "change"] == pytest.approx(-0.15)
    assert summary.at["S1", "zone_change"] == "same"
    first = engagement.unit_summary(hand, "01", None, 2026, 1, TODAY).set_index("unit_id")
    assert set(first["zone_change"]) == {"new"}             # no 2025 round to compare with
    failures = engagement.criterion_failures(engagement.round_scores(hand, "01", None, 2026, 1, ROUND_1))
    school = failures.set_index("criterion_id")
    assert (school.at["s_mentor", "assessed"], school.at["s_mentor", "failed"]) == (2, 1)
    assert school.at["s_on_time", "failed_share"] == 1.0     # 1.5 of 3 < 80 %


def test_rounds_are_data_and_future_rounds_provisional():
    frame = engagement.rounds(None, 2026, TODAY)
    assert list(frame["date"]) == [dt.date(2026, 8, 1), dt.date(2026, 12, 25)]
    assert list(frame["provisional"]) == [False, True]
    assert frame.at[1, "as_of"] == TODAY
    assert engagement.previous_round(2026, 1) == (2025, 2)


def test_catalogue_is_checked(tmp_path):
    default = engagement.read_criteria()
    assert set(default["level"]) == {"municipality", "school"} and default["criterion_id"].is_unique
    bad = default.copy()
    bad.loc[0, "rule"] = "guess"
    bad.loc[1, "max_points"] = 0
    path = tmp_path / "criteria.csv"
    bad.to_csv(path, index=False)
    with pytest.raises(ValueError, match="rule «guess».*max_points of m_executors"):
        engagement.read_criteria(path)


def test_review_entry_checks_values_and_rights(hand):
    with pytest.raises(ValueError, match="от 0 до 5"):
        engagement_reviews.save_review(hand, 2026, 1, "m_system", "M1", 6, "", "эксперт")
    with pytest.raises(ValueError, match="не оценивается экспертно"):
        engagement_reviews.save_review(hand, 2026, 1, "m_on_time", "M1", 1, "", "эксперт")
    municipal = access.Principal("rayon", access.Role.MUNICIPAL, region_id="01", municipality_id="M1")
    with pytest.raises(access.AccessDenied):
        engagement_reviews.save_review(hand, 2026, 1, "m_system", "M1", 5, "", "rayon", municipal)
    engagement_reviews.save_review(hand, 2026, 1, "m_info_system", "M1", 2, " работают ", "эксперт")
    assert hand.query_rows("SELECT points, comment, source FROM engagement_reviews WHERE criterion_id = "
                           "'m_info_system'") == [(2.0, "работают", "page")]


def test_expert_review_file_imports_and_bad_rows_are_named(hand):
    good = csv_bytes([["Год", "Этап", "Код", "Критерий", "Баллы", "Обоснование"],
                      [2026, 1, "M1", "m_info_system", "1,5", "частично"],
                      [2026, 1, "S2", "Участие в методических мероприятиях", 2, ""]])
    prepared = prepare(hand, "engagement_reviews", "reviews.csv", good)
    assert prepared.ok, prepared.issues.first().to_dict("records")
    assert commit(hand, prepared, "тест").outcome == "success"
    assert hand.query_rows("SELECT unit_level, unit_id, criterion_id, points FROM engagement_reviews "
                           "WHERE source = 'import' AND round = 1 AND criterion_id IN ('m_info_system', 's_events') "
                           "ORDER BY 1") == [("municipality", "M1", "m_info_system", 1.5), ("school", "S2", "s_events", 2.0)]
    bad = csv_bytes([["Год", "Этап", "Код", "Критерий", "Баллы"],
                     [2026, 3, "M1", "m_system", 1],            # no round 3
                     [2026, 1, "S1", "m_system", 1],            # a school for a municipal criterion
                     [2026, 1, "M1", "m_system", 9],            # above the maximum 5
                     [2026, 1, "M1", "m_on_time", 1]])          # scored by the database, not reviewed
    before = hand.scalar("SELECT count(*) FROM engagement_reviews")
    rejected = prepare(hand, "engagement_reviews", "bad.csv", bad)
    assert not rejected.ok
    codes = set(rejected.issues.first()["code"]) if hasattr(rejected.issues, "first") else set()
    assert {"unknown_round", "unknown_unit", "points_range", "unknown_criterion"} <= codes
    assert hand.scalar("SELECT count(*) FROM engagement_reviews") == before


def test_report_section_uses_the_page_numbers(demo_store):
    from presentation.report import engagement as section
    from presentation.report.content import Context
    from presentation.report.model import Heading, Paragraph, Report, Table
    ctx = Context(demo_store, "01", 2026, None, None, TODAY, "ru")
    report, conclusions = Report("t", []), []
    section.section(ctx, report, 9, conclusions)
    assert report.of_type(Heading)[0].text == "9. Мониторинг вовлеченности"
    summary = engagement.unit_summary(demo_store, "01", None, 2026, 1, TODAY)
    municipalities = summary[summary["unit_level"] == "municipality"]
    counts = municipalities["zone"].value_counts()
    first = report.of_type(Paragraph)[0].text
    assert first.startswith("Этап мониторинга: 1-й этап — к 01.08.2026.")
    assert f"Оценено {len(municipalities)} муниципалитетов: в зелёной зоне — {counts.get('green', 0)}" in first
    table = report.of_type(Table)[0]
    assert len(table.rows) == len(municipalities)
    assert table.rows[0][1] == municipalities.sort_values(["rank", "unit_name"])["unit_name"].iloc[0]
