"""The preview table a person edits before saving, and turning the edited table back into measures."""
from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pandas as pd

from analytics.roadmap_import.deadlines import parse_deadline
from analytics.roadmap_import.executors import split_executors
from analytics.roadmap_import.model import KINDS, RECURRENCES, Measure, ParsedRoadmap, Period, Schedule

COLUMNS = ["number", "title", "deadline_text", "warnings", "kind", "start", "due_dates", "recurrence", "executors",
           "section", "indicator"]
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


def preview_frame(parsed: ParsedRoadmap) -> pd.DataFrame:
    rows = []
    for m in parsed.measures:
        s = m.schedule
        rows.append(dict(number=m.number, section=m.section or "", title=m.title, executors="; ".join(m.executors),
                         deadline_text=m.deadline_text, kind=s.kind, start=s.start,
                         due_dates=format_dates(s.due_dates), recurrence=s.recurrence,
                         indicator=m.indicator or "", warnings="; ".join(m.warnings + s.warnings)))
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["start"] = pd.to_datetime(frame["start"]).dt.date
    return frame


def _text(value) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value).strip()


def measures_from_frame(frame: pd.DataFrame, original: pd.DataFrame, period: Period) -> list[Measure]:
    """Measures from the edited preview. A changed deadline text is read again; otherwise the
    edited kind, start, due dates and recurrence are taken as they are. Raises ValueError
    (Russian message) for rows that cannot be saved."""
    errors, measures = [], []
    original_deadlines = dict(zip(original.index, original["deadline_text"]))
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
        if index not in original_deadlines or deadline != _text(original_deadlines[index]):
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
        measures.append(Measure(number=number, section=_text(row.get("section")) or None, title=title,
                                executors=split_executors(_text(row.get("executors")).replace(";", "\n")),
                                deadline_text=deadline, schedule=schedule,
                                indicator=_text(row.get("indicator")) or None))
    numbers = [m.number for m in measures if m.number]
    repeated = sorted({n for n in numbers if numbers.count(n) > 1})
    if repeated:
        errors.append("номера повторяются: " + ", ".join(repeated))
    if not measures:
        errors.append("нет ни одного мероприятия")
    if errors:
        raise ValueError("\n".join(errors))
    return measures
