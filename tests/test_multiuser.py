"""Several officials at once: concurrent status edits lose nothing; a killed import changes nothing."""
import datetime as dt
import os
import signal
import subprocess
import sys
import threading

import pandas as pd

from analytics import roadmap_status as rs
from analytics.store import Store, open_store
from tests.conftest import PROJECT_ROOT, TODAY

THREADS = 8
ATTEMPTS = 15


def test_many_threads_editing_the_same_units_lose_no_update(writable_db_path):
    store = open_store(writable_db_path)
    units = [u for (u,) in store.query_rows("SELECT unit_id FROM measure_status ORDER BY unit_id LIMIT 3")]
    start = {u: rs.current_unit(store, u)["version"] for u in units}
    history_before = {u: len(rs.unit_history(store, u)) for u in units}
    barrier = threading.Barrier(THREADS)
    outcomes: list[tuple[int, str, int, str]] = []
    lock = threading.Lock()
    failures = []

    def editor(n: int) -> None:
        try:
            barrier.wait()
            for attempt in range(ATTEMPTS):
                unit = units[(n + attempt) % len(units)]
                version = rs.current_unit(store, unit)["version"]        # what this editor loaded
                comment = f"editor {n} attempt {attempt}"
                try:
                    rs.save_status(store, unit, version, rs.Edit("in_progress", comment=comment), f"user{n}", TODAY)
                    result = "saved"
                except rs.EditConflict:
                    result = "conflict"
                with lock:
                    outcomes.append((unit, result, version, comment))
        except BaseException as error:  # surfaced below: a thread must not fail silently
            failures.append(repr(error))

    threads = [threading.Thread(target=editor, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    assert len(outcomes) == THREADS * ATTEMPTS          # every attempt: saved or refused, none lost
    frame = pd.DataFrame(outcomes, columns=["unit", "result", "version", "comment"])
    assert (frame["result"] == "conflict").any()        # the editors did collide
    for unit in units:
        saves = frame[(frame["unit"] == unit) & (frame["result"] == "saved")]
        current = rs.current_unit(store, unit)
        assert current["version"] == start[unit] + len(saves)
        # Each save was made against a distinct version: no two saves from the same base.
        assert saves["version"].is_unique
        history = rs.unit_history(store, unit)
        assert len(history) == history_before[unit] + len(saves)
        new = history[history["version"] > start[unit]].sort_values("version")
        assert new["version"].tolist() == list(range(start[unit] + 1, current["version"] + 1))
        assert sorted(new["comment"]) == sorted(saves["comment"])
        assert current["comment"] == new["comment"].iloc[-1]


def _checksums(path) -> dict:
    store = Store(path)
    try:
        return {table: store.query_rows(f"SELECT count(*), coalesce(sum(hash(t)), 0) FROM {table} t")[0]
                for table in ("results", "import_log", "meta", "schools")}
    finally:
        store.close()


def test_an_import_killed_inside_its_transaction_changes_nothing(writable_db_path, tmp_path):
    # A large results file: every 2026 ВПР row of the region, with one more participant each.
    store = Store(writable_db_path)
    frame = store.query_df(
        "SELECT r.school_id AS \"код школы\", r.subject_id AS \"предмет\", r.grade AS \"класс\", "
        "r.participants + 1 AS \"участников\", r.n2 + 1 AS \"2\", r.n3 AS \"3\", r.n4 AS \"4\", r.n5 AS \"5\" "
        "FROM results r WHERE r.year = 2026 AND r.procedure = 'VPR'")
    store.close()
    assert len(frame) > 1000
    source = tmp_path / "vpr_2026.csv"
    frame.to_csv(source, sep=";", index=False)
    before = _checksums(writable_db_path)

    env = dict(os.environ, SHNOR_IMPORT_HOLD="1", SHNOR_TODAY=TODAY.isoformat())
    process = subprocess.Popen(
        [sys.executable, "-m", "analytics.importer", "results", str(source), "--year", "2026", "--procedure", "VPR",
         "--db", str(writable_db_path), "--user", "тест", "--yes"],
        cwd=PROJECT_ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = ""
        while line.strip() != "SHNOR_IMPORT_INSIDE_TRANSACTION":     # blocks until the importer says so
            line = process.stderr.readline()
            assert line or process.poll() is None, process.stdout.read()
            if not line:
                raise AssertionError("the importer ended without reaching COMMIT: " + process.stdout.read())
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL
    assert _checksums(writable_db_path) == before

    # The same import, not killed, does change the data (so the comparison above can fail).
    done = subprocess.run(
        [sys.executable, "-m", "analytics.importer", "results", str(source), "--year", "2026", "--procedure", "VPR",
         "--db", str(writable_db_path), "--user", "тест", "--yes"], cwd=PROJECT_ROOT, capture_output=True, text=True,
        env=dict(os.environ, SHNOR_TODAY=TODAY.isoformat()))
    assert done.returncode == 0, done.stdout + done.stderr
    after = _checksums(writable_db_path)
    assert after["results"] != before["results"] and after["import_log"][0] == before["import_log"][0] + 1
