"""The served mode takes every write people make in the app (issue #25): targets, mentor pairs and
engagement scores go to PostgreSQL and another app process sees them at its next page run; a
publication seeds them once and never overwrites people's edits; uploads, undo and roadmap
saves run on the importer's master file and publish a new version, or are refused in words
while another process holds the master; units an undo removed are not live; the sign-in audit
is read from PostgreSQL."""
from __future__ import annotations

import contextlib
import json
import subprocess
import sys

import psycopg
import pytest

from analytics import engagement, engagement_reviews, mentoring, sign_in, targets
from analytics import roadmap_status as rs
from analytics.importer import commit, prepare, recent_imports
from analytics.importer.changes import undo, undoable
from analytics.roadmaps import RoadmapFilter, units
from analytics.served import open_served
from analytics.served.master import writing
from analytics.served.publish import publish
from analytics.store import open_store
from analytics.store_errors import StorageUnavailable
from tests.conftest import PROJECT_ROOT, TODAY
from tests.import_files import csv_bytes




@contextlib.contextmanager
def other_process(served):
    """A second app process on the same PostgreSQL and Parquet directory (tests/served_worker.py):
    ``ask(sql)`` runs a page's data-version read, then the query, in that process."""
    worker = subprocess.Popen([sys.executable, "-m", "tests.served_worker", served.dsn, str(served.parquet_dir),
                               "2", "1", "1", "0"], cwd=PROJECT_ROOT, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert worker.stdout.readline().strip() == "ready"

        def ask(sql: str):
            worker.stdin.write(f"query {sql}\n")
            worker.stdin.flush()
            answer = json.loads(worker.stdout.readline())
            return answer["rows"] if "rows" in answer else answer
        yield ask
    finally:
        worker.stdin.write("quit\n")
        worker.stdin.close()
        worker.wait(timeout=60)


def _pg(dsn: str, sql: str, params=None) -> list[tuple]:
    with psycopg.connect(dsn) as pg:
        return pg.execute(sql, params).fetchall()


def _region(store) -> str:
    return store.scalar("SELECT min(region_id) FROM regions")


def _review_criterion() -> tuple[str, str]:
    reviewed = engagement.criteria()
    row = reviewed[reviewed["rule"] == "review"].iloc[0]
    return row["criterion_id"], row["level"]


def test_targets_pairs_and_scores_go_to_postgres_and_another_process_sees_them(master, served, pg_dsn):
    region = _region(served)
    with other_process(served) as ask:
        assert ask("SELECT count(*) FROM kpi_targets WHERE target_low = 0.77") == [[0]]
        # targets: the editor's save (replace the region's rows) is one PostgreSQL transaction
        edited = targets.region_targets(served, region)
        key = edited.iloc[0][["target_id", "scope_level", "scope_id", "year"]].tolist()
        edited.loc[edited.index[0], "target_low"] = 0.77
        assert targets.save_targets(served, edited, replace_region=region) == len(edited)
        assert _pg(pg_dsn, "SELECT target_low FROM kpi_targets WHERE target_id = %s AND scope_level = %s "
                           "AND scope_id = %s AND year = %s", key) == [(0.77,)]
        assert ask("SELECT count(*) FROM kpi_targets WHERE target_low = 0.77") == [[1]]
        assert master.scalar("SELECT count(*) FROM kpi_targets WHERE target_low = 0.77") == 0   # not the file

        # a mentor pair set by hand, with its change log line
        year, mentee = served.query_rows("SELECT year, mentee_school_id FROM mentor_pairs ORDER BY pair_id LIMIT 1")[0]
        mentor = served.scalar("SELECT min(school_id) FROM schools WHERE school_id <> ?", [mentee])
        mentoring.set_pair(served, int(year), mentee, mentor, "Петров", 12.0, "ближе")
        assert _pg(pg_dsn, "SELECT mentor_school_id, source, created_by FROM mentor_pairs WHERE year = %s "
                           "AND mentee_school_id = %s", [year, mentee]) == [(mentor, "manual", "Петров")]
        assert ask(f"SELECT mentor_school_id, source FROM mentor_pairs WHERE year = {int(year)} "
                   f"AND mentee_school_id = '{mentee}'") == [[mentor, "manual"]]
        assert ask(f"SELECT new_mentor_school_id, changed_by FROM mentor_pair_changes WHERE year = {int(year)}") \
            == [[mentor, "Петров"]]
        assert mentoring.changes(served, int(year))["changed_by"].tolist() == ["Петров"]

        # an engagement score
        criterion, level = _review_criterion()
        unit = served.scalar("SELECT min(school_id) FROM schools" if level == "school"
                             else "SELECT min(municipality_id) FROM municipalities")
        engagement_reviews.save_review(served, 2026, 1, criterion, unit, 1, "проверено", "эксперт")
        assert _pg(pg_dsn, "SELECT points, comment, source FROM engagement_reviews WHERE year = 2026 AND round = 1 "
                           "AND criterion_id = %s AND unit_id = %s", [criterion, unit]) == [(1.0, "проверено", "page")]
        assert ask(f"SELECT points, entered_by FROM engagement_reviews WHERE year = 2026 AND round = 1 "
                   f"AND criterion_id = '{criterion}' AND unit_id = '{unit}'") == [[1.0, "эксперт"]]


def test_a_publication_seeds_once_and_never_overwrites_what_people_edited(master, served, pg_dsn, tmp_path):
    for table in ("kpi_targets", "mentor_pairs", "engagement_reviews"):
        assert _pg(pg_dsn, f"SELECT count(*) FROM {table}")[0][0] == master.scalar(f"SELECT count(*) FROM {table}") > 0
    assert {t for (t,) in _pg(pg_dsn, "SELECT table_name FROM served_seeded")} == \
        {"kpi_targets", "mentor_pairs", "mentor_pair_changes", "engagement_reviews"}
    row = targets.region_targets(served, _region(served)).head(1).assign(target_low=0.66)
    targets.save_targets(served, row)
    year, mentee = served.query_rows("SELECT year, mentee_school_id FROM mentor_pairs ORDER BY pair_id LIMIT 1")[0]
    mentoring.set_pair(served, int(year), mentee, None, "Петров", reason="расторгнут")     # a pair removed
    first = served.directory
    publish(master, pg_dsn, tmp_path / "parquet")            # the master still has the old values
    served.data_versions()
    assert served.directory != first
    assert served.scalar("SELECT count(*) FROM kpi_targets WHERE target_low = 0.66") == 1
    assert served.scalar("SELECT count(*) FROM mentor_pairs WHERE year = ? AND mentee_school_id = ?",
                         [year, mentee]) == 0
    assert _pg(pg_dsn, "SELECT count(*) FROM mentor_pairs WHERE year = %s AND mentee_school_id = %s",
               [year, mentee]) == [(0,)]


def test_an_import_through_the_master_passes_on_only_what_it_changed(master, served, pg_dsn):
    rows = targets.region_targets(served, _region(served)).head(2)
    by_app, by_import = rows.iloc[[0]].assign(target_low=0.61), rows.iloc[1]
    versions = served.data_versions()
    with writing(served, "РЦОИ") as importer_side:
        assert importer_side is not served and not importer_side.served
        targets.save_targets(served, by_app)          # an app edit while the import runs
        with importer_side.transaction() as cur:
            cur.execute("UPDATE kpi_targets SET target_low = 0.42 WHERE target_id = ? AND scope_level = ? "
                        "AND scope_id = ? AND year = ?", [by_import["target_id"], by_import["scope_level"],
                                                           by_import["scope_id"], int(by_import["year"])])
            importer_side.bump_data_version(cur, tables=["kpi_targets"])
    assert served.data_versions()["targets"] != versions["targets"]
    now = targets.region_targets(served, _region(served)).set_index(["target_id", "scope_level", "scope_id", "year"])
    assert now.loc[tuple(by_app.iloc[0][["target_id", "scope_level", "scope_id", "year"]]), "target_low"] == 0.61
    assert now.loc[tuple(by_import[["target_id", "scope_level", "scope_id", "year"]]), "target_low"] == 0.42


VPR = csv_bytes([["Код ОО", "Год", "Процедура", "Предмет", "Класс", "Участников", "«2»", "«3»", "«4»", "«5»"],
                 ["0100001", 2026, "ВПР", "Математика", 5, 62, 8, 24, 23, 7]])


def test_an_upload_publishes_a_version_another_process_sees_and_undo_goes_the_same_way(served):
    sql = ("SELECT n2 FROM results WHERE year = 2026 AND procedure = 'VPR' AND subject_id = 'math' AND grade = 5 "
           "AND school_id = '0100001'")
    before = served.query_rows(sql)
    with other_process(served) as ask:
        first = ask("SELECT count(*) FROM import_log")
        with writing(served, "Иванова") as target:
            prepared = prepare(target, "results", "впр.csv", VPR)
            assert prepared.ok, prepared.issues.codes()
            outcome = commit(target, prepared, "Иванова")
        assert outcome.outcome == "success"
        assert served.query_rows(sql) == [(8,)] != before
        assert ask(sql) == [[8]] and ask("SELECT count(*) FROM import_log") == [[first[0][0] + 1]]
        assert outcome.import_id in set(undoable(served)["import_id"])         # the page's undo list
        assert recent_imports(served)["file_name"].iloc[0] == "впр.csv"
        with writing(served, "Иванова") as target:
            undo(target, outcome.import_id, "Иванова")
        assert served.query_rows(sql) == before and ask(sql) == [list(r) for r in before]
        assert outcome.import_id not in set(undoable(served)["import_id"])


def test_an_upload_while_another_process_holds_the_master_changes_nothing(writable_db_path, pg_dsn, tmp_path):
    master = open_store(writable_db_path)
    publish(master, pg_dsn, tmp_path / "parquet")
    master.close()
    served = open_served(pg_dsn, tmp_path / "parquet", writable_db_path)
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1]); "
                               "print('held', flush=True); sys.stdin.read()", str(writable_db_path)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        versions, directory = served.data_versions(), served.directory
        with pytest.raises(StorageUnavailable) as refused:
            with writing(served, "Иванова"):
                pytest.fail("the import must not run")
        assert refused.value.kind == "importing"
        from ui.errors import message_key
        from presentation.i18n import text
        assert message_key(refused.value) == "storage.importing"
        assert "Сейчас данные загружает другой процесс" in text("ru", "storage.importing", incident="x")
        assert served.data_versions() == versions and served.directory == directory
        assert _pg(pg_dsn, "SELECT directory FROM published_version") == [(directory,)]
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
        served.close()


