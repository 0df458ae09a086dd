"""One label, one number: the headline figures of the demo region agree across pages.

Renders Обзор, Дорожные карты, Показ (slides 1, 5, 6), Кадры, Рисковые профили and Паспорт
under AppTest, collects every metric (label → value) and every «label: value» line, and
asserts that a label shown in several places shows the same value everywhere; then that each
registry figure is shown where it is expected and equals analytics.figures.compute (and
what Целевые показатели and the report model compute for it).
"""
from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

import pytest

from analytics import figures, targets
from analytics.query import Query
from analytics.figures import FigureScope
from tests.apptest_helpers import all_text, assert_no_exception, run_page
from tests.conftest import TODAY
from presentation import figure_text

REGION = "01"
PASSPORT_SCHOOL = "0100121"
# Labels from before the registry that named one concept on different pages; kept so this
# test also catches the old contradictions (16 of 17 vs 36 of 39; 73 vs 67 %).
ALIASES = {"Школы с высокими рисками": "high risk schools", "Школы с высоким риском": "high risk schools",
           "Исполнение дорожных карт": "roadmap completion", "Исполнение плана года": "roadmap completion"}
PAGES = {
    "Обзор": ("pages/overview.py", {}),
    "Дорожные карты": ("pages/roadmaps.py", {}),
    "Показ 1": ("pages/show.py", {"slide": "1"}),
    "Показ 5": ("pages/show.py", {"slide": "5"}),
    "Показ 6": ("pages/show.py", {"slide": "6"}),
    "Кадры": ("pages/teachers.py", {}),
    "Рисковые профили": ("pages/risks.py", {}),
    "Рисковые профили, перечень": ("pages/risks.py", {"category": "low_results"}),
    "Паспорт": ("pages/passport.py", {"school": "0100121"}),   # listed, not in the computed category
}
# Where each registry figure must be shown (page names above).
EXPECTED = {
    "listed_schools": ("Обзор", "Показ 1"),
    "roadmap_completion": ("Обзор", "Дорожные карты", "Показ 1", "Показ 5"),
    "roadmap_overdue": ("Дорожные карты", "Показ 5"),
    "high_risk_listed": ("Обзор", "Показ 1", "Рисковые профили, перечень"),
    "high_risk_profiled": ("Рисковые профили",),
    "mentor_coverage": ("Обзор", "Показ 1"),
    "teachers_positive_dynamics": ("Кадры",),
    "attention_schools": ("Показ 6",),
}
CHECKPOINT = re.compile(r"на контрольную точку (\d\d\.\d\d\.\d{4}): ([^ ]+ %)")


@pytest.fixture(scope="module")
def shown(app_env_module):
    """page → list of (label, value) as a user sees them, and page → all text."""
    pairs, texts = {}, {}
    for page, (script, query) in PAGES.items():
        app = run_page(script, query=query, timeout=120)
        assert_no_exception(app)
        text = all_text(app)
        pairs[page] = [(m.label, m.value) for m in app.metric]
        texts[page] = text
    return pairs, texts


@pytest.fixture(scope="module")
def app_env_module(demo_db_path):
    from tests.conftest import PROJECT_ROOT
    patch = pytest.MonkeyPatch()
    patch.setenv("SHNOR_DB", str(demo_db_path))
    patch.setenv("SHNOR_TODAY", TODAY.isoformat())
    patch.chdir(PROJECT_ROOT)
    yield demo_db_path
    patch.undo()


def _registry_values(store) -> dict:
    scope = FigureScope(REGION, None, 2026, TODAY)
    return {figure_id: figures.compute(store, figure_id, scope) for figure_id in figures.registry()
            if figure_id not in figures.SCHOOL_FIGURES}


def _lines(text: str, label: str) -> list[str]:
    """Values written as «label: value» in running text (slides, passport, report)."""
    return [m.group(1).strip() for m in re.finditer(re.escape(label) + r": ([^·*\n]+)", text)]


