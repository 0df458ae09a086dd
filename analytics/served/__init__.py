"""The served mode: several app processes and the command-line importer on one store.

What people write and read back at once — roadmap statuses and their history, KPI targets,
mentor pairs and their change log, engagement review scores, the sign-in throttle and audit —
lives in PostgreSQL, written in its transactions (the optimistic version check of
:mod:`analytics.roadmap_status` runs there unchanged). The bulk tables are a Parquet version
that the importer builds from its own DuckDB file (the *master*) and publishes atomically
(:mod:`analytics.served.publish`): a new directory renamed into place, then one PostgreSQL
transaction that points ``published_version`` at it and moves the data versions. An upload,
an undo or a roadmap saved in the app runs the importer on the master the same way
(:mod:`analytics.served.master`).

Every app process holds a :class:`ServedStore`: an in-memory DuckDB whose bulk tables are
views over the Parquet version in force and whose PostgreSQL tables (:data:`MIRRORED`) are a
copy of PostgreSQL's, read again whenever their data group's version in PostgreSQL changes or
a new version is attached (a unit whose measure that version lacks is not copied: not live). The process reads the
data versions from PostgreSQL once per page run (:meth:`ServedStore.data_versions`), so an
import or another process's save is seen at the next page run, without a restart; the page
caches stay keyed on the group versions exactly as in the embedded mode.

When PostgreSQL does not answer, the process keeps serving the data it has (read-only) and
says so (:attr:`ServedStore.write_down`); a write then fails with a storage error of kind
``connection`` (:mod:`analytics.store_errors`), which the pages put in words.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import re
import threading
import time
from pathlib import Path
from typing import Iterable, Iterator

import duckdb
import pandas as pd

from analytics.store import DEFAULT_GROUP, Store
from analytics.store_errors import ServedReadOnly, StorageUnavailable

SCHEMA_FILE = Path(__file__).resolve().parent / "postgres.sql"
SUFFIX = ".served"          # the key of a served store (ui.cache tells the modes apart by it)
MANIFEST = "manifest.json"

# What people edit in the app besides statuses: PostgreSQL holds it, a publication seeds it from
# the master file once and afterwards passes on only what an import changed (publish.py).
APP_TABLES = ("kpi_targets", "mentor_pairs", "mentor_pair_changes", "engagement_reviews")
# Tables PostgreSQL holds; the app writes only these. All but the sign-in ones are also copied
# into each process's DuckDB (the computations join them with the bulk tables), again whenever
# the version of their data group changes.
PG_TABLES = ("measure_status", "measure_status_history", *APP_TABLES, "sign_in_throttle", "sign_in_audit")
MIRRORED = ("measure_status", "measure_status_history", *APP_TABLES)
MIRRORED_GROUP = "statuses"
# Small bulk tables copied into the process rather than viewed: the mentor assignment orders
# schools by their rowid (storage order, kept by the export), which a view has not.
COPIED = ("schools",)
# Conflict targets for DuckDB's ``INSERT OR REPLACE`` written as PostgreSQL's upsert.
PRIMARY_KEYS = {"sign_in_throttle": ("kind", "key"), "data_versions": ("data_group",),
                "measure_status": ("unit_id",), "kpi_targets": ("target_id", "scope_level", "scope_id", "year"),
                "engagement_reviews": ("year", "round", "unit_level", "unit_id", "criterion_id")}
OVERALL = "*"
RETRY_AFTER_S = 5.0         # after PostgreSQL did not answer, ask again at most this often

_stores: dict[tuple[str, str], "ServedStore"] = {}
_by_key: dict[str, "ServedStore"] = {}
_stores_lock = threading.Lock()


def connect(dsn: str, autocommit: bool = True):
    import psycopg
    return psycopg.connect(dsn, autocommit=autocommit, connect_timeout=5)


def apply_schema(connection) -> None:
    """Create the served-mode tables that are missing (idempotent)."""
    with connection.transaction():
        connection.execute("SELECT pg_advisory_xact_lock(72026)")   # two first starts at once
        connection.execute(SCHEMA_FILE.read_text(encoding="utf-8"))


def version_dir_name(name: str) -> str:
    if not re.fullmatch(r"[0-9A-Za-z_.-]+", name or "") or name.startswith("."):
        raise ValueError(f"bad Parquet version name {name!r}")
    return name


# -- DuckDB-style statements on PostgreSQL ------------------------------------------------------
_NAMED = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_REPLACE = re.compile(r"^\s*INSERT\s+OR\s+REPLACE\s+INTO\s+([a-z_]+)\s*(\(([^)]*)\))?\s*VALUES\s*(\(.*\))\s*$",
                      re.IGNORECASE | re.DOTALL)


def postgres_sql(sql: str, columns_of: dict[str, tuple[str, ...]] | None = None) -> str:
    """A statement written for DuckDB (``?`` and ``$name`` parameters, ``INSERT OR REPLACE``)
    as psycopg takes it. Statements are the code's own (no user text in them)."""
    match = _REPLACE.match(sql)
    if match:
        table, listed, values = match.group(1), match.group(3), match.group(4)
        key = PRIMARY_KEYS.get(table)
        columns = tuple(c.strip().strip('"') for c in listed.split(",")) if listed else (columns_of or {}).get(table)
        if key is None or not columns:
            raise ServedReadOnly(f"INSERT OR REPLACE into {table}")
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c not in key) or f"{key[0]} = EXCLUDED.{key[0]}"
        sql = (f"INSERT INTO {table} ({', '.join(columns)}) VALUES {values} "
               f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}")
    sql = sql.replace("%", "%%")
    sql = _NAMED.sub(lambda m: f"%({m.group(1)})s", sql)
    return sql.replace("?", "%s")


