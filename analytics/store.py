"""The DuckDB store: one connection per process, a cursor per thread, ordered migrations.

DuckDB allows one read-write connection to a file per process, so every caller goes
through :func:`open_store`, which keeps one :class:`Store` per file path.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import re
import threading
from pathlib import Path
from typing import Iterable, Iterator

import duckdb
import numpy as np
import pandas as pd

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_MIGRATION_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")

DEFAULT_GROUP = "other"      # the data group of a table table_groups does not name

_stores: dict[Path, "Store"] = {}
_stores_lock = threading.Lock()


def migration_files(directory: Path = MIGRATIONS_DIR) -> list[tuple[int, str, Path]]:
    found = []
    for path in sorted(directory.iterdir()):
        match = _MIGRATION_NAME.match(path.name)
        if match:
            found.append((int(match.group(1)), match.group(2), path))
    versions = [v for v, _, _ in found]
    if len(versions) != len(set(versions)):
        raise RuntimeError(f"Duplicate migration numbers in {directory}")
    return found


class Store:
    """Owns the process's connection to one DuckDB file."""

    served = False          # analytics.served.ServedStore: the served mode
    write_down = False      # the served mode: the write path does not answer (read-only serving)

    def __init__(self, path: Path | str):
        self.path = Path(path) if str(path) != ":memory:" else path
        if isinstance(self.path, Path):
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._connection = duckdb.connect(str(self.path))
        self._local = threading.local()
        # Serialises writers: DuckDB handles concurrent readers, but optimistic
        # checks (read version, then write) must not interleave between threads.
        self.write_lock = threading.RLock()
        self.writes = 0
        self.read_log: list | None = None     # tests: every query's SQL and parameters (see tests)

    # -- connections -------------------------------------------------------------
    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor for the calling thread (cursors are not thread-safe)."""
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            cur = self._connection.cursor()
            self._local.cursor = cur
        return cur if self.read_log is None else _LoggingCursor(cur, self.read_log)

    def close(self) -> None:
        with _stores_lock:
            _stores.pop(self.path, None)
        self._connection.close()

    def query_df(self, sql: str, params: list | dict | None = None) -> pd.DataFrame:
        return self.cursor().execute(sql, params or []).df()

    def query_frame(self, sql: str, params: list | dict | None = None) -> pd.DataFrame:
        """Same frame as :meth:`query_df` (columns, dtypes, NULLs), handed over through Arrow.

        DuckDB's ``.df()`` makes a Python object of every string before pandas stores it
        again as an Arrow string column: for frames of hundreds of thousands of rows that
        hand-over costs more than the query. Arrow hands the columns over as they are.
        Columns of a type whose conversion is not reproduced exactly here (decimals,
        lists, intervals, …) make it fall back to ``.df()``."""
        table = self.cursor().sql(sql, params=params or None).to_arrow_table()
        frame = frame_from_arrow(table)
        return frame if frame is not None else self.query_df(sql, params)

    def query_written(self, sql: str, params: list | dict | None = None) -> pd.DataFrame:
        """Read a table people write, from where it is written (served mode: PostgreSQL)."""
        return self.query_df(sql, params)

    def query_rows(self, sql: str, params: list | dict | None = None) -> list[tuple]:
        return self.cursor().execute(sql, params or []).fetchall()

    def scalar(self, sql: str, params: list | dict | None = None):
        rows = self.query_rows(sql, params)
        return rows[0][0] if rows else None

    @contextlib.contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """All-or-nothing block: commits on success, rolls back on any exception."""
        with self.write_lock:
            cur = self.cursor()
            cur.execute("BEGIN TRANSACTION")
            try:
                yield cur
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            else:
                cur.execute("COMMIT")

    # -- schema ------------------------------------------------------------------
    def schema_version(self) -> int:
        cur = self.cursor()
        exists = cur.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
        ).fetchall()[0][0]
        if not exists:
            return 0
        return cur.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchall()[0][0]

    def migrate(self, directory: Path = MIGRATIONS_DIR) -> list[int]:
        """Apply every migration newer than the database; returns the versions applied."""
        applied = []
        with self.write_lock:
            cur = self.cursor()
            cur.execute(
                "CREATE TABLE IF NOT EXISTS schema_version ("
                " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
            )
            # Apply every migration not yet recorded (not only newer ones): branches
            # developed in parallel may land a lower number after a higher one.
            done = {v for (v,) in cur.execute("SELECT version FROM schema_version").fetchall()}
            for version, name, path in migration_files(directory):
                if version in done:
                    continue
                with self.transaction() as tx:
                    tx.execute(path.read_text(encoding="utf-8"))
                    tx.execute(
                        "INSERT INTO schema_version VALUES (?, ?, ?)",
                        [version, name, dt.datetime.now()],
                    )
                applied.append(version)
        self._table_groups = None
        return applied

    # -- data versions (cache keys) ---------------------------------------------------
    # Every write bumps the version of the groups of the tables it wrote (table_groups,
    # migration 017) and the overall version; a cache keyed on the groups a computation
    # reads survives writes to other groups.
    def data_version(self) -> str:
        """Changes whenever any data changes."""
        value = self.scalar("SELECT value FROM meta WHERE key = 'data_version'")
        return value or "0"

    def data_versions(self) -> dict[str, str]:
        """The version of every group written so far, and the overall one under ``'*'``
        (a group never written has version ``'0'``)."""
        rows = self.query_rows("SELECT data_group, version FROM data_versions "
                               "UNION ALL SELECT '*', value FROM meta WHERE key = 'data_version'")
        return dict(rows)

    def table_groups(self) -> dict[str, str]:
        """table name -> data group (tables without a row belong to :data:`DEFAULT_GROUP`)."""
        groups = getattr(self, "_table_groups", None)
        if groups is None:
            groups = dict(self.query_rows("SELECT table_name, data_group FROM table_groups"))
            self._table_groups = groups
        return groups

    def groups_of(self, tables) -> frozenset[str]:
        groups = self.table_groups()
        return frozenset(groups.get(table, DEFAULT_GROUP) for table in tables)

    def all_groups(self) -> frozenset[str]:
        return frozenset(self.table_groups().values()) | {DEFAULT_GROUP}

    def bump_data_version(self, cursor: duckdb.DuckDBPyConnection | None = None,
                          tables: Iterable[str] | None = None) -> str:
        """Mark ``tables`` as changed (every group when None) in the caller's transaction."""
        cur = cursor or self.cursor()
        new_value = dt.datetime.now().strftime("%Y%m%d%H%M%S%f")
        groups = self.all_groups() if tables is None else self.groups_of(tables)
        cur.execute("INSERT OR REPLACE INTO meta VALUES ('data_version', ?)", [new_value])
        cur.executemany("INSERT OR REPLACE INTO data_versions VALUES (?, ?)",
                        [[group, new_value] for group in sorted(groups)])
        self.writes += 1     # lets a run's memo of the versions notice its own writes
        return new_value

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        value = self.scalar("SELECT value FROM meta WHERE key = ?", [key])
        return default if value is None else value

    def set_meta(self, key: str, value: str, cursor=None) -> None:
        (cursor or self.cursor()).execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])

    def is_populated(self) -> bool:
        return self.schema_version() > 0 and bool(self.scalar("SELECT count(*) FROM schools"))


