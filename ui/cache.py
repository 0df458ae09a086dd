"""The page side of the store: one Store per process, results cached per data version.

Every cached call is keyed on the function, its arguments and the versions of the data
groups it reads (declared with ``analytics.reads``; the overall version when undeclared), so
a write (which bumps the versions of what it wrote) can never serve results computed on old
data, and leaves cached what it did not touch.

Views: what a page draws from those results (a plotly figure, a formatted table) is cached
too, by :func:`view` — building a figure costs more than reading its cached data. A view is
kept while the versions of every computation it used are current, keyed on the builder and
its arguments, the language, the presentation mode and the acting user's rights.

Access control is enforced here for every page at once, by TYPE (``analytics.access.scope_call``):
every territory a call receives (an ``analytics.query.Territory``, bare or inside a ``Query``) is
narrowed to the acting user's rights, every typed id (``RegionId``, ``MunicipalityId``,
``SchoolId``, ``RoadmapId``, ``UnitId`` annotations, whatever the parameter is called) is checked,
and a place outside the rights is refused (:class:`analytics.access.AccessDenied`). A read with a
parameter that could carry a place without such a type is not run for anyone
(:class:`analytics.access.UncheckedRead`). Rows whose id columns lie outside the rights are then
dropped from the result as a second line of defence. The cache is shared between users; the
narrowing (part of the cache key), the check and the filter run on every call.
"""
from __future__ import annotations

import collections
import importlib
import threading
from typing import Any, Callable, NamedTuple

import pandas as pd

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from analytics import access, served, shared_results
from analytics.reads import tables_read
from analytics.config import Settings, load_settings
from analytics.store import Store, open_store
from ui import warmup


def settings() -> Settings:
    return load_settings()


@st.cache_resource(show_spinner=False)
def _store_for(path: str) -> Store:
    if served.is_served_key(path):
        return served.by_key(path)
    return open_store(path)


def store() -> Store:
    """The process's store: the embedded DuckDB file, or the served store when a PostgreSQL
    DSN is configured (``SHNOR_PG``, docs/ru/served.md)."""
    current = settings()
    if current.served_dsn:
        return _store_for(served.open_served(current.served_dsn, current.parquet_dir, current.db_path).path)
    return _store_for(str(current.db_path))


@st.cache_data(show_spinner=False, max_entries=512)
def _cached_call(function_path: str, db_path: str, versions: tuple, args: tuple, kwargs: tuple):
    return function_at(function_path)(_store_for(db_path), *args, **dict(kwargs))


def function_at(function_path: str) -> Callable:
    module_name, _, name = function_path.rpartition(".")
    return getattr(importlib.import_module(module_name), name)


def _store_and_versions() -> tuple[Store, dict[str, str]]:
    """The store and its data versions, read once per script run (a page makes dozens of
    cached calls; each would otherwise read the settings file and query the versions).
    A write through the store (``bump_data_version``) makes the next call read them again;
    outside a Streamlit run they are read on every call."""
    ctx = get_script_run_ctx(suppress_warning=True)
    memo = getattr(ctx, "_shnor_data", None) if ctx is not None else None
    if memo is not None and memo[0] is ctx.cursors and memo[3] == memo[1].writes:
        return memo[1], memo[2]     # (Streamlit gives every run a new cursors dict)
    current = store()
    versions = current.data_versions()
    if ctx is not None:
        ctx._shnor_data = (ctx.cursors, current, versions, current.writes)
        warmup.versions_seen(str(current.path), versions)
    return current, versions


def _store_and_version() -> tuple[Store, str]:
    """The store and its overall data version (changes with any write)."""
    current, versions = _store_and_versions()
    return current, versions.get("*", "0")


def versions_of(current: Store, versions: dict[str, str], function: Callable) -> tuple:
    """What a call of ``function`` is keyed on: the versions of the groups of the tables it
    declares (``analytics.reads``), or the overall version when it declares nothing."""
    tables = tables_read(function)
    if tables is None:
        return (("*", versions.get("*", "0")),)
    return tuple((group, versions.get(group, "0")) for group in sorted(current.groups_of(tables)))


# Tracked caches (views, maps) collect the versions of every computation their build uses.
_collecting = threading.local()


