"""The served mode (analytics/served): the same numbers as the embedded file, status saves in
PostgreSQL with the optimistic check, new data seen without a restart, read-only serving when
PostgreSQL is down; and storage errors put in words in both modes."""
from __future__ import annotations

import contextlib
import errno
import subprocess
import sys

import pandas as pd
import pytest

from analytics import roadmap_status as rs
from analytics.roadmaps import RoadmapFilter, completion, units
from analytics.served import ServedStore, open_served
from analytics.served.publish import publish, pull
from analytics.store import Store, open_store
from analytics.store_errors import ServedReadOnly, StorageUnavailable, storage_kind
from tests import postgres
from tests.conftest import PROJECT_ROOT, TODAY

REGION = "01"


def _region(store: Store) -> str:
    return store.scalar("SELECT region_id FROM regions ORDER BY region_id LIMIT 1")


def test_served_store_reads_the_same_numbers_as_the_embedded_file(master, served):
    flt = RoadmapFilter(_region(master), year=2026)
    pd.testing.assert_frame_equal(completion(served, flt, TODAY), completion(master, flt, TODAY))
    for table in ("schools", "results", "measure_status", "measure_status_history", "risk_profiles"):
        assert served.scalar(f"SELECT count(*) FROM {table}") == master.scalar(f"SELECT count(*) FROM {table}") > 0
    assert served.is_populated() and served.served and not master.served


def test_status_save_goes_to_postgres_with_the_optimistic_check(served, pg_dsn):
    unit, version = served.query_rows("SELECT unit_id, version FROM measure_status ORDER BY unit_id LIMIT 1")[0]
    before = served.data_versions()
    new = rs.save_status(served, unit, version, rs.Edit("in_progress", comment="первый"), "анна", TODAY)
    assert new == version + 1
    after = served.data_versions()
    assert after["statuses"] != before["statuses"] and after["*"] != before["*"]
    assert {g: v for g, v in after.items() if g not in ("statuses", "*")} == \
        {g: v for g, v in before.items() if g not in ("statuses", "*")}      # other caches stay
    with pytest.raises(rs.EditConflict) as refused:
        rs.save_status(served, unit, version, rs.Edit("done", completed_on=TODAY), "борис", TODAY)
    assert refused.value.current["version"] == version + 1 and refused.value.current["comment"] == "первый"
    import psycopg
    with psycopg.connect(pg_dsn) as pg:
        assert pg.execute("SELECT status, version, updated_by FROM measure_status WHERE unit_id = %s",
                          [unit]).fetchone() == ("in_progress", version + 1, "анна")
        assert pg.execute("SELECT count(*) FROM measure_status_history WHERE unit_id = %s AND version = %s",
                          [unit, version + 1]).fetchone()[0] == 1
    assert rs.unit_history(served, unit)["changed_by"].iloc[0] == "анна"


def test_a_table_save_is_one_postgres_transaction(served):
    frame = units(served, RoadmapFilter(_region(served), year=2026), TODAY).head(3)
    original = frame[["unit_id", "status", "completed_on", "comment", "evidence_url", "version"]].copy()
    edited = original.copy()
    edited["comment"] = ["a", "b", "c"]
    edited["status"] = "in_progress"
    edited["completed_on"] = None
    first = rs.save_table(served, original, edited, "анна", TODAY)
    assert sorted(first.saved) == sorted(original["unit_id"]) and not first.conflicts
    again = rs.save_table(served, original, edited.assign(comment=["x", "y", "z"]), "борис", TODAY)
    assert not again.saved and len(again.conflicts) == 3
    assert {c.current["updated_by"] for c in again.conflicts} == {"анна"}


def test_a_publication_is_seen_without_restart_and_statuses_saved_meanwhile_are_kept(master, served, pg_dsn, tmp_path):
    unit, version = served.query_rows("SELECT unit_id, version FROM measure_status ORDER BY unit_id LIMIT 1")[0]
    first = served.directory
    results_version = served.data_versions()["results"]
    rs.save_status(served, unit, version, rs.Edit("in_progress", comment="сохранено в приложении"), "анна", TODAY)
    with master.transaction() as cur:       # the importer changes results in its master file
        cur.execute("UPDATE schools SET short_name = 'Переименована' WHERE school_id = "
                    "(SELECT min(school_id) FROM schools)")
        master.bump_data_version(cur, tables=["schools", "results"])
    publish(master, pg_dsn, tmp_path / "parquet")
    versions = served.data_versions()
    assert served.directory != first and versions["results"] != results_version
    assert served.scalar("SELECT count(*) FROM schools WHERE short_name = 'Переименована'") == 1
    # the master's stale copy of the unit did not overwrite what the app saved
    assert rs.current_unit(served, unit)["comment"] == "сохранено в приложении"
    assert pull(master, pg_dsn)["measure_status"] == master.scalar("SELECT count(*) FROM measure_status")
    assert rs.current_unit(master, unit)["comment"] == "сохранено в приложении"


def test_a_write_to_a_table_the_importer_owns_is_refused_in_words(served):
    with pytest.raises(ServedReadOnly) as refused:
        with served.transaction() as cur:
            cur.execute("DELETE FROM results WHERE year = ?", [2026])
    assert storage_kind(refused.value) == "read_only"
    from ui.errors import message_key
    assert message_key(refused.value) == "storage.read_only"


