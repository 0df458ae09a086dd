"""School map with categories and mentor lines, the school card, and mentor assignment."""
import html

import streamlit as st

from analytics.query import as_of_date
from analytics import access, basemap, catalog, mentoring, overview, school_map, small_numbers
from ui import export, map_view, navigation, uploads, url_state
from ui import tables as grid
from ui.cache import compute, settings, store
from presentation.figures.school_map import NO_DATA_COLOUR, build_map, choropleth_bins, draws_selection, school_map_click
from presentation.figures.style import CATEGORY_COLOURS
from ui.filters import current_scope
from presentation.safe import html_text, md, plain
from ui.shell import page_header
from ui.text import language, metric_delta, num, pct, signed, t

MODES = ("schools", "choropleth")
INDICATORS = ("listed_share", "vpr_share2")
LINES = ("current", "proposal", "none")


scope = current_scope()
page_header(t("map.title"), scope, show_assessment=False)
lang = language()
config = settings()
rules_default = mentoring.rules_from_settings(config.extra)
as_of = as_of_date(scope.year, config.today)
list_year = compute(overview.latest_list_year, scope.year)
categories = {c: t(f"codes.category.{c}") for c in CATEGORY_COLOURS}
vpr_filter = (scope.subject_id, scope.grade) if scope.procedure == "VPR" else (None, None)

# -- view choices --------------------------------------------------------------------------
controls = st.columns([5, 3, 1, 1])    # «Муниципалитеты по показателю» whole at 1280 px
mode = url_state.choice(controls[0].segmented_control, t("map.mode"), key="map_mode", url="map_mode",
                        options=MODES, default="schools", required=True, format_func=lambda m: t(f"map.mode_{m}"),
                        report=False)
if mode == "choropleth":
    url_state.choice(controls[1].selectbox, t("map.indicator"), key="map_indicator", url="map_indicator",
                     options=INDICATORS, default="listed_share", help=t("map.indicator_help"),
                     format_func=lambda i: t(f"map.indicator_{i}"), report=False)
else:
    url_state.choice(controls[1].selectbox, t("map.lines"), key="map_lines", url="map_lines", options=LINES,
                     default="current", format_func=lambda v: t(f"map.lines_{v}"), report=False)
# The hidden one of the two keeps its value (and its URL) for when the mode comes back.
indicator_key = url_state.seed("map_indicator", "map_indicator", INDICATORS, "listed_share", report=False)
lines_key = url_state.seed("map_lines", "map_lines", LINES, "current", report=False)
country = False
if len(compute(catalog.regions)) > 1:
    country = controls[3].toggle(t("map.country"), key="map_country", help=t("map.country_help"))

region_id = None if country else scope.region_id
municipality_id = None if country else scope.municipality_id
schools = school_map.with_roadmap(  # apart: a status saved leaves the ВПР part cached
    compute(school_map.schools_with_vpr, region_id, municipality_id, scope.year, list_year, *vpr_filter),
    compute(school_map.roadmap_of_schools, region_id, municipality_id, scope.year, as_of))
areas = compute(school_map.areas_for_map, region_id, scope.year, list_year, as_of, *vpr_filter)
if schools.empty:
    st.info(t("app.no_data"))
    st.stop()

# -- assignment parameters (above the map: the proposal can be drawn on it) ---------------------
with st.expander(t("map.assign_title") + " — " + t("map.method").lower(), expanded=False):
    st.caption(t("map.assign_help", quantile=pct(rules_default.mentor_quantile, 0), min_n=rules_default.min_participants))
    p = st.columns(5)
    method = url_state.choice(p[0].selectbox, t("map.method"), key="map_method", url="map_method",
                              options=mentoring.METHODS, default="total", help=t("map.method_help"),
                              format_func=lambda m: t(f"map.method_{m}"), report=False)
    capacity = p[1].number_input(t("map.capacity"), 1, 20, rules_default.capacity, key="map_capacity")
    max_km = p[2].number_input(t("map.max_km"), 5.0, 1000.0, float(rules_default.max_km or 60.0), 5.0,
                               key="map_max_km")
    road_factor = p[3].number_input(t("map.road_factor"), 1.0, 3.0, rules_default.road_factor, 0.05,
                                    key="map_road_factor", help=t("map.road_factor_help"))
    same_municipality = p[4].checkbox(t("map.same_municipality"), rules_default.same_municipality,
                                      key="map_same_municipality")
