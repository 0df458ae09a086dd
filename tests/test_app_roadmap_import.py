"""The import page under AppTest. The uploader cannot be driven here, so the tests put the
uploaded file where the page keeps it (session state), as an upload would."""
import datetime as dt

from analytics.store import open_store
from tests.apptest_helpers import all_text, assert_no_exception, run_page
from tests.roadmap_fixtures import docx_roadmap, docx_without_table, text_guessed_period_roadmap
from ui.roadmap_import import FILE_KEY


def open_import_page(file=None):
    return run_page("pages/roadmap_import.py", session={FILE_KEY: file} if file is not None else None)


def metrics(app):
    return {m.label: m.value for m in app.metric}


def test_page_renders_and_waits_for_a_file(app_env):
    app = open_import_page()
    assert app.title[0].value == "Импорт дорожной карты"
    assert "Загрузите файл" in all_text(app)
    assert app.get("file_uploader")


def test_review_of_a_document_with_nothing_unsure(app_env):
    app = open_import_page(("карта.docx", docx_roadmap()))
    assert metrics(app)["Мероприятий"] == "4"
    assert metrics(app)["Осталось проверить"] == "0"
    assert app.text_input[0].value.startswith("Дорожная карта по поддержке школ")
    assert [d.value.isoformat() for d in app.date_input] == ["2021-01-01", "2024-12-31"]
    assert "Примечание" in all_text(app)
    assert "Проверка перед сохранением" in all_text(app)
    assert not app.warning                          # the period is written in the title
    assert app.get("arrow_data_frame") or app.dataframe
    assert app.button[0].label == "Сохранить дорожную карту" and not app.button[0].disabled


def test_a_guessed_period_and_unmatched_schools_block_saving(app_env):
    app = open_import_page(("план.txt", text_guessed_period_roadmap()))
    assert_no_exception(app)
    assert "угадан по годам в сроках" in app.warning[0].value
    text = all_text(app)
    assert "школа «школе № 987» не найдена в реестре" in text
    assert "исполнители: нет в справочнике исполнителей: «ОЦКР»" in text
    assert "период:" in text
    assert int(metrics(app)["Осталось проверить"]) == 5
    assert app.button[0].disabled
    assert "Сохранение станет доступно" in text
    app.checkbox(key=next(c.key for c in app.checkbox if c.label == "Период проверен")).check().run()
    assert int(metrics(app)["Осталось проверить"]) == 4
    assert app.button[0].disabled                   # rows still unsure: fixed or accepted in the table first


def test_a_period_typed_in_is_no_longer_a_guess(app_env):
    app = open_import_page(("план.txt", text_guessed_period_roadmap()))
    assert "период:" in all_text(app)
    app.date_input[1].set_value(dt.date(2026, 12, 31)).run()
    assert_no_exception(app)
    assert "период:" not in all_text(app)
    assert int(metrics(app)["Осталось проверить"]) == 4


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
    assert "Дорожная карта сохранена: 4 мероприятий" in app.success[-1].value
    assert store.scalar("SELECT count(*) FROM roadmaps") == before + 1
    assert store.scalar("SELECT count(*) FROM measures m JOIN roadmaps r USING (roadmap_id) "
                        "WHERE r.source = 'import' AND r.level = 'region'") == 4
    assert app.button[0].disabled       # the same file is not saved twice by a second click
