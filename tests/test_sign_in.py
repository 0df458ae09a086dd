"""Sign-in resists guessing: back-off and lockout by account and by address, kept in the database
(a reload or a restarted server does not start afresh), an audit line per failure, and no
bcrypt cost for refused attempts; sessions end when the user's credentials change."""
import datetime as dt
import os

import bcrypt
import pytest

from analytics import sign_in
from analytics.access import Role
from analytics.store import Store
from analytics.users import User, read_users, write_users
from tests.access_helpers import PASSWORD, write_role_users
from tests.apptest_helpers import all_text, assert_no_exception, new_app

T0 = dt.datetime(2026, 11, 22, 10, 0, 0)


@pytest.fixture
def users(tmp_path):
    return read_users(write_role_users(tmp_path / "users.toml"))


@pytest.fixture
def counted_checks(monkeypatch):
    """How many passwords were checked with bcrypt."""
    calls = []
    original = sign_in.check_password
    monkeypatch.setattr(sign_in, "check_password", lambda *a: calls.append(1) or original(*a))
    return calls


def test_failures_back_off_exponentially_then_lock_the_account(empty_store, users, counted_checks):
    at, waits = T0, []
    for _ in range(sign_in.ACCOUNT.lockout_after):
        outcome = sign_in.attempt(empty_store, users, "mun", "wrong password", "10.0.0.1", at=at)
        assert outcome.user is None and not outcome.refused
        waits.append(None if outcome.retry_at is None else (outcome.retry_at - at).total_seconds())
        if outcome.retry_at is not None:      # while it waits, even the right password is refused
            refused = sign_in.attempt(empty_store, users, "mun", PASSWORD, "10.0.0.2", at=outcome.retry_at
                                      - dt.timedelta(seconds=1))
            assert refused.refused and refused.user is None
        at = outcome.retry_at or at
    assert waits[:3] == [None, None, None]            # three free failures
    assert waits[3:9] == [2, 4, 8, 16, 32, 64]         # then each wait doubles
    assert outcome.locked and waits[9] == sign_in.ACCOUNT.lockout.total_seconds()
    assert len(counted_checks) == sign_in.ACCOUNT.lockout_after   # refused attempts cost no bcrypt
    # Locked: the right password from a fresh address is refused until the lockout ends.
    during = sign_in.attempt(empty_store, users, "MUN ", PASSWORD, "10.9.9.9", at=at - dt.timedelta(seconds=1))
    assert during.refused and during.locked and during.retry_at == at
    assert len(counted_checks) == sign_in.ACCOUNT.lockout_after
    after = sign_in.attempt(empty_store, users, "mun", PASSWORD, "10.9.9.9", at=at)
    assert after.user is not None and after.user.username == "mun"
    # Success clears the account: the next wrong password is a free failure again.
    assert sign_in.attempt(empty_store, users, "mun", "wrong", "10.9.9.9", at=at).retry_at is None


def test_one_address_trying_many_names_is_throttled(empty_store, users, counted_checks):
    at = T0
    for n in range(sign_in.CLIENT.lockout_after):
        outcome = sign_in.attempt(empty_store, users, f"guess{n}", "x", "192.0.2.7", at=at)
        at = outcome.retry_at or at
    assert outcome.locked and outcome.retry_at == at
    refused = sign_in.attempt(empty_store, users, "admin", PASSWORD, "192.0.2.7", at=at - dt.timedelta(seconds=1))
    assert refused.refused and refused.locked
    other = sign_in.attempt(empty_store, users, "admin", PASSWORD, "192.0.2.8", at=at - dt.timedelta(seconds=1))
    assert other.user is not None                      # another address is not affected
    assert len(counted_checks) == sign_in.CLIENT.lockout_after + 1


