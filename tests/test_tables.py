"""Tables as shown: the column layout helper, «—» for missing values on real pages, the overdue
list's filters, the target drill-down in words, the uploader's Russian texts."""
import datetime as dt
import re

import pandas as pd
import pytest

from tests.apptest_helpers import run_page
from ui import tables
from presentation.views import roadmaps as roadmap_views
from presentation.views.targets import counted_text


def test_layout_pins_the_key_column_aligns_numbers_and_formats_dates():
    frame = pd.DataFrame({"Школа": ["СОШ № 1", "Лицей"], "Участников": [12, None], "Доля": ["12,5 %", "—"],
                          "Срок": [dt.date(2026, 1, 31), None], "Причины": ["долгий текст", ""],
                          "Код": ["0100001", "0100002"]})
    config = tables.column_config(frame, wrap=["Причины"], hidden=["Код"], widths={"Школа": 120})
    assert config["Школа"]["pinned"] is True and config["Школа"]["width"] == 120
    assert config["Участников"]["alignment"] == "right"
    assert config["Доля"]["alignment"] == "right"               # a number written as text
    assert config["Срок"]["type_config"]["type"] == "date" and config["Срок"]["type_config"]["format"] == "DD.MM.YYYY"
    assert config["Причины"]["width"] == "large" and config["Причины"].get("alignment") is None
    assert config["Код"]["hidden"] is True
    assert not config["Участников"].get("pinned")


PAGES_WITH_TABLES = [("pages/schools.py", None), ("pages/schools.py", {"schools_tab": "compare"}),
                     ("pages/roadmaps.py", {"rm_tab": "overdue"}), ("pages/teachers.py", None),
                     ("pages/targets.py", None), ("pages/passport.py", {"school": "0100397"})]


@pytest.mark.parametrize("page, query", PAGES_WITH_TABLES)
def test_every_table_shows_a_dash_for_a_missing_value(app_env, page, query):
    app = run_page(page, query=query)
    frames = list(app.dataframe)
    assert frames, f"{page}: no table found"
    for element in frames:
        assert element.proto.placeholder == tables.MISSING, page


def _overdue_units():
    return pd.DataFrame({
        "unit_id": [1, 2, 3], "roadmap_title": ["ДК-1", "ДК-1", "ДК-2"], "number": ["1", "2", "1"],
        "title": ["Собеседование", "Семинар", "Отчёт"], "school_name": ["СОШ № 1", "", "Лицей"],
        "due_date": [dt.date(2026, 1, 31)] * 3, "days_overdue": [295, 200, 10],
        "executors_text": ["МОУО, ИМЦ", "ИМЦ", "Директор"], "executors": [["МОУО", "ИМЦ"], ["ИМЦ"], ["Директор"]],
        "status": ["in_progress", "not_started", "in_progress"], "municipality_id": ["01-01", "01-01", "01-02"]})


def test_overdue_list_narrows_by_municipality_school_and_executor():
    units = _overdue_units()
    choices = roadmap_views.overdue_choices(units, {"01-01": "Кленовский", "01-02": "Сергиевский"})
    assert choices == {"municipality": {"01-01": "Кленовский", "01-02": "Сергиевский"},
                       "school": ["Лицей", "СОШ № 1"], "executor": ["Директор", "ИМЦ", "МОУО"]}
    every = roadmap_views.overdue(units, "ru")
    assert list(every.columns[:6]) == ["Школа", "Мероприятие", "Срок", "Дней просрочки", "Исполнители", "Отмечено"]
    assert len(every) == 3
    assert list(roadmap_views.overdue(units, "ru", municipality="01-02")["Мероприятие"]) == ["Отчёт"]
    assert list(roadmap_views.overdue(units, "ru", school="СОШ № 1")["Мероприятие"]) == ["Собеседование"]
    assert list(roadmap_views.overdue(units, "ru", executor="ИМЦ")["Мероприятие"]) == ["Собеседование", "Семинар"]
    assert roadmap_views.overdue(units, "ru", executor="МОУО", municipality="01-02").empty
    assert roadmap_views.overdue(units.iloc[0:0], "ru") is None


def test_target_drill_down_says_how_a_school_counts():
    assert counted_text("list_reduction", -1, 0, "ru") == "вошла в перечень (−1)"
    assert counted_text("list_reduction", 1, 1, "ru") == "вышла из перечня (+1)"
    assert counted_text("list_reduction", 0, 1, "ru") == "осталась в перечне"
    assert counted_text("positive_changes", 1, 1, "ru") == "засчитана"
    assert counted_text("positive_changes", 0, 0, "ru") == "не учитывается: нет данных"
    assert counted_text("survey_participation", 30, 40, "ru") == "30 из 40"
    assert counted_text("roadmap_completion", float("nan"), 1, "ru") == "—"


def test_uploader_texts_are_russian_with_the_real_limit(app_env):
    from ui import uploads
    css = uploads.translation_css("data_file_0", ["csv", "xlsx"])
    assert ".st-key-data_file_0" in css
    assert re.findall(r'content: "([^"]*)"', css) == ["Выбрать файл", "до 100 МБ · CSV, XLSX"]
    assert uploads.limit_mb() == 100
