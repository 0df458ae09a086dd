"""Charts of the «Кадры» page: coverage against targets, diagnostic dynamics, deficit topics."""
from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from presentation.figures.style import PALETTE, base_layout, separators

SERIES_COLOURS = [PALETTE[c] for c in ("blue", "orange", "green", "vermillion", "purple", "sky", "yellow", "grey")]
MET, NOT_MET, NO_TARGET = PALETTE["blue"], PALETTE["vermillion"], PALETTE["grey"]


def _wrap(text: str, width: int = 34) -> str:
    return "<br>".join(textwrap.wrap(str(text), width)) or str(text)


def _pct(values) -> np.ndarray:
    return np.asarray(values, dtype=float) * 100


def coverage_vs_targets(table: pd.DataFrame, labels: dict, title: str, target_label: str,
                        count_template: str, language: str = "ru") -> go.Figure:
    """Columns (from analytics.teachers.against_targets): indicator, numerator, denominator,
    share, low, high, target, met. ``labels``: indicator -> name; ``count_template`` has
    {numerator} and {denominator}."""
    data = table.iloc[::-1]  # first indicator on top
    names = [_wrap(labels.get(i, i), 30) for i in data["indicator"]]
    colours = [NO_TARGET if pd.isna(m) else (MET if m else NOT_MET) for m in data["met"]]
    share = _pct(data["share"])
    text = [count_template.format(numerator=n, denominator=d) for n, d in zip(data["numerator"], data["denominator"])]
    figure = go.Figure(go.Bar(
        x=share, y=names, orientation="h", marker_color=colours, showlegend=False,
        error_x=dict(type="data", symmetric=False, array=_pct(data["high"]) - share,
                     arrayminus=share - _pct(data["low"]), color="#444", thickness=1.5, width=6),
        hovertemplate="%{y}: %{x:.1f}%<extra></extra>",
    ))
    has_target = data["target"].notna()
    figure.add_trace(go.Scatter(
        x=_pct(data.loc[has_target, "target"]), y=[n for n, h in zip(names, has_target) if h], mode="markers",
        name=target_label, marker=dict(symbol="line-ns-open", size=44, color=PALETTE["black"],
                                       line=dict(width=4, color=PALETTE["black"])),
        hovertemplate=target_label + ": %{x:.0f}%<extra></extra>",
    ))
    # Value and counts in a column right of the axis, clear of bars and whiskers.
    figure.add_trace(go.Scatter(x=[106] * len(data), y=names, mode="text", text=text, textposition="middle right",
                                showlegend=False, hoverinfo="skip", textfont=dict(size=16)))
    base_layout(figure, title, height=max(320, 70 * len(data) + 100))
    figure.update_xaxes(range=[0, 135], tickmode="array", tickvals=[0, 25, 50, 75, 100],
                        ticktext=["0 %", "25 %", "50 %", "75 %", "100 %"])
    figure.update_layout(separators=separators(language), bargap=0.35,
                         legend=dict(orientation="h", yanchor="top", y=-0.08, xanchor="left", x=0))
    return figure


def coverage_by_group(frame: pd.DataFrame, group_column: str, indicators: list[str], labels: dict,
                      targets: dict, title: str, target_label: str, language: str = "ru") -> go.Figure:
    """Small multiples: one panel per indicator, one bar per group (subject, municipality or
    school), the target as a vertical line. ``frame`` has ``<indicator>``, ``_low``,
    ``_high`` columns and the group column; ``targets``: indicator -> share or None."""
    data = frame.iloc[::-1]
    groups = [_wrap(g, 28) for g in data[group_column]]
    # Panel titles wrapped to the panel's width and panels kept apart, so that neither the
    # titles nor the «100 %» and «0 %» ticks of neighbouring panels run into each other at 1280 px.
    figure = make_subplots(rows=1, cols=len(indicators), shared_yaxes=True, horizontal_spacing=0.07,
                           subplot_titles=[_wrap(labels.get(i, i), 22) for i in indicators])
    for col, indicator in enumerate(indicators, start=1):
        share = _pct(data[indicator])
        target = targets.get(indicator)
        if target is None or pd.isna(target):
            colours = [NO_TARGET] * len(data)
        else:
            colours = [NOT_MET if (not np.isnan(s) and s < target * 100 - 1e-9) else MET for s in share]
        figure.add_trace(go.Bar(
            x=share, y=groups, orientation="h", marker_color=colours, showlegend=False,
            error_x=dict(type="data", symmetric=False, array=_pct(data[f"{indicator}_high"]) - share,
                         arrayminus=share - _pct(data[f"{indicator}_low"]), color="#444", thickness=1.2, width=4),
            hovertemplate="%{y}: %{x:.1f}%<extra></extra>",
        ), row=1, col=col)
        if target is not None and not pd.isna(target):
            figure.add_vline(x=target * 100, line=dict(color=PALETTE["black"], width=3, dash="dash"), row=1, col=col)
        figure.update_xaxes(range=[0, 105], tickmode="array", tickvals=[0, 50, 100],
                            ticktext=["0 %", "50 %", "100 %"], row=1, col=col)
    # A legend entry for the dashed target line.
    figure.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=target_label,
                                line=dict(color=PALETTE["black"], width=3, dash="dash")), row=1, col=1)
    base_layout(figure, title, height=max(340, 34 * len(data) + 170))
    # The legend a fixed distance under the tick labels, whatever the chart's height.
    figure.update_layout(separators=separators(language), margin=dict(t=130, b=60),
                         legend=dict(orientation="h", yanchor="top", y=0, yref="container", xanchor="left", x=0,
                                     valign="bottom"))
    figure.update_annotations(font_size=15)
    return figure


