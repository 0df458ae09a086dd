"""python -m bench.served_load [--processes 1,4] [--sessions 10,25,50] [--client ws|browser]:
page times of simulated school heads against 1 and 4 app processes of the served mode.

Starts a throwaway PostgreSQL (tests/postgres.py), publishes the demo region, starts P
``streamlit run`` processes (ports from --port) and sends each simulated session to one of them
(session i → process i mod P: what nginx's sticky sessions do). All sessions start at once.
Each session is a school head reporting execution: «Дорожные карты» for the school's roadmap,
a status save in its editor (one row changed through the editor's widget state; refused when
another session changed it first), the school's passport, «Обзор» for the municipality,
«Дорожные карты» again.

``--client ws`` (default): a websocket client per session (bench/streamlit_client.py), no
browser, so the app processes get the CPU; a page's time is rerun sent → script finished.
``--client browser``: Chromium pages (the former benchmark; no status save); a page's time is
navigation → context line shown and the script stopped.

Each process count is started once, warmed up by one session per process (not counted), then
measured with each session count in turn. Prints p50/p95 page time, errors, saves, the CPU
seconds each app process and the client used, and RSS per process. Figures, not a timed
test: report the load average and the commit beside them."""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TODAY = "2026-11-22"
HEAD_NAME = "Директор школы (нагрузочный тест)"
EDITOR = r"roadmaps_editor_[0-9a-f]{8}"
# What the status editor answers (presentation/locales/ru/roadmaps.toml, roadmaps.edit.*).
SAVE_OUTCOMES = (("Сохранено изменений", "saved"), ("уже изменил другой пользователь", "refused"),
                 ("Изменений нет", "unchanged"), ("исправьте ошибки", "invalid"))


@dataclass(frozen=True)
class Head:
    """A school head: the school, its municipality and the school's own roadmap."""
    school: str
    municipality: str
    roadmap: int

    @property
    def roadmap_query(self) -> str:
        return f"municipality={self.municipality}&school={self.school}&rm_level=school&rm_roadmap={self.roadmap}"


@dataclass
class Tally:
    """What the sessions of one measurement did."""
    times: list = field(default_factory=list)        # (step, seconds, process index, monotonic end)
    errors: list = field(default_factory=list)       # (monotonic end, text)
    saves: Counter = field(default_factory=Counter)
    digests: list = field(default_factory=list)      # (monotonic end, process index, step, content digest)

    def record(self, step: str, run, process: int) -> None:
        at = time.monotonic()
        if run.errors:
            self.errors.extend((at, f"p{process} {step}: {e}") for e in run.errors)
        else:
            self.times.append((step, run.seconds, process, at))
            self.digests.append((at, process, step, run.digest))


def heads(master) -> list[Head]:
    rows = master.query_rows(
        "SELECT DISTINCT u.school_id, s.municipality_id, r.roadmap_id FROM measure_status u "
        "JOIN measures m USING (measure_id) JOIN roadmaps r USING (roadmap_id) "
        "JOIN schools s ON s.school_id = u.school_id WHERE r.level = 'school' ORDER BY 1, 3")
    return [Head(school, municipality, int(roadmap)) for school, municipality, roadmap in rows]


# -- app processes ----------------------------------------------------------------------------------
def start_app(port: int, env: dict, log: Path | None = None) -> subprocess.Popen:
    """One app process as docs/ru/served.md starts it."""
    return subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.headless", "true"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=open(log, "ab") if log else subprocess.DEVNULL)


def wait_healthy(port: int, process: subprocess.Popen, timeout: float = 180) -> None:
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


def stop_apps(apps: list[subprocess.Popen]) -> None:
    for app in apps:
        app.terminate()
    for app in apps:
        try:
            app.wait(timeout=30)
        except subprocess.TimeoutExpired:
            app.kill()
            app.wait()


