"""Reading roadmaps from DOCX, XLSX and text documents that the tests build themselves."""
import datetime as dt
import json
import subprocess
import sys

import pytest

from analytics.roadmap_import import RoadmapImportError, parse_document
from analytics.roadmap_import.__main__ import main
from analytics.roadmap_import.executors import split_executors
from analytics.roadmap_import.period import period_in
from tests.conftest import PROJECT_ROOT
from tests.roadmap_fixtures import TITLE_DOCX, docx_roadmap, docx_without_table, text_roadmap, xlsx_roadmap


def by_number(parsed):
    return {m.number: m for m in parsed.measures}


def test_docx_two_row_header_sections_subsections_and_page_break():
    parsed = parse_document(docx_roadmap(), "карта.docx")
    assert parsed.title == TITLE_DOCX
    assert (parsed.period.start, parsed.period.end) == (dt.date(2021, 1, 1), dt.date(2024, 12, 31))
    measures = by_number(parsed)
    assert list(measures) == ["1.1", "2.1.1", "2.1.2", "2.2"]
    assert measures["1.1"].section == "Организационные мероприятия"
    assert measures["1.1"].executors == ["Министерство", "МОУО"]      # both sub-columns of «исполнитель»
    assert measures["1.1"].schedule.due_dates == [dt.date(2021, 2, 1)]
    glued = measures["2.1.1"]
    assert glued.title == "Курсы для учителей математики и русского языка"
    assert glued.section == "Методическая поддержка / Курсы повышения квалификации"
    assert glued.executors == ["ИРО", "РМО"]
    assert glued.schedule.kind == "period"
    assert glued.schedule.due_dates == [dt.date(2021, 11, 30), dt.date(2022, 11, 30)]
    assert glued.indicator == "Удостоверения; Примечание: в плане ИРО"   # the extra column is kept
    assert measures["2.1.2"].schedule.due_dates == [dt.date(y, 12, 31) for y in range(2021, 2025)]
    assert measures["2.2"].section == "Методическая поддержка"
    assert measures["2.2"].executors == ["ИМЦ", "РОО"]
    assert measures["2.2"].schedule.kind == "continuous"
    assert any("Примечание" in w for w in parsed.warnings)


def test_xlsx_restarting_numbers_title_row_and_missing_indicator():
    parsed = parse_document(xlsx_roadmap(), "plan.xlsx")
    assert parsed.title.startswith("План мероприятий")
    assert (parsed.period.start, parsed.period.end) == (dt.date(2020, 9, 1), dt.date(2021, 8, 31))
    measures = by_number(parsed)
    assert list(measures) == ["1.1", "1.2", "2.1", "2.2"]
    assert [m.section for m in parsed.measures] == ["Организационные мероприятия"] * 2 + ["Работа с педагогами"] * 2
    assert all(m.indicator is None for m in parsed.measures)
    assert measures["1.1"].deadline_text == "15.10.2020"
    assert measures["1.1"].schedule.due_dates == [dt.date(2020, 10, 15)]
    assert measures["1.2"].schedule.due_dates == [dt.date(2021, 8, 31)]     # «Август» in the school year
    assert measures["1.2"].executors == ["ЦОКО", "ИМЦ"]
    assert measures["2.1"].schedule.recurrence == "monthly"
    assert len(measures["2.1"].schedule.due_dates) == 12
    assert measures["2.2"].schedule.kind == "unspecified"
    assert any("нумерация" in w for w in parsed.warnings)
    assert any(w.startswith("№ 2.2:") for w in parsed.all_warnings())


def test_text_repeated_headers_paragraph_sections_and_continuation():
    parsed = parse_document(text_roadmap(), "карта.txt")
    assert parsed.title == "План-график «дорожная карта» работы со школами с низкими образовательными " \
                           "результатами в 2023 году"
    assert parsed.period.start == dt.date(2023, 1, 1)
    measures = by_number(parsed)
    assert list(measures) == ["1.1", "1.2", "2.1", "2.2", "2.3"]
    assert measures["1.1"].section == "Мониторинг"                      # «Задачи: …» cut off
    assert measures["2.1"].section == "Методическое сопровождение"       # not «Развитие системы…»
    assert measures["1.2"].executors == ["ЦОКО", "ИМЦ"]
    assert measures["1.2"].schedule.due_dates == [dt.date(2023, 6, 30), dt.date(2023, 11, 30)]
    assert measures["2.1"].schedule.recurrence == "weekly"
    assert measures["2.1"].schedule.due_dates[0] == dt.date(2023, 1, 3)  # a Tuesday
    assert measures["2.1"].indicator is None
    glued = measures["2.2"]
    assert glued.title == "Семинар по результатам ВПР"
    assert glued.deadline_text == "апрель-май"
    assert glued.schedule.start == dt.date(2023, 4, 1) and glued.schedule.due_dates == [dt.date(2023, 5, 31)]
    assert glued.indicator == "Программа семинара"
    assert measures["2.3"].schedule.kind == "unspecified"


