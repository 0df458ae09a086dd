"""Blocks → raw measures: find header rows, map columns, recognise section and sub-section
rows, glue page-break continuation rows back, make numbers unique."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from analytics.roadmap_import.columns import (ColumnMap, build_map, is_column_numbers, is_header,
                                              is_subheader)
from analytics.roadmap_import.model import Block, Cell, Paragraph, Row

_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)*)\s*[.)]?\s*$")
_LEADING_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)*|[IVX]+)\s*[.)]\s*(\S.*)$|^\s*(\d+(?:\.\d+)*)\s+(\S.*)$", re.S)
_TITLE_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)+)\.?\s+(\S.*)$", re.S)
_ROMAN = re.compile(r"^\s*([IVX]+)\s*\.?\s*$")
_TAIL = re.compile(r"\s*(Задач[аи]|Цел[ьи]|Показател[ьи]|Ожидаемы[ей] результат[ы]?)\s*:.*$", re.S | re.I)


@dataclass
class Heading:
    number: str | None
    title: str
    level: int


@dataclass
class RawMeasure:
    number: str
    title: str
    deadline: str
    executors: list[tuple[str, str | None]]     # (cell text, level of its column)
    indicators: list[str]
    section: Heading | None
    subsection: Heading | None
    extra: list[str] = field(default_factory=list)
    source: str = ""                            # the row's cells as written, « | » between them

    @property
    def section_title(self) -> str | None:
        names = [h.title for h in (self.section, self.subsection) if h is not None and h.title]
        return " / ".join(names) or None


@dataclass
class _Entry:
    number: str
    title: str
    deadline: str
    executors: list[tuple[str, str | None]]
    indicators: list[str]
    extra: list[str]
    single: str | None        # the only text of a row whose text sits in its first column
    raw_number: str = ""
    spanning: bool = False    # the row's text runs across the table (merged cells): a section row
    source: str = ""


@dataclass
class TableResult:
    measures: list[RawMeasure]
    warnings: list[str]
    found_table: bool


def clean(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def heading_title(text: str) -> str:
    return clean(_TAIL.sub("", text)).rstrip(" .:;")


def parse_number(text: str) -> str | None:
    match = _NUMBER.match(text or "")
    return match.group(1) if match else None


def split_heading(text: str) -> tuple[str | None, str]:
    match = _LEADING_NUMBER.match(text or "")
    if match:
        number = match.group(1) or match.group(3)
        return number, heading_title(match.group(2) or match.group(4))
    return None, heading_title(text)


def _texts(cells: list[Cell]) -> list[str]:
    return ["" if c.hmerged or c.vmerged else c.text for c in cells]


def _entry(cells: list[Cell], columns: ColumnMap) -> _Entry | None:
    texts = _texts(cells)
    if not any(t.strip() for t in texts):
        return None

    def take(name: str, joiner: str = " ") -> list[str]:
        return [texts[i].strip() for i in columns.by_field.get(name, []) if i < len(texts) and texts[i].strip()]

    filled = [i for i, t in enumerate(texts) if t.strip()]
    number_column = columns.first("number")
    first_columns = {0, number_column if number_column is not None else 0}
    single = texts[filled[0]].strip() if len(filled) == 1 and filled[0] in first_columns else None
    extra = []
    for index, header in enumerate(columns.headers):
        if header in columns.unused and index < len(texts) and texts[index].strip():
            extra.append(f"{header}: {clean(texts[index])}")
    raw_number = " ".join(take("number"))
    number, title = parse_number(raw_number) or "", " ".join(take("title"))
    if not raw_number and (written := _TITLE_NUMBER.match(title)):
        number, title = written.group(1), written.group(2)     # «1.2.3. Семинар» with the № cell empty
    executors = [(texts[i].strip(), columns.levels.get(i)) for i in columns.by_field.get("executors", [])
                 if i < len(texts) and texts[i].strip()]
    merged = [c.hmerged for c in cells[1:]]
    spanning = len(filled) <= 2 and len(merged) >= 2 and sum(merged) >= len(merged) - 1
    return _Entry(number=number, raw_number=raw_number, title=title, deadline=" ".join(take("deadline")),
                  executors=executors, extra=extra,
                  indicators=[texts[i].strip() if i < len(texts) else "" for i in columns.by_field.get("indicator", [])],
                  single=single, spanning=spanning, source=" | ".join(clean(t) for t in texts if t.strip()))


def _entries(blocks: list[Block]) -> tuple[list[_Entry | str], list[str], bool]:
    """Mapped rows (and paragraph texts, kept for section titles) after the first header."""
    out: list[_Entry | str] = []
    warnings: list[str] = []
    columns: ColumnMap | None = None
    header: list[Cell] | None = None
    header_table = None
    expect_subheader = False
    found = False
    above: list[str] = []       # each column's text in the rows above (what a merged cell continues)
    for block in blocks:
        if isinstance(block, Paragraph):
            if found:
                out.append(block.text)
            continue
        cells = block.cells
        if is_header(cells, header):
            columns, header, header_table = build_map(cells), cells, block.table
            expect_subheader, found = True, True
            continue
        if columns is None:
            continue
        if block.table != header_table and len(cells) != len(header):
            continue        # another table with another shape: not part of the roadmap
        if expect_subheader and is_subheader(cells, header):
            columns = build_map(header, cells)
            expect_subheader = False
            continue
        expect_subheader = False
        if is_column_numbers(cells):
            continue
        cells = _inherit_merged(cells, above, columns)
        above = [c.text if not c.vmerged else (above[i] if i < len(above) else "") for i, c in enumerate(cells)]
        entry = _entry(cells, columns)
        if entry is not None:
            for name in columns.unused:
                message = f"столбец «{name}» не распознан: его текст добавлен к показателю"
                if message not in warnings:
                    warnings.append(message)
            out.append(entry)
    return out, warnings, found


def _inherit_merged(cells: list[Cell], above: list[str], columns: ColumnMap) -> list[Cell]:
    """A new measure's row under a vertically merged deadline, executors or result cell («постоянно»
    written once for three measures) takes that cell's text; a continuation row (its № cell merged
    too) stays empty, so it is glued to the measure above."""
    number = columns.first("number")
    own_number = number is not None and number < len(cells) and not cells[number].vmerged \
        and cells[number].text.strip()
    if not own_number:
        return cells
    shared = {i for name in ("deadline", "executors", "indicator") for i in columns.by_field.get(name, [])}
    return [Cell(above[i], hmerged=c.hmerged) if c.vmerged and i in shared and i < len(above) else c
            for i, c in enumerate(cells)]


def _next_number(entries: list, index: int) -> str | None:
    for entry in entries[index + 1:]:
        if isinstance(entry, _Entry):
            if entry.number:
                return entry.number
            if entry.single:
                number, _ = split_heading(entry.single)
                if number:
                    return number
    return None


def _is_numbered_heading(entry: _Entry, entries: list, index: int) -> bool:
    if not entry.number or entry.deadline or entry.executors or any(entry.indicators):
        return False
    following = _next_number(entries, index)
    if following and following.startswith(entry.number + "."):
        return True
    # «1.1. Повышение квалификации» with nothing else, then measures numbered «1.», «2.» anew:
    # a sub-section whose measures restart their numbering.
    restarts = following == "1" and "." in entry.number
    return restarts or bool(_TAIL.search(entry.title))


def structure(blocks: list[Block]) -> TableResult:
    entries, warnings, found = _entries(blocks)
    rows = [e for e in entries if isinstance(e, _Entry) and not e.single]
    numbered_table = sum(bool(e.number) for e in rows) * 2 >= len(rows) if rows else True

    measures: list[RawMeasure] = []
    section: Heading | None = None
    subsection: Heading | None = None
    paragraphs: list[str] = []          # paragraph texts since the last measure
    previous_was_measure = False

    last_heading: Heading | None = None   # the heading met since the last measure

    def section_from_paragraphs(number: str) -> None:
        """A numbered section written as a paragraph between tables («2. Методическое сопровождение»)."""
        nonlocal section, subsection
        top = number.split(".")[0]
        if section is None or section.number != top:
            title = next((t for n, t in (split_heading(p) for p in paragraphs) if n == top), None)
            if title is not None:
                section, subsection = Heading(top, title, 1), None

    def set_heading(heading: Heading) -> None:
        nonlocal section, subsection, last_heading
        last_heading = heading
        if heading.level <= 1:
            section, subsection = heading, None
        else:
            if heading.number:
                section_from_paragraphs(heading.number)
            subsection = heading

    for index, entry in enumerate(entries):
        if isinstance(entry, str):
            paragraphs.append(entry)
            continue
        if entry.single is not None and not entry.number:
            number, title = split_heading(entry.single)
            if number is None and _ROMAN.match(entry.single):
                continue
            if number:
                level = number.count(".") + 1
            elif last_heading is not None and last_heading.level == 1:
                level = 2        # a heading right under a section heading: its sub-section
            else:
                level = 2 if subsection is not None else 1
            set_heading(Heading(number, title, level))
            previous_was_measure = False
            continue
        if entry.spanning and entry.number and not entry.deadline and not entry.executors:
            set_heading(Heading(entry.number, heading_title(entry.title), entry.number.count(".") + 1))
            previous_was_measure = False
            continue
        if _is_numbered_heading(entry, entries, index):
            set_heading(Heading(entry.number, heading_title(entry.title), entry.number.count(".") + 1))
            previous_was_measure = False
            continue
        if not entry.number and previous_was_measure and numbered_table:
            _glue(measures[-1], entry)
            continue
        if entry.number and "." in entry.number:
            section_from_paragraphs(entry.number)
            if subsection is not None and subsection.number and not entry.number.startswith(subsection.number + "."):
                subsection = None
        if not entry.title and not entry.deadline:
            previous_was_measure = False
            continue
        measures.append(RawMeasure(entry.number, clean(entry.title), clean(entry.deadline), list(entry.executors),
                                   [clean(i) for i in entry.indicators], section, subsection, entry.extra,
                                   entry.source))
        paragraphs, last_heading = [], None
        previous_was_measure = True
    _unique_numbers(measures, warnings)
    return TableResult(measures, warnings, found)


def _glue(measure: RawMeasure, entry: _Entry) -> None:
    """A row split by a page break: its texts continue the previous measure's."""
    def join(a: str, b: str) -> str:
        if not b:
            return a
        if not a:
            return b
        return a + ("" if a.endswith("-") else " ") + b
    measure.title = clean(join(measure.title, entry.title))
    measure.deadline = clean(join(measure.deadline, entry.deadline))
    measure.executors = measure.executors + entry.executors
    measure.source = " | ".join(x for x in (measure.source, entry.source) if x)
    if len(measure.indicators) == len(entry.indicators):
        measure.indicators = [clean(join(a, b)) for a, b in zip(measure.indicators, entry.indicators)]
    else:
        measure.indicators = [clean(i) for i in measure.indicators + entry.indicators]
    measure.extra += entry.extra


