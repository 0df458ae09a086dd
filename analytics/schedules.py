"""Turning a measure's schedule into the due dates its execution is assessed at."""
from __future__ import annotations

import datetime as dt

import pandas as pd

RECURRENCE_FREQ = {"weekly": "W-FRI", "biweekly": "2W-FRI", "monthly": "ME", "quarterly": "QE", "yearly": "YE"}


def month_end(year: int, month: int) -> dt.date:
    return (pd.Timestamp(year=year, month=month, day=1) + pd.offsets.MonthEnd(0)).date()


def expand_recurrence(recurrence: str, start: dt.date, end: dt.date) -> list[dt.date]:
    """Due dates of a recurring measure between ``start`` and ``end`` inclusive."""
    if recurrence not in RECURRENCE_FREQ:
        raise ValueError(f"unknown recurrence {recurrence!r}")
    return [d.date() for d in pd.date_range(start, end, freq=RECURRENCE_FREQ[recurrence])]


def assessment_dates(kind: str, due_dates: list[dt.date] | None, start: dt.date | None,
                     recurrence: str | None, period_start: dt.date, period_end: dt.date,
                     checkpoint_dates: list[dt.date]) -> list[dt.date]:
    """The dates at which a measure is checked.

    Dated and recurring measures are checked at each due date; continuous ones at every
    monitoring checkpoint within their span and at the end of the period; unspecified
    ones once, at the end of the period.
    """
    if kind in ("dates", "period") and due_dates:
        return sorted(due_dates)
    if kind == "recurring":
        if due_dates:
            return sorted(due_dates)
        return expand_recurrence(recurrence or "monthly", start or period_start, period_end)
    if kind == "continuous":
        begin = start or period_start
        dates = [d for d in checkpoint_dates if begin <= d <= period_end]
        return sorted(set(dates) | {period_end})
    return [period_end]
