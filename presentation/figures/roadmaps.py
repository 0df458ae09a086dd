"""Charts of the roadmaps page: completion bars, checkpoints, burn-up, Gantt, workload."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go

from presentation.figures.style import PALETTE, STATUS_COLOURS, base_layout, separators

TODAY_COLOUR = PALETTE["black"]
TARGET_COLOUR = PALETTE["vermillion"]


def _shorten(text: str, limit: int = 48) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _today_line(figure: go.Figure, today: dt.date, label: str) -> None:
    """A vertical 'today' line on a date x axis (shape + annotation: add_vline fails on dates)."""
    figure.add_shape(type="line", x0=today, x1=today, y0=0, y1=1, yref="paper",
                     line=dict(color=TODAY_COLOUR, width=2, dash="dot"))
    figure.add_annotation(x=today, y=1, yref="paper", text=label, showarrow=False, yanchor="bottom",
                          font=dict(size=14, color=TODAY_COLOUR), bgcolor="white")


def _pct_suffix(language: str) -> str:
    return "\u00a0%" if language == "ru" else "%"


def _pct_text(share: float, language: str) -> str:
    if pd.isna(share):
        return ""
    value = f"{share * 100:.0f}"
    return value + _pct_suffix(language)


def completion_bars(table: pd.DataFrame, targets: list[tuple[float, str]], labels: dict, title: str,
                    language: str = "ru") -> go.Figure:
    """Columns: name, share_of_plan, on_time_share_of_plan, late_share_of_plan, done, planned.

    Sorted bars (best on top), done on time and late stacked; each checkpoint target in
    ``targets`` (share, label) as a vertical line (the first solid, the others dashed).
    """
    data = table.dropna(subset=["share_of_plan"]).sort_values("share_of_plan")
    names = [_shorten(n, 40) for n in data["name"]]
    hover = "%{y}: %{customdata[0]:.1f}% (%{customdata[1]} / %{customdata[2]})<extra>%{fullData.name}</extra>"
    custom = pd.DataFrame({"share": data["share_of_plan"] * 100, "done": data["done"], "planned": data["planned"]})
    figure = go.Figure()
    figure.add_bar(x=data["on_time_share_of_plan"] * 100, y=names, orientation="h", name=labels["on_time"],
                   marker_color=STATUS_COLOURS["done"], customdata=custom, hovertemplate=hover)
    figure.add_bar(x=data["late_share_of_plan"] * 100, y=names, orientation="h", name=labels["late"],
                   marker_color=STATUS_COLOURS["done_late"], customdata=custom, hovertemplate=hover,
                   text=[_pct_text(s, language) for s in data["share_of_plan"]],
                   textposition="outside", cliponaxis=False)
    base_layout(figure, title, height=max(300, 32 * len(data) + 150))
    figure.update_layout(barmode="stack", separators=separators(language), xaxis_title=labels["x"],
                         bargap=0.25, legend=dict(traceorder="normal", x=1, xanchor="right"),
                         margin=dict(t=100))
    figure.update_xaxes(range=[0, 112], ticksuffix=_pct_suffix(language))
    for k, (share, text) in enumerate(t for t in targets if t[0] is not None and not pd.isna(t[0])):
        figure.add_shape(type="line", x0=share * 100, x1=share * 100, y0=0, y1=1, yref="paper",
                         line=dict(color=TARGET_COLOUR, width=3, dash="solid" if k == 0 else "dash"))
        figure.add_annotation(x=share * 100, y=1, yref="paper", yanchor="bottom", showarrow=False, yshift=k * 22,
                              text=text, font=dict(size=14, color=TARGET_COLOUR), bgcolor="white")
    return figure


def checkpoint_bars(progress: pd.DataFrame, labels: dict, title: str, language: str = "ru") -> go.Figure:
    """Columns: checkpoint_date, target_share, passed, on_time_share, late_share, actual_share.

    One stacked bar per checkpoint (actual: on time + late; a checkpoint not reached yet
    shows the share so far, hatched) with the target as a marker line.
    """
    x = [labels["date_format"](d) + ("" if p else f" ({labels['so_far']})")
         for d, p in zip(progress["checkpoint_date"], progress["passed"])]
    pattern = ["" if p else "/" for p in progress["passed"]]
    figure = go.Figure()
    figure.add_bar(x=x, y=progress["on_time_share"] * 100, name=labels["on_time"],
                   marker=dict(color=STATUS_COLOURS["done"], pattern_shape=pattern),
                   hovertemplate="%{x}: %{y:.1f}%<extra>%{fullData.name}</extra>")
    figure.add_bar(x=x, y=progress["late_share"] * 100, name=labels["late"],
                   marker=dict(color=STATUS_COLOURS["done_late"], pattern_shape=pattern),
                   text=[_pct_text(v, language) for v in progress["actual_share"]], textposition="outside",
                   cliponaxis=False, hovertemplate="%{x}: %{y:.1f}%<extra>%{fullData.name}</extra>")
    figure.add_scatter(x=x, y=progress["target_share"] * 100, mode="markers+text", name=labels["target"],
                       marker=dict(symbol="line-ew", size=70, line=dict(width=4, color=TARGET_COLOUR)),
                       text=[f"{labels['target_short']} {_pct_text(v, language)}" for v in progress["target_share"]],
                       # Right of each line, but left of the last one: there it would run off the chart («цель 8…»).
                       textposition=["middle right"] * (len(x) - 1) + ["middle left"],
                       textfont=dict(color=TARGET_COLOUR), cliponaxis=False,
                       hovertemplate="%{x}: %{y:.0f}%<extra>%{fullData.name}</extra>")
    base_layout(figure, title, height=380)
    figure.update_layout(barmode="stack", separators=separators(language), yaxis_title=labels["y"], bargap=0.5)
    figure.update_yaxes(range=[0, 110], ticksuffix=_pct_suffix(language))
    return figure


def burnup(curve: pd.DataFrame, checkpoints: pd.DataFrame, today: dt.date, labels: dict, title: str,
           language: str = "ru") -> go.Figure:
    """Curve columns: date, planned_share, actual_share, on_time_share. Checkpoints: checkpoint_date, target_share."""
    figure = go.Figure()
    figure.add_scatter(x=curve["date"], y=curve["planned_share"] * 100, name=labels["planned"], mode="lines",
                       line=dict(color=PALETTE["grey"], width=3, dash="dash", shape="hv"),
                       hovertemplate="%{x|%d.%m.%Y}: %{y:.1f}%<extra>%{fullData.name}</extra>")
    figure.add_scatter(x=curve["date"], y=curve["actual_share"] * 100, name=labels["actual"], mode="lines",
                       line=dict(color=PALETTE["blue"], width=4, shape="hv"),
                       hovertemplate="%{x|%d.%m.%Y}: %{y:.1f}%<extra>%{fullData.name}</extra>")
    figure.add_scatter(x=curve["date"], y=curve["on_time_share"] * 100, name=labels["on_time"], mode="lines",
                       line=dict(color=STATUS_COLOURS["done"], width=2, shape="hv"),
                       hovertemplate="%{x|%d.%m.%Y}: %{y:.1f}%<extra>%{fullData.name}</extra>")
    if not checkpoints.empty:
        figure.add_scatter(x=checkpoints["checkpoint_date"], y=checkpoints["target_share"] * 100,
                           name=labels["target"], mode="markers+text",
                           marker=dict(symbol="diamond", size=16, color=TARGET_COLOUR),
                           text=[_pct_text(v, language) for v in checkpoints["target_share"]],
                           textposition="top center", textfont=dict(color=TARGET_COLOUR),
                           hovertemplate="%{x|%d.%m.%Y}: %{y:.0f}%<extra>%{fullData.name}</extra>")
    if len(curve) and curve["date"].iloc[0] <= today <= curve["date"].iloc[-1]:
        _today_line(figure, today, labels["today"])
    base_layout(figure, title, height=440)
    figure.update_layout(separators=separators(language), yaxis_title=labels["y"])
    figure.update_yaxes(range=[0, 105], ticksuffix=_pct_suffix(language))
    figure.update_xaxes(tickformat="%d.%m" if language == "ru" else "%d %b")
    return figure


def gantt(timeline: pd.DataFrame, today: dt.date, labels: dict, title: str, language: str = "ru") -> go.Figure:
    """Timeline columns: number, title, start, finish, state, executors, deadline_text, units, done, overdue."""
    data = timeline.iloc[::-1].reset_index(drop=True)  # first measure on top
    rows = [f"{n} {_shorten(t, 44)}" for n, t in zip(data["number"], data["title"])]
    # Duplicate labels (same number in several roadmaps) would merge rows: make them unique.
    seen: dict[str, int] = {}
    for k, row in enumerate(rows):
        seen[row] = seen.get(row, 0) + 1
        if seen[row] > 1:
            rows[k] = f"{row} ({seen[row]})"
    data = data.assign(row=rows)
    figure = go.Figure()
    day_ms = 86_400_000
    for state, colour in STATUS_COLOURS.items():
        part = data[data["state"] == state]
        if part.empty:
            continue
        start = pd.to_datetime(part["start"])
        length = (pd.to_datetime(part["finish"]) - start).dt.days.clip(lower=3) * day_ms
        custom = pd.DataFrame({"title": part["title"], "deadline": part["deadline_text"].fillna(""),
                               "executors": part["executors"].map(", ".join), "done": part["done"],
                               "units": part["units"], "overdue": part["overdue"]})
        figure.add_bar(
            y=part["row"], x=length, base=start.dt.strftime("%Y-%m-%d"), orientation="h", name=labels["states"][state],
            marker=dict(color=colour, line=dict(color="#555", width=0.5)), customdata=custom,
            hovertemplate=("<b>%{customdata[0]}</b><br>%{customdata[1]}<br>%{customdata[2]}<br>"
                           + labels["hover_units"] + "<extra>%{fullData.name}</extra>"))
    _today_line(figure, today, labels["today"])
    base_layout(figure, title, height=max(360, 26 * len(data) + 140))
    figure.update_layout(separators=separators(language), barmode="overlay", bargap=0.3)
    figure.update_xaxes(type="date", tickformat="%d.%m.%Y" if language == "ru" else "%d %b %Y")
    figure.update_yaxes(categoryorder="array", categoryarray=rows, tickfont=dict(size=13), automargin=True)
    return figure


def workload_bars(workload: pd.DataFrame, labels: dict, title: str, language: str = "ru") -> go.Figure:
    """Columns: executor, open, overdue, due_soon. Open units split into overdue / due soon / other."""
    data = workload.sort_values(["overdue", "open"]).tail(20)
    other = data["open"] - data["overdue"] - data["due_soon"]
    names = [_shorten(n, 36) for n in data["executor"]]
    figure = go.Figure()
    for values, name, colour in ((data["overdue"], labels["overdue"], STATUS_COLOURS["overdue"]),
                                 (data["due_soon"], labels["due_soon"], PALETTE["orange"]),
                                 (other, labels["other_open"], STATUS_COLOURS["not_started"])):
        figure.add_bar(x=values, y=names, orientation="h", name=name, marker_color=colour,
                       hovertemplate="%{y}: %{x}<extra>%{fullData.name}</extra>")
    base_layout(figure, title, height=max(300, 30 * len(data) + 120))
    figure.update_layout(barmode="stack", separators=separators(language), xaxis_title=labels["x"])
    return figure
