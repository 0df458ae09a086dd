"""python -m bench.served_load [--processes 1,4] [--sessions 5,10,25]: page times in real browsers
against 1 and 4 app processes of the served mode.

Starts a throwaway PostgreSQL (tests/postgres.py), publishes the demo region, starts P
``streamlit run`` processes and sends each simulated session to one of them (session i → process
i mod P: what nginx's sticky sessions do). Each session is a school head reporting execution:
«Дорожные карты» filtered to the school, the school's passport, «Обзор», «Дорожные карты» again.
A page's time: from navigation until the page's context line is visible and the script has
stopped running. Prints p50/p95 page time, errors, and the peak RSS of each app process.
Figures, not a timed test: report the load average beside them."""
from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TODAY = "2026-11-22"


def _start_app(port: int, env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.headless", "true"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _wait_healthy(port: int, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"app on port {port} did not start")
            time.sleep(0.2)        # polling a health endpoint


def _peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def _session(browser, base: str, school: str, municipality: str, times: list, errors: list) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 720})
    await context.route(lambda url: not url.startswith(("http://127.0.0.1", "http://localhost")),
                        lambda route: route.abort())
    page = await context.new_page()
    for path in (f"/roadmaps?municipality={municipality}&school={school}", f"/passport?school={school}",
                 f"/?municipality={municipality}", f"/roadmaps?municipality={municipality}&school={school}"):
        started = time.monotonic()
        try:
            await page.goto(base + path, timeout=300_000, wait_until="commit")
            await page.locator(".shnor-context").first.wait_for(state="visible", timeout=300_000)
            await page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(timeout=300_000)
            if await page.locator("[data-testid='stException']").count():
                errors.append(f"{path}: exception on the page")
        except Exception as error:      # noqa: BLE001 - counted as an error of this page
            errors.append(f"{path}: {type(error).__name__}")
            continue
        times.append(time.monotonic() - started)
    await context.close()


async def _load(ports: list[int], sessions: int, schools: list[tuple[str, str]]) -> tuple[list, list, float]:
    from playwright.async_api import async_playwright
    times, errors = [], []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path="/usr/lib/chromium/chromium")
        started = time.monotonic()
        try:
            await asyncio.gather(*(
                _session(browser, f"http://127.0.0.1:{ports[i % len(ports)]}", *schools[i % len(schools)],
                         times, errors) for i in range(sessions)))
        finally:
            await browser.close()
    return times, errors, time.monotonic() - started


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else float("nan")


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(ROOT))
    from analytics.served.publish import publish
    from analytics.store import open_store
    from tests import postgres

    parser = argparse.ArgumentParser(prog="python -m bench.served_load")
    parser.add_argument("--processes", default="1,4")
    parser.add_argument("--sessions", default="5,10,25")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="shnor-bench-load-"))
    master_path = work / "master.duckdb"
    subprocess.run([sys.executable, "-m", "analytics.demo", "--db", str(master_path), "--today", TODAY],
                   check=True, cwd=ROOT, capture_output=True)
    cluster = postgres.Cluster()
    rows = []
    try:
        dsn = postgres.fresh_database(cluster.start())
        master = open_store(master_path)
        publish(master, dsn, work / "parquet")
        schools = master.query_rows("SELECT DISTINCT s.school_id, s.municipality_id FROM measure_status u "
                                    "JOIN schools s USING (school_id) ORDER BY 1 LIMIT 50")
        master.close()
        env = dict(os.environ, SHNOR_PG=dsn, SHNOR_PARQUET=str(work / "parquet"), SHNOR_DB=str(master_path),
                   SHNOR_TODAY=TODAY)
        for count in (int(p) for p in args.processes.split(",")):
            for sessions in (int(s) for s in args.sessions.split(",")):
                ports = [18600 + k for k in range(count)]
                apps = [_start_app(port, env) for port in ports]
                try:
                    for port, app in zip(ports, apps):
                        _wait_healthy(port, app)
                    times, errors, wall = asyncio.run(_load(ports, sessions, schools))
                    rss = [_peak_rss_mib(app.pid) for app in apps]
                finally:
                    for app in apps:
                        app.terminate()
                    for app in apps:
                        app.wait(timeout=30)
                rows.append((count, sessions, len(times), statistics.median(times) if times else float("nan"),
                             _percentile(times, 0.95), len(errors), wall, rss))
                print(f"{count} process(es), {sessions} sessions: {len(times)} pages, p50 {rows[-1][3]:.1f} s, "
                      f"p95 {rows[-1][4]:.1f} s, errors {len(errors)}, wall {wall:.0f} s, load {os.getloadavg()[0]:.1f}",
                      flush=True)
    finally:
        cluster.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(f"\nload average at the end: {os.getloadavg()[0]:.2f} (cores: {os.cpu_count()})")
    print("| processes | sessions | pages | p50 page, s | p95 page, s | errors | wall, s | peak RSS per process, MiB |")
    print("|---:|---:|---:|---:|---:|---:|---:|---|")
    for count, sessions, pages, p50, p95, errors, wall, rss in rows:
        print(f"| {count} | {sessions} | {pages} | {p50:.1f} | {p95:.1f} | {errors} | {wall:.0f} | "
              f"{', '.join(f'{r:.0f}' for r in rss)} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
