"""Command line: ``python -m analytics.importer KIND FILE`` (or ``template KIND OUT.xlsx``, ``undo ID``).

Checks the file and prints the error report (the same words as the «Данные» page; exit 1), or the
preview of what it changes — per school new / changed / unchanged / removed rows, the key numbers
before → after, warnings — and asks before storing (``--yes`` stores without asking, ``--dry-run``
only prints). A file changes only the units it contains; ``--complete 01-03`` (a municipality or
region code, several separated by commas) also removes that territory's rows the file lacks.
``undo ID`` restores exactly the rows import ID changed (refused if a later import changed them).
"""
from __future__ import annotations

import argparse
import getpass
import sys
import time
from pathlib import Path

from analytics.config import load_settings
from analytics.importer import KINDS, commit, log_rejected, prepare_file
from analytics.importer.changes import Territory, UndoRefused, plan, undo
from analytics.importer.core import DEFAULT_MAX_MB
from analytics.importer.templates import template_xlsx
from analytics.store import open_store

YES = {"y", "yes", "д", "да"}


def _confirmed(question: str, assume_yes: bool) -> bool:
    if assume_yes:
        return True
    print(question, end="", flush=True)
    answer = sys.stdin.readline()          # "" at the end of input: not a yes
    return answer.strip().lower() in YES


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
    if argv[:1] == ["undo"]:
        return _undo(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m analytics.importer", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kind", choices=KINDS)
    parser.add_argument("file", type=Path)
    parser.add_argument("--db", help="DuckDB file (default: settings / SHNOR_DB)")
    parser.add_argument("--user", default=None, help="who imports (for the import log)")
    parser.add_argument("--year", type=int, help="year, when the file has no year column")
    parser.add_argument("--procedure", choices=("VPR", "OGE", "EGE"), help="when the file has no procedure column")
    parser.add_argument("--complete", metavar="TERRITORY",
                        help="the file is complete for this region / these municipalities (codes, comma-separated): "
                             "their rows in the file's slices that the file lacks are removed")
    parser.add_argument("--dry-run", action="store_true", help="check and print the preview, store nothing")
    parser.add_argument("--yes", action="store_true", help="store without asking")
    parser.add_argument("--lang", default="ru", choices=("ru", "en"))
    args = parser.parse_args(argv)

    from presentation.i18n import text
    from presentation.import_preview import count, errors_text, preview_text
    from presentation.import_report import more_text, report_frame   # wording from the UI catalogue (no Streamlit)

    settings = load_settings()
    store = open_store(args.db or settings.db_path)
    try:
        territory = Territory.parse(store, args.complete)
    except ValueError as error:
        parser.error(str(error))
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
        print("\n" + text(args.lang, "import_preview.cli_rejected", file=args.file.name,
                          errors=errors_text(prepared.issues.total, args.lang)), file=sys.stderr)
        return 1
    if territory is not None and not prepared.spec.scope:
        parser.error(text(args.lang, "import_preview.unavailable"))
    print(text(args.lang, "import_preview.cli_ok", file=args.file.name,
               rows=count(prepared.source_rows, "row", args.lang), seconds=f"{checked:.1f}"))
    for code, params in prepared.notes:
        print("! " + text(args.lang, f"importer.note.{code}", **params))
    print(preview_text(plan(store, prepared, territory), prepared, store, args.lang))
    if args.dry_run:
        print(text(args.lang, "import_preview.dry_run"))
        return 0
    if not _confirmed(text(args.lang, "import_preview.confirm"), args.yes):
        print(text(args.lang, "import_preview.declined"))
        return 1
    outcome = commit(store, prepared, user, territory=territory)
    total = time.perf_counter() - started
    if outcome.outcome != "success":
        print(f"{args.file.name}: {outcome.outcome}: {outcome.message}", file=sys.stderr)
        return 1
    print(text(args.lang, "import_preview.cli_done", file=args.file.name, id=outcome.import_id,
               checked=f"{checked:.1f}", total=f"{total:.1f}", **outcome.counts))
    return 0


def _undo(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m analytics.importer undo",
                                     description="Restore exactly the rows an import changed.")
    parser.add_argument("import_id", type=int)
    parser.add_argument("--db", help="DuckDB file (default: settings / SHNOR_DB)")
    parser.add_argument("--user", default=None)
    parser.add_argument("--yes", action="store_true", help="undo without asking")
    parser.add_argument("--lang", default="ru", choices=("ru", "en"))
    args = parser.parse_args(argv)

    from presentation.i18n import text
    from presentation.import_preview import refusal_text

    store = open_store(args.db or load_settings().db_path)
    if not _confirmed(text(args.lang, "import_preview.undo.confirm", id=args.import_id), args.yes):
        print(text(args.lang, "import_preview.declined"))
        return 1
    try:
        counts = undo(store, args.import_id, args.user or getpass.getuser())
    except UndoRefused as refused:
        print(refusal_text(refused, args.lang), file=sys.stderr)
        return 1
    print(text(args.lang, "import_preview.undo.done", id=args.import_id, **counts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
