"""Problems found in a file, as codes with values (the UI catalogue words them:
``importer.problem.<code>`` and ``importer.expected.<code>``)."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

REPORT_LIMIT = 200   # rows of the error report shown and stored; the total is always counted


class FileProblem(Exception):
    """The file as a whole cannot be read (not a table, too large, no header …)."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class Issues:
    """Cell-level problems, collected as frames (vectorised: a million bad rows stay cheap).

    Each frame has: row (as in the spreadsheet), column (canonical name), value (as written),
    code, and params (a dict for the message)."""
    frames: list[pd.DataFrame] = field(default_factory=list)
    file_level: list[tuple[str, dict]] = field(default_factory=list)
    omitted: dict[str, int] = field(default_factory=dict)    # counted, not kept (streaming import: rows past the first)

    def add(self, rows: pd.Index | list, column: str | None, values, code: str, **params) -> None:
        rows = list(rows)
        if not rows:
            return
        values = list(values) if not isinstance(values, str) and values is not None else [values] * len(rows)
        self.frames.append(pd.DataFrame({"row": rows, "column": column, "value": values, "code": code,
                                         "params": [params] * len(rows)}))

    def add_first(self, rows: list, column: str | None, values, code: str, total: int, **params) -> None:
        """Like ``add`` for the first ``rows`` of a problem that occurs ``total`` times: the rest are
        counted (in ``total`` and ``codes``) but not kept — the report shows the first rows only."""
        self.add(rows, column, values, code, **params)
        if total > len(rows):
            self.omitted[code] = self.omitted.get(code, 0) + total - len(rows)

    def add_file(self, code: str, **params) -> None:
        self.file_level.append((code, params))

    @property
    def total(self) -> int:
        return len(self.file_level) + sum(len(f) for f in self.frames) + sum(self.omitted.values())

    def __bool__(self) -> bool:
        return self.total > 0

    def first(self, limit: int = REPORT_LIMIT) -> pd.DataFrame:
        """File-level problems first, then cell problems by row, at most ``limit``."""
        head = pd.DataFrame({"row": [None] * len(self.file_level), "column": None, "value": None,
                             "code": [c for c, _ in self.file_level], "params": [p for _, p in self.file_level]})
        cells = [f for f in self.frames if len(f)]
        if cells:
            merged = pd.concat(cells, ignore_index=True)
            merged = merged.sort_values(["row", "column"], kind="stable", na_position="first").head(limit)
            head = pd.concat([head, merged], ignore_index=True) if len(head) else merged
        return head.head(limit).reset_index(drop=True)

    def codes(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for code, _ in self.file_level:
            counts[code] = counts.get(code, 0) + 1
        for frame in self.frames:
            for code, n in frame["code"].value_counts().items():
                counts[code] = counts.get(code, 0) + int(n)
        for code, n in self.omitted.items():
            counts[code] = counts.get(code, 0) + n
        return counts
