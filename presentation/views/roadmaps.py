"""Views of the «Дорожные карты» page (see presentation/views/__init__.py): its figures and tables."""
from __future__ import annotations

import pandas as pd

from presentation.figures import roadmaps as figures
from presentation import fmt
from presentation.i18n import text
from presentation.views.layout import TableLayout

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


OVERDUE_SHOWN = ["school_name", "title", "due_date", "days_overdue", "executors_text", "status", "roadmap_title",
                 "number"]
# Read first on a 1280-px screen: school, what, since when, who. The roadmap and the item number
# are in the table's toolbar («показать столбцы») and in the download.
OVERDUE_HIDDEN = ["roadmap_title", "number"]
# Sum 780 px: the table's width beside the sidebar on a 1280-px screen.
OVERDUE_WIDTHS = {"school_name": 125, "title": 215, "due_date": 88, "days_overdue": 115, "executors_text": 135,
                  "status": 100}
# A shorter header than the shared column name, so that the narrow column keeps it whole.
OVERDUE_HEADERS = {"status": "status_short"}
OVERDUE_LAYOUT = TableLayout("roadmaps.columns", wrap=("school_name", "title", "executors_text"),
                             hidden=tuple(OVERDUE_HIDDEN),
                             widths={OVERDUE_HEADERS.get(c, c): w for c, w in OVERDUE_WIDTHS.items()})


def overdue_choices(units: pd.DataFrame, municipality_names: dict) -> dict:
    """What the overdue list can be narrowed to: municipalities (id → name), schools, executors."""
    present = [m for m in units["municipality_id"].dropna().unique()]
    return {"municipality": {m: municipality_names.get(m, m) for m in sorted(present, key=lambda m: municipality_names.get(m, m))},
            "school": sorted(s for s in units["school_name"].dropna().unique() if s),
            "executor": sorted({name for names in units["executors"] for name in names if name})}


def overdue(units: pd.DataFrame, language: str, municipality: str | None = None, school: str | None = None,
            executor: str | None = None):
    """The overdue units as shown, narrowed by municipality, school and executor (None if there
    are no overdue units at all; an empty table if the filters leave none)."""
    if units.empty:
        return None
    rows = units
    if municipality:
        rows = rows[rows["municipality_id"] == municipality]
    if school:
        rows = rows[rows["school_name"] == school]
    if executor:
        rows = rows[rows["executors"].map(lambda names: executor in names)]
    shown = columns(rows.assign(status=rows["status"].map(lambda c: text(language, f"codes.status.{c}"))),
                    OVERDUE_SHOWN, language)
    return shown.rename(columns={text(language, f"roadmaps.columns.{c}"): text(language, f"roadmaps.columns.{short}")
                                 for c, short in OVERDUE_HEADERS.items()})


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


def checkpoint_labels(language: str) -> dict:
    """The labels of the checkpoint, burn-up and Gantt charts (the page adds ``date_format``: a
    view's function arguments must be module-level functions)."""
    keys = {"on_time": "on_time_line", "late": "late", "target": "target", "target_short": "target_short",
            "so_far": "so_far", "y": "y_share", "x": "x_share", "planned": "planned", "actual": "actual",
            "today": "today"}
    return {k: text(language, f"roadmaps.{v}") for k, v in keys.items()}


def checkpoint_messages(progress: pd.DataFrame, as_of, language: str) -> list[tuple[str, str]]:
    """Per checkpoint: (``info`` ahead | ``success`` met | ``error`` missed, its sentence)."""
    percent = lambda v: fmt.percent(v, language, 0)  # noqa: E731
    messages = []
    for point in progress.itertuples(index=False):
        values = dict(date=fmt.date(point.checkpoint_date, language), target=percent(point.target_share),
                      actual=percent(point.actual_share))
        if not point.passed:
            gap = fmt.points(max(point.target_share - point.actual_share, 0), language, 0).lstrip("+±")
            messages.append(("info", text(language, "roadmaps.checkpoint_ahead",
                                          today=fmt.date(as_of, language), gap=gap, **values)))
        elif point.met:
            messages.append(("success", text(language, "roadmaps.checkpoint_met", **values)))
        else:
            messages.append(("error", text(language, "roadmaps.checkpoint_missed",
                                           gap=fmt.points(point.gap, language, 0), **values)))
    return messages


def bar_targets(progress: pd.DataFrame, language: str) -> list[tuple[float, str]]:
    """The target lines the completion bars show: the last checkpoint passed and the next one ahead."""
    passed, ahead = progress[progress["passed"]], progress[~progress["passed"]]
    shown = ([passed.iloc[-1]] if not passed.empty else []) + ([ahead.iloc[0]] if not ahead.empty else [])
    return [(float(p["target_share"]), text(language, "roadmaps.target_line",
                                            target=fmt.percent(p["target_share"], language, 0),
                                            date=fmt.date(p["checkpoint_date"], language)))
            for p in shown]


EDITOR_COLUMNS = ["unit_id", "number", "title", "school_name", "due_date", "state", "status", "completed_on",
                  "comment", "evidence_url", "version"]


def editor_frame(units: pd.DataFrame, language: str) -> pd.DataFrame:
    """The status editor's rows: the units with their state in words."""
    frame = units[EDITOR_COLUMNS].copy()
    frame["state"] = frame["state"].map(lambda s: text(language, f"codes.status.{s}"))
    return frame


def invalid_table(invalid, titles_of: pd.DataFrame, language: str) -> pd.DataFrame:
    """The rows a save refused, with the reasons in words."""
    column = lambda key: text(language, f"roadmaps.columns.{key}")  # noqa: E731
    return pd.DataFrame([{column("unit_id"): e.unit_id, column("title"): titles_of.loc[e.unit_id, "title"],
                          column("errors"): "; ".join(text(language, f"roadmaps.errors.{c}") for c in e.errors)}
                         for e in invalid])


def conflicts_table(conflicts, titles_of: pd.DataFrame, language: str) -> pd.DataFrame:
    """Rows someone else saved since the editor loaded them: theirs beside the attempted values."""
    column = lambda key: text(language, f"roadmaps.columns.{key}")  # noqa: E731
    state = lambda code: text(language, f"codes.status.{code}")  # noqa: E731
    rows = []
    for conflict in conflicts:
        current, mine = conflict.current or {}, conflict.attempted
        rows.append({
            column("unit_id"): conflict.unit_id,
            column("title"): titles_of.loc[conflict.unit_id, "title"],
            column("status"): state(current.get("status", "")),
            column("completed_on"): fmt.date(current.get("completed_on"), language),
            column("comment"): current.get("comment"),
            column("updated_by"): current.get("updated_by"),
            column("updated_at"): str(current.get("updated_at") or "")[:19],
            column("your_status"): state(mine.status) if mine else "",
            column("your_completed_on"): fmt.date(mine.completed_on, language) if mine else "",
            column("your_comment"): mine.comment if mine else "",
        })
    return pd.DataFrame(rows)


def history_labels(units: pd.DataFrame, language: str) -> dict[int, str]:
    """The history picker's label of each unit: «№ title · school · due date»."""
    return {int(r.unit_id): f"{r.number} {r.title} · {r.school_name or '—'} · {fmt.date(r.due_date, language)}"
            for r in units.itertuples(index=False)}
