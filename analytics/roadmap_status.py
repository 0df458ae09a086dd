"""Reporting the execution of roadmap measures: validated, versioned, with history.

Every save is an optimistic update: ``UPDATE ... WHERE unit_id = ? AND version = ?``.
If someone else saved the unit since the editor loaded it, no row matches, nothing is
written and :class:`EditConflict` carries the current values, so the second editor sees
them instead of silently overwriting them. Each successful save writes the new version
to ``measure_status_history`` with who and when.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from analytics import access
from analytics.access import Principal
from analytics.store import Store
from analytics.query import UnitId

# What people report; «просрочено» and «выполнено с опозданием» are derived from dates.
EDITABLE_STATUSES = ("not_started", "in_progress", "done", "not_applicable")
EDITABLE_COLUMNS = ("status", "completed_on", "comment", "evidence_url")
MAX_TEXT = 2000

UPDATE_UNIT = """
UPDATE measure_status
SET status = $status, completed_on = $completed_on, comment = $comment, evidence_url = $evidence_url,
    version = version + 1, updated_by = $user, updated_at = $now
WHERE unit_id = $unit_id AND version = $version
"""

INSERT_HISTORY = """
INSERT INTO measure_status_history
    (unit_id, version, status, completed_on, comment, evidence_url, changed_by, changed_at)
