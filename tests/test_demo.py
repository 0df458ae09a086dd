"""Invariants of the generated demo region."""
import datetime as dt
import json

import numpy as np
import pytest
import shapely
from shapely.geometry import shape

from analytics.demo import DEMO_TABLES, build_demo
from analytics.store import Store
from tests.conftest import SEED, TODAY


def test_sizes(demo_store):
    assert demo_store.scalar("SELECT count(*) FROM municipalities") == 12
    assert demo_store.scalar("SELECT count(*) FROM schools") == 400
    years = [y for (y,) in demo_store.query_rows("SELECT DISTINCT year FROM results ORDER BY 1")]
    assert years == list(range(2020, 2027))
    students = demo_store.query_rows("SELECT min(students), max(students) FROM schools")[0]
    assert students[0] >= 10 and students[1] <= 1500


def test_marks_sum_to_participants(demo_store):
    bad = demo_store.scalar("""
        SELECT count(*) FROM results
        WHERE procedure IN ('VPR', 'OGE') AND n2 + n3 + n4 + n5 <> participants""")
    assert bad == 0
    bad_vpr = demo_store.scalar("""
        SELECT count(*) FROM results
        WHERE procedure = 'VPR' AND n_lower + n_confirmed + n_higher <> participants""")
    assert bad_vpr == 0
    bad_ege = demo_store.scalar("""
        SELECT count(*) FROM results WHERE procedure = 'EGE'
        AND (n_below_min + n_high > participants OR mean_score NOT BETWEEN 0 AND 100 OR n2 IS NOT NULL)""")
    assert bad_ege == 0


def test_subjects_and_procedures(demo_store):
    vpr_subjects = demo_store.scalar("SELECT count(DISTINCT subject_id) FROM results WHERE procedure = 'VPR'")
    assert vpr_subjects >= 8
    assert {p for (p,) in demo_store.query_rows("SELECT DISTINCT procedure FROM results")} == {"VPR", "OGE", "EGE"}


def test_schools_lie_inside_their_municipality(demo_store):
    boundaries = {m: shape(json.loads(g)) for m, g in
                  demo_store.query_rows("SELECT municipality_id, boundary_geojson FROM municipalities")}
    schools = demo_store.query_df("SELECT municipality_id, lat, lon FROM schools")
    inside = [shapely.contains_xy(boundaries[m].buffer(0.005), lon, lat)
              for m, lat, lon in schools.itertuples(index=False)]
    assert all(inside)


def test_rural_schools_are_smaller(demo_store):
    rural, urban = demo_store.query_rows(
        "SELECT median(students) FILTER (WHERE is_rural), median(students) FILTER (WHERE NOT is_rural) FROM schools")[0]
    assert rural < urban / 3


def test_low_result_schools_have_worse_marks(demo_store):
    share_low, share_other = demo_store.query_rows("""
        WITH listed AS (SELECT school_id FROM school_lists WHERE category = 'low_results' AND year = 2026)
        SELECT sum(n2) FILTER (WHERE school_id IN (SELECT * FROM listed))
                 / sum(participants) FILTER (WHERE school_id IN (SELECT * FROM listed)),
               sum(n2) FILTER (WHERE school_id NOT IN (SELECT * FROM listed))
                 / sum(participants) FILTER (WHERE school_id NOT IN (SELECT * FROM listed))
        FROM results WHERE procedure = 'VPR' AND year = 2025""")[0]
    assert share_low > 0.2 and share_other < 0.2


def test_monitoring_tables_are_filled(demo_store):
    for table in ("school_lists", "risk_profiles", "mentor_pairs", "roadmaps", "measures", "measure_schools",
                  "measure_status", "checkpoints", "kpi_targets", "teacher_development", "teacher_deficits",
                  "survey_participation"):
        assert demo_store.scalar(f"SELECT count(*) FROM {table}") > 0, table
    levels = {lvl for (lvl,) in demo_store.query_rows("SELECT DISTINCT level FROM roadmaps")}
    assert levels == {"region", "municipality", "school"}
    without_roadmap = demo_store.scalar("""
        SELECT count(*) FROM school_lists l
        WHERE l.category = 'low_results' AND l.year = 2026
          AND NOT EXISTS (SELECT 1 FROM roadmaps r WHERE r.school_id = l.school_id)""")
    assert without_roadmap == 0


def test_statuses_are_consistent_with_today(demo_store):
    done_without_date = demo_store.scalar(
        "SELECT count(*) FROM measure_status WHERE status = 'done' AND completed_on IS NULL")
    assert done_without_date == 0
    in_future = demo_store.scalar("SELECT count(*) FROM measure_status WHERE completed_on > ?", [TODAY])
    assert in_future == 0
    late = demo_store.scalar("SELECT count(*) FROM measure_status WHERE status = 'done' AND completed_on > due_date")
    assert late > 0


def test_mentor_distances_are_plausible(demo_store):
    row = demo_store.query_rows(
        "SELECT min(straight_km), max(straight_km), min(road_km / straight_km), max(road_km / straight_km)"
        " FROM mentor_pairs WHERE straight_km > 5")[0]
    assert row[0] >= 0 and row[1] < 250
    assert 1.0 <= row[2] and row[3] <= 2.0


def _checksums(store) -> dict:
    sums = {}
    for table in DEMO_TABLES:
        sums[table] = store.query_rows(f"SELECT count(*), sum(hash(t)) FROM {table} t")[0]
    return sums


def test_generation_is_deterministic(demo_store, tmp_path):
    again = Store(tmp_path / "again.duckdb")
    again.migrate()
    build_demo(again, scale="region", seed=SEED, today=TODAY)
    assert _checksums(again) == _checksums(demo_store)
    again.close()


def test_rebuild_replaces_content(tmp_path):
    store = Store(tmp_path / "twice.duckdb")
    store.migrate()
    first = build_demo(store, scale="region", seed=1, today=dt.date(2026, 6, 1))
    second = build_demo(store, scale="region", seed=1, today=dt.date(2026, 6, 1))
    assert first == second
    assert store.scalar("SELECT count(*) FROM schools") == 400
    store.close()


@pytest.mark.parametrize("scale", ["planet"])
def test_unknown_scale_is_refused(empty_store, scale):
    with pytest.raises(ValueError):
        build_demo(empty_store, scale=scale)
