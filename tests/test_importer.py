"""Importer: every usual encoding, separator and layout gives the same rows; replace is idempotent;
student-level files aggregate to hand-computed counts and keep no personal data."""
from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from analytics.importer import commit, prepare
from analytics.importer.__main__ import main as cli_main
from analytics.importer.spec import KINDS
from analytics.importer.templates import template_xlsx
from analytics.store import Store
from tests.fixtures import migrated_copy
from tests.import_files import csv_bytes, xlsx_bytes

HEADER = ["Код ОО", "Год", "Процедура", "Предмет", "Класс", "Кол-во участников", "«2»", "«3»", "«4»", "«5»",
          "Средний балл"]
ROWS = [
    ["0100001", 2026, "ВПР", "Математика", "5", 62, 8, 24, 23, 7, None],
    ["0100002", 2026, "ВПР", "Математика", "5А", 10, 1, 2, 3, 4, None],
    ["0100003", 2026, "ВПР", "Русский язык", "5", 7, 0, 3, 3, 1, None],
    ["0100001", 2026, "ЕГЭ", "Математика (профильная)", "11", 30, None, None, None, None, 55.3],
]
EXPECTED = pd.DataFrame({
    "school_id": ["0100001", "0100002", "0100003", "0100001"], "year": [2026] * 4,
    "procedure": ["VPR", "VPR", "VPR", "EGE"], "subject_id": ["math", "math", "rus", "math_prof"],
    "grade": [5, 5, 5, 11], "participants": [62, 10, 7, 30], "n2": [8, 1, 0, None], "n3": [24, 2, 3, None],
    "n4": [23, 3, 3, None], "n5": [7, 4, 1, None], "mean_score": [None, None, None, 55.3],
})


@pytest.fixture(scope="module")
def store(demo_db_path, tmp_path_factory):
    yield from migrated_copy(demo_db_path, tmp_path_factory.mktemp("importer") / "db.duckdb")


@pytest.fixture
def fresh(demo_db_path, tmp_path):
    yield from migrated_copy(demo_db_path, tmp_path / "fresh.duckdb")


def _two_row_xlsx() -> bytes:
    title = ["Результаты ВПР и ЕГЭ, 2026"] + [None] * 10
    top = ["Код ОО", "Год", "Процедура", "Предмет", "Класс", "Кол-во участников", "Количество отметок", None, None,
           None, "Средний балл"]
    sub = [None, None, None, None, None, None, "2", "3", "4", "5", None]
    total = ["Итого", None, None, None, None, 109, 9, 29, 29, 12, None]
    merges = ["A1:K1", "A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:E3", "F2:F3", "G2:J2", "K2:K3"]
    return xlsx_bytes([title, top, sub, *ROWS, total], merges=merges, text_columns=(0,))


def _shares_csv() -> bytes:
    header = ["Код ОО", "Год", "Процедура", "Предмет", "Класс", "Участников", "% «2»", "% «3»", "% «4»", "% «5»",
              "Средний балл"]
    rows = []
    for row in ROWS:
        n = row[5]
        shares = [None if v is None else round(v / n * 100, 1) for v in row[6:10]]
        rows.append(row[:6] + shares + row[10:])
    return csv_bytes([header, *rows], sep=";", encoding="cp1251")


GOOD_FILES = {
    "utf8_semicolon": lambda: csv_bytes([HEADER, *ROWS], sep=";"),
    "utf8_bom_comma_quoted_decimals": lambda: csv_bytes([HEADER, *ROWS], sep=",", bom=True),
    "cp1251_semicolon_title_and_total": lambda: csv_bytes(
        [["Результаты 2026 года"], [], HEADER, *ROWS, ["Итого", "", "", "", "", 109]], sep=";", encoding="cp1251"),
    "cp1251_tab_point_decimals": lambda: csv_bytes([HEADER, *ROWS], sep="\t", encoding="cp1251", decimal="."),
    "utf16_tab": lambda: csv_bytes([HEADER, *ROWS], sep="\t", encoding="utf-16"),
    "xlsx_one_row": lambda: xlsx_bytes([HEADER, *ROWS], text_columns=(0,)),
    "xlsx_two_rows_merged_total": _two_row_xlsx,
    "cp1251_shares_percent": _shares_csv,
}


