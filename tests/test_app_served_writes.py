"""Pages in the served mode (issue #25): a target saved, an engagement score entered, a file
uploaded on «Данные» and undone — none refused as read-only any more; the uploads go through the
importer's master file and a new published version."""
from __future__ import annotations

import psycopg
import pytest

from analytics.served.publish import publish
from analytics.store import open_store
from tests.apptest_helpers import all_text, assert_no_exception, new_app, run_page
from tests.conftest import PROJECT_ROOT, TODAY
from tests.import_files import csv_bytes

READ_ONLY = "только для чтения"


@pytest.fixture
def served_env(monkeypatch, writable_db_path, pg_dsn, tmp_path):
    master = open_store(writable_db_path)
    publish(master, pg_dsn, tmp_path / "parquet")
    master.close()              # the app opens the master only for an upload
    monkeypatch.setenv("SHNOR_PG", pg_dsn)
    monkeypatch.setenv("SHNOR_PARQUET", str(tmp_path / "parquet"))
    monkeypatch.setenv("SHNOR_DB", str(writable_db_path))
    monkeypatch.setenv("SHNOR_TODAY", TODAY.isoformat())
    monkeypatch.chdir(PROJECT_ROOT)
    return pg_dsn


def _pg(dsn: str, sql: str, params=None) -> list[tuple]:
    with psycopg.connect(dsn) as pg:
        return pg.execute(sql, params).fetchall()


def _errors(app) -> list[str]:
    return [e.value for e in app.error]


def test_the_targets_editor_saves_into_postgres(served_env):
    app = run_page("pages/targets.py")
    editor = next(e for e in app.data_editor if e.key == "targets_editor")
    key = editor.value.iloc[0][["target_id", "scope_level", "scope_id", "year"]].tolist()
    app.session_state[editor.key] = {"edited_rows": {0: {"target_low": 0.55}}, "added_rows": [], "deleted_rows": []}
    app.button(key="targets_save").click()
    app.run()
    assert_no_exception(app)
    assert not any(READ_ONLY in e for e in _errors(app)), _errors(app)
    assert app.success, _errors(app)
    assert _pg(served_env, "SELECT target_low FROM kpi_targets WHERE target_id = %s AND scope_level = %s "
                          "AND scope_id = %s AND year = %s", [key[0], key[1], key[2], int(key[3])]) == [(0.55,)]


def test_an_engagement_score_is_entered_into_postgres(served_env):
    app = run_page("pages/engagement.py")
    points = next(n for n in app.number_input if n.label.startswith("Баллы"))
    points.set_value(1.0)
    submit = next(b for b in app.button if "Сохранить" in b.label)
    submit.click()
    app.run()
    assert_no_exception(app)
    assert not any(READ_ONLY in e for e in _errors(app)), _errors(app)
    assert _pg(served_env, "SELECT count(*) FROM engagement_reviews WHERE source = 'page' AND points = 1") == [(1,)]


VPR = csv_bytes([["Код ОО", "Год", "Процедура", "Предмет", "Класс", "Участников", "«2»", "«3»", "«4»", "«5»"],
                 ["0100001", 2026, "ВПР", "Математика", 5, 62, 8, 24, 23, 7]])


def test_an_upload_and_its_undo_on_the_data_page_publish_new_versions(served_env):
    app = new_app(query={"kind": "results"})
    app.run()
    app.switch_page("pages/import_files.py")
    app.run()
    assert_no_exception(app)
    first = _pg(served_env, "SELECT directory FROM published_version")
    app.file_uploader[0].upload("впр.csv", VPR, "text/csv")
    app.run()
    app.button(key="data_import").click()
    app.run()
    assert_no_exception(app)
    assert not any(READ_ONLY in e for e in _errors(app)), _errors(app)
    assert "1\u00a0строка" in all_text(app), _errors(app)
    published = _pg(served_env, "SELECT directory FROM published_version")
    assert published != first
    assert app.selectbox(key="data_undo_id").value == 1          # the journal of the version in force
    app.button(key="data_undo").click()
    app.run()
    assert_no_exception(app)
    assert "Загрузка № 1 отменена" in all_text(app), _errors(app)
    assert _pg(served_env, "SELECT directory FROM published_version") not in (first, published)


def test_a_mentor_pair_is_changed_by_hand_into_postgres(served_env):
    app = run_page("pages/map.py", timeout=120)
    user = next(w for w in app.text_input if w.label == "Кто вносит изменение" and w.key != "map_roads_user")
    user.input("Петров")
    save = [b for b in app.button if b.label == "Сохранить"]         # the form's: the mentee's pair removed
    assert len(save) == 1
    save[0].click()
    app.run()
    assert_no_exception(app)
    assert not any(READ_ONLY in e for e in _errors(app)), _errors(app)
    assert any("Пара сохранена" in s.value for s in app.success), _errors(app)
    assert _pg(served_env, "SELECT changed_by FROM mentor_pair_changes WHERE changed_by = 'Петров'") == [("Петров",)]
