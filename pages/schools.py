"""Schools: computed categories with reasons, the official lists beside them, list flows, what-if."""
import pandas as pd
import streamlit as st

from analytics import flows, identification
from ui import export, pages
from ui.data import compute
from ui.figures.identification import list_sankey, school_index_history
from ui.filters import current_scope
from ui.reasons import reasons_by_school, reasons_markdown
from ui.shell import page_header
from ui.text import language, num, pct, t

scope = current_scope()
page_header(t("schools.title"), scope, show_assessment=False)
lang = language()
params = identification.load_params()
year = int(scope.year)
last = year - int(params["lists"]["results_lag"])
years_used = identification.results_years(params, year)
geo = (scope.region_id, scope.municipality_id)
st.caption(t("schools.basis", year=year, first=years_used[0], last=last))


def category_name(code: str) -> str:
    return t(f"codes.category.{code}")


def names(codes) -> str:
    return ", ".join(category_name(c) for c in codes)


with st.expander(t("schools.method"), icon=":material/help:"):
    st.markdown(t("schools.method_text",
                  min_participants=params["composite"]["min_participants"],
                  bottom_share=pct(params["low_results"]["bottom_share"], 0),
                  consecutive=params["low_results"]["consecutive_years"],
                  social=num(params["social_risk"]["min_social_index"], 2),
                  res_social=num(params["resilient"]["min_social_index"], 2),
                  top_share=pct(params["resilient"]["top_share"], 0),
                  residual=num(params["resilient"]["min_residual"], 1),
                  confidence=pct(params["risk_zone"]["confidence"], 0),
                  margin=num(params["risk_zone"]["margin"], 2),
                  higher=pct(params["biased"]["max_higher_share"], 0),
                  gap=num(params["biased"]["max_vpr_oge_gap"], 1),
                  jump=num(params["biased"]["max_jump"], 1)))

flags = compute(identification.identify, scope.region_id, year, params)
table = compute(identification.school_table, *geo, year, params)
tab_list, tab_compare, tab_flows, tab_whatif = st.tabs(
    [t("schools.tab_list"), t("schools.tab_compare"), t("schools.tab_flows"), t("schools.tab_whatif")])

# -- schools and categories -------------------------------------------------------------------
with tab_list:
    left, middle, right = st.columns([3, 2, 2])
    chosen = left.multiselect(t("schools.category_filter"), list(identification.CATEGORIES),
                              format_func=category_name, key="schools_categories",
                              placeholder=t("schools.choose"))
    only_official = middle.toggle(t("schools.official_filter"), key="schools_only_official")
    search = right.text_input(t("schools.search"), key="schools_search")
    view = table
    if chosen:
        view = view[view["computed"].apply(lambda c: any(x in c for x in chosen))]
    if only_official:
        view = view[view["official"].apply(len) > 0]
    if search:
        view = view[view["short_name"].str.contains(search, case=False, regex=False)
                    | view["name"].str.contains(search, case=False, regex=False)]
    reasons = reasons_by_school(flags, lang)
    shown = pd.DataFrame({
        t("schools.columns.school"): view["short_name"],
        t("schools.columns.municipality"): view["municipality"],
        t("schools.columns.school_type"): view["school_type"].map(lambda c: t(f"codes.school_type.{c}")),
        t("schools.columns.setting"): view["is_rural"].map(lambda r: t("codes.setting.rural" if r else "codes.setting.urban")),
        t("schools.columns.social_index"): view["social_index"].round(2),
        t("schools.columns.composite"): view["composite"].round(2),
        t("schools.columns.rank"): view["rank_from_bottom"].astype("Int64"),
        t("schools.columns.n_core"): view["n_core"].astype("Int64"),
        t("schools.columns.computed"): view["computed"].map(names),
        t("schools.columns.official"): view["official"].map(names),
        t("schools.columns.reasons"): view["school_id"].map(reasons).fillna(""),
    })
    st.dataframe(shown, hide_index=True, width="stretch", height=420)
    export.download_buttons(shown, f"schools_{year}", key="schools_table")

    # The selected school lives in the URL as ?school=<id>.
    options = [""] + view["school_id"].tolist()
    labels = dict(zip(table["school_id"], table["short_name"] + " · " + table["municipality"]))
    if "schools_school" not in st.session_state:
        st.session_state["schools_school"] = st.query_params.get("school", "")
    if st.session_state["schools_school"] not in options:
        if st.session_state["schools_school"] in labels:
            options.append(st.session_state["schools_school"])
        else:
            st.session_state["schools_school"] = ""
    school_id = st.selectbox(t("schools.school_select"), options, key="schools_school",
                             format_func=lambda s: t("schools.school_none") if s == "" else labels.get(s, s))
    if school_id:
        st.query_params["school"] = school_id
    elif "school" in st.query_params:
        del st.query_params["school"]

    if school_id:
        row = table[table["school_id"] == school_id].iloc[0]
        st.subheader(row["name"])
        pages.link("passport", t("schools.passport"), query_params={"school": school_id})
        own = flags[flags["school_id"] == school_id]
        st.markdown(f"**{t('schools.school_reasons')}**")
        if own.empty:
            st.write(t("schools.school_no_flags"))
        else:
            st.markdown(reasons_markdown(own, category_name, lang))
        official = compute(identification.official_lists, *geo)
        own_official = official[official["school_id"] == school_id]
        if own_official.empty:
            st.caption(t("schools.school_official_none"))
        else:
            listed = own_official.groupby("category")["year"].agg(lambda y: ", ".join(str(v) for v in sorted(y)))
            st.caption(t("schools.school_official",
                         lists="; ".join(f"{category_name(c)} — {y}" for c, y in listed.items())))
        history = compute(identification.school_history, scope.region_id, school_id, last - 6, last, params)
        if history["composite"].notna().any():
            st.plotly_chart(school_index_history(
                history.dropna(subset=["composite"]), history.dropna(subset=["cut"]), t("schools.history_title"),
                t("schools.history_index"),
                t("schools.history_cut", share=pct(params["low_results"]["bottom_share"], 0)), lang),
                width="stretch", config={"displayModeBar": False})
        else:
            st.info(t("schools.little_data"))

