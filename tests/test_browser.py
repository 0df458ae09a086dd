"""What a person does in a real browser: open the overview, change the municipality."""
import re
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import expect

from tests.browser import copy_db, offline_context, streamlit_server
from tests.browser import browser, server  # noqa: F401 — pytest fixtures used by name


def test_overview_then_municipality_filter(server, browser, tmp_path):
    context = offline_context(browser, viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    page.goto(server + "/")
    expect(page.get_by_text("Школы в перечне ШНОР")).to_be_visible(timeout=60_000)
    context_line = page.locator(".shnor-context")
    expect(context_line).to_contain_text("Все муниципалитеты")
    before = page.locator("[data-testid='stMetricValue']").first.inner_text()

    page.get_by_role("combobox", name="Муниципалитет").click()
    page.get_by_role("option", name=re.compile("Сергиевский")).click()

    expect(context_line).to_contain_text("Сергиевский", timeout=30_000)
    expect(page).to_have_url(re.compile(r"municipality=01-"), timeout=30_000)
    municipality = parse_qs(urlparse(page.url).query)["municipality"][0]
    # The metrics are redrawn after the header: wait for the new value, not a fixed time.
    expect(page.locator("[data-testid='stMetricValue']").first).not_to_have_text(before, timeout=30_000)
    page.screenshot(path=str(tmp_path / "overview_municipality.png"), full_page=True)

    # The copied link reproduces the view in a fresh browser context.
    fresh = offline_context(browser).new_page()
    fresh.goto(page.url)
    expect(fresh.locator(".shnor-context")).to_contain_text("Сергиевский", timeout=60_000)
    assert parse_qs(urlparse(fresh.url).query)["municipality"][0] == municipality
    context.close()


def test_deep_link_as_the_first_request_after_start(demo_db_path, browser, tmp_path):
    """A link opened right after a server start must still get the shell and its filters."""
    db = copy_db(demo_db_path, tmp_path)
    with streamlit_server(db) as base:
        page = offline_context(browser).new_page()
        page.goto(base + "/overview?municipality=01-03&year=2025")
        expect(page.locator(".shnor-context")).to_contain_text("Сергиевский", timeout=60_000)
        expect(page.locator(".shnor-context")).to_contain_text("2025")
        expect(page.get_by_role("combobox", name="Муниципалитет")).to_be_visible()
        assert "municipality=01-03" in page.url
