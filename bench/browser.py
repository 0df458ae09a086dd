"""What a user waits for, in Chromium: every page at cold start (a fresh server), on a warm
reload, after a sidebar click, and first after a data change — each beside an empty page in
the same run. Offline (every request not to 127.0.0.1 is aborted), Debian's chromium.

The app is served from a scratch folder whose ``app.py`` adds two benchmark pages to the
navigation (``bench/empty_page.py``: the app frame and nothing else; ``bench/write_page.py``:
a data change made inside the server, which holds the database) and runs the real app.py.

Two times per measure: ``script`` (the server's script run is over) and ``drawn`` (also every
plotly chart has drawn its SVG and every map iframe its Leaflet panes). Also per page: bytes
the server sent over the websocket and the number of charts and maps."""
from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

CHROMIUM = "/usr/lib/chromium/chromium"
ROOT = Path(__file__).resolve().parent.parent
PORTS = range(8621, 8630)
EMPTY = "bench_empty"

WRAPPER = '''import sys
sys.path.insert(0, {root!r})
from ui import navigation
if navigation.find("bench_empty") is None:
    navigation.PAGES = (*navigation.PAGES,
                   navigation.PageSpec("bench_empty", "bench/empty_page.py", "overview.title", ":material/circle:"),
                   navigation.PageSpec("bench_write", "bench/write_page.py", "overview.title", ":material/edit:"))
exec(compile(open({app!r}, encoding="utf-8").read(), {app!r}, "exec"))
'''

