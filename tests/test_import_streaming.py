"""The DuckDB streaming path for student-level CSV files (analytics/importer/streaming.py) gives the
same rows to store and the same error report as the pandas path, for every encoding, separator,
header synonym, odd written form and kind of error; the command line never reads the file whole."""
from __future__ import annotations

import pathlib
import random

import pandas as pd
import pytest

from analytics.importer import commit, prepare, prepare_file, streaming
from analytics.importer.__main__ import main as cli_main
from analytics.store import Store
from tests.fixtures import migrated_copy
from tests.import_files import csv_bytes
from presentation.import_report import more_text, report_frame

KIND = "student_results"
HEADER = ["Код участника", "Код школы", "Год", "Процедура", "Предмет", "Класс", "Отметка", "Отметка по журналу"]
SYNONYMS = ["Код ученика", "Код ОО", "Учебный год", "Оценочная процедура", "Учебный предмет", "Параллель", "Оценка",
            "Отметка в журнале"]
TABLES = ("schools", "results", "meta")


@pytest.fixture(scope="module")
def store(demo_db_path, tmp_path_factory):
    yield from migrated_copy(demo_db_path, tmp_path_factory.mktemp("streaming") / "db.duckdb")


@pytest.fixture
def fresh(demo_db_path, tmp_path):
    yield from migrated_copy(demo_db_path, tmp_path / "fresh.duckdb")


@pytest.fixture(scope="module")
def schools(store) -> list[str]:
    return [s for (s,) in store.query_rows("SELECT school_id FROM schools ORDER BY school_id LIMIT 12")]


def both(store, data: bytes, name: str = "pupils.csv", options: dict | None = None):
    """The same bytes through the pandas path and through the DuckDB path."""
    old = prepare(store, KIND, name, data, options, engine="pandas")
    new = prepare(store, KIND, name, data, options, engine="duckdb")
    assert (old.engine, new.engine) == ("pandas", "duckdb")
    return old, new


def same_rows(old, new) -> None:
    assert old.ok, old.issues.first().to_dict("records")
    assert new.ok, new.issues.first().to_dict("records")
    assert (new.source_rows, new.skipped_totals) == (old.source_rows, old.skipped_totals)
    assert (new.encoding, new.separator, new.header.rows) == (old.encoding, old.separator, old.header.rows)
    pd.testing.assert_frame_equal(old.frame, new.frame, check_dtype=False)
    pd.testing.assert_frame_equal(old.slices, new.slices, check_dtype=False)


def same_report(old, new) -> pd.DataFrame:
    assert not old.ok and not new.ok
    assert (new.issues.total, new.issues.codes()) == (old.issues.total, old.issues.codes())
    assert new.source_rows == old.source_rows
    report = report_frame(new)
    pd.testing.assert_frame_equal(report_frame(old), report)
    assert more_text(old) == more_text(new)
    return report


def snapshot(store: Store) -> dict:
    return {t: store.query_rows(f"SELECT count(*), coalesce(sum(hash(t::VARCHAR)), 0) FROM {t} t")[0] for t in TABLES}


# -- files ----------------------------------------------------------------------------------------
SUBJECT_FORMS = {"math": ["Математика", "математика", "МАТЕМАТИКА ", "Алгебра"], "rus": ["Русский язык", "русский"]}
GRADE_FORMS = {5: ["5", "5А", "5 класс", " 5-Б", "5 кл."], 6: ["6", "6в", "06"]}
MARK_FORMS = {2: ["2"], 3: ["3", "3,0"], 4: ["4", " 4", "+4"], 5: ["5", "5.0", "5 "]}


def vpr_rows(schools: list[str], count: int, seed: int, odd: bool = True) -> list[list]:
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        subject = rng.choice(list(SUBJECT_FORMS))
        grade = rng.choice(list(GRADE_FORMS))
        mark, journal = rng.randint(2, 5), rng.choice([None, 2, 3, 4, 5])
        pick = (lambda forms: rng.choice(forms)) if odd else (lambda forms: forms[0])
        rows.append([f"P{seed}-{i}", pick([schools[i % len(schools)], f" {schools[i % len(schools)]}"]),
                     pick(["2026", "2025/2026"]), pick(["ВПР", "впр", "VPR"]), pick(SUBJECT_FORMS[subject]),
                     pick(GRADE_FORMS[grade]), pick(MARK_FORMS[mark]),
                     "" if journal is None else pick(MARK_FORMS[journal])])
    return rows


