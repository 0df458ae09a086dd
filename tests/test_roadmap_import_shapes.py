"""Issue 19: real documents' shapes, each kind with its own fixture (tests/roadmap_fixtures.py)."""
import datetime as dt
import json

import pandas as pd
import pytest

from analytics import risks
from analytics.roadmap_import import parse_document
from analytics.roadmap_import.__main__ import main
from analytics.roadmap_import.deadlines import parse_deadline
from analytics.roadmap_import.executors import normalise_executors, split_executors
from analytics.roadmap_import.model import Period
from analytics.roadmap_import.review import review
from analytics.roadmap_import.save import save_roadmap
from analytics.roadmap_import.schools import SchoolRegistry, find_mentions
from analytics.store import open_store
from tests.roadmap_fixtures import (PERIOD_PARAGRAPH_TITLE, docx_order_with_sections, text_guessed_period_roadmap,
                                    text_three_levels_restarting, xlsx_level_split_operators,
                                    xlsx_school_year_roadmap)

P4 = Period(dt.date(2021, 1, 1), dt.date(2024, 12, 31))
REGISTRY = SchoolRegistry(pd.DataFrame([
    dict(school_id="s4", municipality_id="m1", name="МБОУ «СОШ № 4» г. Гаврилово", short_name="СОШ № 4 (Гаврилово)"),
    dict(school_id="s5", municipality_id="m1", name="МБОУ «СОШ № 5» г. Гаврилово", short_name="СОШ № 5 (Гаврилово)"),
    dict(school_id="o4", municipality_id="m2", name="МБОУ «СОШ № 4» г. Озёрск", short_name="СОШ № 4 (Озёрск)"),
    dict(school_id="ya", municipality_id="m1", name="МКОУ «Ясная СОШ»", short_name="Ясная СОШ"),
    dict(school_id="po", municipality_id="m1", name="МКОУ «Полесская СОШ»", short_name="Полесская СОШ"),
]))


def by_number(parsed):
    return {m.number: m for m in parsed.measures}


# -- 1. period from the preamble, guessed periods marked ------------------------------------------
def test_period_from_a_paragraph_under_the_title_is_not_a_guess():
    parsed = parse_document(docx_order_with_sections(), "приказ.docx", default_year=2026)
    assert parsed.title.startswith(PERIOD_PARAGRAPH_TITLE)
    assert parsed.period == P4
    assert not parsed.period_guessed


def test_period_from_a_paragraph_above_the_table_that_is_not_the_title():
    text = ("Дорожная карта работы со школами\nМероприятия реализуются на 2021–2024 годы.\n"
            "№\tМероприятие\tСрок\tОтветственные\n1\tСовещание\tежегодно\tРОО\n").encode("utf-8")
    parsed = parse_document(text, "к.txt", default_year=2026)
    assert (parsed.period, parsed.period_source, parsed.period_guessed) == (P4, "preamble", False)
    assert len(parsed.measures[0].schedule.due_dates) == 4


def test_school_year_in_a_row_under_the_title_of_a_workbook():
    parsed = parse_document(xlsx_school_year_roadmap(), "карта.xlsx", default_year=2026)
    assert parsed.period == Period(dt.date(2020, 9, 1), dt.date(2021, 8, 31))
    assert not parsed.period_guessed


def test_a_guessed_period_is_marked_and_unresolved():
    parsed = parse_document(text_guessed_period_roadmap(), "план.txt", default_year=2026)
    assert parsed.period == Period(dt.date(2024, 1, 1), dt.date(2025, 12, 31))
    assert (parsed.period_source, parsed.period_guessed) == ("deadlines", True)
    result = review(parsed)
    assert result["period_guessed"] is True
    assert result["unresolved"][0]["field"] == "period"
    without_years = "№\tМероприятие\tСрок\tОтветственные\n1\tСовещание\tмарт\tРОО\n".encode("utf-8")
    defaulted = parse_document(without_years, "к.txt", default_year=2025)
    assert (defaulted.period_source, defaulted.period_guessed) == ("default_year", True)


