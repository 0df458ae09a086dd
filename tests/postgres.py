"""A PostgreSQL for the served-mode tests: the cluster .ci/run started (``SHNOR_TEST_PG_DSN``),
or a throwaway one started here from Debian's binaries (initdb/pg_ctl, a local socket in a
temporary directory), so ``pytest`` alone runs these tests too. No PostgreSQL at all is a
failure, never a skip."""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

ENV = "SHNOR_TEST_PG_DSN"


def binaries() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql); "
                           f"or give a server in {ENV}")
    return Path(found[-1]).parent


def _as_owner(command: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: run them as the ``postgres`` user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--"] + command
    return command


class Cluster:
    """A temporary cluster: :meth:`start` returns its DSN, :meth:`stop` removes it."""

    def __init__(self, base: Path | None = None):
        self.base = Path(tempfile.mkdtemp(prefix="shnor-pg-", dir=base))
        self.data = self.base / "data"
        self.socket = self.base / "socket"
        self.bin = binaries()

    def start(self) -> str:
        self.socket.mkdir()
        os.chmod(self.base, 0o755)
        if os.geteuid() == 0:
            shutil.chown(self.base, "postgres")
            shutil.chown(self.socket, "postgres")
        subprocess.run(_as_owner([str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres",
                                  "--auth=trust", "-E", "UTF8", "--no-sync"]),
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        options = f"-k {self.socket} -c listen_addresses='' -c fsync=off -c max_connections=200"
        subprocess.run(_as_owner([str(self.bin / "pg_ctl"), "-D", str(self.data), "-w", "-t", "60",
                                  "-l", str(self.base / "log"), "-o", options, "start"]),
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        return f"host={self.socket} dbname=postgres user=postgres"

    def stop(self) -> None:
        subprocess.run(_as_owner([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"]),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(self.base, ignore_errors=True)


def fresh_database(server_dsn: str) -> str:
    """A new empty database on the server; returns its DSN."""
    import psycopg
    name = f"shnor_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_dsn, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    return psycopg.conninfo.make_conninfo(server_dsn, dbname=name)


def _stop_at(base: str) -> None:
    cluster = Cluster.__new__(Cluster)
    cluster.base, cluster.bin = Path(base), binaries()
    cluster.data, cluster.socket = cluster.base / "data", cluster.base / "socket"
    cluster.stop()


if __name__ == "__main__":      # .ci/run: `start` prints the directory and the DSN; `stop DIR`
    import sys
    if sys.argv[1:2] == ["start"]:
        started = Cluster()
        print(started.base)
        print(started.start())
    elif sys.argv[1:2] == ["stop"] and len(sys.argv) == 3:
        _stop_at(sys.argv[2])
    else:
        raise SystemExit("usage: python -m tests.postgres start | stop DIR")
