"""Charts of the effectiveness page: DataFrame in, plotly figure out."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from presentation.figures.style import PALETTE, base_layout, every_year_labelled, separators


def list_chart(dynamics: pd.DataFrame, labels: dict, language: str = "ru") -> go.Figure:
    """Schools on the list per year (bars, left axis) and the year's reduction with its 95 %
    interval (line, right axis) against the target band.

    ``dynamics``: year, listed, reduction, reduction_low, reduction_high, reduction_target;
    ``labels``: title, list_axis, reduction_axis, reduction_name, target_name, target_high."""
    figure = make_subplots(specs=[[{"secondary_y": True}]])
    years = dynamics["year"].astype(str)
    figure.add_trace(go.Bar(x=years, y=dynamics["listed"], name=labels["list_axis"], marker_color="#C9C9C9",
                            text=dynamics["listed"], textposition="inside", insidetextanchor="start",
                            hovertemplate="%{x}: %{y}<extra></extra>"), secondary_y=False)
    shown = dynamics.dropna(subset=["reduction"])
    figure.add_trace(go.Scatter(
        x=shown["year"].astype(str), y=shown["reduction"], name=labels["reduction_name"], mode="lines+markers",
        marker=dict(size=10, color=PALETTE["blue"]), line=dict(color=PALETTE["blue"], width=3),
        error_y=dict(type="data", symmetric=False, array=shown["reduction_high"] - shown["reduction"],
                     arrayminus=shown["reduction"] - shown["reduction_low"], color=PALETTE["blue"], thickness=1.5),
        hovertemplate="%{x}: %{y:.0%}<extra></extra>"), secondary_y=True)
    if len(shown):
        low = float(shown["reduction_target"].iloc[-1])
        high = float(labels.get("target_high") or low)
        figure.add_trace(go.Scatter(
            x=list(years) + list(years[::-1]), y=[low] * len(years) + [max(high, low + 0.005)] * len(years),
            fill="toself", fillcolor="rgba(0,158,115,0.22)", line=dict(width=0), mode="lines", name=labels["target_name"],
            hoverinfo="skip"), secondary_y=True)
    base_layout(figure, labels["title"], height=420)
    figure.update_yaxes(title_text=labels["list_axis"], secondary_y=False, rangemode="tozero", showgrid=False)
    low_end = min(0.0, float(shown["reduction_low"].min())) if len(shown) else 0.0
    high_end = max(0.35, float(shown["reduction_high"].max())) if len(shown) else 0.35
    figure.update_yaxes(title_text=labels["reduction_axis"], secondary_y=True, tickformat=".0%", zeroline=True,
                        zerolinecolor="#999", gridcolor="#e6e6e6", range=[low_end - 0.03, high_end + 0.03], dtick=0.1)
    figure.update_layout(separators=separators(language))
    return every_year_labelled(figure)


def event_chart(events: pd.DataFrame, title: str, x_label: str, y_label: str, language: str = "ru") -> go.Figure:
    """Event-study coefficients (p.p.) with 95 % intervals by years since listing."""
    data = events.sort_values("event")
    points = data["estimate"] * 100
    colours = [PALETTE["grey"] if e < 0 else PALETTE["blue"] for e in data["event"]]
    figure = go.Figure(go.Scatter(
        x=data["event"], y=points, mode="markers", marker=dict(size=12, color=colours),
        error_y=dict(type="data", symmetric=False, array=data["ci_high"] * 100 - points,
                     arrayminus=points - data["ci_low"] * 100, thickness=2),
        hovertemplate="%{x}: %{y:.1f}<extra></extra>", showlegend=False))
    figure.add_hline(y=0, line_color="#555555", line_width=1)
    figure.add_vline(x=-0.5, line_dash="dot", line_color="#888888")
    base_layout(figure, title, height=380)
    figure.update_xaxes(title=x_label, dtick=1)
    figure.update_yaxes(title=y_label, showgrid=True)
    figure.update_layout(separators=separators(language))
    return figure
