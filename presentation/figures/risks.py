"""Charts of the risk-profile page: DataFrame in, plotly figure out."""
from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from presentation.figures.style import PALETTE, base_layout, legend_clear_of_title, separators

LEVEL_COLOURS = {"high": PALETTE["vermillion"], "medium": PALETTE["orange"], "low": PALETTE["sky"]}
CHANGE_COLOURS = {"improved": PALETTE["green"], "unchanged": "#BBBBBB", "worsened": PALETTE["vermillion"]}
NO_DATA_COLOUR = "#F2F2F2"


def wrap(text: str, width: int = 34) -> str:
    """A long factor name on several lines (plotly breaks lines at <br>)."""
    return "<br>".join(textwrap.wrap(str(text), width)) or str(text)


def _level_axis(figure: go.Figure, level_names: dict[str, str], axis: str = "x") -> None:
    ticks = dict(tickvals=[1, 2, 3], ticktext=[level_names["low"], level_names["medium"], level_names["high"]],
                 range=[0, 3.3])
    (figure.update_xaxes if axis == "x" else figure.update_yaxes)(**ticks)


def profile_bars(profile: pd.DataFrame, name_column: str, level_names: dict[str, str], year: int,
                 title: str, previous_label: str, language: str = "ru") -> go.Figure:
    """One school's levels per factor (bars coloured by level) beside last year's (grey).

    Columns: factor_id, position, <name_column>, level, score, previous_level, previous_score."""
    data = profile.sort_values("position", ascending=False)
    labels = [wrap(n) for n in data[name_column]]
    figure = go.Figure()
    if data["previous_score"].notna().any():
        figure.add_trace(go.Bar(
            y=labels, x=data["previous_score"], orientation="h", name=previous_label,
            marker_color="#C9C9C9", hovertext=[level_names.get(v, "—") for v in data["previous_level"]],
            hovertemplate="%{y}<br>" + previous_label + ": %{hovertext}<extra></extra>"))
    figure.add_trace(go.Bar(
        y=labels, x=data["score"], orientation="h", name=str(year),
        marker_color=[LEVEL_COLOURS.get(v, NO_DATA_COLOUR) for v in data["level"]],
        text=[level_names.get(v, "—") for v in data["level"]], textposition="outside", cliponaxis=False,
        hovertemplate="%{y}<br>" + str(year) + ": %{text}<extra></extra>"))
    base_layout(figure, title, height=max(420, 62 * len(data) + 110))
    figure.update_layout(barmode="group", bargap=0.25, separators=separators(language),
                         legend=dict(traceorder="reversed"))
    _level_axis(figure, level_names)
    figure.update_xaxes(range=[0, 3.7], showgrid=True, gridcolor="#e6e6e6")
    figure.update_yaxes(automargin=True, tickfont=dict(size=14))
    return figure


def risk_heatmap(matrix: pd.DataFrame, factor_names: dict[str, str], level_names: dict[str, str],
                 title: str, language: str = "ru", column_labels: list[str] | None = None) -> go.Figure:
    """Schools (rows, in the matrix's order) × factors (columns), cell colour = level.

    ``matrix``: columns short_name, municipality and one score column per factor id in
    ``factor_names`` (1 low, 2 medium, 3 high, NaN not reported). ``column_labels``: short
    column heads (e.g. factor numbers) when the names are too long to stand on top."""
    factor_ids = [f for f in factor_names if f in matrix.columns]
    z = matrix[factor_ids].astype(float).to_numpy()
    by_score = {1: level_names["low"], 2: level_names["medium"], 3: level_names["high"]}
    # Data text goes in customdata (escaped like every label); the bold is the template's own.
    hover = np.array([[[f"{school} ({municipality})", factor_names[f], by_score.get(int(v), "—") if v == v else "—"]
                       for f, v in zip(factor_ids, row)]
                      for school, municipality, row in zip(matrix["short_name"], matrix["municipality"], z)],
                     dtype=object)
    rows = list(range(len(matrix)))
    colours = [LEVEL_COLOURS["low"], LEVEL_COLOURS["medium"], LEVEL_COLOURS["high"]]
    scale = [[0, colours[0]], [1 / 3, colours[0]], [1 / 3, colours[1]], [2 / 3, colours[1]],
             [2 / 3, colours[2]], [1, colours[2]]]
    figure = go.Figure(go.Heatmap(
        z=z, x=column_labels or [wrap(factor_names[f], 16) for f in factor_ids], y=rows, zmin=0.5, zmax=3.5,
        colorscale=scale, xgap=2, ygap=2, customdata=hover,
        hovertemplate="%{customdata[0]}<br>%{customdata[1]}<br><b>%{customdata[2]}</b><extra></extra>",
        colorbar=dict(tickvals=[1, 2, 3], ticktext=[by_score[1], by_score[2], by_score[3]], title=None,
                      thickness=18, len=min(1.0, 300 / max(300, 24 * len(rows))), y=1, yanchor="top"),
    ))
    base_layout(figure, title, height=max(360, 24 * len(rows) + (130 if column_labels else 260)))
    figure.update_yaxes(tickvals=rows, ticktext=list(matrix["short_name"]), autorange="reversed",
                        showgrid=False, tickfont=dict(size=13), automargin=True)
    figure.update_xaxes(side="top", tickangle=0, tickfont=dict(size=15 if column_labels else 12), automargin=True,
                        type="category")
    # Room between the title and the column heads on top.
    figure.update_layout(separators=separators(language), plot_bgcolor=NO_DATA_COLOUR, margin=dict(t=100),
                         title=dict(y=0.99, yanchor="top"))
    return figure


