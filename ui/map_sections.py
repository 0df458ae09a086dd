"""The sections of «Карта школ и наставники» (pages/map.py), each drawn from one :class:`MapView`:
the view choices, the assignment parameters, the pairs drawn, the legend, and the two ways to
change pairs (manual pairs, road distances). The map with the school card is in ``ui.map_card``,
the proposed assignment in ``ui.map_assignment``. Legend HTML and tables come from
``presentation.views.map``; what is here is Streamlit layout."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
import streamlit as st

from analytics import access, catalog, mentoring, school_map
from presentation.figures.school_map import NO_DATA_COLOUR, choropleth_bins
from presentation.figures.style import CATEGORY_COLOURS
from presentation.safe import plain
from presentation.views import map as views
from ui import export, uploads, url_state
from ui import tables as grid
from ui.cache import compute, store
from ui.text import pct, t
from ui.writes import WriteRefused, import_target

MODES = ("schools", "choropleth")
INDICATORS = ("listed_share", "vpr_share2")
LINES = ("current", "proposal", "none")


@dataclass
class MapView:
    """The map a page shows: the sidebar's view, the choices above the map and what they select."""
    scope: object            # the sidebar's view (ui.filters.current_scope)
    lang: str
    config: object           # ui.cache.settings()
    as_of: dt.date
    list_year: int | None
    mode: str = "schools"
    country: bool = False
    schools: pd.DataFrame = None
    areas: pd.DataFrame = None
    method: str = "total"
    proposal: dict | None = None
    proposal_call: tuple | None = None
    selected: str | None = None
    drawn_pairs: pd.DataFrame = None
    lines_view: tuple = ()
    categories: dict = field(default_factory=dict)

    @property
    def vpr_filter(self) -> tuple:
        scope = self.scope
        return (scope.subject_id, scope.grade) if scope.procedure == "VPR" else (None, None)

    @property
    def region_id(self):
        return None if self.country else self.scope.region_id

    @property
    def municipality_id(self):
        return None if self.country else self.scope.municipality_id

    @property
    def indicator(self) -> str:
        return st.session_state["map_indicator"]

    @property
    def lines(self) -> str:
        return st.session_state["map_lines"]


def choose(shown: MapView) -> None:
    """The mode, indicator or lines, and the whole country (kept in the URL), and the schools and
    areas they select; stops the page when there are no schools."""
    shown.categories = {c: t(f"codes.category.{c}") for c in CATEGORY_COLOURS}
    controls = st.columns([5, 3, 1, 1])    # «Муниципалитеты по показателю» whole at 1280 px
    shown.mode = url_state.choice(controls[0].segmented_control, t("map.mode"), key="map_mode", url="map_mode",
                                  options=MODES, default="schools", required=True,
                                  format_func=lambda m: t(f"map.mode_{m}"), report=False)
    if shown.mode == "choropleth":
        url_state.choice(controls[1].selectbox, t("map.indicator"), key="map_indicator", url="map_indicator",
                         options=INDICATORS, default="listed_share", help=t("map.indicator_help"),
                         format_func=lambda i: t(f"map.indicator_{i}"), report=False)
    else:
        url_state.choice(controls[1].selectbox, t("map.lines"), key="map_lines", url="map_lines", options=LINES,
                         default="current", format_func=lambda v: t(f"map.lines_{v}"), report=False)
    # The hidden one of the two keeps its value (and its URL) for when the mode comes back.
    url_state.seed("map_indicator", "map_indicator", INDICATORS, "listed_share", report=False)
    url_state.seed("map_lines", "map_lines", LINES, "current", report=False)
    if len(compute(catalog.regions)) > 1:
        shown.country = controls[3].toggle(t("map.country"), key="map_country", help=t("map.country_help"))

    year, list_year = shown.scope.year, shown.list_year
    shown.schools = school_map.with_roadmap(  # apart: a status saved leaves the ВПР part cached
        compute(school_map.schools_with_vpr, shown.region_id, shown.municipality_id, year, list_year,
                *shown.vpr_filter),
        compute(school_map.roadmap_of_schools, shown.region_id, shown.municipality_id, year, shown.as_of))
    shown.areas = compute(school_map.areas_for_map, shown.region_id, year, list_year, shown.as_of, *shown.vpr_filter)
    if shown.schools.empty:
        st.info(t("app.no_data"))
        st.stop()


