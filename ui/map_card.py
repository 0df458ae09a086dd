"""The map of «Карта школ и наставники» (pages/map.py) and the card of the school clicked on it,
drawn from one :class:`ui.map_sections.MapView`. The map is built by
``presentation.figures.school_map`` (through its module: tests count the builds) and shown through
``ui.map_view``, which caches it per view."""
from __future__ import annotations

import streamlit as st

from analytics import basemap, school_map, small_numbers
from presentation.figures import school_map as map_figures
from presentation.figures.school_map import draws_selection, school_map_click
from presentation.safe import md
from presentation.views import map as views
from ui import map_view, navigation
from ui.cache import compute, settings
from ui.map_sections import MapView
from ui.text import num, pct, t


def map_and_card(shown: MapView) -> None:
    """The map (a click selects a school and reruns the page) and the selected school's card."""
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
    """Category, results, roadmap and mentor pairs of the selected school; a hint while none is."""
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
