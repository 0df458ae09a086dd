"""Validation of teacher-development records as an importer would pass them (text from a file)."""
import pandas as pd

from analytics.teacher_records import parse_deficits, parse_development

HEADER = ["Код ОО", "Год", "Этап", "Предмет", "Всего учителей", "Прошли диагностику", "Средний балл диагностики",
          "Уровень повысился", "С ИОМ", "Прошли курсы", "В консультациях", "В наставничестве"]


def _frame(rows):
    return pd.DataFrame(rows, columns=HEADER, dtype=object)


def test_good_rows_parse_with_russian_headers_leading_zeros_and_decimal_commas():
    clean, problems = parse_development(_frame([
        ["0100008", "2026", "2", "math", "4", "4", "61,5", "3", "4", "2", "3", "1"],
        ["0100009", "2026", "1", "rus", "3", "3", "", "", "3", "0", "0", "0"],
    ]), subjects={"math", "rus"})
    assert problems.empty, problems
    assert clean["school_id"].tolist() == ["0100008", "0100009"]
    assert clean.loc[0, "diagnostic_mean"] == 61.5 and pd.isna(clean.loc[1, "diagnostic_mean"])
    assert pd.isna(clean.loc[1, "teachers_level_rose"]) and clean.loc[0, "teachers_with_route"] == 4


def test_bad_rows_are_reported_and_left_out():
    clean, problems = parse_development(_frame([
        ["001", "2026", "3", "math", "4", "5", "50", "1", "4", "0", "0", "0"],    # round 3, 5 diagnosed of 4
        ["002", "2026", "1", "math", "2", "2", "120", "3", "x", "0", "0", "0"],   # score, rose > diagnosed, text
        ["003", "2026", "1", "chem", "2", "2", "50", "", "-1", "0", "0", "0"],   # unknown subject, negative
        ["004", "2026", "1", "math", "2", "2", "50", "", "2", "0", "0", "0"],    # good
        ["004", "2026", "1", "math", "2", "2", "50", "", "2", "0", "0", "0"],    # duplicate
    ]), subjects={"math", "rus"})
    found = set(zip(problems["row"], problems["column"], problems["problem"]))
    assert {(2, "round", "bad_round"), (2, "teachers_diagnosed", "exceeds_total"),
            (3, "diagnostic_mean", "out_of_range"), (3, "teachers_level_rose", "exceeds_diagnosed"),
            (3, "teachers_with_route", "not_integer"), (4, "subject_id", "unknown_subject"),
            (4, "teachers_with_route", "negative"), (6, "school_id", "duplicate")} <= found
    assert clean["school_id"].tolist() == ["004"]


def test_missing_columns_reject_the_file():
    clean, problems = parse_development(pd.DataFrame({"Код ОО": ["1"], "Год": ["2026"]}))
    assert clean.empty
    assert "teachers_total" in set(problems["column"]) and set(problems["problem"]) == {"missing_column"}


def test_deficits_against_catalogue_and_diagnosed():
    development, _ = parse_development(_frame([["001", "2026", "2", "math", "4", "3", "", "", "4", "0", "0", "0"]]))
    topics = pd.DataFrame({"subject_id": ["math", "math"], "topic_id": ["t1", "t2"]})
    clean, problems = parse_deficits(pd.DataFrame({
        "school_id": ["001", "001", "001", "001"], "year": ["2026"] * 4, "round": ["2"] * 4,
        "subject_id": ["math"] * 4, "topic_id": ["t1", "t2", "t9", "t1"], "teachers_with_deficit": ["2", "4", "1", "1"],
    }, dtype=object), topics=topics, development=development)
    found = set(zip(problems["row"], problems["problem"]))
    assert found == {(3, "exceeds_diagnosed"), (4, "unknown_topic"), (5, "duplicate")}
    assert clean["topic_id"].tolist() == ["t1"] and clean.loc[0, "teachers_with_deficit"] == 2
