"""Writes from the app that the served mode makes through the importer's master file: an upload
on «Данные», a roadmap saved from a document, road distances, undoing an import.

In the served mode the app processes never hold the master DuckDB file; such a write opens it
for this one operation, exactly as ``python -m analytics.served import`` does: PostgreSQL's
tables are pulled into it, the ordinary importer code runs on it, and when it stored something
the master is published as a new Parquet version (the import journal and revisions travel in
it, so every process lists the import and can undo it). If another process (the command-line
importer, another app process's upload) holds the file, the write is refused as
``StorageUnavailable("importing")`` and nothing changes. In the embedded mode the store itself
is written, as before.
"""
from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Iterator

import duckdb

from analytics.store import Store
from analytics.store_errors import ServedReadOnly, StorageUnavailable, storage_kind


def _open_master(path: Path) -> Store:
    if not path.exists():
        raise ServedReadOnly(f"the master file {path.name} is missing")
    try:
        master = Store(path)
    except duckdb.Error as error:
        if storage_kind(error) == "locked":
            raise StorageUnavailable("importing", error) from error
        raise
    master.migrate()
    return master


@contextlib.contextmanager
def writing(store: Store, user: str | None = None) -> Iterator[Store]:
    """The store an import-like write goes to: ``store`` itself (embedded mode), or the master
    file opened for this write and published after it (served mode, see the module's doc)."""
    if not getattr(store, "served", False):
        yield store
        return
    from analytics.config import load_settings
    from analytics.served import publish as publishing

    master = _open_master(Path(store.master_path or load_settings().db_path))
    try:
        publishing.pull(master, store.dsn)
        baseline = publishing.snapshot(master)
        before = master.data_version()
        yield master
        if master.data_version() != before:
            publishing.publish(master, store.dsn, store.parquet_dir, user=user, baseline=baseline)
    finally:
        master._connection.close()     # not Store.close: that would drop another open_store of the file
    store.refresh()