def proc_status(pid: int, name: str) -> float:
    """VmHWM / VmRSS of a process in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads)."""
    fields_ = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields_[11]) + int(fields_[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# -- a school head, over a websocket ----------------------------------------------------------------
async def save_status(session, page_run, head: Head, number: int):
    """Change one row's status in the roadmap's editor and press «Сохранить»: (outcome, run)."""
    from bench.streamlit_client import PageRun, editor_rows, text_value, trigger
    editor, name, save = page_run.widget(EDITOR), page_run.widget("roadmaps_editor_name"), page_run.widget("roadmaps_save")
    rows = editor_rows(editor[1]) if editor else None
    if not (editor and name and save) or rows.empty:
        run = PageRun("roadmaps")
        run.errors.append("save: the status editor (with rows), its name field or its save button is not on the page")
        return "missing", run
    row = number % len(rows)
    status = "not_started" if rows["status"].iloc[row] == "in_progress" else "in_progress"
    edit = json.dumps({"edited_rows": {str(row): {"status": status}}, "added_rows": [], "deleted_rows": []})
    run = await session.run("roadmaps", head.roadmap_query,
                            [text_value(name[0], HEAD_NAME), text_value(editor[0], edit), trigger(save[0])])
    outcome = next((kind for words, kind in SAVE_OUTCOMES if any(words in body for _, body in run.alerts)), "none")
    if outcome in ("invalid", "none") and not run.errors:
        run.errors.append(f"save: {outcome}")
    return outcome, run


async def head_session(base: str, head: Head, number: int, process: int, tally: Tally, rounds: int = 1,
                       timeout: float = 600, save: bool = True, until: float | None = None) -> None:
    """The page sequence of a school head, ``rounds`` times (or until the monotonic time ``until``)."""
    from bench.streamlit_client import Session
    session = Session(base, timeout)
    done = 0
    try:
        while (until is None and done < rounds) or (until is not None and time.monotonic() < until):
            run = await session.run("roadmaps", head.roadmap_query)
            tally.record("roadmaps", run, process)
            if save and not run.errors:
                outcome, saved = await save_status(session, run, head, number + done)
                tally.saves[outcome] += 1
                tally.record("save", saved, process)
            tally.record("passport", await session.run("passport", f"school={head.school}"), process)
            tally.record("overview", await session.run("", f"municipality={head.municipality}"), process)
            tally.record("roadmaps again", await session.run("roadmaps", head.roadmap_query), process)
            done += 1
    finally:
        await session.close()


async def ws_load(ports: list[int], sessions: int, school_heads: list[Head], rounds: int, timeout: float,
                  save: bool = True) -> tuple[Tally, float]:
    tally = Tally()
    started = time.monotonic()
    await asyncio.gather(*(
        head_session(f"http://127.0.0.1:{ports[i % len(ports)]}", school_heads[i % len(school_heads)], i,
                     i % len(ports), tally, rounds, timeout, save) for i in range(sessions)))
    return tally, time.monotonic() - started


# -- a school head, in Chromium ---------------------------------------------------------------------
async def _browser_session(browser, base: str, head: Head, process: int, tally: Tally, rounds: int) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 720})
    await context.route(lambda url: not url.startswith(("http://127.0.0.1", "http://localhost")),
                        lambda route: route.abort())
    page = await context.new_page()
    steps = (("roadmaps", f"/roadmaps?{head.roadmap_query}"), ("passport", f"/passport?school={head.school}"),
             ("overview", f"/?municipality={head.municipality}"), ("roadmaps again", f"/roadmaps?{head.roadmap_query}"))
    for _ in range(rounds):
        for step, path in steps:
            started = time.monotonic()
            try:
                await page.goto(base + path, timeout=300_000, wait_until="commit")
                await page.locator(".shnor-context").first.wait_for(state="visible", timeout=300_000)
                await page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(timeout=300_000)
                if await page.locator("[data-testid='stException']").count():
                    tally.errors.append((time.monotonic(), f"p{process} {step}: exception on the page"))
                    continue
            except Exception as error:      # noqa: BLE001 - counted as an error of this page
                tally.errors.append((time.monotonic(), f"p{process} {step}: {type(error).__name__}"))
                continue
            tally.times.append((step, time.monotonic() - started, process, time.monotonic()))
    await context.close()


async def browser_load(ports: list[int], sessions: int, school_heads: list[Head], rounds: int,
                       timeout: float, save: bool = True) -> tuple[Tally, float]:
    from playwright.async_api import async_playwright
    tally = Tally()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path="/usr/lib/chromium/chromium")
        started = time.monotonic()
        try:
            await asyncio.gather(*(
                _browser_session(browser, f"http://127.0.0.1:{ports[i % len(ports)]}",
                                 school_heads[i % len(school_heads)], i % len(ports), tally, rounds)
                for i in range(sessions)))
        finally:
            await browser.close()
    return tally, time.monotonic() - started


