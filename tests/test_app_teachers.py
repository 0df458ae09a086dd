"""The «Кадры» page under AppTest (with and without a subject) and its figure builders."""
import pandas as pd
import pytest

from analytics import teachers
from analytics.query import Query
from tests.apptest_helpers import all_text, assert_no_exception, run_page
from presentation.figures.teachers import coverage_by_group, coverage_vs_targets, deficits_chart, dynamics_chart


def open_teachers(query: dict | None = None):
    return run_page("pages/teachers.py", query=query)


def test_without_subject_shows_picker_all_sections_and_guardrail(app_env):
    app = open_teachers()
    assert app.title[0].value == "Кадры"
    picker = app.main.radio[0]
    assert picker.label == "Предмет" and picker.value == ""
    assert [h.value for h in app.main.header] == [
        "Охват педагогов и целевые показатели", "Динамика диагностики",
        "Частые предметные и методические дефициты",
        "Школы, которым нужно внимание: результаты учеников и поддержка учителей"]
    assert [m.label for m in app.metric][:3] == ["С индивидуальным маршрутом (ИОМ)", "В предметных консультациях",
                                                 "Педагоги с положительной динамикой, 2026"]
    text = all_text(app)
    assert "не предназначены для оценки отдельных учителей" in text
    assert "Сопоставление (связь), а не причина" in text
    assert "все предметы с данными о педагогах" in text
    assert len(app.dataframe) == 2


def test_picker_choice_goes_to_the_url(app_env):
    app = open_teachers()
    app.main.radio[0].set_value("math")
    app.run()
    assert_no_exception(app)
    assert app.query_params.get("tsubject") in ("math", ["math"])
    assert "«Математика»" in all_text(app)


def test_with_subject_from_the_sidebar(app_env, demo_store):
    app = open_teachers({"subject": "math"})
    assert not app.main.radio  # the sidebar's subject is used, no picker
    total = teachers.coverage(demo_store, "01", None, 2026, "math").iloc[0]
    route = app.metric[0]
    assert route.value == f"{round(total['route_share'] * 100)}\u00a0%"
    assert f"{int(total['with_route'])} из {int(total['teachers_total'])} учителей" in all_text(app)
    assert "предмет «Математика»" in all_text(app)
    attention = teachers.attention(demo_store, Query.of("01", year=2026, procedure="VPR", subject_id="math"), min_n=10)
    assert f"Школ, требующих внимания: {int(attention['attention'].sum())} из {len(attention)}." in all_text(app)


def test_subject_without_teacher_data_falls_back_to_the_picker(app_env):
    app = open_teachers({"subject": "geo"})
    assert "нет данных о педагогах" in " ".join(w.value for w in app.warning)
    assert app.main.radio[0].label == "Предмет"


def test_year_without_teacher_data(app_env):
    app = open_teachers({"year": "2021"})
    assert "Нет данных о педагогах за 2021 год" in all_text(app)


@pytest.fixture
def summary():
    return pd.DataFrame({
        "indicator": ["route_share", "consultations_share", "trained_share"], "numerator": [3, 6, 1],
        "denominator": [4, 10, 4], "share": [0.75, 0.6, 0.25], "low": [0.3, 0.3, 0.05], "high": [0.95, 0.85, 0.7],
        "target": [1.0, 0.5, float("nan")], "met": [False, True, pd.NA]})


def test_coverage_figure_colours_by_target_and_shows_counts(summary):
    figure = coverage_vs_targets(summary, {"route_share": "ИОМ"}, "T", "цель", "{numerator} из {denominator}")
    bars, targets, labels = figure.data
    assert list(bars.x) == [25, 60, 75]  # reversed: first indicator on top
    assert list(bars.marker.color) == ["#5F5F5F", "#0072B2", "#D55E00"]  # grey darkened for deuteranopes (issue #10)
    assert list(targets.x) == [50, 100]
    assert list(labels.text) == ["1 из 4", "6 из 10", "3 из 4"]


def test_group_and_dynamics_and_deficit_figures():
    groups = pd.DataFrame({"name": ["А", "Б"], "route_share": [1.0, 0.5], "route_share_low": [0.5, 0.2],
                           "route_share_high": [1.0, 0.8]})
    figure = coverage_by_group(groups, "name", ["route_share"], {}, {"route_share": 1.0}, "T", "цель")
    assert list(figure.data[0].marker.color) == ["#D55E00", "#0072B2"]
    rounds = pd.DataFrame({"label": ["2025/1", "2025/2"], "positive_share": [float("nan"), 0.5],
                           "positive_share_low": [float("nan"), 0.3], "positive_share_high": [float("nan"), 0.7],
                           "level_rose": [0, 5], "rose_base": [0, 10], "diagnostic_mean": [50.0, 55.0]})
    figure = dynamics_chart(rounds, "A", "B", 0.5, "цель 50 %", "Математика")
    names = [trace.name for trace in figure.data]
    assert "Математика" in names and "цель 50 %" in names
    line = next(tr for tr in figure.data if tr.name == "Математика" and tr.mode == "lines+markers")
    assert list(line.y) == [50.0]  # the round without a previous one has no share
    topics = pd.DataFrame({"name_ru": ["Т1", "Т2"], "share": [0.5, 0.25], "teachers_with_deficit": [4, 2],
                           "diagnosed": [8, 8], "subject_ru": ["М", "М"]})
    figure = deficits_chart(topics, "T", "{numerator} из {denominator}", subject_column="subject_ru")
    assert list(figure.data[0].text) == ["2 из 8", "4 из 8"]
