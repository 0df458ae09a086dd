"""Server-side render of every page with AppTest (warm caches), against an empty page."""
from __future__ import annotations

import os
import time
from pathlib import Path

from bench.timing import median_seconds

EMPTY = "bench/empty_page.py"
ROOT = Path(__file__).resolve().parent.parent


def _register_empty_page() -> None:
    from ui import navigation
    if navigation.find("bench_empty") is None:
        navigation.PAGES = (*navigation.PAGES, navigation.PageSpec("bench_empty", EMPTY, "overview.title", ":material/circle:"))


def _compile_once() -> None:
    """Let AppTest keep compiled scripts between runs, as a server does.

    AppTest builds a new ScriptCache for every ``run()`` (streamlit/testing/v1/app_test.py
    and local_script_runner.py), so each measured run reads, rewrites (magic) and compiles
    app.py and the page file again: 10–35 ms for a 150–300-line page, 0.3 ms for the empty
    page. ``streamlit run`` compiles each file once per process. Opt-in (``--pages-compiled-once``)."""
    import streamlit.testing.v1.app_test as app_test
    import streamlit.testing.v1.local_script_runner as local_script_runner
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache

    shared = ScriptCache()
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: shared


def render_times(db_path: str, repeat: int, today: str, session: dict | None = None,
                 only: list[str] | None = None, compiled_once: bool = False) -> dict[str, dict]:
    """{page key: {"first": s, "median": s}} for every page of PAGES plus ``bench_empty``."""
    from streamlit.testing.v1 import AppTest

    from tests.apptest_helpers import _navigation_mode_only
    from ui import navigation

    os.environ["SHNOR_DB"] = db_path
    os.environ["SHNOR_TODAY"] = today
    _register_empty_page()
    _navigation_mode_only()
    if compiled_once:
        _compile_once()
    out = {}
    for spec in navigation.PAGES:
        if only and spec.key not in only and spec.key != "bench_empty":
            continue
        app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
        for key, value in (session or {}).items():
            app.session_state[key] = value
        app.run()
        app.switch_page(spec.script)
        start = time.perf_counter()
        app.run()
        first = time.perf_counter() - start
        if app.exception:
            out[spec.key] = {"first": first, "median": float("nan"), "error": str(app.exception[0].value)[:200]}
            continue
        out[spec.key] = {"first": first, "median": median_seconds(app.run, repeat, warmup=1)}
    return out
