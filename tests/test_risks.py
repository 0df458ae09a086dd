"""Risk profiles on a hand-made store where every number is known."""
import io
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analytics import risks
from analytics.query import Query
from analytics.reference import load_reference
from analytics.store import insert_df
from tests.fixtures import add_region
from presentation.figures import risks as figures

LEVELS = {"high": "высокий", "medium": "средний", "low": "низкий"}


@pytest.fixture
def tiny(empty_store):
    cur = empty_store.cursor()
    add_region(cur, {"s1": "A", "s2": "A", "s3": "A", "s4": "B", "s5": "B"})
    insert_df(cur, "risk_levels", pd.DataFrame({"level": ["high", "medium", "low"], "score": [3, 2, 1]}))
    cur.execute("INSERT INTO risk_catalogues VALUES ('c', 'Каталог', TRUE)")
    insert_df(cur, "risk_factors", pd.DataFrame({"catalogue_id": "c", "factor_id": ["f1", "f2", "f3"],
                                                 "position": [1, 2, 3], "name_ru": ["Ф1", "Ф2", "Ф3"],
                                                 "name_en": ["F1", "F2", "F3"]}))
    levels_2026 = {"s1": ["high", "medium", "low"], "s2": ["high", "low", "low"], "s3": ["low", "high", "medium"],
                   "s4": ["high", "high", "high"], "s5": ["low", "low", "low"]}
    levels_2025 = {"s1": ["medium", "medium", "high"], "s4": ["high", "medium", "high"]}
    rows = [(school, year, "c", f"f{k + 1}", level) for year, table in ((2026, levels_2026), (2025, levels_2025))
            for school, levels in table.items() for k, level in enumerate(levels)]
    insert_df(cur, "risk_profiles", pd.DataFrame(rows, columns=["school_id", "year", "catalogue_id", "factor_id",
                                                                "level"]))
    insert_df(cur, "school_lists", pd.DataFrame({
        "year": 2026, "category": ["low_results", "low_results", "low_results", "risk_zone"],
        "school_id": ["s1", "s2", "s4", "s3"]}))
    # Results: share of «2» in ВПР рус + мат: s1 10/40, s2 8/40, s3 2/40, s4 16/40, s5 4/40.
    insert_df(cur, "results", pd.DataFrame({
        "school_id": ["s1", "s1", "s2", "s3", "s4", "s5", "s1", "s1", "s2"],
        "year": [2026, 2026, 2026, 2026, 2026, 2026, 2026, 2025, 2026],
        "procedure": ["VPR"] * 6 + ["OGE", "VPR", "VPR"],
        "subject_id": ["rus", "math", "math", "math", "math", "math", "math", "math", "hist"],
        "grade": [5, 5, 5, 5, 5, 5, 9, 5, 6],
        "participants": [20, 20, 40, 40, 40, 40, 30, 40, 40],
        "n2": [4, 6, 8, 2, 16, 4, 30, 40, 40]}))
    roadmaps = [
        (1, "school", "01", "A", "s1", "R s1", "2026-01-01", "2026-12-31"),
        (2, "municipality", "01", "A", None, "R A", "2026-01-01", "2026-12-31"),
        (3, "school", "01", "B", "s4", "R s4 old", "2024-01-01", "2024-12-31"),
        (4, "school", "01", "A", "s2", "R s2", "2026-01-01", "2026-12-31"),
    ]
    insert_df(cur, "roadmaps", pd.DataFrame(roadmaps, columns=[
        "roadmap_id", "level", "region_id", "municipality_id", "school_id", "title", "period_start", "period_end"]
    ).assign(period_start=lambda f: pd.to_datetime(f["period_start"]).dt.date,
             period_end=lambda f: pd.to_datetime(f["period_end"]).dt.date))
    insert_df(cur, "measures", pd.DataFrame({
        "measure_id": [1, 2, 3, 4, 5, 6], "roadmap_id": [1, 1, 2, 2, 3, 4], "number": "1",
        "title": "m", "schedule_kind": "unspecified",
        "risk_factors": [["f1"], ["f3"], ["f2"], ["f1"], ["f1", "f2", "f3"], []]}))
    insert_df(cur, "measure_schools", pd.DataFrame({"measure_id": [1, 3, 3], "school_id": ["s1", "s1", "s3"]}))
    return empty_store


