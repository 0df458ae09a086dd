"""Charts of the schools and targets pages: list flows (Sankey), a school's index, targets."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from presentation.figures.style import CATEGORY_COLOURS, PALETTE, base_layout, separators

TARGET_STATUS_COLOURS = {"achieved": PALETTE["green"], "at_risk": PALETTE["orange"],
                         "not_achieved": PALETTE["vermillion"], "no_data": PALETTE["grey"]}


# Flows between list states (from, to): stayed on the list, left it, entered it.
LINK_COLOURS = {("in", "in"): "rgba(213,94,0,0.45)", ("in", "out"): "rgba(0,158,115,0.45)",
                ("out", "in"): "rgba(230,159,0,0.55)"}


def list_sankey(links: pd.DataFrame, labels: dict[str, str], title: str, language: str = "ru") -> go.Figure:
    """links: source_year, source_state (in|out), target_year, target_state, schools.
    labels: {"in": "в перечне {year}", "out": "вне перечня {year}"} format strings."""
    nodes: list[tuple[int, str]] = []
    for row in links.itertuples(index=False):
        for node in ((row.source_year, row.source_state), (row.target_year, row.target_state)):
            if node not in nodes:
                nodes.append(node)
    nodes.sort()
    sizes: dict[tuple[int, str], int] = {}
    for row in links.itertuples(index=False):
        sizes[(row.source_year, row.source_state)] = sizes.get((row.source_year, row.source_state), 0) + row.schools
    for row in links.itertuples(index=False):
        key = (row.target_year, row.target_state)
        incoming = int(links[(links["target_year"] == row.target_year) & (links["target_state"] == row.target_state)]["schools"].sum())
        sizes[key] = max(sizes.get(key, 0), incoming)
    years = sorted({y for y, _ in nodes})
    position = {y: (k / max(1, len(years) - 1)) * 0.98 + 0.01 for k, y in enumerate(years)}
    index = {node: k for k, node in enumerate(nodes)}
    figure = go.Figure(go.Sankey(
        arrangement="snap",
        node=dict(label=[labels[state].format(year=year, n=sizes.get((year, state), 0)) for year, state in nodes], pad=24, thickness=22,
                  x=[position[y] for y, _ in nodes], y=[0.35 if s == "in" else 0.9 for _, s in nodes],
                  color=[CATEGORY_COLOURS["low_results"] if s == "in" else PALETTE["grey"] for _, s in nodes]),
        link=dict(source=[index[(r.source_year, r.source_state)] for r in links.itertuples()],
                  target=[index[(r.target_year, r.target_state)] for r in links.itertuples()],
                  value=links["schools"].tolist(),
                  color=[LINK_COLOURS[(r.source_state, r.target_state)] for r in links.itertuples()]),
    ))
    base_layout(figure, title, height=460)
    figure.update_layout(separators=separators(language))
    return figure


def school_index_history(history: pd.DataFrame, cuts: pd.DataFrame, title: str, index_label: str,
                         cut_label: str, language: str = "ru") -> go.Figure:
    """history: year, composite; cuts: year, cut (the region's bottom-share boundary)."""
    figure = go.Figure()
    figure.add_trace(go.Scatter(x=cuts["year"], y=cuts["cut"], name=cut_label, mode="lines",
                                line=dict(color=PALETTE["vermillion"], dash="dash", width=2)))
    figure.add_trace(go.Scatter(x=history["year"], y=history["composite"], name=index_label, mode="lines+markers+text",
                                text=[f"{v:.2f}".replace(".", ",") if language == "ru" else f"{v:.2f}"
                                      for v in history["composite"]],
                                textposition="top center", line=dict(color=PALETTE["blue"], width=3),
                                marker=dict(size=10)))
    base_layout(figure, title, height=360)
    figure.update_xaxes(dtick=1)
    figure.update_layout(separators=separators(language))
    return figure


def targets_chart(summary: pd.DataFrame, names: dict[str, str], status_labels: dict[str, str],
                  title: str, language: str = "ru") -> go.Figure:
    """Share targets: actual (bar, coloured and labelled by status) against the target (marker)."""
    data = summary[summary["kind"] == "share"].iloc[::-1]
    labels = [names[t] for t in data["target_id"]]
    figure = go.Figure()
    for status, colour in TARGET_STATUS_COLOURS.items():
        part = data[data["status"] == status]
        if part.empty:
            continue
        figure.add_trace(go.Bar(
            y=[names[t] for t in part["target_id"]], x=part["actual"].fillna(0) * 100, orientation="h",
            name=status_labels[status], marker_color=colour,
            text=[f"{v * 100:.0f} %" if v == v else "—" for v in part["actual"]], textposition="outside",
            cliponaxis=False, hovertemplate="%{y}: %{x:.1f} %<extra></extra>"))
    figure.add_trace(go.Scatter(
        y=labels, x=data["target_low"] * 100, mode="markers", name=status_labels["target"],
        marker=dict(symbol="line-ns", size=26, line=dict(width=4, color=PALETTE["black"])),
        hovertemplate="%{y}: %{x:.0f} %<extra></extra>"))
    base_layout(figure, title, height=max(340, 46 * len(data) + 110))
    figure.update_layout(barmode="overlay", separators=separators(language), xaxis_title="%")
    figure.update_xaxes(range=[0, 118])
    figure.update_yaxes(categoryorder="array", categoryarray=labels)
    return figure
