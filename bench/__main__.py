"""python -m bench [--db FILE] [--repeat N] [--only analytics,pages,map,memory,import] [--pages map,...]

Prints a table and writes bench/results/latest.json. Minimum and median of --repeat (≥ 5)
runs after one warm-up run; verdicts from the median. Analytics: project / expert query
(target ≤ 1.5), pandas / project (target ≥ 5), figures compared value by value; the floor
(a scan of exactly the needed columns) for scale. See bench/README.md."""
from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import subprocess
import sys
from pathlib import Path

from bench.timing import seconds, self_peak_rss_bytes

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
TODAY = "2026-11-22"
SECTIONS = ("analytics", "pages", "map", "memory", "import", "browser")


def _ensure_db(path: Path, scale: str) -> None:
    if path.exists():
        return
    print(f"generating the {scale} data set at {path} (once) ...", flush=True)
    subprocess.run([sys.executable, "-m", "analytics.demo", "--scale", scale, "--db", str(path), "--today", TODAY],
                   check=True, cwd=ROOT)


def _open(path: Path):
    from analytics.store import open_store
    store = open_store(path)
    store.cursor().execute("SET memory_limit='4GB'; SET threads=2")
    return store


def _close_all() -> None:
    from analytics import store as store_module
    for opened in list(store_module._stores.values()):
        opened.close()


def run_analytics(store, repeat: int, rows: list, only: list[str] | None = None) -> None:
    from bench.analytics_ops import operations
    con = store.cursor()
    for op in operations(store):
        if only and not any(word in op.name for word in only):
            continue
        print(f"  {op.name} ...", flush=True)
        try:
            project_result = op.project()
            differs = {"pandas": op.check(project_result, op.pandas())}
            if op.expert is not None:
                differs["expert"] = op.check(project_result, op.expert())
        except Exception as error:   # one broken side must not cost the other operations' figures
            print(f"    failed: {error!r}", flush=True)
            rows.append({"section": "analytics", "operation": op.name, "error": f"failed: {error!r}", "met": False})
            continue
        project = seconds(op.project, repeat)
        pandas = seconds(op.pandas, repeat)
        expert = seconds(op.expert, repeat) if op.expert is not None else None
        floor = seconds(lambda: con.execute(op.floor_sql).fetchall(), repeat)
        x_expert = project["median"] / expert["median"] if expert else None
        pandas_x = pandas["median"] / project["median"]
        rows.append({"section": "analytics", "operation": op.name, "project_s": project["median"],
                     "project_min_s": project["min"], "pandas_s": pandas["median"], "pandas_min_s": pandas["min"],
                     "expert_s": expert and expert["median"], "expert_min_s": expert and expert["min"],
                     "floor_s": floor["median"], "floor_min_s": floor["min"], "x_floor": project["median"] / floor["median"],
                     "x_expert": x_expert, "pandas_x": pandas_x,
                     "same_values": {k: v or "same" for k, v in differs.items()},
                     "target": "≤ 1.5× expert query, ≥ 5× faster than pandas (medians)",
                     "met": (x_expert is None or x_expert <= 1.5) and pandas_x >= 5 and not any(differs.values())})


def run_pages(db: Path, region_db: Path, repeat: int, rows: list, pages: list[str] | None = None,
              compiled_once: bool = False) -> None:
    from bench.page_timings import render_times
    how = ", compiled once" if compiled_once else ""
    for scale, path, limit, session in (("region", region_db, 4, None), ("national", db, 10, None),
                                        ("national, map of the whole country", db, 10, {"map_country": True})):
        only = ["map"] if session else pages
        if only is not None and "map" not in only and session:
            continue
        times = render_times(str(path), repeat, TODAY, session, only, compiled_once)
        floor = times.pop("bench_empty")
        for key, t in times.items():
            rows.append({"section": "pages", "operation": f"render {key} ({scale}{how})", "project_s": t["median"],
                         "first_s": t["first"], "floor_s": floor["median"], "x_floor": t["median"] / floor["median"],
                         "target": f"≤ {limit}× empty page", "met": t["median"] / floor["median"] <= limit,
                         **({"error": t["error"]} if "error" in t else {})})


