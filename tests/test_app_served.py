"""The roadmap page in the served mode: a status table saved into PostgreSQL; with PostgreSQL
stopped the page still shows the data, says writing is unavailable, and a save is refused in
words with the edits kept."""
from __future__ import annotations

import psycopg

from analytics import roadmap_status as rs
from analytics.served import open_served
from analytics.served.publish import publish
from analytics.store import open_store
from tests import postgres
from tests.apptest_helpers import assert_no_exception, run_page
from tests.conftest import TODAY


def test_the_roadmap_page_saves_into_postgres_and_serves_read_only_without_it(monkeypatch, writable_db_path, tmp_path):
    cluster = postgres.Cluster()
    try:
        dsn = postgres.fresh_database(cluster.start())
        master = open_store(writable_db_path)
        publish(master, dsn, tmp_path / "parquet")
        roadmap_id = master.scalar("SELECT min(r.roadmap_id) FROM roadmaps r JOIN measures me USING (roadmap_id) "
                                   "JOIN measure_status u USING (measure_id) WHERE r.level = 'municipality' "
                                   "AND year(u.due_date) = 2026")
        master.close()
        monkeypatch.setenv("SHNOR_PG", dsn)
        monkeypatch.setenv("SHNOR_PARQUET", str(tmp_path / "parquet"))
        monkeypatch.setenv("SHNOR_DB", str(tmp_path / "not-opened.duckdb"))
        monkeypatch.setenv("SHNOR_TODAY", TODAY.isoformat())
        app = run_page("pages/roadmaps.py", query={"rm_roadmap": str(roadmap_id)},
                       session={"roadmaps_editor_name": "Петрова"})
        editor = app.data_editor[0]
        rows = {0: {"comment": "первая"}, 1: {"comment": "вторая"}}
        units = [int(editor.value.loc[r, "unit_id"]) for r in rows]
        app.session_state[editor.key] = {"edited_rows": rows, "added_rows": [], "deleted_rows": []}
        app.button(key="roadmaps_save").click()
        app.run()
        assert_no_exception(app)
        assert any("Сохранено изменений: 2" in s.value for s in app.success)
        with psycopg.connect(dsn) as pg:
            assert pg.execute("SELECT comment, updated_by FROM measure_status WHERE unit_id = ANY(%s) "
                              "ORDER BY unit_id", [units]).fetchall() == \
                [("первая", "Петрова"), ("вторая", "Петрова")]
        assert not (tmp_path / "not-opened.duckdb").exists()        # the app never opens a DuckDB file
        served = open_served(dsn, tmp_path / "parquet")
        assert [rs.current_unit(served, u)["comment"] for u in units] == ["первая", "вторая"]
    finally:
        cluster.stop()

    app = run_page("pages/roadmaps.py", query={"rm_roadmap": str(roadmap_id)},
                   session={"roadmaps_editor_name": "Петрова"})
    assert any(w.value.startswith("Запись временно недоступна") for w in app.warning)
    editor = app.data_editor[0]
    assert len(editor.value)                                          # the data are still shown
    rows = {0: {"comment": "без связи"}}
    app.session_state[editor.key] = {"edited_rows": rows, "added_rows": [], "deleted_rows": []}
    app.button(key="roadmaps_save").click()
    app.run()
    assert not app.exception
    assert any(e.value.startswith("Нет связи с сервером базы данных") for e in app.error), [e.value for e in app.error]
    assert app.data_editor[0].key == editor.key                       # the edits stay in the editor
