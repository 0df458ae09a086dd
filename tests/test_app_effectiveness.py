"""The «Эффективность» page under AppTest (estimators are tested in tests/test_effectiveness.py)."""
from tests.apptest_helpers import run_app_py_not_the_pages_folder  # noqa: F401 — autouse fixture
from tests.apptest_helpers import all_text, run_page

PAGE = "pages/effectiveness.py"


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
