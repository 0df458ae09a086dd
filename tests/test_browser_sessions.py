"""Ten officials at once in real browsers against one server, on the demo region with a hostile
school name: every page renders, no error, no script from the data ever runs (the pages are
opened with the hostile school selected, so its name is in tables, cards, popups and charts)."""
import asyncio
import time

import pytest
from playwright.async_api import async_playwright

from tests.browser import chromium_path, streamlit_server
from tests.fixtures import hostile_copy
from tests.test_hostile_input import HOSTILE

SESSIONS = 10
PAGES = ["overview", "schools", "results", "map", "risks", "roadmaps", "roadmap_import", "teachers", "targets", "data"]


@pytest.fixture(scope="module")
def hostile_server(demo_db_path, tmp_path_factory):
    path = tmp_path_factory.mktemp("sessions") / "sessions.duckdb"
    school = hostile_copy(demo_db_path, path, [("UPDATE schools SET short_name = ? WHERE school_id = ?", [HOSTILE])])
    with streamlit_server(path) as base:
        yield base, school


async def _session(browser, base: str, school: str, n: int, report: dict) -> None:
    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    await context.route(lambda url: not url.startswith(("http://127.0.0.1", "http://localhost")),
                        lambda route: route.abort())
    page = await context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), asyncio.ensure_future(dialog.dismiss())))
    rendered = []
    for k in range(2):                                    # two pages each; together every page twice
        key = PAGES[(n + 5 * k) % len(PAGES)]
        started = time.monotonic()
        await page.goto(f"{base}/{key}?municipality=01-03&school={school}", timeout=150_000, wait_until="commit")
        try:
            await page.locator(".shnor-context").first.wait_for(state="visible", timeout=150_000)
            await page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(timeout=150_000)
        except Exception as error:            # noqa: BLE001 - reported with the page that failed
            shot = f"/tmp/session_{n}_{key}.png"
            await page.screenshot(path=shot, full_page=True)
            rendered.append((key, f"{type(error).__name__} after {time.monotonic() - started:.0f} s, see {shot}"))
            continue
        errors = await page.locator("[data-testid='stException']").count()
        rendered.append((key, errors))
    report[n] = {"rendered": rendered, "dialogs": dialogs}
    await context.close()


async def _run(base: str, school: str) -> dict:
    report: dict = {}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium_path())
        try:
            await asyncio.gather(*(_session(browser, base, school, n, report) for n in range(SESSIONS)))
        finally:
            await browser.close()
    return report


def test_ten_simultaneous_sessions(hostile_server):
    base, school = hostile_server
    started = time.monotonic()
    report = asyncio.run(_run(base, school))
    elapsed = time.monotonic() - started
    assert len(report) == SESSIONS
    seen = {key for r in report.values() for key, _ in r["rendered"]}
    assert seen == set(PAGES)
    assert all(errors == 0 for r in report.values() for _, errors in r["rendered"]), report
    assert not [d for r in report.values() for d in r["dialogs"]], report
    print(f"{SESSIONS} sessions × 2 pages in {elapsed:.0f} s")