def test_throttle_survives_a_restart_and_failures_are_audited(tmp_path, users):
    path = tmp_path / "auth.duckdb"
    store = Store(path)
    store.migrate()
    at = T0
    for _ in range(sign_in.ACCOUNT.lockout_after):
        outcome = sign_in.attempt(store, users, "school", "guess", "198.51.100.1", at=at)
        at = outcome.retry_at or at
    store.close()
    restarted = Store(path)                            # another process, or the same after a restart
    restarted.migrate()
    try:
        outcome = sign_in.attempt(restarted, users, "school", PASSWORD, "198.51.100.2", at=at - dt.timedelta(minutes=1))
        assert outcome.refused and outcome.locked
        lines = sign_in.audit_lines(restarted)
        failed = lines[lines["outcome"] == "failed"]
        assert len(failed) == sign_in.ACCOUNT.lockout_after
        assert set(failed["detail"]) == {"wrong_password"} and set(failed["username"]) == {"school"}
        assert set(failed["client"]) == {"198.51.100.1"}
        assert lines["outcome"].iloc[-1] == "throttled"
        sign_in.attempt(restarted, users, "nobody", "x", "198.51.100.3", at=at)
        assert sign_in.audit_lines(restarted)["detail"].iloc[-1] == "unknown_user"
    finally:
        restarted.close()


# -- in the app ------------------------------------------------------------------------------------------
@pytest.fixture
def auth_env(app_env, monkeypatch, tmp_path, writable_db_path):
    monkeypatch.setenv("SHNOR_DB", str(writable_db_path))      # the throttle writes to the database
    monkeypatch.setenv("SHNOR_AUTH", "1")
    users_file = write_role_users(tmp_path / "users.toml")
    monkeypatch.setenv("SHNOR_USERS", str(users_file))
    clock = [T0]
    monkeypatch.setattr(sign_in, "now", lambda: clock[0])
    return users_file, clock


def _submit(app, username, password):
    app.text_input(key="auth_username").set_value(username)
    app.text_input(key="auth_password").set_value(password)
    app.button[0].click()
    app.run()
    assert_no_exception(app)
    return app


def test_lockout_message_says_when_to_retry_and_a_reload_does_not_reset_it(auth_env):
    _, clock = auth_env
    app = new_app()
    app.run()
    for _ in range(sign_in.ACCOUNT.lockout_after):
        _submit(app, "mun", "wrong password")
        clock[0] += dt.timedelta(minutes=3)           # past every back-off wait
    clock[0] -= dt.timedelta(minutes=3)
    messages = [e.value for e in app.error]
    assert any("временно закрыт" in m and "Повторите после 10:42" in m for m in messages), messages

    reloaded = new_app()                               # a reload: a new browser session
    reloaded.run()
    _submit(reloaded, "mun", PASSWORD)
    assert any("временно закрыт" in e.value for e in reloaded.error)
    assert not reloaded.sidebar.selectbox              # still only the form

    clock[0] += dt.timedelta(minutes=16)
    _submit(reloaded, "mun", PASSWORD)
    assert any("Вы вошли" in c.value for c in reloaded.sidebar.caption)


def test_back_off_message_gives_the_seconds_to_wait(auth_env):
    app = new_app()
    app.run()
    for _ in range(sign_in.ACCOUNT.free_failures + 1):
        _submit(app, "viewer", "wrong password")
    assert any("Неверное имя" in e.value and "через 2 с" in e.value for e in app.error), [e.value for e in app.error]
    _submit(app, "viewer", PASSWORD)
    assert any("через 2 с" in e.value for e in app.error) and not app.sidebar.selectbox


def _rewrite(users_file, **changes):
    users = read_users(users_file)
    if changes.pop("remove", False):
        users.pop("mun")
    else:
        users["mun"] = User(**{**vars(users["mun"]), **changes})
    write_users(users_file, users)
    stat = users_file.stat()
    os.utime(users_file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))   # a later modification time


@pytest.mark.parametrize("change", ["password", "role", "removed"])
def test_a_credential_change_ends_open_sessions_at_the_next_click(auth_env, change):
    users_file, _ = auth_env
    app = new_app()
    app.run()
    _submit(app, "mun", PASSWORD)
    assert any("Вы вошли" in c.value for c in app.sidebar.caption)
    if change == "password":
        _rewrite(users_file, password_hash=bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode())
    elif change == "role":
        _rewrite(users_file, role=Role.VIEWER, municipality_id=None, region_id="01")
    else:
        _rewrite(users_file, remove=True)
    app.run()
    assert_no_exception(app)
    assert not app.sidebar.selectbox and app.text_input(key="auth_username")
    if change != "removed":
        assert any("Сеанс завершён" in i.value for i in app.info)
    assert "auth_user" not in app.session_state and "_principal" not in app.session_state
    assert "Сергиевский" not in all_text(app)