def _plain(params):
    """numpy and pandas scalars as the Python values psycopg adapts (a year from a frame is numpy's)."""
    def one(value):
        if hasattr(value, "item") and type(value).__module__ == "numpy":
            return value.item()
        if value is pd.NaT:
            return None
        return value
    if isinstance(params, dict):
        return {k: one(v) for k, v in params.items()}
    return [one(v) for v in params]


class PostgresCursor:
    """What the write code needs of a DuckDB cursor, on a psycopg cursor inside a transaction:
    ``execute`` (DuckDB parameter styles), ``fetchall``/``fetchone`` (a data-changing statement
    gives ``[(rows changed,)]`` as DuckDB does), ``executemany`` and ``df``. A statement on a
    table PostgreSQL does not hold is refused as :class:`ServedReadOnly`."""

    def __init__(self, cursor):
        self._cursor = cursor

    def execute(self, sql: str, params=None):
        import psycopg
        try:
            self._cursor.execute(postgres_sql(sql), _plain(params) if params else None)
        except psycopg.errors.UndefinedTable as error:
            raise ServedReadOnly(str(error).splitlines()[0]) from error
        return self

    def executemany(self, sql: str, rows):
        import psycopg
        try:
            self._cursor.executemany(postgres_sql(sql), [_plain(row) for row in rows])
        except psycopg.errors.UndefinedTable as error:
            raise ServedReadOnly(str(error).splitlines()[0]) from error
        return self

    def fetchall(self):
        if self._cursor.description is None:
            return [(self._cursor.rowcount,)]
        return self._cursor.fetchall()

    def fetchone(self):
        rows = self.fetchall()
        return rows[0] if rows else None

    def df(self) -> pd.DataFrame:
        columns = [c.name for c in self._cursor.description or ()]
        return pd.DataFrame(self._cursor.fetchall(), columns=columns)

    def register(self, *_args, **_kwargs):
        raise ServedReadOnly("bulk insert")


