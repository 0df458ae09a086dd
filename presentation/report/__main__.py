"""Command line: write the analytic report of a region, municipality or school to a DOCX file."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analytics.config import load_settings
from presentation.report import make_report
from analytics.store import open_store


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m presentation.report",
                                     description="Аналитическая справка (DOCX) по региону, муниципалитету или школе.")
    parser.add_argument("--region", required=True, help="region id, e.g. 01")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--municipality", help="municipality id, e.g. 01-02")
    where.add_argument("--school", help="school code")
    parser.add_argument("--year", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True, help="the .docx file to write")
    parser.add_argument("--db", type=Path, help="DuckDB file (default: settings / SHNOR_DB)")
    parser.add_argument("--lang", choices=("ru", "en"), default="ru")
    parser.add_argument("--no-charts", action="store_true", help="leave the charts out (no browser needed)")
    args = parser.parse_args(argv)
    store = open_store(args.db or load_settings().db_path)
    try:
        built = make_report(store, args.region, args.year, args.municipality, args.school, language=args.lang,
                            with_charts=not args.no_charts)
    except ValueError as error:
        print(f"Ошибка: {error}", file=sys.stderr)
        return 2
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(built.data)
    print(f"{args.out}: {len(built.data) / 1024:.0f} KB, {built.images} charts, {built.seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