proposal = proposal_call = None
if list_year is not None and not country:
    proposal_call = ((scope.region_id, scope.municipality_id, scope.year, list_year, method),
                     dict(capacity=int(capacity), max_km=float(max_km), same_municipality=bool(same_municipality),
                          road_factor=float(road_factor), mentor_quantile=rules_default.mentor_quantile,
                          min_participants=rules_default.min_participants))
    proposal = compute(mentoring.propose, *proposal_call[0], **proposal_call[1])

# -- selection from the URL or the last click ---------------------------------------------------
if "map_school" not in st.session_state:
    st.session_state["map_school"] = st.query_params.get("school")
selected = st.session_state.get("map_school")
if selected and not (schools["school_id"] == selected).any():
    st.caption(t("map.unknown_school"))
    selected = None
if selected:
    st.query_params["school"] = selected
else:
    st.query_params.pop("school", None)

# -- the pairs drawn: mentors at their ends take the legend's mentor colour ----------------------
lines_choice = st.session_state[lines_key]
if mode == "schools" and lines_choice == "proposal" and proposal is not None:
    lines_view = ("proposal", proposal_call[0], tuple(sorted(proposal_call[1].items())))
    drawn_pairs = proposal["pairs"]
elif mode == "schools" and lines_choice == "current" and list_year is not None:
    lines_view = ("current", list_year)
    drawn_pairs = compute(school_map.current_pairs, region_id, municipality_id, list_year)
else:   # no lines: the pairs of year -1 (there are none)
    lines_view = ("none",)
    drawn_pairs = compute(school_map.current_pairs, region_id, municipality_id, -1)
schools = school_map.with_pair_roles(schools, drawn_pairs)

# -- legend -------------------------------------------------------------------------------------
# Each item in its own no-wrap box, so a colour dot never ends a line apart from its label.
swatch = '<span style="white-space:nowrap;margin-right:1.2em"><span style="display:inline-block;width:0.9em;' \
         'height:0.9em;border-radius:50%;background:{};border:1px solid #333;margin-right:0.35em;' \
         'vertical-align:-0.1em"></span>{}</span>'
if mode == "choropleth":
    bins = choropleth_bins(areas[st.session_state[indicator_key]])
    items = [swatch.format(c, html.escape(t("map.legend_choropleth", low=pct(lo), high=pct(hi)))) for lo, hi, c in bins]
    items.append(swatch.format(NO_DATA_COLOUR, html.escape(t("map.no_data_colour"))))
else:
    counts = schools["category"].value_counts()
    items = [swatch.format(CATEGORY_COLOURS[c], html_text(t("map.legend_schools", name=name, count=int(counts.get(c, 0)))))
             for c, name in categories.items() if c != "biased"]
st.markdown('<div style="font-size:1.05rem;line-height:2">' + "".join(items) + "</div>", unsafe_allow_html=True)
if mode != "choropleth" and st.session_state[lines_key] != "none":
    st.caption(t("map.legend_lines"))

# -- the map --------------------------------------------------------------------------------------
# Built and processed by folium/streamlit-folium only when no map is cached for this data
# version, user scope and view (ui.map_view): the view names everything _build_map uses.
indicator = st.session_state[indicator_key]
tiles = (config.extra.get("map_tiles_url"), config.extra.get("map_tiles_attribution", ""))
view = {"region_id": region_id, "municipality_id": municipality_id, "year": scope.year, "list_year": list_year,
        "as_of": as_of, "vpr": vpr_filter, "mode": mode, "indicator": indicator if mode == "choropleth" else None,
        "lines": lines_view, "selected": selected if draws_selection(schools, mode) else None, "language": lang,
        "tiles": tiles}


