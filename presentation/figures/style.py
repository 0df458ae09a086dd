"""Shared look of charts: readable when projected, colour-blind-safe palette (Okabe–Ito).

Presentation mode (ui/present.py) switches this module to larger chart text for the
current script run: ``presenting(True)`` makes ``base_layout`` use PRESENT_FONT_SIZE, and
``enlarge(figure, height)`` lifts every font of a finished figure (ticks, legend,
annotations, bar texts set by a builder after ``base_layout``) to at least
PRESENT_MIN_FONT and fixes its height (slides size each chart to the screen).
"""
from __future__ import annotations

import contextvars

import plotly.graph_objects as go

from presentation.figures.markup import escape_data_text

# Okabe–Ito: distinguishable for the common colour-vision deficiencies.
PALETTE = {
    "blue": "#0072B2", "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73",
    "yellow": "#F0E442", "vermillion": "#D55E00", "purple": "#CC79A7", "grey": "#5F5F5F", "black": "#000000",
}
# Okabe–Ito's grey (#7F7F7F) is too close to its bluish green for deuteranopes (ΔE 9.7):
# a darker grey for lines and "no data", a light one for the background category "other"
# (tests/test_palettes.py checks every palette under simulated colour-vision deficiencies).
LIGHT_GREY = "#C8C8C8"
CATEGORY_COLOURS = {
    "low_results": PALETTE["vermillion"], "social_risk": PALETTE["orange"], "risk_zone": PALETTE["yellow"],
    "resilient": PALETTE["green"], "mentor": PALETTE["blue"], "biased": PALETTE["purple"], "other": LIGHT_GREY,
}
STATUS_COLOURS = {
    "done": PALETTE["green"], "done_late": PALETTE["sky"], "in_progress": PALETTE["yellow"],
    "not_started": "#BBBBBB", "overdue": PALETTE["vermillion"], "not_applicable": "#E5E5E5",
}
FONT_SIZE = 16
PRESENT_FONT_SIZE = 20      # chart text in presentation mode (px)
PRESENT_MIN_FONT = 18       # no chart text below this in presentation mode
_PRESENTING = contextvars.ContextVar("shnor_presenting", default=False)


def presenting(on: bool | None = None) -> bool:
    """Read, or set for the current script run, whether charts are drawn for a projector."""
    if on is not None:
        _PRESENTING.set(bool(on))
    return _PRESENTING.get()


def font_size() -> int:
    return PRESENT_FONT_SIZE if presenting() else FONT_SIZE


def base_layout(figure: go.Figure, title: str | None = None, height: int = 380) -> go.Figure:
    size = font_size()
    figure.update_layout(
        title=dict(text=title, font=dict(size=size + 3)) if title else None,
        font=dict(size=size, family="Inter, Segoe UI, Arial, sans-serif"),
        height=height, margin=dict(l=10, r=10, t=60 if title else 20, b=10),
        plot_bgcolor="white", paper_bgcolor="white",
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0),
        separators=", ",
    )
    figure.update_xaxes(showgrid=False, linecolor="#888")
    figure.update_yaxes(gridcolor="#e6e6e6", zerolinecolor="#bbb")
    return escape_data_text(figure)


def _lift(font, minimum: int) -> dict:
    size = getattr(font, "size", None) if font is not None else None
    return {"size": max(size or minimum, minimum)}


def enlarge(figure: go.Figure, height: int | None = None, minimum: int = PRESENT_MIN_FONT) -> go.Figure:
    """Every text of a finished figure at least ``minimum`` px; optionally a fixed height."""
    layout = figure.layout
    figure.update_layout(font=dict(size=max(layout.font.size or minimum, PRESENT_FONT_SIZE)),
                         legend=dict(font=_lift(layout.legend.font, minimum)))
    if layout.title and layout.title.text:
        figure.update_layout(title=dict(font=dict(size=max(layout.title.font.size or 0, PRESENT_FONT_SIZE + 4))))
    figure.for_each_xaxis(lambda axis: axis.update(tickfont=_lift(axis.tickfont, minimum),
                                                   title_font=_lift(axis.title.font, minimum)))
    figure.for_each_yaxis(lambda axis: axis.update(tickfont=_lift(axis.tickfont, minimum),
                                                   title_font=_lift(axis.title.font, minimum)))
    for annotation in layout.annotations or ():
        annotation.font.size = max(annotation.font.size or minimum, minimum)
    for trace in figure.data:
        if "textfont" in trace:
            trace.textfont = dict(size=max(_first_size(trace.textfont.size) or minimum, minimum),
                                  color=trace.textfont.color, family=trace.textfont.family)
        if "colorbar" in trace and trace.type in ("heatmap", "choropleth"):
            trace.colorbar.tickfont = _lift(trace.colorbar.tickfont, minimum)
        if trace.type == "sankey":
            trace.textfont = dict(size=minimum + 2)
    if height is not None:
        figure.update_layout(height=height)
    return figure