def ege_rows(schools: list[str], count: int, seed: int) -> list[list]:
    rng = random.Random(seed)
    forms = ["70,5", "81", " 81", " 23 ", "55.0", "100", "0", "1 00", "36%", "26,25", "24", "27", "80,9"]
    return [[f"E{seed}-{i}", schools[i % 3], "2026", "ЕГЭ", rng.choice(["Русский язык", "Математика профильная"]),
             rng.choice(["11", "11А"]), "", "", rng.choice(forms)] for i in range(count)]


def ege_plain_rows(schools: list[str], count: int, seed: int) -> list[list]:
    rng = random.Random(seed)
    return [[f"G{seed}-{i}", schools[i % 4], "2026", "ЕГЭ", rng.choice(["Русский язык", "Химия"]), "11", "", "",
             rng.choice(["70,5", "81", "55.0", "100", "0", "26,25", "24", "35", "80,9", "36"])] for i in range(count)]


GOOD = {
    "utf8_ege_plain_forms": lambda s: csv_bytes([HEADER + ["Балл"], *ege_plain_rows(s, 200, 18)]),
    "utf8_semicolon_plain": lambda s: csv_bytes([HEADER, *vpr_rows(s, 400, 1, odd=False)]),
    "utf8_bom_comma_synonyms_odd_forms": lambda s: csv_bytes([SYNONYMS, *vpr_rows(s, 300, 2)], sep=",", bom=True),
    "cp1251_tab_quoted": lambda s: csv_bytes([HEADER, *vpr_rows(s, 300, 3)], sep="\t", encoding="cp1251",
                                             quote_all=True),
    "utf16_semicolon": lambda s: csv_bytes([HEADER, *vpr_rows(s, 200, 4)], encoding="utf-16"),
    "cp1251_title_blank_lines_totals_personal_ege": lambda s: csv_bytes(
        [["Результаты ВПР и ЕГЭ"], [], ["ФИО", *HEADER, "Тестовый балл"],
         *[["Иванов И.И.", *r, ""] for r in vpr_rows(s, 150, 5)], [],
         *[["Петров П.П.", *r] for r in ege_rows(s, 120, 6)],
         ["Итого", "", "", "", "", "", "", "", "", ""], ["", "Всего:", "", "", "", "", "", "", "", ""]],
        encoding="cp1251"),
}


@pytest.mark.parametrize("name", list(GOOD))
def test_the_fast_path_prepares_the_same_rows(store, schools, name):
    old, new = both(store, GOOD[name](schools))
    same_rows(old, new)


def test_year_and_procedure_from_the_page(store, schools):
    rows = [[r[0], r[1], r[4], r[5], r[6]] for r in vpr_rows(schools, 50, 7)]
    data = csv_bytes([["Код участника", "Код ОО", "Предмет", "Класс", "Отметка"], *rows])
    old, new = both(store, data, options={"year": 2025, "procedure": "OGE"})
    same_rows(old, new)
    assert new.filled_from_options == ["year", "procedure"]


def test_groups_too_big_for_packed_counters_are_counted_one_by_one(store, schools, monkeypatch):
    monkeypatch.setattr("analytics.importer.stream_pass.PACK_BITS", 2)    # groups of 4+ rows: the FILTER form
    old, new = both(store, GOOD["utf8_semicolon_plain"](schools))
    same_rows(old, new)


def test_the_fast_path_stores_the_same_rows(fresh, schools):
    data = GOOD["cp1251_title_blank_lines_totals_personal_ege"](schools)
    query = ("SELECT * FROM results WHERE year = 2026 AND procedure IN ('VPR', 'EGE') "
             "ORDER BY school_id, procedure, subject_id, grade")
    before = len(fresh.query_rows("SELECT * FROM results"))
    old, new = both(fresh, data)
    first = commit(fresh, old, "тест")
    stored_old = fresh.query_rows(query)
    second = commit(fresh, prepare(fresh, KIND, "pupils.csv", data, engine="duckdb"), "тест")
    assert (first.outcome, second.outcome) == ("success", "success")
    assert fresh.query_rows(query) == stored_old
    assert second.rows_replaced == second.rows_stored == first.rows_stored
    assert len(fresh.query_rows("SELECT * FROM results")) == before - first.rows_replaced + first.rows_stored


def test_a_cell_with_a_line_break_goes_to_the_pandas_path(store, schools):
    rows = vpr_rows(schools, 30, 8, odd=False)
    rows[3][0] = "P\nwith a break"
    data = csv_bytes([HEADER, *rows], quote_all=True)
    prepared = prepare(store, KIND, "pupils.csv", data, engine="duckdb")
    assert prepared.engine == "pandas" and prepared.ok, prepared.issues.first().to_dict("records")