def _build_map():
    texts = {
        "scale_m": t("map.scale_m"), "scale_km": t("map.scale_km"),
        "km_road": t("map.km_road"), "km_straight": t("map.km_straight"), "km_estimate": t("map.km_estimate"),
        "category": t("map.category"), "categories": categories, "municipality": t("map.municipality"),
        "vpr_participants": t("map.vpr_participants"), "vpr_share2": t("map.vpr_share2"),
        "min_n": settings().min_n, "little_data_n": t("figures.little_data_n", n="{n}"), "roadmap": t("map.roadmap"),
        "area_value": lambda row: t("map.area_value", value=pct(getattr(row, indicator)), schools=num(row.schools),
                                    listed=num(row.listed)),
    }
    return build_map(schools, areas, drawn_pairs, texts, lang, mode=mode, indicator=indicator, selected=selected,
                     tiles_url=tiles[0], tiles_attribution=tiles[1], places=compute(basemap.places, region_id),
                     roads=compute(basemap.roads, region_id))


map_column, card_column = st.columns([3, 1])
with map_column:
    returned = map_view.show_map(_build_map, view, key="school_map", height=640, use_container_width=True,
                                 returned_objects=["last_object_clicked", "last_object_clicked_tooltip"])
clicked = school_map_click(returned, schools, set(categories.values()))
if clicked and clicked != selected:
    st.session_state["map_school"] = clicked
    st.rerun()

