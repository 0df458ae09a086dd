"""The import page under AppTest. The uploader cannot be driven here, so the tests put the
uploaded file where the page keeps it (session state), as an upload would."""
from analytics.store import open_store
from tests.apptest_helpers import all_text, assert_no_exception, run_page
from tests.roadmap_fixtures import docx_roadmap, docx_without_table
from ui.roadmap_import import FILE_KEY


def open_import_page(file=None):
    return run_page("pages/roadmap_import.py", session={FILE_KEY: file} if file is not None else None)


def test_page_renders_and_waits_for_a_file(app_env):
    app = open_import_page()
    assert app.title[0].value == "Импорт дорожной карты"
    assert "Загрузите файл" in all_text(app)
    assert app.get("file_uploader")


def test_preview_of_a_parsed_document(app_env):
    app = open_import_page(("карта.docx", docx_roadmap()))
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Мероприятий"] == "4"
    assert metrics["Предупреждений"] == "1"
    assert app.text_input[0].value.startswith("Дорожная карта по поддержке школ")
    assert [d.value.isoformat() for d in app.date_input] == ["2021-01-01", "2024-12-31"]
    assert "Примечание" in all_text(app)
    assert app.get("arrow_data_frame") or app.dataframe
    assert app.button[0].label == "Сохранить дорожную карту"


def test_a_document_without_a_table_shows_the_reason(app_env):
    app = open_import_page(("пусто.docx", docx_without_table()))
    assert "не найдена таблица" in app.error[0].value
    assert not app.button


def test_saving_from_the_page(monkeypatch, app_env, writable_db_path):
    monkeypatch.setenv("SHNOR_DB", str(writable_db_path))
    store = open_store(writable_db_path)
    before = store.scalar("SELECT count(*) FROM roadmaps")
    app = open_import_page(("карта.docx", docx_roadmap()))
    app.button[0].click().run()
    assert_no_exception(app)
    assert "Дорожная карта сохранена: 4 мероприятий" in app.success[0].value
    assert store.scalar("SELECT count(*) FROM roadmaps") == before + 1
    assert store.scalar("SELECT count(*) FROM measures m JOIN roadmaps r USING (roadmap_id) "
                        "WHERE r.source = 'import' AND r.level = 'region'") == 4
    assert app.button[0].disabled       # the same file is not saved twice by a second click
