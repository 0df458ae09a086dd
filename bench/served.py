"""python -m bench.served [--db FILE] [--repeat N]: the served mode against the embedded file.

Starts a throwaway PostgreSQL cluster (tests/postgres.py), publishes the database (a copy of
--db, or the demo region generated once) as a Parquet version, and prints medians of:
publishing; a page run's data-version read; a roadmap computation uncached (Parquet views +
status copy vs DuckDB tables); one status save (PostgreSQL transaction + status copy vs DuckDB).
Figures, not a timed test: report `uptime` beside them."""
from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 22)


def _median(function, repeat: int) -> float:
    function()                              # warm-up
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else path.stat().st_size


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(ROOT))
    from analytics import roadmap_status as rs
    from analytics.roadmaps import RoadmapFilter, completion, units
    from analytics.served import open_served
    from analytics.served.publish import publish
    from analytics.store import open_store
    from tests import postgres

    parser = argparse.ArgumentParser(prog="python -m bench.served")
    parser.add_argument("--db", type=Path, help="a DuckDB file to serve (copied); default: the demo region")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="shnor-bench-served-"))
    master_path = work / "master.duckdb"
    if args.db:
        shutil.copy(args.db, master_path)
    else:
        subprocess.run([sys.executable, "-m", "analytics.demo", "--db", str(master_path),
                        "--today", TODAY.isoformat()], check=True, cwd=ROOT, capture_output=True)
    cluster = postgres.Cluster()
    try:
        dsn = postgres.fresh_database(cluster.start())
        master = open_store(master_path)
        started = time.perf_counter()
        name = publish(master, dsn, work / "parquet")
        publish_s = time.perf_counter() - started
        served = open_served(dsn, work / "parquet")
        region = master.scalar("SELECT min(region_id) FROM regions")
        flt = RoadmapFilter(region, year=2026)
        rows = {}
        rows["publish (export + rename + PostgreSQL transaction)"] = (None, publish_s)
        rows["data versions read per page run"] = (_median(master.data_versions, args.repeat),
                                                   _median(served.data_versions, args.repeat))
        rows["roadmap completion, uncached"] = (_median(lambda: completion(master, flt, TODAY), args.repeat),
                                                _median(lambda: completion(served, flt, TODAY), args.repeat))
        rows["roadmap units, uncached"] = (_median(lambda: units(master, flt, TODAY), args.repeat),
                                           _median(lambda: units(served, flt, TODAY), args.repeat))
        unit = master.scalar("SELECT min(unit_id) FROM measure_status")

        def saver(store):
            def save():
                version = rs.current_unit(store, unit)["version"]
                rs.save_status(store, unit, version, rs.Edit("in_progress", comment=str(version)), "bench", TODAY)
            return save
        rows["one status save (incl. reading the unit)"] = (_median(saver(master), args.repeat),
                                                            _median(saver(served), args.repeat))
        counts = (master.scalar("SELECT count(*) FROM results"), master.scalar("SELECT count(*) FROM measure_status"))
        print(f"load average: {os.getloadavg()[0]:.2f}; results rows {counts[0]:,}, status units {counts[1]:,}")
        print(f"DuckDB file {_size(master_path) / 2**20:.1f} MiB; Parquet version {name} "
              f"{_size(work / 'parquet' / name) / 2**20:.1f} MiB")
        print(f"| operation | embedded (DuckDB file) | served (Parquet + PostgreSQL) |\n|---|---:|---:|")
        for label, (embedded, served_s) in rows.items():
            left = "—" if embedded is None else f"{embedded * 1000:.1f} ms"
            print(f"| {label} | {left} | {served_s * 1000:.1f} ms |")
        served.close()
        master.close()
    finally:
        cluster.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
