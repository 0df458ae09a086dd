"""Shared look of charts: readable when projected, colour-blind-safe palette (Okabe–Ito)."""
from __future__ import annotations

import plotly.graph_objects as go

# Okabe–Ito: distinguishable for the common colour-vision deficiencies.
PALETTE = {
    "blue": "#0072B2", "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73",
    "yellow": "#F0E442", "vermillion": "#D55E00", "purple": "#CC79A7", "grey": "#7F7F7F", "black": "#000000",
}
CATEGORY_COLOURS = {
    "low_results": PALETTE["vermillion"], "social_risk": PALETTE["orange"], "risk_zone": PALETTE["yellow"],
    "resilient": PALETTE["green"], "mentor": PALETTE["blue"], "biased": PALETTE["purple"], "other": PALETTE["grey"],
}
STATUS_COLOURS = {
    "done": PALETTE["green"], "done_late": PALETTE["sky"], "in_progress": PALETTE["yellow"],
    "not_started": "#BBBBBB", "overdue": PALETTE["vermillion"], "not_applicable": "#E5E5E5",
}
FONT_SIZE = 16


def base_layout(figure: go.Figure, title: str | None = None, height: int = 380) -> go.Figure:
    figure.update_layout(
        title=dict(text=title, font=dict(size=FONT_SIZE + 3)) if title else None,
        font=dict(size=FONT_SIZE, family="Inter, Segoe UI, Arial, sans-serif"),
        height=height, margin=dict(l=10, r=10, t=60 if title else 20, b=10),
        plot_bgcolor="white", paper_bgcolor="white",
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0),
        separators=", ",
    )
    figure.update_xaxes(showgrid=False, linecolor="#888")
    figure.update_yaxes(gridcolor="#e6e6e6", zerolinecolor="#bbb")
    return figure


def separators(language: str) -> str:
    """Plotly's decimal and thousands separators for the language."""
    return ", " if language == "ru" else ".,"

# Performance levels of the status × change grid (1 = lowest … 5 = highest), after the
# California School Dashboard's red / orange / yellow / green / blue, in Okabe–Ito hues.
LEVEL_COLOURS = {1: PALETTE["vermillion"], 2: PALETTE["orange"], 3: PALETTE["yellow"], 4: PALETTE["green"],
                 5: PALETTE["blue"]}
LEVEL_SYMBOLS = {1: "x", 2: "triangle-down", 3: "circle", 4: "triangle-up", 5: "star"}
MARK_COLOURS = {"n2": PALETTE["vermillion"], "n3": PALETTE["orange"], "n4": PALETTE["sky"], "n5": PALETTE["blue"]}
COMPARISON_COLOURS = {"school": PALETTE["vermillion"], "municipality": PALETTE["orange"],
                      "similar": PALETTE["green"], "region": PALETTE["blue"]}