def _whole_schools(figure: go.Figure, largest: float) -> None:
    """Counts of schools: no 0,5 ticks on a short axis."""
    if largest <= 10:
        figure.update_xaxes(dtick=1)


def _factor_bars(data: pd.DataFrame, name_column: str, parts: dict[str, tuple[str, str]], title: str,
                 x_label: str, language: str) -> go.Figure:
    """Schools per factor stacked by ``parts`` (column -> (legend name, colour)), rows in
    ``data``'s order. Half a page wide (pages/risks.py) the plot area is narrow and the three
    legend items stand one a line above it: room is kept so they never meet the title."""
    labels = [wrap(n) for n in data[name_column]]
    figure = go.Figure([
        go.Bar(y=labels, x=data[column], orientation="h", name=name, marker_color=colour,
               text=[v if v else "" for v in data[column]], textposition="inside", insidetextanchor="middle",
               hovertemplate="%{y}<br>" + name + ": %{x}<extra></extra>")
        for column, (name, colour) in parts.items()])
    base_layout(figure, title, height=max(420, 56 * len(data) + 120))
    figure.update_layout(barmode="stack", separators=separators(language), xaxis_title=x_label)
    figure.update_yaxes(automargin=True, tickfont=dict(size=14))
    _whole_schools(figure, float(data[list(parts)].sum(axis=1).max() or 0))
    return legend_clear_of_title(figure, legend_lines=len(parts))


def level_distribution(counts: pd.DataFrame, name_column: str, level_names: dict[str, str], title: str,
                       x_label: str, language: str = "ru") -> go.Figure:
    """Per factor: schools at each level, stacked; the factor most often high on top.

    Columns: factor_id, position, <name_column>, high, medium, low."""
    data = counts.sort_values(["high", "medium", "position"], ascending=[True, True, False])
    return _factor_bars(data, name_column, {level: (level_names[level], LEVEL_COLOURS[level])
                                            for level in ("high", "medium", "low")}, title, x_label, language)


def change_distribution(counts: pd.DataFrame, name_column: str, change_names: dict[str, str], title: str,
                        x_label: str, language: str = "ru") -> go.Figure:
    """Per factor: schools whose level improved / did not change / worsened since last year.

    Columns: factor_id, position, <name_column>, improved, unchanged, worsened."""
    data = counts.sort_values("position", ascending=False)
    return _factor_bars(data, name_column, {change: (change_names[change], CHANGE_COLOURS[change])
                                            for change in ("improved", "unchanged", "worsened")},
                        title, x_label, language)


def association_chart(association: pd.DataFrame, name_column: str, title: str, x_label: str,
                      few_data_label: str, language: str = "ru") -> go.Figure:
    """Difference in the share of «2» (high − low), percentage points, with its 95 % interval.

    Columns: position, <name_column>, n_high, n_low, difference, ci_low, ci_high, enough."""
    data = association.sort_values("position", ascending=False)
    labels = [wrap(n) for n in data[name_column]]
    enough = data["enough"].to_numpy(dtype=bool)
    difference = data["difference"].to_numpy(dtype=float) * 100
    figure = go.Figure()
    figure.add_trace(go.Scatter(
        y=[label for label, ok in zip(labels, enough) if ok], x=difference[enough], mode="markers+text",
        marker=dict(size=14, color=PALETTE["blue"]),
        error_x=dict(type="data", symmetric=False, thickness=2.5, width=6, color=PALETTE["blue"],
                     array=(data["ci_high"].to_numpy(dtype=float) * 100 - difference)[enough],
                     arrayminus=(difference - data["ci_low"].to_numpy(dtype=float) * 100)[enough]),
        text=[f"n = {h} / {lo}" for h, lo, ok in zip(data["n_high"], data["n_low"], enough) if ok],
        textposition="top center", textfont=dict(size=12, color="#555"),
        customdata=np.column_stack([data["ci_low"] * 100, data["ci_high"] * 100])[enough],
        hovertemplate="%{y}<br>%{x:.1f} (%{customdata[0]:.1f} … %{customdata[1]:.1f})<extra></extra>",
        showlegend=False))
    few = ~enough
    if few.any():
        figure.add_trace(go.Scatter(
            y=[label for label, bad in zip(labels, few) if bad], x=[0] * int(few.sum()), mode="text",
            text=[f"{few_data_label} (n = {h} / {lo})" for h, lo, bad in zip(data["n_high"], data["n_low"], few) if bad],
            textfont=dict(size=13, color="#777"), hoverinfo="skip", showlegend=False))
    figure.add_vline(x=0, line_color="#555", line_width=1.5)
    base_layout(figure, title, height=max(420, 56 * len(data) + 120))
    bound = np.nanmax(np.abs(np.concatenate([data["ci_low"].to_numpy(dtype=float),
                                             data["ci_high"].to_numpy(dtype=float), [0.05]]))) * 100
    figure.update_xaxes(range=[-bound * 1.15, bound * 1.15], showgrid=True, gridcolor="#e6e6e6", zeroline=False)
    figure.update_layout(separators=separators(language), xaxis_title=x_label)
    figure.update_yaxes(automargin=True, tickfont=dict(size=14), type="category",
                        categoryorder="array", categoryarray=labels)
    return figure
