"""Which storage failure an exception is, so the user reads what happened in words, not a traceback.

A storage error a user can meet is one of a few kinds, each with its own message in the UI
catalogue (``storage.<kind>``):

- ``locked``: another process holds the embedded DuckDB file (a second ``streamlit run``, the
  command-line importer or the demo generator on the same file);
- ``connection``: the PostgreSQL server of the served mode does not answer or the connection broke;
- ``disk_full``: no space left where the database or the Parquet versions are written;
- ``importing``: the served mode: an upload needs the importer's master file and another process
  (the command-line importer, another app process's upload) holds it;
- ``read_only``: the served mode keeps this table read-only (it is loaded by the importer).

Classification looks at the exception types and their messages only (no Streamlit, no I/O).
"""
from __future__ import annotations

import errno

KINDS = ("locked", "connection", "disk_full", "importing", "read_only")


class StorageUnavailable(Exception):
    """A storage failure of a known ``kind``; ``cause`` is the original error (for the log)."""

    def __init__(self, kind: str, cause: BaseException | None = None, detail: str = ""):
        super().__init__(f"{kind}: {detail or cause}")
        self.kind, self.cause, self.detail = kind, cause, detail


class ServedReadOnly(StorageUnavailable):
    """A write the served mode does not take from the app (the table comes from the importer)."""

    def __init__(self, detail: str = ""):
        super().__init__("read_only", None, detail)


_LOCK_TEXT = ("could not set lock on file", "conflicting lock is held")
_DISK_TEXT = ("no space left on device", "disk full", "could not extend file", "diskfull")
_CONNECTION_TEXT = ("connection refused", "server closed the connection", "connection is closed",
                    "the connection is lost", "terminating connection", "could not connect to server",
                    "connection failed", "no such file or directory\n\tis the server running",
                    "is the server running", "consuming input failed", "connection timeout expired")


def storage_kind(error: BaseException | None) -> str | None:
    """The kind of storage failure ``error`` (or an error it was raised from) is, or None."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        kind = _own_kind(error)
        if kind is not None:
            return kind
        error = error.__cause__ or error.__context__
    return None


def _own_kind(error: BaseException) -> str | None:
    if isinstance(error, StorageUnavailable):
        return error.kind
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        return "disk_full"
    text = str(error).lower()
    if any(part in text for part in _DISK_TEXT):
        return "disk_full"
    if any(part in text for part in _LOCK_TEXT):
        return "locked"
    module = type(error).__module__ or ""
    if module.startswith("psycopg"):
        name = type(error).__name__
        if name == "DiskFull":
            return "disk_full"
        if name in ("OperationalError", "InterfaceError", "AdminShutdown", "CannotConnectNow",
                    "ConnectionTimeout", "PoolTimeout") or any(part in text for part in _CONNECTION_TEXT):
            return "connection"
    return None
