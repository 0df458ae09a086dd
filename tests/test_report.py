"""The analytic report: plural forms, the model's numbers against the analytics functions,
the DOCX read back with python-docx (headings, tables, images), the CLI, and the page."""
from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys

import pytest
from docx import Document

from analytics import completion, overview, targets
from analytics.identification import load_params
from presentation.report import charts, content, docx as report_docx, make_report
from presentation.report.model import Figure, Heading, Report, Table
from tests.apptest_helpers import all_text, rerun, run_page
from tests.conftest import PROJECT_ROOT, TODAY
from presentation import fmt

YEAR = 2026


# -- plural forms ------------------------------------------------------------------------------------
@pytest.mark.parametrize("value, expected", [
    (0, "0\u00a0школ"), (1, "1\u00a0школа"), (2, "2\u00a0школы"), (4, "4\u00a0школы"), (5, "5\u00a0школ"),
    (11, "11\u00a0школ"), (12, "12\u00a0школ"), (14, "14\u00a0школ"), (21, "21\u00a0школа"),
    (22, "22\u00a0школы"), (25, "25\u00a0школ"), (101, "101\u00a0школа"), (111, "111\u00a0школ"),
    (112, "112\u00a0школ"), (1234, "1\u00a0234\u00a0школы"), (-1, "−1\u00a0школа".replace("−", "-")),
])
def test_russian_plural_of_school(value, expected):
    assert fmt.count(value, "школа|школы|школ", "ru") == expected


@pytest.mark.parametrize("value, forms, language, expected", [
    (2.5, "школа|школы|школ", "ru", "школы"),          # fractions take the «few» form
    (1, "вошла|вошли|вошли", "ru", "вошла"),
    (5, "вошла|вошли|вошли", "ru", "вошли"),
    (1, "school|schools", "en", "school"),
    (0, "school|schools", "en", "schools"),
    (3, "school|schools", "en", "schools"),
    (7, ("год", "года", "лет"), "ru", "лет"),
    (3, "year", "ru", "year"),                        # a single form is repeated
    (float("nan"), "школа|школы|школ", "ru", "школ"),
])
def test_plural_forms(value, forms, language, expected):
    assert fmt.plural(value, forms, language) == expected


def test_lower_first_keeps_abbreviations():
    assert content.lower_first("Русский язык") == "русский язык"
    assert content.lower_first("ИОМ и курсы") == "ИОМ и курсы"
    assert content.lower_first("Subject", "en") == "Subject"


# -- the report model against the analytics functions ------------------------------------------------
@pytest.fixture(scope="module")
def region_report(demo_store) -> Report:
    return content.build(demo_store, "01", YEAR, as_of=TODAY, created=TODAY)


def _table(report: Report, caption_start: str) -> Table:
    return next(b for b in report.of_type(Table) if b.caption.startswith(caption_start))


def test_region_report_sections(region_report):
    headings = [h.text for h in region_report.of_type(Heading)]
    assert headings == ["1. Общие сведения", "2. Перечень школ и его динамика", "3. Результаты оценочных процедур",
                        "4. Рисковые профили", "5. Исполнение дорожных карт", "6. Наставничество", "7. Кадры",
                        "8. Целевые показатели", "9. Мониторинг вовлеченности", "10. Помогла ли поддержка", "11. Выводы"]
    assert region_report.subtitle[0] == "Демонстрационная область, 2026 год"
    assert "22.11.2026" in region_report.subtitle[1]


def test_list_sentence_matches_list_change_and_target(demo_store, region_report):
    change = overview.list_change(demo_store, "01", None, YEAR).iloc[0]
    summary = targets.summary(demo_store, "01", None, YEAR, TODAY, load_params()).set_index("target_id")
    before, now = int(change["previous"]), int(change["schools"])
    relative = fmt.percent((before - now) / before)
    texts = [b.text for b in region_report.blocks if hasattr(b, "text")]
    sentence = next(x for x in texts if x.startswith("Число школ в перечне ШНОР"))
    assert f"с {before} в {YEAR - 1} г. до {now} в {YEAR} г." in sentence
    assert f"на {relative} при целевом значении 25–30\u00a0%" in sentence
    status = summary.at["list_reduction", "status"]
    assert {"at_risk": "под угрозой", "achieved": "достигнуто", "not_achieved": "не достигнуто"}[status] in sentence


def test_targets_table_has_every_target_with_its_actual(demo_store, region_report):
    summary = targets.summary(demo_store, "01", None, YEAR, TODAY, load_params())
    table = _table(region_report, "Целевые показатели")
    assert len(table.rows) == len(summary) == len(targets.TARGETS)
    by_name = {row[0]: row for row in table.rows}
    row = by_name["Сокращение перечня ШНОР за год"]
    reduction = summary.set_index("target_id").loc["list_reduction"]
    assert row[2] == fmt.percent(reduction["actual"])
    assert row[3] == f"{int(reduction['numerator'])} / {int(reduction['denominator'])}"
    execution = summary.set_index("target_id").loc["roadmap_execution"]
    assert by_name["Исполнение дорожных карт (по мероприятиям)"][2] == fmt.percent(execution["actual"])
    assert table.statuses == summary["status"].tolist()


