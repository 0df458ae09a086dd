"""In a real browser: upload a messy Windows-1251 «;» file with decimal commas, see the preview, import it."""
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from analytics.store import Store
from tests.browser import chromium_path, copy_db, offline_context, streamlit_server
from tests.test_app_data import MESSY

SHOTS = Path(os.environ.get("SHNOR_SCREENSHOTS", "")) if os.environ.get("SHNOR_SCREENSHOTS") else None


def test_messy_file_imports_from_the_browser(demo_db_path, tmp_path):
    db = copy_db(demo_db_path, tmp_path)
    upload = tmp_path / "впр_математика_2026.csv"
    upload.write_bytes(MESSY)
    shots = SHOTS or tmp_path
    with streamlit_server(db) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path())
        context = offline_context(browser, viewport={"width": 1600, "height": 1000})
        page = context.new_page()
        # First the root: on a fresh server Streamlit resolves a deep link before app.py has
        # called st.navigation and runs pages/ as a v1 multipage app (foundation issue, reported).
        page.goto(base + "/")
        expect(page.get_by_text("Школы в перечне ШНОР")).to_be_visible(timeout=60_000)
        page.goto(base + "/data?kind=results")
        expect(page.get_by_text("Что загружаем")).to_be_visible(timeout=60_000)
        page.locator("input[type='file']").set_input_files(str(upload))
        expect(page.get_by_text("Что будет записано")).to_be_visible(timeout=60_000)
        expect(page.get_by_text("кодировка Windows-1251, разделитель «;»")).to_be_visible()
        expect(page.get_by_text("0100002", exact=True).first).to_be_attached(timeout=30_000)
        page.get_by_text("Как прочитаны столбцы").click()
        expect(page.get_by_text("Не используются: % выполнения.")).to_be_visible(timeout=30_000)
        page.screenshot(path=str(shots / "data_preview.png"), full_page=True)
        page.get_by_role("button", name="Загрузить в базу").scroll_into_view_if_needed()
        page.screenshot(path=str(shots / "data_preview_table.png"))
        page.get_by_role("button", name="Загрузить в базу").click()
        # The success message (the import log's cell repeats the counts once the grid is drawn).
        expect(page.get_by_test_id("stAlert").get_by_text("новых 0, изменено 2, без изменений 0")).to_be_visible(
            timeout=60_000)
        expect(page.get_by_role("button", name="Загрузить в базу")).to_have_count(0, timeout=60_000)
        expect(page.get_by_text("загружено", exact=True)).to_be_attached(timeout=60_000)   # the import log
        page.screenshot(path=str(shots / "data_imported.png"), full_page=True)
        bad = tmp_path / "плохой.xlsx"
        bad.write_bytes(b"%PDF-1.7 a report, not a table")
        page.locator("input[type='file']").set_input_files(str(bad))
        expect(page.get_by_text("Файл не загружен")).to_be_visible(timeout=60_000)
        expect(page.get_by_text("отклонено", exact=True)).to_be_attached(timeout=60_000)
        page.screenshot(path=str(shots / "data_rejected.png"), full_page=True)
        context.close()
        browser.close()
    store = Store(db)
    try:
        assert store.query_rows("SELECT school_id, participants, n2 FROM results WHERE year = 2026 AND procedure = "
                                "'VPR' AND subject_id = 'math' AND grade = 5 AND school_id IN ('0100001', '0100002') ORDER BY 1") == [
            ("0100001", 62, 8), ("0100002", 10, 1)]
        assert store.query_rows("SELECT outcome FROM import_log ORDER BY import_id") == [("success",), ("rejected",)]
    finally:
        store.close()
