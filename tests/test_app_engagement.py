"""The «Вовлеченность» page under AppTest (charts are tested through their builders)."""
from pathlib import Path

import pytest
from streamlit.runtime.scriptrunner import script_runner

from tests.apptest_helpers import all_text, query_value, run_page

PAGE = "pages/engagement.py"


@pytest.fixture(autouse=True)
def run_app_py_not_the_pages_folder(monkeypatch):
    """As in tests/test_app_risks.py: the main script always runs (Streamlit's v1 pages folder)."""
    def run_main_script(main_script_path):
        code = compile(Path(main_script_path).read_text(encoding="utf-8"), str(main_script_path), "exec")
        exec(code, {"__name__": "__main__", "__file__": str(main_script_path)})  # noqa: S102

    monkeypatch.setattr(script_runner, "_mpa_v1", run_main_script)


def test_page_without_a_unit(app_env):
    app = run_page(PAGE)
    text = all_text(app)
    assert app.title[0].value == "Вовлеченность"
    assert [m.label for m in app.metric] == ["Оценено", "Зелёная зона", "Жёлтая зона", "Красная зона",
                                             "Зона ухудшилась"]
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