def test_a_label_shown_in_several_places_shows_one_value(shown, demo_store):
    pairs, texts = shown
    seen = defaultdict(set)
    where = defaultdict(list)
    for page, items in pairs.items():
        for label, value in items:
            key = ALIASES.get(label, label)
            seen[key].add(value)
            where[key].append(page)
    for value in _registry_values(demo_store).values():
        label = figure_text.label(value, "ru")
        for page, text in texts.items():
            for found in _lines(text, label):
                seen[label].add(found)
                where[label].append(page)
    # The checkpoint comparison: one date, one actual, wherever it is written.
    for page, text in texts.items():
        for date, actual in CHECKPOINT.findall(text):
            seen[f"checkpoint {date}"].add(actual)
            where[f"checkpoint {date}"].append(page)
    conflicts = {key: (sorted(values), where[key]) for key, values in seen.items() if len(values) > 1}
    assert not conflicts, conflicts


def test_every_registry_figure_is_shown_where_expected_with_its_value(shown, demo_store):
    pairs, texts = shown
    values = _registry_values(demo_store)
    for figure_id, pages in EXPECTED.items():
        value = values[figure_id]
        label, text_value = figure_text.label(value, "ru"), figure_text.value_text(value, "ru")
        for page in pages:
            metrics = dict(pairs[page])
            found = metrics.get(label)
            if found is None:
                lines = _lines(texts[page], label)
                found = lines[0] if lines else None
            assert found == text_value, (figure_id, page, label, found, text_value)


def test_checkpoint_is_reported_at_its_own_date(shown, demo_store):
    _, texts = shown
    checkpoint = _registry_values(demo_store)["roadmap_checkpoint"]
    sentence = figure_text.checkpoint_sentence(checkpoint, "ru")
    for page in ("Обзор", "Дорожные карты", "Показ 5"):
        assert sentence.split(";")[0] in texts[page], page


def test_targets_and_report_use_the_registry_figures(demo_store):
    values = _registry_values(demo_store)
    summary = targets.summary(demo_store, REGION, None, 2026, TODAY).set_index("target_id")
    assert summary.at["teachers_positive_dynamics", "numerator"] == values["teachers_positive_dynamics"].numerator
    assert summary.at["teachers_positive_dynamics", "denominator"] == values["teachers_positive_dynamics"].denominator
    assert summary.at["roadmap_execution", "actual"] == pytest.approx(values["roadmap_completion"].value)
    from presentation.report import content
    model = content.build(demo_store, REGION, 2026, as_of=TODAY, created=TODAY)
    text = "\n".join(getattr(block, "text", "") for block in model.blocks)
    for figure_id in ("listed_schools", "roadmap_completion", "high_risk_listed"):
        value = values[figure_id]
        assert f"{figure_text.label(value, 'ru')}: {figure_text.value_text(value, 'ru')}" in text, figure_id


def test_passport_shows_the_schools_registry_figure(shown, demo_store):
    pairs, _ = shown
    scope = FigureScope(REGION, None, 2026, TODAY)
    value = figures.compute(demo_store, "school_roadmap_completion", scope, school_id=PASSPORT_SCHOOL)
    assert dict(pairs["Паспорт"])[figure_text.label(value, "ru")] == figure_text.value_text(value, "ru")


def test_no_configuration_file_names_on_the_passport(shown):
    _, texts = shown
    assert ".toml" not in texts["Паспорт"]
    assert "В официальном перечне ШНОР 2026 — да; по правилам расчёта — нет" in texts["Паспорт"]


def test_attention_counts_schools_not_rows(demo_store):
    value = figures.compute(demo_store, "attention_schools", FigureScope(REGION, None, 2026, TODAY))
    table = value.extra["table"]
    assert value.value == table["school_id"].nunique() == len(table)
    assert dt.date(2026, 11, 22) == value.as_of


def test_map_and_passport_give_a_school_the_same_completion(demo_store):
    from analytics import school_map
    scope = FigureScope(REGION, None, 2026, TODAY)
    value = figures.compute(demo_store, "school_roadmap_completion", scope, school_id=PASSPORT_SCHOOL)
    on_map = school_map.schools_for_map(demo_store, Query.of(REGION, year=2026), list_year=2026, as_of=TODAY).set_index("school_id")
    assert on_map.at[PASSPORT_SCHOOL, "roadmap_share"] == pytest.approx(value.value)
    assert on_map.at[PASSPORT_SCHOOL, "units_done"] == value.numerator