# -- errors ------------------------------------------------------------------------------------------
def _bad(schools, change) -> bytes:
    rows = vpr_rows(schools, 60, 9)
    lines = [["Выгрузка ВПР 2026"], [], HEADER, *rows[:20], [], *rows[20:]]
    change(lines)
    return csv_bytes(lines, encoding="cp1251")


def _set(row: int, column: int, value):
    def change(lines):
        lines[row][column] = value
    return change


def _every(column: int, value):
    def change(lines):
        for line in lines[3:]:
            if line:
                line[column] = value
    return change


def _duplicate(lines):
    lines[40] = list(lines[10])
    lines[41] = list(lines[11])
    lines[41][3] = "впр" if lines[11][3] != "впр" else "ВПР"     # the same procedure written another way


BAD = {
    "bad_mark": (_set(30, 6, "6"), "от 2 до 5"),
    "mark_as_a_word": (_set(5, 6, "пять"), "целое число"),
    "unknown_school": (_set(12, 1, "7777777"), "не найдена"),
    "bad_grade": (_set(25, 5, "пятый"), "номер класса"),
    "grade_out_of_range": (_set(7, 5, "12"), "от 1 до 11"),
    "empty_school": (_set(8, 1, ""), "Пустое значение"),
    "empty_subject_and_grade": (lambda lines: (_set(9, 4, " ")(lines), _set(50, 5, "")(lines)), "Пустое значение"),
    "vpr_row_without_mark": (_set(44, 6, ""), "Пустое значение"),
    "duplicate_participant": (_duplicate, "встречался выше"),
    "every_school_unknown": (_every(1, "7777777"), "не найдена"),
    "bad_journal_mark_and_bad_year": (lambda lines: (_set(4, 7, "1")(lines), _set(33, 2, "2026/2028")(lines)),
                                      "от 2 до 5"),
    "totals_row_is_not_an_error": (lambda lines: (lines.append(["Итого", "", "", "", "", "", "", ""]),
                                                  _set(6, 6, "7")(lines)), "от 2 до 5"),
}


@pytest.mark.parametrize("name", list(BAD))
def test_bad_files_get_the_same_report_and_change_nothing(store, schools, name):
    change, words = BAD[name]
    data = _bad(schools, change)
    before = snapshot(store)
    old, new = both(store, data)
    report = same_report(old, new)
    text = " | ".join(" ".join(map(str, r)) for r in report.values.tolist())
    assert words in text, text
    assert (report["Файл"] == "pupils.csv").all() and report["Строка"].str.fullmatch(r"\d+").all()
    assert report["Столбец"].str.len().gt(0).all()
    assert commit(store, new, "тест").outcome == "rejected"
    assert snapshot(store) == before


def test_an_ege_score_out_of_range_and_a_bad_score(store, schools):
    rows = ege_rows(schools, 40, 10)
    rows[5][8], rows[30][8] = "101", "много"
    old, new = both(store, csv_bytes([HEADER + ["Тестовый балл"], *rows]))
    report = same_report(old, new)
    assert set(report["Строка"]) == {"7", "32"}


def test_a_missing_mark_column_is_a_file_problem(store, schools):
    rows = [r[:6] for r in vpr_rows(schools, 10, 11)]
    old, new = both(store, csv_bytes([HEADER[:6], *rows]))
    assert same_report(old, new)["Строка"].tolist() == ["весь файл"]


def test_the_report_counts_every_problem_and_shows_the_first_200(store, schools):
    rows = vpr_rows(schools, 700, 12)
    for i, row in enumerate(rows):
        row[6] = "9" if i % 2 else row[6]
        row[5] = "13" if i % 3 == 0 else row[5]
    lines = [HEADER]
    for i, row in enumerate(rows):
        lines.append(row)
        if i % 97 == 0:
            lines.append([])                      # empty lines: Excel numbers them, DuckDB skips them
    old, new = both(store, csv_bytes(lines))
    same_report(old, new)
    assert new.issues.total == 350 + 234 and len(report_frame(new)) == 200