# -- the served region ------------------------------------------------------------------------------
class Region:
    """The demo region published into a throwaway PostgreSQL cluster and a Parquet directory."""

    def __init__(self):
        sys.path.insert(0, str(ROOT))
        from analytics.served.publish import publish
        from analytics.store import open_store
        from tests import postgres
        self.work = Path(tempfile.mkdtemp(prefix="shnor-bench-load-"))
        self.master_path = self.work / "master.duckdb"
        self.parquet = self.work / "parquet"
        subprocess.run([sys.executable, "-m", "analytics.demo", "--db", str(self.master_path), "--today", TODAY],
                       check=True, cwd=ROOT, capture_output=True)
        self.cluster = postgres.Cluster()
        try:
            self.dsn = postgres.fresh_database(self.cluster.start())
            master = open_store(self.master_path)
            publish(master, self.dsn, self.parquet)
            self.heads = heads(master)
            master.close()
        except BaseException:
            self.close()
            raise
        self.env = dict(os.environ, SHNOR_PG=self.dsn, SHNOR_PARQUET=str(self.parquet),
                        SHNOR_DB=str(self.master_path), SHNOR_TODAY=TODAY)

    def close(self) -> None:
        self.cluster.stop()
        shutil.rmtree(self.work, ignore_errors=True)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.served_load")
    parser.add_argument("--processes", default="1,4")
    parser.add_argument("--sessions", default="10,25,50")
    parser.add_argument("--rounds", type=int, default=1, help="times each session does its page sequence")
    parser.add_argument("--client", choices=("ws", "browser"), default="ws")
    parser.add_argument("--no-save", action="store_true", help="no status save in the sequence")
    parser.add_argument("--port", type=int, default=8561, help="first port of the app processes")
    parser.add_argument("--timeout", type=float, default=600, help="seconds a page may take before an error")
    parser.add_argument("--log", type=Path, help="append the app processes' stderr here")
    args = parser.parse_args(argv)
    load = ws_load if args.client == "ws" else browser_load
    print(f"load average at the start: {' '.join(f'{v:.2f}' for v in os.getloadavg())} (cores: {os.cpu_count()})",
          flush=True)
    region = Region()
    rows = []
    try:
        for count in (int(p) for p in args.processes.split(",")):
            ports = [args.port + k for k in range(count)]
            apps = [start_app(port, region.env, args.log) for port in ports]
            try:
                for port, app in zip(ports, apps):
                    wait_healthy(port, app)
                warm, _ = asyncio.run(load(ports, count, region.heads, 1, args.timeout, not args.no_save))
                if warm.errors:
                    print(f"warm-up errors: {warm.errors[:5]}", flush=True)
                for sessions in (int(s) for s in args.sessions.split(",")):
                    cpu_before, own_before = [cpu_seconds(a.pid) for a in apps], own_cpu_seconds()
                    tally, wall = asyncio.run(load(ports, sessions, region.heads, args.rounds, args.timeout,
                                                   not args.no_save))
                    cpu = [cpu_seconds(a.pid) - before for a, before in zip(apps, cpu_before)]
                    times = [seconds for _, seconds, _, _ in tally.times]
                    row = dict(processes=count, sessions=sessions, pages=len(times),
                               p50=statistics.median(times) if times else float("nan"),
                               p95=percentile(times, 0.95), errors=len(tally.errors), wall=wall,
                               saves=dict(tally.saves), cpu=cpu, client_cpu=own_cpu_seconds() - own_before,
                               rss=[proc_status(a.pid, "VmRSS") for a in apps],
                               peak=[proc_status(a.pid, "VmHWM") for a in apps], load=os.getloadavg()[0],
                               steps={step: statistics.median([s for n, s, _, _ in tally.times if n == step])
                                      for step in dict.fromkeys(n for n, *_ in tally.times)})
                    rows.append(row)
                    print(f"{count} process(es), {sessions} sessions: {row['pages']} pages, p50 {row['p50']:.1f} s, "
                          f"p95 {row['p95']:.1f} s, errors {row['errors']}, saves {row['saves']}, wall {wall:.0f} s, "
                          f"CPU s per process {', '.join(f'{c:.0f}' for c in cpu)}, client CPU {row['client_cpu']:.1f} s, "
                          f"RSS MiB {', '.join(f'{a:.0f} ({b:.0f})' for a, b in zip(row['rss'], row['peak']))}, "
                          f"load {row['load']:.1f}; step p50: "
                          + ", ".join(f"{k} {v:.1f}" for k, v in row["steps"].items()), flush=True)
                    for _, error in tally.errors[:5]:
                        print(f"  error: {error}", flush=True)
            finally:
                stop_apps(apps)
    finally:
        region.close()
    print(f"\nload average at the end: {' '.join(f'{v:.2f}' for v in os.getloadavg())} (cores: {os.cpu_count()})")
    print("| processes | sessions | pages | p50 page, s | p95 page, s | errors | saves: accepted / refused | "
          "wall, s | pages/s | CPU s per process | client CPU, s | RSS per process (peak), MiB |")
    print("|---:|---:|---:|---:|---:|---:|---|---:|---:|---|---:|---|")
    for r in rows:
        saves = f"{r['saves'].get('saved', 0)} / {r['saves'].get('refused', 0)}" if r["saves"] else "—"
        print(f"| {r['processes']} | {r['sessions']} | {r['pages']} | {r['p50']:.1f} | {r['p95']:.1f} | {r['errors']} | "
              f"{saves} | {r['wall']:.0f} | {r['pages'] / r['wall']:.2f} | {', '.join(f'{c:.0f}' for c in r['cpu'])} | "
              f"{r['client_cpu']:.1f} | {', '.join(f'{a:.0f} ({b:.0f})' for a, b in zip(r['rss'], r['peak']))} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