# -- 2. recurring across the years of the period ---------------------------------------------------
@pytest.mark.parametrize("text, dates", [
    ("ежегодно", [f"{y}-12-31" for y in range(2021, 2025)]),
    ("ежегодно до 30 апреля", [f"{y}-04-30" for y in range(2021, 2025)]),
    ("ежегодно с сентября 2020", [f"{y}-09-30" for y in range(2021, 2025)]),      # start clipped
    ("Ежегодно, с 2020 года", [f"{y}-12-31" for y in range(2021, 2025)]),
])
def test_yearly_measures_fall_due_in_every_year_of_the_period(text, dates):
    schedule = parse_deadline(text, P4)
    assert [d.isoformat() for d in schedule.due_dates] == dates
    assert schedule.recurrence == "yearly" and not schedule.warnings


def test_quarterly_over_four_years_and_a_start_before_the_period_is_clipped():
    quarterly = parse_deadline("ежеквартально", P4)
    assert len(quarterly.due_dates) == 16 and quarterly.due_dates[0] == dt.date(2021, 3, 31)
    monthly = parse_deadline("ежемесячно с октября 2020 г.", P4)
    assert monthly.start == dt.date(2021, 1, 1)
    assert len(monthly.due_dates) == 48 and not monthly.warnings
    later = parse_deadline("ежеквартально с 2022 г.", P4)
    assert later.start == dt.date(2022, 1, 1) and len(later.due_dates) == 12


def test_recurring_measures_of_the_docx_order_cover_all_four_years():
    measures = by_number(parse_document(docx_order_with_sections(), "приказ.docx"))
    assert measures["1.1.2"].schedule.due_dates == [dt.date(y, 4, 30) for y in range(2021, 2025)]
    assert len(measures["1.2.1"].schedule.due_dates) == 16
    assert len(measures["1.2.2"].schedule.due_dates) == 16     # under the merged «ежеквартально» cell
    assert measures["1.2.2"].deadline_text == "ежеквартально"
    assert measures["4.1"].schedule.due_dates == [dt.date(y, 12, 31) for y in range(2021, 2025)]
    assert measures["4.3"].schedule.start == dt.date(2021, 1, 1)


# -- 3 and 4. section rows inside the table; three-level numbering ----------------------------------
def test_section_rows_are_sections_and_no_measure_is_lost_or_glued():
    parsed = parse_document(docx_order_with_sections(), "приказ.docx")
    measures = by_number(parsed)
    assert list(measures) == ["1.1.1", "1.1.2", "1.2.1", "1.2.2", "4.1", "4.2", "4.3", "4.4"]
    assert measures["4.1"].title == "Проведение мероприятий для родителей обучающихся"   # reads like a header
    assert measures["4.1"].executors == ["Участники Программы"]
    assert measures["4.2"].deadline_text == "Постоянно" and measures["4.3"].deadline_text == "ежегодно с сентября 2020"
    assert all(": " not in m.indicator for m in parsed.measures if m.indicator)       # nothing glued as «col: value»
    assert not any("номер" in w for w in parsed.warnings)


def test_three_level_numbers_are_kept_and_section_titles_too():
    measures = by_number(parse_document(docx_order_with_sections(), "приказ.docx"))
    assert measures["1.1.1"].section == "Организационно-управленческие меры / Нормативное обеспечение"
    assert measures["1.2.2"].section == "Организационно-управленческие меры / Кадровое обеспечение"
    assert measures["4.4"].section == "Работа с участниками образовательных отношений"
    xlsx = by_number(parse_document(xlsx_school_year_roadmap(), "карта.xlsx"))
    assert list(xlsx) == ["1.1", "1.2", "2.1"]
    assert [m.section for m in xlsx.values()] == ["Работа с педагогами"] * 2 + ["Работа с обучающимися"]