# -- the command line and the page --------------------------------------------------------------------
def test_the_command_line_streams_the_file(fresh, schools, tmp_path, monkeypatch, capsys):
    path = tmp_path / "pupils.csv"
    path.write_bytes(GOOD["utf8_bom_comma_synonyms_odd_forms"](schools))
    expected = prepare(fresh, KIND, "pupils.csv", path.read_bytes(), engine="pandas").frame
    monkeypatch.setattr(streaming, "FAST_PATH_MIN_BYTES", 1)

    def no_whole_reads(self):
        raise AssertionError(f"read whole: {self}")
    monkeypatch.setattr(pathlib.Path, "read_bytes", no_whole_reads)
    assert cli_main([KIND, str(path), "--db", str(fresh.path), "--user", "cli", "--yes"]) == 0
    assert "загружено (№ 1)" in capsys.readouterr().out
    stored = fresh.query_df("SELECT school_id, subject_id, grade, participants, n2, n5, n_lower FROM results "
                            "WHERE year = 2026 AND procedure = 'VPR' AND grade IN (5, 6) "
                            "AND subject_id IN ('math', 'rus') AND school_id IN (SELECT unnest($s))",
                            {"s": sorted(set(expected["school_id"]))})
    merged = expected.merge(stored, on=["school_id", "subject_id", "grade"], suffixes=("", "_db"))
    assert len(merged) == len(expected)
    assert (merged["participants"] == merged["participants_db"]).all()
    assert (merged["n5"].astype(int) == merged["n5_db"]).all()


def test_auto_chooses_by_size_and_kind(store, schools, monkeypatch, tmp_path):
    data = GOOD["utf8_semicolon_plain"](schools)
    assert prepare(store, KIND, "pupils.csv", data).engine == "pandas"         # small: pandas
    monkeypatch.setattr(streaming, "FAST_PATH_MIN_BYTES", len(data))
    assert prepare(store, KIND, "pupils.csv", data).engine == "duckdb"         # large CSV: DuckDB
    path = tmp_path / "pupils.csv"
    path.write_bytes(data)
    assert prepare_file(store, KIND, path).engine == "duckdb"
    assert prepare_file(store, "results", path).engine == "pandas"              # other kinds: pandas


def test_duplicates_are_found_exactly_among_equal_hashes(store, schools):
    rows = vpr_rows(schools, 80, 13, odd=False)          # one written form per value: hashes decide
    rows.append(list(rows[5]))
    old, new = both(store, csv_bytes([HEADER, *rows]))
    assert same_report(old, new)["Строка"].tolist() == [str(len(rows) + 1)]


def test_the_same_participant_in_two_procedures_is_not_a_duplicate(store, schools):
    rows = vpr_rows(schools, 60, 14, odd=False)
    again = [[r[0], r[1], r[2], "ОГЭ", r[4], "9", r[6], ""] for r in rows]     # same code and subject
    old, new = both(store, csv_bytes([HEADER, *rows, *again]))
    same_rows(old, new)


def test_a_file_utf8_at_first_and_windows_1251_later_names_the_mixed_encoding(store, schools, monkeypatch):
    """Mixed encodings (issue #17): the streaming path hands the file to the pandas path, which names
    the problem and the first line not in UTF-8 (it used to read the file as Windows-1251: «no header»)."""
    monkeypatch.setattr(streaming, "HEAD_BYTES", 4096)     # the sniffed part is valid UTF-8
    rows = vpr_rows(schools, 200, 15, odd=False)
    data = csv_bytes([HEADER, *rows]) + csv_bytes(rows[:5], encoding="cp1251")
    old = prepare(store, KIND, "pupils.csv", data, engine="pandas")
    new = prepare(store, KIND, "pupils.csv", data, engine="duckdb")
    assert new.engine == "pandas"                            # the fallback
    for prepared in (old, new):
        report = report_frame(prepared)
        assert report["Строка"].tolist() == ["весь файл"]
        assert f"строка {len(rows) + 2} — в другой" in report["Ошибка"].iat[0]


def test_a_file_prepared_from_disk_is_checked_again_if_the_data_changed(fresh, schools, tmp_path, monkeypatch):
    monkeypatch.setattr(streaming, "FAST_PATH_MIN_BYTES", 1)
    path = tmp_path / "pupils.csv"
    path.write_bytes(GOOD["utf8_semicolon_plain"](schools))
    prepared = prepare_file(fresh, KIND, path)
    assert prepared.engine == "duckdb" and prepared.ok and prepared.data == b""
    fresh.bump_data_version()                                  # someone imported in between
    outcome = commit(fresh, prepared, "тест")
    assert outcome.outcome == "success" and outcome.rows_stored == len(prepared.frame)


def test_participant_codes_compare_as_the_pandas_path_trims_them(store, schools):
    rows = vpr_rows(schools, 40, 16, odd=False)
    for i, code in enumerate([" P-x", "'P-x", "P-x\u00a0", "P-x\t", "\u3000P-x\u2009", "P-x"]):
        rows[i * 5][0] = code
        rows[i * 5][4] = "Математика"
    old, new = both(store, csv_bytes([HEADER, *rows]))
    report = same_report(old, new)
    assert len(report) == 5 and set(report["Столбец"]) == {"Код участника"}
