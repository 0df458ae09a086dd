"""The two real roadmaps beside the project (../shared/samples): every measure, deadline and executor.

The documents are read where they lie and never copied into the project; the expected values
below were checked by hand against them.
"""
import datetime as dt

import pytest

from analytics.roadmap_import import parse_document
from analytics.roadmap_import.review import review
from tests.conftest import PROJECT_ROOT

SAMPLES = PROJECT_ROOT.parent / "shared" / "samples"

R, I, C = "РОО", "ИМЦ", "РЦОКО"
# number: (kind, due dates: a list or (count, first, last), executors)
DISTRICT = {
    "1.1": ("period", ["2022-10-31", "2023-10-31"], [R, I]),
    "2.1": ("recurring", ["2021-12-31", "2022-12-31", "2023-12-31"], [I]),
    "2.2": ("continuous", [], [R]),
    "2.3": ("recurring", (6, "2021-04-30", "2023-10-31"), [I]),
    "2.4": ("continuous", [], [I]),
    "2.5": ("continuous", [], [I]),
    "2.6": ("continuous", [], [I, R]),
    "2.7": ("continuous", [], [R, I]),
    "2.8": ("recurring", (6, "2021-06-30", "2023-12-31"), [I]),
    "2.9": ("period", ["2023-12-31"], [I]),
    "2.10": ("continuous", [], [R, "ОО", I]),
    "2.11": ("period", ["2023-12-31"], [I]),
    "2.12": ("period", ["2023-12-31"], ["ППЦ «Здоровье»", I]),
    "3.1": ("continuous", [], [C, I]),
    "3.2": ("period", ["2022-05-31", "2023-05-31"], [C, I]),
    "3.3": ("period", ["2022-05-31", "2023-05-31"], [C, I]),
    "3.4": ("dates", (6, "2021-04-30", "2023-10-31"), [I]),
    "3.5": ("dates", (9, "2021-04-30", "2023-11-30"), [R, I]),
    "3.6": ("unspecified", [], [I, C]),
    "4.1.1": ("continuous", [], [R, I]),
    "4.1.2": ("dates", (6, "2021-05-31", "2023-09-30"), [R, I, C]),
    "4.2.1": ("period", ["2022-09-30", "2023-09-30"], [C]),
    "5.1": ("period", ["2022-02-28", "2023-02-28"], [R, I]),
    "5.2": ("dates", ["2022-05-31", "2022-12-31", "2023-05-31", "2023-12-31"], [R]),
    "5.3": ("dates", ["2022-12-31", "2023-12-31"], [R, I, C]),
    "5.4": ("dates", ["2022-11-30"], [C, R]),
    "5.5": ("recurring", ["2021-12-31", "2022-12-31", "2023-12-31"], [R]),
    "5.6": ("dates", ["2022-04-30", "2023-04-30"], [C, I]),
}

RC, MC, SH = "Региональный координатор", "Муниципальные координаторы", "Руководители школ"
REGION = {
    "1": ("dates", ["2023-02-15"], [SH, "МОУО", "КОИРО"]),
    "2": ("period", ["2023-05-15"], [SH]),
    "3": ("period", ["2023-02-20"], [RC]),
    "4": ("period", ["2023-04-18"], [RC, MC, SH]),
    "5": ("period", ["2023-05-15"], [RC, MC, SH]),
    "6": ("period", ["2023-05-15"], ["Руководители МОУ", "муниципальные координаторы"]),
    "7": ("period", ["2023-12-20"], [RC]),
    "8": ("period", ["2023-12-20"], [RC]),
    "9": ("period", ["2023-12-31"], ["Кафедра общего образования", "Учителя школ"]),
    "10": ("dates", ["2023-06-30"], [RC, MC, SH]),
    "11": ("dates", ["2023-08-01"], [RC]),
    "12": ("dates", ["2023-11-30"], [RC, MC, SH]),
    "13": ("dates", ["2023-12-25"], [RC]),
    "14": ("dates", ["2023-08-01"], [RC, MC]),
    "15": ("dates", ["2023-08-01"], [RC, MC]),
    "16": ("dates", ["2023-08-01"], [RC, MC]),
    "17": ("dates", ["2023-12-01"], [RC, MC]),
    "18": ("period", ["2023-12-01"], [SH]),
    "19": ("period", ["2023-12-31"], [RC, SH]),
    "20": ("period", ["2023-12-01"], ["ЦППМ", SH]),
    "21": ("period", ["2023-12-01"], ["Кафедра общего образования", SH]),
    "22": ("period", ["2023-12-01"], ["ОЦДиК", SH]),
    "23": ("dates", ["2023-08-31"], [RC, MC, SH]),
    "24": ("period", ["2023-12-01"], ["Детский технопарк «Кванториум»", SH, MC]),
    "25": ("period", ["2023-12-01"], ["ГБУ КО НОО «Центр развития»", SH, MC]),
    "26": ("period", ["2023-12-01"], [SH, MC]),
    "27": ("period", ["2023-05-20"], [SH, MC]),
    "28": ("period", ["2023-06-30"], [SH, MC]),
    "29": ("period", ["2023-06-30"], [SH, MC]),
    "30": ("period", ["2022-12-30"], [MC, SH]),
    "31": ("period", ["2022-12-30"], [RC]),
    "32": ("period", ["2022-12-30"], [RC]),
}


def read(name: str):
    path = SAMPLES / name
    assert path.exists(), f"the sample {path} is missing: CI keeps ../shared beside the project"
    return parse_document(path.read_bytes(), name, default_year=2026)


def assert_measures(parsed, expected):
    assert [m.number for m in parsed.measures] == list(expected)
    for measure in parsed.measures:
        kind, dates, executors = expected[measure.number]
        due = [d.isoformat() for d in measure.schedule.due_dates]
        if isinstance(dates, tuple):
            due = (len(due), due[0], due[-1])
        assert (measure.schedule.kind, due, measure.executors) == (kind, dates, executors), measure.number


def test_district_roadmap_2021_2023():
    parsed = read("roadmap_district_spb_2021-2023.txt")
    assert (parsed.period.start, parsed.period.end) == (dt.date(2021, 1, 1), dt.date(2023, 12, 31))
    assert not parsed.period_guessed
    assert_measures(parsed, DISTRICT)
    sections = {m.number: m.section for m in parsed.measures}
    assert sections["1.1"] == "Организационные мероприятия"
    assert sections["4.1.2"] == "Информационно-аналитическое обеспечение / Информационное обеспечение"
    assert sections["4.2.1"] == "Информационно-аналитическое обеспечение / Аналитические материалы"
    unsure = {u["number"] for u in review(parsed)["unresolved"]}
    assert unsure == {"2.8", "3.6", "5.5"}     # months guessed; two deadlines that depend on a condition


def test_regional_order_2023():
    parsed = read("roadmap_region_kaliningrad_2023.txt")
    assert (parsed.period.start, parsed.period.end) == (dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    assert not parsed.period_guessed
    assert_measures(parsed, REGION)
    levels = {m.number: m.executor_levels for m in parsed.measures}
    assert levels["1"] == ["school", "municipality", "region"]
    assert levels["4"] == ["region", "municipality", "school"]
    unsure = {u["number"] for u in review(parsed)["unresolved"]}
    assert unsure == {"19", "30", "31", "32"}  # a conditional deadline; three dated in the year before


@pytest.mark.parametrize("name", ["roadmap_district_spb_2021-2023.txt", "roadmap_region_kaliningrad_2023.txt"])
def test_samples_name_no_school_by_mistake(name):
    assert all(m["schools"] == [] for m in review(read(name))["measures"])
