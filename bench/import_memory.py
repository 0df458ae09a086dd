"""Peak memory of checking one file (``prepare``) for the largest and the most hostile inputs the
importer accepts or refuses: ``python -m bench.import_memory [--db FILE] [--only NAME,...]``.

Each case runs in its own Python process (the figure is that process's peak resident memory, imports
included) and prints: case, file size, outcome, seconds, peak MB. The cap stated in docs/ru/import.md
comes from this table."""
from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = ["Код ОО", "Год", "Процедура", "Предмет", "Класс", "Участников", "2", "3", "4", "5"]
CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from analytics.importer import prepare_file
from analytics.store import Store
store = Store(sys.argv[1])
started = time.perf_counter()
prepared = prepare_file(store, sys.argv[3], Path(sys.argv[2]), {"year": 2026, "procedure": "VPR"})
codes = prepared.issues.codes()
print(json.dumps({"ok": prepared.ok, "codes": sorted(codes)[:3], "seconds": time.perf_counter() - started,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _results_csv(rows: int) -> bytes:
    import numpy as np
    rng = np.random.default_rng(1)
    n = rng.integers(5, 120, rows)
    n2 = (n * 0.15).astype(int)
    n5 = (n * 0.1).astype(int)
    lines = [";".join(HEADER)]
    lines += [f"{100000 + i % 400:07d};2026;ВПР;Математика;{5 + i % 4};{a};{b};{a - b - c - d};{c};{d}"
              for i, (a, b, c, d) in enumerate(zip(n, n2, (n * 0.3).astype(int), n5))]
    return ("\n".join(lines) + "\n").encode("cp1251")


def _xlsx(rows: int) -> bytes:
    from openpyxl import Workbook
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Данные")
    sheet.append(HEADER)
    for i in range(rows):
        sheet.append([f"{100000 + i % 400:07d}", 2026, "ВПР", "Математика", 5 + i % 4, 10, 1, 2, 3, 4])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _shared_string_bomb() -> bytes:
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    body = "".join(f'<row r="{i}">' + "".join(f'<c r="{c}{i}" t="s"><v>0</v></c>' for c in "ABCDEFGHIJ") + "</row>"
                   for i in range(1, 100_001))
    base = zipfile.ZipFile(io.BytesIO(_xlsx(1)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in base.namelist():
            content = base.read(name)
            if name.startswith("xl/worksheets/"):
                content = f'<worksheet xmlns="{main}"><sheetData>{body}</sheetData></worksheet>'.encode()
            target.writestr(name, content)
        target.writestr("xl/sharedStrings.xml", f'<sst xmlns="{main}"><si><t>{"Я" * 32_000}</t></si></sst>')
    return out.getvalue()


def _far_cell() -> bytes:
    from openpyxl import Workbook
    book = Workbook()
    book.active.append(HEADER)
    book.active["XFD1048576"] = "x"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


CASES = {
    "results_csv_790k_rows": ("results", "csv", lambda: _results_csv(790_000)),   # just under MAX_CELLS
    "results_xlsx_300k_rows": ("results", "xlsx", lambda: _xlsx(300_000)),
    "long_line_csv": ("results", "csv", lambda: (";".join(HEADER) + "\n" + "x" * 50_000_000 + "\n").encode()),
    "hundred_thousand_columns_csv": ("results", "csv", lambda: (";".join(["a"] * 100_000) + "\n") .encode() * 50),
    "shared_string_bomb_xlsx": ("results", "xlsx", _shared_string_bomb),
    "far_cell_xlsx": ("results", "xlsx", _far_cell),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.import_memory")
    parser.add_argument("--db", required=True, help="a demo database (python -m analytics.demo --db FILE)")
    parser.add_argument("--only", help="comma-separated case names")
    args = parser.parse_args(argv)
    names = args.only.split(",") if args.only else list(CASES)
    print(f"{'case':34} {'MB':>7} {'outcome':28} {'s':>6} {'peak MB':>8}")
    with tempfile.TemporaryDirectory() as scratch:
        for name in names:
            kind, suffix, build = CASES[name]
            path = Path(scratch) / f"{name}.{suffix}"
            path.write_bytes(build())
            done = subprocess.run([sys.executable, "-c", CHILD, args.db, str(path), kind], cwd=ROOT,
                                  capture_output=True, text=True)
            if done.returncode:
                print(f"{name:34} failed: {done.stderr[-500:]}")
                continue
            result = json.loads(done.stdout.strip().splitlines()[-1])
            outcome = "accepted" if result["ok"] else "refused: " + ",".join(result["codes"])
            print(f"{name:34} {path.stat().st_size / 1e6:7.1f} {outcome:28} {result['seconds']:6.1f} "
                  f"{result['peak_mb']:8.0f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
