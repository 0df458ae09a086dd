"""The sections of «Карта школ и наставники» (pages/map.py), each drawn from one :class:`MapView`:
the view choices, the assignment parameters, the legend, the map with the school card, the
assignment's figures and its tabs. Legend HTML, figures and tables come from
``presentation.views.map``; what is here is Streamlit layout."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
import streamlit as st

from analytics import access, basemap, catalog, mentoring, school_map, small_numbers
from presentation.figures import school_map as map_figures
from presentation.figures.school_map import NO_DATA_COLOUR, choropleth_bins, draws_selection, school_map_click
from presentation.figures.style import CATEGORY_COLOURS
from presentation.safe import md, plain
from presentation.views import map as views
from ui import export, map_view, navigation, uploads, url_state
from ui import tables as grid
from ui.cache import compute, settings, store
from ui.text import metric_delta, num, pct, t
from ui.writes import WriteRefused, import_target

MODES = ("schools", "choropleth")
INDICATORS = ("listed_share", "vpr_share2")
LINES = ("current", "proposal", "none")
# On a 1280-px screen: who, with whom, how far; the school codes and the straight-line distance are in
# the table's column menu and the download.
PAIRS_WIDTHS = {"mentee_name": 160, "mentor_name": 160, "km": 100, "km_kind": 105, "road_km": 100, "beyond_limit": 85}
PAIRS_HIDDEN = ["mentee_school_id", "mentor_school_id", "straight_km"]


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


def map_and_card(shown: MapView) -> None:
    # Built and processed by folium/streamlit-folium only when no map is cached for this data
    # version, user scope and view (ui.map_view): the view names everything build uses.
    scope, mode, indicator, selected, lang = shown.scope, shown.mode, shown.indicator, shown.selected, shown.lang
    schools, region_id = shown.schools, shown.region_id
    tiles = (shown.config.extra.get("map_tiles_url"), shown.config.extra.get("map_tiles_attribution", ""))
    view = {"region_id": region_id, "municipality_id": shown.municipality_id, "year": scope.year,
            "list_year": shown.list_year, "as_of": shown.as_of, "vpr": shown.vpr_filter, "mode": mode,
            "indicator": indicator if mode == "choropleth" else None, "lines": shown.lines_view,
            "selected": selected if draws_selection(schools, mode) else None, "language": lang, "tiles": tiles}

    def build():
        texts = {
            "scale_m": t("map.scale_m"), "scale_km": t("map.scale_km"),
            "km_road": t("map.km_road"), "km_straight": t("map.km_straight"), "km_estimate": t("map.km_estimate"),
            "category": t("map.category"), "categories": shown.categories, "municipality": t("map.municipality"),
            "vpr_participants": t("map.vpr_participants"), "vpr_share2": t("map.vpr_share2"),
            "min_n": settings().min_n, "little_data_n": t("figures.little_data_n", n="{n}"),
            "roadmap": t("map.roadmap"),
            "area_value": lambda row: t("map.area_value", value=pct(getattr(row, indicator)), schools=num(row.schools),
                                        listed=num(row.listed)),
        }
        return map_figures.build_map(schools, shown.areas, shown.drawn_pairs, texts, lang, mode=mode, indicator=indicator,
                         selected=selected, tiles_url=tiles[0], tiles_attribution=tiles[1],
                         places=compute(basemap.places, region_id), roads=compute(basemap.roads, region_id))

    map_column, card_column = st.columns([3, 1])
    with map_column:
        returned = map_view.show_map(build, view, key="school_map", height=640, use_container_width=True,
                                     returned_objects=["last_object_clicked", "last_object_clicked_tooltip"])
    clicked = school_map_click(returned, schools, set(shown.categories.values()))
    if clicked and clicked != selected:
        st.session_state["map_school"] = clicked
        st.rerun()
    with card_column:
        school_card(shown)
    if mode == "schools" and shown.list_year is not None:
        st.caption(t("map.synthetic_categories", year=shown.list_year))


def school_card(shown: MapView) -> None:
    selected, config = shown.selected, shown.config
    if not selected:
        st.info(t("map.click_hint"))
        return
    school = shown.schools[shown.schools["school_id"] == selected].iloc[0]
    st.subheader(md(school["short_name"]))
    st.caption(f"{md(school['name'])} · {t('map.card_code')} {md(selected)}")
    st.markdown(f"**{t('map.category')}:** {shown.categories.get(school['category'], school['category'])}  \n"
                f"**{t('map.municipality')}:** {md(school['municipality'])}  \n"
                f"**{t('map.card_type')}:** {t('codes.school_type.' + school['school_type'])}")
    small = not small_numbers.enough(school["vpr_participants"], min_n=config.min_n)
    st.metric(t("map.vpr_share2"), t("figures.little_data_n", n=int(school["vpr_participants"])) if small
              else pct(school["vpr_share2"]),
              help=t("map.card_vpr_help", min_n=config.min_n))
    st.caption(f"{t('map.vpr_participants')}: {num(school['vpr_participants'])}")
    st.metric(t("map.roadmap"), pct(school["roadmap_share"], 0) if school["units_planned"] else "—",
              help=t("map.card_roadmap_help"))
    if school["units_planned"]:
        st.caption(t("map.card_roadmap_value", share=pct(school["roadmap_share"], 0), done=int(school["units_done"]),
                     planned=int(school["units_planned"])))
    if shown.list_year is not None:
        current = compute(school_map.current_pairs, shown.region_id, shown.municipality_id, shown.list_year)
        mine = current[current["mentee_school_id"] == selected]
        mentees = current[current["mentor_school_id"] == selected]
        st.markdown(f"**{t('map.card_mentor')}:** {views.pair_lines(mine, 'mentor_name', shown.lang) or t('map.card_none')}")
        if len(mentees):
            st.markdown(f"**{t('map.card_mentees')}:** " + views.pair_lines(mentees, "mentee_name", shown.lang))
    navigation.link("passport", t("map.passport"), query_params={"school": selected})


def assignment_figures(shown: MapView) -> None:
    proposal = shown.proposal
    st.subheader(t("map.assign_title") + ": " + t(f"map.method_{shown.method}"))
    st.caption(t("map.eligible", count=num(proposal["eligible_mentors"])))
    columns = st.columns(5, border=True)
    for column, figure in zip(columns, views.assignment_figures(proposal["summary"], proposal["current_summary"],
                                                                shown.lang)):
        column.metric(figure["label"], figure["value"], delta=metric_delta(figure["change"]),
                      delta_color=figure["delta_color"], delta_arrow=figure["delta_arrow"], help=t("map.metric_help"))


def assignment_tabs(shown: MapView) -> None:
    lang, list_year, method = shown.lang, shown.list_year, shown.method
    # Formatted once per proposal, language, data version and user scope, not on every rerun.
    tables = map_view.cached("assignment_tables", {"proposal": shown.proposal_call, "language": lang},
                             lambda: views.assignment_tables(shown.proposal, lang))
    tabs = st.tabs([t("map.tab_pairs"), t("map.tab_compare"), t("map.tab_unassigned", count=tables["unassigned_count"]),
                    t("map.tab_manual"), t("map.tab_roads")])
    with tabs[0]:
        grid.dataframe(tables["pairs"], pinned=t("map.columns.mentee_name"),
                       first=[t(f"map.columns.{c}") for c in PAIRS_WIDTHS],
                       widths={t(f"map.columns.{c}"): w for c, w in PAIRS_WIDTHS.items()},
                       wrap=[t("map.columns.mentee_name"), t("map.columns.mentor_name")],
                       hidden=[t(f"map.columns.{c}") for c in PAIRS_HIDDEN])
        export.download_buttons(tables["pairs"], f"mentor_proposal_{list_year}_{method}", key="map_proposal")
    with tabs[1]:
        grid.dataframe(tables["comparison"])
        export.download_buttons(tables["comparison"], f"mentor_comparison_{list_year}", key="map_comparison")
    with tabs[2]:
        if tables["unassigned"] is None:
            st.success(t("map.all_assigned"))
        else:
            grid.dataframe(tables["unassigned"])
            export.download_buttons(tables["unassigned"], f"mentor_unassigned_{list_year}", key="map_unassigned")
    with tabs[3]:
        manual_pairs(shown)
    with tabs[4]:
        road_distances()


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
