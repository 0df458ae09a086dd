"""Command line of the served mode (docs/ru/served.md). The DSN comes from ``SHNOR_PG`` (or
``served_dsn`` in data/settings.toml), the Parquet directory from ``SHNOR_PARQUET``
(``parquet_dir``; default data/served), the master DuckDB file from ``SHNOR_DB`` / ``--db``.

  python -m analytics.served publish            export the master file and put it in force
  python -m analytics.served import KIND FILE … pull PostgreSQL's tables, run the importer on the master
                                                (its arguments as for python -m analytics.importer,
                                                `import undo ID` too), publish when it stored something
  python -m analytics.served pull               copy PostgreSQL's statuses into the master file
  python -m analytics.served status             the version in force and the data versions
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analytics.config import load_settings
from analytics.store_errors import storage_kind

MESSAGES = {
    "locked": "Файл {db} занят другим процессом (идёт другая загрузка?). Дождитесь её окончания и повторите.",
    "connection": "Нет связи с PostgreSQL ({problem}). Проверьте, что сервер запущен и SHNOR_PG верен.",
    "importing": "Файл {db} занят другим процессом (идёт другая загрузка?). Дождитесь её окончания и повторите.",
    "disk_full": "Закончилось место на диске: новая версия не опубликована, действующая не изменилась.",
    "read_only": "Эта операция в режиме сервера недоступна: {problem}",
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="python -m analytics.served", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("publish", "import", "pull", "status"))
    parser.add_argument("--db", type=Path, help="the master DuckDB file (default: settings / SHNOR_DB)")
    args, rest = parser.parse_known_args(argv)
    settings = load_settings()
    if not settings.served_dsn:
        print("Режим сервера не настроен: задайте SHNOR_PG (строку подключения к PostgreSQL).", file=sys.stderr)
        return 2
    db = args.db or settings.db_path
    try:
        return _run(args.command, rest, settings, db)
    except Exception as error:
        kind = storage_kind(error)
        if kind is None:
            raise
        print(MESSAGES[kind].format(db=db, problem=str(error).splitlines()[0] if str(error) else kind),
              file=sys.stderr)
        return 3


def _run(command: str, rest: list[str], settings, db: Path) -> int:
    from analytics.served import publish as publishing
    from analytics.store import open_store

    if command == "status":
        directory, versions = publishing.in_force(settings.served_dsn)
        print(f"в силе: {directory or '—'}")
        for group, version in sorted(versions.items()):
            print(f"  {group:<12} {version}")
        return 0
    master = open_store(db)
    if command == "pull":
        for table, rows in publishing.pull(master, settings.served_dsn).items():
            print(f"{table:<24}{rows:>10}")
        return 0
    if command == "import":
        from analytics.importer.__main__ import main as import_main
        publishing.pull(master, settings.served_dsn)
        baseline = publishing.snapshot(master)     # what the import changes in the app's tables is passed on
        before = master.data_version()
        code = import_main(rest + ["--db", str(db)])
        if code != 0 or master.data_version() == before:
            return code              # refused, a dry run or nothing stored: nothing to publish
        name = publishing.publish(master, settings.served_dsn, settings.parquet_dir, baseline=baseline)
        print(f"опубликована версия {name} ({settings.parquet_dir / name})")
        return 0
    elif rest:
        print(f"лишние аргументы: {' '.join(rest)}", file=sys.stderr)
        return 2
    name = publishing.publish(master, settings.served_dsn, settings.parquet_dir)
    print(f"опубликована версия {name} ({settings.parquet_dir / name})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