def test_measures_numbered_anew_under_each_sub_section_keep_their_place_in_the_hierarchy():
    parsed = parse_document(text_three_levels_restarting(), "т.txt")
    assert [(m.number, m.section) for m in parsed.measures] == [
        ("1.1.1", "Кадровые условия / Повышение квалификации"),
        ("1.1.2", "Кадровые условия / Повышение квалификации"),
        ("1.2.1", "Кадровые условия / Наставничество"),
        ("1.2.2", "Кадровые условия / Наставничество"),
        ("2.1.1", "Работа с родителями / Родительские собрания"),
    ]
    assert not any("повторяется" in w for w in parsed.warnings)


# -- 5. executors: catalogue, boundaries, placeholders, result text, levels -----------------------
@pytest.mark.parametrize("cell, names", [
    ("МОУО КОИРО", ["МОУО", "КОИРО"]),
    ("АППО ЦОКО ППМС-центр", ["АППО", "ЦОКО", "ППМС-центр"]),
    ("Руководители ОО ИМЦ", ["Руководители ОО", "ИМЦ"]),
    ("Участники Программы", ["Участники Программы"]),
    ('"Лесная" СШ "Полесская" СШ "Ясная" СШ', ['"Лесная" СШ', '"Полесская" СШ', '"Ясная" СШ']),
    ('МБОУ "СОШ № 1" МБОУ "СОШ № 2"', ['МБОУ "СОШ № 1"', 'МБОУ "СОШ № 2"']),
    ("ГБУ КО НОО «Центр развития» Руководители школ", ["ГБУ КО НОО «Центр развития»", "Руководители школ"]),
    ("Министерство образования Калининградской области", ["Министерство образования Калининградской области"]),
    ("-", []), ("—", []), ("ИМЦ; –", ["ИМЦ"]),
])
def test_executors_are_split_on_known_boundaries(cell, names):
    assert split_executors(cell) == names


def test_executor_levels_from_the_catalogue_and_result_text_set_aside():
    found, results = normalise_executors("Региональный координатор Муниципальные координаторы Руководители школ\n"
                                         "Аналитическая справка")
    assert [(e.name, e.level) for e in found] == [("Региональный координатор", "region"),
                                                  ("Муниципальные координаторы", "municipality"),
                                                  ("Руководители школ", "school")]
    assert results == ["Аналитическая справка"]
    unknown, _ = normalise_executors("ОЦКР")
    assert not unknown[0].known and unknown[0].level is None


def test_level_split_operator_columns_keep_who_is_regional_and_who_is_municipal():
    measures = by_number(parse_document(docx_order_with_sections(), "приказ.docx"))
    pairs = lambda number: list(zip(measures[number].executors, measures[number].executor_levels))  # noqa: E731
    assert pairs("1.1.1") == [("Министерство образования", "region"), ("МОУО", "municipality")]
    assert pairs("1.1.2") == [("АППО", "region"), ("ЦОКО", "region")]            # «-» under «район» dropped
    assert pairs("1.2.1") == [("Региональный координатор", "region"), ("Муниципальные координаторы", "municipality"),
                              ("Руководители ОО", "municipality")]
    assert pairs("4.2") == [("АППО", "region"), ("ИМЦ", "municipality")]
    assert measures["4.2"].indicator == "Справки о посещении; Приказ о проведении десанта"   # result text moved
    assert measures["4.3"].executors == ['"Лесная" СШ', '"Полесская" СШ']                   # «—» dropped


@pytest.mark.parametrize("header, field", [
    ("Ожидаемый результат (участники)", "indicator"),     # a result column, not executors
    ("Ответственные за результат", "executors"),
    ("Участники", "executors"),
    ("№ п/п", "number"),
    ("Наименование мероприятия", "title"),
])
def test_header_words_name_the_column_they_start_with(header, field):
    from analytics.roadmap_import.columns import classify
    assert classify(header) == field


