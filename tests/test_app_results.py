"""The «Результаты» page under AppTest (plotly charts are opaque: builders are tested directly)."""
import pandas as pd
import pytest

from tests.apptest_helpers import all_text, assert_no_exception, new_app, query_value
from presentation.figures import results as figures

PAGE = "pages/results.py"


def run_page(page: str, query: dict | None = None, session: dict | None = None):
    """Run once (registers the navigation's url paths), then switch to the page and run it."""
    app = new_app(query)
    for key, value in (session or {}).items():
        app.session_state[key] = value
    app.run()
    app.switch_page(page)
    app.run()
    assert_no_exception(app)
    return app


@pytest.mark.parametrize("procedure, indicator_label", [
    ("VPR", "Качество знаний"), ("OGE", "Качество знаний"), ("EGE", "Средний тестовый балл")])
def test_page_renders_for_each_procedure(app_env, procedure, indicator_label):
    app = run_page(PAGE, query={"procedure": procedure, "results_tab": "schools"})
    assert app.title[0].value == "Результаты"
    box = app.selectbox(key="results_indicator")
    assert box.label == "Показатель"
    assert box.format_func(box.value) == indicator_label
    text = all_text(app)
    assert "Школы: значение, изменение, уровень" in text
    assert len(app.dataframe) >= 1
    table = app.dataframe[0].value
    assert {"Школа", "Участников", "Значение", "Изменение", "Уровень"} <= set(table.columns)
    assert len(table) > 300   # every school of the region with results this year
    assert query_value(app, "indicator") == box.value
    assert ("Объективность ВПР" in [t.label for t in app.tabs]) == (procedure == "VPR")


def test_subject_filter_changes_the_content(app_env):
    every = run_page(PAGE, query={"procedure": "VPR", "indicator": "share2", "results_tab": "schools"})
    math = run_page(PAGE, query={"procedure": "VPR", "indicator": "share2", "subject": "math", "grade": "5",
                                 "results_tab": "schools"})
    assert "Все предметы вместе" in all_text(every)
    assert "Все предметы вместе" not in all_text(math)
    assert "математика" in all_text(math).lower()
    values_all = every.dataframe[0].value["Значение"].tolist()
    values_math = math.dataframe[0].value["Значение"].tolist()
    assert values_all != values_math


def test_selected_school_from_the_url_opens_the_detail_panel(app_env, demo_store):
    school = demo_store.scalar("SELECT school_id FROM schools ORDER BY school_id LIMIT 1")
    short = demo_store.scalar("SELECT short_name FROM schools WHERE school_id = ?", [school])
    app = run_page(PAGE, query={"procedure": "OGE", "subject": "math", "indicator": "share2", "school": school})
    assert f"Школа: {short}" in all_text(app)
    detail = app.dataframe[-1].value
    assert detail["Кто"].tolist()[0] == short
    assert {"Регион", "Похожие школы"} <= set(detail["Кто"])
    assert query_value(app, "school") == school


def test_unknown_school_and_empty_selection_are_said_in_words(app_env):
    app = run_page(PAGE, query={"school": "nope", "procedure": "VPR"})
    assert "не найдена" in all_text(app)
    # ЕГЭ has no grade 5: no results for this slice
    app = run_page(PAGE, query={"procedure": "EGE"}, session={"filter_grade": 5})
    assert "Результаты" == app.title[0].value


def test_indicator_without_direction_has_no_levels(app_env):
    app = run_page(PAGE, query={"procedure": "VPR", "indicator": "vpr_lower", "results_tab": "schools"})
    assert "нет направления" in all_text(app)


def test_builders():
    series = pd.DataFrame({"who": ["region"] * 3 + ["school"] * 3, "year": [2024, 2025, 2026] * 2,
                           "n": [1000, 1000, 1000, 8, 12, 12], "value": [0.5, 0.52, 0.55, 0.3, 0.4, 0.45],
                           "ci_low": [0.48, 0.5, 0.53, 0.1, 0.2, 0.25], "ci_high": [0.52, 0.54, 0.57, 0.6, 0.6, 0.65],
                           "enough": [True, True, True, False, True, True]})
    figure = figures.trend_lines(series, {"region": "Регион", "school": "Ш"}, "t", "y", True)
    names = [trace.name for trace in figure.data if trace.showlegend is not False]
    assert names == ["Регион", "Ш"]
    hollow = [trace for trace in figure.data if trace.mode == "markers"]
    assert len(hollow) == 1 and list(hollow[0].x) == [2024]
    graded = pd.DataFrame({"school_id": ["a", "b", "c"], "short_name": ["A", "B", "C"], "value": [0.2, 0.5, 0.8],
                           "delta": [-0.1, 0.0, 0.1], "level": [1.0, 3.0, float("nan")], "n": [30, 40, 50]})
    grid = figures.status_change_grid(graded, {i: str(i) for i in range(1, 6)}, "t", "x", "y", True,
                                      (0.3, 0.4, 0.5, 0.6), (-0.05, -0.01, 0.01, 0.05), selected="b")
    points = sum(len(trace.x) for trace in grid.data if trace.showlegend is not False)
    assert points == 2   # the school without a level is not drawn
    assert any(trace.text == ("B",) for trace in grid.data)   # the selected school is ringed
    counts = pd.DataFrame({"year": [2025, 2026], "n2": [1, 0], "n3": [1, 0], "n4": [1, 0], "n5": [1, 0]})
    bars = figures.mark_distribution(counts, {"n2": "2", "n3": "3", "n4": "4", "n5": "5"},
                                     {"n2": "#000", "n3": "#111", "n4": "#222", "n5": "#333"}, "t")
    assert list(bars.data[0].y)[0] == pytest.approx(25)


def test_the_status_change_grid_is_the_same_whatever_the_row_order():
    """Processes of the served mode got the rows in another order and drew the same schools in
    another order: the chart is drawn in school order."""
    graded = pd.DataFrame({"school_id": ["c", "a", "d", "b"], "short_name": ["C", "A", "D", "B"],
                           "value": [0.8, 0.2, 0.4, 0.5], "delta": [0.1, -0.1, 0.02, 0.0],
                           "level": [3.0, 3.0, 3.0, 1.0], "n": [50, 30, 20, 40]})
    draw = lambda frame: figures.status_change_grid(frame, {i: str(i) for i in range(1, 6)}, "t", "x", "y", True,
                                                    (0.3, 0.4, 0.5, 0.6), (-0.05, -0.01, 0.01, 0.05)).to_json()
    assert draw(graded) == draw(graded.iloc[::-1]) == draw(graded.sample(frac=1, random_state=3))