def _normalised(frame: pd.DataFrame) -> list[list]:
    def cell(value):
        if value is None or value is pd.NA or (isinstance(value, float) and value != value):
            return None
        return float(value) if isinstance(value, (int, float)) or hasattr(value, "dtype") else value
    return [[cell(v) for v in row] for row in frame[EXPECTED.columns].astype(object).itertuples(index=False)]


@pytest.mark.parametrize("name", list(GOOD_FILES))
def test_every_layout_reads_to_the_same_rows(store, name):
    prepared = prepare(store, "results", f"{name}.{'xlsx' if 'xlsx' in name else 'csv'}", GOOD_FILES[name]())
    assert prepared.ok, prepared.issues.first().to_dict("records")
    assert prepared.source_rows == 4            # the «Итого» row and the title are not data
    assert _normalised(prepared.frame) == _normalised(EXPECTED)


def test_layout_details_are_detected(store):
    xlsx = prepare(store, "results", "f.xlsx", _two_row_xlsx())
    assert xlsx.header.rows[-1] == 3 and xlsx.skipped_totals == 1   # merged cells fill row 3
    cp = prepare(store, "results", "f.csv", GOOD_FILES["cp1251_semicolon_title_and_total"]())
    assert (cp.encoding, cp.separator, cp.header.rows, cp.skipped_totals) == ("Windows-1251", ";", [3], 1)
    bom = prepare(store, "results", "f.csv", GOOD_FILES["utf8_bom_comma_quoted_decimals"]())
    assert (bom.encoding, bom.separator) == ("UTF-8 (BOM)", ",")
    shares = prepare(store, "results", "f.csv", _shares_csv())
    assert shares.share_scales == {"marks": "0–100"}


def test_year_and_procedure_from_the_page_when_the_file_has_none(store):
    header = ["Код школы", "Предмет", "Класс", "Участников", "2", "3", "4", "5"]
    data = csv_bytes([header, ["0100001", "математика", "5 класс", 4, 1, 1, 1, 1]])
    prepared = prepare(store, "results", "f.csv", data, {"year": 2025, "procedure": "OGE"})
    assert prepared.ok
    assert prepared.frame.loc[0, ["year", "procedure", "subject_id", "grade"]].tolist() == [2025, "OGE", "math", 5]


def _counts(store: Store) -> tuple:
    return store.query_rows("SELECT count(*), sum(hash(r::VARCHAR)) FROM results r")[0]


def test_reimport_changes_only_the_files_rows_idempotently(fresh):
    data = GOOD_FILES["cp1251_semicolon_title_and_total"]()
    keys = ("(school_id, year, procedure, subject_id, grade) IN (('0100001', 2026, 'VPR', 'math', 5), "
            "('0100002', 2026, 'VPR', 'math', 5), ('0100003', 2026, 'VPR', 'rus', 5), "
            "('0100001', 2026, 'EGE', 'math_prof', 11))")
    existing = fresh.scalar(f"SELECT count(*) FROM results WHERE {keys}")
    others = fresh.query_rows(f"SELECT count(*), sum(hash(r::VARCHAR)) FROM results r WHERE NOT {keys}")
    total_before = fresh.scalar("SELECT count(*) FROM results")
    version = fresh.data_version()
    first = commit(fresh, prepare(fresh, "results", "a.csv", data), "тест")
    assert (first.outcome, first.rows_stored, first.rows_replaced) == ("success", 4, existing)
    assert first.counts["removed"] == 0 and first.counts["new"] == 4 - existing
    assert fresh.scalar("SELECT count(*) FROM results") == total_before - existing + 4
    assert fresh.query_rows(f"SELECT count(*), sum(hash(r::VARCHAR)) FROM results r WHERE NOT {keys}") == others
    assert fresh.data_version() != version
    after_first = _counts(fresh)
    second = commit(fresh, prepare(fresh, "results", "a.csv", data), "тест")
    assert (second.outcome, second.rows_replaced, second.counts["unchanged"]) == ("success", 4, 4)
    assert _counts(fresh) == after_first
    log = fresh.query_df("SELECT user_name, file_name, kind, rows, outcome FROM import_log ORDER BY import_id")
    assert log.values.tolist() == [["тест", "a.csv", "results", 4, "success"]] * 2


