"""Peak resident memory of the app server while a browser opens every page."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import urllib.request

from bench.timing import tree_rss_bytes

CHROMIUM = "/usr/lib/chromium/chromium"
ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent


def _free_port() -> int:
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def peak_rss(db_path: str, today: str, page_keys: list[str], timeout: float = 600) -> dict:
    """Start ``streamlit run app.py`` on ``db_path``, open each page in Chromium (Playwright),
    wait until the script has finished, and sample the server's process-tree RSS every 0.1 s."""
    from playwright.sync_api import sync_playwright

    port = _free_port()
    env = dict(os.environ, SHNOR_DB=db_path, SHNOR_TODAY=today)
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                               "--server.address", "127.0.0.1", "--server.headless", "true"],
                              env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak, per_page, stop = [0], {}, threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], tree_rss_bytes(server.pid))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("streamlit did not start")
                time.sleep(0.2)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM)
            context = browser.new_context(viewport={"width": 1600, "height": 1000})
            context.route(lambda url: not url.startswith("http://127.0.0.1"), lambda route: route.abort())
            page = context.new_page()
            for key in page_keys:
                start = time.perf_counter()
                page.goto(f"{base}/{key}", timeout=timeout * 1000)
                page.wait_for_selector("h1", timeout=timeout * 1000)
                # The script is done when the app reports it is not running any more.
                page.wait_for_function(
                    "() => document.querySelector('[data-testid=\"stApp\"]')"
                    "?.getAttribute('data-test-script-state') === 'notRunning'", timeout=timeout * 1000)
                per_page[key] = {"seconds": time.perf_counter() - start, "rss_after": tree_rss_bytes(server.pid)}
            browser.close()
    finally:
        stop.set()
        sampler.join()
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    return {"peak_bytes": peak[0], "pages": per_page}