def test_level_split_operator_columns_in_a_workbook():
    measures = parse_document(xlsx_level_split_operators(), "к.xlsx").measures
    assert [list(zip(m.executors, m.executor_levels)) for m in measures] == [
        [("ИРО", "region"), ("МОУО", "municipality"), ("ИМЦ", "municipality")],
        [("ОО", "municipality")],          # as the document put it: under «муниципалитет»
    ]
    assert [len(m.schedule.due_dates) for m in measures] == [4, 16]


# -- 6. schools named in cells ---------------------------------------------------------------------
def test_school_mentions_in_cells():
    assert find_mentions("Методический десант в СОШ № 4 и МБОУ «Ясная СОШ»") == ["СОШ № 4", "МБОУ «Ясная СОШ»"]
    assert find_mentions('"Лесная" СШ "Полесская" СШ') == ['"Лесная" СШ', '"Полесская" СШ']
    assert find_mentions("Семинар в школе № 12, гимназия № 1") == ["школе № 12", "гимназия № 1"]
    assert find_mentions("ППЦ «Здоровье», проект «500+», технопарк «Кванториум»") == []


def test_schools_are_matched_with_municipality_context_and_low_confidence_is_not_linked():
    in_district = REGISTRY.match("СОШ № 4", "m1")
    assert (in_district.school_id, in_district.linked) == ("s4", True)
    anywhere = REGISTRY.match("СОШ № 4")                    # two schools № 4 in the region: ambiguous
    assert not anywhere.linked
    assert REGISTRY.match("МБОУ «Ясная СОШ»", "m1").school_id == "ya"
    assert REGISTRY.match('"Полесская" СШ', "m1").linked                  # СШ is how people write СОШ
    lesnaya = REGISTRY.match('"Лесная" СШ', "m1")                          # not in the registry
    assert not lesnaya.linked and lesnaya.score < 0.85
    assert REGISTRY.match("СОШ № 4 (Озёрск)").school_id == "o4"
    assert REGISTRY.match("школа № 12", "m1").school_id is None


def test_review_links_confident_schools_and_flags_the_rest():
    parsed = parse_document(docx_order_with_sections(), "приказ.docx")
    result = review(parsed, REGISTRY, "m1")
    rows = {m["number"]: m for m in result["measures"]}
    assert rows["4.2"]["school_ids"] == ["s4", "ya"]
    assert rows["4.2"]["source"].startswith("4.2. | Методический десант в СОШ № 4")
    assert rows["4.3"]["school_ids"] == ["po"]
    assert [i["field"] for i in rows["4.3"]["issues"]] == ["schools"]
    assert "«\"Лесная\" СШ»" in rows["4.3"]["issues"][0]["message"]
    assert rows["4.3"]["unknown_executors"] == []            # executors that are schools are not «unknown»
    assert {u["number"] for u in result["unresolved"]} == {"4.3"}
    assert review(parsed, REGISTRY, "m1", accepted=frozenset({"4.3"}))["unresolved"] == []