class ServedStore(Store):
    """One app process's view of the served store (see the module's doc)."""

    served = True

    def __init__(self, dsn: str, parquet_dir: Path | str, master_path: Path | str | None = None):
        self.dsn = dsn
        self.parquet_dir = Path(parquet_dir)
        self.master_path = Path(master_path) if master_path else None   # the importer's DuckDB file
        digest = hashlib.sha1(f"{dsn}|{self.parquet_dir}".encode()).hexdigest()[:12]
        self.path = str(self.parquet_dir / f"app-{digest}{SUFFIX}")
        self._connection = duckdb.connect(":memory:")
        self._local = threading.local()
        self.write_lock = threading.RLock()
        self._refresh_lock = threading.Lock()
        self.writes = 0
        self.read_log = None
        self.directory: str | None = None         # the Parquet version attached
        self._mirrored: dict[str, str] = {}         # data group -> its version last copied
        self._versions: dict[str, str] | None = None
        self.write_down = False                     # PostgreSQL did not answer the last time asked
        self._down_since = 0.0
        self._table_groups = None

    # -- PostgreSQL ------------------------------------------------------------------------------
    def _pg(self):
        connection = getattr(self._local, "pg", None)
        if connection is None or connection.closed or connection.broken:
            connection = connect(self.dsn)
            self._local.pg = connection
        return connection

    def migrate(self, directory=None) -> list[int]:
        """The PostgreSQL tables (the DuckDB side is the published Parquet version)."""
        apply_schema(self._pg())
        return []

    # -- the data in force -----------------------------------------------------------------------
    def refresh(self) -> dict[str, str]:
        """Read the data versions and the version in force from PostgreSQL; attach a new
        Parquet version and copy the status tables again when they changed. When PostgreSQL
        does not answer, the last versions read (the data attached stays served)."""
        with self._refresh_lock:
            if self.write_down and self._versions is not None \
                    and time.monotonic() - self._down_since < RETRY_AFTER_S:
                return self._versions        # PostgreSQL was just found down: no wait per page run
            try:
                with self._pg().cursor() as cur:
                    cur.execute("SELECT data_group, version FROM data_versions")
                    versions = dict(cur.fetchall())
                    cur.execute("SELECT directory FROM published_version")
                    row = cur.fetchone()
            except Exception as error:
                if _is_connection_error(error):
                    self._local.pg = None
                    self.write_down, self._down_since = True, time.monotonic()
                    if self._versions is None:
                        raise StorageUnavailable("connection", error) from error
                    return self._versions
                raise
            self.write_down = False
            directory = row[0] if row else None
            if directory is not None and directory != self.directory:
                self._attach(directory)
            if directory is not None:
                stale = {group for group in self.mirrored_groups()
                         if group not in self._mirrored or versions.get(group, "0") != self._mirrored[group]}
                if stale:
                    self._mirror(stale, versions)
            versions.setdefault(OVERALL, "0")
            self._versions = versions
            return versions

    def _attach(self, directory: str) -> None:
        folder = self.parquet_dir / version_dir_name(directory)
        tables = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["tables"]
        cur = self._connection.cursor()
        cur.execute("BEGIN TRANSACTION")
        try:
            for table in tables:
                if not re.fullmatch(r"[a-z_][a-z0-9_]*", table):
                    raise ValueError(f"bad table name {table!r} in {folder / MANIFEST}")
                file = str(folder / f"{table}.parquet").replace("'", "''")
                if table in MIRRORED:
                    if not self._has_table(cur, table):
                        cur.execute(f"CREATE TABLE {table} AS SELECT * FROM read_parquet('{file}') LIMIT 0")
                elif table in COPIED:
                    cur.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM read_parquet('{file}')")
                else:
                    cur.execute(f"CREATE OR REPLACE VIEW {table} AS SELECT * FROM read_parquet('{file}')")
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        self.directory = directory
        self._table_groups = None
        self._mirrored = {}          # copy again: which units are live depends on the version's roadmaps

    @staticmethod
    def _has_table(cur, table: str) -> bool:
        return bool(cur.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?",
                                [table]).fetchall()[0][0])

    def mirrored_groups(self) -> dict[str, tuple[str, ...]]:
        """data group -> the mirrored tables in it (a group may also hold bulk tables)."""
        groups: dict[str, tuple[str, ...]] = {}
        for table in MIRRORED:
            group = self.table_groups().get(table, DEFAULT_GROUP)
            groups[group] = groups.get(group, ()) + (table,)
        return groups

    def _mirror(self, groups: set[str], versions: dict[str, str]) -> None:
        """Copy the mirrored tables of ``groups`` from PostgreSQL into this process's DuckDB,
        in one snapshot."""
        import pyarrow as pa
        frames = {}
        tables = [table for group, members in self.mirrored_groups().items() if group in groups for table in members]
        with self._pg().transaction(), self._pg().cursor() as pg:
            pg.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            for table in tables:
                pg.execute(f"SELECT * FROM {table}")
                columns = [c.name for c in pg.description]
                rows = pg.fetchall()
                frames[table] = pa.table({c: [r[i] for r in rows] for i, c in enumerate(columns)})
        cur = self._connection.cursor()
        cur.execute("BEGIN TRANSACTION")
        try:
            for table, data in frames.items():
                view = f"_mirror_{table}"
                cur.register(view, data)
                cur.execute(f"DELETE FROM {table}")
                if data.num_rows:
                    # A unit whose measure the version in force lacks (an undo or a re-import removed
                    # its roadmap) is not live: PostgreSQL keeps it and its history, the app not.
                    live = " WHERE measure_id IN (SELECT measure_id FROM measures)" if table == "measure_status" else ""
                    cur.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {view}{live}")
                cur.unregister(view)
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        self._mirrored.update({group: versions.get(group, "0") for group in groups})

    def data_versions(self) -> dict[str, str]:
        return dict(self.refresh())

    def data_version(self) -> str:
        return self.refresh().get(OVERALL, "0")

    def is_populated(self) -> bool:
        self.refresh()
        return self.directory is not None and bool(self.scalar("SELECT count(*) FROM schools"))

    # -- writes ----------------------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[PostgresCursor]:
        """A PostgreSQL transaction (statements in DuckDB's style, see :class:`PostgresCursor`);
        afterwards this process's copy of the status tables is brought up to date, so a
        refused save reads the current values."""
        with self.write_lock:
            try:
                connection = self._pg()
                with connection.transaction(), connection.cursor() as cur:
                    yield PostgresCursor(cur)
            except Exception as error:
                if _is_connection_error(error):
                    self._local.pg = None
                    self.write_down, self._down_since = True, time.monotonic()
                raise
            finally:
                with contextlib.suppress(Exception):
                    self.refresh()

    def bump_data_version(self, cursor=None, tables: Iterable[str] | None = None) -> str:
        """Add one to the versions of the groups of ``tables`` and the overall one, in the
        caller's PostgreSQL transaction."""
        groups = self.all_groups() if tables is None else self.groups_of(tables)
        statement = ("INSERT INTO data_versions VALUES (?, '1') ON CONFLICT (data_group) DO UPDATE "
                     "SET version = (data_versions.version::numeric + 1)::text")
        if cursor is None:
            with self.transaction() as cur:
                return self.bump_data_version(cur, tables)
        for group in sorted(groups) + [OVERALL]:
            cursor.execute(statement, [group])
        self.writes += 1
        return cursor.execute("SELECT version FROM data_versions WHERE data_group = ?", [OVERALL]).fetchall()[0][0]

    def query_written(self, sql: str, params: list | dict | None = None) -> pd.DataFrame:
        """Read a table PostgreSQL holds from PostgreSQL itself (not this process's copy)."""
        with self._pg().cursor() as cur:
            return PostgresCursor(cur).execute(sql, params).df()

    def set_meta(self, key: str, value: str, cursor=None) -> None:
        raise ServedReadOnly(f"meta {key}")

    def close(self) -> None:
        with _stores_lock:
            for key, store in list(_stores.items()):
                if store is self:
                    del _stores[key]
            _by_key.pop(self.path, None)
        pg = getattr(self._local, "pg", None)
        if pg is not None:
            pg.close()
        self._connection.close()


def _is_connection_error(error: BaseException) -> bool:
    from analytics.store_errors import storage_kind
    return storage_kind(error) == "connection"


def open_served(dsn: str, parquet_dir: Path | str, master_path: Path | str | None = None) -> ServedStore:
    """The process-wide served store for ``dsn`` and ``parquet_dir`` (its PostgreSQL tables
    created); ``master_path`` is the importer's DuckDB file an upload in the app imports into."""
    key = (dsn, str(Path(parquet_dir).resolve()))
    with _stores_lock:
        store = _stores.get(key)
        if store is None:
            store = ServedStore(dsn, key[1], master_path)
            store.migrate()
            store.refresh()
            _stores[key] = store
            _by_key[store.path] = store
        return store


def is_served_key(path: str) -> bool:
    return str(path).endswith(SUFFIX)


def by_key(path: str) -> ServedStore:
    """The served store whose :attr:`ServedStore.path` is ``path`` (opened before in this process)."""
    with _stores_lock:
        return _by_key[str(path)]
