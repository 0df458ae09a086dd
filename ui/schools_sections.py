"""The tabs of «Школы» (pages/schools.py), each drawn from one :class:`Lists` — the view,
the identification parameters and the sources of flags and the school table. Tables and figures
come from ``presentation.views.schools``; what is here is Streamlit layout."""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from analytics import flows, identification
from presentation.reasons import reasons_markdown
from presentation.safe import md, plain
from presentation.views import schools as views
from ui import export, navigation, tables, url_state
from ui.cache import compute, source, view
from ui.text import num, pct, t


# The widgets of each tab, kept while another tab is open (ui.lazy draws only the open one).
TAB_KEYS = {
    "list": ("schools_categories", "schools_only_official", "schools_search", "schools_school"),
    "compare": ("schools_compare_category",),
    "flows": ("schools_flow_source", "schools_flow_category"),
    "whatif": ("whatif_bottom", "whatif_consecutive", "whatif_min_participants", "whatif_social", "whatif_top",
               "whatif_higher", "whatif_margin", "whatif_category"),
}


def category_name(code: str) -> str:
    return t(f"codes.category.{code}")


@dataclass
class Lists:
    """What the tabs show: the view, its year, the parameters, and the shared sources."""
    scope: object
    year: int
    params: dict
    lang: str

    @property
    def geo(self) -> tuple:
        return self.scope.region_id, self.scope.municipality_id

    @property
    def last(self) -> int:
        """The last results year the lists use."""
        return self.year - int(self.params["lists"]["results_lag"])

    @property
    def flags(self):
        return source(identification.identify, self.scope.region_id, self.year, self.params)

    @property
    def table(self):
        return source(identification.school_table, *self.geo, self.year, self.params)


def school_list(s: Lists) -> None:
    """The schools with their categories and reasons; a click (or the picker, kept in the URL as
    ``?school=``) opens one below."""
    scope, year, params, lang, geo, flags, table = s.scope, s.year, s.params, s.lang, s.geo, s.flags, s.table
    last = s.last
    left, right = st.columns([3, 2])
    chosen = left.multiselect(t("schools.category_filter"), list(identification.CATEGORIES),
                              format_func=category_name, key="schools_categories",
                              placeholder=t("schools.choose"))
    only_official = st.toggle(t("schools.official_filter"), key="schools_only_official")
    search = right.text_input(t("schools.search"), key="schools_search")
    shown, listed_ids, labels = view(views.school_list, table, flags, tuple(chosen), only_official, search, lang)
    column = lambda key: t(f"schools.columns.{key}")  # noqa: E731
    event = tables.dataframe(shown, height=420, first=[column(c) for c in views.LIST_FIRST],
                             on_select="rerun", selection_mode="single-row", key="schools_list_table",
                             wrap=[column(c) for c in ("school", "computed", "reasons", "official")],
                             hidden=[column(c) for c in views.LIST_HIDDEN],
                             widths={column(c): w for c, w in views.LIST_WIDTHS.items()})
    # A click on a row opens that school below (its reasons in full), once per new click.
    picked = tuple(event.selection.rows) if event is not None else ()
    if picked and picked != st.session_state.get("schools_list_picked") and picked[0] < len(listed_ids):
        st.session_state["schools_school"] = listed_ids[picked[0]]
    st.session_state["schools_list_picked"] = picked
    st.caption(t("schools.list_columns_note"))
    export.download_buttons(shown, f"schools_{year}", key="schools_table")

    # The selected school lives in the URL as ?school=<id>.
    options = ["", *listed_ids]
    if "schools_school" not in st.session_state:
        st.session_state["schools_school"] = url_state.read("school") or ""
    if st.session_state["schools_school"] not in options:
        if st.session_state["schools_school"] in labels:
            options.append(st.session_state["schools_school"])
        else:
            st.session_state["schools_school"] = ""
    school_id = st.selectbox(t("schools.school_select"), options, key="schools_school",
                             format_func=lambda s: t("schools.school_none") if s == "" else plain(labels.get(s, s)))
    url_state.write("school", school_id)

    if school_id:
        school_table = compute(table.function, *table.args)
        row = school_table[school_table["school_id"] == school_id].iloc[0]
        st.subheader(md(row["name"]))
        navigation.link("passport", t("schools.passport"), query_params={"school": school_id})
        all_flags = compute(flags.function, *flags.args)
        own = all_flags[all_flags["school_id"] == school_id]
        st.markdown(f"**{t('schools.school_reasons')}**")
        if own.empty:
            st.write(t("schools.school_no_flags"))
        else:
            st.markdown(reasons_markdown(own, category_name, lang))
        listed = view(views.official_years, source(identification.official_lists, *geo), school_id)
        if not listed:
            st.caption(t("schools.school_official_none"))
        else:
            st.caption(t("schools.school_official",
                         lists="; ".join(f"{category_name(c)} — {y}" for c, y in listed.items())))
        history = view(views.history_chart,
                       source(identification.school_history, scope.region_id, school_id, last - 6, last, params),
                       t("schools.history_title"), t("schools.history_index"),
                       t("schools.history_cut", share=pct(params["low_results"]["bottom_share"], 0)), lang)
        if history is not None:
            st.plotly_chart(history, width="stretch", config={"displayModeBar": False})
        else:
            st.info(t("schools.little_data"))


