"""The importer's side of the served mode: publish the master DuckDB file as a Parquet version.

The master file is the importer's own (the app processes never open it): the ordinary
importer writes it, unchanged. :func:`publish` then

1. exports every table to ``<parquet_dir>/.tmp-<name>/`` and makes the files durable,
2. renames that directory to ``<parquet_dir>/<name>/`` (atomic on one file system),
3. in one PostgreSQL transaction: adds the status units the master has and PostgreSQL lacks
   (a new roadmap), copies the versions of the data groups the import changed, adds one to
   the overall version and points ``published_version`` at ``<name>``.

App processes see the new version at their next page run; a process in the middle of a run
keeps reading the version it attached (old versions are kept, :data:`KEEP` of them).
PostgreSQL stays the authority for statuses: a status saved while an import ran is never
overwritten by the master's copy. :func:`pull` brings PostgreSQL's statuses into the master
before an import, so the import (and a backup of the master) sees them.
"""
from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import shutil
from pathlib import Path

import pandas as pd

from analytics.served import (APP_TABLES, MANIFEST, MIRRORED, MIRRORED_GROUP, OVERALL, PG_TABLES, apply_schema,
                              connect, version_dir_name)
from analytics.store import Store, insert_df

# The key of each app-written table: an import's change to a row is passed on by this key.
APP_KEYS = {"kpi_targets": ("target_id", "scope_level", "scope_id", "year"), "mentor_pairs": ("pair_id",),
            "mentor_pair_changes": ("change_id",),
            "engagement_reviews": ("year", "round", "unit_level", "unit_id", "criterion_id")}
assert set(APP_KEYS) == set(APP_TABLES)

KEEP = 5            # Parquet versions kept (the one in force and the newest before it)
PUBLISH_LOCK = 72027


def _tables(master: Store) -> list[str]:
    rows = master.query_rows("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' "
                             "AND NOT temporary ORDER BY table_name")
    return [name for (name,) in rows]


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def export(master: Store, parquet_dir: Path, name: str) -> Path:
    """Write every table of ``master`` as ``<name>/<table>.parquet`` with a manifest; the
    directory appears under its name only once complete."""
    parquet_dir.mkdir(parents=True, exist_ok=True)
    temporary = parquet_dir / f".tmp-{name}"
    final = parquet_dir / version_dir_name(name)
    shutil.rmtree(temporary, ignore_errors=True)
    temporary.mkdir()
    tables = _tables(master)
    cur = master.cursor()
    cur.execute("BEGIN TRANSACTION")       # one snapshot of the master for every table
    try:
        for table in tables:
            file = str(temporary / f"{table}.parquet").replace("'", "''")
            cur.execute(f"COPY (SELECT * FROM {table}) TO '{file}' (FORMAT parquet)")
        versions = dict(cur.execute("SELECT data_group, version FROM data_versions").fetchall())
        overall = cur.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchall()
    finally:
        cur.execute("COMMIT")
    versions[OVERALL] = overall[0][0] if overall else "0"
    (temporary / MANIFEST).write_text(json.dumps({"tables": tables, "versions": versions,
                                                  "exported_at": dt.datetime.now().isoformat()},
                                                 ensure_ascii=False, indent=1), encoding="utf-8")
    for file in temporary.iterdir():
        _fsync(file)
    _fsync(temporary)
    os.rename(temporary, final)
    _fsync(parquet_dir)
    return final


