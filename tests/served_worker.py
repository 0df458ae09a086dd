"""One app process of the served-mode concurrency test (tests/test_served_concurrency.py).

``python -m tests.served_worker DSN PARQUET_DIR PROCESS USERS SAVES UNITS``: opens the served
store as an app process does, prints ``ready``, and on each line read from stdin:

- ``saves R``: (round R) USERS threads (simulated users ``p<PROCESS>-u<n>``) each make SAVES status saves
  on the comma-separated UNITS, each against the version its process last read; prints one
  JSON line: accepted saves per unit, and every refusal with the current values it carried;
- ``look``: reads the data versions as a page run does and prints the Parquet version attached
  and what it reads of the imported data;
- ``query SQL``: reads the data versions as a page run does, then prints the rows of one
  SELECT (one line, JSON) on what this process serves (tests/test_served_writes.py);
- ``quit``.
"""
from __future__ import annotations

import datetime as dt
import json
import sys
import threading

from analytics import roadmap_status as rs
from analytics.served import open_served


def main(dsn: str, parquet_dir: str, process: str, users: int, saves: int, units: list[int]) -> None:
    store = open_served(dsn, parquet_dir)
    store.data_versions()
    print("ready", flush=True)
    for line in sys.stdin:
        command = line.strip()
        if command.startswith("saves"):
            round_number = int(command.split()[1])
            print(json.dumps(_saves(store, f"{process}r{round_number}", users, saves, units)), flush=True)
        elif command == "look":
            store.data_versions()
            print(json.dumps({"directory": store.directory,
                              "imports": store.scalar("SELECT count(*) FROM import_log"),
                              "write_down": store.write_down}), flush=True)
        elif command.startswith("query "):
            store.data_versions()
            rows = store.query_rows(command[len("query "):])
            print(json.dumps({"directory": store.directory, "rows": rows}, default=str, ensure_ascii=False),
                  flush=True)
        elif command == "quit":
            return


def _saves(store, process: str, users: int, saves: int, units: list[int]) -> dict:
    accepted: dict[int, int] = {u: 0 for u in units}
    refused: list[dict] = []
    errors: list[str] = []
    lock = threading.Lock()

    def user(n: int) -> None:
        name = f"p{process}-u{n}"
        for i in range(saves):
            unit = units[(n * 7 + i * 3) % len(units)]           # users overlap on every unit
            data = store.data_versions() and rs.current_unit(store, unit)   # what the page loaded
            edit = rs.Edit(("in_progress", "not_started")[i % 2], comment=f"{name} #{i}")
            try:
                rs.save_status(store, unit, int(data["version"]), edit, name, dt.date(2026, 11, 22))
            except rs.EditConflict as conflict:
                with lock:
                    refused.append({"unit": unit, "expected": int(data["version"]),
                                    "current_version": None if conflict.current is None
                                    else int(conflict.current["version"]),
                                    "current_by": None if conflict.current is None
                                    else conflict.current["updated_by"]})
                continue
            except Exception as error:       # reported, never swallowed: the test fails on it
                with lock:
                    errors.append(f"{type(error).__name__}: {error}")
                continue
            with lock:
                accepted[unit] += 1

    threads = [threading.Thread(target=user, args=(n,)) for n in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"accepted": accepted, "refused": refused, "errors": errors}


if __name__ == "__main__":
    dsn, parquet_dir, process, users, saves, units = sys.argv[1:7]
    main(dsn, parquet_dir, process, int(users), int(saves), [int(u) for u in units.split(",")])
