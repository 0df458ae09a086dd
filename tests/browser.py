"""A real Streamlit server and Debian's Chromium for browser tests (no network beyond loopback)."""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.conftest import PROJECT_ROOT, TODAY

CHROMIUM_CANDIDATES = ("/usr/lib/chromium/chromium", "/usr/bin/chromium")


def chromium_path() -> str:
    for candidate in CHROMIUM_CANDIDATES:
        if Path(candidate).exists():
            return candidate
    pytest.fail("Debian chromium is not installed: run `apt-get install chromium` (bash .ci/run does it)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(db_path: Path, timeout: float = 90):
    """Start ``streamlit run app.py`` on a free port; yields the base URL; always stops it."""
    port = free_port()
    env = dict(os.environ, SHNOR_DB=str(db_path), SHNOR_TODAY=TODAY.isoformat())
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    output = process.stdout.read().decode(errors="replace") if process.stdout else ""
                    pytest.fail(f"streamlit did not start:\n{output[-3000:]}")
                time.sleep(0.2)  # polling the health endpoint, not synchronising the test
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def offline_context(browser, **kwargs):
    """A browser context where every request not aimed at this machine is aborted."""
    context = browser.new_context(**kwargs)
    context.route(lambda url: not url.startswith(("http://127.0.0.1", "http://localhost")),
                  lambda route: route.abort())
    return context


def copy_db(source: Path, target_dir: Path) -> Path:
    target = target_dir / "browser.duckdb"
    shutil.copy(source, target)
    return target


# Fixtures for browser test modules (import them by name): each module gets its own copy
# of the demo database behind its own server, and one Chromium for all its tests.
@pytest.fixture(scope="module")
def server(demo_db_path, tmp_path_factory):
    db = copy_db(demo_db_path, tmp_path_factory.mktemp("browser"))
    with streamlit_server(db) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium_path())
        yield instance
        instance.close()
