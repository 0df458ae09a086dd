"""What a computation reads, declared next to it: ``@reads("results", "schools")``.

The page caches key a declared computation on the versions of the data groups of those
tables only (``Store.groups_of``), so a write to another group leaves it cached; an
undeclared computation is keyed on the overall version (any write recomputes it).
tests/test_data_groups.py runs the declared computations the pages use on a store that logs
its queries and fails when one reads a table of a group it did not declare."""
from __future__ import annotations

from typing import Callable, TypeVar

F = TypeVar("F", bound=Callable)


def reads(*tables: str) -> Callable[[F], F]:
    def declare(function: F) -> F:
        function.reads_tables = frozenset(tables)
        return function
    return declare


def tables_read(function: Callable) -> frozenset[str] | None:
    """The declared tables, or None when the function declares nothing."""
    return getattr(function, "reads_tables", None)
