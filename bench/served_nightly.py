"""python -m bench.served_nightly [--processes 2] [--sessions 10]: the nightly import while the
served mode serves.

The demo region is published (bench.served_load.Region) and P app processes serve N school
heads (the page sequence of bench.served_load, status saves included) in a loop, and per
process one district specialist of MUNICIPALITY who reloads «Результаты» for it. After
--before seconds (and once every process has shown «Результаты») the importer runs as
docs/ru/served.md documents it::

    python -m analytics.served import results FILE --yes --user …

with a changed results file: the region's ВПР of the latest year, where every row of
MUNICIPALITY has one pupil moved from «3» to «2». The sessions go on for --after seconds
after the importer ended. Prints errors and page times before / during / after the import,
and when each process first showed the new data: the first «Результаты» run whose content
(the digest of its text, tables and charts) is not the one a fresh session on each process was
shown before the demonstration (the one shown after it is printed too)."""
from __future__ import annotations

import argparse
import asyncio
import csv
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.served_load import (ROOT, Region, Tally, head_session, percentile, proc_status, start_app, stop_apps,
                               wait_healthy, ws_load)

MUNICIPALITY = "01-02"
HEADERS = ["Код школы", "Год", "Процедура", "Предмет", "Класс", "Количество участников",
           "«2»", "«3»", "«4»", "«5»", "Понизили", "Подтвердили", "Повысили"]


def changed_results_file(master_path: Path, path: Path, municipality: str = MUNICIPALITY) -> tuple[int, int]:
    """The region's ВПР of the latest year as the assessment centre sends it, with one pupil of
    each of ``municipality``'s rows moved from «3» to «2»: (rows, rows changed)."""
    import duckdb
    with duckdb.connect(str(master_path), read_only=True) as db:
        rows = db.execute(
            "SELECT r.school_id, r.year, s.name_ru, r.grade, r.participants, r.n2, r.n3, r.n4, r.n5, "
            "r.n_lower, r.n_confirmed, r.n_higher, sc.municipality_id FROM results r "
            "JOIN subjects s USING (subject_id) JOIN schools sc USING (school_id) "
            "WHERE r.procedure = 'VPR' AND r.year = (SELECT max(year) FROM results WHERE procedure = 'VPR') "
            "ORDER BY 1, 3, 4").fetchall()
    changed = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(HEADERS)
        for school, year, subject, grade, participants, n2, n3, n4, n5, lower, confirmed, higher, mun in rows:
            if mun == municipality and n3:
                n2, n3, changed = n2 + 1, n3 - 1, changed + 1
            writer.writerow([school, year, "ВПР", subject, grade, participants, n2, n3, n4, n5,
                             *("" if v is None else v for v in (lower, confirmed, higher))])
    return len(rows), changed


async def _specialist(base: str, process: int, tally: Tally, stop: dict) -> None:
    """A district specialist reloading «Результаты» of MUNICIPALITY until ``stop["at"]`` (set later)."""
    from bench.streamlit_client import Session
    session = Session(base)
    try:
        while time.monotonic() < stop["at"]:
            tally.record("results", await session.run("results", f"municipality={MUNICIPALITY}"), process)
    finally:
        await session.close()


async def _import(env: dict, file: Path) -> tuple[float, float, str, int, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)        # ended children only (not the running apps)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "analytics.served", "import", "results", str(file), "--yes",
        "--user", "РЦОИ (ночная загрузка)", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    started = time.monotonic()
    output, _ = await process.communicate()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)         # the importer is the child that ended
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return started, time.monotonic(), output.decode("utf-8", "replace"), process.returncode, cpu


async def _demonstration(ports: list[int], region: Region, sessions: int, before: float, after: float, file: Path):
    tally = Tally()
    stop = {"at": float("inf")}

    async def heads():
        # Sessions loop until the shared stop time is set (after the import) and then passed.
        await asyncio.gather(*(_looping(i) for i in range(sessions)))

    async def _looping(i: int):
        while time.monotonic() < stop["at"]:
            await head_session(f"http://127.0.0.1:{ports[i % len(ports)]}", region.heads[i % len(region.heads)],
                               i, i % len(ports), tally, rounds=1)

    async def specialists():
        await asyncio.gather(*(_specialist(f"http://127.0.0.1:{ports[k]}", k, tally, stop) for k in range(len(ports))))

    async def importer():
        await asyncio.sleep(before)
        while len({p for _, p, step, _ in tally.digests if step == "results"}) < len(ports):
            await asyncio.sleep(0.5)      # every process has shown «Результаты» once before the import
        started, ended, output, code, cpu = await _import(region.env, file)
        stop["at"] = ended + after
        return started, ended, output, code, cpu

    baseline, before_runs = await _shown(ports)
    t0 = time.monotonic()
    _, _, imported = await asyncio.gather(heads(), specialists(), importer())
    return tally, t0, imported, baseline, (await _shown(ports, before_runs))[0]


