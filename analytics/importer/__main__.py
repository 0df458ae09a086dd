"""Command line: ``python -m analytics.importer KIND FILE`` (or ``template KIND OUT.xlsx``).

Prints what was stored, or the error report (the same words as the «Данные» page), and
exits with 1 when the file was rejected. Nothing is stored unless the whole file is valid.
"""
from __future__ import annotations

import argparse
import getpass
import sys
import time
from pathlib import Path

from analytics.config import load_settings
from analytics.importer import KINDS, commit, log_rejected, prepare_file
from analytics.importer.core import DEFAULT_MAX_MB
from analytics.importer.templates import template_xlsx
from analytics.store import open_store


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["template"]:
        parser = argparse.ArgumentParser(prog="python -m analytics.importer template")
        parser.add_argument("kind", choices=KINDS)
        parser.add_argument("out", type=Path)
        args = parser.parse_args(argv[1:])
        args.out.write_bytes(template_xlsx(args.kind))
        print(f"{args.out}")
        return 0
    parser = argparse.ArgumentParser(prog="python -m analytics.importer", description=__doc__)
    parser.add_argument("kind", choices=KINDS)
    parser.add_argument("file", type=Path)
    parser.add_argument("--db", help="DuckDB file (default: settings / SHNOR_DB)")
    parser.add_argument("--user", default=None, help="who imports (for the import log)")
    parser.add_argument("--year", type=int, help="year, when the file has no year column")
    parser.add_argument("--procedure", choices=("VPR", "OGE", "EGE"), help="when the file has no procedure column")
    parser.add_argument("--dry-run", action="store_true", help="check only, store nothing")
    parser.add_argument("--lang", default="ru", choices=("ru", "en"))
    args = parser.parse_args(argv)

    from ui.import_report import more_text, report_frame   # wording from the UI catalogue (no Streamlit)

    settings = load_settings()
    store = open_store(args.db or settings.db_path)
    max_mb = float(settings.extra.get("import_max_mb", DEFAULT_MAX_MB))
    user = args.user or getpass.getuser()
    started = time.perf_counter()
    # A path, not bytes: a large student CSV is streamed through DuckDB, never read whole.
    prepared = prepare_file(store, args.kind, args.file, {"year": args.year, "procedure": args.procedure},
                            max_mb=max_mb)
    checked = time.perf_counter() - started
    if not prepared.ok:
        if not args.dry_run:
            log_rejected(store, prepared, user)
        report = report_frame(prepared, args.lang)
        print(report.to_string(index=False))
        more = more_text(prepared, args.lang)
        if more:
            print(more)
        print(f"\n{args.file.name}: {prepared.issues.total} ошибок — ничего не изменено.", file=sys.stderr)
        return 1
    if args.dry_run:
        print(f"{args.file.name}: {prepared.source_rows} строк, ошибок нет ({checked:.1f} с); --dry-run: не записано.")
        return 0
    outcome = commit(store, prepared, user)
    total = time.perf_counter() - started
    print(f"{args.file.name}: {outcome.outcome}; прочитано {outcome.rows_read} строк, записано {outcome.rows_stored}, "
          f"заменено {outcome.rows_replaced}; проверка {checked:.1f} с, всего {total:.1f} с "
          f"({outcome.rows_read / max(total, 1e-9):,.0f} строк/с).")
    return 0 if outcome.outcome == "success" else 1


if __name__ == "__main__":
    sys.exit(main())
