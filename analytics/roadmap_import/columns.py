"""Recognising a roadmap table's header row(s) and mapping columns to fields by wording."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from analytics.roadmap_import.executors import column_level
from analytics.roadmap_import.model import Cell

FIELDS = ("number", "title", "deadline", "executors", "indicator")
# Checked in this order: the first pattern that matches a header names the column.
_PATTERNS = (
    ("number", re.compile(r"^\s*(№|n\s|no\b|номер)|п\s*/\s*п|^№?\s*пп\b")),
    ("deadline", re.compile(r"срок|дата|период исполн|время проведения")),
    ("executors", re.compile(r"ответствен|исполнител|оператор|соисполнител|участник|кто\b")),
    ("indicator", re.compile(r"показател|результат|сопровождени|продукт|отчетн|индикатор|форма (отчет|представл)"
                             r"|критери|целев")),
    ("title", re.compile(r"мероприят|действи|содержани|наименовани|описани")),
)
# Sub-columns under a parent header (e.g. «Ответственные» split into «регион» / «район»).
_SUBHEADER_WORDS = re.compile(r"регион|район|муницип|школ|федерал|уровень|ОО\b|МОУО|ИРО", re.IGNORECASE)


def classify(header: str) -> str | None:
    """The field a header names: the pattern matching earliest in the text («Ожидаемый результат,
    участники» is a result column, «Ответственные за результат» an executors column)."""
    text = header.lower().replace("ё", "е")
    found = [(match.start(), order, name) for order, (name, pattern) in enumerate(_PATTERNS)
             if (match := pattern.search(text))]
    if not found:
        return None
    number = next((f for f in found if f[2] == "number"), None)
    return number[2] if number is not None and number[0] == 0 else min(found)[2]


@dataclass
class ColumnMap:
    by_field: dict[str, list[int]] = field(default_factory=dict)
    headers: list[str] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)
    levels: dict[int, str] = field(default_factory=dict)   # executors sub-column → region | municipality | school

    def first(self, name: str) -> int | None:
        columns = self.by_field.get(name)
        return columns[0] if columns else None


def header_texts(row: list[Cell]) -> list[str]:
    """Cell texts with horizontally merged continuation cells taking the text on their left."""
    texts, previous = [], ""
    for cell in row:
        text = previous if cell.hmerged else cell.text
        texts.append(text)
        previous = text
    return texts


_MEASURE_NUMBER = re.compile(r"^\s*\d+(?:\.\d+)*\.?\s*$")


def is_header(row: list[Cell], first: list[Cell] | None = None) -> bool:
    """A header row names the title column and the deadline or executors column. A data row can
    read like one («Проведение мероприятий | Ежегодно | Участники Программы»), so a row with a
    measure number is never a header, and once the table's header is known a later row is a
    header again (repeated after a page break) only if every filled cell is a header word."""
    texts = header_texts(row)
    if any(_MEASURE_NUMBER.match(t) for t in texts if t):
        return False
    found = {classify(t) for t in texts if t and len(t) < 120}
    if not ("title" in found and ("deadline" in found or "executors" in found)):
        return False
    if first is None:
        return True
    previous = {re.sub(r"\s+", " ", t).strip().lower() for t in header_texts(first)}
    return all(classify(t) is not None or re.sub(r"\s+", " ", t).strip().lower() in previous
               for t in texts if t.strip())


def is_subheader(row: list[Cell], header: list[Cell]) -> bool:
    """The second row of a two-row header: short labels under some of the header's columns."""
    texts = [c.text for c in row]
    filled = [i for i, t in enumerate(texts) if t]
    if not filled or any(len(texts[i]) > 60 for i in filled):
        return False
    if re.fullmatch(r"\d+(\.\d+)*\.?", texts[0] or "x"):
        return False
    parents = header_texts(header)
    under_merged = [i for i in filled if i < len(header) and (header[i].hmerged or
                    (i + 1 < len(header) and header[i + 1].hmerged))]
    if under_merged:
        return True
    return len(filled) >= 2 and all(_SUBHEADER_WORDS.search(texts[i]) or classify(texts[i]) for i in filled) \
        and any(classify(parents[i]) in ("executors", "indicator", "deadline") for i in filled if i < len(parents))


def is_column_numbers(row: list[Cell]) -> bool:
    """The «1 | 2 | 3 | 4» row printed under many headers."""
    texts = [c.text.strip().rstrip(".") for c in row if c.text.strip()]
    return len(texts) >= 3 and all(t.isdigit() for t in texts) and \
        [int(t) for t in texts] == list(range(int(texts[0]), int(texts[0]) + len(texts)))


def build_map(header: list[Cell], subheader: list[Cell] | None = None) -> ColumnMap:
    parents = header_texts(header)
    children = [c.text for c in subheader] if subheader else []
    result = ColumnMap()
    for index, parent in enumerate(parents):
        child = children[index] if index < len(children) else ""
        combined = " ".join(t for t in (parent, child) if t).strip()
        result.headers.append(combined)
        if not combined:
            continue
        name = classify(parent) or classify(child)
        if name is None:
            result.unused.append(combined)
            continue
        if name in ("number", "title", "deadline") and name in result.by_field:
            if name == "title":   # a second title-like column adds detail to the title
                result.by_field[name].append(index)
            else:
                result.unused.append(combined)
            continue
        result.by_field.setdefault(name, []).append(index)
        if name == "executors" and (level := column_level(combined)):
            result.levels[index] = level
    return result
