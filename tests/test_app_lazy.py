"""Heavy parts drawn only while shown (issue #24, ``ui.lazy``): a closed tab or expander is not
computed and sends nothing; choosing it draws it; the open tab is kept in the URL and a link
with it opens the same tab; a tab's widgets keep their values while another tab is open."""
from __future__ import annotations

import pytest

from presentation.views import attention as attention_views
from tests.access_helpers import MUNICIPALITY
from tests.apptest_helpers import all_text, assert_no_exception, query_value, run_page
from tests.test_access import _as as as_user, _table_cells as table_cells
from tests.test_access import auth_env  # noqa: F401 — pytest fixture used by name

RESULTS = "pages/results.py"
SCHOOLS_TABLE = "Школы: значение, изменение, уровень"     # what only the «Школы» tab of «Результаты» shows


def _choose_tab(app, key: str, label: str):
    """What a click on a tab does: the tab's widget value changes and the page reruns."""
    app.session_state[key] = label
    app.run()
    assert_no_exception(app)
    return app


def _drawn(app) -> dict[str, int]:
    return {tab.label: len(tab.children) for tab in app.tabs}


def test_results_draws_only_the_open_tab_and_keeps_it_in_the_url(app_env):
    app = run_page(RESULTS, query={"procedure": "VPR"})
    drawn = _drawn(app)
    assert list(drawn) == ["Динамика", "Школы", "Предметы", "Объективность ВПР"]
    assert drawn["Динамика"] > 0 and drawn["Школы"] == drawn["Предметы"] == drawn["Объективность ВПР"] == 0
    assert SCHOOLS_TABLE not in all_text(app)
    assert query_value(app, "results_tab") is None            # the default tab leaves the URL

    _choose_tab(app, "results_tabs", "Школы")
    drawn = _drawn(app)
    assert drawn["Школы"] > 0 and drawn["Динамика"] == 0
    assert SCHOOLS_TABLE in all_text(app)
    assert query_value(app, "results_tab") == "schools"

    linked = run_page(RESULTS, query={"procedure": "VPR", "results_tab": "schools"})   # the copied link
    assert _drawn(linked) == drawn and SCHOOLS_TABLE in all_text(linked)

    _choose_tab(app, "results_tabs", "Динамика")
    assert query_value(app, "results_tab") is None and SCHOOLS_TABLE not in all_text(app)


def test_a_tab_the_url_does_not_know_falls_back_with_a_message(app_env):
    app = run_page(RESULTS, query={"procedure": "VPR", "results_tab": "nope"})
    assert _drawn(app)["Динамика"] > 0
    assert any("nope" in w.value for w in app.warning)


def test_a_tabs_widgets_keep_their_values_while_another_tab_is_open(app_env):
    app = run_page("pages/schools.py", query={"schools_tab": "whatif"})
    whatif = next(tab.label for tab in app.tabs if len(tab.children))
    app.slider(key="whatif_bottom").set_value(20).run()
    changed = {m.label: m.value for m in app.metric}
    _choose_tab(app, "schools_tabs", app.tabs[0].label)
    assert query_value(app, "schools_tab") is None and not app.get("slider")
    _choose_tab(app, "schools_tabs", whatif)
    assert app.slider(key="whatif_bottom").value == 20
    assert {m.label: m.value for m in app.metric} == changed
    assert query_value(app, "schools_tab") == "whatif"


def test_the_status_editor_stays_drawn_while_another_roadmap_tab_is_open(app_env, demo_store):
    roadmap_id = int(demo_store.scalar("SELECT min(roadmap_id) FROM roadmaps WHERE level = 'municipality'"))
    app = run_page("pages/roadmaps.py", query={"rm_roadmap": str(roadmap_id), "rm_tab": "burnup"})
    drawn = _drawn(app)
    assert drawn["Динамика"] > 0 and drawn["Муниципалитеты и школы"] == drawn["Разрезы"] == 0
    assert drawn["Отметить исполнение"] > 0 and len(app.data_editor) == 1     # unsaved edits survive a look
    assert query_value(app, "rm_tab") == "burnup"


def test_a_closed_expander_is_not_computed_and_opening_it_draws_it(app_env, monkeypatch):
    calls = []
    full_table = attention_views.full_table
    monkeypatch.setattr(attention_views, "full_table", lambda *a, **k: calls.append(1) or full_table(*a, **k))
    app = run_page()
    assert not calls and len(app.dataframe) == 1               # the municipality table only
    expander = next(e for e in app.expander if e.label.startswith("Все школы"))
    assert not expander.children
    app.session_state["overview_all_open"] = True              # what a click on the expander does
    app.run()
    assert_no_exception(app)
    assert calls and len(app.dataframe) == 2
    assert len(app.dataframe[0].value) == int(expander.label.rsplit("(", 1)[1].rstrip(")")) > 0   # every listed school


def test_risk_tables_are_sent_only_when_opened(app_env):
    app = run_page("pages/risks.py")
    closed = len(app.dataframe)
    app.session_state["risks_matrix_open"] = True
    app.run()
    assert_no_exception(app)
    assert len(app.dataframe) == closed + 1
    matrix = app.dataframe[-1].value if closed == 0 else max((d.value for d in app.dataframe), key=len)
    assert len(matrix) > 10                                     # schools × factors


def test_the_map_keeps_the_assignment_tab_in_the_url(app_env):
    app = run_page("pages/map.py", query={"map_tab": "compare"}, timeout=120)
    drawn = _drawn(app)
    assert drawn["Сравнение с текущими"] > 0 and drawn["Предлагаемые пары"] == 0, drawn
    assert not [n for label, n in drawn.items() if label.startswith("Без наставника") and n], drawn
    assert drawn["Ручная правка"] > 0 and drawn["Расстояния по дорогам"] > 0     # forms: drawn always
    assert query_value(app, "map_tab") == "compare"


# Each tab drawn only when open: the access test's look at every table (tests/test_access.py, the
# default tab of each page) is repeated here for the other tabs.
OTHER_TABS = [("pages/schools.py", {"schools_tab": code}) for code in ("compare", "flows", "whatif")] \
    + [("pages/results.py", {"results_tab": code}) for code in ("schools", "subjects", "objectivity")] \
    + [("pages/roadmaps.py", {"rm_tab": code}) for code in ("burnup", "gantt", "overdue", "breakdown")] \
    + [("pages/map.py", {"map_tab": code}) for code in ("compare", "unassigned")]


@pytest.mark.parametrize("page, query", OTHER_TABS, ids=[f"{p[6:-3]}-{next(iter(q.values()))}" for p, q in OTHER_TABS])
def test_a_municipal_user_sees_only_the_own_municipality_in_every_tab(auth_env, demo_store, page, query):
    app = as_user("mun", page, query=query)
    assert query_value(app, next(iter(query))) == next(iter(query.values()))      # the tab asked for is open
    outside = demo_store.query_df("SELECT school_id, short_name FROM schools WHERE municipality_id <> ?", [MUNICIPALITY])
    cells = table_cells(app)
    assert not {s for s, n in zip(outside["school_id"], outside["short_name"]) if (s in cells or n in cells)}
