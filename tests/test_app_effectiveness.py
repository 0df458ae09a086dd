"""The «Эффективность» page under AppTest (estimators are tested in tests/test_effectiveness.py)."""
from pathlib import Path

import pytest
from streamlit.runtime.scriptrunner import script_runner

from tests.apptest_helpers import all_text, run_page

PAGE = "pages/effectiveness.py"


@pytest.fixture(autouse=True)
def run_app_py_not_the_pages_folder(monkeypatch):
    """As in tests/test_app_risks.py: the main script always runs (Streamlit's v1 pages folder)."""
    def run_main_script(main_script_path):
        code = compile(Path(main_script_path).read_text(encoding="utf-8"), str(main_script_path), "exec")
        exec(code, {"__name__": "__main__", "__file__": str(main_script_path)})  # noqa: S102

    monkeypatch.setattr(script_runner, "_mpa_v1", run_main_script)


def test_page_shows_dynamics_estimates_and_what_they_cannot_prove(app_env):
    app = run_page(PAGE, timeout=180)
    text = all_text(app)
    assert app.title[0].value == "Эффективность"
    assert "**2026:** в перечне 17 (было 22) · вышли 10 · остались 12 · вошли 5." in text
    assert "при цели 25–30\u00a0%" in text
    assert "Это связь" in text or "связь" in text
    assert "Школы перечня с наставником в год включения" in text
    validation = next(d.value for d in app.dataframe if "Покрытие 95 % интервала" in d.value.columns)
    assert len(validation) == 2
    # Every estimate either is shown with what it compares, its N and what it cannot prove, or says why not.
    for name in ("Разность разностей (событийный анализ)", "Разрывный дизайн у границы перечня"):
        assert name in text
    if "Чего не доказывает" in text:
        assert "Что сравнивается" in text and "Сколько школ" in text


def test_validated_estimator_shown_the_imprecise_one_explained(app_env):
    app = run_page(PAGE, timeout=180)
    text = all_text(app)
    # DiD passed validation (coverage 90 %, median width 4.6 п.п.): a number, its reading and its limits.
    assert any(m.label == "Разность разностей (событийный анализ)" and m.value.endswith("п.п.") for m in app.metric)
    assert "Что сравнивается" in text and "Сколько школ" in text and "Чего не доказывает" in text
    # RD covered the truth but with intervals of ~200 п.п.: not shown, and the page says why.
    assert "Оценка «Разрывный дизайн у границы перечня» не показывается" in text and "209 п.п." in text