def test_sign_in_throttle_is_written_in_postgres(served):
    from analytics import sign_in
    outcome = sign_in.attempt(served, {}, "Никто", "пароль", "10.0.0.1")
    assert outcome.user is None
    with served.transaction() as cur:
        rows = cur.execute("SELECT kind, failures FROM sign_in_throttle ORDER BY kind").fetchall()
        audit = cur.execute("SELECT outcome, detail FROM sign_in_audit").fetchall()
    assert rows == [("account", 1), ("client", 1)] and audit == [("failed", "unknown_user")]


def test_postgres_down_keeps_serving_read_only_and_says_so(writable_db_path, tmp_path):
    cluster = postgres.Cluster()
    try:
        dsn = cluster.start()
        master = open_store(writable_db_path)
        publish(master, dsn, tmp_path / "parquet")
        store = ServedStore(dsn, tmp_path / "parquet")
        store.migrate()
        store.refresh()
        flt = RoadmapFilter(_region(master), year=2026)
        before = completion(store, flt, TODAY)
        versions = store.data_versions()
        unit, version = store.query_rows("SELECT unit_id, version FROM measure_status LIMIT 1")[0]
    finally:
        cluster.stop()
    assert store.data_versions() == versions and store.write_down           # still serving
    pd.testing.assert_frame_equal(completion(store, flt, TODAY), before)
    with pytest.raises(Exception) as failed:
        rs.save_status(store, unit, version, rs.Edit("in_progress"), "анна", TODAY)
    assert storage_kind(failed.value) == "connection"
    from ui.errors import message_key
    assert message_key(failed.value) == "storage.connection"
    store.close()
    master.close()


@contextlib.contextmanager
def _held_by_another_process(path):
    """``path`` opened for writing by another process (DuckDB's file lock) until the block ends."""
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1]); "
                               "print('held', flush=True); sys.stdin.read()", str(path)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        yield
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


def test_a_locked_embedded_file_is_a_storage_error_not_a_traceback(tmp_path):
    path = tmp_path / "held.duckdb"
    with _held_by_another_process(path):
        with pytest.raises(Exception) as locked:
            open_store(path)
        assert storage_kind(locked.value) == "locked"


def test_storage_error_kinds():
    assert storage_kind(OSError(errno.ENOSPC, "No space left on device")) == "disk_full"
    assert storage_kind(RuntimeError("IO Error: Could not write file: No space left on device")) == "disk_full"
    assert storage_kind(StorageUnavailable("connection")) == "connection"
    wrapped = RuntimeError("saving failed")
    wrapped.__cause__ = OSError(errno.ENOSPC, "disk")
    assert storage_kind(wrapped) == "disk_full"
    assert storage_kind(ValueError("bad value")) is None
    import psycopg
    with pytest.raises(psycopg.OperationalError) as refused:
        psycopg.connect(f"host={PROJECT_ROOT / 'no-such-socket-dir'} dbname=x connect_timeout=2")
    assert storage_kind(refused.value) == "connection"


def test_locked_file_page_shows_the_russian_message(tmp_path, monkeypatch):
    """A second app on a file another process holds: the page says so, no traceback."""
    from streamlit.testing.v1 import AppTest
    path = tmp_path / "held.duckdb"
    with _held_by_another_process(path):
        monkeypatch.setenv("SHNOR_DB", str(path))
        monkeypatch.delenv("SHNOR_PG", raising=False)
        app = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120).run()
        assert not app.exception
        texts = [e.value for e in app.error]
        assert any("занята другим процессом" in text for text in texts), texts
        assert not any("Conflicting lock" in text or "IO Error" in text for text in texts)


def test_served_settings_come_from_the_environment(tmp_path):
    from analytics.config import load_settings
    settings = load_settings(tmp_path / "none.toml", {"SHNOR_PG": "host=/x dbname=y", "SHNOR_PARQUET": str(tmp_path)})
    assert settings.served_dsn == "host=/x dbname=y" and settings.parquet_dir == tmp_path
    assert load_settings(tmp_path / "none.toml", {}).served_dsn is None       # embedded by default


def test_backup_and_restore_pg_dump_and_the_parquet_version(served, pg_dsn, pg_server, tmp_path):
    """docs/ru/served.md: pg_dump of the database + a copy of the Parquet version in force
    restore the same data on a fresh database and directory."""
    import shutil
    unit, version = served.query_rows("SELECT unit_id, version FROM measure_status ORDER BY unit_id LIMIT 1")[0]
    rs.save_status(served, unit, version, rs.Edit("in_progress", comment="до резервной копии"), "анна", TODAY)
    dump = tmp_path / "shnor.dump"
    bin_dir = postgres.binaries()
    subprocess.run([str(bin_dir / "pg_dump"), "--format=custom", f"--file={dump}", pg_dsn], check=True)
    backup = tmp_path / "backup-parquet"
    shutil.copytree(served.parquet_dir / served.directory, backup / served.directory)

    restored_dsn = postgres.fresh_database(pg_server)
    subprocess.run([str(bin_dir / "pg_restore"), "--no-owner", f"--dbname={restored_dsn}", str(dump)], check=True)
    restored = open_served(restored_dsn, backup)
    try:
        assert restored.directory == served.directory
        assert rs.current_unit(restored, unit)["comment"] == "до резервной копии"
        assert restored.data_versions() == served.data_versions()
        flt = RoadmapFilter(_region(served), year=2026)
        pd.testing.assert_frame_equal(completion(restored, flt, TODAY), completion(served, flt, TODAY))
    finally:
        restored.close()
