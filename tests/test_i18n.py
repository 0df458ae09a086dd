import datetime as dt
import re

import pytest

from presentation import fmt
from presentation.i18n import LANGUAGES, catalogue, text


def test_every_key_exists_in_every_language():
    keys = {lang: set(catalogue(lang)) for lang in LANGUAGES}
    assert keys["ru"] == keys["en"], keys["ru"] ^ keys["en"]


def test_placeholders_match_between_languages():
    placeholder = re.compile(r"\{(\w+)\}")
    for key, russian in catalogue("ru").items():
        assert set(placeholder.findall(russian)) == set(placeholder.findall(catalogue("en")[key])), key


def test_no_repository_paths_in_ui_text():
    """A browser user cannot open a file of the repository: the text names a document in words."""
    path = re.compile(r"\b(docs|presentation|analytics|pages|ui|tests)/[\w./-]+|\b[\w-]+\.md\b")
    for lang in LANGUAGES:
        found = {key: value for key, value in catalogue(lang).items() if path.search(value)}
        assert not found, (lang, found)


def test_text_fills_placeholders_and_falls_back_to_the_key():
    assert text("ru", "filters.grade_value", grade=5) == "5 класс"
    assert text("ru", "no.such.key") == "no.such.key"


@pytest.mark.parametrize("value, decimals, expected", [
    (1234.5, 1, "1\u00a0234,5"), (0, 0, "0"), (1234567, 0, "1\u00a0234\u00a0567"), (None, 0, "—"),
    (float("nan"), 1, "—"),
])
def test_russian_numbers(value, decimals, expected):
    assert fmt.number(value, "ru", decimals) == expected


def test_percent_points_and_dates():
    assert fmt.percent(0.1234, "ru") == "12,3\u00a0%"
    assert fmt.percent(0.5, "en", 0) == "50\u00a0%"
    assert fmt.points(-0.052, "ru") == "−5,2\u00a0п.п."
    assert fmt.points(0.1, "en", 0) == "+10\u00a0pp"
    assert fmt.date(dt.date(2026, 11, 22), "ru") == "22.11.2026"
    assert fmt.month_year(dt.date(2026, 11, 22), "ru") == "ноябрь 2026"
    assert fmt.signed(-3, "ru") == "−3"


def test_metric_delta_gets_an_ascii_minus_for_the_arrow():
    from ui.text import metric_delta
    assert metric_delta(fmt.points(-0.1, "ru", 0)) == "-10\u00a0п.п."
    assert metric_delta(fmt.points(0.1, "ru", 0)) == "+10\u00a0п.п."
