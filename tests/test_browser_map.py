"""The map in a real browser with every outside request aborted: boundaries, coloured
schools and labelled mentor lines appear, and clicking a school opens its card."""
import re

from playwright.sync_api import expect

from tests.browser import offline_context
from tests.browser import browser, server  # noqa: F401 — pytest fixtures used by name


def test_offline_map_click_opens_school_card(server, browser, tmp_path):
    context = offline_context(browser, viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    outside, failed = [], []
    page.on("request", lambda r: r.url.startswith(("http://127.0.0.1", "http://localhost", "data:", "blob:"))
            or outside.append(r.url))
    page.on("response", lambda r: r.status >= 400 and failed.append(r.url))
    page.goto(server + "/")
    page.get_by_role("link", name="Карта школ и наставники").click()
    frame = page.frame_locator("iframe[title='streamlit_folium.st_folium']")
    listed = frame.locator("path.leaflet-interactive[fill='#D55E00']")
    expect(listed.first).to_be_attached(timeout=60_000)
    expect(frame.locator(".km-label").first).to_contain_text("км")
    assert frame.locator("path.leaflet-interactive").count() > 400   # boundaries + every school
    page.screenshot(path=str(tmp_path / "map_region.png"))

    listed.first.dispatch_event("click")
    expect(page.get_by_text("Категория:")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Низкие результаты (ШНОР)", exact=False).last).to_be_visible()
    expect(page).to_have_url(re.compile(r"school=\d+"), timeout=30_000)
    page.screenshot(path=str(tmp_path / "map_card.png"))
    assert outside == [], outside
    assert not [u for u in failed if "/app/static/" in u], failed
    context.close()
