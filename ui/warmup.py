"""Warm the caches in the background, so the first user after a start or a data change does
not pay for the common computations.

Every :func:`ui.cache.compute` call is noted (function and arguments, the most recent
``MAX_CALLS`` per database) and kept in a file beside the database (written at the start of
the next run when calls were added). When a run finds the
data versions changed (an import, a status saved, ...) or a server opens the database for
the first time, a daemon thread replays those calls through the cache: the ones whose data
did not change are cache hits and cost nothing, the others are computed on the new data
before a page asks for them. Pages never wait for it (a page asking for the same call in the
meantime computes it itself). Figures and maps are not built here: they depend on the
user's language and scope. ``SHNOR_WARMUP=0`` turns it off (tests).
"""
from __future__ import annotations

import collections
import contextlib
import datetime as dt
import json
import logging
import os
import threading
from dataclasses import fields
from pathlib import Path

from analytics.query import Pooling, Query, Territory

MAX_CALLS = 200
# Argument types the calls file keeps by name (the typed queries of analytics.query).
KEPT_TYPES = {cls.__name__: cls for cls in (Query, Territory, Pooling)}
_calls: dict[str, collections.OrderedDict] = {}
_seen_versions: dict[str, dict] = {}
_threads: dict[str, threading.Thread] = {}
_again: set[str] = set()
_unsaved: set[str] = set()          # databases with calls noted since the file was written
_lock = threading.Lock()
log = logging.getLogger(__name__)


def enabled() -> bool:
    return os.environ.get("SHNOR_WARMUP", "1") != "0"


def note_call(db_path: str, function_path: str, args: tuple, kwargs: tuple) -> None:
    key = (function_path, args, kwargs)
    try:
        hash(key)
    except TypeError:
        return                     # (a dict argument: st.cache_data hashes it, a dict key cannot)
    with _lock:
        calls = _calls.setdefault(db_path, collections.OrderedDict())
        if key not in calls:
            _unsaved.add(db_path)
        calls[key] = None
        calls.move_to_end(key)
        while len(calls) > MAX_CALLS:
            calls.popitem(last=False)


def versions_seen(db_path: str, versions: dict) -> None:
    """Called with the versions a run read: starts a warm-up when they changed, or when this
    process sees the database for the first time (then with the calls kept in the file)."""
    if not enabled():
        return
    with _lock:
        previous = _seen_versions.get(db_path)
        unsaved = db_path in _unsaved and previous == versions
        if previous != versions:
            _seen_versions[db_path] = dict(versions)
    if unsaved:                      # new calls since the last run: keep them for the next start
        _save(db_path, list(_calls.get(db_path, {})))
    elif previous != versions:
        start(db_path, from_file=previous is None)


def calls_file(db_path: str) -> Path:
    return Path(f"{db_path}.warm.json")


def _plain(value) -> bool:
    """Only values that come back from the file as they went in (a named tuple would come
    back a plain tuple: a different argument)."""
    if type(value) in (tuple, list):
        return all(_plain(v) for v in value)
    if type(value) in KEPT_TYPES.values():
        return all(_plain(getattr(value, f.name)) for f in fields(value))
    return value is None or type(value) in (str, int, float, bool, dt.date)


def _encode(value):
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    if type(value) in KEPT_TYPES.values():
        return {"type": type(value).__name__, "fields": {f.name: _encode(getattr(value, f.name)) for f in fields(value)}}
    return value


def _decode(value):
    if isinstance(value, dict) and set(value) == {"date"}:
        return dt.date.fromisoformat(value["date"])
    if isinstance(value, dict) and set(value) == {"type", "fields"}:
        return KEPT_TYPES[value["type"]](**{k: _decode(v) for k, v in value["fields"].items()})
    if isinstance(value, list):
        return tuple(_decode(v) for v in value)
    return value


def _load(db_path: str) -> list:
    try:
        rows = json.loads(calls_file(db_path).read_text(encoding="utf-8"))
        return [(row[0], _decode(row[1]), _decode(row[2])) for row in rows]
    except (OSError, ValueError, TypeError, IndexError, KeyError):
        return []


def _save(db_path: str, calls: list) -> None:
    """Written whole or not at all: several app processes of the served mode share the file, and
    one reading it while another writes must not see half of it."""
    _unsaved.discard(db_path)
    target = calls_file(db_path)
    scratch = target.with_name(f"{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        scratch.write_text(json.dumps([[f, _encode(a), _encode(k)] for f, a, k in calls
                                       if _plain(a) and _plain(k)]), encoding="utf-8")
        os.replace(scratch, target)
    except (OSError, TypeError, ValueError):
        with contextlib.suppress(OSError):  # a read-only folder, an argument JSON cannot hold: no file, no harm
            scratch.unlink(missing_ok=True)


def start(db_path: str, from_file: bool = False) -> None:
    with _lock:
        running = _threads.get(db_path)
        if running is not None and running.is_alive():
            _again.add(db_path)          # run once more when this one ends: the data changed again
            return
        thread = threading.Thread(target=_warm, args=(db_path, from_file), name="shnor-warmup", daemon=True)
        _threads[db_path] = thread
    thread.start()


def _warm(db_path: str, from_file: bool) -> None:
    from ui import cache

    while True:
        with _lock:
            calls = list(_calls.get(db_path, {}))
            _again.discard(db_path)
        if from_file:
            known = set(calls)
            calls = [c for c in _load(db_path) if c not in known] + calls
            from_file = False
        store = cache._store_for(db_path)
        for function_path, args, kwargs in reversed(calls):     # the most recent first
            try:
                function = cache.function_at(function_path)
                versions = cache.versions_of(store, store.data_versions(), function)
                cache._cached_call(function_path, db_path, versions, args, kwargs)
            except Exception:   # noqa: BLE001 — a call that fails now fails for its page too, with a message
                log.debug("warm-up of %s failed", function_path, exc_info=True)
        _save(db_path, calls)
        with _lock:
            if db_path not in _again:
                return


def wait(db_path: str, timeout: float | None = None) -> None:
    """Until the warm-up of ``db_path`` (if any) has finished (tests, benchmarks)."""
    thread = _threads.get(db_path)
    if thread is not None:
        thread.join(timeout)


def forget() -> None:
    """Forget the noted calls and versions of this process (tests)."""
    with _lock:
        _calls.clear()
        _seen_versions.clear()
