"""Charts of the overview page."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from presentation.figures.style import PALETTE, base_layout, every_year_labelled, separators


def list_size_bars(sizes: pd.DataFrame, title: str, y_label: str, language: str = "ru") -> go.Figure:
    """Columns: year, schools."""
    figure = go.Figure(go.Bar(
        x=sizes["year"].astype(str), y=sizes["schools"], marker_color=PALETTE["vermillion"],
        text=sizes["schools"], textposition="outside", cliponaxis=False,
        hovertemplate="%{x}: %{y}<extra></extra>",
    ))
    base_layout(figure, title)
    figure.update_layout(separators=separators(language), yaxis_title=y_label)
    return every_year_labelled(figure)


def listed_share_by_municipality(table: pd.DataFrame, title: str, x_label: str, language: str = "ru") -> go.Figure:
    """Columns: name, listed, schools, listed_share (0..1)."""
    data = table.sort_values("listed_share")
    figure = go.Figure(go.Bar(
        x=data["listed_share"] * 100, y=data["name"], orientation="h", marker_color=PALETTE["blue"],
        text=[f"{n} / {s}" for n, s in zip(data["listed"], data["schools"])], textposition="outside",
        cliponaxis=False, customdata=data[["listed", "schools"]],
        hovertemplate="%{y}: %{x:.1f}% (%{customdata[0]} / %{customdata[1]})<extra></extra>",
    ))
    base_layout(figure, title, height=max(320, 34 * len(data) + 90))
    # Room on the right for the "listed / total" labels.
    figure.update_xaxes(range=[0, max(1.0, float((data["listed_share"] * 100).max())) * 1.25])
    figure.update_layout(separators=separators(language), xaxis_title=x_label)
    return figure