# Installed in every document: notes when the script starts running, so "done" means this
# run is over (not the state before it started). A first request after a server start runs
# the page alone, which reruns through app.py (ui/entry.py): done also needs app.py's
# sidebar filters. A mutation observer sees every change of the script state, also a warm run
# that starts and ends between two timer ticks (a polling timer alone missed those and
# waited for ever on cheap pages).
WATCH_RUNS = """
window.__sawRunning = false;
const __noteRunning = (state) => { if (state === 'running') window.__sawRunning = true; };
new MutationObserver((records) => {
  for (const record of records) {
    __noteRunning(record.oldValue);
    __noteRunning(record.target.getAttribute && record.target.getAttribute('data-test-script-state'));
  }
}).observe(document, {subtree: true, attributes: true, attributeOldValue: true,
                      attributeFilter: ['data-test-script-state']});
setInterval(() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (app) __noteRunning(app.getAttribute('data-test-script-state'));
}, 2);
"""
SCRIPT_DONE = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return window.__sawRunning && app && app.getAttribute('data-test-script-state') === 'notRunning'
         && document.querySelector('[data-testid="stSidebarUserContent"] [data-testid="stSelectbox"]') !== null;
}"""
DRAWN = """() => {
  if (document.querySelector('[data-testid="stSkeleton"]')) return false;
  const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
  if (!charts.every(c => c.querySelector('.main-svg'))) return false;
  for (const element of document.querySelectorAll('[data-testid="stCustomComponentV1"]')) {
    const frame = element.tagName === 'IFRAME' ? element : element.querySelector('iframe');
    const doc = frame && frame.contentDocument;
    if (!doc || !doc.querySelector('.leaflet-pane')) return false;
  }
  return true;
}"""
COUNTS = """() => ({charts: document.querySelectorAll('[data-testid="stPlotlyChart"]').length,
                   maps: document.querySelectorAll('[data-testid="stCustomComponentV1"]').length,
                   tables: document.querySelectorAll('[data-testid="stDataFrame"]').length})"""


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS.start}–{PORTS.stop - 1}")


def _serve_folder(app_root: Path) -> Path:
    folder = Path(os.environ.get("TMPDIR", "/tmp")) / f"shnor_bench_serve_{os.getpid()}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for name in ("pages", "static", ".streamlit"):
        if (app_root / name).exists():
            (folder / name).symlink_to(app_root / name)
    (folder / "bench").symlink_to(ROOT / "bench")
    (folder / "app.py").write_text(WRAPPER.format(root=str(app_root), app=str(app_root / "app.py")), encoding="utf-8")
    return folder


class Server:
    """``streamlit run`` of the app at ``app_root`` on ``db_path``; stopped by :meth:`stop`."""

    def __init__(self, app_root: Path, db_path: str, today: str):
        self.port = _free_port()
        self.folder = _serve_folder(app_root)
        env = dict(os.environ, SHNOR_DB=db_path, SHNOR_TODAY=today, PYTHONPATH=str(app_root))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(self.folder / "app.py"), "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none"],
            env=env, cwd=app_root, stdout=subprocess.DEVNULL,
            stderr=open(os.environ["SHNOR_BENCH_SERVER_LOG"], "ab") if os.environ.get("SHNOR_BENCH_SERVER_LOG") else subprocess.DEVNULL)
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{self.base}/_stcore/health", timeout=2):
                    return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("streamlit did not start")
                time.sleep(0.2)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.folder, ignore_errors=True)


class Browser:
    def __init__(self, playwright, timeout_s: float):
        self.browser = playwright.chromium.launch(executable_path=CHROMIUM)
        self.timeout = timeout_s * 1000
        self.received = 0
        self.context = self.browser.new_context(viewport={"width": 1600, "height": 1000})
        self.context.route(lambda url: not url.startswith("http://127.0.0.1"), lambda route: route.abort())
        self.context.add_init_script(WATCH_RUNS)
        self.page = self.context.new_page()
        self.page.on("websocket", lambda ws: ws.on("framereceived", self._count))

    def _count(self, payload) -> None:
        self.received += len(payload)

    def _wait(self, start: float) -> dict:
        self.page.wait_for_function(SCRIPT_DONE, timeout=self.timeout, polling=10)
        script = time.perf_counter() - start
        self.page.wait_for_function(DRAWN, timeout=self.timeout, polling=20)
        return {"script": script, "drawn": time.perf_counter() - start}

    def open(self, url: str) -> dict:
        self.received = 0
        start = time.perf_counter()
        self.page.goto(url, timeout=self.timeout)
        return {**self._wait(start), "bytes": self.received}

    def reload(self) -> dict:
        self.received = 0
        start = time.perf_counter()
        self.page.reload(timeout=self.timeout)
        return {**self._wait(start), "bytes": self.received}

    def click(self, key: str) -> dict:
        self.page.evaluate("window.__sawRunning = false")
        start = time.perf_counter()
        self.page.locator(f'[data-testid="stSidebarNav"] a[href$="/{key}"]').first.click(timeout=60_000)
        return self._wait(start)

    def counts(self) -> dict:
        return self.page.evaluate(COUNTS)

    def close(self) -> None:
        self.browser.close()


def _summary(times: list[dict]) -> dict:
    out = {}
    for name in ("script", "drawn"):
        values = [t[name] for t in times]
        out[name] = {"min": min(values), "median": statistics.median(values)}
    return out


def measure(app_root: Path, db_path: str, today: str, page_keys: list[str], repeat: int,
            timeout_s: float = 600, status_pages: tuple[str, ...] = ("results",)) -> dict:
    """{page key: {"cold", "warm", "click", "changed", "bytes", "counts"}} with ``bench_empty``
    among the pages; ``status_save``: {page: times} for the first render after a status save."""
    from playwright.sync_api import sync_playwright

    keys = [EMPTY] + [k for k in page_keys if k != EMPTY]
    out: dict = {k: {} for k in keys}
    with sync_playwright() as playwright:
        # Cold: a fresh server per page, the page opened first.
        for key in keys:
            Path(f"{db_path}.warm.json").unlink(missing_ok=True)     # cold: nothing to warm from either
            server = Server(app_root, db_path, today)
            browser = Browser(playwright, timeout_s)
            try:
                out[key]["cold"] = browser.open(f"{server.base}/{key}")
            finally:
                browser.close()
                server.stop()
        server = Server(app_root, db_path, today)
        browser = Browser(playwright, timeout_s)
        try:
            for key in keys:                          # warm every page once
                browser.open(f"{server.base}/{key}")
            for key in keys:
                browser.open(f"{server.base}/{key}")
                out[key]["bytes"] = browser.open(f"{server.base}/{key}")["bytes"]
                out[key]["counts"] = browser.counts()
                out[key]["warm"] = _summary([browser.reload() for _ in range(repeat)])
                clicks = []
                origin = EMPTY if key != EMPTY else ("results" if "results" in keys else keys[1])
                try:
                    for _ in range(repeat):
                        browser.open(f"{server.base}/{origin}")
                        clicks.append(browser.click(key))
                    out[key]["click"] = _summary(clicks)
                except Exception as error:      # noqa: BLE001 — e.g. a dialog makes the sidebar inert
                    out[key]["click"] = {"script": float("nan"), "drawn": float("nan"), "error": str(error)[:120]}
            for key in keys:                          # first render after a data change
                changed = []
                for _ in range(repeat):
                    browser.open(f"{server.base}/bench_write?what=all")
                    changed.append(browser.open(f"{server.base}/{key}"))
                    browser.open(f"{server.base}/{EMPTY}")     # (the empty page also reads the versions)
                out[key]["changed"] = _summary(changed)
            saved: dict = {}
            for key in status_pages:                  # first render after a roadmap status save
                times = []
                for _ in range(repeat):
                    browser.open(f"{server.base}/{key}")
                    browser.open(f"{server.base}/bench_write?what=status")
                    times.append(browser.open(f"{server.base}/{key}"))
                saved[key] = _summary(times)
            out["__status_save__"] = saved
        finally:
            browser.close()
            server.stop()
    return out