class _LoggingCursor:
    """A cursor that appends every statement it runs to ``log`` (for tests that check which
    tables a computation reads); everything else is the cursor's."""

    def __init__(self, cursor, log: list):
        self._cursor, self._log = cursor, log

    def execute(self, sql, params=None, *args, **kwargs):
        self._log.append((sql, params))
        return self._cursor.execute(sql, params, *args, **kwargs) if params is not None \
            else self._cursor.execute(sql, *args, **kwargs)

    def sql(self, sql, *args, params=None, **kwargs):
        self._log.append((sql, params))
        return self._cursor.sql(sql, *args, params=params, **kwargs)

    def __getattr__(self, name):
        return getattr(self._cursor, name)


def open_store(path: Path | str) -> Store:
    """The process-wide store for ``path`` (created and migrated on first use)."""
    key = Path(path).resolve() if str(path) != ":memory:" else path
    with _stores_lock:
        store = _stores.get(key)
        if store is None:
            store = Store(key)
            store.migrate()
            _stores[key] = store
        return store


def insert_df(cur: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> int:
    """Append a DataFrame to ``table`` by column name (table names are code, not user input)."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", table):
        raise ValueError(f"bad table name {table!r}")
    if frame.empty:
        return 0
    view = f"_insert_{table}_{threading.get_ident()}"
    cur.register(view, frame)
    try:
        columns = ", ".join(f'"{c}"' for c in frame.columns)
        cur.execute(f'INSERT INTO {table} ({columns}) SELECT {columns} FROM "{view}"')
    finally:
        cur.unregister(view)
    return len(frame)


def _masked(dtype) -> str:
    """pandas' nullable dtype name for an Arrow integer/bool type (what ``.df()`` uses with NULLs)."""
    import pyarrow.types as pat
    if pat.is_boolean(dtype):
        return "boolean"
    return ("UInt" if pat.is_unsigned_integer(dtype) else "Int") + str(dtype.bit_width)


def frame_from_arrow(table) -> pd.DataFrame | None:
    """The frame DuckDB's ``.df()`` gives for ``table`` (a DuckDB Arrow result), or None when a
    column's type is not one whose ``.df()`` conversion is reproduced here.

    ``.df()`` rules reproduced: text → pandas ``str`` (NaN for NULL), or ``object`` of None when
    the column has no non-NULL value (also with no rows); integers and booleans → numpy, or the
    nullable ``Int…``/``boolean`` dtype when a NULL is present; floats → NaN for NULL; DATE and
    TIMESTAMP → ``datetime64[us]``."""
    import pyarrow.types as pat
    if len(set(table.column_names)) != len(table.column_names):
        return None
    columns = {}
    for name, column in zip(table.column_names, table.columns):
        dtype = column.type
        if pat.is_string(dtype) or pat.is_large_string(dtype):
            if column.null_count == len(column):
                columns[name] = pd.Series(np.full(len(column), None, dtype=object))
            else:
                columns[name] = column.to_pandas()
        elif pat.is_integer(dtype) or pat.is_boolean(dtype):
            masked = pd.api.types.pandas_dtype(_masked(dtype)) if column.null_count else None
            columns[name] = column.to_pandas(types_mapper=masked and {dtype: masked}.get)
        elif pat.is_floating(dtype) and not pat.is_float16(dtype):
            columns[name] = column.to_pandas()
        elif pat.is_date32(dtype) or (pat.is_timestamp(dtype) and dtype.tz is None and dtype.unit == "us"):
            columns[name] = column.to_pandas(date_as_object=False).astype("datetime64[us]")
        else:
            return None
    return pd.DataFrame(columns, index=pd.RangeIndex(table.num_rows), copy=False)
