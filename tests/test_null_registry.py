"""A school imported without the registry's optional columns (coordinates, students, teachers, social
index are NULL) — every page still renders (issue #17: the map and slide 3 failed with «Location values
cannot contain NaNs», the passport with decimal.InvalidOperation)."""
import pytest

from tests.apptest_helpers import assert_no_exception, new_app
from tests.conftest import TODAY
from tests.fixtures import hostile_copy


@pytest.fixture(scope="module")
def null_db(demo_db_path, tmp_path_factory):
    path = tmp_path_factory.mktemp("nulls") / "nulls.duckdb"
    school = hostile_copy(demo_db_path, path, [
        ("UPDATE schools SET lat = NULL, lon = NULL, students = NULL, teachers = NULL, social_index = NULL "
         "WHERE school_id = ?", []),
    ])
    return path, school


@pytest.mark.parametrize("page, query", [
    ("pages/overview.py", {"municipality": "01-03"}),
    ("pages/schools.py", {"school": "{school}"}),
    ("pages/results.py", {"school": "{school}"}),
    ("pages/map.py", {"municipality": "01-03"}),
    ("pages/map.py", {"school": "{school}"}),
    ("pages/risks.py", {"school": "{school}"}),
    ("pages/passport.py", {"school": "{school}"}),
    ("pages/report.py", {"report_level": "school", "school": "{school}"}),
    ("pages/report.py", {"municipality": "01-03"}),
    ("pages/show.py", {"municipality": "01-03", "slide": "3"}),
    ("pages/show.py", {"slide": "3"}),
    ("pages/teachers.py", {"municipality": "01-03"}),
    ("pages/targets.py", {"municipality": "01-03"}),
    ("pages/roadmaps.py", {"municipality": "01-03"}),
])
def test_every_page_survives_a_school_without_optional_registry_values(null_db, monkeypatch, page, query):
    path, school = null_db
    monkeypatch.setenv("SHNOR_DB", str(path))
    monkeypatch.setenv("SHNOR_TODAY", TODAY.isoformat())
    app = new_app({k: v.format(school=school) for k, v in query.items()}, timeout=180)
    app.run()
    app.switch_page(page)
    app.run()
    assert_no_exception(app)
    assert app.title, page
