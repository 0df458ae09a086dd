"""The README stays a door, and the docs do not point to files that are not there.

README.md is at most 150 lines; every relative link in README.md, docs/**/*.md and bench/README.md
names an existing file; every figure of the registry (analytics/reference/figures.toml) is defined
in the methodology (docs/methodology/*.md names its id)."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAX_README_LINES = 150

# [text](target) — the target up to the first space or closing bracket; images too.
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
CODE_BLOCK = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)
INLINE_CODE = re.compile(r"`[^`\n]*`")


def markdown_files() -> list[Path]:
    files = [ROOT / "README.md", ROOT / "bench" / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    return [f for f in files if f.exists()]


def relative_links(text: str) -> list[str]:
    """Link targets outside code, without web addresses, mail links and in-page anchors."""
    text = INLINE_CODE.sub("", CODE_BLOCK.sub("", text))
    targets = []
    for target in LINK.findall(text):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith("#"):
            continue
        targets.append(target)
    return targets


def test_link_pattern_finds_relative_links_and_skips_code_and_web_addresses():
    text = ("See [a](docs/a.md#part), ![img](img/x.png \"title\"), [web](https://example.org/x.md), "
            "[mail](mailto:x@y.z), [here](#top), `[code](nowhere.md)`.\n"
            "```\n[block](nowhere-either.md)\n```\n")
    assert relative_links(text) == ["docs/a.md#part", "img/x.png"]


def test_readme_is_a_door():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= MAX_README_LINES, f"README.md has {len(lines)} lines (at most {MAX_README_LINES})"


def test_readme_quick_start_names_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert ".venv/bin/streamlit run app.py" in readme
    assert "bash .ci/run" in readme
    assert (ROOT / ".ci" / "run").exists()


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_points_to_an_existing_file(path: Path):
    missing = []
    for target in relative_links(path.read_text(encoding="utf-8")):
        file_part = unquote(target.split("#", 1)[0])
        if not file_part:
            continue
        if not (path.parent / file_part).resolve().exists():
            missing.append(target)
    assert not missing, f"{path.relative_to(ROOT)} links to missing files: {missing}"


def test_readme_links_to_the_docs():
    links = {unquote(t.split("#", 1)[0]) for t in relative_links((ROOT / "README.md").read_text(encoding="utf-8"))}
    for needed in ("docs/ru/users.md", "docs/ru/admin.md", "docs/ru/import.md", "docs/architecture.md",
                   "bench/README.md", "docs/methodology/figures.md"):
        assert needed in links, f"README.md does not link to {needed}"


def test_every_registry_figure_is_defined_in_the_methodology():
    registry = tomllib.loads((ROOT / "analytics" / "reference" / "figures.toml").read_text(encoding="utf-8"))
    methodology = "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs" / "methodology").glob("*.md")))
    undocumented = [figure_id for figure_id in registry if f"`{figure_id}`" not in methodology]
    assert registry, "the figure registry is empty"
    assert not undocumented, f"figures of the registry with no definition in docs/methodology: {undocumented}"