def _copy_new_units(cur, master: Store) -> int:
    """Units (and their history) the master has and PostgreSQL lacks; returns how many units."""
    added = 0
    for table, key in (("measure_status", "unit_id"), ("measure_status_history", "unit_id, version")):
        frame = master.query_df(f"SELECT * FROM {table}")
        columns = list(frame.columns)
        cur.execute(f"CREATE TEMPORARY TABLE incoming_{table} (LIKE {table}) ON COMMIT DROP")
        with cur.copy(f"COPY incoming_{table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in frame.itertuples(index=False):
                copy.write_row([None if _missing(v) else v for v in row])
        cur.execute(f"INSERT INTO {table} SELECT * FROM incoming_{table} ON CONFLICT ({key}) DO NOTHING")
        if table == "measure_status":
            added = cur.rowcount
    return added


def _stage(cur, name: str, table: str, frame: pd.DataFrame, columns: list[str] | None = None) -> None:
    """``frame`` as the temporary table ``name`` shaped like ``table`` (dropped at commit)."""
    columns = columns or list(frame.columns)
    cur.execute(f"CREATE TEMPORARY TABLE {name} ON COMMIT DROP AS SELECT {', '.join(columns)} FROM {table} LIMIT 0")
    with cur.copy(f"COPY {name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in frame[columns].itertuples(index=False):
            copy.write_row([None if _missing(v) else v for v in row])


def snapshot(master: Store) -> dict:
    """The master's app-written tables as they are now (right after :func:`pull`): what an
    import then changes in them is what :func:`publish` passes on to PostgreSQL."""
    cur = master.cursor()
    return {table: cur.sql(f"SELECT * FROM {table}").to_arrow_table() for table in APP_TABLES}


def _changed_by_import(master: Store, table: str, before) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows the import added or changed, keys of rows it removed) in ``table`` since ``before``."""
    key = ", ".join(APP_KEYS[table])
    cur = master.cursor()
    view = f"_before_{table}"
    cur.register(view, before)
    try:
        changed = cur.execute(f"SELECT * FROM {table} EXCEPT SELECT * FROM {view}").df()
        removed = cur.execute(f"SELECT {key} FROM {view} EXCEPT SELECT {key} FROM {table}").df()
    finally:
        cur.unregister(view)
    return changed, removed


def _pass_on_app_tables(cur, master: Store, baseline: dict | None) -> list[str]:
    """Seed each app-written table PostgreSQL never had from the master (first publication);
    afterwards pass on only the rows an import changed since ``baseline`` (None: nothing).
    Rows people edited in the app and the import did not touch are never overwritten.
    Returns the tables changed."""
    cur.execute("SELECT table_name FROM served_seeded")
    seeded = {name for (name,) in cur.fetchall()}
    touched = []
    for table, key in APP_KEYS.items():
        columns = ", ".join(key)
        if table not in seeded:
            frame = master.query_df(f"SELECT * FROM {table}")
            _stage(cur, f"incoming_{table}", table, frame)
            listed = ", ".join(frame.columns)
            cur.execute(f"INSERT INTO {table} ({listed}) SELECT {listed} FROM incoming_{table} "
                        f"ON CONFLICT ({columns}) DO NOTHING")
            cur.execute("INSERT INTO served_seeded VALUES (%s, %s)", [table, dt.datetime.now()])
            touched.append(table)
            continue
        if baseline is None or table not in baseline:
            continue
        changed, removed = _changed_by_import(master, table, baseline[table])
        if len(removed):
            _stage(cur, f"removed_{table}", table, removed)
            cur.execute(f"DELETE FROM {table} t USING removed_{table} r WHERE "
                        + " AND ".join(f"t.{c} = r.{c}" for c in key))
        if len(changed):
            _stage(cur, f"incoming_{table}", table, changed)
            updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in changed.columns if c not in key)
            listed = ", ".join(changed.columns)
            cur.execute(f"INSERT INTO {table} ({listed}) SELECT {listed} FROM incoming_{table} "
                        f"ON CONFLICT ({columns}) DO UPDATE SET {updates}")
        if len(removed) or len(changed):
            touched.append(table)
    return touched


def _missing(value) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def publish(master: Store, dsn: str, parquet_dir: Path, user: str | None = None,
            name: str | None = None, baseline: dict | None = None) -> str:
    """Export ``master`` and make it the version in force; returns the version's name.
    ``baseline`` (:func:`snapshot` taken after :func:`pull`, before an import): the import's
    changes to the app-written tables are passed on to PostgreSQL."""
    name = name or dt.datetime.now().strftime("v%Y%m%d-%H%M%S-%f")
    folder = export(master, Path(parquet_dir), name)
    versions = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["versions"]
    with connect(dsn) as connection:
        apply_schema(connection)
        with connection.transaction(), connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [PUBLISH_LOCK])     # one publisher at a time
            cur.execute("SELECT data_group, version FROM data_versions")
            current = dict(cur.fetchall())
            bump = []
            if _copy_new_units(cur, master):
                bump.append(MIRRORED_GROUP)
            _pass_on_app_tables(cur, master, baseline)
            # A group with a table the app writes counts in PostgreSQL (+1 per save): the
            # master's version of it is never copied (it could be lower), a publication adds one.
            app_groups = set(master.groups_of(MIRRORED)) | {MIRRORED_GROUP}
            bump += sorted(app_groups - {MIRRORED_GROUP})
            for group, version in versions.items():
                if group in app_groups or group == OVERALL or current.get(group) == version:
                    continue
                cur.execute("INSERT INTO data_versions VALUES (%s, %s) ON CONFLICT (data_group) "
                            "DO UPDATE SET version = EXCLUDED.version", [group, version])
            if MIRRORED_GROUP not in current:
                cur.execute("INSERT INTO data_versions VALUES (%s, '1') ON CONFLICT DO NOTHING", [MIRRORED_GROUP])
            for group in bump + [OVERALL]:
                cur.execute("INSERT INTO data_versions VALUES (%s, %s) ON CONFLICT (data_group) DO UPDATE "
                            "SET version = (data_versions.version::numeric + 1)::text",
                            [group, versions.get(OVERALL, "1") if group == OVERALL else "1"])
            cur.execute("INSERT INTO published_version VALUES (TRUE, %s, %s, %s) ON CONFLICT (only_row) "
                        "DO UPDATE SET directory = EXCLUDED.directory, published_at = EXCLUDED.published_at, "
                        "published_by = EXCLUDED.published_by",
                        [name, dt.datetime.now(), user or getpass.getuser()])
    prune(Path(parquet_dir), name)
    return name


def prune(parquet_dir: Path, in_force: str, keep: int = KEEP) -> list[str]:
    """Remove all but the newest ``keep`` versions (never the one in force); returns those removed."""
    versions = sorted(p.name for p in parquet_dir.iterdir()
                      if p.is_dir() and not p.name.startswith(".") and (p / MANIFEST).exists())
    removed = [v for v in versions[:-keep] if v != in_force] if keep else []
    for version in removed:
        shutil.rmtree(parquet_dir / version, ignore_errors=True)
    return removed


def pull(master: Store, dsn: str) -> dict[str, int]:
    """Replace the master's copies of the PostgreSQL tables by PostgreSQL's (before an import,
    or to make the master file a whole backup). The master's data versions are not moved:
    the apps read these tables from PostgreSQL. An app-written table no publication has
    seeded yet is left as the master has it (PostgreSQL's is empty, not authoritative)."""
    counts = {}
    with connect(dsn) as connection:
        apply_schema(connection)
        with connection.transaction(), connection.cursor() as pg:
            pg.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            pg.execute("SELECT table_name FROM served_seeded")
            seeded = {name for (name,) in pg.fetchall()}
            frames = {}
            for table in PG_TABLES:
                if table in APP_TABLES and table not in seeded:
                    continue
                pg.execute(f"SELECT * FROM {table}")
                frames[table] = pd.DataFrame(pg.fetchall(), columns=[c.name for c in pg.description])
    with master.transaction() as cur:
        for table, frame in frames.items():
            cur.execute(f"DELETE FROM {table}")
            counts[table] = insert_df(cur, table, frame)
    return counts


def in_force(dsn: str) -> tuple[str | None, dict[str, str]]:
    """The version in force and the data versions (``python -m analytics.served status``)."""
    with connect(dsn) as connection:
        apply_schema(connection)
        row = connection.execute("SELECT directory FROM published_version").fetchone()
        versions = dict(connection.execute("SELECT data_group, version FROM data_versions").fetchall())
    return (row[0] if row else None), versions
