"""The layers import one way: analytics (import & store, computations) → presentation (figures,
views, formats, text, the DOCX report; no Streamlit) → ui (Streamlit glue) → pages and app.py.
Command-line entry points (``__main__.py``) sit beside the pages: they may use the presentation
wording, never Streamlit."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Package → the top-level modules it must never import.
FORBIDDEN = {
    "analytics": {"streamlit", "presentation", "ui", "pages", "app"},
    "presentation": {"streamlit", "ui", "pages", "app"},
    "ui": {"pages", "app"},
}
ENTRY_POINT_FORBIDDEN = {"streamlit", "ui", "pages", "app"}


def imported_tops(source: str) -> set[str]:
    """Top-level module names a file imports anywhere (also inside functions)."""
    tops = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            tops.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            tops.add(node.module.split(".")[0])
    return tops


def violations(package: str, root: Path = ROOT) -> list[str]:
    found = []
    for path in sorted((root / package).rglob("*.py")):
        forbidden = ENTRY_POINT_FORBIDDEN if path.name == "__main__.py" else FORBIDDEN[package]
        for top in sorted(imported_tops(path.read_text(encoding="utf-8")) & forbidden):
            found.append(f"{path.relative_to(root).as_posix()} imports {top}")
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_import_goes_up_a_layer(package):
    assert violations(package) == []


def test_streamlit_only_in_the_glue_and_the_pages():
    product = [p for p in ROOT.glob("*/**/*.py") if p.relative_to(ROOT).parts[0] in ("analytics", "presentation")]
    users = [str(p.relative_to(ROOT)) for p in product if "streamlit" in imported_tops(p.read_text(encoding="utf-8"))]
    assert product and users == []


@pytest.mark.parametrize("source, tops", [
    ("import streamlit as st", {"streamlit"}),
    ("def f():\n    from ui.cache import compute\n", {"ui"}),
    ("from . import fmt\nfrom presentation.figures import style", {"presentation"}),
    ("import analytics.figures, os.path", {"analytics", "os"}),
])
def test_the_import_reader_sees_every_form(source, tops):
    assert imported_tops(source) == tops


def test_a_wrong_arrow_is_caught(tmp_path):
    (tmp_path / "analytics").mkdir()
    (tmp_path / "analytics" / "bad.py").write_text("def f():\n    from presentation import fmt\n", encoding="utf-8")
    (tmp_path / "analytics" / "__main__.py").write_text("from presentation import fmt\nimport streamlit\n",
                                                      encoding="utf-8")
    assert violations("analytics", tmp_path) == ["analytics/__main__.py imports streamlit",
                                                 "analytics/bad.py imports presentation"]