with card_column:
    if not selected:
        st.info(t("map.click_hint"))
    else:
        school = schools[schools["school_id"] == selected].iloc[0]
        st.subheader(md(school["short_name"]))
        st.caption(f"{md(school['name'])} · {t('map.card_code')} {md(selected)}")
        st.markdown(f"**{t('map.category')}:** {categories.get(school['category'], school['category'])}  \n"
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
        if list_year is not None:
            current = compute(school_map.current_pairs, region_id, municipality_id, list_year)
            mine = current[current["mentee_school_id"] == selected]
            mentees = current[current["mentor_school_id"] == selected]
            mentor_text = "; ".join(f"{md(r.mentor_name)} ({t('map.km_' + r.km_kind, km=num(r.km))})"
                                    for r in mine.itertuples()) or t("map.card_none")
            st.markdown(f"**{t('map.card_mentor')}:** {mentor_text}")
            if len(mentees):
                st.markdown(f"**{t('map.card_mentees')}:** " + "; ".join(
                    f"{md(r.mentee_name)} ({t('map.km_' + r.km_kind, km=num(r.km))})" for r in mentees.itertuples()))
        navigation.link("passport", t("map.passport"), query_params={"school": selected})
if mode == "schools" and list_year is not None:
    st.caption(t("map.synthetic_categories", year=list_year))

# -- assignment results ---------------------------------------------------------------------------
if proposal is None:
    st.caption(t("app.guardrail"))
    st.stop()

st.subheader(t("map.assign_title") + ": " + t(f"map.method_{method}"))
summary, now = proposal["summary"], proposal["current_summary"]
st.caption(t("map.eligible", count=num(proposal["eligible_mentors"])))
figures = st.columns(5, border=True)
for column, (label, key, decimals) in zip(figures, [("metric_assigned", "assigned", 0), ("metric_total", "total_km", 0),
                                                     ("metric_longest", "longest_km", 0), ("metric_beyond", "beyond_limit", 0),
                                                     ("metric_over", "mentors_over_capacity", 0)]):
    value = num(summary[key], decimals) if key != "assigned" else f"{summary['assigned']} / {summary['mentees']}"
    before = num(now[key], decimals) if key != "assigned" else f"{now['assigned']} / {now['mentees']}"
    # The arrow follows the change against the current assignment (down when the distance went
    # down); green when it is better: more schools assigned, fewer kilometres and overloads.
    change = summary[key] - now[key]
    column.metric(t(f"map.{label}"), value, delta=metric_delta(t("map.vs_current_change", change=signed(change, decimals),
                                                                 value=before)),
                  delta_color="normal" if key == "assigned" else "inverse", delta_arrow="auto" if change else "off",
                  help=t("map.metric_help"))


def _table(frame, columns):
    view = frame[columns].copy()
    for column in view.columns:
        if (column.startswith("km") or column.endswith("_km")) and column != "km_kind":
            view[column] = view[column].astype(float).round(1)
    if "km_kind" in view:
        view["km_kind"] = view["km_kind"].map(lambda k: t(f"map.km_kind_value.{k}") if isinstance(k, str) else k)
    if "reason" in view:
        view["reason"] = view["reason"].map(lambda r: t(f"map.reason_{r}"))
    return view.rename(columns={c: t(f"map.columns.{c}") for c in columns})


def _tables() -> dict:
    unassigned = proposal["unassigned"]
    return {
        "pairs": _table(proposal["pairs"].sort_values("km", ascending=False),
                        ["mentee_school_id", "mentee_name", "mentor_school_id", "mentor_name", "km", "km_kind",
                         "straight_km", "road_km", "beyond_limit"]),
        "comparison": _table(proposal["comparison"], ["mentee_school_id", "mentee_name", "mentor_school_id_current",
                                                      "km_current", "mentor_school_id_proposed", "km_proposed",
                                                      "changed", "km_saved"]),
        "unassigned": None if unassigned.empty else _table(unassigned, ["mentee_school_id", "mentee_name", "reason"]),
        "unassigned_count": len(unassigned),
    }


# Formatted once per proposal, language, data version and user scope, not on every rerun.
tables = map_view.cached("assignment_tables", {"proposal": proposal_call, "language": lang}, _tables)
tabs = st.tabs([t("map.tab_pairs"), t("map.tab_compare"), t("map.tab_unassigned", count=tables["unassigned_count"]),
                t("map.tab_manual"), t("map.tab_roads")])
# On a 1280-px screen: who, with whom, how far; the school codes and the straight-line distance are in
# the table's column menu and the download.
PAIRS_WIDTHS = {"mentee_name": 160, "mentor_name": 160, "km": 100, "km_kind": 105, "road_km": 100, "beyond_limit": 85}
PAIRS_HIDDEN = ["mentee_school_id", "mentor_school_id", "straight_km"]
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
    st.caption(t("map.manual_intro", year=list_year))
    listed = schools[schools["category"] == "low_results"]
    names = dict(zip(schools["school_id"], schools["short_name"]))
    if not access.current().can("edit_mentors"):
        st.info(t("access.read_only"))
    else:
        with st.form("map_manual"):
            mentee = st.selectbox(t("map.manual_mentee"), listed["school_id"].tolist(), format_func=lambda s: plain(names.get(s, s)))
            listed_ids = set(listed["school_id"])
            mentor_options = [""] + [s for s in schools["school_id"] if s not in listed_ids]
            mentor = st.selectbox(t("map.manual_mentor"), mentor_options,
                                  format_func=lambda s: t("map.manual_remove") if s == "" else plain(f"{names.get(s, s)} ({s})"))
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
        table = _table(log, ["year", "mentee_school_id", "old_mentor_school_id", "new_mentor_school_id", "road_km",
                             "reason", "changed_by", "changed_at"])
        grid.dataframe(table)
        export.download_buttons(table, f"mentor_changes_{list_year}", key="map_changes")
with tabs[4]:
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
                stored, rejected = mentoring.import_road_distances(store(), upload.getvalue(), road_user, upload.name)
            except (ValueError, UnicodeDecodeError) as error:
                st.error(t("map.roads_error", message=str(error)))
            else:
                st.success(t("map.roads_done", count=stored))
                if len(rejected):
                    st.warning(t("map.roads_rejected", count=len(rejected)))
                    grid.dataframe(rejected)
st.caption(t("app.guardrail"))