def legend_clear_of_title(figure: go.Figure, legend_lines: int = 1) -> go.Figure:
    """A legend above the plot (base_layout's place) and a title share the top margin: the title
    is pinned to the top and the margin made tall enough for both (with presentation-size text
    they overlapped). ``legend_lines``: the lines the legend may wrap to in a narrow column."""
    layout = figure.layout
    if not (layout.title and layout.title.text) or layout.legend.y is None or layout.legend.y < 1:
        return figure
    # Plotly shows a legend by default when the figure has two traces, listed or not (Sankey and
    # heatmap traces are never listed).
    listed = [d for d in figure.data if "showlegend" in d and d.showlegend is not False]
    shown = bool(listed) and (layout.showlegend is True or (layout.showlegend is None and (
        len(figure.data) > 1 or any(d.showlegend for d in listed))))
    if not shown:
        return figure
    title_px = (layout.title.font.size or PRESENT_FONT_SIZE + 4) * 1.35
    legend_px = (layout.legend.font.size or PRESENT_FONT_SIZE) * 1.5 * legend_lines
    figure.update_layout(title=dict(y=1, yref="container", yanchor="top", pad=dict(t=6)),
                         legend=dict(y=1, yanchor="bottom"),
                         margin=dict(t=max(layout.margin.t or 0, title_px + legend_px + 14)))
    return figure


def _times(value, factor: float):
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return [None if v is None else v * factor for v in value]
    return value * factor


def magnify(figure: go.Figure, factor: float) -> go.Figure:
    """The finished figure's text drawn ``factor`` times larger: every font, margins, marker sizes
    and annotation shifts (a slide on a larger screen, see ui/present.py). Unset fonts take the
    layout font, so they grow with it. Not the height and width: Streamlit sizes the chart from its
    zoomed on-screen box (the width of its column, the height times the zoom) by itself."""
    if not factor or factor == 1:
        return figure
    layout = figure.layout
    figure.update_layout(font_size=_times(layout.font.size or FONT_SIZE, factor))
    if layout.title and layout.title.font and layout.title.font.size:
        layout.title.font.size *= factor
        if layout.title.pad and layout.title.pad.t:
            layout.title.pad.t *= factor
    if layout.legend.font and layout.legend.font.size:
        layout.legend.font.size *= factor
    for side in ("l", "r", "t", "b", "pad"):
        value = getattr(layout.margin, side)
        if value is not None:
            setattr(layout.margin, side, value * factor)

    def axis(a):
        for font in (a.tickfont, a.title.font):
            if font.size:
                font.size *= factor
        if a.ticklen:
            a.ticklen *= factor
    figure.for_each_xaxis(axis)
    figure.for_each_yaxis(axis)
    for annotation in layout.annotations or ():
        if annotation.font.size:
            annotation.font.size *= factor
        for shift in ("xshift", "yshift"):
            if getattr(annotation, shift):
                setattr(annotation, shift, getattr(annotation, shift) * factor)
    for trace in figure.data:
        if "textfont" in trace and trace.textfont.size is not None:
            trace.textfont.size = _times(trace.textfont.size, factor)
        if "marker" in trace and getattr(trace.marker, "size", None) is not None and trace.type != "sankey":
            trace.marker.size = _times(trace.marker.size, factor)
        if "colorbar" in trace and trace.type in ("heatmap", "choropleth") and trace.colorbar.tickfont.size:
            trace.colorbar.tickfont.size *= factor
        if trace.type == "sankey":
            trace.node.thickness = _times(trace.node.thickness or 20, factor)
            trace.node.pad = _times(trace.node.pad or 15, factor)
    return figure


def _first_size(size):
    if isinstance(size, (list, tuple)):
        return min(size) if size else None
    return size


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


def fit(figure, height: int | None = None, width: int | None = None, on: float | bool = False):
    """The figure (changed in place) as a page draws it: in presentation mode (``on``: truthy; a
    number is the zoom class, see ``ui.present.scale``) every text ≥ 18 canvas px, ``width``
    fixed, and sizes, fonts and margins times the zoom; ``height`` fixed in either mode."""
    if on:
        enlarge(figure, height)
        legend_clear_of_title(figure)
        if width is not None:
            figure.update_layout(width=width)
        # The zoom it is drawn for travels with the figure (browser tests wait for it).
        return magnify(figure, float(on)).update_layout(meta={"shnor_zoom": float(on)})
    if height is not None:
        figure.update_layout(height=height)
    return figure


def every_year_labelled(figure: go.Figure) -> go.Figure:
    """Years drawn as categories (bars per year) keep every label: Plotly otherwise drops every
    other one on a narrow chart, and a reader cannot tell which bar is which year. Labels
    slant instead when they do not fit side by side."""
    return figure.update_xaxes(type="category", tickmode="linear", tick0=0, dtick=1)
