"""Invalidation by what changed: each write bumps the data groups of the tables it wrote, each
cached computation is keyed on the groups it declares, and no declared computation reads a
table of a group it did not declare (which would let it serve stale data)."""
import json
import re
import os

import pytest

from analytics import reads as reads_module
from analytics.roadmap_status import Edit, save_status
from analytics.store import DEFAULT_GROUP, Store
from tests.apptest_helpers import rerun, run_page
from tests.conftest import PROJECT_ROOT, TODAY
from tests.read_tracing import reads_of_computations, tables_of, undeclared_reads
from ui import cache

PAGES = ["pages/overview.py", "pages/results.py", "pages/schools.py", "pages/risks.py", "pages/map.py",
         "pages/roadmaps.py", "pages/teachers.py", "pages/targets.py", "pages/show.py", "pages/report.py"]


@pytest.fixture
def forgotten():
    cache.forget_everything()
    yield
    cache.forget_everything()


def _school(store: Store) -> str:
    return store.scalar("SELECT min(school_id) FROM school_lists")


def test_declared_computations_read_only_the_groups_they_declare(app_env, demo_store, forgotten, monkeypatch):
    with reads_of_computations(monkeypatch) as seen:
        for page in PAGES:
            run_page(page)
        run_page("pages/passport.py", query={"school": _school(demo_store)})
    if os.environ.get("SHNOR_PRINT_READS"):
        print(json.dumps({k: sorted(v) for k, v in sorted(seen.items())}, ensure_ascii=False, indent=1))
    assert len(seen) > 30                                      # the pages did compute
    assert undeclared_reads(demo_store, seen) == {}


def _reads_results(store):
    return store.query_rows("SELECT count(*) FROM results r JOIN schools s USING (school_id)")


def test_the_check_fails_for_a_computation_reading_an_undeclared_group(demo_store, monkeypatch):
    declared = reads_module.reads("results")(_reads_results)
    monkeypatch.setattr(__import__(__name__), "_reads_results", declared, raising=False)
    seen = {f"{__name__}._reads_results": set().union(
        *(tables_of(demo_store, sql) for sql in ["SELECT count(*) FROM results r JOIN schools s USING (school_id)"]))}
    assert seen[f"{__name__}._reads_results"] == {"results", "schools"}
    assert undeclared_reads(demo_store, seen) == {f"{__name__}._reads_results": {"schools"}}


def test_tables_are_found_through_ctes_subqueries_and_parameters(demo_store):
    sql = ("WITH listed AS (SELECT school_id FROM school_lists WHERE year = ?) "
           "SELECT count(*) FROM listed WHERE EXISTS (SELECT 1 FROM risk_profiles p WHERE p.school_id = listed.school_id)")
    assert tables_of(demo_store, sql, [2026]) == {"school_lists", "risk_profiles"}


def test_a_write_bumps_only_the_groups_it_wrote(empty_store):
    before = empty_store.data_versions()
    empty_store.bump_data_version(tables=["measure_status", "measure_status_history"])
    after = empty_store.data_versions()
    assert after["statuses"] != before.get("statuses", "0") and after["*"] != before.get("*", "0")
    assert {g for g in after if g not in ("statuses", "*")} == set(before) - {"statuses", "*"}
    empty_store.bump_data_version(tables=["a_table_of_another_branch"])
    assert empty_store.data_versions()[DEFAULT_GROUP] != "0"
    empty_store.bump_data_version()                                            # everything
    latest = empty_store.data_versions()
    assert {"results", "lists", "risks", "roadmaps", "statuses", "mentors", "teachers", "targets", "registry",
            "basemap", DEFAULT_GROUP} <= set(latest) and len(set(latest.values())) == 1


def _tables_read_by_rerun(app, store: Store) -> set[str]:
    """The data tables a rerun of ``app`` reads (the shell's per-run check that the database is
    populated counts schools; it is not cached and costs nothing)."""
    log: list = []
    store.read_log = log
    try:
        rerun(app)
    finally:
        store.read_log = None
    return set().union(*(tables_of(store, sql, params) for sql, params in log)) & set(store.table_groups())


def test_a_status_save_leaves_results_risks_and_map_cached(writable_db_path, monkeypatch, forgotten):
    monkeypatch.setenv("SHNOR_DB", str(writable_db_path))
    monkeypatch.setenv("SHNOR_TODAY", TODAY.isoformat())
    monkeypatch.chdir(PROJECT_ROOT)
    pages = ("pages/results.py", "pages/risks.py", "pages/map.py", "pages/roadmaps.py")
    apps = {page: run_page(page) for page in pages}
    store = cache.store()
    assert _tables_read_by_rerun(apps["pages/results.py"], store) <= {"schools"}     # warm
    unit_id, version = store.query_rows("SELECT unit_id, version FROM measure_status ORDER BY unit_id LIMIT 1")[0]
    save_status(store, unit_id, version, Edit("in_progress", None, "", ""), "методист", TODAY)
    for page in pages[:2]:
        assert _tables_read_by_rerun(apps[page], store) <= {"schools"}, page       # every result and view cached
    # The map shows each school's roadmap completion: it reads the statuses again, not the results.
    map_reads = _tables_read_by_rerun(apps["pages/map.py"], store)
    assert "measure_status" in map_reads and not map_reads & {"results", "school_lists", "risk_profiles"}
    assert "measure_status" in _tables_read_by_rerun(apps["pages/roadmaps.py"], store)   # computed again


_WRITTEN = re.compile(r"\b(?:INSERT(?: OR REPLACE)? INTO|UPDATE|DELETE FROM)\s+([a-z_]+)", re.IGNORECASE)


def _writes(store: Store, write) -> tuple[set[str], set[str]]:
    """(groups of the tables ``write`` wrote, groups whose version it changed)."""
    before = store.data_versions()
    log: list = []
    store.read_log = log
    try:
        write()
    finally:
        store.read_log = None
    after = store.data_versions()
    written = {m for sql, _ in log for m in _WRITTEN.findall(sql)} - {"meta", "data_versions"}
    return set(store.groups_of(written)), {g for g in after if g != "*" and after[g] != before.get(g, "0")}


def test_every_write_path_bumps_exactly_the_groups_it_wrote(writable_db_path):
    from analytics import basemap, mentoring, targets
    store = Store(writable_db_path)
    try:
        unit_id, version = store.query_rows("SELECT unit_id, version FROM measure_status ORDER BY unit_id LIMIT 1")[0]
        mentee, mentor = (r[0] for r in store.query_rows("SELECT school_id FROM schools ORDER BY school_id LIMIT 2"))
        region = store.scalar("SELECT min(region_id) FROM regions")
        paths = {
            "status save": lambda: save_status(store, unit_id, version, Edit("in_progress"), "методист", TODAY),
            "mentor pair": lambda: mentoring.set_pair(store, 2026, mentee, mentor, "мун", 12.0, "ближе"),
            "road distances": lambda: mentoring.import_road_distances(
                store, f"наставник;школа;км\n{mentor};{mentee};12,5\n".encode(), "Иванова", "roads.csv"),
            "targets": lambda: targets.save_targets(store, targets.region_targets(store, region), replace_region=region),
            "basemap": lambda: basemap.replace_region(store, region, store.query_df(
                "SELECT * EXCLUDE (region_id) FROM basemap_features WHERE region_id = ?", [region])),
        }
        for name, write in paths.items():
            written, bumped = _writes(store, write)
            assert written and bumped == written, (name, written, bumped)
    finally:
        store.close()
