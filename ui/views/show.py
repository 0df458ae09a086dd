"""Views of the «Показ» slides (see ui/views/__init__.py): charts fitted to a slide.

Each builder returns its figure already fitted (``ui.present.fit``: presentation-mode text
size, fixed height and width), so the cached figure is drawn as it is."""
from __future__ import annotations

import pandas as pd

from analytics import flows, risks
from ui.figures import roadmaps as roadmap_figures
from ui.figures.identification import list_sankey
from ui.figures.risks import risk_heatmap
from ui.i18n import text
from ui.present import fit


def flows_slide(members: pd.DataFrame, year: int, labels: dict, language: str, height: int, width: int, on: bool):
    """(list flows Sankey, the last year's counts), or None with fewer than two lists."""
    years = flows.flow_years(members, year)
    if not years:
        return None
    figure = fit(list_sankey(flows.sankey_links(members, years), labels, None, language), height, width, on)
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
    figure = roadmap_figures.checkpoint_bars(progress, labels, title, language)
    return fit(figure.update_layout(**below), height, width, on)


def completion_slide(by: pd.DataFrame, dimension: str, targets: list, labels: dict, below: dict, language: str,
                     height: int, width: int, on: bool):
    if dimension == "municipality":
        by = by.assign(name=by["name"].where(by["key"] != "", text(language, "roadmaps.regional_level")))
    figure = roadmap_figures.completion_bars(by, targets, labels, text(language, f"roadmaps.by_{dimension}"), language)
    return fit(figure.update_layout(xaxis_title=None, **below), height, width, on)
