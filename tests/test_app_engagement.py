"""The «Вовлеченность» page under AppTest (charts are tested through their builders)."""
import pytest

from tests.apptest_helpers import run_app_py_not_the_pages_folder  # noqa: F401 — autouse fixture
from tests.apptest_helpers import all_text, query_value, run_page

PAGE = "pages/engagement.py"


def test_page_without_a_unit(app_env):
    app = run_page(PAGE)
    text = all_text(app)
    assert app.title[0].value == "Вовлеченность"
    assert [m.label for m in app.metric] == ["Оценено", "Зелёная зона", "Жёлтая зона", "Красная зона",
                                             "Зона упала"]
    assert "Как читать: строка — муниципалитет" in text
    assert "Выберите муниципалитет или школу" in text
    # 22.11.2026: the 1 August round is the latest held one; the December one is preliminary.
    round_box = next(s for s in app.selectbox if s.label == "Этап мониторинга")
    assert round_box.value == 1
    assert query_value(app, "round") is None


def test_preliminary_round_from_the_url(app_env):
    app = run_page(PAGE, query={"round": "2", "level": "school"})
    assert next(s for s in app.selectbox if s.label == "Этап мониторинга").value == 2
    assert query_value(app, "round") == "2" and query_value(app, "level") == "school"
    assert any("Этап ещё не наступил: баллы посчитаны на 22.11.2026" in w.value for w in app.warning)
    assert "Как читать: строка — школа" in all_text(app)


def test_school_card_with_evidence(app_env, demo_store):
    from analytics import engagement
    units = engagement.assessed_units(demo_store, "01", None, 2026)
    school_id = units[units["unit_level"] == "school"]["unit_id"].iloc[0]
    app = run_page(PAGE, query={"level": "school", "unit": school_id})
    assert query_value(app, "unit") == school_id
    card = next(d.value for d in app.dataframe if "Основание" in d.value.columns)
    assert len(card) == 10
    assert card["Основание"].str.contains("в срок выполнено").any()
    assert "баллов" in all_text(app)


def test_bad_round_in_the_url_warns(app_env):
    app = run_page(PAGE, query={"round": "9"})
    assert any("round" in w.value for w in app.warning)


# -- roles (sign-in on) ------------------------------------------------------------------------
@pytest.fixture
def auth_env(app_env, monkeypatch, tmp_path):
    from tests.access_helpers import write_role_users
    monkeypatch.setenv("SHNOR_AUTH", "1")
    monkeypatch.setenv("SHNOR_USERS", str(write_role_users(tmp_path / "users.toml")))
    return app_env


def _as(user: str, query: dict | None = None):
    from tests.apptest_helpers import assert_no_exception, new_app
    app = new_app(query, 120)
    app.session_state["auth_user"] = user
    app.run()
    assert_no_exception(app)
    app.switch_page(PAGE)
    app.run()
    assert_no_exception(app)
    return app


def test_municipal_user_sees_only_the_own_schools_and_cannot_enter_reviews(auth_env, demo_store):
    from tests.access_helpers import MUNICIPALITY
    app = _as("mun", {"level": "school"})
    own = set(demo_store.query_df("SELECT short_name FROM schools WHERE municipality_id = ?", [MUNICIPALITY])["short_name"])
    unit_box = next(s for s in app.selectbox if s.label == "Муниципалитет или школа")
    shown = [o for o in unit_box.options if not o.startswith("—")]
    assert shown and all(o.split(" · ")[0] in own for o in shown)
    assert "Вводить экспертные оценки могут региональные пользователи и администратор." in all_text(app)


def test_school_user_sees_only_the_own_school(auth_env, demo_store):
    from tests.access_helpers import SCHOOL
    app = _as("school", {"level": "school"})
    unit_box = next(s for s in app.selectbox if s.label == "Муниципалитет или школа")
    name = demo_store.scalar("SELECT short_name FROM schools WHERE school_id = ?", [SCHOOL])
    assert [o.split(" · ")[0] for o in unit_box.options if not o.startswith("—")] == [name]   # listed in 2026


def test_a_hostile_school_name_renders_as_text(app_env, monkeypatch, tmp_path):
    from tests.apptest_helpers import assert_no_exception, new_app
    from tests.fixtures import hostile_copy
    hostile = "<script>alert(1)</script><b>x</b>"
    path = tmp_path / "hostile.duckdb"
    school = hostile_copy(app_env, path, [("UPDATE schools SET short_name = ?, name = ? WHERE school_id = ?",
                                           [hostile, hostile])])
    monkeypatch.setenv("SHNOR_DB", str(path))
    app = new_app({"level": "school", "unit": school}, 120)
    app.run()
    app.switch_page(PAGE)
    app.run()
    assert_no_exception(app)
    for markdown in app.markdown:
        if getattr(markdown.proto, "allow_html", False):
            assert "<script" not in markdown.value and "<b>x" not in markdown.value
    assert any(hostile in o for s in app.selectbox for o in s.options)     # shown as literal text
