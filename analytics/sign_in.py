"""Sign-in that resists guessing: throttled by account and by client address, in the database.

Failures are counted per account name tried and per client address in ``sign_in_throttle``
(so a reload, a new browser session or a restarted server does not start afresh). After a
few free failures each further one makes the next attempt wait twice as long; after
``lockout_after`` failures the account (or the address) is locked for ``lockout``. An
attempt that is refused costs no bcrypt check: guessing cannot slow everyone else down.

An attempt is counted as a failure *before* its password is checked and refunded when it
succeeds, so parallel attempts cannot slip through between the check and the count.
Every failure, refusal and success is written to ``sign_in_audit`` and to the server log.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from analytics.store import Store
from analytics.users import User, check_password

log = logging.getLogger("shnor.sign_in")


@dataclass(frozen=True)
class Policy:
    free_failures: int          # failures in a row before any wait
    base_delay: float           # seconds to wait after the first failure beyond the free ones, doubling
    max_delay: float
    lockout_after: int          # failures in a row that lock the account or address
    lockout: dt.timedelta
    forget_after: dt.timedelta  # failures this old no longer count

    def blocked_until(self, failures: int, now: dt.datetime) -> dt.datetime | None:
        if failures >= self.lockout_after:
            return now + self.lockout
        if failures > self.free_failures:
            return now + dt.timedelta(seconds=min(self.base_delay * 2 ** (failures - self.free_failures - 1),
                                                  self.max_delay))
        return None


ACCOUNT = Policy(free_failures=3, base_delay=2, max_delay=120, lockout_after=10,
                 lockout=dt.timedelta(minutes=15), forget_after=dt.timedelta(hours=24))
# One address may serve a whole school office: more failures before it waits or is locked.
CLIENT = Policy(free_failures=10, base_delay=2, max_delay=120, lockout_after=30,
                lockout=dt.timedelta(minutes=15), forget_after=dt.timedelta(hours=1))
POLICIES = {"account": ACCOUNT, "client": CLIENT}


def now() -> dt.datetime:
    """The clock of sign-in (tests replace it)."""
    return dt.datetime.now()


@dataclass(frozen=True)
class Outcome:
    user: User | None = None
    retry_at: dt.datetime | None = None     # refused or failed: no attempt is checked before this time
    locked: bool = False                    # the wait is a lockout (not a short back-off)
    refused: bool = False                   # refused by the throttle: the password was not checked


READ = "SELECT kind, failures, last_failure_at, blocked_until FROM sign_in_throttle WHERE kind = ? AND key = ?"
UPSERT = """
INSERT OR REPLACE INTO sign_in_throttle (kind, key, failures, last_failure_at, blocked_until)
VALUES (?, ?, ?, ?, ?)
"""
CLEAR = "DELETE FROM sign_in_throttle WHERE kind = ? AND key = ?"
AUDIT = "INSERT INTO sign_in_audit (attempted_at, username, client, outcome, detail) VALUES (?, ?, ?, ?, ?)"


def _keys(username: str, client: str) -> list[tuple[str, str]]:
    return [("account", username), ("client", client)]


def _normal(username: str) -> str:
    return (username or "").strip().lower()[:80]


def _state(cur, kind: str, key: str, at: dt.datetime) -> tuple[int, dt.datetime | None]:
    rows = cur.execute(READ, [kind, key]).fetchall()
    if not rows:
        return 0, None
    _, failures, last, blocked = rows[0]
    if last < at - POLICIES[kind].forget_after:
        return 0, None
    return int(failures), blocked


def _audit(cur, at: dt.datetime, username: str, client: str, outcome: str, detail: str | None) -> None:
    cur.execute(AUDIT, [at, username, client, outcome, detail])
    (log.info if outcome == "signed_in" else log.warning)(
        "sign-in %s: user=%r client=%s%s", outcome, username, client, f" ({detail})" if detail else "")


def attempt(store: Store, users: dict[str, User], username: str, password: str, client: str | None,
            at: dt.datetime | None = None) -> Outcome:
    """Check a sign-in through the throttle; the password is checked only if the throttle lets it."""
    at = at or now()
    name, client = _normal(username), (client or "unknown")[:80]
    with store.transaction() as cur:
        states = {kind: _state(cur, kind, key, at) for kind, key in _keys(name, client)}
        waits = [(blocked, states[kind][0] >= POLICIES[kind].lockout_after)
                 for kind, (_, blocked) in states.items() if blocked is not None and blocked > at]
        if waits:
            retry_at, locked = max(waits)
            _audit(cur, at, name, client, "throttled", f"until {retry_at:%Y-%m-%d %H:%M:%S}")
            return Outcome(retry_at=retry_at, locked=locked, refused=True)
        # Counted as a failure before the check (refunded below on success).
        counted = {}
        for kind, key in _keys(name, client):
            failures = states[kind][0] + 1
            blocked = POLICIES[kind].blocked_until(failures, at)
            cur.execute(UPSERT, [kind, key, failures, at, blocked])
            counted[kind] = (failures, blocked)
    user = users.get(name)
    ok = check_password(password or "", user.password_hash if user else None)
    with store.transaction() as cur:
        if ok:
            cur.execute(CLEAR, ["account", name])
            failures = counted["client"][0] - 1
            if failures > 0:
                cur.execute(UPSERT, ["client", client, failures, at, None])
            else:
                cur.execute(CLEAR, ["client", client])
            _audit(cur, at, name, client, "signed_in", None)
            return Outcome(user=user)
        _audit(cur, at, name, client, "failed", "wrong_password" if user else "unknown_user")
    waits = [(blocked, counted[kind][0] >= POLICIES[kind].lockout_after)
             for kind, (_, blocked) in counted.items() if blocked is not None]
    retry_at, locked = max(waits) if waits else (None, False)
    return Outcome(retry_at=retry_at, locked=locked)


AUDIT_LINES = "SELECT attempted_at, username, client, outcome, detail FROM sign_in_audit ORDER BY audit_id"


def audit_lines(store: Store):
    """Every sign-in attempt, oldest first (served mode: read from PostgreSQL, not a copy)."""
    return store.query_written(AUDIT_LINES)
