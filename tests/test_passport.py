"""School passport: the composition functions and the page under AppTest (known school, unknown code, no school)."""
import pandas as pd
import pytest

from analytics import dynamics, passport
from analytics.query import Pooling, Query
from tests.apptest_helpers import all_text, query_value, run_page

PAGE = "pages/passport.py"


def a_listed_school(store) -> str:
    return store.scalar("SELECT min(school_id) FROM school_lists WHERE category = 'low_results' AND year = 2026")


def test_subject_results_match_the_results_computations(demo_store):
    school_id = a_listed_school(demo_store)
    table = passport.subject_results(demo_store, school_id, 2026, "VPR", "quality", 5)
    assert not table.empty and table["subject_id"].is_unique
    info = passport.school(demo_store, school_id)
    own = dynamics.changes(demo_store, Query.of("01", info["municipality_id"], year_to=2026, procedure="VPR"),
                           pooling=Pooling(grades=True), min_n=5, indicators=("quality",))
    own = own[own["unit_id"] == school_id].set_index("subject_id")
    for row in table.itertuples():
        assert row.value == pytest.approx(own.at[row.subject_id, "value"], nan_ok=True)
        if row.n < 5:   # the small-numbers rule: no value or interval below min_n
            assert pd.isna(row.value) and pd.isna(row.ci_low) and pd.isna(row.delta)
            continue
        assert row.ci_low - 1e-9 <= row.value <= row.ci_high + 1e-9
        assert row.municipality_n >= row.n and row.region_n >= row.municipality_n
        assert row.change_verdict in ("improved", "declined", "no_change", "insufficient")


def test_unknown_school_gives_empty_results(demo_store, empty_store):
    assert passport.school(demo_store, "no-such-school") is None
    assert passport.subject_results(demo_store, "no-such-school", 2026, "VPR", "quality").empty
    assert passport.official_lists(empty_store, "x").empty


def test_related_pairs_and_map_subset():
    pairs = pd.DataFrame({"mentor_school_id": ["M", "A", "M"], "mentee_school_id": ["A", "B", "C"]})
    schools = pd.DataFrame({"school_id": ["A", "B", "C", "M", "Z"]})
    as_mentee, as_mentor = passport.related_pairs(pairs, "A")
    assert as_mentee["mentor_school_id"].tolist() == ["M"]
    assert as_mentor["mentee_school_id"].tolist() == ["B"]
    shown, linked = passport.map_subset(schools, pairs, "A")
    assert sorted(shown["school_id"]) == ["A", "B", "M"] and len(linked) == 2


# -- the page --------------------------------------------------------------------------------------------
def test_passport_of_a_known_school(app_env, demo_store):
    school_id = a_listed_school(demo_store)
    name = passport.school(demo_store, school_id)["name"]
    app = run_page(PAGE, query={"school": school_id})
    assert app.title[0].value == "Паспорт школы"
    assert [h.value for h in app.main.header][0] == name
    text = all_text(app)
    for section in ("Результаты и динамика по предметам", "Рисковый профиль и его изменение", "Наставник",
                    "Дорожная карта", "Развитие педагогов"):
        assert section in text, section
    assert "В перечне ШНОР" in text and "В перечне ШНОР: " in text
    assert query_value(app, "school") == school_id
    assert app.main.selectbox(key="passport_school").value == school_id
    assert len(app.main.dataframe) >= 1


def test_passport_with_an_unknown_code(app_env):
    app = run_page(PAGE, query={"school": "9999999"})
    assert any("9999999" in e.value and "не найдена" in e.value for e in app.main.error)
    assert not app.main.header  # no passport sections
    assert app.main.selectbox(key="passport_school").value == ""


def test_passport_without_a_school_offers_a_picker(app_env, demo_store):
    app = run_page(PAGE)
    assert any("Выберите школу" in i.value for i in app.main.info)
    school_id = a_listed_school(demo_store)
    app.main.selectbox(key="passport_school").set_value(school_id).run()
    assert not app.exception
    assert query_value(app, "school") == school_id
    assert app.main.header[0].value == passport.school(demo_store, school_id)["name"]