STUDENTS_HEADER = ["ФИО", "Код участника", "Дата рождения", "Код ОО", "Предмет", "Класс", "Отметка",
                   "Отметка по журналу", "Тестовый балл"]
STUDENTS = [
    # name, id, birth, school, subject, class, mark, journal, score
    ["Иванов Пётр Сергеевич", "P-001", "01.02.2015", "0100001", "Математика", "5А", "5", "4", ""],
    ["Смирнова Анна Олеговна", "P-002", "11.03.2015", "0100001", "Математика", "5Б", "3", "3", ""],
    ["Кузнецов Илья Андреевич", "P-003", "21.04.2015", "0100001", "Математика", "5А", "2", "3", ""],
    ["Попова Мария Игоревна", "P-004", "30.05.2015", "0100001", "Математика", "5 В", "4", "", ""],
    ["Соколов Денис Ильич", "P-005", "02.06.2015", "0100002", "Математика", "5", "4", "4", ""],
    ["Лебедева Ольга Петровна", "P-006", "12.07.2008", "0100001", "Русский язык", "11", "", "", "23"],
    ["Козлов Артём Павлович", "P-007", "22.08.2008", "0100001", "Русский язык", "11А", "", "", "81"],
    ["Новикова Дарья Юрьевна", "P-008", "02.09.2008", "0100001", "Русский язык", "11", "", "", "70,5"],
]


def _students_csv() -> bytes:
    rows = [r[:3] + r[3:] for r in STUDENTS]
    vpr = [r for r in rows if r[4] == "Математика"]
    ege = [r for r in rows if r[4] != "Математика"]
    header = STUDENTS_HEADER + ["Процедура"]
    return csv_bytes([header, *[r + ["ВПР"] for r in vpr], *[r + ["ЕГЭ"] for r in ege]], encoding="cp1251")


def test_student_rows_aggregate_to_hand_computed_counts(store):
    prepared = prepare(store, "student_results", "students.csv", _students_csv(), {"year": 2026})
    assert prepared.ok, prepared.issues.first().to_dict("records")
    frame = prepared.frame.set_index(["school_id", "procedure", "subject_id", "grade"])
    school1 = frame.loc[("0100001", "VPR", "math", 5)]
    # marks 5, 3, 2, 4 → one of each; journal: 5>4 higher, 3=3 confirmed, 2<3 lower, one unknown
    assert [school1[c] for c in ("participants", "n2", "n3", "n4", "n5")] == [4, 1, 1, 1, 1]
    assert [school1[c] for c in ("n_lower", "n_confirmed", "n_higher")] == [1, 1, 1]
    assert pd.isna(school1["mean_score"])
    school2 = frame.loc[("0100002", "VPR", "math", 5)]
    assert [school2[c] for c in ("participants", "n2", "n3", "n4", "n5", "n_confirmed")] == [1, 0, 0, 1, 0, 1]
    ege = frame.loc[("0100001", "EGE", "rus", 11)]
    # scores 23, 81, 70.5: mean 58.17 → 58.2; squared deviations 1236.7 + 521.4 + 152.1 = 1910.2,
    # / (3 − 1) = 955.1, sample SD √955.1 = 30.9; below the minimum of 24: one; 81–100: one
    assert ege["participants"] == 3 and ege["mean_score"] == 58.2 and ege["score_sd"] == 30.9
    assert (ege["n_below_min"], ege["n_high"]) == (1, 1)
    assert pd.isna(ege["n2"])
    assert set(prepared.header.personal) == {"ФИО", "Код участника", "Дата рождения"}


def test_no_personal_data_reaches_the_database(fresh):
    outcome = commit(fresh, prepare(fresh, "student_results", "students.csv", _students_csv(), {"year": 2026}),
                     "тест")
    assert outcome.outcome == "success"
    secrets = {s for row in STUDENTS for s in row[:3]} | {"Иванов", "P-001"}
    tables = fresh.query_rows("SELECT table_name, column_name FROM information_schema.columns "
                              "WHERE data_type = 'VARCHAR'")
    for table, column in tables:
        values = {v for (v,) in fresh.query_rows(f'SELECT DISTINCT "{column}" FROM "{table}"') if v}
        leaked = {s for s in secrets for v in values if s in v}
        assert not leaked, (table, column, leaked)