def run_browser(dbs: dict[str, Path], repeat: int, rows: list, pages: list[str] | None, app_root: Path,
                label: str) -> None:
    """Chromium timings per page (see bench/browser.py) on a scratch copy of each database
    (the benchmark writes: data changes, a status save)."""
    import shutil
    import tempfile

    from bench.browser import EMPTY, measure
    from ui.navigation import PAGES
    keys = pages or [p.key for p in PAGES]
    for scale, db in dbs.items():
        with tempfile.TemporaryDirectory(prefix="shnor_bench_") as scratch:
            copy = Path(scratch) / "bench.duckdb"
            shutil.copy(db, copy)
            print(f"  browser, {scale}{label} ...", flush=True)
            result = measure(app_root, str(copy), TODAY, keys, repeat)
        empty = result.pop(EMPTY)
        saved = result.pop("__status_save__")
        for key, r in result.items():
            for what, title in (("cold", "cold (fresh server)"), ("warm", "warm reload"), ("click", "sidebar click"),
                                ("changed", "first render after a data change")):
                mine, base = r[what], empty[what]
                med = (lambda m: m["drawn"] if "drawn" in m and not isinstance(m["drawn"], dict)
                       else m["drawn"]["median"])
                t, e = med(mine), med(base)
                script = mine["script"] if not isinstance(mine["script"], dict) else mine["script"]["median"]
                if what == "warm":
                    target, met = "≤ 1.5× empty + 1 s", t <= 1.5 * e + 1
                elif what == "changed" and scale == "national":
                    target, met = "≤ 5× empty", t <= 5 * e
                else:
                    target, met = "", None
                rows.append({"section": "browser", "operation": f"{key}: {title} ({scale}{label})", "project_s": t,
                             "script_s": script, "floor_s": e, "x_floor": t / e, "target": target, "met": met,
                             **({"bytes": r["bytes"], "note": "charts {charts}, maps {maps}, tables {tables}".format(
                                 **r["counts"])} if what == "warm" else {})})
        for key, times in saved.items():
            rows.append({"section": "browser", "operation": f"{key}: first render after a status save ({scale}{label})",
                         "project_s": times["drawn"]["median"], "script_s": times["script"]["median"],
                         "floor_s": empty["warm"]["drawn"]["median"], "x_floor": None,
                         "target": "as warm", "met": None})


def run_map(store, region_store, rows: list) -> None:
    from bench.analytics_ops import AS_OF, YEAR
    from bench.mapsize import map_bytes
    region_id = region_store.scalar("SELECT min(region_id) FROM regions")
    national_region = store.scalar("SELECT min(region_id) FROM regions")
    for label, st, region in (("region (demo region)", region_store, region_id),
                              ("one region of the national set", store, national_region),
                              ("whole country", store, None)):
        size, seconds = map_bytes(st, region, YEAR, AS_OF)
        rows.append({"section": "map", "operation": f"map payload, {label}", "bytes": size, "project_s": seconds,
                     "target": "< 2 MB at national scale", "met": size < 2 * 1024 * 1024})


def run_memory(db: Path, rows: list) -> None:
    from bench.memory import peak_rss
    from ui.navigation import PAGES
    result = peak_rss(str(db), TODAY, [p.key for p in PAGES])
    rows.append({"section": "memory", "operation": "peak RSS of the app (national set, every page opened)",
                 "bytes": result["peak_bytes"], "pages": result["pages"], "target": "< 2 GB",
                 "met": result["peak_bytes"] < 2 * 1024 ** 3})


