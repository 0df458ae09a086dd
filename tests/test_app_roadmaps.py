"""The «Дорожные карты» page under AppTest: rendering, filters from the URL, reporting an edit."""
import datetime as dt

from analytics import roadmap_status
from analytics.store import open_store
from tests.apptest_helpers import all_text, assert_no_exception, run_page
from tests.conftest import TODAY


def open_roadmaps(query: dict | None = None, session: dict | None = None):
    return run_page("pages/roadmaps.py", query=query, session=session)


def test_page_shows_completion_and_checkpoints(app_env):
    app = open_roadmaps()
    assert app.title[0].value == "Дорожные карты"
    labels = [m.label for m in app.metric]
    assert labels == ["Исполнение дорожных карт на 22.11.2026 (по мероприятиям)", "Выполнено в срок / с опозданием",
                      "Исполнение наступивших сроков", "Просрочено единиц исполнения на 22.11.2026"]
    text = all_text(app)
    assert "30.06.2026: цель 35\u00a0%" in text and "30.11.2026: цель 85\u00a0%" in text
    assert "Состояние на 22.11.2026" in text
    assert app.metric[0].value.endswith("%")
    # The headline's checkpoint comparison is at the checkpoint's own date, not today's share.
    assert "на контрольную точку 30.06.2026:" in text
    # The overdue list and the workload tables are there and downloadable (their tab opened).
    app = open_roadmaps(query={"rm_tab": "overdue"})
    assert len(app.dataframe) == 2


def test_completion_basis_is_chosen_in_the_url(app_env):
    by_measures = open_roadmaps()
    by_units = open_roadmaps(query={"basis": "units"})
    assert by_units.metric[0].label == "Исполнение дорожных карт на 22.11.2026 (по единицам исполнения)"
    assert by_units.metric[0].value != by_measures.metric[0].value
    assert "на контрольную точку 30.06.2026:" in all_text(by_units)


def test_roadmap_and_subject_from_the_url(app_env, demo_store):
    roadmap_id = int(demo_store.scalar("SELECT min(roadmap_id) FROM roadmaps WHERE level = 'municipality'"))
    app = open_roadmaps(query={"rm_roadmap": str(roadmap_id), "subject": "math"})
    assert "Показаны только мероприятия, связанные с предметом «Математика»" in all_text(app)
    assert len(app.data_editor) == 1
    editor = app.data_editor[0].value
    expected = demo_store.scalar(
        "SELECT count(*) FROM measure_status u JOIN measures USING (measure_id) "
        "WHERE roadmap_id = ? AND year(due_date) = 2026 AND list_contains(subjects, 'math')", [roadmap_id])
    assert len(editor) == expected > 0


def test_edit_is_saved_with_history_and_a_stale_save_is_refused(monkeypatch, writable_db_path):
    monkeypatch.setenv("SHNOR_DB", str(writable_db_path))
    monkeypatch.setenv("SHNOR_TODAY", TODAY.isoformat())
    store = open_store(writable_db_path)
    unit_id, roadmap_id = store.query_rows(
        "SELECT u.unit_id, me.roadmap_id FROM measure_status u JOIN measures me USING (measure_id) "
        "JOIN roadmaps r USING (roadmap_id) WHERE r.level = 'municipality' AND u.status = 'in_progress' "
        "AND year(u.due_date) = 2026 ORDER BY u.unit_id LIMIT 1")[0]
    app = open_roadmaps(query={"rm_roadmap": str(roadmap_id)}, session={"roadmaps_editor_name": "Петрова"})
    editor = app.data_editor[0]
    row = int(editor.value.index[editor.value["unit_id"] == unit_id][0])
    version = int(store.scalar("SELECT version FROM measure_status WHERE unit_id = ?", [unit_id]))

    # Someone else saves the same unit after this editor loaded it: the save must be refused.
    roadmap_status.save_status(store, unit_id, version, roadmap_status.Edit("in_progress", comment="чужое"),
                               "Сидоров", TODAY)
    app.session_state[editor.key] = {"edited_rows": {row: {"status": "done", "completed_on": "2026-11-20"}},
                                     "added_rows": [], "deleted_rows": []}
    app.button(key="roadmaps_save").click()
    app.run()
    assert_no_exception(app)
    assert any("другой пользователь" in w.value for w in app.warning)
    current = roadmap_status.current_unit(store, unit_id)
    assert (current["status"], current["comment"], current["updated_by"]) == ("in_progress", "чужое", "Сидоров")

    # After the refusal the editor shows current data; saving again goes through.
    editor = app.data_editor[0]
    assert editor.value.loc[row, "comment"] == "чужое"
    app.session_state[editor.key] = {"edited_rows": {row: {"status": "done", "completed_on": "2026-11-20"}},
                                     "added_rows": [], "deleted_rows": []}
    app.button(key="roadmaps_save").click()
    app.run()
    assert_no_exception(app)
    assert any("Сохранено изменений: 1" in s.value for s in app.success)
    current = roadmap_status.current_unit(store, unit_id)
    assert (current["status"], current["completed_on"], current["updated_by"]) == \
        ("done", dt.date(2026, 11, 20), "Петрова")
    history = roadmap_status.unit_history(store, unit_id)
    assert history["changed_by"].tolist()[:2] == ["Петрова", "Сидоров"]


def test_invalid_edit_shows_the_rule(monkeypatch, writable_db_path):
    monkeypatch.setenv("SHNOR_DB", str(writable_db_path))
    monkeypatch.setenv("SHNOR_TODAY", TODAY.isoformat())
    store = open_store(writable_db_path)
    roadmap_id = int(store.scalar("SELECT min(roadmap_id) FROM roadmaps WHERE level = 'school'"))
    app = open_roadmaps(query={"rm_roadmap": str(roadmap_id)}, session={"roadmaps_editor_name": "Петрова"})
    editor = app.data_editor[0]
    row = int(editor.value.index[editor.value["status"] != "done"][0])
    unit_id = int(editor.value.loc[row, "unit_id"])
    app.session_state[editor.key] = {"edited_rows": {row: {"status": "done"}}, "added_rows": [], "deleted_rows": []}
    app.button(key="roadmaps_save").click()
    app.run()
    assert_no_exception(app)
    assert any("Не сохранено" in e.value for e in app.error)
    assert any("нужна дата выполнения" in str(v) for d in app.dataframe for v in d.value.to_numpy().ravel())
    assert roadmap_status.unit_history(store, unit_id)["version"].max() == 1
