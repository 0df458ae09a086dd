"""Access control: roles, scopes, the central read check, write checks, sign-in and per-role pages."""
import datetime as dt
import subprocess
import sys

import pandas as pd
import pytest

from analytics import access, catalog, mentoring, overview, roadmap_status, roadmaps as rm, targets
from analytics.access import AccessDenied, Place, Principal, Role
from analytics.importer import commit, prepare
from analytics.roadmap_import.model import Measure, Period, Schedule
from analytics.roadmap_import.save import save_roadmap
from analytics.store import open_store
from analytics.users import authenticate, read_users
from tests.access_helpers import MUNICIPALITY, OTHER_MUNICIPALITY, PASSWORD, ROLES, SCHOOL, write_role_users
from tests.apptest_helpers import all_text, assert_no_exception, new_app
from tests.conftest import PROJECT_ROOT, TODAY

MUN = Principal("mun", Role.MUNICIPAL, municipality_id=MUNICIPALITY, region_id="01")
SCHOOL_USER = Principal("school", Role.SCHOOL, region_id="01", municipality_id=MUNICIPALITY, school_id=SCHOOL)
VIEWER = Principal("viewer", Role.VIEWER, region_id="01")
REGIONAL = Principal("region", Role.REGIONAL, region_id="01")


# -- the rules -----------------------------------------------------------------------------------
@pytest.mark.parametrize("role, allowed", [
    (Role.ADMIN, set(access.ACTIONS)),
    (Role.REGIONAL, {"read", "edit_status", "edit_roadmap", "edit_mentors", "edit_targets"}),
    (Role.MUNICIPAL, {"read", "edit_status", "edit_roadmap", "edit_mentors"}),
    (Role.METHODOLOGIST, {"read", "edit_status"}),
    (Role.SCHOOL, {"read", "edit_status"}),
    (Role.VIEWER, {"read"}),
])
def test_role_matrix(role, allowed):
    principal = Principal("x", role)
    assert {a for a in access.ACTIONS if principal.can(a)} == allowed


def test_places_inside_and_outside_a_scope():
    assert access.within(MUN, Place("01", MUNICIPALITY, "any"), strict=True)
    assert not access.within(MUN, Place("01", OTHER_MUNICIPALITY), strict=False)
    assert not access.within(MUN, Place("01", None), strict=True)       # a regional unit: not for editing
    assert access.within(MUN, Place("01", None), strict=False)          # but readable
    assert not access.within(SCHOOL_USER, Place("01", MUNICIPALITY, "0100101"), strict=True)
    assert not access.within(MUN, None, strict=False)
    with pytest.raises(AccessDenied):
        access.require(VIEWER, "edit_status")
    access.require(REGIONAL, "edit_targets", Place("01"))


def test_complete_fills_region_and_municipality(demo_store):
    school = access.complete(demo_store, Principal("s", Role.SCHOOL, school_id=SCHOOL))
    assert (school.region_id, school.municipality_id) == ("01", MUNICIPALITY)
    ghost = access.complete(demo_store, Principal("g", Role.MUNICIPAL, municipality_id="99-99"))
    assert ghost.region_id not in (None, "01")     # an unknown municipality sees nothing


# -- the central read check (what ui.cache.compute applies to every call) ---------------------------
def _allowed(store, p):
    return access.allowed_ids(store, p.region_id, p.municipality_id, p.school_id)


def test_reads_outside_the_scope_are_refused(demo_store):
    allowed = _allowed(demo_store, MUN)
    access.check_call(demo_store, MUN, allowed, overview.list_change, ("01", MUNICIPALITY, 2026), {})
    for function, args in [(overview.list_change, ("01", OTHER_MUNICIPALITY, 2026)),
                           (overview.list_change, ("02", None, 2026)),
                           (catalog.schools, (None,)),
                           (rm.units, (rm.RoadmapFilter("01", OTHER_MUNICIPALITY), TODAY))]:
        with pytest.raises(AccessDenied):
            access.check_call(demo_store, MUN, allowed, function, args, {})
    other_school = demo_store.scalar("SELECT min(school_id) FROM schools WHERE municipality_id = ?", [OTHER_MUNICIPALITY])
    from analytics import comparison
    with pytest.raises(AccessDenied):
        access.check_call(demo_store, MUN, allowed, comparison.school_info, (other_school,), {})
    other_roadmap = demo_store.scalar("SELECT min(roadmap_id) FROM roadmaps WHERE municipality_id = ?",
                                      [OTHER_MUNICIPALITY])
    with pytest.raises(AccessDenied):
        access.check_call(demo_store, MUN, allowed, rm.units, (rm.RoadmapFilter("01", roadmap_id=other_roadmap), TODAY), {})
    regional = demo_store.scalar("SELECT min(roadmap_id) FROM roadmaps WHERE level = 'region'")
    access.check_call(demo_store, MUN, allowed, rm.units, (rm.RoadmapFilter("01", MUNICIPALITY, roadmap_id=regional), TODAY), {})