def test_units_an_undo_removed_are_not_live_and_their_history_is_kept(master, served, pg_dsn):
    roadmap, unit, version = served.query_rows(
        "SELECT me.roadmap_id, u.unit_id, u.version FROM measure_status u JOIN measures me USING (measure_id) "
        "ORDER BY u.unit_id LIMIT 1")[0]
    rs.save_status(served, unit, version, rs.Edit("in_progress", comment="до отмены"), "анна", TODAY)
    with writing(served) as target:           # as an undo of the roadmap's import does
        with target.transaction() as cur:
            cur.execute("DELETE FROM measure_status WHERE measure_id IN "
                        "(SELECT measure_id FROM measures WHERE roadmap_id = ?)", [roadmap])
            cur.execute("DELETE FROM measures WHERE roadmap_id = ?", [roadmap])
            cur.execute("DELETE FROM roadmaps WHERE roadmap_id = ?", [roadmap])
            target.bump_data_version(cur, tables=["roadmaps", "measures", "measure_status"])
    shown = units(served, RoadmapFilter(_region(served), year=None), TODAY)
    assert unit not in set(shown["unit_id"])
    assert served.scalar("SELECT count(*) FROM measure_status WHERE unit_id = ?", [unit]) == 0
    assert _pg(pg_dsn, "SELECT comment FROM measure_status WHERE unit_id = %s", [unit]) == [("до отмены",)]
    assert rs.unit_history(served, unit)["comment"].iloc[0] == "до отмены"


