"""Results several computations start from, computed once per data version.

The identification lists are the start of the school table, the comparison with the
official lists, the what-if and the passport's reconciliation; each of those is cached by
the app on its own, so without this each recomputed the lists (with their bootstrap) from
scratch — four times for one «Школы» page after a data change.

A shared result is kept only while the caller vouches that the data versions it holds are
current: the app's cache (``ui.cache.compute``) does, for the duration of a call, because
every write through the store bumps the versions of what it wrote. Code that vouches for
nothing (the command line, tests that write with plain SQL) computes afresh every time, so a
result can never outlive the data it was computed from.
"""
from __future__ import annotations

import collections
import contextlib
import contextvars
import json
import threading
from typing import Any, Callable, Iterable, Iterator

import pandas as pd

from analytics.store import Store

MAX_ENTRIES = 64

_versions: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar("shnor_known_versions",
                                                                                  default=None)
_entries: collections.OrderedDict = collections.OrderedDict()
_lock = threading.Lock()


@contextlib.contextmanager
def versions_known(versions: dict[str, str]) -> Iterator[None]:
    """Within this block the store's data versions are ``versions`` (the caller vouches)."""
    token = _versions.set(dict(versions))
    try:
        yield
    finally:
        _versions.reset(token)


def key_of(value: Any) -> str:
    """A stable key for parameters (nested dicts and lists of plain values)."""
    return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)


def shared(store: Store, tables: Iterable[str] | None, key: tuple, build: Callable[[], Any]) -> Any:
    """``build()``, or the result an earlier call with the same key built on the same versions
    of the data groups of ``tables`` (``None``: on the same overall version — any write builds
    again). Frames come back as copies (callers may change them)."""
    versions = _versions.get()
    if versions is None:
        return build()
    groups = ["*"] if tables is None else sorted(store.groups_of(tables))
    full_key = (str(store.path), tuple((group, versions.get(group, "0")) for group in groups), key)
    with _lock:
        if full_key in _entries:
            _entries.move_to_end(full_key)
            return _copy(_entries[full_key])
    value = build()
    with _lock:
        _entries[full_key] = value
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return _copy(value)


def forget() -> None:
    with _lock:
        _entries.clear()


def _copy(value: Any) -> Any:
    if isinstance(value, (pd.DataFrame, pd.Series)):
        return value.copy()
    if isinstance(value, tuple):
        return tuple(_copy(v) for v in value)
    return value