def _section_prefix(measure: RawMeasure, ordinals: dict[int, str]) -> str:
    parts = []
    for heading in (measure.section, measure.subsection):
        if heading is not None:
            parts.append(heading.number.split(".")[-1] if heading.number else ordinals[id(heading)])
    return ".".join(parts)


def _unique_numbers(measures: list[RawMeasure], warnings: list[str]) -> None:
    ordinals: dict[int, str] = {}
    counters: dict[int | None, int] = {}
    for m in measures:
        for heading, parent in ((m.section, None), (m.subsection, m.section)):
            if heading is not None and id(heading) not in ordinals:
                counters[id(parent) if parent else None] = counters.get(id(parent) if parent else None, 0) + 1
                ordinals[id(heading)] = str(counters[id(parent) if parent else None])
    numbers = [m.number for m in measures if m.number]
    if len(numbers) != len(set(numbers)):
        warnings.append("нумерация начинается заново в каждом разделе: к номерам добавлен номер раздела")
        for m in measures:
            prefix = _section_prefix(m, ordinals)
            if m.number and prefix and not m.number.startswith(prefix + "."):
                m.number = f"{prefix}.{m.number}"
    missing = [m for m in measures if not m.number]
    if missing:
        warnings.append(f"у {len(missing)} мероприятий нет номера: номера присвоены по порядку")
        per_prefix: dict[str, int] = {}
        for m in measures:
            if not m.number:
                prefix = _section_prefix(m, ordinals)
                per_prefix[prefix] = per_prefix.get(prefix, 0) + 1
                m.number = f"{prefix}.{per_prefix[prefix]}" if prefix else str(per_prefix[prefix])
    seen: dict[str, int] = {}
    for m in measures:
        if m.number in seen:
            seen[m.number] += 1
            new = f"{m.number}-{seen[m.number]}"
            warnings.append(f"номер {m.number} повторяется: мероприятию «{m.title[:60]}» дан номер {new}")
            m.number = new
        else:
            seen[m.number] = 1
