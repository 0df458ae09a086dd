"""The page side of the store: one Store per process, results cached per data version.

Every cached call is keyed on the function, its arguments and the store's data version,
so an import (which bumps the version) can never serve results computed on old data.

Views: what a page draws from those results (a plotly figure, a formatted table) is cached
too, by :func:`view` — building a figure costs more than reading its cached data. A view is
keyed like a result, plus the language, the presentation mode and the acting user's scope.

Access control is enforced here for every page at once: a call naming a region,
municipality, school, roadmap or unit outside the acting user's scope is refused
(:class:`analytics.access.AccessDenied`), and rows outside the scope are dropped from the
result. The cache is shared between users; the check and the filter run on every call.
"""
from __future__ import annotations

import collections
import importlib
import threading
from typing import Any, Callable, NamedTuple

import pandas as pd

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from analytics import access
from analytics.config import Settings, load_settings
from analytics.store import Store, open_store


def settings() -> Settings:
    return load_settings()


@st.cache_resource(show_spinner=False)
def _store_for(path: str) -> Store:
    return open_store(path)


def store() -> Store:
    return _store_for(str(settings().db_path))


@st.cache_data(show_spinner=False, max_entries=512)
def _cached_call(function_path: str, db_path: str, data_version: str, args: tuple, kwargs: tuple):
    module_name, _, name = function_path.rpartition(".")
    function = getattr(importlib.import_module(module_name), name)
    return function(_store_for(db_path), *args, **dict(kwargs))


def _store_and_version() -> tuple[Store, str]:
    """The store and its data version, read once per script run (a page makes dozens of
    cached calls; each would otherwise read the settings file and query the version).
    A run that writes data calls :func:`clear_caches`, which forgets them; outside a
    Streamlit run they are read on every call."""
    ctx = get_script_run_ctx(suppress_warning=True)
    memo = getattr(ctx, "_shnor_data", None) if ctx is not None else None
    if memo is not None and memo[0] is ctx.cursors:     # Streamlit gives every run a new cursors dict
        return memo[1], memo[2]
    current = store()
    version = current.data_version()
    if ctx is not None:
        ctx._shnor_data = (ctx.cursors, current, version)
    return current, version


def compute(function: Callable, *args, **kwargs):
    """Call ``function(store, *args, **kwargs)`` through the cache, within the acting user's scope."""
    current, version = _store_and_version()
    principal = access.current()
    allowed = None
    if not principal.unrestricted:
        allowed = _cached_call("analytics.access.allowed_ids", str(current.path), version,
                               (principal.region_id, principal.municipality_id, principal.school_id), ())
        access.check_call(current, principal, allowed, function, args, kwargs)
    result = _cached_call(f"{function.__module__}.{function.__qualname__}", str(current.path),
                          version, args, tuple(sorted(kwargs.items())))
    return result if allowed is None else access.filter_result(principal, allowed, result)


def clear_caches() -> None:
    """After an import: drop every cached result and view (the data version changes too)."""
    st.cache_data.clear()
    with _views_lock:
        _views.clear()
    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is not None:
        ctx._shnor_data = None


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


MAX_VIEWS = 256
_views: collections.OrderedDict = collections.OrderedDict()
_views_lock = threading.Lock()
_views_version: dict[str, str] = {}      # database path -> the data version its views were built on


def _check_stable(function: Callable, what: str) -> None:
    """A cache key may name only functions that are the same object on every run: defined at
    module level of an importable module (not a lambda, not a page script's function)."""
    qualname = getattr(function, "__qualname__", "")
    if getattr(function, "__module__", "__main__") == "__main__" or "<" in qualname:
        raise TypeError(f"{what} must be a module-level function of an importable module, "
                        f"not {getattr(function, '__module__', '?')}.{qualname}")


def _frozen(value: Any):
    """``value`` as a hashable cache-key part; tables must come through :func:`source`."""
    if isinstance(value, Source):
        return ("source", f"{value.function.__module__}.{value.function.__qualname__}",
                _frozen(value.args), _frozen(value.kwargs))
    if isinstance(value, dict):
        return ("dict", tuple((_frozen(k), _frozen(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return (type(value), tuple(_frozen(v) for v in value))
    if isinstance(value, (set, frozenset)):
        return ("set", frozenset(_frozen(v) for v in value))
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
    language, the presentation mode and the acting user's scope.

    Access: each source's call is checked for the acting user on every use, cached or not,
    and its rows are filtered for that user before the builder sees them; a view built for
    one scope is never served to another (the scope is part of the key), so a cached figure
    cannot show another user's rows. A builder may call :func:`compute` itself: the same
    key then means the same checks and the same rows.

    The result is shared by every run and session that asks for the same view: never change
    it (copy it first)."""
    from ui.figures.shared import escaped, shared
    from ui.figures.style import presenting    # (ui.figures imports nothing from here)
    from ui.text import language

    _check_stable(builder, "a view builder")
    current, version = _store_and_version()
    principal = access.current()
    sources = list(_sources((args, kwargs)))
    if not principal.unrestricted:
        allowed = _cached_call("analytics.access.allowed_ids", str(current.path), version,
                               (principal.region_id, principal.municipality_id, principal.school_id), ())
        for item in sources:
            access.check_call(current, principal, allowed, item.function, item.args, dict(item.kwargs))
    path = str(current.path)
    key = (path, version, f"{builder.__module__}.{builder.__qualname__}", language(), presenting(),
           (principal.role, principal.region_id, principal.municipality_id, principal.school_id),
           _frozen(args), _frozen(tuple(sorted(kwargs.items()))))
    with _views_lock:
        if _views_version.get(path) != version:
            # New data (an import): views of the old version can never be asked for again.
            for old in [k for k in _views if k[0] == path]:
                del _views[old]
            _views_version[path] = version
        if key in _views:
            _views.move_to_end(key)
            return _views[key]
    result = shared(escaped(builder(*_resolved(list(args)), **_resolved(kwargs))))
    with _views_lock:
        if _views_version.get(path) == version:
            _views[key] = result
            while len(_views) > MAX_VIEWS:
                _views.popitem(last=False)
    return result
