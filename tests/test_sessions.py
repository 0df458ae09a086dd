"""Nothing of one user stays in a session another user signs in to; every page runs for every
role; an unexpected error shows an incident id, its traceback goes to the server log only."""
import logging
import re

import pytest

from tests.access_helpers import MUNICIPALITY, PASSWORD, ROLES, SCHOOL, write_role_users
from tests.apptest_helpers import all_text, assert_no_exception, incidents, new_app
from ui import navigation as page_registry
from ui import session


@pytest.fixture
def auth_env(app_env, monkeypatch, tmp_path, writable_db_path):
    monkeypatch.setenv("SHNOR_DB", str(writable_db_path))      # sign-in attempts are written to the database
    monkeypatch.setenv("SHNOR_AUTH", "1")
    monkeypatch.setenv("SHNOR_USERS", str(write_role_users(tmp_path / "users.toml")))
    return writable_db_path


def _sign_in(app, username):
    app.text_input(key="auth_username").set_value(username)
    app.text_input(key="auth_password").set_value(PASSWORD)
    app.button[0].click()
    app.run()
    assert_no_exception(app)
    assert any("Вы вошли" in c.value for c in app.sidebar.caption)
    return app


def _open(app, script):
    app.switch_page(script)
    app.run()
    assert_no_exception(app)
    return app


def test_sign_out_then_another_user_finds_nothing_of_the_first(auth_env, demo_store):
    roadmap_id = demo_store.scalar("SELECT min(roadmap_id) FROM roadmaps WHERE municipality_id = ? "
                                   "AND level = 'municipality'", [MUNICIPALITY])
    app = new_app({"rm_roadmap": str(roadmap_id)}, timeout=120)
    app.run()
    _sign_in(app, "mun")
    _open(app, "pages/roadmaps.py")
    editor = app.data_editor[0]
    units_of_a = set(editor.value["unit_id"])
    schools_of_a = set(app.session_state["roadmaps_snapshot"]["frame"]["school_id"].dropna())
    assert len(schools_of_a) > 1                       # the municipal user edits several schools' units
    app.session_state[editor.key] = {"edited_rows": {0: {"comment": "черновик A"}}, "added_rows": [],
                                     "deleted_rows": []}
    app.run()
    assert_no_exception(app)
    keys_of_a = set(app.session_state.keys())

    app.sidebar.button(key="auth_sign_out").click()
    app.run()
    assert_no_exception(app)
    left = set(app.session_state.keys())
    fresh = new_app()
    fresh.run()
    assert left <= set(fresh.session_state.keys()) | set(session.DEVICE_KEYS), left   # as a new session
    assert app.session_state["auth_username"] == "" and not app.session_state["auth_password"]
    assert {"roadmaps_snapshot", "auth_user", "_principal", "scope_labels"} <= keys_of_a
    assert "rm_roadmap" not in app.query_params       # A's choices in the URL are gone too

    _sign_in(app, "school")
    _open(app, "pages/roadmaps.py")
    assert "roadmaps_snapshot" not in app.session_state or \
        set(app.session_state["roadmaps_snapshot"]["frame"]["school_id"].dropna()) <= {SCHOOL}
    url = {"rm_roadmap": str(roadmap_id)}
    for key, value in url.items():
        app.query_params[key] = value
    app.session_state["roadmaps_rm_roadmap"] = roadmap_id
    app.run()
    assert_no_exception(app)
    editor = app.data_editor[0]
    assert set(editor.value["unit_id"]) < units_of_a          # only the school's own units
    assert set(app.session_state["roadmaps_snapshot"]["frame"]["school_id"].dropna()) == {SCHOOL}
    assert "черновик A" not in set(editor.value["comment"].dropna())
    assert "Тест mun" not in all_text(app)


PAGES = [p.script for p in page_registry.PAGES]


@pytest.mark.parametrize("user", list(ROLES))
def test_every_page_runs_for_every_role(auth_env, user):
    app = new_app(timeout=180)
    app.session_state["auth_user"] = user
    app.run()
    assert_no_exception(app)
    allowed = {p.script for p in page_registry.PAGES
               if p.key not in page_registry.PAGE_ACTIONS or _can(user, page_registry.PAGE_ACTIONS[p.key])}
    for script in PAGES:
        if script in allowed:
            _open(app, script)
            assert app.title, (user, script)
        else:
            with pytest.raises(Exception):             # not in this role's navigation at all
                app.switch_page(script)
                app.run()


def _can(user, action):
    from analytics.access import PERMISSIONS
    return action in PERMISSIONS[ROLES[user]["role"]]


def test_school_user_gets_the_report_page(auth_env):
    app = new_app(timeout=120)
    app.session_state["auth_user"] = "school"
    app.run()
    _open(app, "pages/report.py")
    assert app.main.radio[0].options == ["Школа"]
    assert app.main.selectbox(key="report_school").options[-1].endswith(f"({SCHOOL})")


def test_an_unexpected_error_shows_an_incident_id_and_logs_the_traceback(app_env, monkeypatch, caplog):
    import ui.shell

    def broken(*args, **kwargs):
        raise RuntimeError("secret detail at /srv/shnor/analytics/secret.py")

    app = new_app(timeout=120)
    app.run()
    assert_no_exception(app)
    monkeypatch.setattr(ui.shell, "page_header", broken)
    with caplog.at_level(logging.ERROR, logger="shnor.incident"):
        app.switch_page("pages/targets.py")
        app.run()
    assert not app.exception                           # no Streamlit traceback box
    shown = incidents(app)
    assert len(shown) == 1 and shown[0].startswith("Непредвиденная ошибка")
    incident = re.search(r"инцидента: ([0-9a-f]{10})", shown[0]).group(1)
    text = all_text(app)
    assert "secret" not in text and "/srv/" not in text and "Traceback" not in text
    logged = [r for r in caplog.records if r.name == "shnor.incident"]
    assert len(logged) == 1 and incident in logged[0].getMessage() and logged[0].exc_info
    assert "secret detail" in caplog.text and "Traceback" in caplog.text


def test_signing_in_as_another_user_drops_what_the_previous_one_left(auth_env):
    app = new_app(timeout=120)
    app.session_state[session.OWNER] = "mun"                  # a session that held mun's state …
    app.session_state["roadmaps_snapshot"] = {"key": "of mun"}
    app.session_state["report_built"] = ("mun's request", b"docx")
    app.run()
    _sign_in(app, "school")                                   # … and school signs in without a sign-out
    assert "roadmaps_snapshot" not in app.session_state and "report_built" not in app.session_state
    assert app.session_state[session.OWNER] == "school"


def test_signing_in_again_as_the_same_user_keeps_the_deep_link(auth_env):
    app = new_app({"school": SCHOOL}, timeout=120)
    app.run()
    _sign_in(app, "mun")
    assert app.query_params.get("school") in (SCHOOL, [SCHOOL])
