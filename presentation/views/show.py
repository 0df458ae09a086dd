"""Views of the «Показ» slides (see presentation/views/__init__.py): charts fitted to a slide.

Each builder returns its figure already fitted (``presentation.figures.style.fit``: presentation-mode text
size, fixed height and width, magnified for the window's zoom class), so the cached figure is
drawn as it is. Label density is decided here on the 1280×720 canvas: the canvas is magnified
as a whole on larger screens (ui/present.py), so what fits at 1280×720 fits everywhere."""
from __future__ import annotations

import html
from urllib.parse import quote

import pandas as pd

from analytics import flows, risks
from presentation import fmt
from presentation.figures import roadmaps as roadmap_figures
from presentation.figures.overview import listed_share_by_municipality
from presentation.figures.style import PALETTE, PRESENT_MIN_FONT
from presentation.figures.identification import LINK_COLOURS, list_sankey
from presentation.figures.risks import risk_heatmap
from presentation.i18n import text
from presentation.safe import html_text
from presentation.figures.style import fit
from presentation.views.charts import colour_legend, values_beside_names


# A category row needs its label's height plus a little air (canvas px; labels at the smallest slide font).
ROW_PX = PRESENT_MIN_FONT + 3
TITLE_PX = 44    # top margin under a chart title on a slide