def test_other_kinds_import(fresh):
    lists = csv_bytes([["№", "Код ОО", "Наименование", "Категория"], [1, "0100001", "СОШ № 1", "ШНОР"],
                       [2, "0100002", "Лицей № 2", "ШНОР"]])
    risks = csv_bytes([["Код ОО", "Фактор риска", "Уровень риска"],
                       ["0100001", "Дефицит педагогических кадров", "Высокий"], ["0100001", "equipment", "низкий"]])
    mentors = csv_bytes([["Школа-наставник", "Подшефная школа", "Расстояние по дороге, км", "Дата соглашения"],
                         ["0100002", "0100001", "12,5", "01.09.2026"]])
    kpi = csv_bytes([["Показатель", "Уровень", "Код территории", "Год", "Целевое значение от", "До", "Условие"],
                     ["list_reduction", "регион", "01", 2027, "25", "30", "не менее"],
                     ["resilient_added", "регион", "01", 2027, "3", "", "не менее"]])
    teachers = csv_bytes([["Код ОО", "Этап", "Предмет", "Всего учителей", "Прошли диагностику", "Средний балл",
                           "С ИОМ", "Прошли курсы", "Консультации", "Наставничество"],
                          ["0100001", 1, "Математика", 5, 4, "61,5", 3, 2, 1, 0]])
    schools = csv_bytes([["Код школы", "Муниципалитет", "Наименование", "Тип", "Местность", "Широта", "Долгота"],
                         ["0199999", "01-01", "МБОУ «СОШ № 99»", "СОШ", "село", "56,6", "42,4"]])
    for kind, data in [("school_lists", lists), ("risk_profiles", risks), ("mentor_pairs", mentors),
                       ("kpi_targets", kpi), ("teacher_development", teachers), ("schools", schools)]:
        prepared = prepare(fresh, kind, f"{kind}.csv", data, {"year": 2027})
        assert prepared.ok, (kind, prepared.issues.first().to_dict("records"))
        assert commit(fresh, prepared, "тест").outcome == "success", kind
    assert fresh.query_rows("SELECT school_id FROM school_lists WHERE year = 2027 ORDER BY 1") == [
        ("0100001",), ("0100002",)]
    assert fresh.query_rows("SELECT factor_id, level FROM risk_profiles WHERE year = 2027 ORDER BY 1") == [
        ("equipment", "low"), ("staff_shortage", "high")]
    pair = fresh.query_rows("SELECT road_km, straight_km > 0, agreement_date::VARCHAR, source FROM mentor_pairs "
                            "WHERE year = 2027")
    assert pair == [(12.5, True, "2026-09-01", "official")]
    assert fresh.query_rows("SELECT target_id, target_low, target_high FROM kpi_targets WHERE year = 2027 "
                            "ORDER BY 1") == [("list_reduction", 0.25, 0.30), ("resilient_added", 3.0, None)]
    assert fresh.scalar("SELECT diagnostic_mean FROM teacher_development WHERE year = 2027") == 61.5
    assert fresh.query_rows("SELECT is_rural, short_name, lat FROM schools WHERE school_id = '0199999'") == [
        (True, "МБОУ «СОШ № 99»", 56.6)]


@pytest.mark.parametrize("kind", KINDS)
def test_templates_have_headers_example_and_notes_and_read_back(store, kind):
    data = template_xlsx(kind)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Данные", "Пояснения"]
    headers = [c.value for c in book["Данные"][1]]
    assert all(headers) and book["Данные"].max_row == 2
    prepared = prepare(store, kind, f"{kind}.xlsx", data)
    assert prepared.ok, prepared.issues.first().to_dict("records")


def test_command_line(fresh, tmp_path, capsys):
    good = tmp_path / "vpr.csv"
    good.write_bytes(GOOD_FILES["cp1251_semicolon_title_and_total"]())
    assert cli_main(["results", str(good), "--db", str(fresh.path), "--user", "cli", "--yes"]) == 0
    assert "загружено (№ 1)" in capsys.readouterr().out
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"%PDF-1.7 not a table")
    assert cli_main(["results", str(bad), "--db", str(fresh.path), "--user", "cli"]) == 1
    assert "PDF-документ" in capsys.readouterr().out
    assert fresh.query_rows("SELECT outcome FROM import_log ORDER BY import_id") == [("success",), ("rejected",)]