def test_default_year_is_used_only_without_a_period_in_the_title():
    text = "№\tМероприятие\tСрок\tОтветственные\n1\tСовещание\tмарт\tРОО\n".encode("utf-8")
    parsed = parse_document(text, "без_названия.txt", default_year=2025)
    assert (parsed.period.start, parsed.period.end) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert parsed.measures[0].schedule.due_dates == [dt.date(2025, 3, 31)]
    assert parsed.title == "без_названия"
    assert parse_document(text_roadmap(), "x.txt", default_year=2025).period.start.year == 2023


@pytest.mark.parametrize("text, expected", [
    ("Дорожная карта на период 2021-2023 гг.", ("2021-01-01", "2023-12-31")),
    ("План мероприятий в 2023 году", ("2023-01-01", "2023-12-31")),
    ("План на 2020/2021 учебный год", ("2020-09-01", "2021-08-31")),
    ("Комплекс мер на 2021-2024 годы", ("2021-01-01", "2024-12-31")),
    ("План без периода", None),
])
def test_period_from_the_title(text, expected):
    found = period_in(text)
    assert (found and (found.start.isoformat(), found.end.isoformat())) == expected


def test_executors_split():
    assert split_executors("Региональный координатор Муниципальные координаторы Руководители школ") == [
        "Региональный координатор", "Муниципальные координаторы", "Руководители школ"]
    assert split_executors("Министерство образования Калининградской области") == [
        "Министерство образования Калининградской области"]
    assert split_executors("РОО, ИМЦ\nРЦОКО") == ["РОО", "ИМЦ", "РЦОКО"]
    assert split_executors("") == []


def test_document_without_a_table_is_rejected():
    with pytest.raises(RoadmapImportError, match="не найдена таблица"):
        parse_document(docx_without_table(), "пусто.docx")


def test_command_prints_json(tmp_path, capsys):
    path = tmp_path / "карта.docx"
    path.write_bytes(docx_roadmap())
    assert main([str(path)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"title", "period_start", "period_end", "period_source", "period_guessed", "measures",
                           "warnings", "unresolved"}
    assert (result["period_start"], result["period_end"], result["period_guessed"]) == ("2021-01-01", "2024-12-31",
                                                                                        False)
    numbers = [m["number"] for m in result["measures"]]
    assert len(numbers) == len(set(numbers)) == 4
    first = result["measures"][0]
    assert first == {"number": "1.1", "section": "Организационные мероприятия", "title": "Назначение координаторов",
                     "executors": ["Министерство", "МОУО"], "executor_levels": ["region", "municipality"],
                     "deadline_text": "до 01.02.2021", "kind": "dates", "start": None, "due_dates": ["2021-02-01"],
                     "recurrence": None, "indicator": "Приказ", "risk_factors": [],
                     "source": "1.1 | Назначение координаторов | до 01.02.2021 | Министерство | МОУО | Приказ",
                     "unknown_executors": [], "schools": [], "school_ids": [], "issues": []}
    assert result["unresolved"] == []


def test_command_exits_2_on_a_table_less_file(tmp_path):
    empty = tmp_path / "пусто.docx"
    empty.write_bytes(docx_without_table())
    run = subprocess.run([sys.executable, "-m", "analytics.roadmap_import", str(empty)], cwd=PROJECT_ROOT,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2, run.stderr
    assert run.stdout == ""
    assert "не найдена таблица дорожной карты" in run.stderr


def test_command_exits_2_on_an_unreadable_or_missing_file(tmp_path, capsys):
    broken = tmp_path / "битый.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    legacy = tmp_path / "старый.doc"
    legacy.write_bytes(b"\xd0\xcf\x11\xe0 old word")
    for path, message in ((broken, "Не удалось прочитать файл"), (legacy, "не поддерживается"),
                          (tmp_path / "нет_такого.docx", "Не удалось открыть файл")):
        assert main([str(path)]) == 2
        captured = capsys.readouterr()
        assert captured.out == ""
        assert message in captured.err