def run_import(db: Path, repeat: int, import_rows: int, cap_gb: float, rows: list) -> None:
    from bench import importing
    try:
        import analytics.importer  # noqa: F401  (issue #9)
    except ImportError:
        rows.append({"section": "import", "operation": "student CSV import", "note": "not available", "met": None})
        return
    csv = RESULTS / f"students_{import_rows}.csv"
    importing.generate_csv(str(db), csv, import_rows)
    raw = importing.raw_read_seconds(csv, repeat)
    runs = [importing.importer_run(str(db), csv, RESULTS / "import_scratch.duckdb", cap_gb)
            for _ in range(max(1, repeat))]
    ok = [r for r in runs if r["ok"] and r["inner_seconds"] is not None]
    run = sorted(ok, key=lambda r: r["inner_seconds"])[len(ok) // 2] if ok else runs[-1]
    peak = max(r["peak_bytes"] for r in runs)
    label = f"student CSV import, {import_rows:,} rows ({csv.stat().st_size / 1024 ** 2:,.0f} MB)"
    inner = run.get("inner_seconds")
    rows.append({"section": "import", "operation": f"{label}: prepare + commit (in the process)",
                 "project_s": inner, "prepare_s": run.get("prepare_seconds"), "floor_s": raw,
                 "x_floor": inner / raw if inner else None, "ok": run["ok"], "bytes": peak,
                 "message": run["message"], "target": "≥ ½ of DuckDB read_csv throughput (≤ 2× its time)",
                 "met": bool(inner) and run["ok"] and inner / raw <= 2})
    rows.append({"section": "import", "operation": f"{label}: whole child process (Python start-up, imports)",
                 "project_s": run["seconds"], "floor_s": raw, "x_floor": run["seconds"] / raw, "ok": run["ok"],
                 "bytes": peak, "note": "peak RSS of the child", "met": None})


def _fmt(value, unit="s") -> str:
    if value is None or value != value:
        return "—"
    if unit == "s":
        return f"{value:.3f}"
    return f"{value / 1024 ** 2:,.2f} MB"


def _ratio(value) -> str:
    return "—" if value is None or value != value else f"{value:.2f}"


def print_table(rows: list) -> None:
    print(f"\n{'operation':<70} {'project s (min)':>16} {'expert s':>9} {'pandas s':>9} {'floor s':>8} "
          f"{'×expert':>7} {'×floor':>7} {'pandas×':>7}  met")
    for r in rows:
        size = _fmt(r.get("bytes"), "b") if "bytes" in r else ""
        project = _fmt(r.get("project_s")) + (f" ({_fmt(r['project_min_s'])})" if r.get("project_min_s") else "")
        values = r.get("same_values") or {}
        differs = "; ".join(f"{k}: {v}" for k, v in values.items() if v != "same")
        print(f"{r['operation'][:70]:<70} {project:>16} {_fmt(r.get('expert_s')):>9} {_fmt(r.get('pandas_s')):>9} "
              f"{_fmt(r.get('floor_s')):>8} {_ratio(r.get('x_expert')):>7} {_ratio(r.get('x_floor')):>7} "
              f"{_ratio(r.get('pandas_x')):>7}  {'yes' if r.get('met') else ('—' if r.get('met') is None else 'NO')}"
              f" {size} {r.get('note', '')}{r.get('error', '')}{(' DIFFERS ' + differs) if differs else ''}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--db", type=Path, default=ROOT / "data" / "national" / "shnor_national.duckdb")
    parser.add_argument("--region-db", type=Path, default=RESULTS / "region.duckdb")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per figure (at least 5)")
    parser.add_argument("--only", default=",".join(SECTIONS))
    parser.add_argument("--ops", default="", help="analytics: only the operations whose name contains one of "
                        "these comma-separated words (e.g. 'risk,dynamics'; default: all)")
    parser.add_argument("--pages", default="", help="comma-separated page keys for the pages section (default: all)")
    parser.add_argument("--import-rows", type=int, default=15_000_000)
    parser.add_argument("--import-mem-cap-gb", type=float, default=8.0)
    parser.add_argument("--out", type=Path, default=RESULTS / "latest.json")
    parser.add_argument("--browser-repeat", type=int, default=3, help="browser: loads per page and measure")
    parser.add_argument("--browser-scales", default="region", help="browser: region,national")
    parser.add_argument("--app-root", type=Path, default=ROOT,
                        help="browser: the app to serve (e.g. an export of another commit, to compare)")
    parser.add_argument("--pages-compiled-once", action="store_true",
                        help="pages: compile each script once, as a server does (AppTest recompiles on every run)")
    args = parser.parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    sections = [s for s in args.only.split(",") if s]
    _ensure_db(args.db, "national")
    _ensure_db(args.region_db, "region")
    rows: list = []
    store = _open(args.db)
    if "analytics" in sections:
        print("analytics (national)", flush=True)
        run_analytics(store, args.repeat, rows, [w.strip() for w in args.ops.split(",") if w.strip()])
    if "map" in sections:
        print("map payload", flush=True)
        run_map(store, _open(args.region_db), rows)
    if "pages" in sections:
        print("pages (AppTest)", flush=True)
        run_pages(args.db, args.region_db, args.repeat, rows, [p for p in args.pages.split(",") if p] or None,
                  args.pages_compiled_once)
    bench_rss = self_peak_rss_bytes()
    if "browser" in sections:
        _close_all()
        print("browser (Chromium)", flush=True)
        scales = {"region": args.region_db, "national": args.db}
        label = "" if args.app_root == ROOT else f", app at {args.app_root}"
        run_browser({s: scales[s] for s in args.browser_scales.split(",") if s}, args.browser_repeat, rows,
                    [p for p in args.pages.split(",") if p] or None, args.app_root, label)
    _close_all()   # DuckDB lets one process hold the file: the app server and the importer need it
    if "memory" in sections:
        print("app memory (server + Chromium)", flush=True)
        run_memory(args.db, rows)
    if "import" in sections:
        print("import", flush=True)
        run_import(args.db, args.repeat, args.import_rows, args.import_mem_cap_gb, rows)
    if args.out.exists() and (set(sections) != set(SECTIONS) or args.pages):
        # A partial run keeps the other sections' rows of the previous run.
        previous = json.loads(args.out.read_text(encoding="utf-8")).get("rows", [])
        chosen = [p for p in args.pages.split(",") if p]
        kept = [r for r in previous if r.get("section") not in sections
                or (r.get("section") == "pages" and chosen
                    and not any(r.get("operation", "").startswith(f"render {key} (") for key in chosen))]
        rows = kept + rows
    print_table(rows)
    machine = {"python": platform.python_version(), "platform": platform.platform(),
               "cores": __import__("os").cpu_count(), "bench_peak_rss_bytes": bench_rss}
    payload = {"when": dt.datetime.now().isoformat(timespec="seconds"), "db": str(args.db), "repeat": args.repeat,
               "machine": machine, "rows": rows}
    args.out.write_text(json.dumps(payload, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    print(f"\nwritten {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
