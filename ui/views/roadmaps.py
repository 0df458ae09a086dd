"""Views of the «Дорожные карты» page (see ui/views/__init__.py): its figures and tables."""
from __future__ import annotations

import pandas as pd

from ui.figures import roadmaps as figures
from ui.i18n import text

GANTT_LIMIT = 80   # more measures than this: no Gantt chart, a hint to narrow the choice


def columns(frame: pd.DataFrame, names: list[str], language: str) -> pd.DataFrame:
    return frame[names].rename(columns={c: text(language, f"roadmaps.columns.{c}") for c in names})


def percent_columns(frame: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    frame = frame.copy()
    frame[names] = (frame[names] * 100).round(1)
    return frame


def _named(table: pd.DataFrame, dimension: str, language: str) -> pd.DataFrame:
    """Names as shown: the regional level of a by-municipality table named, empty names «—»."""
    table = table.copy()
    if dimension == "municipality":
        table["name"] = table["name"].where(table["key"] != "", text(language, "roadmaps.regional_level"))
    return table


def completion_chart(table: pd.DataFrame, dimension: str, targets: list, labels: dict, title: str, language: str,
                     skip_empty: bool = False):
    """Completion bars by municipality or school (None for an empty table if ``skip_empty``)."""
    if skip_empty and table.empty:
        return None
    return figures.completion_bars(_named(table, dimension, language), targets, labels, title, language)


def gantt(timeline: pd.DataFrame, states: tuple, today, labels: dict, title: str, language: str):
    """(measures shown, the Gantt chart or None when there are none or too many)."""
    if states:
        timeline = timeline[timeline["state"].isin(states)]
    if len(timeline) > GANTT_LIMIT or timeline.empty:
        return len(timeline), None
    return len(timeline), figures.gantt(timeline, today, labels, title, language)


def overdue(units: pd.DataFrame, language: str):
    """The overdue units as shown (None if there are none)."""
    if units.empty:
        return None
    return columns(units.assign(status=units["status"].map(lambda c: text(language, f"codes.status.{c}"))),
                   ["roadmap_title", "number", "title", "school_name", "due_date", "days_overdue",
                    "executors_text", "status"], language)


def workload(frame: pd.DataFrame, labels: dict, language: str):
    """(executors' open units chart, its table), or None without open units."""
    if frame.empty:
        return None
    figure = figures.workload_bars(frame, labels, None, language)
    return figure, columns(frame, ["executor", "open", "overdue", "due_soon", "done"], language)


def breakdown(table: pd.DataFrame, dimension: str, language: str) -> pd.DataFrame:
    """Completion by the chosen dimension, weakest first, shares in %."""
    table = _named(table, dimension, language)
    table["name"] = table["name"].where(table["name"] != "", "—")
    table = table.sort_values("share_of_plan", na_position="last")
    shown = columns(percent_columns(table, ["share_of_plan", "share_of_due"]),
                    ["name", "planned", "done_on_time", "done_late", "overdue", "in_progress", "not_started",
                     "not_applicable", "share_of_plan", "share_of_due"], language)
    return shown.rename(columns={text(language, "roadmaps.columns.name"):
                                 text(language, f"roadmaps.dimension.{dimension}")})
