"""Running the whole app (shell + a page) under Streamlit's AppTest.

AppTest resets Streamlit's "pages/ folder" mode before every run, so each run first
executes the page file alone; ``ui.entry.ensure_entry_point`` (called by
``current_scope()``) reruns it through app.py, so the sidebar filters are in the tree
on every page and after every rerun.
"""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.conftest import PROJECT_ROOT


def new_app(query: dict | None = None, timeout: float = 60) -> AppTest:
    app = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=timeout)
    for key, value in (query or {}).items():
        app.query_params[key] = value
    return app


def run_page(page_script: str | None = None, query: dict | None = None, timeout: float = 60,
             session: dict | None = None) -> AppTest:
    app = new_app(query, timeout)
    for key, value in (session or {}).items():
        app.session_state[key] = value
    if page_script:
        app.switch_page(page_script)
    app.run()
    assert_no_exception(app)
    return app


def rerun(app: AppTest) -> AppTest:
    app.run()
    assert_no_exception(app)
    return app


def assert_no_exception(app: AppTest) -> None:
    assert not app.exception, [e.value for e in app.exception]


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
