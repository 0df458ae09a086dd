"""A corpus of bad files: each is rejected with its own clear Russian message, and the
database is unchanged (row counts and checksums of every table an import can touch)."""
from __future__ import annotations

import io
import shutil
import zipfile

import pytest

from analytics.importer import REPORT_LIMIT, commit, log_rejected, prepare
from analytics.store import Store
from tests.import_files import csv_bytes, xlsx_bytes
from presentation.import_report import more_text, report_frame

TABLES = ("schools", "results", "school_lists", "risk_profiles", "mentor_pairs", "kpi_targets",
          "teacher_development", "meta")

RESULTS_HEADER = ["Код ОО", "Год", "Процедура", "Предмет", "Класс", "Участников", "«2»", "«3»", "«4»", "«5»"]
GOOD_ROW = ["0100001", 2026, "ВПР", "Математика", 5, 10, 1, 2, 3, 4]
EGE_HEADER = ["Код ОО", "Год", "Процедура", "Предмет", "Класс", "Участников", "Средний балл"]
STUDENT_HEADER = ["ФИО", "Код участника", "Код ОО", "Год", "Процедура", "Предмет", "Класс", "Отметка", "Балл"]


def results(*rows, header=RESULTS_HEADER, **kwargs) -> bytes:
    return csv_bytes([header, *rows], **kwargs)


def row(**changes) -> list:
    values = dict(zip(RESULTS_HEADER, GOOD_ROW))
    values.update({k.replace("_", " "): v for k, v in changes.items()})
    return [values[h] for h in RESULTS_HEADER]