def assignment_parameters(shown: MapView) -> None:
    """Above the map: the proposal can be drawn on it."""
    rules = mentoring.rules_from_settings(shown.config.extra)
    with st.expander(t("map.assign_title") + " — " + t("map.method").lower(), expanded=False):
        st.caption(t("map.assign_help", quantile=pct(rules.mentor_quantile, 0), min_n=rules.min_participants))
        p = st.columns(5)
        shown.method = url_state.choice(p[0].selectbox, t("map.method"), key="map_method", url="map_method",
                                        options=mentoring.METHODS, default="total", help=t("map.method_help"),
                                        format_func=lambda m: t(f"map.method_{m}"), report=False)
        capacity = p[1].number_input(t("map.capacity"), 1, 20, rules.capacity, key="map_capacity")
        max_km = p[2].number_input(t("map.max_km"), 5.0, 1000.0, float(rules.max_km or 60.0), 5.0,
                                   key="map_max_km")
        road_factor = p[3].number_input(t("map.road_factor"), 1.0, 3.0, rules.road_factor, 0.05,
                                        key="map_road_factor", help=t("map.road_factor_help"))
        same_municipality = p[4].checkbox(t("map.same_municipality"), rules.same_municipality,
                                          key="map_same_municipality")
    if shown.list_year is not None and not shown.country:
        scope = shown.scope
        shown.proposal_call = ((scope.region_id, scope.municipality_id, scope.year, shown.list_year, shown.method),
                               dict(capacity=int(capacity), max_km=float(max_km),
                                    same_municipality=bool(same_municipality), road_factor=float(road_factor),
                                    mentor_quantile=rules.mentor_quantile, min_participants=rules.min_participants))
        shown.proposal = compute(mentoring.propose, *shown.proposal_call[0], **shown.proposal_call[1])


def draw_pairs(shown: MapView) -> None:
    """The pairs drawn: mentors at their ends take the legend's mentor colour."""
    lines = shown.lines
    if shown.mode == "schools" and lines == "proposal" and shown.proposal is not None:
        shown.lines_view = ("proposal", shown.proposal_call[0], tuple(sorted(shown.proposal_call[1].items())))
        shown.drawn_pairs = shown.proposal["pairs"]
    elif shown.mode == "schools" and lines == "current" and shown.list_year is not None:
        shown.lines_view = ("current", shown.list_year)
        shown.drawn_pairs = compute(school_map.current_pairs, shown.region_id, shown.municipality_id, shown.list_year)
    else:   # no lines: the pairs of year -1 (there are none)
        shown.lines_view = ("none",)
        shown.drawn_pairs = compute(school_map.current_pairs, shown.region_id, shown.municipality_id, -1)
    shown.schools = school_map.with_pair_roles(shown.schools, shown.drawn_pairs)


def legend(shown: MapView) -> None:
    if shown.mode == "choropleth":
        st.markdown(views.choropleth_legend(choropleth_bins(shown.areas[shown.indicator]), NO_DATA_COLOUR, shown.lang),
                    unsafe_allow_html=True)
    else:
        st.markdown(views.schools_legend(shown.schools["category"], shown.categories, CATEGORY_COLOURS, shown.lang),
                    unsafe_allow_html=True)
    if shown.mode != "choropleth" and shown.lines != "none":
        st.caption(t("map.legend_lines"))


def manual_pairs(shown: MapView) -> None:
    list_year, schools = shown.list_year, shown.schools
    st.caption(t("map.manual_intro", year=list_year))
    listed = schools[schools["category"] == "low_results"]
    names = dict(zip(schools["school_id"], schools["short_name"]))
    if not access.current().can("edit_mentors"):
        st.info(t("access.read_only"))
    else:
        with st.form("map_manual"):
            mentee = st.selectbox(t("map.manual_mentee"), listed["school_id"].tolist(),
                                  format_func=lambda s: plain(names.get(s, s)))
            listed_ids = set(listed["school_id"])
            mentor_options = [""] + [s for s in schools["school_id"] if s not in listed_ids]
            mentor = st.selectbox(t("map.manual_mentor"), mentor_options,
                                  format_func=lambda s: t("map.manual_remove") if s == ""
                                  else plain(f"{names.get(s, s)} ({s})"))
            road_km = st.number_input(t("map.manual_road"), min_value=0.0, value=None, step=1.0)
            user = st.text_input(t("map.manual_user"))
            reason = st.text_input(t("map.manual_reason"))
            if st.form_submit_button(t("map.manual_save")):
                if not user.strip():
                    st.error(t("map.manual_need_user"))
                elif mentee:
                    mentoring.set_pair(store(), list_year, mentee, mentor or None, user, road_km or None, reason or None)
                    st.success(t("map.manual_saved"))
    log = compute(mentoring.changes, list_year)
    if not log.empty:
        st.markdown(f"**{t('map.manual_log')}**")
        table = views.table(log, views.CHANGE_LOG_COLUMNS, shown.lang)
        grid.dataframe(table)
        export.download_buttons(table, f"mentor_changes_{list_year}", key="map_changes")


def road_distances() -> None:
    st.caption(t("map.roads_intro"))
    upload = uploads.file_uploader(t("map.roads_file"), ["csv"], key="map_roads_file")
    road_user = st.text_input(t("map.manual_user"), key="map_roads_user")
    if not access.current().can("import_data"):
        st.info(t("access.read_only"))
    elif upload is not None and st.button(t("map.roads_import"), key="map_roads_import"):
        if not road_user.strip():
            st.error(t("map.manual_need_user"))
        else:
            try:
                with import_target(road_user) as target:     # served mode: the master file, then published
                    stored, rejected = mentoring.import_road_distances(target, upload.getvalue(), road_user,
                                                                       upload.name)
            except (ValueError, UnicodeDecodeError) as error:
                st.error(t("map.roads_error", message=str(error)))
            except WriteRefused as refused:
                st.error(refused.message)
            else:
                st.success(t("map.roads_done", count=stored))
                if len(rejected):
                    st.warning(t("map.roads_rejected", count=len(rejected)))
                    grid.dataframe(rejected)