SELECT unit_id, version, status, completed_on, comment, evidence_url, updated_by, updated_at
FROM measure_status WHERE unit_id = $unit_id
"""

CURRENT_UNIT = """
SELECT unit_id, status, completed_on, comment, evidence_url, version, updated_by, updated_at
FROM measure_status WHERE unit_id = ?
"""

UNIT_HISTORY = """
SELECT version, status, completed_on, comment, evidence_url, changed_by, changed_at
FROM measure_status_history WHERE unit_id = ?
ORDER BY version DESC
"""


class EditConflict(Exception):
    """The unit changed since it was loaded; ``current`` holds its values now."""

    def __init__(self, unit_id: int, current: dict | None):
        super().__init__(f"unit {unit_id} was changed by someone else")
        self.unit_id = unit_id
        self.current = current
        self.attempted: "Edit | None" = None


class InvalidEdit(ValueError):
    """The edit breaks a rule; ``errors`` are codes (the UI names them in its language)."""

    def __init__(self, unit_id: int, errors: list[str]):
        super().__init__(f"unit {unit_id}: {', '.join(errors)}")
        self.unit_id = unit_id
        self.errors = errors


@dataclass
class Edit:
    status: str
    completed_on: dt.date | None = None
    comment: str | None = None
    evidence_url: str | None = None


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT \
        or (isinstance(value, str) and not value.strip())


def _as_date(value) -> dt.date | None:
    if _blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return pd.Timestamp(value).date()


def normalise(edit: Edit) -> Edit:
    """Trim texts; a completion date only belongs to «выполнено» (dropped for other statuses)."""
    status = edit.status.strip() if isinstance(edit.status, str) else edit.status
    completed = _as_date(edit.completed_on) if status == "done" else None
    comment = None if _blank(edit.comment) else str(edit.comment).strip()
    url = None if _blank(edit.evidence_url) else str(edit.evidence_url).strip()
    return Edit(status, completed, comment, url)


def validate(edit: Edit, user: str | None, today: dt.date) -> list[str]:
    """Error codes; an empty list means the edit may be saved. Call on a normalised edit."""
    errors = []
    if _blank(user):
        errors.append("user_required")
    if edit.status not in EDITABLE_STATUSES:
        errors.append("bad_status")
    if edit.status == "done" and edit.completed_on is None:
        errors.append("completed_required")
    if edit.completed_on is not None and edit.completed_on > today:
        errors.append("completed_in_future")
    if edit.status == "not_applicable" and not edit.comment:
        errors.append("comment_required")
    if edit.evidence_url and not edit.evidence_url.lower().startswith(("http://", "https://")):
        errors.append("bad_url")
    if any(len(v) > MAX_TEXT for v in (edit.comment or "", edit.evidence_url or "")):
        errors.append("too_long")
    return errors


def current_unit(store: Store, unit_id: UnitId) -> dict | None:
    frame = store.query_df(CURRENT_UNIT, [unit_id])
    if frame.empty:
        return None
    row = frame.iloc[0].to_dict()
    row["completed_on"] = _as_date(row["completed_on"])
    return row


def write_unit(cur, unit_id: UnitId, expected_version: int, edit: Edit, user: str, now: dt.datetime) -> bool:
    """Inside the caller's transaction: write one validated edit and its history line if the
    unit still has ``expected_version``; False (nothing written) if someone changed it since."""
    params = {"status": edit.status, "completed_on": edit.completed_on, "comment": edit.comment,
              "evidence_url": edit.evidence_url, "user": user.strip(), "now": now,
              "unit_id": int(unit_id), "version": int(expected_version)}
    if cur.execute(UPDATE_UNIT, params).fetchall()[0][0] != 1:
        return False
    cur.execute(INSERT_HISTORY, {"unit_id": int(unit_id)})
    return True


def save_status(store: Store, unit_id: int, expected_version: int, edit: Edit, user: str,
                today: dt.date, now: dt.datetime | None = None, principal: Principal | None = None) -> int:
    """Save one unit if it still has ``expected_version``; returns the new version.

    Raises AccessDenied (the unit is outside the acting user's scope or role), InvalidEdit
    (nothing written) or EditConflict (nothing written; the current values attached).
    """
    access.require_at(store, principal, "edit_status", unit_id=int(unit_id))
    edit = normalise(edit)
    errors = validate(edit, user, today)
    if errors:
        raise InvalidEdit(unit_id, errors)
    now = now or dt.datetime.now()
    with store.write_lock:
        try:
            with store.transaction() as cur:
                if not write_unit(cur, int(unit_id), int(expected_version), edit, user, now):
                    raise EditConflict(unit_id, None)
                store.bump_data_version(cur, tables=["measure_status", "measure_status_history"])
        except EditConflict as conflict:
            conflict.current = current_unit(store, unit_id)
            raise
    return int(expected_version) + 1


def unit_history(store: Store, unit_id: UnitId) -> pd.DataFrame:
    return store.query_df(UNIT_HISTORY, [unit_id])


@dataclass
class SaveReport:
    saved: list[int] = field(default_factory=list)
    conflicts: list[EditConflict] = field(default_factory=list)
    invalid: list[InvalidEdit] = field(default_factory=list)


def changed_rows(original: pd.DataFrame, edited: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``edited`` whose editable columns differ from ``original`` (matched on unit_id)."""
    before = original.set_index("unit_id")
    after = edited.set_index("unit_id")
    changed = []
    for unit_id, row in after.iterrows():
        old = before.loc[unit_id]
        for column in EDITABLE_COLUMNS:
            a, b = row[column], old[column]
            if column == "completed_on":
                a, b = _as_date(a), _as_date(b)
            elif _blank(a) and _blank(b):
                continue
            if (a is None) != (b is None) or (a is not None and a != b):
                changed.append(unit_id)
                break
    return edited[edited["unit_id"].isin(changed)]


def save_table(store: Store, original: pd.DataFrame, edited: pd.DataFrame, user: str,
               today: dt.date, principal: Principal | None = None) -> SaveReport:
    """Save every changed row of an edited table, each against the version it was loaded with,
    in ONE transaction: all the rows it saves are committed together or none is.

    All changed rows are validated first: if any is invalid, nothing is saved (the editor
    keeps the user's input to fix); if any is outside the user's rights, AccessDenied is
    raised and nothing is saved. A row someone else changed meanwhile is refused (a
    conflict, with its current values) without blocking the others. Any error while writing
    (the database, the server) rolls the whole save back and is raised: nothing was saved.
    """
    report = SaveReport()
    versions = original.set_index("unit_id")["version"]
    edits = [(int(row.unit_id), normalise(Edit(row.status, row.completed_on, row.comment, row.evidence_url)))
             for row in changed_rows(original, edited).itertuples(index=False)]
    for unit_id, edit in edits:
        errors = validate(edit, user, today)
        if errors:
            report.invalid.append(InvalidEdit(unit_id, errors))
    if report.invalid:
        return report
    for unit_id, _ in edits:     # one unit outside the user's rights: nothing is saved
        access.require_at(store, principal, "edit_status", unit_id=unit_id)
    if not edits:
        return report
    now = dt.datetime.now()
    refused = []
    with store.write_lock:
        with store.transaction() as cur:
            for unit_id, edit in edits:
                if write_unit(cur, unit_id, int(versions.loc[unit_id]), edit, user, now):
                    report.saved.append(unit_id)
                else:
                    refused.append((unit_id, edit))
            if report.saved:
                store.bump_data_version(cur, tables=["measure_status", "measure_status_history"])
    for unit_id, edit in refused:
        conflict = EditConflict(unit_id, current_unit(store, unit_id))
        conflict.attempted = edit
        report.conflicts.append(conflict)
    return report