async def _shown(ports: list[int], before: list | None = None) -> tuple[set[str], list]:
    """The content digests of «Результаты» for MUNICIPALITY in a fresh session on each process
    (and the runs); when processes differ, the first element that differs is printed, and
    whether it is what that process showed before the import (``before``: the runs then)."""
    from bench.streamlit_client import Session
    runs = []
    for port in ports:
        session = Session(f"http://127.0.0.1:{port}", keep_content=True)
        runs.append(await session.run("results", f"municipality={MUNICIPALITY}"))
        await session.close()
    for k, run in enumerate(runs[1:], start=1):
        if run.digest != runs[0].digest:
            at = next((i for i, (a, b) in enumerate(zip(runs[0].parts, run.parts)) if a != b), None)
            if at is None:
                print(f"process {k + 1} shows other content than process 1: {len(run.parts)} vs {len(runs[0].parts)} elements")
                continue
            stale = "" if before is None else (
                " is what it showed before the import;" if len(before[k].parts) > at and before[k].parts[at] == run.parts[at]
                else " is not what it showed before the import;")
            print(f"process {k + 1} shows other content than process 1: element {at} ({run.parts[at][0]})"
                  f"{stale} {_around(runs[0].parts[at][1], run.parts[at][1])}")
    return {run.digest if not run.errors else f"error: {run.errors[0]}" for run in runs}, runs


def _around(first: str, second: str, width: int = 300) -> str:
    at = next((i for i, (a, b) in enumerate(zip(first, second)) if a != b), min(len(first), len(second)))
    return f"«…{first[max(0, at - width // 2):at + width // 2]}…» vs «…{second[max(0, at - width // 2):at + width // 2]}…»"


def _published_at(dsn: str) -> float:
    """When the version in force was published, on this process's monotonic clock."""
    import psycopg
    with psycopg.connect(dsn) as connection:
        at = connection.execute("SELECT published_at FROM published_version").fetchone()[0]
    return at.timestamp() - (time.time() - time.monotonic())      # a naive local time, as publish() wrote it


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.served_nightly")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--sessions", type=int, default=10, help="school heads (besides one specialist per process)")
    parser.add_argument("--before", type=float, default=60, help="seconds of serving before the import starts")
    parser.add_argument("--after", type=float, default=60, help="seconds of serving after the import ended")
    parser.add_argument("--port", type=int, default=8561)
    parser.add_argument("--log", type=Path, help="append the app processes' stderr here")
    args = parser.parse_args(argv)
    print(f"load average at the start: {' '.join(f'{v:.2f}' for v in os.getloadavg())} (cores: {os.cpu_count()})",
          flush=True)
    region = Region()
    try:
        file = region.work / "vpr_changed.csv"
        rows, changed = changed_results_file(region.master_path, file)
        ports = [args.port + k for k in range(args.processes)]
        apps = [start_app(port, region.env, args.log) for port in ports]
        try:
            for port, app in zip(ports, apps):
                wait_healthy(port, app)
            asyncio.run(ws_load(ports, args.processes, region.heads, 1, 600))          # warm-up, not counted
            tally, t0, (started, ended, output, code, import_cpu), old, final = asyncio.run(
                _demonstration(ports, region, args.sessions, args.before, args.after, file))
            rss = [proc_status(a.pid, "VmHWM") for a in apps]
            published_at = _published_at(region.dsn)
        finally:
            stop_apps(apps)
        published = re.search(r"опубликована версия (\S+)", output)
    finally:
        region.close()

    print(f"\nchanged results file: {rows} rows of ВПР, {changed} of municipality {MUNICIPALITY} changed")
    print(f"importer: exit {code}, ran {started - t0:.0f} s → {ended - t0:.0f} s "
          f"({ended - started:.1f} s, CPU {import_cpu:.1f} s); {published.group(0) if published else 'no version published'}, "
          f"committed at {published_at - t0:.1f} s")
    if code != 0 or not published:
        print(output[-2000:])

    def phase(at: float) -> str:
        return "before" if at < started else ("during" if at <= ended else "after")

    print(f"\nload average at the end: {' '.join(f'{v:.2f}' for v in os.getloadavg())}; peak RSS per process, MiB: "
          + ", ".join(f"{r:.0f}" for r in rss))
    print("| phase | pages | p50 page, s | p95 page, s | errors |\n|---|---:|---:|---:|---:|")
    for name in ("before", "during", "after"):
        times = [s for step, s, p, at in tally.times if phase(at) == name]
        errors = [e for at, e in tally.errors if phase(at) == name]
        p50 = statistics.median(times) if times else float("nan")
        print(f"| {name} the import | {len(times)} | {p50:.1f} | {percentile(times, 0.95):.1f} | {len(errors)} |")
    for _, error in tally.errors[:10]:
        print(f"  error: {error}")
    print(f"\n«Результаты» of {MUNICIPALITY} in a fresh session on each process: before the demonstration "
          f"{sorted(old)}, after it {sorted(final)}")
    print("| process | last old content, s after the publication | first new content, s after the publication "
          "| runs with the new content |\n|---:|---:|---:|---:|")
    for k in range(args.processes):
        runs = [(at, d) for at, p, step, d in tally.digests if step == "results" and p == k]
        last_old = max((at for at, d in runs if d in old), default=float("nan"))
        new = [at for at, d in runs if d not in old]
        first_new = min(new, default=float("nan"))
        print(f"| {k + 1} | {last_old - published_at:+.1f} | {first_new - published_at:+.1f} | {len(new)} |")
    shown = {d for at, p, step, d in tally.digests if step == "results"}
    print(f"contents shown during the demonstration: {sorted(shown)} (expected: the two above); "
          f"saves: {dict(tally.saves)}")
    return 0 if code == 0 and published else 1


if __name__ == "__main__":
    raise SystemExit(main())
