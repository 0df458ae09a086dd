"""Values that cannot be true are refused (issue #17): a results year after the current year or before
the procedure existed, a mentor agreement dated in the future — on both reading paths."""
from __future__ import annotations

import pytest

from analytics.importer import prepare
from tests.fixtures import migrated_copy
from tests.import_files import csv_bytes
from presentation.import_report import report_frame

HEADER = ["Код ОО", "Год", "Процедура", "Предмет", "Класс", "Участников", "«2»", "«3»", "«4»", "«5»"]


@pytest.fixture(scope="module")
def store(demo_db_path, tmp_path_factory):
    yield from migrated_copy(demo_db_path, tmp_path_factory.mktemp("guards") / "db.duckdb")


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setenv("SHNOR_TODAY", "2026-11-22")


def _report(prepared) -> list[tuple[str, str]]:
    report = report_frame(prepared)
    return list(zip(report["Строка"], report["Ошибка"]))


def test_results_years_that_cannot_be_true_are_refused(store):
    data = csv_bytes([HEADER, ["0100001", 2027, "ВПР", "Математика", 5, 10, 1, 2, 3, 4],
                      ["0100001", 2014, "ВПР", "Математика", 6, 10, 1, 2, 3, 4],
                      ["0100001", 2014, "ОГЭ", "Математика", 9, 10, 1, 2, 3, 4],
                      ["0100001", 2026, "ВПР", "Математика", 7, 10, 1, 2, 3, 4]])
    prepared = prepare(store, "results", "f.csv", data)
    assert not prepared.ok
    assert _report(prepared) == [
        ("2", "Год 2027 ещё не наступил: результаты не могут быть из будущего (сейчас 2026 год)."),
        ("3", "В 2014 году этой процедуры ещё не было (впервые — в 2015 году).")]


def test_a_year_from_the_page_is_checked_too(store):
    data = csv_bytes([[h for h in HEADER if h != "Год"], ["0100001", "ВПР", "Математика", 5, 10, 1, 2, 3, 4]])
    prepared = prepare(store, "results", "f.csv", data, {"year": 2030})
    assert [code for code in prepared.issues.codes()] == ["year_future"]


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_student_files_from_the_future_are_refused_on_both_paths(store, engine):
    data = csv_bytes([["Код ОО", "Год", "Процедура", "Предмет", "Класс", "Отметка"],
                      *[["0100001", 2028, "ВПР", "Математика", "5А", m] for m in (2, 3, 4)]])
    prepared = prepare(store, "student_results", "p.csv", data, engine=engine)
    assert not prepared.ok and prepared.engine == engine
    assert "2028" in " ".join(report_frame(prepared)["Ошибка"])


def test_a_mentor_agreement_dated_in_the_future_is_refused(store):
    data = csv_bytes([["Год", "Школа-наставник", "Подшефная школа", "Дата соглашения"],
                      [2026, "0100002", "0100001", "01.09.2026"], [2026, "0100003", "0100004", "01.12.2026"]])
    prepared = prepare(store, "mentor_pairs", "p.csv", data)
    assert _report(prepared) == [("3", "Дата соглашения ещё не наступила (сегодня 22.11.2026).")]
