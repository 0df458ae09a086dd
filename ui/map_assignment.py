"""The mentor assignment proposed on «Карта школ и наставники» (pages/map.py): its headline figures
and its tabs (pairs, comparison with the current pairs, schools left without a mentor, manual
pairs, road distances), drawn from one :class:`ui.map_sections.MapView`. Figures and tables come
from ``presentation.views.map``."""
from __future__ import annotations

import streamlit as st

from presentation.views import map as views
from ui import export, lazy, map_sections as sections, map_view
from ui import tables as grid
from ui.map_sections import MapView
from ui.text import metric_delta, num, t

# On a 1280-px screen: who, with whom, how far; the school codes and the straight-line distance are in
# the table's column menu and the download.
PAIRS_WIDTHS = {"mentee_name": 160, "mentor_name": 160, "km": 100, "km_kind": 105, "road_km": 100, "beyond_limit": 85}
PAIRS_HIDDEN = ["mentee_school_id", "mentor_school_id", "straight_km"]


def assignment_figures(shown: MapView) -> None:
    """The proposal's five figures against the current pairs."""
    proposal = shown.proposal
    st.subheader(t("map.assign_title") + ": " + t(f"map.method_{shown.method}"))
    st.caption(t("map.eligible", count=num(proposal["eligible_mentors"])))
    columns = st.columns(5, border=True)
    for column, figure in zip(columns, views.assignment_figures(proposal["summary"], proposal["current_summary"],
                                                                shown.lang)):
        column.metric(figure["label"], figure["value"], delta=metric_delta(figure["change"]),
                      delta_color=figure["delta_color"], delta_arrow=figure["delta_arrow"], help=t("map.metric_help"))


def assignment_tabs(shown: MapView) -> None:
    """The proposal's tables and the ways to change pairs by hand."""
    lang, list_year, method = shown.lang, shown.list_year, shown.method
    # Formatted once per proposal, language, data version and user scope, not on every rerun.
    tables = map_view.cached("assignment_tables", {"proposal": shown.proposal_call, "language": lang},
                             lambda: views.assignment_tables(shown.proposal, lang))
    # Only the open one of the three tables is sent (ui.lazy), the URL keeps it (``?map_tab=``); the
    # manual pairs and road distances are drawn always: a form or a file half filled survives a look.
    tabs, open_tab = lazy.tabs({"pairs": t("map.tab_pairs"), "compare": t("map.tab_compare"),
                                "unassigned": t("map.tab_unassigned", count=tables["unassigned_count"]),
                                "manual": t("map.tab_manual"), "roads": t("map.tab_roads")},
                               key="map_tabs", url="map_tab")
    if open_tab == "pairs":
        with tabs["pairs"]:
            grid.dataframe(tables["pairs"], pinned=t("map.columns.mentee_name"),
                           first=[t(f"map.columns.{c}") for c in PAIRS_WIDTHS],
                           widths={t(f"map.columns.{c}"): w for c, w in PAIRS_WIDTHS.items()},
                           wrap=[t("map.columns.mentee_name"), t("map.columns.mentor_name")],
                           hidden=[t(f"map.columns.{c}") for c in PAIRS_HIDDEN])
            export.download_buttons(tables["pairs"], f"mentor_proposal_{list_year}_{method}", key="map_proposal")
    elif open_tab == "compare":
        with tabs["compare"]:
            grid.dataframe(tables["comparison"])
            export.download_buttons(tables["comparison"], f"mentor_comparison_{list_year}", key="map_comparison")
    elif open_tab == "unassigned":
        with tabs["unassigned"]:
            if tables["unassigned"] is None:
                st.success(t("map.all_assigned"))
            else:
                grid.dataframe(tables["unassigned"])
                export.download_buttons(tables["unassigned"], f"mentor_unassigned_{list_year}", key="map_unassigned")
    with tabs["manual"]:
        sections.manual_pairs(shown)
    with tabs["roads"]:
        sections.road_distances()
