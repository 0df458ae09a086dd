"""Two app processes and the command-line importer on one served store at once: 200 status
saves from 20 simulated users on overlapping units while an import is published. Every save
either commits or is refused with the current values; no update is lost (the versions added
equal the saves accepted, and the history has one line per accepted save); both processes see
the import without a restart."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import psycopg

from analytics.served.publish import publish
from analytics.store import open_store
from tests.conftest import PROJECT_ROOT

PROCESSES, USERS_PER_PROCESS, SAVES_PER_USER, ROUNDS = 2, 10, 5, 2     # 2 × 10 × 5 × 2 = 200 saves


class Worker:
    def __init__(self, dsn: str, parquet_dir, number: int, units: list[int]):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.served_worker", dsn, str(parquet_dir), str(number),
             str(USERS_PER_PROCESS), str(SAVES_PER_USER), ",".join(map(str, units))],
            cwd=PROJECT_ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            env={**os.environ, "SHNOR_WARMUP": "0"})
        assert self.read() == "ready"

    def send(self, command: str) -> None:
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()

    def read(self) -> str:
        line = self.process.stdout.readline()
        assert line, f"worker ended (exit {self.process.poll()})"
        return line.strip()

    def close(self) -> None:
        if self.process.poll() is None:
            self.send("quit")
        self.process.wait(timeout=60)


def _pg(dsn: str, sql: str, params=None):
    with psycopg.connect(dsn) as connection:
        return connection.execute(sql, params).fetchall()


def test_two_processes_and_the_importer_lose_no_write(writable_db_path, pg_dsn, tmp_path):
    parquet = tmp_path / "parquet"
    master = open_store(writable_db_path)
    publish(master, pg_dsn, parquet)
    master.close()                      # the importer's process opens it next
    units = [u for (u,) in _pg(pg_dsn, "SELECT unit_id FROM measure_status ORDER BY unit_id LIMIT 8")]
    before = dict(_pg(pg_dsn, "SELECT unit_id, version FROM measure_status WHERE unit_id = ANY(%s)", [units]))
    history_before = _pg(pg_dsn, "SELECT count(*) FROM measure_status_history")[0][0]
    imports_before = open_store_count(writable_db_path)

    template = tmp_path / "schools.xlsx"
    subprocess.run([sys.executable, "-m", "analytics.importer", "template", "schools", str(template)],
                   cwd=PROJECT_ROOT, check=True, capture_output=True)
    workers = [Worker(pg_dsn, parquet, n, units) for n in range(PROCESSES)]
    try:
        env = {**os.environ, "SHNOR_PG": pg_dsn, "SHNOR_PARQUET": str(parquet), "SHNOR_DB": str(writable_db_path)}
        importer = subprocess.Popen([sys.executable, "-m", "analytics.served", "import", "schools", str(template),
                                     "--yes", "--user", "ночной импорт"], cwd=PROJECT_ROOT, env=env,
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for worker in workers:          # round 1 starts with the import; round 2 after it committed
            worker.send("saves 1")
        reports = [json.loads(worker.read()) for worker in workers]
        output, _ = importer.communicate(timeout=600)
        assert importer.returncode == 0, output
        for worker in workers:
            worker.send("saves 2")
        reports += [json.loads(worker.read()) for worker in workers]
        published = _pg(pg_dsn, "SELECT directory FROM published_version")[0][0]
        assert published in output
        for worker in workers:
            worker.send("look")
        looks = [json.loads(worker.read()) for worker in workers]
    finally:
        for worker in workers:
            worker.close()

    assert [r["errors"] for r in reports] == [[]] * PROCESSES * ROUNDS
    accepted = {int(u): sum(r["accepted"][str(u)] for r in reports) for u in units}
    refused = [item for r in reports for item in r["refused"]]
    assert sum(accepted.values()) + len(refused) == PROCESSES * USERS_PER_PROCESS * SAVES_PER_USER * ROUNDS == 200
    assert refused and sum(accepted.values())            # the users did collide, and saves went through
    # every refusal came with the current values, newer than the version the user had loaded
    assert all(item["current_version"] is not None and item["current_version"] > item["expected"]
               and item["current_by"] for item in refused)
    after = dict(_pg(pg_dsn, "SELECT unit_id, version FROM measure_status WHERE unit_id = ANY(%s)", [units]))
    assert {u: after[u] - before[u] for u in units} == accepted           # no lost update
    history_after = _pg(pg_dsn, "SELECT count(*) FROM measure_status_history")[0][0]
    assert history_after - history_before == sum(accepted.values())
    # the import committed meanwhile is seen by both processes, without a restart
    assert [look["directory"] for look in looks] == [published, published]
    assert [look["imports"] for look in looks] == [imports_before + 1] * PROCESSES
    assert not any(look["write_down"] for look in looks)
    window = _pg(pg_dsn, "SELECT min(changed_at), max(changed_at) FROM measure_status_history "
                         "WHERE changed_by LIKE 'p%%-u%%'")[0]
    at = _pg(pg_dsn, "SELECT published_at FROM published_version")[0][0]
    assert window[0] < at < window[1]         # saves went on before and after the import's commit
    print(f"\naccepted {sum(accepted.values())}, refused {len(refused)}; saves {window[0]:%H:%M:%S.%f} – "
          f"{window[1]:%H:%M:%S.%f}, import published {at:%H:%M:%S.%f}")


def open_store_count(path) -> int:
    store = open_store(path)
    try:
        return store.scalar("SELECT count(*) FROM import_log")
    finally:
        store.close()
