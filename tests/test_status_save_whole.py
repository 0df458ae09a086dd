"""A multi-row status save is whole: all its rows are committed in one transaction or none,
also when the server dies in the middle, and the user is told which happened."""
import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap

import pandas as pd
import pytest

from analytics import roadmap_status as rs
from analytics.store import Store, insert_df, open_store
from tests.apptest_helpers import assert_no_exception, run_page
from tests.conftest import PROJECT_ROOT, TODAY

ROWS = 20


def _twenty_units(store):
    cur = store.cursor()
    cur.execute("INSERT INTO meta VALUES ('data_version', 'v0')")
    cur.execute("INSERT INTO roadmaps VALUES (1, 'region', '01', NULL, NULL, 'РК', '2026-01-01', '2026-12-31', 'test')")
    cur.execute("INSERT INTO measures (measure_id, roadmap_id, number, title, schedule_kind) "
                "VALUES (1, 1, '1', 'M', 'dates')")
    insert_df(cur, "measure_status", pd.DataFrame({
        "unit_id": range(1, ROWS + 1), "measure_id": 1, "due_date": dt.date(2026, 10, 31),
        "status": "not_started", "version": 1}))


def _tables(store):
    original = store.query_df("SELECT unit_id, status, completed_on, comment, evidence_url, version "
                              "FROM measure_status ORDER BY unit_id")
    return original, original.assign(status="in_progress", comment="всё идёт")


def _state(store):
    return (store.query_rows("SELECT unit_id, status, version, comment FROM measure_status ORDER BY unit_id"),
            store.scalar("SELECT count(*) FROM measure_status_history"), store.data_version())


@pytest.fixture
def units(empty_store):
    _twenty_units(empty_store)
    return empty_store


def test_a_failure_in_the_middle_of_a_save_commits_nothing(units, monkeypatch):
    original, edited = _tables(units)
    before = _state(units)
    written = []
    real = rs.write_unit

    def failing(cur, unit_id, *args):
        if len(written) == 13:
            raise OSError("disk full")
        written.append(unit_id)
        return real(cur, unit_id, *args)

    monkeypatch.setattr(rs, "write_unit", failing)
    with pytest.raises(OSError):
        rs.save_table(units, original, edited, "Я", TODAY)
    assert len(written) == 13                          # thirteen rows had been written inside the transaction
    assert _state(units) == before                     # and none of them was kept
    monkeypatch.setattr(rs, "write_unit", real)
    report = rs.save_table(units, original, edited, "Я", TODAY)
    assert len(report.saved) == ROWS and _state(units)[1] == ROWS   # without the failure, all twenty


KILLED_SAVE = textwrap.dedent("""
    import sys, datetime as dt
    from analytics import roadmap_status as rs
    from analytics.store import Store
    store = Store(sys.argv[1])
    original = store.query_df("SELECT unit_id, status, completed_on, comment, evidence_url, version "
                              "FROM measure_status ORDER BY unit_id")
    edited = original.assign(status="in_progress", comment="всё идёт")
    real, count = rs.write_unit, [0]
    def write_then_hold(cur, *args):
        count[0] += 1
        if count[0] == 14:
            print("WRITTEN_13", flush=True)
            sys.stdin.readline()                      # held here until killed
        return real(cur, *args)
    rs.write_unit = write_then_hold
    rs.save_table(store, original, edited, "Я", dt.date(2026, 11, 22))
""")


def test_a_server_killed_in_the_middle_of_a_save_kept_nothing(tmp_path):
    path = tmp_path / "killed.duckdb"
    store = Store(path)
    store.migrate()
    _twenty_units(store)
    before = _state(store)
    store.cursor().execute("CHECKPOINT")
    store.close()
    process = subprocess.Popen([sys.executable, "-c", KILLED_SAVE, str(path)], cwd=PROJECT_ROOT,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        assert line.strip() == "WRITTEN_13", line + process.stderr.read()
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    reopened = Store(path)
    try:
        assert _state(reopened) == before
    finally:
        reopened.close()


def test_the_page_says_nothing_was_saved_and_keeps_the_edits(monkeypatch, writable_db_path):
    monkeypatch.setenv("SHNOR_DB", str(writable_db_path))
    monkeypatch.setenv("SHNOR_TODAY", TODAY.isoformat())
    store = open_store(writable_db_path)
    roadmap_id = store.scalar("SELECT min(r.roadmap_id) FROM roadmaps r JOIN measures me USING (roadmap_id) "
                              "JOIN measure_status u USING (measure_id) WHERE r.level = 'municipality' "
                              "AND year(u.due_date) = 2026")
    app = run_page("pages/roadmaps.py", query={"rm_roadmap": str(roadmap_id)},
                   session={"roadmaps_editor_name": "Петрова"})
    editor = app.data_editor[0]
    rows = {0: {"comment": "первая"}, 1: {"comment": "вторая"}, 2: {"comment": "третья"}}
    units = [int(editor.value.loc[r, "unit_id"]) for r in rows]
    before = [rs.current_unit(store, u) for u in units]
    history_before = store.scalar("SELECT count(*) FROM measure_status_history")
    calls = []
    real = rs.write_unit

    def failing(cur, *args):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("connection lost")
        return real(cur, *args)

    monkeypatch.setattr(rs, "write_unit", failing)
    app.session_state[editor.key] = {"edited_rows": rows, "added_rows": [], "deleted_rows": []}
    app.button(key="roadmaps_save").click()
    app.run()
    assert not app.exception
    assert any(e.value.startswith("Ничего не сохранено") and "номер инцидента" in e.value for e in app.error)
    assert [rs.current_unit(store, u) for u in units] == before
    assert store.scalar("SELECT count(*) FROM measure_status_history") == history_before
    assert app.data_editor[0].key == editor.key         # the same editor, with the user's edits still in it

    monkeypatch.setattr(rs, "write_unit", real)
    app.session_state[editor.key] = {"edited_rows": rows, "added_rows": [], "deleted_rows": []}
    app.button(key="roadmaps_save").click()
    app.run()
    assert_no_exception(app)
    assert any("Сохранено изменений: 3. Все они записаны вместе" in s.value for s in app.success)
    assert [rs.current_unit(store, u)["comment"] for u in units] == ["первая", "вторая", "третья"]