def test_roadmap_sentence_matches_completion(demo_store, region_report):
    plan = completion.year_completion(demo_store, "01", None, YEAR, TODAY).iloc[0]
    texts = [b.text for b in region_report.blocks if hasattr(b, "text")]
    sentence = next(x for x in texts if x.startswith("На 22.11.2026 выполнено"))
    assert f"выполнено {fmt.number(plan['done'])} из {fmt.number(plan['planned'])} мероприятий" in sentence
    assert fmt.percent(plan["share_of_plan"]) in sentence


def test_municipality_table_adds_up(demo_store, region_report):
    table = _table(region_report, "Школы и перечень ШНОР")
    frame = overview.by_municipality(demo_store, "01", None, YEAR)
    assert len(table.rows) == len(frame) + 1
    total = table.rows[-1]
    assert total[0] == "Итого"
    assert total[1] == fmt.number(frame["schools"].sum())
    assert total[4] == fmt.number(frame["listed"].sum())


def test_municipality_and_school_reports(demo_store):
    municipal = content.build(demo_store, "01", YEAR, municipality_id="01-04", as_of=TODAY, created=TODAY)
    assert municipal.subtitle[0].startswith("Алексеевский")
    assert not any(t.caption.startswith("Школы и перечень ШНОР") for t in municipal.of_type(Table))
    school_id = demo_store.scalar("SELECT min(school_id) FROM school_lists WHERE year = 2026 AND category = 'low_results'")
    school = content.build(demo_store, "01", YEAR, school_id=school_id, as_of=TODAY, created=TODAY)
    headings = [h.text for h in school.of_type(Heading)]
    assert headings[1] == "2. Результаты оценочных процедур по предметам" and headings[-1] == "6. Выводы"
    card = _table(school, "Сведения о школе")
    assert ["Код", school_id] in card.rows
    with pytest.raises(ValueError):
        content.build(demo_store, "01", YEAR, school_id="no-such-school", as_of=TODAY)


# -- DOCX --------------------------------------------------------------------------------------------------
def test_region_docx_read_back_with_images(demo_store):
    built = make_report(demo_store, "01", YEAR, as_of=TODAY)
    document = Document(io.BytesIO(built.data))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[0] == "1. Общие сведения" and headings[-1] == "11. Выводы" and len(headings) == 11
    figures = built.report.of_type(Figure)
    assert built.images == len(figures) >= 5
    assert len(document.inline_shapes) == len(figures)
    # The targets table: header, then one row per target with the status in the last cell.
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Показатель"
                 and t.rows[0].cells[-1].text == "Статус")
    summary = targets.summary(demo_store, "01", None, YEAR, TODAY, load_params())
    assert len(table.rows) == len(summary) + 1
    first = summary.iloc[0]
    assert table.rows[1].cells[2].text == fmt.percent(first["actual"])
    assert "Таблица 1. Школы и перечень ШНОР 2026 г. по муниципалитетам" in [p.text for p in document.paragraphs]


def test_docx_without_browser_has_a_note(demo_store, monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    assert charts.browser_path() is None
    built = make_report(demo_store, "01", YEAR, municipality_id="01-04", as_of=TODAY)
    document = Document(io.BytesIO(built.data))
    assert built.images == 0 and len(document.inline_shapes) == 0
    texts = [p.text for p in document.paragraphs]
    assert any("Диаграммы не построены" in x for x in texts)
    assert any(x.startswith("[Рисунок «") for x in texts)


def test_render_without_figures_needs_no_browser():
    report = Report("Заголовок", ["строка"])
    report.add(Heading("1. Раздел"))
    assert charts.render_all(report, browser="/nonexistent") is True
    document = Document(io.BytesIO(report_docx.render(report)))
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 1"] == ["1. Раздел"]


def test_cli_writes_a_file(writable_db_path, tmp_path):
    out = tmp_path / "school.docx"
    school_id = "0100083"
    result = subprocess.run(
        [sys.executable, "-m", "presentation.report", "--region", "01", "--school", school_id, "--year", "2026",
         "--out", str(out), "--db", str(writable_db_path), "--no-charts"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "SHNOR_TODAY": "2026-11-22"},
        timeout=120)
    assert result.returncode == 0, result.stderr
    document = Document(str(out))
    assert document.paragraphs[0].text == "Аналитическая справка по школе"
    bad = subprocess.run(
        [sys.executable, "-m", "presentation.report", "--region", "01", "--municipality", "99-99", "--year", "2026",
         "--out", str(tmp_path / "x.docx"), "--db", str(writable_db_path), "--no-charts"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"}, timeout=120)
    assert bad.returncode == 2 and "99-99" in bad.stderr and not (tmp_path / "x.docx").exists()


# -- the page ----------------------------------------------------------------------------------------------
def test_report_page_renders(app_env):
    app = run_page("pages/report.py")
    assert app.main.title[0].value == "Отчёт"
    radio = app.main.radio[0]
    assert radio.options == ["Регион", "Школа"]
    assert not app.main.get("download_button")


def test_report_page_builds_a_school_report(app_env):
    app = run_page("pages/report.py", query={"municipality": "01-02", "report_level": "school", "school": "0100083"})
    assert app.main.radio[0].value == "school"
    assert app.main.selectbox[0].value == "0100083"
    app.main.button(key="report_build").click()
    rerun(app)
    assert "Справка готова" in all_text(app)
    downloads = app.main.get("download_button")
    assert len(downloads) == 1