def _note(dependencies: tuple) -> None:
    for collected in getattr(_collecting, "stack", ()):
        collected.update(dependencies)
    run = _run_dependencies()
    if run is not None:
        run.update(dependencies)


def _run_dependencies() -> set | None:
    """The versions of every computation this script run has used so far (None outside a run)."""
    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None:
        return None
    memo = getattr(ctx, "_shnor_run_dependencies", None)
    if memo is None or memo[0] is not ctx.cursors:
        memo = (ctx.cursors, set())
        ctx._shnor_run_dependencies = memo
    return memo[1]


def compute(function: Callable, *args, **kwargs):
    """Call ``function(store, *args, **kwargs)`` through the cache, within the acting user's rights."""
    current, versions = _store_and_versions()
    principal = access.current()
    access.typed_read(function, args, kwargs)     # every user: a read whose places are untyped is not run
    allowed = None
    if not principal.unrestricted:
        allowed = _allowed(current, versions, principal)
        args, kwargs = access.scope_call(current, principal, allowed, function, args, kwargs)   # by type
    keyed_on = versions_of(current, versions, function)
    _note(keyed_on)
    function_path, named = f"{function.__module__}.{function.__qualname__}", tuple(sorted(kwargs.items()))
    warmup.note_call(str(current.path), function_path, args, named)
    with shared_results.versions_known(versions):      # the versions read this run are current
        result = _cached_call(function_path, str(current.path), keyed_on, args, named)
    # (defence in depth: rows with id columns outside the rights dropped; the check is above)
    return result if allowed is None else access.filter_result(principal, allowed, result)


def _allowed(current: Store, versions: dict[str, str], principal):
    keyed_on = versions_of(current, versions, access.allowed_ids)
    _note(keyed_on)
    return _cached_call("analytics.access.allowed_ids", str(current.path), keyed_on,
                        (principal.region_id, principal.municipality_id, principal.school_id), ())


def clear_caches() -> None:
    """After a write in this run: read the data versions again. (Nothing needs dropping: every
    cache is keyed on the versions of what it read, and a write bumps the versions of what it
    wrote.)"""
    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is not None:
        ctx._shnor_data = None


MAX_TRACKED = 512
KIND_LIMITS = {"map": 24}        # a map's strings are up to ~1 MB each
_tracked: collections.OrderedDict = collections.OrderedDict()
_tracked_lock = threading.Lock()


def tracked(key: tuple, build: Callable[[], Any], *, uses_run: bool = False):
    """``build()`` cached under ``key`` (which must name everything ``build`` depends on except
    the data) for as long as the data versions of every :func:`compute` call it made are
    current — and, with ``uses_run``, of every call the script run made before (a build that
    closes over the run's results). A build that makes no compute call is keyed on the overall
    version."""
    current, versions = _store_and_versions()
    key = (str(current.path),) + key
    before = set(_run_dependencies() or ()) if uses_run else set()
    with _tracked_lock:
        entry = _tracked.get(key)
        if entry is not None and all(versions.get(group, "0") == version for group, version in entry[0]):
            _tracked.move_to_end(key)
            _note(entry[0])
            return entry[1]
    collected: set = set()
    stack = _collecting.__dict__.setdefault("stack", [])
    stack.append(collected)
    try:
        result = build()
    finally:
        stack.pop()
    dependencies = tuple(sorted(collected | before)) or (("*", versions.get("*", "0")),)
    _note(dependencies)
    with _tracked_lock:
        # Entries built on data that has changed since can never be served again: drop them.
        for old in [k for k, (deps, _) in _tracked.items()
                    if k[0] == key[0] and any(versions.get(g, "0") != v for g, v in deps)]:
            del _tracked[old]
        _tracked[key] = (dependencies, result)
        _tracked.move_to_end(key)
        limit = KIND_LIMITS.get(key[1])
        if limit is not None:
            same_kind = [k for k in _tracked if k[1] == key[1]]
            for old in same_kind[:max(0, len(same_kind) - limit)]:
                del _tracked[old]
        while len(_tracked) > MAX_TRACKED:
            _tracked.popitem(last=False)
    return result


# -- views: cached figures and tables built from cached results ---------------------------------
class Source(NamedTuple):
    """A ``compute(function, *args, **kwargs)`` call handed to :func:`view` unevaluated."""
    function: Callable
    args: tuple
    kwargs: tuple


