"""The «Данные» page under AppTest: upload → read summary and preview → import; a bad file → error report."""
import pytest

from analytics.store import Store
from tests.apptest_helpers import all_text, assert_no_exception, new_app
from tests.conftest import TODAY
from tests.import_files import csv_bytes

MESSY = csv_bytes([["Результаты ВПР, 2026"], ["Код ОО", "Предмет", "Класс", "Кол-во участников", "Количество отметок",
                                              "", "", "", "% выполнения"],
                   ["", "", "", "", "2", "3", "4", "5", ""],
                   ["0100001", "Математика", "5А", "62", "8", "24", "23", "7", "61,5"],
                   ["0100002", "Математика", "5Б", "10", "1", "2", "3", "4", "70,2"],
                   ["Итого", "", "", "72", "9", "26", "26", "11", ""]], sep=";", encoding="cp1251")


@pytest.fixture
def data_app(writable_db_path, monkeypatch):
    monkeypatch.setenv("SHNOR_DB", str(writable_db_path))
    monkeypatch.setenv("SHNOR_TODAY", TODAY.isoformat())
    from tests.conftest import PROJECT_ROOT
    monkeypatch.chdir(PROJECT_ROOT)
    app = new_app(query={"kind": "results"})
    app.run()                       # AppTest: run once before switching to a page with a url_path
    app.switch_page("pages/import_files.py")
    app.run()
    assert_no_exception(app)
    return app


def _rows(path, sql):
    store = Store(path)
    try:
        return store.query_rows(sql)
    finally:
        store.close()


def test_page_renders_with_template_and_log(data_app):
    assert data_app.title[0].value == "Данные"
    assert data_app.selectbox(key="data_kind").value == "results"
    assert "Загрузок ещё не было." in all_text(data_app)
    assert len(data_app.file_uploader) == 1


def test_messy_cp1251_upload_preview_then_import(data_app, writable_db_path):
    data_app.file_uploader[0].upload("впр_2026.csv", MESSY, "text/csv")
    data_app.run()
    assert_no_exception(data_app)
    text = all_text(data_app)
    assert "кодировка Windows-1251, разделитель «;»; заголовок в строках 2–3; строк данных: 2." in text
    assert "Пропущено строк итогов («Итого», «Всего»): 1." in text
    assert "Не используются: % выполнения." in text
    preview = data_app.dataframe[1].value
    assert preview["«2»"].tolist() == [8, 1] and preview["Код школы"].tolist() == ["0100001", "0100002"]
    data_app.button(key="data_import").click()
    data_app.run()
    assert_no_exception(data_app)
    assert "2\u00a0строки — новых 0, изменено 2" in all_text(data_app)
    stored = _rows(writable_db_path, "SELECT school_id, n2, n5 FROM results WHERE year = 2026 AND procedure = 'VPR' "
                                     "AND subject_id = 'math' AND grade = 5 AND school_id IN ('0100001', '0100002') ORDER BY 1")
    assert stored == [("0100001", 8, 7), ("0100002", 1, 4)]
    assert _rows(writable_db_path, "SELECT outcome FROM import_log") == [("success",)]


def test_bad_file_shows_the_report_and_changes_nothing(data_app, writable_db_path):
    before = _rows(writable_db_path, "SELECT count(*), sum(hash(r::VARCHAR)) FROM results r")
    bad = csv_bytes([["Код ОО", "Предмет", "Класс", "Участников", "«2»", "«3»", "«4»", "«5»"],
                     ["0100001", "Математика", "5", "11", "1", "2", "3", "4"],
                     ["100002", "Матем", "5", "10", "1", "2", "3", "4"]])
    data_app.file_uploader[0].upload("плохой.csv", bad, "text/csv")
    data_app.run()
    assert_no_exception(data_app)
    assert "Файл не загружен: найдено ошибок — 3. В базе ничего не изменено." in [e.value for e in data_app.error]
    report = next(d.value for d in data_app.dataframe if "Ошибка" in d.value.columns)
    assert report["Строка"].tolist() == ["2", "3", "3"]
    assert "возможно, Excel убрал ведущие нули: 0100002" in " ".join(report["Ожидалось"])
    assert not [b for b in data_app.button if b.key == "data_import"]
    assert _rows(writable_db_path, "SELECT count(*), sum(hash(r::VARCHAR)) FROM results r") == before
    assert _rows(writable_db_path, "SELECT outcome, file_name FROM import_log") == [("rejected", "плохой.csv")]


def test_preview_by_school_then_undo_on_the_page(data_app, writable_db_path):
    before = _rows(writable_db_path, "SELECT count(*), sum(hash(r::VARCHAR)) FROM results r")
    data_app.file_uploader[0].upload("впр_2026.csv", MESSY, "text/csv")
    data_app.run()
    assert_no_exception(data_app)
    text = all_text(data_app)
    assert "Что изменится в базе" in text
    assert "Файл меняет только то, что в нём есть: школа × год × процедура × предмет × класс." in text
    assert "Новых строк — 0, изменится — 2, без изменений — 0, будет удалено — 0." in text
    by_school = next(d.value for d in data_app.dataframe if "Удалится" in d.value.columns)
    assert by_school["Код"].tolist() == ["0100001", "0100002"] and by_school["Изменится"].tolist() == [1, 1]
    changes = next(d.value for d in data_app.dataframe if "Доля «2»" in d.value.columns)
    assert len(changes) == 2 and all(" → " in v for v in changes["Участников"])
    data_app.button(key="data_import").click()
    data_app.run()
    assert _rows(writable_db_path, "SELECT count(*), sum(hash(r::VARCHAR)) FROM results r") != before
    assert data_app.selectbox(key="data_undo_id").value == 1
    data_app.button(key="data_undo").click()
    data_app.run()
    assert_no_exception(data_app)
    assert "Загрузка № 1 отменена" in all_text(data_app)
    assert _rows(writable_db_path, "SELECT count(*), sum(hash(r::VARCHAR)) FROM results r") == before
    assert "Нет загрузок, которые можно отменить." in all_text(data_app)
