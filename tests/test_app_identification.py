"""The schools and targets pages under AppTest (charts are tested through their builders)."""
import pandas as pd
from streamlit.testing.v1 import AppTest

from tests.apptest_helpers import all_text, assert_no_exception, new_app, query_value
from presentation.figures.identification import list_sankey, targets_chart


def open_page(script: str, query: dict | None = None) -> AppTest:
    # A fresh server resolves a deep link through Streamlit's pages/ folder before app.py has
    # called st.navigation, so run the default page once, then switch.
    app = new_app(query, timeout=120)
    app.run()
    app.switch_page(script)
    app.run()
    assert_no_exception(app)
    return app


def test_schools_page_with_a_school_in_the_url(app_env, demo_store):
    school_id, name = demo_store.query_rows(
        "SELECT school_id, name FROM schools JOIN school_lists USING (school_id) "
        "WHERE year = 2026 AND category = 'low_results' ORDER BY school_id LIMIT 1")[0]
    app = open_page("pages/schools.py", {"school": school_id})
    assert app.title[0].value == "Школы"
    assert name in [s.value for s in app.subheader]
    assert "Официальные перечни: Низкие результаты (ШНОР)" in all_text(app)
    assert query_value(app, "school") == school_id
    assert len(app.dataframe) >= 1
    compared = open_page("pages/schools.py", {"school": school_id, "schools_tab": "compare"})
    assert [m.label for m in compared.metric][:3] == ["В обоих", "Только в официальном", "Только в расчётном"]
    assert query_value(compared, "school") == school_id     # the list's choice stays in the URL meanwhile


def test_what_if_changes_the_list(app_env):
    app = open_page("pages/schools.py", {"schools_tab": "whatif"})
    app.slider(key="whatif_bottom").set_value(20).run()
    assert_no_exception(app)
    metrics = {m.label: m.value for m in app.metric}
    assert int(metrics["Войдут"]) > 0
    assert int(metrics["С новыми параметрами"]) > int(metrics["По текущим настройкам"])


def test_targets_page_drills_down(app_env):
    app = open_page("pages/targets.py", {"target": "leave_list"})
    assert app.title[0].value == "Целевые показатели"
    assert "Достигнуто" in all_text(app)
    table = app.dataframe[0].value
    assert len(table) == 13 and "✔ достигнуто" in set(table["Статус"]) | {"✔ достигнуто"}
    assert app.selectbox(key="targets_drill").value == "leave_list"
    assert "Школы, вышедшие из перечня:" in all_text(app)


def test_figure_builders():
    links = pd.DataFrame({"source_year": [2025, 2025, 2025], "source_state": ["in", "in", "out"],
                          "target_year": [2026] * 3, "target_state": ["in", "out", "in"], "schools": [5, 3, 2]})
    figure = list_sankey(links, {"in": "{year}: {n}", "out": "вне"}, "T")
    assert list(figure.data[0].node.label) == ["2025: 8", "вне", "2026: 7", "вне"]
    assert list(figure.data[0].link.value) == [5, 3, 2]
    summary = pd.DataFrame({"target_id": ["a", "b"], "kind": ["share", "count"], "actual": [0.5, 3.0],
                            "target_low": [0.8, 2.0], "status": ["at_risk", "achieved"]})
    chart = targets_chart(summary, {"a": "A", "b": "B"}, {"achieved": "ok", "at_risk": "risk",
                                                          "not_achieved": "no", "no_data": "-", "target": "t"}, "T")
    assert [trace.name for trace in chart.data] == ["risk", "t"]