def test_results_lose_rows_outside_the_scope(demo_store):
    allowed = _allowed(demo_store, MUN)
    schools = access.filter_result(MUN, allowed, catalog.schools(demo_store, "01", None))
    expected = demo_store.scalar("SELECT count(*) FROM schools WHERE municipality_id = ?", [MUNICIPALITY])
    assert len(schools) == expected > 0
    municipalities = access.filter_result(MUN, allowed, catalog.municipalities(demo_store, "01"))
    assert municipalities["municipality_id"].tolist() == [MUNICIPALITY]
    nested = access.filter_result(MUN, allowed, {"a": [catalog.schools(demo_store, "01", None)]})
    assert len(nested["a"][0]) == expected
    school_allowed = _allowed(demo_store, SCHOOL_USER)
    assert access.filter_result(SCHOOL_USER, school_allowed,
                                catalog.schools(demo_store, "01", MUNICIPALITY))["school_id"].tolist() == [SCHOOL]


# -- writes are checked in the analytics layer ---------------------------------------------------------
def _unit(store, where: str, params=()):
    return store.query_rows(
        "SELECT u.unit_id, u.version FROM measure_status u JOIN measures me USING (measure_id) "
        "JOIN roadmaps r USING (roadmap_id) LEFT JOIN schools s ON s.school_id = u.school_id "
        f"WHERE {where} ORDER BY u.unit_id LIMIT 1", list(params))[0]


def test_status_edits_only_within_the_scope(writable_db_path):
    store = open_store(writable_db_path)
    edit = roadmap_status.Edit("in_progress")
    own = _unit(store, "u.school_id = ?", [SCHOOL])
    other_school = _unit(store, "s.municipality_id = ? AND u.school_id <> ?", [MUNICIPALITY, SCHOOL])
    other_municipality = _unit(store, "s.municipality_id = ?", [OTHER_MUNICIPALITY])
    regional = _unit(store, "r.level = 'region' AND u.school_id IS NULL")
    assert roadmap_status.save_status(store, *own, edit, "школа", TODAY, principal=SCHOOL_USER) == own[1] + 1
    for unit in (other_school, regional):
        with pytest.raises(AccessDenied):
            roadmap_status.save_status(store, *unit, edit, "школа", TODAY, principal=SCHOOL_USER)
    roadmap_status.save_status(store, *other_school, edit, "мун", TODAY, principal=MUN)
    for unit in (other_municipality, regional):
        with pytest.raises(AccessDenied):
            roadmap_status.save_status(store, *unit, edit, "мун", TODAY, principal=MUN)
    with pytest.raises(AccessDenied):
        roadmap_status.save_status(store, *other_school, edit, "зритель", TODAY, principal=VIEWER)
    methodologist = Principal("m", Role.METHODOLOGIST, region_id="01", municipality_id=MUNICIPALITY)
    with access.acting_as(methodologist):        # the acting principal is used when none is passed
        with pytest.raises(AccessDenied):
            roadmap_status.save_status(store, *other_municipality, edit, "метод", TODAY)
    assert roadmap_status.current_unit(store, other_municipality[0])["version"] == other_municipality[1]
    # A table save with one row outside the rights saves nothing.
    base = pd.DataFrame({"unit_id": [own[0], regional[0]], "version": [own[1] + 1, regional[1]],
                         "status": "not_started", "completed_on": None, "comment": None, "evidence_url": None})
    edited = base.assign(status="in_progress")
    with pytest.raises(AccessDenied):
        roadmap_status.save_table(store, base, edited, "школа", TODAY, principal=SCHOOL_USER)
    assert roadmap_status.current_unit(store, own[0])["status"] == "in_progress"
    assert roadmap_status.current_unit(store, own[0])["version"] == own[1] + 1


