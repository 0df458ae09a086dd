"""Charts of the «Результаты» page: DataFrame in, plotly figure out."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from presentation.figures.style import (COMPARISON_COLOURS, LEVEL_COLOURS, LEVEL_SYMBOLS, PALETTE,
                              base_layout, every_year_labelled, separators)


def _hex_to_rgba(colour: str, alpha: float) -> str:
    colour = colour.lstrip("#")
    r, g, b = (int(colour[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def _scale(percent: bool) -> float:
    return 100.0 if percent else 1.0


def trend_lines(series: pd.DataFrame, names: dict[str, str], title: str, y_label: str, percent: bool,
                language: str = "ru", little_data: str = "мало данных") -> go.Figure:
    """Columns: who, year, n, value, ci_low, ci_high, enough. One line + 95 % band per who.

    Years below the minimum N are drawn as hollow markers without a band.
    """
    k = _scale(percent)
    figure = go.Figure()
    shown = series[series["enough"].astype(bool)]["ci_low"] * k
    floor = 0.0 if percent or shown.dropna().empty else float(shown.min())
    for who, label in names.items():
        data = series[series["who"] == who].sort_values("year")
        if data.empty:
            continue
        colour = COMPARISON_COLOURS.get(who, PALETTE["grey"])
        ok = data[data["enough"].astype(bool)]
        if len(ok) > 0:
            figure.add_trace(go.Scatter(
                x=list(ok["year"]) + list(ok["year"])[::-1],
                y=list(ok["ci_high"] * k) + list(ok["ci_low"] * k)[::-1],
                mode="lines", fill="toself", fillcolor=_hex_to_rgba(colour, 0.15), line=dict(width=0),
                hoverinfo="skip", showlegend=False, legendgroup=who))
        figure.add_trace(go.Scatter(
            x=data["year"], y=data["value"].where(data["enough"].astype(bool)) * k, mode="lines+markers",
            name=label, legendgroup=who, line=dict(color=colour, width=3), marker=dict(size=9),
            customdata=np.stack([data["n"], data["ci_low"] * k, data["ci_high"] * k], axis=-1),
            # The name through %{fullData.name}: data text is escaped in the trace, never in a template.
            hovertemplate="%{fullData.name}, %{x}: %{y:.1f} [%{customdata[1]:.1f}; %{customdata[2]:.1f}], "
                          "N = %{customdata[0]}<extra></extra>"))
        small = data[~data["enough"].astype(bool)]
        if len(small) > 0:
            # Below min_n no value is drawn (the small-numbers rule): a hollow marker on the axis.
            figure.add_trace(go.Scatter(
                x=small["year"], y=[floor] * len(small), mode="markers", name=label, legendgroup=who,
                showlegend=False,
                marker=dict(size=11, color="white", line=dict(color=colour, width=2)),
                customdata=small["n"],
                hovertemplate="%{fullData.name}, %{x}: " + little_data + " (N = %{customdata})<extra></extra>"))
    base_layout(figure, title, height=420)
    figure.update_layout(separators=separators(language), yaxis_title=y_label)
    figure.update_xaxes(dtick=1)
    if percent:
        figure.update_yaxes(rangemode="tozero")    # honest scale: a percentage axis starts at 0
    return figure


def mark_distribution(counts: pd.DataFrame, columns: dict[str, str], colours: dict[str, str], title: str,
                      language: str = "ru") -> go.Figure:
    """Stacked 100 % bars per year. ``columns``: count column -> legend label (bottom to top)."""
    figure = go.Figure()
    total = counts[list(columns)].sum(axis=1).replace(0, np.nan)
    for column, label in columns.items():
        share = counts[column] / total * 100
        figure.add_trace(go.Bar(
            x=counts["year"].astype(str), y=share, name=label, marker_color=colours[column],
            text=[f"{v:.0f}" if v >= 4 else "" for v in share.fillna(0)], textposition="inside",
            customdata=counts[column], hovertemplate=f"{label}, %{{x}}: %{{y:.1f}}% (%{{customdata}})<extra></extra>"))
    # «Распределение отметок: <territory>» is cut in a half-width column: the territory goes
    # to a subtitle line of its own.
    head, _, who = title.partition(": ")
    if who:
        figure.update_layout(title=dict(subtitle=dict(text=who)))
    base_layout(figure, head, height=420)
    if who:     # title and subtitle at the top, the legend in its own row above the bars
        figure.update_layout(title=dict(yref="container", y=1, yanchor="top", pad=dict(t=8)), margin=dict(t=104))
    figure.update_layout(barmode="stack", separators=separators(language), yaxis_title="%")
    figure.update_yaxes(range=[0, 100])
    return every_year_labelled(figure)


def heatmap(table: pd.DataFrame, title: str, percent: bool, reverse: bool, language: str = "ru",
            little_data: str = "мало данных") -> go.Figure:
    """``table``: rows = schools or municipalities (index = label), columns = subject names,
    values = indicator (NaN where N is below the minimum or absent)."""
    k = _scale(percent)
    z = table.to_numpy(dtype=float) * k
    text = [["" if np.isnan(v) else (f"{v:.0f}" if percent else f"{v:.2f}") for v in row] for row in z]
    figure = go.Figure(go.Heatmap(
        z=z, x=list(table.columns), y=list(table.index), text=text, texttemplate="%{text}",
        colorscale="Cividis", reversescale=reverse, hoverongaps=False, xgap=2, ygap=2,
        hovertemplate="%{y} · %{x}: %{z:.1f}<extra></extra>", colorbar=dict(title="%" if percent else "")))
    base_layout(figure, title, height=max(360, 28 * len(table) + 140))
    figure.update_layout(separators=separators(language))
    figure.update_yaxes(autorange="reversed", showgrid=False)
    # The subject names sit on top, slanted, in a band of their own under the title (the title at
    # the very top of the figure, the band as tall as the longest slanted name): the title never
    # covers them and neighbouring names do not run into each other in narrow columns.
    longest = max((len(str(c)) for c in table.columns), default=0)
    figure.update_xaxes(side="top", tickangle=-45, automargin=False)
    figure.update_layout(margin=dict(t=55 + int(longest * 7.5 * 0.71) + 10),
                         title=dict(yref="container", y=0.995, yanchor="top"))
    return figure


def status_change_grid(graded: pd.DataFrame, level_names: dict[int, str], title: str, x_label: str,
                       y_label: str, percent: bool, status_cuts, change_cuts, language: str = "ru",
                       selected: str | None = None, lower_is_better: bool = False) -> go.Figure:
    """Scatter of schools: x = change, y = status, colour and symbol = level; dotted cut lines.

    Columns: school_id, short_name, value, delta, level, n. ``customdata[0]`` = school_id.
    """
    k = _scale(percent)
    # In school order: the computation's row order is not fixed, and the same data must draw the
    # same chart in every process (and slide).
    data = graded.dropna(subset=["level"]).sort_values("school_id", kind="stable")
    figure = go.Figure()
    for lvl in sorted(level_names, reverse=True):
        part = data[data["level"] == lvl]
        figure.add_trace(go.Scatter(
            x=part["delta"] * k, y=part["value"] * k, mode="markers", name=level_names[lvl],
            marker=dict(color=LEVEL_COLOURS[lvl], symbol=LEVEL_SYMBOLS[lvl], size=11,
                        line=dict(color="#333", width=0.6)),
            customdata=np.stack([part["school_id"], part["short_name"], part["n"]], axis=-1) if len(part) else None,
            hovertemplate="%{customdata[1]}: %{y:.1f} (%{x:+.1f}), N = %{customdata[2]}<extra></extra>"))
    for cut in change_cuts:
        if not np.isnan(cut):
            figure.add_vline(x=cut * k, line=dict(color="#999", dash="dot", width=1))
    for cut in status_cuts:
        if not np.isnan(cut):
            figure.add_hline(y=cut * k, line=dict(color="#999", dash="dot", width=1))
    figure.add_vline(x=0, line=dict(color="#555", width=1))
    if selected is not None and selected in set(data["school_id"]):
        row = data[data["school_id"] == selected].iloc[0]
        figure.add_trace(go.Scatter(x=[row["delta"] * k], y=[row["value"] * k], mode="markers+text",
                                    text=[row["short_name"]], textposition="top center", showlegend=False,
                                    marker=dict(size=22, color="rgba(0,0,0,0)", line=dict(color="black", width=3)),
                                    hoverinfo="skip"))
    base_layout(figure, title, height=560)
    figure.update_layout(separators=separators(language), xaxis_title=x_label, yaxis_title=y_label,
                         clickmode="event+select", dragmode="select")
    if percent:
        figure.update_yaxes(rangemode="tozero")    # the status axis is a percentage: from 0
    if lower_is_better:  # keep "better" up and to the right
        figure.update_xaxes(autorange="reversed")
        figure.update_yaxes(autorange="reversed")
    return figure


def objectivity_bars(table: pd.DataFrame, labels: dict[str, str], title: str, language: str = "ru") -> go.Figure:
    """Columns: name, share_lower, share_confirmed, share_higher, n. One stacked bar per row."""
    data = table.iloc[::-1]
    colours = {"share_lower": PALETTE["sky"], "share_confirmed": "#BBBBBB", "share_higher": PALETTE["purple"]}
    figure = go.Figure()
    for column, label in labels.items():
        share = data[column] * 100
        figure.add_trace(go.Bar(
            y=data["name"], x=share, name=label, orientation="h", marker_color=colours[column],
            text=[f"{v:.0f}" if v >= 3 else "" for v in share], textposition="inside",
            hovertemplate=f"%{{y}} · {label}: %{{x:.1f}}%<extra></extra>"))
    base_layout(figure, title, height=max(360, 30 * len(data) + 140))
    figure.update_layout(barmode="stack", separators=separators(language), xaxis_title="%")
    figure.update_xaxes(range=[0, 100])
    return figure
