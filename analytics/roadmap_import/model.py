"""Plain data passed between the importer's steps (no parsing logic here)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

KINDS = ("dates", "period", "recurring", "continuous", "unspecified")
RECURRENCES = ("weekly", "biweekly", "monthly", "quarterly", "yearly")


class RoadmapImportError(Exception):
    """The file cannot be imported; the message is Russian and shown to the user as is."""


class Period(NamedTuple):
    start: dt.date
    end: dt.date

    @property
    def years(self) -> range:
        return range(self.start.year, self.end.year + 1)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


@dataclass
class Cell:
    """One layout-grid cell of a table row as a reader saw it."""
    text: str
    hmerged: bool = False   # continuation of a horizontally merged cell (text belongs to the left)
    vmerged: bool = False   # continuation of a vertically merged cell (text belongs above)


@dataclass
class Row:
    cells: list[Cell]
    table: int              # tables are numbered per document; text files have one "table"


@dataclass
class Paragraph:
    text: str


Block = Row | Paragraph


@dataclass
class Schedule:
    kind: str
    start: dt.date | None = None
    due_dates: list[dt.date] = field(default_factory=list)
    recurrence: str | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass
class Measure:
    number: str
    section: str | None
    title: str
    executors: list[str]
    deadline_text: str
    schedule: Schedule
    indicator: str | None = None
    warnings: list[str] = field(default_factory=list)
    executor_levels: list[str | None] = field(default_factory=list)   # beside ``executors``
    unknown_executors: list[str] = field(default_factory=list)         # not in the executor catalogue
    source: str = ""                                                   # the row as written
    school_ids: list[str] = field(default_factory=list)                # schools it names, once matched
    risk_factors: list[str] = field(default_factory=list)              # factor ids its wording addresses

    def as_dict(self) -> dict:
        s = self.schedule
        levels = self.executor_levels or [None] * len(self.executors)
        return {
            "number": self.number, "section": self.section, "title": self.title,
            "executors": list(self.executors), "executor_levels": list(levels),
            "deadline_text": self.deadline_text, "kind": s.kind,
            "start": s.start.isoformat() if s.start else None,
            "due_dates": [d.isoformat() for d in s.due_dates], "recurrence": s.recurrence,
            "indicator": self.indicator, "risk_factors": list(self.risk_factors),
        }


@dataclass
class ParsedRoadmap:
    title: str
    period: Period | None
    measures: list[Measure]
    warnings: list[str] = field(default_factory=list)
    period_source: str | None = None    # title | preamble | deadlines | default_year | None (not found)

    @property
    def period_guessed(self) -> bool:
        """The document does not state the period: it was inferred or defaulted."""
        return self.period_source not in ("title", "preamble")

    def all_warnings(self) -> list[str]:
        """Document warnings, then every measure's warnings prefixed with its number."""
        result = list(self.warnings)
        for m in self.measures:
            result.extend(f"№ {m.number}: {w}" for w in m.warnings + m.schedule.warnings)
        return result

    def as_dict(self) -> dict:
        return {
            "title": self.title,
            "period_start": self.period.start.isoformat() if self.period else None,
            "period_end": self.period.end.isoformat() if self.period else None,
            "period_source": self.period_source, "period_guessed": self.period_guessed,
            "measures": [m.as_dict() for m in self.measures],
            "warnings": self.all_warnings(),
        }