def source(function: Callable, *args, **kwargs) -> Source:
    """Name the data of a view: ``view(builder, source(f, a, b), title)`` calls
    ``builder(compute(f, a, b), title)`` only when the view is not cached."""
    _check_stable(function, "a source function")
    return Source(function, args, tuple(sorted(kwargs.items())))


def _check_stable(function: Callable, what: str) -> None:
    """A cache key may name only functions that are the same object on every run: defined at
    module level of an importable module (not a lambda, not a page script's function)."""
    qualname = getattr(function, "__qualname__", "")
    if getattr(function, "__module__", "__main__") == "__main__" or "<" in qualname:
        raise TypeError(f"{what} must be a module-level function of an importable module, "
                        f"not {getattr(function, '__module__', '?')}.{qualname}")


def frozen(value: Any):
    """``value`` as a hashable cache-key part; tables must come through :func:`source`."""
    if isinstance(value, Source):
        return ("source", f"{value.function.__module__}.{value.function.__qualname__}",
                frozen(value.args), frozen(value.kwargs))
    if isinstance(value, dict):
        return ("dict", tuple((frozen(k), frozen(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return (type(value), tuple(frozen(v) for v in value))
    if isinstance(value, (set, frozenset)):
        return ("set", frozenset(frozen(v) for v in value))
    if isinstance(value, (pd.DataFrame, pd.Series, pd.Index)):
        raise TypeError("pass tables to a view through source(function, ...), not as values")
    if isinstance(value, float) and value != value:
        return ("nan",)       # NaN is not equal to itself: one key for every NaN
    if callable(value) and not isinstance(value, type):
        _check_stable(value, "a function argument of a view")
    hash(value)   # anything else must be hashable as it is
    return value


def _sources(value: Any):
    """Every :class:`Source` in ``value`` (also inside lists, tuples and dict values)."""
    if isinstance(value, Source):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _sources(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _sources(item)


def _resolved(value: Any):
    if isinstance(value, Source):
        return compute(value.function, *value.args, **dict(value.kwargs))
    if isinstance(value, dict):
        return {k: _resolved(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolved(v) for v in value]
    if isinstance(value, tuple) and any(True for _ in _sources(value)):
        return type(value)(*(_resolved(v) for v in value)) if hasattr(value, "_fields") \
            else tuple(_resolved(v) for v in value)
    return value


def view(builder: Callable, *args, **kwargs):
    """``builder(*args, **kwargs)`` — every :func:`source` argument replaced by its
    ``compute()`` result — cached on the data version, the builder and its arguments, the
    language, the presentation mode and the acting user's rights.

    Access: each source's call is checked for the acting user on every use, cached or not,
    and its rows are filtered for that user before the builder sees them; a view built within
    one user's rights is never served to another's (the rights are part of the key), so a
    cached figure cannot show another user's rows. A builder may call :func:`compute` itself: the same
    key then means the same checks and the same rows.

    The result is shared by every run and session that asks for the same view: never change
    it (copy it first)."""
    from presentation.figures.shared import escaped, shared
    from presentation.figures.style import presenting    # (presentation.figures imports nothing from here)
    from ui.text import language

    _check_stable(builder, "a view builder")
    current, versions = _store_and_versions()
    principal = access.current()
    sources = list(_sources((args, kwargs)))
    for item in sources:
        access.typed_read(item.function, item.args, dict(item.kwargs))
    if not principal.unrestricted:
        allowed = _allowed(current, versions, principal)
        for item in sources:        # refuses one outside the rights (by type)
            access.scope_call(current, principal, allowed, item.function, item.args, dict(item.kwargs))
    key = ("view", f"{builder.__module__}.{builder.__qualname__}", language(), presenting(),
           (principal.role, principal.region_id, principal.municipality_id, principal.school_id),
           frozen(args), frozen(tuple(sorted(kwargs.items()))))
    return tracked(key, lambda: shared(escaped(builder(*_resolved(list(args)), **_resolved(kwargs)))))


def forget_everything() -> None:
    """Drop every cached result, view and map of this process (tests, benchmarks)."""
    st.cache_data.clear()
    with _tracked_lock:
        _tracked.clear()
    shared_results.forget()
    clear_caches()
