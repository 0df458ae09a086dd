"""``python -m analytics.roadmap_import FILE [--default-year YYYY]``: the parse as one JSON object."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from analytics.roadmap_import.model import RoadmapImportError
from analytics.roadmap_import.parse import parse_document


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analytics.roadmap_import",
                                     description="Прочитать дорожную карту (DOCX, XLSX, текст) и вывести JSON.")
    parser.add_argument("file", type=Path)
    parser.add_argument("--default-year", type=int, default=None,
                        help="год дорожной карты, если период не указан в документе")
    args = parser.parse_args(argv)
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
    json.dump(parsed.as_dict(), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