def test_the_sign_in_audit_is_read_from_postgres(served):
    before = len(sign_in.audit_lines(served))
    sign_in.attempt(served, {}, "Никто", "пароль", "10.0.0.9")
    lines = sign_in.audit_lines(served)
    assert len(lines) == before + 1 and lines["client"].iloc[-1] == "10.0.0.9"


def test_road_distances_and_a_roadmap_saved_in_the_app_go_through_the_master(served, pg_dsn):
    from analytics.roadmap_import import parse_document
    from analytics.roadmap_import.save import save_roadmap
    from tests.roadmap_fixtures import text_roadmap
    school = served.scalar("SELECT min(school_id) FROM schools")
    parsed = parse_document(text_roadmap(), "карта.txt")
    units_before = _pg(pg_dsn, "SELECT count(*) FROM measure_status")[0][0]
    with other_process(served) as ask:
        mentor, mentee = (r[0] for r in served.query_rows("SELECT school_id FROM schools ORDER BY school_id LIMIT 2"))
        with writing(served, "Иванова") as target:
            stored, _ = mentoring.import_road_distances(target, f"наставник;школа;км\n{mentor};{mentee};12,5\n".encode(),
                                                        "Иванова", "roads.csv")
        assert stored == 1
        assert ask(f"SELECT road_km FROM road_distances WHERE mentor_school_id = '{mentor}' "
                   f"AND mentee_school_id = '{mentee}'") == [[12.5]]
        # (a roadmap saved first, then road distances, collides in import_log in the embedded mode
        # too: save.py numbers its journal line max + 1, the others take the sequence)
        with writing(served, "методист") as target:
            roadmap_id = save_roadmap(target, title="Карта из документа", period=parsed.period,
                                      measures=parsed.measures, level="school", school_id=school, user="методист")
        assert ask(f"SELECT title FROM roadmaps WHERE roadmap_id = {roadmap_id}") == [["Карта из документа"]]
        added = _pg(pg_dsn, "SELECT count(*) FROM measure_status")[0][0] - units_before
        assert added == 57                                       # its units reach PostgreSQL for status saves
        assert ask("SELECT count(*) FROM measure_status u JOIN measures me USING (measure_id) "
                   f"WHERE me.roadmap_id = {roadmap_id}") == [[57]]