def by_factor(frame, column):
    return dict(zip(frame["factor_id"], frame[column]))


def test_school_profile_and_change(tiny):
    profile = risks.school_profile(tiny, "s1", 2026, "c")
    assert profile["level"].tolist() == ["high", "medium", "low"]
    assert profile["previous_level"].tolist() == ["medium", "medium", "high"]
    assert profile["change"].tolist() == ["worsened", "unchanged", "improved"]
    assert risks.school_profile(tiny, "s5", 2026, "c")["change"].tolist() == ["no_data"] * 3
    # A school without a profile still gets every factor, with no level.
    empty = risks.school_profile(tiny, "s5", 2024, "c")
    assert len(empty) == 3 and empty["level"].isna().all()


def test_level_counts_region_municipality_and_category(tiny):
    counts = risks.level_counts(tiny, "01", None, 2026, "c")
    assert counts[["high", "medium", "low"]].values.tolist() == [[3, 0, 2], [2, 1, 2], [1, 1, 3]]
    assert counts["schools"].tolist() == [5, 5, 5]
    assert counts.loc[0, "high_share"] == pytest.approx(0.6)
    in_a = risks.level_counts(tiny, "01", "A", 2026, "c")
    assert in_a[["high", "medium", "low"]].values.tolist() == [[2, 0, 1], [1, 1, 1], [0, 1, 2]]
    listed = risks.level_counts(tiny, "01", None, 2026, "c", "low_results")
    assert listed[["high", "medium", "low"]].values.tolist() == [[3, 0, 0], [1, 1, 1], [1, 0, 2]]
    nothing = risks.level_counts(tiny, "01", None, 2020, "c")
    assert nothing["schools"].tolist() == [0, 0, 0] and nothing["high_share"].isna().all()


def test_top_high_risks(tiny):
    top = risks.top_high_risks(tiny, "01", None, 2026, "c", limit=2)
    assert top["factor_id"].tolist() == ["f1", "f2"] and top["high"].tolist() == [3, 2]
    # In B only s4 and s5: every factor once high; ties keep the catalogue order.
    assert risks.top_high_risks(tiny, "01", "B", 2026, "c")["factor_id"].tolist() == ["f1", "f2", "f3"]


def test_change_counts(tiny):
    counts = risks.change_counts(tiny, "01", None, 2026, "c").set_index("factor_id")
    assert counts.loc["f1", ["improved", "unchanged", "worsened", "no_data"]].tolist() == [0, 1, 1, 3]
    assert counts.loc["f2", ["improved", "unchanged", "worsened", "no_data"]].tolist() == [0, 1, 1, 3]
    assert counts.loc["f3", ["improved", "unchanged", "worsened", "no_data"]].tolist() == [1, 1, 0, 3]


def test_profile_year_takes_the_latest_up_to_the_year(tiny):
    assert risks.profile_year(tiny, "c", 2026) == 2026
    assert risks.profile_year(tiny, "c", 2025) == 2025
    assert risks.profile_year(tiny, "c", 2024) is None


def test_coverage_counts_own_and_municipal_measures(tiny):
    table = risks.coverage(tiny, "01", None, 2026, "c").set_index(["school_id", "factor_id"])
    # Only high and medium risks are listed.
    assert sorted(table.index) == [("s1", "f1"), ("s1", "f2"), ("s2", "f1"), ("s3", "f2"), ("s3", "f3"),
                                   ("s4", "f1"), ("s4", "f2"), ("s4", "f3")]
    assert table.loc[("s1", "f1"), ["school_measures", "other_measures"]].tolist() == [1, 0]
    assert table.loc[("s1", "f2"), ["school_measures", "other_measures"]].tolist() == [0, 1]
    assert table.loc[("s3", "f2"), "other_measures"] == 1          # municipal measure naming s3
    assert table.loc[("s2", "f1"), "measures"] == 0                # own roadmap, nothing against f1
    assert bool(table.loc[("s2", "f1"), "has_roadmap"]) and bool(table.loc[("s2", "f1"), "in_roadmap"])
    assert not table.loc[("s3", "f3"), "has_roadmap"] and table.loc[("s3", "f3"), "in_roadmap"]
    # s4's roadmap ran in 2024 only, and measure 4 (f1) names no school: nothing counts.
    assert table.loc[("s4", "f1"), "measures"] == 0 and not table.loc[("s4", "f1"), "in_roadmap"]
    high = risks.uncovered(tiny, "01", None, 2026, "c", levels=("high",))
    assert sorted(zip(high["school_id"], high["factor_id"])) == [("s2", "f1"), ("s4", "f1"), ("s4", "f2"),
                                                                  ("s4", "f3")]
    both = risks.uncovered(tiny, "01", None, 2026, "c")
    assert len(both) == 5 and ("s3", "f3") in set(zip(both["school_id"], both["factor_id"]))


