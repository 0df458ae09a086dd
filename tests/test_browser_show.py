"""Slides in a real browser at 1920×1080 and 1280×720: nothing scrolls, nothing needs the
sidebar. Screenshots land in the test's tmp_path (SHNOR_SHOT_DIR overrides) for a look."""
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser import offline_context
from tests.browser import browser, server  # noqa: F401 — pytest fixtures used by name

TOLERANCE = 2  # px
SIZES = [(1920, 1080), (1280, 720)]
SLIDES = [(1, "Главное", 2), (5, "Исполнение дорожных карт", 2)]  # slide, title, plotly charts

SCROLL = """() => { const main = document.querySelector('[data-testid=stMain]');
  return {doc: document.documentElement.scrollHeight, inner: window.innerHeight,
          main: main.scrollHeight, mainClient: main.clientHeight,
          sidebar: !!document.querySelector('[data-testid=stSidebar]') &&
                   getComputedStyle(document.querySelector('[data-testid=stSidebar]')).display !== 'none',
          header: getComputedStyle(document.querySelector('header[data-testid=stHeader]')).display !== 'none'}; }"""

@pytest.mark.parametrize("width, height", SIZES)


def test_slides_fit_the_screen(server, browser, tmp_path, width, height):
    shots = Path(os.environ.get("SHNOR_SHOT_DIR", tmp_path))
    context = offline_context(browser, viewport={"width": width, "height": height})
    page = context.new_page()
    for number, title, charts in SLIDES:
        page.goto(f"{server}/show?present=1&slide={number}")
        expect(page.locator("h1")).to_have_text(title, timeout=60_000)
        expect(page.locator("[data-testid=stPlotlyChart] .main-svg").nth(2 * charts - 1)).to_be_attached(timeout=60_000)
        expect(page.locator("[data-testid=stSpinner]")).to_have_count(0, timeout=60_000)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(shots / f"slide{number}_{width}x{height}.png"))
        sizes = page.evaluate(SCROLL)
        assert sizes["doc"] <= sizes["inner"] + TOLERANCE, sizes
        assert sizes["main"] <= sizes["mainClient"] + TOLERANCE, sizes
        assert not sizes["sidebar"] and not sizes["header"], sizes
        # The filter context is the large header line.
        expect(page.locator(".shnor-context")).to_contain_text("Демонстрационная область")
        font = page.locator(".shnor-context").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        assert font >= 24
    context.close()
