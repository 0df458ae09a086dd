"""The page side of the store: one Store per process, results cached per data version.

Every cached call is keyed on the function, its arguments and the store's data version,
so an import (which bumps the version) can never serve results computed on old data.

Access control is enforced here for every page at once: a call naming a region,
municipality, school, roadmap or unit outside the acting user's scope is refused
(:class:`analytics.access.AccessDenied`), and rows outside the scope are dropped from the
result. The cache is shared between users; the check and the filter run on every call.
"""
from __future__ import annotations

import importlib
from typing import Callable

import streamlit as st

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


def compute(function: Callable, *args, **kwargs):
    """Call ``function(store, *args, **kwargs)`` through the cache, within the acting user's scope."""
    current = store()
    version = current.data_version()
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
    """After an import: drop every cached result (the data version changes too)."""
    st.cache_data.clear()