def test_composite_and_association(tiny):
    composite = risks.composite_results(tiny, "01", None, 2026).set_index("school_id")["share2"]
    assert composite.to_dict() == pytest.approx({"s1": 0.25, "s2": 0.2, "s3": 0.05, "s4": 0.4, "s5": 0.1})
    table = risks.factor_association(tiny, Query.of("01", year=2026), "c", min_group=2).set_index("factor_id")
    f1 = table.loc["f1"]
    assert (f1["n_high"], f1["n_low"]) == (3, 2)
    assert f1["mean_high"] == pytest.approx((0.25 + 0.2 + 0.4) / 3)
    assert f1["mean_low"] == pytest.approx(0.075)
    assert f1["difference"] == pytest.approx((0.25 + 0.2 + 0.4) / 3 - 0.075)
    expected = stats.ttest_ind([0.25, 0.2, 0.4], [0.05, 0.1], equal_var=False).confidence_interval(0.95)
    assert (f1["ci_low"], f1["ci_high"]) == pytest.approx((expected.low, expected.high))
    # f3: one high school (s4) — a difference, but no interval.
    assert table.loc["f3", "n_high"] == 1 and not table.loc["f3", "enough"] and math.isnan(table.loc["f3", "ci_low"])
    # With the default minimum of 3 schools per group, f1's low group is too small.
    assert not risks.factor_association(tiny, Query.of("01", year=2026), "c").set_index("factor_id").loc["f1", "enough"]
    # Schools below the participant minimum are left out.
    assert risks.composite_results(tiny, "01", None, 2026, min_participants=50).empty


def test_welch_interval_edge_cases():
    assert all(math.isnan(v) for v in risks.welch_interval([], [1.0]))
    difference, low, high = risks.welch_interval([0.5], [0.2, 0.3])
    assert difference == pytest.approx(0.25) and math.isnan(low) and math.isnan(high)
    assert risks.welch_interval([0.2, 0.2], [0.1, 0.1]) == pytest.approx((0.1, 0.1, 0.1))


def test_profile_matrix_puts_similar_schools_together(tiny):
    matrix = risks.profile_matrix(tiny, "01", None, 2026, "c")
    assert list(matrix.columns) == ["short_name", "municipality", "f1", "f2", "f3"]
    assert matrix.loc["s4", ["f1", "f2", "f3"]].tolist() == [3, 3, 3]
    order = list(matrix.index)
    assert sorted(order) == ["s1", "s2", "s3", "s4", "s5"]
    # s1 [3,2,1] and s2 [3,1,1] are the closest pair; s5 (all low) ends the heavier-first order.
    assert abs(order.index("s1") - order.index("s2")) == 1 and order[-1] == "s5"


def test_cluster_order_groups_identical_rows_heavier_first():
    scores = pd.DataFrame([[1, 1, 1], [3, 3, 3], [1, 1, 1], [3, 3, 2], [1, 1, 2]], columns=["a", "b", "c"])
    order = risks.cluster_order(scores)
    assert sorted(order) == [0, 1, 2, 3, 4]
    assert set(order[:2]) == {1, 3} and set(order[2:]) == {0, 2, 4}
    assert risks.cluster_order(scores.iloc[:2]) == [0, 1]
    with_gap = scores.astype(float)
    with_gap.iloc[0, 0] = np.nan
    assert sorted(risks.cluster_order(with_gap)) == [0, 1, 2, 3, 4]