def _zip(names: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in names.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def student(*rows) -> bytes:
    return csv_bytes([STUDENT_HEADER, *rows], encoding="cp1251")


# (id, kind, file name, bytes, expected words in the report, expected row or None)
CASES = [
    ("pdf_named_xlsx", "results", "vpr.xlsx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "это PDF-документ", None),
    ("empty", "results", "vpr.csv", b"", "Файл пустой", None),
    ("png_image", "results", "vpr.csv", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "изображение", None),
    ("old_xls", "results", "vpr.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "Excel 97–2003", None),
    ("word_docx", "results", "vpr.xlsx", _zip({"word/document.xml": b"<w/>", "[Content_Types].xml": b"<x/>"}),
     "документ Word", None),
    ("plain_zip", "results", "vpr.zip", _zip({"data.csv": b"a;b"}), "архив", None),
    ("html_as_xls", "results", "vpr.xls", b"<html><table><tr><td>1</td></tr></table></html>", "HTML", None),
    ("binary_garbage", "results", "vpr.csv", bytes(range(256)) * 4, "двоичный файл", None),
    ("csv_named_xlsx", "results", "vpr.xlsx", results(GOOD_ROW), "внутри текст (CSV)", None),
    ("damaged_xlsx", "results", "vpr.xlsx", _zip({"xl/workbook.xml": b"not xml", "[Content_Types].xml": b"x"}),
     "повреждена", None),
    ("no_known_header", "results", "vpr.csv", csv_bytes([["Фамилия", "Имя"], ["Иванов", "Пётр"]]),
     "Не найдена строка заголовков", None),
    ("header_only", "results", "vpr.csv", results(), "нет строк с данными", None),
    ("ragged_rows", "results", "vpr.csv",
     "Код ОО;Год;Процедура;Предмет;Класс;Участников;«2»;«3»;«4»;«5»\n" + "0100001;2026;ВПР;Математика;5;10;1;2;3;4\n" * 3
     + "0100002;2026;ВПР;Математика;5;10;1;2;3;4;5;6;7\n", "разное число столбцов", None),
    ("missing_participants", "results", "vpr.csv",
     csv_bytes([[h for h in RESULTS_HEADER if h != "Участников"], [v for h, v in zip(RESULTS_HEADER, GOOD_ROW)
                                                                  if h != "Участников"]]),
     "Нет обязательного столбца «Количество участников»", None),
    ("duplicate_column", "results", "vpr.csv", results(GOOD_ROW + ["0100001"], header=RESULTS_HEADER + ["Код ОО"]),
     "встречается несколько раз", None),
    ("marks_do_not_sum", "results", "vpr.csv", results(GOOD_ROW, row(Участников=11)), "Сумма отметок «2»–«5» (10)", 3),
    ("letter_o_in_number", "results", "vpr.csv", results(row(Участников="1О")), "целое число", 2),
    ("negative_count", "results", "vpr.csv", results(row(**{"«2»": -1}), ), "не меньше 0", 2),
    ("grade_12", "results", "vpr.csv", results(row(Класс=12)), "от 1 до 11", 2),
    ("unknown_subject", "results", "vpr.csv", results(row(Предмет="Астрология")), "одно из: Русский язык", 2),
    ("unknown_procedure", "results", "vpr.csv", results(row(Процедура="НИКО")), "одно из: ВПР, ОГЭ, ЕГЭ", 2),
    ("unknown_school", "results", "vpr.csv", results(row(Код_ОО="9999999")), "не найдена в реестре", 2),
    ("leading_zeros_lost", "results", "vpr.csv", results(row(Код_ОО="100002")), "ведущие нули: 0100002", 2),
    ("duplicate_rows", "results", "vpr.csv", results(GOOD_ROW, GOOD_ROW), "повторяет", 3),
    ("bad_year", "results", "vpr.csv", results(row(Год="20266")), "год, например 2026", 2),
    ("shares_sum_90", "results", "vpr.csv",
     csv_bytes([["Код ОО", "Год", "Процедура", "Предмет", "Класс", "Участников", "% 2", "% 3", "% 4", "% 5"],
                ["0100001", 2026, "ВПР", "Математика", 5, 10, "10", "20", "30", "30"]]), "в сумме дают 90", 2),
    ("shares_and_counts", "results", "vpr.csv",
     csv_bytes([RESULTS_HEADER + ["% 2", "% 3", "% 4", "% 5"], GOOD_ROW + [10, 20, 30, 40]]),
     "и количества, и доли", None),
    ("ege_score_120", "results", "ege.csv", csv_bytes([EGE_HEADER, ["0100001", 2026, "ЕГЭ", "Русский язык", 11, 20,
                                                                   "120,5"]]), "от 0 до 100", 2),
    ("ege_without_score", "results", "ege.csv", csv_bytes([EGE_HEADER, ["0100001", 2026, "ЕГЭ", "Русский язык", 11,
                                                                       20, ""]]), "Пустое значение", 2),
    ("vpr_marks_empty", "results", "vpr.csv", results(row(**{"«3»": ""})), "Пустое значение", 2),
    ("two_row_header_error_row_numbers", "results", "vpr.xlsx",
     xlsx_bytes([["Код ОО", "Год", "Процедура", "Предмет", "Класс", "Участников", "Отметки", None, None, None],
                 [None, None, None, None, None, None, "2", "3", "4", "5"], GOOD_ROW, GOOD_ROW[:5] + [99, 1, 2, 3, 4]],
                merges=["G1:J1"]), "Сумма отметок", 4),
    ("student_mark_6", "student_results", "pupils.csv",
     student(["Иванов И.И.", "A1", "0100001", 2026, "ВПР", "Математика", "5А", "6", ""]), "от 2 до 5", 2),
    ("student_duplicate", "student_results", "pupils.csv",
     student(["Иванов И.И.", "A1", "0100001", 2026, "ВПР", "Математика", "5А", "4", ""],
             ["Иванов И.И.", "A1", "0100001", 2026, "ВПР", "Математика", "5А", "5", ""]), "Тот же участник", 3),
    ("student_unknown_school", "student_results", "pupils.csv",
     student(["Иванов И.И.", "A1", "7777777", 2026, "ВПР", "Математика", "5А", "4", ""]), "не найдена в реестре", 2),
    ("student_ege_score_101", "student_results", "pupils.csv",
     student(["Петров П.П.", "B1", "0100001", 2026, "ЕГЭ", "Русский язык", "11", "", "101"]), "от 0 до 100", 2),
    ("student_class_text", "student_results", "pupils.csv",
     student(["Петров П.П.", "B1", "0100001", 2026, "ВПР", "Математика", "пятый", "4", ""]), "номер класса", 2),
    ("list_unknown_category", "school_lists", "list.csv",
     csv_bytes([["Код ОО", "Год", "Категория"], ["0100001", 2026, "Лучшие школы"]]), "одно из: ШНОР", 2),
    ("risk_unknown_factor", "risk_profiles", "risks.csv",
     csv_bytes([["Код ОО", "Год", "Фактор риска", "Уровень"], ["0100001", 2026, "Плохая погода", "высокий"]]),
     "одно из: Низкий уровень оснащения", 2),
    ("risk_bad_level", "risk_profiles", "risks.csv",
     csv_bytes([["Код ОО", "Год", "Фактор риска", "Уровень"], ["0100001", 2026, "equipment", "очень высокий"]]),
     "одно из: высокий, средний, низкий", 2),
    ("mentor_self", "mentor_pairs", "pairs.csv",
     csv_bytes([["Год", "Школа-наставник", "Подшефная школа"], [2026, "0100001", "0100001"]]),
     "наставником самой себе", 2),
    ("mentor_bad_date", "mentor_pairs", "pairs.csv",
     csv_bytes([["Год", "Школа-наставник", "Подшефная школа", "Дата соглашения"],
                [2026, "0100002", "0100001", "31.02.2026"]]), "дата ДД.ММ.ГГГГ", 2),
    ("kpi_share_150", "kpi_targets", "kpi.csv",
     csv_bytes([["Показатель", "Уровень", "Код территории", "Год", "Значение"],
                ["list_reduction", "регион", "01", 2026, "150"]]), "Доля вне диапазона", 2),
    ("kpi_unknown_scope", "kpi_targets", "kpi.csv",
     csv_bytes([["Показатель", "Уровень", "Код территории", "Год", "Значение"],
                ["list_reduction", "муниципалитет", "99-99", 2026, "0,25"]]), "Такой территории нет", 2),
    ("teachers_more_than_total", "teacher_development", "teachers.csv",
     csv_bytes([["Код ОО", "Год", "Этап", "Предмет", "Всего учителей", "Прошли диагностику", "С ИОМ",
                 "Прошли курсы", "Консультации", "Наставничество"],
                ["0100001", 2026, 1, "Математика", 3, 5, 1, 1, 1, 1]]), "Больше, чем учителей всего", 2),
    ("school_unknown_municipality", "schools", "schools.csv",
     csv_bytes([["Код школы", "Муниципалитет", "Наименование", "Тип", "Местность"],
                ["0199999", "Атлантида", "СОШ № 99", "СОШ", "село"]]), "одно из:", 2),
    ("school_half_coordinates", "schools", "schools.csv",
     csv_bytes([["Код школы", "Муниципалитет", "Наименование", "Тип", "Местность", "Широта"],
                ["0199999", "01-01", "СОШ № 99", "СОШ", "село", "56,6"]]), "только одна из координат", 2),
]


@pytest.fixture(scope="module")
def store(demo_db_path, tmp_path_factory):
    path = tmp_path_factory.mktemp("bad") / "db.duckdb"
    shutil.copy(demo_db_path, path)
    store = Store(path)
    store.migrate()
    yield store
    store.close()


def snapshot(store: Store) -> dict:
    return {table: store.query_rows(f"SELECT count(*), coalesce(sum(hash(t::VARCHAR)), 0) FROM {table} t")[0]
            for table in TABLES}


def test_corpus_is_large_enough():
    assert len(CASES) >= 30 and len({c[0] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case_id, kind, file_name, data, expected, excel_row", CASES, ids=[c[0] for c in CASES])
def test_bad_file_is_rejected_with_its_message_and_nothing_changes(store, case_id, kind, file_name, data, expected,
                                                                   excel_row):
    data = data.encode("utf-8") if isinstance(data, str) else data
    before = snapshot(store)
    log_before = store.scalar("SELECT count(*) FROM import_log")
    prepared = prepare(store, kind, file_name, data, {"year": 2026})
    assert not prepared.ok
    outcome = commit(store, prepared, "тест")          # even a forced commit stores nothing
    assert outcome.outcome == "rejected"
    report = report_frame(prepared, "ru")
    text = " | ".join(" ".join(map(str, r)) for r in report.values.tolist())
    assert expected in text, text
    assert (report["Файл"] == file_name).all()
    if excel_row is not None:
        assert str(excel_row) in set(report["Строка"]), report
        assert report["Столбец"].str.len().gt(0).any()
    assert snapshot(store) == before
    assert store.scalar("SELECT count(*) FROM import_log") == log_before + 1
    assert store.query_rows("SELECT outcome, file_name FROM import_log ORDER BY import_id DESC LIMIT 1") == [
        ("rejected", file_name)]


def test_too_large_file_has_a_clear_message(store):
    prepared = prepare(store, "results", "big.csv", results(GOOD_ROW) * 10, max_mb=0.0001)
    assert "больше допустимых 0.0001 МБ" in report_frame(prepared).iloc[0]["Ошибка"]


def test_many_errors_are_all_counted_and_the_report_is_capped(store):
    rows = [row(Класс=12, Код_ОО=f"{900000 + i:07d}") for i in range(400)]
    prepared = prepare(store, "results", "many.csv", results(*rows))
    assert prepared.issues.total == 800                  # grade and school on each of 400 rows
    report = report_frame(prepared)
    assert len(report) == REPORT_LIMIT
    assert report["Строка"].tolist()[:4] == ["2", "2", "3", "3"]
    assert more_text(prepared) == "…и ещё 600 ошибок (показаны первые 200)"
    log_rejected(store, prepared, "тест")
    assert "800 ошибок" in store.scalar("SELECT message FROM import_log ORDER BY import_id DESC LIMIT 1")