def test_other_writes_check_the_role_and_scope(writable_db_path):
    store = open_store(writable_db_path)
    prepared = prepare(store, "kpi_targets", "t.csv",
                       "target_id;scope_level;scope_id;year;target_low\nlist_reduction;region;01;2027;0,1\n".encode())
    for who in (REGIONAL, MUN, VIEWER):
        with pytest.raises(AccessDenied):
            commit(store, prepared, "x", principal=who)
    frame = targets.region_targets(store, "01")
    with pytest.raises(AccessDenied):
        targets.save_targets(store, frame, replace_region="01", principal=MUN)
    assert targets.save_targets(store, frame, replace_region="01", principal=REGIONAL) == len(frame)
    mentee = store.scalar("SELECT min(school_id) FROM schools WHERE municipality_id = ?", [OTHER_MUNICIPALITY])
    with pytest.raises(AccessDenied):
        mentoring.set_pair(store, 2026, mentee, None, "мун", principal=MUN)
    measure = Measure("1", None, "Семинар", ["Отдел"], "по плану", Schedule(kind="unspecified"))
    period = Period(dt.date(2027, 1, 1), dt.date(2027, 12, 31))
    with pytest.raises(AccessDenied):
        save_roadmap(store, title="РК", period=period, measures=[measure], level="region", region_id="01",
                     principal=MUN)
    with pytest.raises(AccessDenied):
        save_roadmap(store, title="РК", period=period, measures=[measure], level="municipality",
                     municipality_id=OTHER_MUNICIPALITY, principal=MUN)
    assert save_roadmap(store, title="РК", period=period, measures=[measure], level="municipality",
                        municipality_id=MUNICIPALITY, principal=MUN) > 0


# -- users file and command line ---------------------------------------------------------------------
def test_users_cli_adds_a_user_with_a_hashed_password(tmp_path):
    path = tmp_path / "users.toml"
    command = [sys.executable, "-m", "analytics.users", "--file", str(path), "add", "ivanova", "--role", "municipal",
               "--municipality", MUNICIPALITY, "--name", "Иванова \"Н\" П.", "--password-stdin"]
    done = subprocess.run(command, input="пароль-надёжный\n", capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert done.returncode == 0, done.stderr
    text = path.read_text(encoding="utf-8")
    assert "пароль-надёжный" not in text and "$2b$" in text
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    users = read_users(path)
    assert users["ivanova"].name == "Иванова \"Н\" П." and users["ivanova"].role is Role.MUNICIPAL
    assert authenticate(users, "Ivanova", "пароль-надёжный").username == "ivanova"
    assert authenticate(users, "ivanova", "не тот") is None and authenticate(users, "nobody", "x") is None
    bad = subprocess.run([*command[:7], "--password-stdin"], input="пароль-надёжный\n", capture_output=True,
                         text=True, cwd=PROJECT_ROOT)               # municipal without a municipality
    assert bad.returncode == 2 and "municipality" in bad.stderr
    short = subprocess.run(command, input="short\n", capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert short.returncode == 2


# -- pages per role (AppTest, sign-in on) -------------------------------------------------------------
@pytest.fixture
def auth_env(app_env, monkeypatch, tmp_path):
    monkeypatch.setenv("SHNOR_AUTH", "1")
    monkeypatch.setenv("SHNOR_USERS", str(write_role_users(tmp_path / "users.toml")))
    return app_env


def _as(user, page=None, query=None, timeout=120):
    app = new_app(query, timeout)
    app.session_state["auth_user"] = user
    app.run()
    assert_no_exception(app)
    if page:
        app.switch_page(page)
        app.run()
        assert_no_exception(app)
    return app


def test_sign_in_form_then_the_app(auth_env):
    app = new_app()
    app.run()
    assert_no_exception(app)
    assert not app.sidebar.selectbox          # nothing but the form before signing in
    app.text_input(key="auth_username").set_value("mun")
    app.text_input(key="auth_password").set_value("wrong password")
    app.button[0].click()
    app.run()
    assert any("Неверное имя" in e.value for e in app.error)
    app.text_input(key="auth_username").set_value("mun")
    app.text_input(key="auth_password").set_value(PASSWORD)
    app.button[0].click()
    app.run()
    assert_no_exception(app)
    assert "Сергиевский" in all_text(app)
    assert any("Вы вошли" in c.value for c in app.sidebar.caption)


def _table_cells(app) -> set[str]:
    """Every cell of every table and every choice of every selectbox, except mentor columns:
    the mentor paired with (or proposed for) an own school may be in another municipality."""
    cells = set()
    for frame in app.dataframe:
        value = frame.value
        value = value[[c for c in value.columns if "аставник" not in str(c) and str(c) != "Предложение"]]
        cells |= {str(v) for v in value.astype(str).to_numpy().ravel()}
    for box in app.selectbox:
        cells |= {str(o) for o in box.options}
    return cells


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/schools.py", "pages/results.py", "pages/risks.py",
                                  "pages/roadmaps.py", "pages/teachers.py", "pages/targets.py", "pages/map.py",
                                  "pages/passport.py", "pages/show.py", "pages/report.py"])