def compare(s: Lists) -> None:
    """Computed categories against the official lists."""
    year, params, lang, geo, flags = s.year, s.params, s.lang, s.geo, s.flags
    category = st.selectbox(t("schools.compare_category"), list(identification.CATEGORIES),
                            format_func=category_name, key="schools_compare_category")
    counts, any_official, shown = view(
        views.comparison, source(identification.compare_with_official, *geo, year, category, params), flags,
        category, lang)
    cards = st.columns(3, border=True)
    for card, status in zip(cards, ("both", "official_only", "computed_only")):
        card.metric(t(f"schools.compare_{status}"), num(counts[status]))
    if not any_official:
        st.info(t("schools.compare_no_official", year=year))
    tables.dataframe(shown)
    export.download_buttons(shown, f"compare_{category}_{year}", key="schools_compare")


def list_flows(s: Lists) -> None:
    """Schools entering and leaving a list over five years."""
    year, params, lang, geo, table = s.year, s.params, s.lang, s.geo, s.table
    left, right = st.columns(2)
    list_source = left.radio(t("schools.flows_source"), ["official", "computed"], horizontal=True,
                        format_func=lambda s: t(f"schools.flows_{s}"), key="schools_flow_source")
    flow_category = right.selectbox(t("schools.compare_category"), list(identification.CATEGORIES),
                                    format_func=category_name, key="schools_flow_category")
    flow_years = tuple(range(year - 4, year + 1))
    flow_view = view(views.list_flows, source(flows.membership, *geo, flow_category, list_source, flow_years, params),
                     table, year, {"in": t("schools.flows_in"), "out": t("schools.flows_out")},
                     t("schools.flows_title", category=category_name(flow_category)), lang)
    if flow_view is None:
        st.info(t("schools.flows_none"))
    else:
        flow_figure, by_year, streak_table = flow_view
        st.plotly_chart(flow_figure, width="stretch", config={"displayModeBar": False})
        st.caption(t("schools.flows_legend"))
        st.subheader(t("schools.flows_table"))
        tables.dataframe(by_year)
        export.download_buttons(by_year, f"flows_{flow_category}_{list_source}", key="schools_flows")
        st.subheader(t("schools.flows_streak", year=year))
        tables.dataframe(streak_table)
        export.download_buttons(streak_table, f"streaks_{flow_category}_{year}", key="schools_streaks")


def what_if(s: Lists) -> None:
    """The lists under other parameters: who would enter and who would leave."""
    scope, year, params, lang, geo, flags = s.scope, s.year, s.params, s.lang, s.geo, s.flags
    st.caption(t("schools.whatif_intro"))
    a, b, c = st.columns(3)
    bottom = a.slider(t("schools.bottom_share"), 1, 30, int(round(params["low_results"]["bottom_share"] * 100)),
                      key="whatif_bottom")
    consecutive = b.slider(t("schools.consecutive_years"), 1, 3, int(params["low_results"]["consecutive_years"]),
                           key="whatif_consecutive")
    min_participants = c.slider(t("schools.min_participants"), 0, 60, int(params["composite"]["min_participants"]),
                                key="whatif_min_participants")
    social = a.slider(t("schools.social_threshold"), 0.3, 1.0, float(params["social_risk"]["min_social_index"]),
                      step=0.01, key="whatif_social")
    top = b.slider(t("schools.resilient_top"), 5, 50, int(round(params["resilient"]["top_share"] * 100)),
                   key="whatif_top")
    higher = c.slider(t("schools.higher_share"), 5, 50, int(round(params["biased"]["max_higher_share"] * 100)),
                      key="whatif_higher")
    margin = a.slider(t("schools.risk_margin"), 0.0, 1.5, float(params["risk_zone"]["margin"]), step=0.05,
                      key="whatif_margin")
    whatif_category = b.selectbox(t("schools.whatif_category"), list(identification.CATEGORIES),
                                  format_func=category_name, key="whatif_category")
    overrides = {"low_results": {"bottom_share": bottom / 100, "consecutive_years": consecutive},
                 "composite": {"min_participants": min_participants},
                 "social_risk": {"min_social_index": social}, "resilient": {"top_share": top / 100},
                 "biased": {"max_higher_share": higher / 100}, "risk_zone": {"margin": margin}}
    changes = compute(identification.what_if, *geo, year, whatif_category, overrides)
    counts = views.what_if_counts(changes)
    cards = st.columns(4, border=True)
    cards[0].metric(t("schools.whatif_before"), num(counts["before"]))
    cards[1].metric(t("schools.whatif_after"), num(counts["after"]), delta=f"{counts['after'] - counts['before']:+d}",
                    delta_color="off")
    cards[2].metric(t("schools.whatif_entered"), num(counts["entered"]))
    cards[3].metric(t("schools.whatif_left"), num(counts["left"]))
    moved = changes[changes["change"] != "stayed"]
    if moved.empty:
        st.info(t("schools.whatif_no_change"))
    else:
        new_flags = source(identification.identify, scope.region_id, year, identification.load_params(overrides))
        shown = view(views.what_if, source(identification.what_if, *geo, year, whatif_category, overrides), flags,
                     new_flags, whatif_category, lang)
        tables.dataframe(shown)
        export.download_buttons(shown, f"whatif_{whatif_category}_{year}", key="schools_whatif")
