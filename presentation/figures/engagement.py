"""Charts of the engagement page: DataFrame in, plotly figure out."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from presentation.figures.style import PALETTE, base_layout, separators

ZONE_COLOURS = {"green": PALETTE["green"], "yellow": PALETTE["yellow"], "red": PALETTE["vermillion"]}
NO_DATA_COLOUR = "#F2F2F2"


def zone_scale(zones: dict) -> list:
    """A stepped colour scale over shares 0..1: each cell takes its zone's colour."""
    yellow, green = float(zones["yellow"]), float(zones["green"])
    return [[0, ZONE_COLOURS["red"]], [yellow, ZONE_COLOURS["red"]], [yellow, ZONE_COLOURS["yellow"]],
            [green, ZONE_COLOURS["yellow"]], [green, ZONE_COLOURS["green"]], [1, ZONE_COLOURS["green"]]]


def criteria_heatmap(scores: pd.DataFrame, units: list[tuple[str, str]], criteria: pd.DataFrame, zones: dict,
                     name_column: str, title: str, language: str = "ru") -> go.Figure:
    """Units (rows, in the given order: (unit_id, label)) × criteria (columns by number);
    colour = share of the criterion's maximum (stepped at the zone cuts), text = points.

    ``scores``: unit_id, criterion_id, points, share, assessed (round_scores rows)."""
    criterion_ids = list(criteria["criterion_id"])
    share = scores.pivot_table(index="unit_id", columns="criterion_id", values="share", aggfunc="first")
    points = scores.pivot_table(index="unit_id", columns="criterion_id", values="points", aggfunc="first")
    unit_ids = [u for u, _ in units]
    share = share.reindex(index=unit_ids, columns=criterion_ids)
    points = points.reindex(index=unit_ids, columns=criterion_ids)
    z = share.to_numpy(dtype=float)
    decimal = "," if language == "ru" else "."
    text = [["" if v != v else f"{v:g}".replace(".", decimal) for v in row] for row in points.to_numpy(dtype=float)]
    names = dict(zip(criteria["criterion_id"], criteria[name_column]))
    maxima = dict(zip(criteria["criterion_id"], criteria["max_points"]))
    labels = [str(label) for _, label in units]
    hover = [[f"{label}<br>{names[c]}<br><b>{t_}</b> / {maxima[c]:g}" if t_ else
              f"{label}<br>{names[c]}<br>—"
              for c, t_ in zip(criterion_ids, row)] for label, row in zip(labels, text)]
    rows = list(range(len(unit_ids)))
    figure = go.Figure(go.Heatmap(
        z=z, x=list(criteria["number"].astype(str)), y=rows, zmin=0, zmax=1, colorscale=zone_scale(zones),
        text=text, texttemplate="%{text}", xgap=2, ygap=2, hovertext=hover,
        hovertemplate="%{hovertext}<extra></extra>", showscale=False))
    base_layout(figure, title, height=max(320, 28 * len(rows) + 150))
    figure.update_yaxes(tickvals=rows, ticktext=labels, autorange="reversed", showgrid=False, automargin=True,
                        tickfont=dict(size=13))
    figure.update_xaxes(side="top", type="category", tickangle=0, automargin=True)
    figure.update_layout(separators=separators(language), plot_bgcolor=NO_DATA_COLOUR, margin=dict(t=100),
                         title=dict(y=0.99, yanchor="top"))
    return figure


def ranking_bars(summary: pd.DataFrame, zones: dict, zone_names: dict, title: str, axis_label: str,
                 previous_label: str, language: str = "ru") -> go.Figure:
    """Share of the maximum per unit (bars coloured by zone, best on top), the previous round
    as a diamond, dashed lines at the zone cuts.

    ``summary``: unit_name, share, zone, previous_share, points, max_points."""
    data = summary.dropna(subset=["share"]).sort_values(["share", "unit_name"], ascending=[True, False])
    labels = list(data["unit_name"].astype(str))
    percent = lambda v: f"{v * 100:.0f}\u00a0%"  # noqa: E731
    figure = go.Figure(go.Bar(
        y=labels, x=data["share"], orientation="h", marker_color=[ZONE_COLOURS[z] for z in data["zone"]],
        marker_line=dict(color="#555555", width=0.5), text=[percent(v) for v in data["share"]],
        textposition="outside", cliponaxis=False, showlegend=False,
        hovertext=[zone_names[z] for z in data["zone"]],
        hovertemplate="%{y}: %{x:.0%} (%{hovertext})<extra></extra>"))
    if data["previous_share"].notna().any():
        figure.add_trace(go.Scatter(
            y=labels, x=data["previous_share"], mode="markers", name=previous_label,
            marker=dict(symbol="diamond", size=11, color="#333333", line=dict(color="white", width=1)),
            hovertemplate="%{y}: %{x:.0%}<extra>" + previous_label + "</extra>"))
    for cut in (zones["yellow"], zones["green"]):
        figure.add_vline(x=float(cut), line_dash="dash", line_color="#555555", line_width=1)
    base_layout(figure, title, height=max(300, 30 * len(data) + 130))
    figure.update_xaxes(range=[0, 1.12], tickformat=".0%", title=axis_label, showgrid=True, gridcolor="#e6e6e6")
    figure.update_yaxes(automargin=True, tickfont=dict(size=13))
    figure.update_layout(separators=separators(language))
    return figure


def failed_bars(failures: pd.DataFrame, name_column: str, title: str, axis_label: str,
                language: str = "ru") -> go.Figure:
    """Per criterion: the share of assessed units that failed it (most often failed on top)."""
    data = failures[failures["failed"] > 0].sort_values(["failed_share", "number"], ascending=[True, False])
    labels = [f"{n} {name}" for n, name in zip(data["number"], data[name_column])]
    figure = go.Figure(go.Bar(
        y=labels, x=data["failed_share"], orientation="h", marker_color=PALETTE["vermillion"],
        text=[f"{int(f)} / {int(a)}" for f, a in zip(data["failed"], data["assessed"])], textposition="outside",
        cliponaxis=False, hovertemplate="%{y}: %{x:.0%}<extra></extra>"))
    base_layout(figure, title, height=max(260, 34 * len(data) + 120))
    figure.update_xaxes(range=[0, 1.15], tickformat=".0%", title=axis_label)
    figure.update_yaxes(automargin=True)
    figure.update_layout(separators=separators(language))
    return figure


def zone_counts(summary: pd.DataFrame) -> dict:
    counts = summary["zone"].value_counts()
    return {z: int(counts.get(z, 0)) for z in ZONE_COLOURS} | {"units": int(len(summary)),
                                                               "fell": int(np.sum(summary["zone_change"] == "fell"))}
