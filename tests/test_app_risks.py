"""The «Рисковые профили» page under AppTest (charts are tested through their builders)."""
from analytics import risks
from tests.apptest_helpers import run_app_py_not_the_pages_folder  # noqa: F401 — autouse fixture
from tests.apptest_helpers import all_text, query_value, run_page

PAGE = "pages/risks.py"


def a_profiled_school(demo_store, municipality_id=None) -> tuple[str, str]:
    catalogue = risks.default_catalogue(demo_store)
    frame = risks.profiles(demo_store, "01", municipality_id, risks.profile_year(demo_store, catalogue, 2026),
                           catalogue)
    row = frame.iloc[0]
    return row["school_id"], row["short_name"]


TABLE_EXPANDERS = ("risks_matrix_open", "risks_distribution_open", "risks_association_open")


def test_page_without_a_school(app_env):
    app = run_page(PAGE)
    text = all_text(app)
    assert app.title[0].value == "Рисковые профили"
    assert [m.label for m in app.metric] == ["Школ с профилем, всего", "Все школы с профилем 2026: с высоким риском",
                                             "Высокие риски без мероприятий (все школы с профилем)"]
    assert "Выберите школу, чтобы увидеть её профиль" in text
    assert "Как читать: строка — школа" in text                 # every chart explains itself
    assert "Это связь между школами, а не причина" in text
    school_box = next(s for s in app.selectbox if s.label == "Школа")
    assert school_box.value == ""
    assert query_value(app, "school") is None
    # The tables behind the charts are sent only when their expanders are opened (ui.lazy).
    opened = run_page(PAGE, session={key: True for key in TABLE_EXPANDERS})
    assert len(opened.get("download_button")) >= len(app.get("download_button")) + 3 >= 4   # and exportable


def test_page_with_a_school_from_the_url(app_env, demo_store):
    school_id, short_name = a_profiled_school(demo_store)
    app = run_page(PAGE, query={"school": school_id}, session={"risks_profile_open": True})
    school_box = next(s for s in app.selectbox if s.label == "Школа")
    assert school_box.value == school_id
    text = all_text(app)
    assert "Выберите школу" not in text
    assert "Высокие и средние риски без мероприятий:" in text
    assert query_value(app, "school") == school_id
    profile_table = next(d.value for d in app.dataframe if "Изменение" in d.value.columns)
    assert len(profile_table) == 10


def test_choosing_a_school_writes_it_to_the_url(app_env, demo_store):
    school_id, _ = a_profiled_school(demo_store)
    app = run_page(PAGE)
    next(s for s in app.selectbox if s.label == "Школа").set_value(school_id)
    app.run()
    assert not app.exception
    assert query_value(app, "school") == school_id


def test_unknown_school_and_category_filter(app_env):
    app = run_page(PAGE, query={"school": "<b>nope</b>", "category": "low_results"})
    assert any("school" in w.value for w in app.warning)
    assert next(s for s in app.selectbox if s.label == "Школа").value == ""
    listed = int(app.metric[0].value)
    everyone = int(run_page(PAGE).metric[0].value)
    assert 0 < listed < everyone


def test_english(app_env):
    app = run_page(PAGE, query={"lang": "en"})
    assert app.title[0].value == "Risk profiles"
    assert "Choose a school" in all_text(app)