def bars_that_fit(plot_height: float, rows: int) -> int:
    """How many labelled horizontal bars fit a plot area ``plot_height`` canvas px high."""
    return max(1, min(rows, int(plot_height // ROW_PX)))


def municipality_share_slide(table: pd.DataFrame, title: str, x_label: str, language: str, height: int, width: int,
                             on):
    """Share of each municipality's schools on the list, every bar named and valued: the share
    goes into the bar's label and the x axis is dropped (its room goes to the rows); if the rows
    still do not fit, the municipalities with the largest shares are kept and the title says so."""
    keep = bars_that_fit(height - TITLE_PX - 8, len(table))
    data = table.sort_values(["listed_share", "listed"], ascending=False).head(keep)
    if keep < len(table):
        title = text(language, "show.shown_of", title=title, shown=keep, total=len(table))
    figure = listed_share_by_municipality(data, title, x_label, language)
    ordered = data.sort_values("listed_share")
    figure.update_traces(text=[f"{fmt.percent(s, language, 0)} · {n} / {k}" for s, n, k in
                               zip(ordered["listed_share"], ordered["listed"], ordered["schools"])],
                         constraintext="none")
    figure.update_xaxes(visible=False, range=[0, max(1.0, float(ordered["listed_share"].max() * 100)) * 1.6])
    figure.update_yaxes(tickfont=dict(size=PRESENT_MIN_FONT), automargin=True)
    figure.update_layout(margin=dict(t=TITLE_PX, b=4, l=4, r=4), bargap=0.3)
    return fit(figure, height, width, on)


def _sankey_legend(figure, items: list[tuple[str, str]]):
    """The Sankey's colours in a legend under it (the legend's marker traces need axes: hidden)."""
    colour_legend(figure, items)
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    figure.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.02, xanchor="left", x=0),
                         plot_bgcolor="white")
    return figure


def flows_slide(members: pd.DataFrame, year: int, labels: dict, language: str, height: int, width: int, on: bool):
    """(list flows Sankey with a colour legend, the last year's counts), or None with fewer than two lists."""
    years = flows.flow_years(members, year)
    if not years:
        return None
    figure = list_sankey(flows.sankey_links(members, years), labels, None, language)
    _sankey_legend(figure, [(text(language, f"show.flow_legend.{a}_{b}"), colour)
                            for (a, b), colour in LINK_COLOURS.items()]
                   + [(text(language, "show.flow_legend.outside"), PALETTE["grey"])])
    figure.update_layout(margin=dict(b=70))
    figure = fit(figure, height, width, on)
    last = flows.flow_table(members, years).iloc[-1]
    return figure, {k: int(last[k]) for k in ("year", "listed", "entered", "left", "stayed")}


def risks_slide(matrix: pd.DataFrame, counts: pd.DataFrame, year: int, language: str, height: int, width: int,
                on: bool):
    """(schools × factors heatmap, factor names in order), or None without profiles."""
    if matrix is None or matrix.empty:
        return None
    name_column = "name_ru" if language == "ru" else "name_en"
    factor_names = dict(zip(counts["factor_id"], [f"{p}. {n}" for p, n in zip(counts["position"], counts[name_column])]))
    level_names = {level: text(language, f"codes.risk_level.{level}") for level in risks.LEVELS}
    figure = risk_heatmap(matrix, factor_names, level_names,
                          text(language, "show.risks_chart", year=year, schools=len(matrix)), language,
                          column_labels=[str(p) for p in counts["position"]])
    return fit(figure, height, width, on), tuple(str(n) for n in counts[name_column])


def checkpoints_slide(progress: pd.DataFrame, labels: dict, title: str, below: dict, language: str, height: int,
                      width: int, on: bool):
    """Checkpoint bars for a slide: each bar's value under its date (a label above the bar met the
    target line when the two were close) and the target's label above its line (to its right it
    was clipped at the last bar)."""
    figure = roadmap_figures.checkpoint_bars(progress, labels, title, language)
    old = list(figure.data[0].x)
    values = list(figure.data[1].text)
    new = [f"{x}<br>{v}" if v else x for x, v in zip(old, values)]
    for trace in figure.data:
        trace.x = new
    figure.data[1].text = None
    # The target's label just above its line, as an annotation (a marker's text sits half the
    # 70-px line marker above it and left the chart at a high target).
    target = figure.data[2]
    for x, y, label in zip(new, target.y, target.text):
        figure.add_annotation(x=x, y=y, text=label, showarrow=False, yanchor="bottom", yshift=4,
                              font=dict(color=target.textfont.color))
    target.update(mode="markers", text=None)
    figure.update_layout(**below)
    # Two-line date labels: the legend goes further down, with the room for it kept free.
    figure.update_layout(legend_y=-0.36, margin_b=120)
    return fit(figure, height, width, on)


def completion_slide(by: pd.DataFrame, dimension: str, targets: list, labels: dict, below: dict, language: str,
                     height: int, width: int, on: bool):
    if dimension == "municipality":
        by = by.assign(name=by["name"].where(by["key"] != "", text(language, "roadmaps.regional_level")))
    figure = roadmap_figures.completion_bars(by, targets, labels, text(language, f"roadmaps.by_{dimension}"), language)
    return fit(values_beside_names(figure).update_layout(xaxis_title=None, **below), height, width, on)


# -- HTML pieces of the slides: their text scales with the page (a data grid keeps small fixed text) --

SLIDE_CSS = ("<style class='shnor-css'>.shnor-slide-number { font-size: 1.3rem; font-weight: 600; text-align: center; }"
             ".shnor-slide-table { width: 100%; font-size: 0.95rem; border-collapse: collapse; }"
             ".shnor-slide-table td, .shnor-slide-table th { padding: 0.15rem 0.5rem; border-bottom: 1px solid #ddd;"
             " white-space: nowrap; }"
             ".shnor-slide-table th { text-align: left; white-space: normal; }"
             ".shnor-slide-table td:nth-child(4) { white-space: normal; }"
             ".shnor-slide-table .shnor-muted { color: #555; font-size: 0.85em; }"
             ".shnor-slide-table tr.shnor-needs td:nth-child(3) { color: #b03a00; font-weight: 700; }</style>")
_SWATCH = ('<span style="display:inline-block;width:0.9em;height:0.9em;border-radius:50%;background:{};'
           'border:1px solid #333;margin:0 0.3em 0 0.9em;vertical-align:-0.1em"></span>{}')


def map_legend_html(categories: pd.Series, names: dict[str, str], colours: dict[str, str], lines: str) -> str:
    """The map slide's legend: a swatch and count per category present (not «biased»), then what
    the lines mean."""
    counts = categories.value_counts()
    legend = "".join(_SWATCH.format(colours[c], html_text(f"{name}: {int(counts.get(c, 0))}"))
                     for c, name in names.items() if c != "biased" and counts.get(c, 0))
    return f'<div style="font-size:1.0rem;line-height:1.6">{legend} · {html.escape(lines)}</div>'


def factor_list_html(factor_names) -> str:
    """The heatmap slide's numbered factor names."""
    items = "".join(f"<li>{html_text(n)}</li>" for n in factor_names)
    return (f'<ol class="shnor-factors" style="font-size:0.95rem;line-height:1.25;padding-left:1.3rem;'
            f'margin-top:0.5rem">{items}</ol>')


def attention_table_html(rows, headers: list[str], open_passport: str) -> str:
    """The attention slide's ranking (``presentation.views.attention.slide_rows``); the municipality
    under the school's name, so the reasons get the width and stay on one or two lines."""
    body = "".join(
        "<tr" + (' class="shnor-needs"' if r["needs"] else "") + ">" + "".join(f"<td>{cell}</td>" for cell in (
            r["rank"], f'{html_text(r["name"])}<br><span class="shnor-muted">{html_text(r["municipality"])}</span>',
            r["score"],
            html_text(" · ".join(r["reasons"])),
            f'<a href="passport?school={html_text(quote(r["school_id"], safe=""))}" target="_self">'
            f'{html.escape(open_passport)}</a>'))
        + "</tr>" for r in rows)
    return ('<table class="shnor-slide-table"><thead><tr>' + "".join(f"<th>{html.escape(h)}</th>" for h in headers)
            + f"</tr></thead><tbody>{body}</tbody></table>")


def checkpoint_targets(progress: pd.DataFrame, language: str) -> list[tuple[float, str]]:
    """The completion chart's target lines: the last checkpoint passed and the next one."""
    passed, ahead = progress[progress["passed"]], progress[~progress["passed"]]
    chosen = ([passed.iloc[-1]] if not passed.empty else []) + ([ahead.iloc[0]] if not ahead.empty else [])
    return [(float(p["target_share"]), text(language, "roadmaps.target_line", target=fmt.percent(p["target_share"], language, 0),
                                            date=fmt.date(p["checkpoint_date"], language)))
            for p in chosen]