def test_linked_measures_count_for_those_schools_risks(writable_db_path):
    store = open_store(writable_db_path)
    school_id, short_name, region_id = store.query_rows(
        "SELECT p.school_id, s.short_name, m.region_id FROM risk_profiles p JOIN schools s USING (school_id) "
        "JOIN municipalities m USING (municipality_id) WHERE p.year = 2026 AND p.level = 'high' "
        "AND p.factor_id = 'parent_involvement' ORDER BY p.school_id LIMIT 1")[0]

    def parent_coverage():
        frame = risks.coverage(store, region_id, None, 2026, "federal_500plus")
        row = frame[(frame["school_id"] == school_id) & (frame["factor_id"] == "parent_involvement")].iloc[0]
        return int(row["other_measures"])

    before = parent_coverage()
    text = (f"Дорожная карта региона на 2026 год\n№\tМероприятие\tСрок\tИсполнители\n"
            f"1\tРодительские собрания в {short_name}\tежеквартально\tРегиональный координатор\n").encode("utf-8")
    parsed = parse_document(text, "регион.txt")
    result = review(parsed, SchoolRegistry(store.query_df(
        "SELECT school_id, municipality_id, name, short_name FROM schools")))
    assert result["measures"][0]["school_ids"] == [school_id] and not result["unresolved"]
    assert parsed.measures[0].risk_factors == ["parent_involvement"]
    roadmap_id = save_roadmap(store, title=parsed.title, period=parsed.period, measures=parsed.measures,
                              level="region", region_id=region_id)
    assert store.query_rows("SELECT ms.school_id FROM measure_schools ms JOIN measures me USING (measure_id) "
                            "WHERE me.roadmap_id = ?", [roadmap_id]) == [(school_id,)]
    assert parent_coverage() == before + 1


# -- 7. the command line prints the review and refuses to save guesses --------------------------------
def test_command_prints_the_review_and_refuses_to_save_guesses(tmp_path, writable_db_path, capsys):
    path = tmp_path / "план.txt"
    path.write_bytes(text_guessed_period_roadmap())
    db = ["--db", str(writable_db_path), "--region", "01"]
    assert main([str(path), *db, "--save"]) == 3
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    assert result["period_guessed"] is True
    fields = [(u["number"], u["field"]) for u in result["unresolved"]]
    assert fields == [(None, "period"), ("2", "schools"), ("3", "deadline"), ("3", "executors"), ("3", "schools")]
    assert "--accept-guesses" in captured.err
    store = open_store(writable_db_path)
    before = store.scalar("SELECT count(*) FROM roadmaps")
    assert main([str(path), *db, "--save", "--accept-guesses"]) == 0
    assert "Сохранено" in capsys.readouterr().err
    assert store.scalar("SELECT count(*) FROM roadmaps") == before + 1
    levels = store.query_rows("SELECT executors, executor_levels FROM measures WHERE roadmap_id = "
                              "(SELECT max(roadmap_id) FROM roadmaps) AND number = '2'")
    assert levels == [(["ИМЦ", "РОО"], ["municipality", "municipality"])]


# -- 7. the review table: fixing or accepting a row resolves it ------------------------------------
def test_fixing_or_accepting_rows_in_the_review_table_resolves_them():
    from analytics.roadmap_import.edit import preview_frame, read_review

    parsed = parse_document(text_guessed_period_roadmap(), "план.txt")
    original = preview_frame(parsed, REGISTRY, "m1")
    assert list(original["issues"]) == ["", "", "⚠ срок, исполнители, школы", ""]
    assert original.loc[1, "schools_found"] == "✓ СОШ № 4 (Гаврилово)"
    assert original.loc[2, "schools_found"] == "✗ школе № 987: не найдена"
    assert read_review(original, original, parsed.period, REGISTRY, "m1").unresolved[0][0] == "3"
    edited = original.copy()
    edited.loc[2, "deadline_text"] = "май 2024"                  # the deadline written out
    edited.loc[2, "executors"] = "ИМЦ"                           # a known executor instead of «ОЦКР»
    edited.loc[2, "schools"] = "Ясная СОШ"                       # the school as the registry has it
    fixed = read_review(edited, original, parsed.period, REGISTRY, "m1")
    assert fixed.unresolved == []
    assert fixed.measures[2].school_ids == ["ya"] and fixed.measures[2].executor_levels == ["municipality"]
    assert fixed.measures[2].schedule.due_dates == [dt.date(2024, 5, 31)]
    accepted = original.copy()
    accepted.loc[2, "accept"] = True
    reviewed = read_review(accepted, original, parsed.period, REGISTRY, "m1")
    assert reviewed.unresolved == [] and reviewed.measures[2].school_ids == []   # accepted, still not linked
