"""``python -m analytics.roadmap_import FILE``: the review of a roadmap as one JSON object.

With ``--db`` the schools named in the document are matched to that database's registry;
with ``--save`` the roadmap is written there, but only if nothing is left unresolved
(a guessed period, a deadline not understood, an unknown executor, an unlinked school) or
``--accept-guesses`` is given. Exit codes: 0 done, 2 the file cannot be read, 3 not saved.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from analytics.roadmap_import.model import RoadmapImportError
from analytics.roadmap_import.parse import parse_document
from analytics.roadmap_import.review import review
from analytics.roadmap_import.schools import SchoolRegistry

SCHOOLS = """
SELECT s.school_id, s.municipality_id, s.name, s.short_name
FROM schools s JOIN municipalities m USING (municipality_id)
WHERE ($region_id IS NULL OR m.region_id = $region_id)
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analytics.roadmap_import",
                                     description="Прочитать дорожную карту (DOCX, XLSX, текст), вывести разбор "
                                                 "(JSON) и, если попросят, сохранить.")
    parser.add_argument("file", type=Path)
    parser.add_argument("--default-year", type=int, default=None,
                        help="год дорожной карты, если период не указан в документе")
    parser.add_argument("--db", type=Path, help="база (DuckDB): реестр школ и место сохранения")
    parser.add_argument("--level", choices=("region", "municipality", "school"), default="region",
                        help="уровень дорожной карты при сохранении")
    parser.add_argument("--region", help="код региона (реестр школ и сохранение)")
    parser.add_argument("--municipality", help="код муниципалитета: его школы узнаются охотнее")
    parser.add_argument("--school", help="код школы для школьной дорожной карты")
    parser.add_argument("--save", action="store_true", help="сохранить дорожную карту в базу --db")
    parser.add_argument("--accept-guesses", action="store_true",
                        help="сохранить, даже если остались неразрешённые поля (угаданный период и т. п.)")
    parser.add_argument("--user", default=None, help="кто сохраняет (журнал загрузок)")
    args = parser.parse_args(argv)
    if args.save and args.db is None:
        parser.error("для --save нужна база: --db ПУТЬ")
    try:
        data = args.file.read_bytes()
    except OSError as error:
        print(f"Не удалось открыть файл «{args.file}»: {error.strerror or error}", file=sys.stderr)
        return 2
    try:
        parsed = parse_document(data, args.file.name, args.default_year)
    except RoadmapImportError as error:
        print(str(error), file=sys.stderr)
        return 2
    store = None
    registry = SchoolRegistry(None)
    if args.db is not None:
        from analytics.store import open_store
        store = open_store(args.db)
        registry = SchoolRegistry(store.query_df(SCHOOLS, {"region_id": args.region}))
    result = review(parsed, registry, args.municipality)
    json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    if not args.save:
        return 0
    if result["unresolved"] and not args.accept_guesses:
        print(f"Не сохранено: неразрешённых полей — {len(result['unresolved'])} (список — «unresolved» в JSON). "
              "Исправьте документ или повторите с --accept-guesses.", file=sys.stderr)
        return 3
    if parsed.period is None:
        print("Не сохранено: период дорожной карты не найден; укажите --default-year.", file=sys.stderr)
        return 3
    from analytics import access
    from analytics.roadmap_import.save import SaveError, save_roadmap
    try:
        roadmap_id = save_roadmap(store, title=parsed.title, period=parsed.period, measures=parsed.measures,
                                  level=args.level, region_id=args.region, municipality_id=args.municipality,
                                  school_id=args.school, user=args.user, file_name=args.file.name,
                                  principal=access.SYSTEM)
    except (SaveError, access.AccessDenied) as error:
        print(f"Не сохранено: {error}", file=sys.stderr)
        return 3
    print(f"Сохранено: дорожная карта № {roadmap_id}, мероприятий — {len(parsed.measures)}.", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
