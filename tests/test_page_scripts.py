"""Page scripts stay thin (issue #22): a page reads its state through ``ui.url_state`` (and the
sidebar's ``ui.filters``), calls its view builders, renders — one screen a newcomer reads.
Data assembly, table shaping and labels belong in ``presentation/views/<page>.py``."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "pages"
LINE_BUDGET = 150

# Pages not yet thinned: they may shrink, not grow. Sizes as on the integration branch s4-int2
# (2026-12-07), where another change to these pages' tables and layout had landed. Work this table
# down; a page that fits the budget must leave it (the test says so).
KNOWN_FAT = {
}
# Pages that still touch ``st.query_params`` themselves instead of through ``ui.url_state``.
OWN_URL_HANDLING = {"map.py", "show.py", "import_files.py"}   # import_files: see the note in it

# Besides ui/url_state.py, the modules allowed to touch ``st.query_params``: the sidebar filters,
# presentation mode and the session's sign-in link follow the same rule for the global view.
UI_URL_MODULES = {"url_state.py", "filters.py", "present.py", "session.py"}


def lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def touches_query_params(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(isinstance(node, ast.Attribute) and node.attr == "query_params" for node in ast.walk(tree))


PAGE_FILES = sorted(p.name for p in PAGES.glob("*.py") if p.name != "__init__.py")


@pytest.mark.parametrize("name", PAGE_FILES)
def test_page_fits_its_line_budget(name):
    size = lines(PAGES / name)
    allowed = KNOWN_FAT.get(name, LINE_BUDGET)
    assert size <= allowed, f"pages/{name} has {size} lines (allowed {allowed}): move data assembly, " \
                            f"tables and labels into presentation/views, repeated rendering into ui/"
    if name in KNOWN_FAT:
        assert size > LINE_BUDGET, f"pages/{name} fits the {LINE_BUDGET}-line budget now: drop it from KNOWN_FAT"


def test_known_exceptions_name_existing_pages():
    assert set(KNOWN_FAT) <= set(PAGE_FILES) and OWN_URL_HANDLING <= set(PAGE_FILES)


@pytest.mark.parametrize("name", PAGE_FILES)
def test_page_keeps_its_url_state_through_the_helper(name):
    if name in OWN_URL_HANDLING:
        assert touches_query_params(PAGES / name), f"pages/{name} no longer touches st.query_params: " \
                                                   f"drop it from OWN_URL_HANDLING"
    else:
        assert not touches_query_params(PAGES / name), \
            f"pages/{name} touches st.query_params: use ui.url_state (choice, flag, seed/write, read)"


def test_ui_modules_keep_url_handling_in_their_few_places():
    touching = {p.name for p in (ROOT / "ui").glob("*.py") if touches_query_params(p)}
    assert touching <= UI_URL_MODULES, sorted(touching - UI_URL_MODULES)


def test_the_checks_can_fail(tmp_path):
    page = tmp_path / "page.py"
    page.write_text("import streamlit as st\nst.query_params['x'] = '1'\n" + "pass\n" * LINE_BUDGET, encoding="utf-8")
    assert touches_query_params(page) and lines(page) > LINE_BUDGET
