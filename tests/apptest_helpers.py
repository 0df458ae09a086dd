"""Running the whole app (shell + a page) under Streamlit's AppTest.

AppTest switches Streamlit back into its old "pages/ folder" mode before every run (a
real server is in that mode only until the first st.navigation call). In that mode a
page first runs alone and ``ui.entry.ensure_entry_point`` reruns it through app.py,
which would swallow one-shot events such as button clicks. Tests therefore run the app
the way a started server does after its first request: navigation mode only. The
deep-link guard itself is covered by the browser tests.
"""
from __future__ import annotations

import functools
from pathlib import Path

import pytest
from streamlit.runtime.scriptrunner import script_runner

from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from tests.conftest import PROJECT_ROOT


def _navigation_mode_only() -> None:
    if getattr(PagesManager.__init__, "_navigation_only", False):
        return
    original = PagesManager.__init__

    @functools.wraps(original)
    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    init._navigation_only = True
    PagesManager.__init__ = init


def new_app(query: dict | None = None, timeout: float = 60) -> AppTest:
    _navigation_mode_only()
    app = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=timeout)
    for key, value in (query or {}).items():
        app.query_params[key] = value
    return app


def run_page(page_script: str | None = None, query: dict | None = None, timeout: float = 60,
             session: dict | None = None) -> AppTest:
    app = new_app(query, timeout)
    for key, value in (session or {}).items():
        app.session_state[key] = value
    app.run()
    if page_script:
        # A page registered by st.navigation is known only after one run of app.py.
        assert_no_exception(app)
        app.switch_page(page_script)
        app.run()
    assert_no_exception(app)
    return app


def rerun(app: AppTest) -> AppTest:
    app.run()
    assert_no_exception(app)
    return app


def incidents(app: AppTest) -> list[str]:
    """Messages of unexpected errors the app caught (ui.errors): a crash shown politely."""
    return [e.value for e in app.error if "инцидент" in e.value or "incident" in e.value]


def assert_no_exception(app: AppTest) -> None:
    assert not app.exception, [e.value for e in app.exception]
    assert not incidents(app), incidents(app)


def markdown_text(app: AppTest) -> str:
    return "\n".join(str(m.value) for m in app.markdown)


def all_text(app: AppTest) -> str:
    parts = [str(e.value) for kind in ("title", "header", "subheader", "markdown", "caption", "info",
                                        "warning", "success", "error") for e in getattr(app, kind)]
    parts += [m.label + " " + str(m.value) for m in app.metric]
    return "\n".join(parts)


def selectbox(app: AppTest, label: str):
    return next(s for s in app.sidebar.selectbox if s.label == label)


def query_value(app: AppTest, name: str) -> str | None:
    value = app.query_params.get(name)
    return value[0] if isinstance(value, list) else value


rerun_default_page = rerun  # older name, kept for tests written against it


@pytest.fixture(autouse=True)
def run_app_py_not_the_pages_folder(monkeypatch):
    """Streamlit 1.67 treats a ``pages/`` folder beside app.py as a v1 multipage app until
    ``st.navigation`` has run once, and AppTest resets that flag on every run: a switch to a
    non-default page would then run the page script alone, without app.py (no filters, no
    scope). With this fixture imported into a test module, the main script always runs, as it
    does in a served app after its first session (the served app shares the problem for a deep
    link opened first after start)."""
    def run_main_script(main_script_path):
        code = compile(Path(main_script_path).read_text(encoding="utf-8"), str(main_script_path), "exec")
        exec(code, {"__name__": "__main__", "__file__": str(main_script_path)})  # noqa: S102

    monkeypatch.setattr(script_runner, "_mpa_v1", run_main_script)