def test_municipal_user_sees_only_the_own_municipality(auth_env, demo_store, page):
    app = _as("mun", page)
    municipality = next(s for s in app.sidebar.selectbox if s.label == "Муниципалитет")
    assert municipality.options == ["Сергиевский муниципальный район"]
    outside = demo_store.query_df("SELECT school_id, short_name FROM schools WHERE municipality_id <> ?", [MUNICIPALITY])
    cells = _table_cells(app)
    leaked = {s for s, n in zip(outside["school_id"], outside["short_name"]) if (s in cells or n in cells)}
    assert not leaked


def test_url_outside_the_scope_falls_back_with_a_message(auth_env, demo_store):
    other_school = demo_store.scalar("SELECT min(school_id) FROM schools WHERE municipality_id = ?", [OTHER_MUNICIPALITY])
    app = _as("mun", query={"municipality": OTHER_MUNICIPALITY, "region": "02"})
    warnings = [w.value for w in app.warning]
    assert any("«municipality»" in w and "недоступен вам" in w for w in warnings)
    assert any("«region»" in w for w in warnings)
    assert app.session_state["filter_municipality"] == MUNICIPALITY
    assert "Сергиевский" in all_text(app)
    name = demo_store.scalar("SELECT short_name FROM schools WHERE school_id = ?", [other_school])
    for page in ("pages/results.py", "pages/schools.py", "pages/risks.py", "pages/map.py", "pages/passport.py"):
        app = _as("mun", page, query={"school": other_school})     # the URL names a school of another district
        assert name not in all_text(app) and name not in _table_cells(app)


def test_pages_and_controls_follow_the_role(auth_env):
    titles = {r: None for r in ROLES}
    for user in titles:
        app = _as(user)
        titles[user] = app
    admin, viewer = _as("admin", "pages/import_files.py"), None
    assert "Загрузка" in all_text(admin) or admin.file_uploader
    for user in ("mun", "viewer", "school", "method", "region"):
        with pytest.raises(Exception):
            _as(user, "pages/import_files.py")           # not in their navigation at all
    _as("mun", "pages/roadmap_import.py")
    with pytest.raises(Exception):
        _as("viewer", "pages/roadmap_import.py")
    viewer = _as("viewer", "pages/roadmaps.py")
    assert any("только просматривать" in i.value for i in viewer.info)
    assert not viewer.data_editor
    targets_viewer = _as("viewer", "pages/targets.py")
    assert not [b for b in targets_viewer.button if b.key == "targets_save"]
    targets_regional = _as("region", "pages/targets.py")
    assert [b for b in targets_regional.button if b.key == "targets_save"]


def test_school_user_edits_only_the_own_school(auth_env, demo_store):
    roadmap_id = demo_store.scalar("SELECT min(roadmap_id) FROM roadmaps WHERE municipality_id = ? "
                                   "AND level = 'municipality'", [MUNICIPALITY])
    app = _as("school", "pages/roadmaps.py", query={"rm_roadmap": str(roadmap_id)})
    editor = app.data_editor[0].value
    own = demo_store.query_df("SELECT unit_id FROM measure_status u JOIN measures USING (measure_id) "
                              "WHERE roadmap_id = ? AND school_id = ? AND year(due_date) = 2026",
                              [roadmap_id, SCHOOL])
    assert len(editor) > 0 and set(editor["unit_id"]) <= set(own["unit_id"])
    assert any("своей школы" in c.value for c in app.caption)


def test_report_levels_stay_inside_the_scope(auth_env):
    municipal = _as("mun", "pages/report.py")
    assert municipal.main.radio[0].options == ["Муниципалитет", "Школа"]
    regional = _as("region", "pages/report.py")
    assert "Регион" in regional.main.radio[0].options
