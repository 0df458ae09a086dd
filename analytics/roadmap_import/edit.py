"""The preview table a person edits before saving, and turning the edited table back into measures."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
import datetime as dt
import re

import pandas as pd

from analytics.roadmap_import.deadlines import parse_deadline
from analytics.roadmap_import.executors import normalise_executors
from analytics.roadmap_import.model import KINDS, RECURRENCES, Measure, ParsedRoadmap, Period, Schedule
from analytics.roadmap_import.risk_words import factor_names, risk_factors
from analytics.roadmap_import.review import Issue, link_schools, measure_issues
from analytics.roadmap_import.schools import SchoolMatch, SchoolRegistry

COLUMNS = ["accept", "number", "issues", "source", "title", "deadline_text", "due_dates", "executors", "schools",
           "schools_found", "executor_levels", "kind", "start", "recurrence", "risk_factors", "section", "indicator",
           "warnings"]
LEVEL_LABELS = {"region": "регион", "municipality": "муниципалитет", "school": "школа", None: "—"}
ISSUE_LABELS = {"period": "период", "title": "название", "deadline": "срок", "executors": "исполнители",
                "schools": "школы"}
_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")


def format_dates(dates: list[dt.date]) -> str:
    return ", ".join(d.strftime("%d.%m.%Y") for d in dates)


def parse_dates(text: str) -> list[dt.date]:
    """«30.06.2023, 30.11.2023» → dates; anything else in the text is an error."""
    text = (text or "").strip()
    leftover = _DATE.sub("", text).replace(",", " ").replace(";", " ").strip()
    if leftover:
        raise ValueError(f"даты пишутся как ДД.ММ.ГГГГ через запятую, а не «{text}»")
    return sorted({dt.date(int(y), int(m), int(d)) for d, m, y in _DATE.findall(text)})


def with_period(parsed: ParsedRoadmap, period: Period) -> ParsedRoadmap:
    """The same measures with schedules re-read for another period (month-only deadlines depend on it)."""
    measures = [dataclasses.replace(m, schedule=parse_deadline(m.deadline_text, period)) for m in parsed.measures]
    return dataclasses.replace(parsed, period=period, measures=measures)


def preview_frame(parsed: ParsedRoadmap, registry: SchoolRegistry | None = None,
                  municipality_id: str | None = None) -> pd.DataFrame:
    """The review table: one row per measure beside its source text, what the importer
    understood, and the fields it is not sure of (``issues``)."""
    registry = registry or SchoolRegistry(None)
    rows = []
    for m in parsed.measures:
        s = m.schedule
        matches = link_schools(m, registry, municipality_id)
        rows.append(dict(accept=False, number=m.number, source=m.source, section=m.section or "", title=m.title,
                         executors="; ".join(m.executors), executor_levels=format_levels(m.executor_levels),
                         schools="; ".join(x.text for x in matches), schools_found=format_matches(matches),
                         deadline_text=m.deadline_text, kind=s.kind, start=s.start,
                         due_dates=format_dates(s.due_dates), recurrence=s.recurrence,
                         indicator=m.indicator or "", risk_factors=format_factors(m.risk_factors),
                         issues=format_issues(measure_issues(m, matches)),
                         warnings="; ".join(m.warnings + s.warnings)))
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["start"] = pd.to_datetime(frame["start"]).dt.date
    frame["accept"] = frame["accept"].astype(bool)
    return frame


def format_factors(factors: list[str]) -> str:
    names = factor_names()
    return "; ".join(names.get(f, f) for f in factors)


def format_levels(levels: list[str | None]) -> str:
    return "; ".join(LEVEL_LABELS[level] for level in levels)


def _levels(text: str) -> list[str | None]:
    by_label = {label: level for level, label in LEVEL_LABELS.items()}
    return [by_label.get(part.strip()) for part in text.split(";")] if text.strip() else []


def format_matches(matches: list[SchoolMatch]) -> str:
    parts = []
    for match in matches:
        if match.linked:
            parts.append(f"✓ {match.school_name}")
        elif match.school_id is None:
            parts.append(f"✗ {match.text}: не найдена")
        else:
            score = f"{match.score:.2f}".replace(".", ",")
            parts.append(f"? {match.text} → {match.school_name} ({score})")
    return "; ".join(parts)


def format_issues(issues: list[Issue]) -> str:
    """The unsure fields of a row, short enough to read in a table cell («⚠ срок, школы»);
    the full messages are listed under the table."""
    fields = list(dict.fromkeys(ISSUE_LABELS[i.field] for i in issues))
    return "⚠ " + ", ".join(fields) if fields else ""


def _text(value) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value).strip()


@dataclass
class ReviewedRows:
    measures: list[Measure]
    issues: list[list[Issue]]          # beside each measure: what is still unsure
    accepted: list[bool]               # the person accepted the row's guesses

    @property
    def unresolved(self) -> list[tuple[str, Issue]]:
        return [(m.number, i) for m, issues, ok in zip(self.measures, self.issues, self.accepted) if not ok
                for i in issues]


def measures_from_frame(frame: pd.DataFrame, original: pd.DataFrame, period: Period) -> list[Measure]:
    return read_review(frame, original, period).measures


_SCHEDULE_FIELDS = ("deadline_text", "kind", "start", "due_dates", "recurrence")


def read_review(frame: pd.DataFrame, original: pd.DataFrame, period: Period, registry: SchoolRegistry | None = None,
                municipality_id: str | None = None) -> ReviewedRows:
    """Measures from the edited review table, each with the fields still unsure. A changed
    deadline text is read again; edited kind, start, due dates or recurrence are taken as
    they are (the person has set them). Changed executors are read again against the
    catalogue, changed school names matched again. Raises ValueError (Russian message) for
    rows that cannot be saved."""
    registry = registry or SchoolRegistry(None)
    errors, measures, issues, accepted = [], [], [], []
    originals = {index: row for index, row in original.iterrows()}
    for position, (index, row) in enumerate(frame.iterrows(), start=1):
        number, title = _text(row.get("number")), _text(row.get("title"))
        deadline = _text(row.get("deadline_text"))
        if not title and not number and not deadline:
            continue
        label = number or f"строка {position}"
        if not title:
            errors.append(f"{label}: нет названия мероприятия")
        if not number:
            errors.append(f"строка {position}: нет номера")
        before = originals.get(index)
        unchanged = before is not None and all(_same(row.get(c), before.get(c)) for c in _SCHEDULE_FIELDS)
        if before is None or unchanged or deadline != _text(before.get("deadline_text")):
            schedule = parse_deadline(deadline, period)
        else:
            kind, recurrence = _text(row.get("kind")), _text(row.get("recurrence")) or None
            if kind not in KINDS:
                errors.append(f"{label}: вид срока «{kind}» не из списка")
                continue
            if recurrence is not None and recurrence not in RECURRENCES:
                errors.append(f"{label}: периодичность «{recurrence}» не из списка")
                continue
            try:
                due = parse_dates(_text(row.get("due_dates")))
            except ValueError as error:
                errors.append(f"{label}: {error}")
                continue
            start = row.get("start")
            start = None if start is None or pd.isna(start) else pd.Timestamp(start).date()
            schedule = Schedule(kind, start, due, recurrence)
        executors_text = _text(row.get("executors"))
        indicator = _text(row.get("indicator")) or None
        if before is not None and executors_text == _text(before.get("executors")):
            names = [p.strip() for p in executors_text.split(";") if p.strip()]
            levels = _levels(_text(before.get("executor_levels"))) or [None] * len(names)
            known = [normalise_executors(n)[0] for n in names]
            unknown = [n for n, found in zip(names, known) if not any(e.known for e in found)]
        else:
            found, results = normalise_executors(executors_text.replace(";", "\n"))
            names, levels = [e.name for e in found], [e.level for e in found]
            unknown = [e.name for e in found if not e.known]
            if results:
                indicator = "; ".join(x for x in [indicator, *results] if x)
        measure = Measure(number=number, section=_text(row.get("section")) or None, title=title,
                          executors=names, executor_levels=levels, unknown_executors=unknown,
                          deadline_text=deadline, schedule=schedule, indicator=indicator,
                          source=_text(row.get("source")), risk_factors=risk_factors(title))
        mentions = [m.strip() for m in _text(row.get("schools")).split(";") if m.strip()]
        if before is None and not mentions:
            mentions = None        # a row added by hand: look for schools in its text
        matches = link_schools(measure, registry, municipality_id, mentions)
        measures.append(measure)
        issues.append(measure_issues(measure, matches))
        accepted.append(bool(row.get("accept")) if not pd.isna(row.get("accept", False)) else False)
    numbers = [m.number for m in measures if m.number]
    repeated = sorted({n for n in numbers if numbers.count(n) > 1})
    if repeated:
        errors.append("номера повторяются: " + ", ".join(repeated))
    if not measures:
        errors.append("нет ни одного мероприятия")
    if errors:
        raise ValueError("\n".join(errors))
    return ReviewedRows(measures, issues, accepted)


def _same(a, b) -> bool:
    missing_a = a is None or (not isinstance(a, (list, str)) and pd.isna(a))
    missing_b = b is None or (not isinstance(b, (list, str)) and pd.isna(b))
    if missing_a or missing_b:
        return missing_a and missing_b
    return _text(a) == _text(b)
