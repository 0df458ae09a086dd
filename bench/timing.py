"""Medians of repeated runs after a warm-up, and the resident memory of a process tree."""
from __future__ import annotations

import os
import statistics
import time
from pathlib import Path
from typing import Callable


def seconds(function: Callable[[], object], repeat: int, warmup: int = 1) -> dict:
    """Minimum and median wall time of ``repeat`` calls (at least 5) after ``warmup`` calls
    whose time is dropped. Verdicts use the median; the minimum shows the noise."""
    for _ in range(warmup):
        function()
    times = []
    for _ in range(max(5, repeat)):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return {"min": min(times), "median": statistics.median(times)}


def median_seconds(function: Callable[[], object], repeat: int, warmup: int = 1) -> float:
    """Median wall time of ``repeat`` calls after ``warmup`` calls whose time is dropped."""
    for _ in range(warmup):
        function()
    times = []
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def tree_rss_bytes(pid: int) -> int:
    """Resident memory of a process and all its descendants (from /proc, Linux only)."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
                    break
        except OSError:
            continue
        stack += _children(current)
    return total


def self_peak_rss_bytes() -> int:
    """This process's peak resident memory so far (VmHWM)."""
    for line in Path(f"/proc/{os.getpid()}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0
