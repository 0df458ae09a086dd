"""Find the header (one or two rows, anywhere in the first rows) and map columns to the spec."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from analytics.importer.issues import FileProblem
from analytics.importer.reading import HEADER_SCAN_ROWS, Grid
from analytics.importer.spec import ColumnSpec, KindSpec, normalise


@dataclass
class Header:
    rows: list[int]                                  # spreadsheet row numbers of the header
    columns: dict[str, object] = field(default_factory=dict)      # canonical name → grid column
    titles: dict[str, str] = field(default_factory=dict)          # canonical name → user's header text
    personal: list[str] = field(default_factory=list)             # user headers dropped as personal data
    unused: list[str] = field(default_factory=list)               # user headers not used
    duplicates: list[tuple[str, list[str]]] = field(default_factory=list)


def _text(value) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) else str(value).strip()


def _map(spec: KindSpec, candidates: dict[object, tuple[str, list[str]]]) -> Header:
    """``candidates``: grid column → (user's header text, texts to try in order)."""
    header = Header(rows=[])
    seen: dict[str, list[str]] = {}
    for grid_column, (title, texts) in candidates.items():
        column: ColumnSpec | None = None
        for text in texts:
            if text:
                column = spec.match(normalise(text))
                if column is not None:
                    break
        if column is None:
            if title:
                header.unused.append(title)
            continue
        if column.type == "personal":
            header.personal.append(title)
            if column.name == "_personal":
                continue
        if column.type == "ignore":
            header.unused.append(title)
            continue
        seen.setdefault(column.name, []).append(title)
        if column.name not in header.columns:
            header.columns[column.name] = grid_column
            header.titles[column.name] = title
    header.duplicates = [(name, titles) for name, titles in seen.items() if len(titles) > 1]
    return header


def _score(spec: KindSpec, header: Header) -> tuple[int, int]:
    required = sum(1 for c in spec.columns if c.required and c.name in header.columns)
    return required, len(header.columns)


def _looks_merged(parent: list[str], child: list[str]) -> bool:
    """A two-row header: the upper row has gaps or repeats (merged cells) above lower-row text."""
    for i in range(1, len(parent)):
        if child[i] and (not parent[i] or parent[i] == parent[i - 1]):
            return True
    return False


def _merged_down(upper: list[str], lower: list[str]) -> bool:
    """Some column title fills both header rows (a vertically merged cell, as XLSX reading fills it)."""
    return any(a and a == b for a, b in zip(upper, lower))


def find_header(grid: Grid, spec: KindSpec) -> Header:
    top = grid.cells.head(HEADER_SCAN_ROWS + 1)
    rows = [[_text(v) for v in row] for row in top.itertuples(index=False)]
    numbers = list(top.index)
    columns = list(grid.cells.columns)
    best, best_score = None, ((0, 0), False, 0)
    for i in range(min(HEADER_SCAN_ROWS, len(rows))):
        single = _map(spec, {c: (rows[i][j], [rows[i][j]]) for j, c in enumerate(columns)})
        single.rows = [numbers[i]]
        options = [single]
        if i + 1 < len(rows) and any(rows[i]) and _looks_merged(rows[i], rows[i + 1]):
            parent = list(rows[i])
            for j in range(1, len(parent)):
                if not parent[j] and rows[i + 1][j]:
                    parent[j] = parent[j - 1]
            child = rows[i + 1]
            candidates = {}
            for j, c in enumerate(columns):
                title = " ".join(t for t in dict.fromkeys([parent[j], child[j]]) if t)
                candidates[c] = (title, [f"{parent[j]} {child[j]}", child[j], parent[j]])
            double = _map(spec, candidates)
            double.rows = [numbers[i], numbers[i + 1]]
            options.append(double)
        for option in options:
            # An XLSX header block of merged cells (a column title merged over both rows shows in
            # both): the lower row alone is not the header — «2» under «Распределение групп баллов
            # в %» is a share, not a count — so the block wins a tie with its lower row.
            block = len(option.rows) == 2 and _merged_down(rows[i], rows[i + 1])
            score = (_score(spec, option), block, -len(option.rows))
            if score > best_score and score[0] > (0, 0):    # a single row wins a tie; earlier rows win too
                best, best_score = option, score
    if best is None:
        found = [t for t in (rows[0] if rows else []) if t][:12]
        raise FileProblem("no_header", found=", ".join(found) or "—")
    return best


def data_rows(grid: Grid, header: Header) -> pd.DataFrame:
    """The rows under the header, without empty rows and «Итого»/«Всего» rows."""
    body = grid.cells.loc[grid.cells.index > max(header.rows), list(dict.fromkeys(header.columns.values()))]
    return body


def is_total_row(body: pd.DataFrame, full: pd.DataFrame) -> pd.Series:
    first_columns = full.loc[body.index, list(full.columns[:3])]
    mask = pd.Series(False, index=body.index)
    for column in first_columns.columns:
        text = first_columns[column].astype("string").str.strip().str.lower()
        mask |= text.str.match(r"^(итого|всего)").fillna(False).astype(bool)
    return mask
