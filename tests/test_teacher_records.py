"""Validation of teacher-development records by the importer (kind ``teacher_development``), with the
headers of regional forms. These cases were written for ``analytics/teacher_records.py``, a second
validator nothing but tests used (issue #22): they now test the one validator, with its codes
(not_integer / unknown_subject → bad_value, negative / bad_round → out_of_range, duplicate →
duplicate_key) and its all-or-nothing rule (a file with a problem stores no row, rather than its
good rows only)."""
from __future__ import annotations

import pandas as pd
import pytest

from analytics.importer import prepare
from tests.fixtures import migrated_copy
from tests.import_files import csv_bytes

KIND = "teacher_development"
HEADER = ["Код ОО", "Год", "Этап", "Предмет", "Всего учителей", "Прошли диагностику", "Средний балл диагностики",
          "Уровень повысился", "С ИОМ", "Прошли курсы", "В консультациях", "В наставничестве"]


@pytest.fixture(scope="module")
def store(demo_db_path, tmp_path_factory):
    yield from migrated_copy(demo_db_path, tmp_path_factory.mktemp("teacher_records") / "db.duckdb")


@pytest.fixture(scope="module")
def schools(store):
    return [code for (code,) in store.query_rows("SELECT school_id FROM schools ORDER BY school_id LIMIT 4")]


def _prepare(store, rows, header=HEADER):
    return prepare(store, KIND, "teachers.csv", csv_bytes([header, *rows]))


def _found(prepared) -> set[tuple]:
    report = prepared.issues.first()
    names = {title: name for name, title in prepared.header.titles.items()}
    return {(int(row), names[column], code) for row, column, code in zip(report["row"], report["column"],
                                                                         report["code"])}


def test_good_rows_parse_with_russian_headers_leading_zeros_and_decimal_commas(store, schools):
    first, second = schools[:2]
    assert first.startswith("0")
    prepared = _prepare(store, [
        [first, "2026", "2", "math", "4", "4", "61,5", "3", "4", "2", "3", "1"],
        [second, "2026", "1", "rus", "3", "3", "", "", "3", "0", "0", "0"],
    ])
    assert prepared.ok, prepared.issues.first()
    assert set(prepared.header.titles) >= {"teachers_level_rose", "teachers_in_consultations"}
    clean = prepared.frame
    assert clean["school_id"].tolist() == [first, second]
    assert clean.loc[0, "diagnostic_mean"] == 61.5 and pd.isna(clean.loc[1, "diagnostic_mean"])
    assert pd.isna(clean.loc[1, "teachers_level_rose"]) and clean.loc[0, "teachers_with_route"] == 4


def test_bad_rows_are_reported_and_the_file_stores_nothing(store, schools):
    a, b, c, d = schools
    prepared = _prepare(store, [
        [a, "2026", "5", "math", "4", "5", "50", "1", "4", "0", "0", "0"],     # round 5, 5 diagnosed of 4
        [b, "2026", "1", "math", "2", "2", "120", "3", "x", "0", "0", "0"],    # score, rose > diagnosed, text
        [c, "2026", "1", "astro", "2", "2", "50", "", "-1", "0", "0", "0"],   # unknown subject, negative
        [d, "2026", "1", "math", "2", "2", "50", "", "2", "0", "0", "0"],     # good
        [d, "2026", "1", "math", "2", "2", "50", "", "2", "0", "0", "0"],     # duplicate
    ])
    assert {(2, "round", "out_of_range"), (2, "teachers_diagnosed", "exceeds_total"),
            (3, "diagnostic_mean", "out_of_range"), (3, "teachers_level_rose", "exceeds_diagnosed"),
            (3, "teachers_with_route", "bad_value"), (4, "subject_id", "bad_value"),
            (4, "teachers_with_route", "out_of_range"), (6, "school_id", "duplicate_key")} <= _found(prepared)
    assert not prepared.ok and prepared.frame is None


def test_missing_columns_reject_the_file(store, schools):
    prepared = _prepare(store, [[schools[0], "2026"]], header=["Код ОО", "Год"])
    assert prepared.frame is None and not prepared.issues.frames
    assert {code for code, _ in prepared.issues.file_level} == {"missing_column"}
    missing = {params["column"] for _, params in prepared.issues.file_level}
    assert prepared.spec.column("teachers_total").title in missing
