"""Import of a student-level CSV (python -m analytics.importer student_results) against
DuckDB's own read_csv + GROUP BY of the same file."""
from __future__ import annotations

import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

# One row per participant: real schools, ВПР, mark and journal mark; columns as the template names them.
GENERATE = """
COPY (
    WITH s AS (SELECT school_id, row_number() OVER (ORDER BY school_id) - 1 AS k FROM schools)
    SELECT 'P' || i AS "Код участника", s.school_id AS "Код школы", 2026 AS "Год", 'ВПР' AS "Процедура",
           ['Математика', 'Русский язык'][1 + (i % 2)::INT] AS "Предмет", 5 + (i // 2 % 4)::INT AS "Класс",
           2 + (hash(i) % 4)::INT AS "Отметка", 2 + (hash(i + 7) % 4)::INT AS "Отметка по журналу"
    FROM range({rows}) t(i) JOIN s ON s.k = (i // 8) % {schools}
) TO '{path}' (HEADER, DELIMITER ';')
"""

RAW = """
SELECT "Код школы", "Предмет", "Класс", count(*), count(*) FILTER (WHERE "Отметка" = 2)
FROM read_csv('{path}', delim = ';', header = true) GROUP BY ALL
"""


# What `python -m analytics.importer student_results FILE` does (the path-based API, as the CLI),
# without its 100 MB size limit. The child also prints the seconds of prepare + commit alone:
# Python start-up and imports are not import throughput.
CHILD = """
import sys, time
from pathlib import Path
from analytics.importer import commit, prepare_file
from analytics.store import open_store
store = open_store(sys.argv[1])
store.cursor().execute("SET memory_limit='4GB'; SET threads=2")
path = Path(sys.argv[2])
started = time.perf_counter()
prepared = prepare_file(store, "student_results", path, {"year": None, "procedure": None}, max_mb=1e6)
if not prepared.ok:
    sys.exit("rejected: %s problems" % prepared.issues.total)
checked = time.perf_counter()
outcome = commit(store, prepared, "bench")
done = time.perf_counter()
print(outcome.outcome, outcome.rows_read, outcome.rows_stored, prepared.engine)
peak = [int(l.split()[1]) * 1024 for l in open("/proc/self/status") if l.startswith("VmHWM:")]
print("INNER_SECONDS %.6f %.6f %d" % (done - started, checked - started, peak[0] if peak else 0))
sys.exit(0 if outcome.outcome == "success" else 1)
"""


def generate_csv(db_path: str, path: Path, rows: int) -> None:
    if path.exists():
        return
    con = duckdb.connect(db_path, read_only=True)
    con.execute("SET memory_limit='4GB'; SET threads=2")
    schools = con.execute("SELECT count(*) FROM schools").fetchall()[0][0]
    con.execute(GENERATE.format(rows=int(rows), path=str(path), schools=int(schools)))
    con.close()


def raw_read_seconds(path: Path, repeat: int) -> float:
    from bench.timing import median_seconds
    con = duckdb.connect()
    con.execute("SET memory_limit='4GB'; SET threads=2")
    return median_seconds(lambda: con.execute(RAW.format(path=str(path))).fetchall(), repeat)


def importer_run(db_path: str, path: Path, scratch: Path, mem_cap_gb: float) -> dict:
    """One import into a scratch copy of the database, in a child process whose address
    space is capped (so a runaway import cannot take the shared machine down)."""
    shutil.copy(db_path, scratch)
    cap = int(mem_cap_gb * 1024 ** 3)

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", CHILD, str(scratch), str(path)],
                          capture_output=True, text=True, preexec_fn=limit)
    seconds = time.perf_counter() - start
    scratch.unlink(missing_ok=True)
    inner = [line.split()[1:] for line in done.stdout.splitlines() if line.startswith("INNER_SECONDS")]
    # The child's own peak (VmHWM); RUSAGE_CHILDREN would also count earlier children (the app server).
    peak = int(inner[0][2]) if inner else resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return {"seconds": seconds, "ok": done.returncode == 0, "peak_bytes": peak,
            "inner_seconds": float(inner[0][0]) if inner else None,
            "prepare_seconds": float(inner[0][1]) if inner else None,
            "message": (done.stderr or done.stdout)[-400:]}