def dynamics_chart(total: pd.DataFrame, title_share: str, title_mean: str, target: float | None,
                   target_label: str, total_label: str, by_subject: pd.DataFrame | None = None,
                   series_column: str | None = None, language: str = "ru") -> go.Figure:
    """Columns (analytics.teachers.dynamics): label, positive_share (+ _low/_high), level_rose,
    rose_base, diagnostic_mean. Two panels: the share whose level rose (total with its Wilson
    band, in bold) and the mean score; optional thin lines per subject from ``by_subject``."""
    figure = make_subplots(rows=1, cols=2, subplot_titles=[_wrap(title_share, 36), _wrap(title_mean, 36)],
                           horizontal_spacing=0.08)
    series = [] if by_subject is None else list(by_subject.groupby(series_column, sort=False))
    for k, (name, part) in enumerate(series):
        colour = SERIES_COLOURS[k % len(SERIES_COLOURS)]  # same order as the deficits chart
        _dynamics_lines(figure, part, str(name), colour, width=1.8, size=0, opacity=0.8)
    known = total[total["positive_share"].notna()]
    if not known.empty:
        figure.add_trace(go.Scatter(
            x=list(known["label"]) + list(known["label"])[::-1],
            y=list(_pct(known["positive_share_high"])) + list(_pct(known["positive_share_low"]))[::-1],
            mode="lines", fill="toself", fillcolor="rgba(0,0,0,0.10)", line=dict(width=0), hoverinfo="skip",
            showlegend=False), row=1, col=1)
    _dynamics_lines(figure, total, total_label, PALETTE["black"] if series else PALETTE["blue"], width=4, size=10)
    if target is not None and not pd.isna(target):
        figure.add_hline(y=target * 100, line=dict(color=PALETTE["vermillion"], width=2, dash="dash"), row=1, col=1)
        figure.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=target_label,
                                    line=dict(color=PALETTE["vermillion"], width=2, dash="dash")), row=1, col=1)
    base_layout(figure, None, height=460)
    figure.update_yaxes(range=[0, 100], ticksuffix=" %", row=1, col=1)
    figure.update_yaxes(range=[0, 100], row=1, col=2)
    figure.update_xaxes(type="category")
    # Room above the panels for two-line panel titles: they must not touch the «100 %» tick.
    figure.update_layout(separators=separators(language), margin=dict(t=95),
                         legend=dict(orientation="h", yanchor="top", y=-0.12, xanchor="left", x=0))
    figure.update_annotations(font_size=17, yshift=12)
    return figure


def _dynamics_lines(figure: go.Figure, part: pd.DataFrame, name: str, colour: str, width: float, size: int,
                    opacity: float = 1.0) -> None:
    known = part[part["positive_share"].notna()]
    figure.add_trace(go.Scatter(
        x=known["label"], y=_pct(known["positive_share"]), mode="lines+markers" if size else "lines", name=name,
        opacity=opacity,
        line=dict(color=colour, width=width), marker=dict(size=size), legendgroup=name,
        customdata=np.stack([known["level_rose"], known["rose_base"]], axis=-1) if not known.empty else None,
        hovertemplate="%{x}: %{y:.1f}% (%{customdata[0]} / %{customdata[1]})<extra>%{fullData.name}</extra>",
    ), row=1, col=1)
    figure.add_trace(go.Scatter(
        x=part["label"], y=part["diagnostic_mean"], mode="lines+markers" if size else "lines", name=name,
        opacity=opacity,
        line=dict(color=colour, width=width), marker=dict(size=size), legendgroup=name, showlegend=False,
        hovertemplate="%{x}: %{y:.1f}<extra>%{fullData.name}</extra>",
    ), row=1, col=2)


def deficits_chart(frame: pd.DataFrame, title: str, count_template: str, name_column: str = "name_ru",
                   subject_column: str | None = None, language: str = "ru") -> go.Figure:
    """Columns (analytics.teachers.deficit_topics): name_ru/en, share (+ _low/_high),
    teachers_with_deficit, diagnosed, subject_ru/en. One colour per subject when several."""
    data = frame.iloc[::-1]
    labels = [_wrap(n, 40) for n in data[name_column]]
    subjects = list(dict.fromkeys(frame[subject_column])) if subject_column else []
    colour_of = {s: SERIES_COLOURS[k % len(SERIES_COLOURS)] for k, s in enumerate(subjects)}
    figure = go.Figure()
    groups = data.groupby(subject_column, sort=False) if subject_column else [(None, data)]
    for subject, part in groups:
        share = _pct(part["share"])
        figure.add_trace(go.Bar(
            x=share, y=[_wrap(n, 40) for n in part[name_column]], orientation="h", name=str(subject or ""),
            marker_color=colour_of.get(subject, PALETTE["orange"]), showlegend=subject is not None,
            text=[count_template.format(numerator=n, denominator=d)
                  for n, d in zip(part["teachers_with_deficit"], part["diagnosed"])],
            textposition="outside", cliponaxis=False,
            hovertemplate="%{y}: %{x:.1f}%<extra></extra>",
        ))
    base_layout(figure, title, height=max(320, 44 * len(data) + 120))
    figure.update_yaxes(categoryorder="array", categoryarray=labels)
    figure.update_xaxes(range=[0, max(60.0, float(np.nanmax(_pct(data["share"])) if len(data) else 0) * 1.3)],
                        ticksuffix=" %")
    # The subjects' legend under the chart: above it, wrapped to two rows at 1280 px, it ran into the title.
    figure.update_layout(separators=separators(language), bargap=0.3,
                         legend=dict(traceorder="reversed", orientation="h", yanchor="top", y=-0.08, xanchor="left",
                                     x=0))
    return figure