# -- catalogues ---------------------------------------------------------------------------------
def test_the_regional_example_catalogue_loads(tiny):
    parsed = risks.read_catalogue(risks.REGIONAL_EXAMPLE)
    assert parsed.errors == []
    assert len(parsed.frame) == 11
    assert parsed.frame["group_name"].nunique() == 3
    assert risks.load_catalogue(tiny, "omsk_example", "Пример: три группы", parsed.frame) == 11
    loaded = risks.factors(tiny, "omsk_example")
    assert loaded["factor_id"].iloc[0] == "equipment" and loaded["position"].tolist() == list(range(1, 12))
    assert risks.default_catalogue(tiny) == "c"
    risks.load_catalogue(tiny, "omsk_example", "Пример", parsed.frame, make_default=True)
    assert risks.default_catalogue(tiny) == "omsk_example"
    table = risks.catalogues(tiny).set_index("catalogue_id")
    assert table.loc["omsk_example", "factors"] == 11 and table.loc["c", "schools"] == 5


def test_read_catalogue_defaults_and_errors():
    minimal = risks.read_catalogue(io.StringIO("factor_id;name_ru\nb_risk;Второй\na_risk;Первый\n"))
    assert minimal.errors == []
    assert minimal.frame["factor_id"].tolist() == ["b_risk", "a_risk"]          # row order is the position
    assert minimal.frame["name_en"].tolist() == ["Второй", "Первый"]
    assert minimal.frame["group_name"].isna().all()
    bad = risks.read_catalogue(io.StringIO("factor_id,position,name_ru\nRisk 1,1,Ф\nok,x,\nok,3,Ф\n"))
    text = " ".join(bad.errors)
    assert "строка 2" in text and "строка 3: нет названия" in text and "повторяются коды факторов: ok" in text
    assert "позиция" in text
    assert risks.read_catalogue(io.StringIO("id,name\n1,a\n")).errors == ["нет обязательных столбцов: factor_id, name_ru"]


def test_default_catalogue_of_the_reference_data(empty_store):
    with empty_store.transaction() as cur:
        load_reference(cur)
    assert risks.default_catalogue(empty_store) == "federal_500plus"
    assert len(risks.factors(empty_store, "federal_500plus")) == 10


# -- questionnaires -----------------------------------------------------------------------------
def test_parse_levels_in_any_spelling():
    raw = pd.DataFrame({"School_ID": ["007", "007", "007"], "year": ["2026", "2026", "2026"],
                        "factor_id": ["f1", "f2", "f3"], "level": ["Высокий", "2", "low"]})
    parsed = risks.parse_questionnaire(raw, ["f1", "f2", "f3"])
    assert parsed.errors == []
    assert parsed.frame["school_id"].tolist() == ["007"] * 3                      # leading zeros kept
    assert parsed.frame["level"].tolist() == ["high", "medium", "low"]


def test_parse_levels_reports_every_problem():
    raw = pd.DataFrame({"school_id": ["s1", "s1", "", "s1"], "year": [2026, "двадцать", 2026, 2026],
                        "factor_id": ["f1", "f9", "f1", "f1"], "level": ["высокий", "очень", "низкий", "низкий"]})
    errors = risks.parse_questionnaire(raw, ["f1"]).errors
    assert "строка 3: год не число" in errors and "строка 4: нет кода школы" in errors
    assert "строка 3: фактор «f9» не из каталога" in errors
    assert any(e.startswith("строка 3: уровень не распознан") for e in errors)
    duplicate = pd.DataFrame({"school_id": ["s1", "s1"], "year": [2026, 2026], "factor_id": ["f1", "f1"],
                              "level": ["high", "low"]})
    assert "несколько раз" in risks.parse_questionnaire(duplicate, ["f1"]).errors[0]
    assert "нужны столбцы" in risks.parse_questionnaire(pd.DataFrame({"a": [1]}), ["f1"]).errors[0]


def test_item_answers_are_averaged_per_factor_and_cut():
    mapping = pd.DataFrame({"item_id": ["q1", "q2", "q3"], "factor_id": ["f1", "f1", "f2"],
                            "min_score": [1, 1, 0], "max_score": [5, 5, 1], "reverse": [0, 1, 0]})
    answers = pd.DataFrame({"school_id": ["s1", "s1", "s1", "s2", "s2", "s2"], "year": 2026,
                            "item_id": ["q1", "q2", "q3", "q1", "q2", "q3"], "score": [5, 2, 0, 3, 4, 1]})
    parsed = risks.parse_questionnaire(answers, ["f1", "f2"], mapping)
    assert parsed.errors == []
    levels = {(r.school_id, r.factor_id): r.level for r in parsed.frame.itertuples()}
    # s1/f1: q1 5 -> 1.0, q2 2 reversed -> 0.75; mean 0.875 -> high. s2/f1: 0.5 and 0.25 -> 0.375 -> medium.
    assert levels == {("s1", "f1"): "high", ("s1", "f2"): "low", ("s2", "f1"): "medium", ("s2", "f2"): "high"}
    bad = answers.assign(item_id=["q1", "q2", "q3", "q1", "q2", "q7"], score=[6, 2, 0, 3, 4, 1])
    errors = risks.parse_questionnaire(bad, ["f1", "f2"], mapping).errors
    assert errors == ["строка 2: ответ вне шкалы 1–5", "строка 7: вопрос «q7» не найден в таблице соответствия"]
    assert "таблица соответствия" in risks.parse_questionnaire(answers, ["f1"], None).errors[0]