# -- computed vs official ------------------------------------------------------------------------
with tab_compare:
    category = st.selectbox(t("schools.compare_category"), list(identification.CATEGORIES),
                            format_func=category_name, key="schools_compare_category")
    comparison = compute(identification.compare_with_official, *geo, year, category, params)
    counts = comparison["status"].value_counts()
    cards = st.columns(3, border=True)
    for card, status in zip(cards, ("both", "official_only", "computed_only")):
        card.metric(t(f"schools.compare_{status}"), num(int(counts.get(status, 0))))
    if not comparison["in_official"].any():
        st.info(t("schools.compare_no_official", year=year))
    compare_reasons = reasons_by_school(flags, lang, category)
    shown = pd.DataFrame({
        t("schools.columns.status"): comparison["status"].map(lambda s: t(f"identification.status.{s}")),
        t("schools.columns.school"): comparison["short_name"],
        t("schools.columns.municipality"): comparison["municipality"],
        t("schools.columns.reasons"): comparison["school_id"].map(compare_reasons).fillna(""),
    })
    st.dataframe(shown, hide_index=True, width="stretch")
    export.download_buttons(shown, f"compare_{category}_{year}", key="schools_compare")

# -- flows -------------------------------------------------------------------------------------------
with tab_flows:
    left, right = st.columns(2)
    source = left.radio(t("schools.flows_source"), ["official", "computed"], horizontal=True,
                        format_func=lambda s: t(f"schools.flows_{s}"), key="schools_flow_source")
    flow_category = right.selectbox(t("schools.compare_category"), list(identification.CATEGORIES),
                                    format_func=category_name, key="schools_flow_category")
    flow_years = tuple(range(year - 4, year + 1))
    members = compute(flows.membership, *geo, flow_category, source, flow_years, params)
    flow_years = flows.flow_years(members, year)
    if not flow_years:
        st.info(t("schools.flows_none"))
    else:
        links = flows.sankey_links(members, flow_years)
        st.plotly_chart(list_sankey(links, {"in": t("schools.flows_in"), "out": t("schools.flows_out")},
                                    t("schools.flows_title", category=category_name(flow_category)), lang),
                        width="stretch", config={"displayModeBar": False})
        st.caption(t("schools.flows_legend"))
        by_year = flows.flow_table(members, flow_years)
        by_year = by_year.rename(columns={c: t(f"schools.columns.{c}") for c in by_year.columns})
        st.subheader(t("schools.flows_table"))
        st.dataframe(by_year, hide_index=True, width="stretch")
        export.download_buttons(by_year, f"flows_{flow_category}_{source}", key="schools_flows")
        runs = flows.streaks(members, year)
        runs = runs[runs["years_in_a_row"] >= 2].merge(table[["school_id", "short_name", "municipality"]],
                                                       on="school_id")
        st.subheader(t("schools.flows_streak", year=year))
        streak_table = pd.DataFrame({t("schools.columns.school"): runs["short_name"],
                                     t("schools.columns.municipality"): runs["municipality"],
                                     t("schools.columns.years_in_a_row"): runs["years_in_a_row"]})
        st.dataframe(streak_table, hide_index=True, width="stretch")
        export.download_buttons(streak_table, f"streaks_{flow_category}_{year}", key="schools_streaks")

# -- what if -----------------------------------------------------------------------------------------
with tab_whatif:
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
    counts = changes["change"].value_counts()
    before = int(counts.get("stayed", 0) + counts.get("left", 0))
    after = int(counts.get("stayed", 0) + counts.get("entered", 0))
    cards = st.columns(4, border=True)
    cards[0].metric(t("schools.whatif_before"), num(before))
    cards[1].metric(t("schools.whatif_after"), num(after), delta=f"{after - before:+d}", delta_color="off")
    cards[2].metric(t("schools.whatif_entered"), num(int(counts.get("entered", 0))))
    cards[3].metric(t("schools.whatif_left"), num(int(counts.get("left", 0))))
    moved = changes[changes["change"] != "stayed"]
    if moved.empty:
        st.info(t("schools.whatif_no_change"))
    else:
        new_flags = compute(identification.identify, scope.region_id, year, identification.load_params(overrides))
        new_reasons = reasons_by_school(new_flags, lang, whatif_category)
        old_reasons = reasons_by_school(flags, lang, whatif_category)
        shown = pd.DataFrame({
            t("schools.columns.change"): moved["change"].map(lambda s: t(f"identification.status.{s}")),
            t("schools.columns.school"): moved["short_name"],
            t("schools.columns.municipality"): moved["municipality"],
            t("schools.columns.reasons"): [new_reasons.get(s, "") if ch == "entered" else old_reasons.get(s, "")
                                           for s, ch in zip(moved["school_id"], moved["change"])],
        })
        st.dataframe(shown, hide_index=True, width="stretch")
        export.download_buttons(shown, f"whatif_{whatif_category}_{year}", key="schools_whatif")
st.caption(t("app.guardrail"))
