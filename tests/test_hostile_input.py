"""Hostile input: HTML in data renders as text; garbage URL parameters fall back without a traceback."""
import datetime as dt

import pytest

from analytics import overview, school_map
from analytics.query import Query
from analytics.store import open_store
from tests.apptest_helpers import assert_no_exception, new_app
from tests.conftest import TODAY
from tests.fixtures import hostile_copy

HOSTILE = "<script>alert(1)</script><b>x</b>"
GARBAGE = ["<script>alert(1)</script>", "' OR 1=1 --", "-1", "999999999999", "%00", "🙂" * 3, "null", "../../etc"]

PAGE_PARAMS = {
    "pages/overview.py": [],
    "pages/schools.py": ["school", "schools_tab"],
    "pages/results.py": ["indicator", "pool", "school", "results_tab"],
    "pages/map.py": ["map_mode", "map_indicator", "map_lines", "map_method", "school", "map_tab"],
    "pages/risks.py": ["school", "category", "catalogue"],
    "pages/roadmaps.py": ["rm_level", "rm_roadmap", "rm_section", "rm_executor", "rm_by", "rm_tab"],
    "pages/roadmap_import.py": [],
    "pages/teachers.py": ["tsubject", "tall"],
    "pages/targets.py": ["target"],
    "pages/import_files.py": ["kind"],
    "pages/passport.py": ["school", "indicator"],
    "pages/show.py": ["slide", "present"],
    "pages/report.py": ["report_level", "school"],
}
GLOBAL_PARAMS = ["region", "municipality", "year", "procedure", "subject", "grade", "lang"]


@pytest.fixture(scope="module")
def hostile_db(demo_db_path, tmp_path_factory):
    """A copy of the demo region where a listed school of «Сергиевский» carries a hostile name."""
    path = tmp_path_factory.mktemp("hostile") / "hostile.duckdb"
    school = hostile_copy(demo_db_path, path, [
        ("UPDATE schools SET short_name = ?, name = ? WHERE school_id = ?", [HOSTILE, HOSTILE + " полное"]),
        ("UPDATE municipalities SET name = name || ' <img src=x onerror=alert(2)>' WHERE municipality_id = '01-03'", []),
    ])
    return path, school


def _raw_html(app) -> list[str]:
    """Every markdown element drawn with unsafe_allow_html."""
    return [m.value for m in app.markdown if getattr(m.proto, "allow_html", False)]


@pytest.mark.parametrize("page, query", [
    ("pages/overview.py", {"municipality": "01-03"}),
    ("pages/schools.py", {"school": "{school}"}),
    ("pages/results.py", {"school": "{school}"}),
    ("pages/risks.py", {"school": "{school}"}),
    ("pages/map.py", {"school": "{school}"}),
    ("pages/roadmaps.py", {"municipality": "01-03", "rm_tab": "overdue"}),   # the overdue list names schools
    ("pages/teachers.py", {"municipality": "01-03"}),
    ("pages/targets.py", {"municipality": "01-03"}),
])
def test_a_hostile_school_name_renders_as_text(hostile_db, monkeypatch, page, query):
    path, school = hostile_db
    monkeypatch.setenv("SHNOR_DB", str(path))
    monkeypatch.setenv("SHNOR_TODAY", TODAY.isoformat())
    app = new_app({k: v.format(school=school) for k, v in query.items()}, timeout=120)
    app.run()
    app.switch_page(page)
    app.run()
    assert_no_exception(app)
    assert _raw_html(app)          # the context line at least: the check below is not vacuous
    for html in _raw_html(app):
        assert "<script" not in html and "<img" not in html and "<b>x" not in html, html
    # Where the name is shown, it is the literal text (tables, selectboxes, captions).
    shown = [str(v) for f in app.dataframe for v in f.value.astype(str).to_numpy().ravel()]
    shown += [str(o) for s in app.selectbox for o in s.options]
    shown += [m.value for m in app.markdown] + [c.value for c in app.caption] + [h.value for h in app.header]
    if page != "pages/overview.py":
        assert any(HOSTILE in s for s in shown), page


def test_map_popups_escape_a_hostile_name(hostile_db):
    path, school = hostile_db
    store = open_store(path)
    from presentation.figures.school_map import build_map
    list_year = overview.latest_list_year(store, 2026)
    schools = school_map.schools_for_map(store, Query.of("01", "01-03", year=2026), list_year=list_year, as_of=TODAY)
    areas = school_map.areas_for_map(store, "01", 2026, list_year, TODAY, None, None)
    pairs = school_map.current_pairs(store, "01", "01-03", list_year)
    texts = {"km_road": "{km} км", "km_straight": "≈ {km} км", "km_estimate": "≈ {km} км", "category": "К",
             "municipality": "М", "vpr_participants": "N", "vpr_share2": "2", "roadmap": "ДК",
             "categories": {c: c for c in ("low_results", "social_risk", "risk_zone", "resilient", "mentor",
                                           "biased", "other")},
             "area_value": lambda row: str(row.listed)}
    rendered = build_map(schools, areas, pairs, texts, selected=school).get_root().render()
    assert "<script>alert(1)" not in rendered and "<img src=x" not in rendered
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;x&lt;/b&gt;" in rendered


@pytest.mark.parametrize("page", list(PAGE_PARAMS))
def test_garbage_url_parameters_fall_back_without_a_traceback(app_env, page):
    for round_, value in enumerate(GARBAGE[:3]):
        query = {name: value for name in PAGE_PARAMS[page] + GLOBAL_PARAMS}
        app = new_app(query, timeout=120)
        app.run()
        assert_no_exception(app)
        if round_ == 0:
            assert app.warning, "a bad global filter value is reported"
        app.switch_page(page)
        app.run()
        assert_no_exception(app)
        assert app.title, page