def test_save_profiles_replaces_a_school_year(tiny):
    version = tiny.data_version()
    rows = pd.DataFrame({"school_id": ["s5", "s5"], "year": [2026, 2026], "factor_id": ["f1", "f2"],
                         "level": ["high", "medium"]})
    assert risks.save_profiles(tiny, "c", rows) == 2
    profile = risks.school_profile(tiny, "s5", 2026, "c")
    assert profile["level"].tolist()[:2] == ["high", "medium"] and pd.isna(profile["level"].iloc[2])
    assert risks.school_profile(tiny, "s1", 2026, "c")["level"].tolist() == ["high", "medium", "low"]
    assert tiny.data_version() != version


# -- figures ------------------------------------------------------------------------------------
def test_figures_build_from_the_analytics(tiny):
    profile = risks.school_profile(tiny, "s1", 2026, "c")
    bars = figures.profile_bars(profile, "name_ru", LEVELS, 2026, "Ш1", "2025")
    assert [trace.name for trace in bars.data] == ["2025", "2026"]
    assert list(bars.data[1].text) == ["низкий", "средний", "высокий"]                # f3 .. f1, bottom up
    first_year = figures.profile_bars(risks.school_profile(tiny, "s5", 2026, "c"), "name_ru", LEVELS, 2026, "Ш5", "2025")
    assert len(first_year.data) == 1

    matrix = risks.profile_matrix(tiny, "01", None, 2026, "c")
    heat = figures.risk_heatmap(matrix, {"f1": "1. Ф1", "f2": "2. Ф2", "f3": "3. Ф3"}, LEVELS, "t",
                                column_labels=["1", "2", "3"])
    assert np.asarray(heat.data[0].z).shape == (5, 3)
    assert list(heat.layout.yaxis.ticktext) == matrix["short_name"].tolist()

    counts = risks.level_counts(tiny, "01", None, 2026, "c")
    distribution = figures.level_distribution(counts, "name_ru", LEVELS, "t", "школ")
    assert [trace.name for trace in distribution.data] == ["высокий", "средний", "низкий"]
    assert distribution.data[0].y[-1] == "Ф1"                                        # most often high on top

    changes = risks.change_counts(tiny, "01", None, 2026, "c")
    assert len(figures.change_distribution(changes, "name_ru", {"improved": "у", "unchanged": "б", "worsened": "х"},
                                           "t", "школ").data) == 3

    association = risks.factor_association(tiny, Query.of("01", year=2026), "c", min_group=2)
    chart = figures.association_chart(association, "name_ru", "t", "п.п.", "мало данных")
    assert list(chart.data[0].y) == ["Ф2", "Ф1"] and "мало данных" in chart.data[1].text[0]
    nothing = figures.association_chart(association.assign(enough=False, ci_low=np.nan, ci_high=np.nan),
                                        "name_ru", "t", "п.п.", "мало данных")
    assert len(nothing.data[0].x) == 0


def test_demo_profiles_and_coverage(demo_store):
    catalogue = risks.default_catalogue(demo_store)
    year = risks.profile_year(demo_store, catalogue, 2026)
    counts = risks.level_counts(demo_store, "01", None, year, catalogue)
    assert len(counts) == 10 and (counts["schools"] > 0).all()
    table = risks.coverage(demo_store, "01", None, year, catalogue)
    # The demo plans against most risks, not all: there are gaps and there is coverage.
    with_roadmap = table[table["has_roadmap"]]
    assert with_roadmap["covered"].any() and (~with_roadmap["covered"]).any()
