"""python -m analytics.demo [--scale region|national] [--db PATH] [--seed N] [--today YYYY-MM-DD]"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

from analytics.config import load_settings
from analytics.demo import build_demo
from analytics.store import open_store


def main(argv: list[str] | None = None) -> int:
    settings = load_settings()
    parser = argparse.ArgumentParser(prog="python -m analytics.demo", description="Generate synthetic data.")
    parser.add_argument("--scale", choices=["region", "national"], default="region")
    parser.add_argument("--db", type=Path, help="DuckDB file (default: the configured one; "
                                                "national scale: data/national/shnor_national.duckdb)")
    parser.add_argument("--seed", type=int, default=settings.demo_seed)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=settings.today)
    args = parser.parse_args(argv)
    db = args.db or (settings.db_path if args.scale == "region"
                     else settings.db_path.parent / "national" / "shnor_national.duckdb")

    started = time.perf_counter()

    def report(fraction: float, stage: str) -> None:
        print(f"\r{fraction:6.1%} {stage:<12} {time.perf_counter() - started:6.1f} s", end="", file=sys.stderr)

    store = open_store(db)
    counts = build_demo(store, scale=args.scale, seed=args.seed, today=args.today, progress=report)
    store.cursor().execute("CHECKPOINT")
    elapsed = time.perf_counter() - started
    print(file=sys.stderr)
    for table, rows in counts.items():
        print(f"{table:<24}{rows:>12,}")
    size_mb = Path(db).stat().st_size / 2**20
    print(f"generated {args.scale} in {elapsed:.1f} s -> {db} ({size_mb:.1f} MiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
