"""Reporting execution: validation, history, and two editors saving the same unit."""
import datetime as dt
import threading

import pandas as pd
import pytest

from analytics import roadmap_status as rs
from analytics.store import insert_df

TODAY = dt.date(2026, 11, 22)


@pytest.fixture
def unit(empty_store):
    cur = empty_store.cursor()
    cur.execute("INSERT INTO meta VALUES ('data_version', 'v0')")
    cur.execute("INSERT INTO roadmaps VALUES (1, 'region', '01', NULL, NULL, 'РК', '2026-01-01', '2026-12-31', 'test')")
    cur.execute("INSERT INTO measures (measure_id, roadmap_id, number, title, schedule_kind) VALUES (1, 1, '1', 'M', 'dates')")
    insert_df(cur, "measure_status", pd.DataFrame({
        "unit_id": [1, 2], "measure_id": 1, "due_date": [dt.date(2026, 10, 31), dt.date(2026, 12, 31)],
        "status": "not_started", "version": 1}))
    return empty_store


def history(store, unit_id=1):
    return rs.unit_history(store, unit_id)


def test_save_writes_the_unit_and_its_history(unit):
    new_version = rs.save_status(unit, 1, 1, rs.Edit("done", dt.date(2026, 11, 2), " протокол ",
                                                     "https://example.org/p.pdf"), "Иванова", TODAY)
    assert new_version == 2
    current = rs.current_unit(unit, 1)
    assert (current["status"], current["completed_on"], current["comment"], current["version"],
            current["updated_by"]) == ("done", dt.date(2026, 11, 2), "протокол", 2, "Иванова")
    rows = history(unit)
    assert rows[["version", "status", "changed_by"]].values.tolist() == [[2, "done", "Иванова"]]
    assert unit.data_version() != "v0"


def test_second_editor_with_the_same_version_is_refused(unit):
    # Both loaded version 1; the first saves, the second must not overwrite it.
    rs.save_status(unit, 1, 1, rs.Edit("in_progress", comment="начали"), "Первый", TODAY)
    with pytest.raises(rs.EditConflict) as refused:
        rs.save_status(unit, 1, 1, rs.Edit("done", dt.date(2026, 11, 20)), "Второй", TODAY)
    assert refused.value.current["status"] == "in_progress"
    assert refused.value.current["updated_by"] == "Первый"
    assert refused.value.current["version"] == 2
    current = rs.current_unit(unit, 1)
    assert (current["status"], current["comment"], current["version"]) == ("in_progress", "начали", 2)
    assert history(unit)["changed_by"].tolist() == ["Первый"]
    # With the version they now see, the second editor can save.
    assert rs.save_status(unit, 1, 2, rs.Edit("done", dt.date(2026, 11, 20)), "Второй", TODAY) == 3
    assert history(unit)["version"].tolist() == [3, 2]


def test_simultaneous_saves_one_wins(unit):
    barrier = threading.Barrier(2)
    outcomes = {}

    def editor(name):
        barrier.wait()
        try:
            rs.save_status(unit, 1, 1, rs.Edit("in_progress", comment=name), name, TODAY)
            outcomes[name] = "saved"
        except rs.EditConflict:
            outcomes[name] = "refused"

    threads = [threading.Thread(target=editor, args=(n,)) for n in ("А", "Б")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values()) == ["refused", "saved"]
    winner = next(n for n, o in outcomes.items() if o == "saved")
    assert rs.current_unit(unit, 1)["comment"] == winner
    assert history(unit)["changed_by"].tolist() == [winner]


@pytest.mark.parametrize("edit, user, error", [
    (rs.Edit("done"), "И", "completed_required"),
    (rs.Edit("done", dt.date(2026, 11, 23)), "И", "completed_in_future"),
    (rs.Edit("not_applicable"), "И", "comment_required"),
    (rs.Edit("in_progress", evidence_url="javascript:alert(1)"), "И", "bad_url"),
    (rs.Edit("overdue"), "И", "bad_status"),
    (rs.Edit("in_progress"), "  ", "user_required"),
])
def test_invalid_edits_are_refused_and_nothing_is_written(unit, edit, user, error):
    with pytest.raises(rs.InvalidEdit) as refused:
        rs.save_status(unit, 1, 1, edit, user, TODAY)
    assert error in refused.value.errors
    assert rs.current_unit(unit, 1)["version"] == 1
    assert history(unit).empty


def test_completion_date_is_dropped_for_other_statuses(unit):
    rs.save_status(unit, 1, 1, rs.Edit("in_progress", dt.date(2026, 11, 1)), "И", TODAY)
    assert rs.current_unit(unit, 1)["completed_on"] is None


def test_save_table_saves_changed_rows_and_reports_conflicts(unit):
    original = unit.query_df("SELECT unit_id, status, completed_on, comment, evidence_url, version "
                             "FROM measure_status ORDER BY unit_id")
    edited = original.copy()
    edited.loc[0, ["status", "completed_on"]] = ["done", pd.Timestamp("2026-11-01")]
    edited.loc[1, "comment"] = "ждём оборудование"
    # Someone else saved unit 2 in between.
    rs.save_status(unit, 2, 1, rs.Edit("in_progress", comment="чужое"), "Другой", TODAY)
    report = rs.save_table(unit, original, edited, "Я", TODAY)
    assert report.saved == [1]
    assert [c.unit_id for c in report.conflicts] == [2]
    assert report.conflicts[0].current["comment"] == "чужое"
    assert rs.current_unit(unit, 2)["comment"] == "чужое"
    assert rs.changed_rows(original, original).empty


def test_save_table_saves_nothing_while_a_row_is_invalid(unit):
    original = unit.query_df("SELECT unit_id, status, completed_on, comment, evidence_url, version "
                             "FROM measure_status ORDER BY unit_id")
    edited = original.copy()
    edited.loc[0, "status"] = "in_progress"
    edited.loc[1, "status"] = "done"  # no completion date
    report = rs.save_table(unit, original, edited, "Я", TODAY)
    assert report.saved == [] and [(i.unit_id, i.errors) for i in report.invalid] == [(2, ["completed_required"])]
    assert rs.current_unit(unit, 1)["version"] == 1
