"""Shared fixtures: one generated demo region per test session, copied where a test writes."""
from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

from analytics.demo import build_demo
from analytics.store import Store, open_store

# No background warm-up in tests (tests/test_warmup.py turns it on): it would read the store
# while a test counts what a page reads.
os.environ.setdefault("SHNOR_WARMUP", "0")

TODAY = dt.date(2026, 11, 22)
SEED = 20261122
PROJECT_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def demo_db_path(tmp_path_factory) -> Path:
    """A demo region database built once per session (read it, don't write it)."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    store = Store(path)
    store.migrate()
    build_demo(store, scale="region", seed=SEED, today=TODAY)
    store.cursor().execute("CHECKPOINT")
    store.close()
    return path


@pytest.fixture(scope="session")
def demo_store(demo_db_path) -> Store:
    return open_store(demo_db_path)


@pytest.fixture
def writable_db_path(demo_db_path, tmp_path) -> Path:
    """A private copy of the demo database for tests that change data."""
    target = tmp_path / "writable.duckdb"
    shutil.copy(demo_db_path, target)
    return target


@pytest.fixture
def empty_store(tmp_path) -> Store:
    store = Store(tmp_path / "empty.duckdb")
    store.migrate()
    yield store
    store.close()


@pytest.fixture
def app_env(monkeypatch, demo_db_path):
    """Environment for AppTest runs against the shared demo database."""
    monkeypatch.setenv("SHNOR_DB", str(demo_db_path))
    monkeypatch.setenv("SHNOR_TODAY", TODAY.isoformat())
    monkeypatch.chdir(PROJECT_ROOT)
    return demo_db_path


@pytest.fixture(scope="session")
def pg_server():
    """A PostgreSQL server DSN: the one .ci/run started (SHNOR_TEST_PG_DSN) or a throwaway
    cluster started for this session (tests/postgres.py). Never skipped."""
    from tests import postgres
    given = os.environ.get(postgres.ENV)
    if given:
        yield given
        return
    cluster = postgres.Cluster()
    try:
        yield cluster.start()
    finally:
        cluster.stop()


@pytest.fixture
def pg_dsn(pg_server) -> str:
    """A fresh, empty PostgreSQL database for one test."""
    from tests import postgres
    return postgres.fresh_database(pg_server)


@pytest.fixture
def master(writable_db_path) -> Store:
    """The importer's master file of the served mode: a writable copy of the demo database."""
    store = open_store(writable_db_path)
    yield store
    store.close()


@pytest.fixture
def served(master, writable_db_path, pg_dsn, tmp_path):
    """The master published into a fresh PostgreSQL and a Parquet directory, opened as an app
    process opens it (uploads in the app go to the master)."""
    from analytics.served import open_served
    from analytics.served.publish import publish
    publish(master, pg_dsn, tmp_path / "parquet")
    store = open_served(pg_dsn, tmp_path / "parquet", writable_db_path)
    yield store
    store.close()
