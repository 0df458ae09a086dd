"""Risk profiles: one school's profile and its change, the schools × factors map, the most
frequent risks, high risks that no measure addresses, and factor–results association."""
import streamlit as st

from analytics import figures, risks
from analytics.query import Query
from ui import export, navigation, tables, url_state
from ui import figure_cards as cards_ui
from ui.cache import compute, settings, source, view
from ui.filters import current_scope
from presentation.safe import md, plain
from ui.shell import page_header
from ui.text import language, num, pct, t
from presentation.views import risks as views
from presentation.views.risks import escape_markdown

CHART_CONFIG = {"displayModeBar": False}


scope = current_scope()
page_header(t("risks.title"), scope, show_assessment=False)
lang = language()
name_column = "name_ru" if lang == "ru" else "name_en"
level_names = {level: t(f"codes.risk_level.{level}") for level in risks.LEVELS}

# -- catalogue, year, category -------------------------------------------------------------
catalogue_table = compute(risks.catalogues)
catalogue_names = dict(zip(catalogue_table["catalogue_id"], catalogue_table["name"]))
default_catalogue = compute(risks.default_catalogue)
with_profiles = catalogue_table[catalogue_table["schools"] > 0]["catalogue_id"].tolist()
catalogue_options = with_profiles or [default_catalogue]
catalogue_id = catalogue_options[0] if default_catalogue not in catalogue_options else default_catalogue
controls = st.columns([2, 2, 3])
if len(catalogue_options) > 1:
    catalogue_id = url_state.choice(controls[1].selectbox, t("risks.catalogue"), key="risks_catalogue",
                                    url="catalogue", options=catalogue_options, default=catalogue_id,
                                    format_func=lambda c: plain(catalogue_names.get(c, c)))

year = compute(risks.profile_year, catalogue_id, scope.year)
if year is None:
    st.info(t("risks.no_profiles"))
    st.stop()
if year != scope.year:
    st.caption(t("risks.year_note", year=year))

categories = ["", "low_results", "risk_zone"]
category = url_state.choice(
    controls[0].selectbox, t("risks.category"), key="risks_category", url="category", options=categories,
    default="", help=t("risks.category_help"),
    format_func=lambda c: t("risks.all_profiled") if c == "" else t(f"codes.category.{c}")) or None

args = (scope.region_id, scope.municipality_id, year, catalogue_id, category)
counts = source(risks.level_counts, *args)
matrix = source(risks.profile_matrix, *args)
gaps = source(risks.coverage, *args)
head = view(views.headline, counts, matrix, gaps, name_column)
if head is None:
    st.info(t("risks.no_profiles_in_scope"))
    st.stop()

names_by_factor = head["names_by_factor"]

# -- headline figures ------------------------------------------------------------------------
top = compute(risks.top_high_risks, *args)
cards = st.columns(3, border=True)
# The label names its population: «Школ с профилем» is 39 for every profiled school, 17 for the listed ones.
schools_label = (f"{t('risks.metric_schools')} ({t(f'figures.population.{category}')})" if category
                 else t("risks.metric_schools_all"))
cards[0].metric(schools_label, num(head["schools"]), help=t("risks.metric_schools_help"))
figure_scope = cards_ui.scope_of(scope, settings().today)
cards_ui.metric(cards_ui.value(figures.RISK_FIGURES[category], figure_scope, catalogue_id=catalogue_id), cards[1])
if not top.empty:
    cards[1].caption(t("risks.top_risk", name=md(top.iloc[0][name_column]), count=int(top.iloc[0]["high"])))
uncovered = cards_ui.value("uncovered_high_risks", figure_scope, catalogue_id=catalogue_id, category=category)
cards_ui.metric(uncovered, cards[2])
cards[2].caption(t("risks.metric_uncovered_caption", schools=uncovered.extra["schools"],
                   without=uncovered.extra["schools_without_measures"]))

# -- one school ----------------------------------------------------------------------------------
st.subheader(t("risks.school_section"))
school_names = head["school_names"]
school_options = list(head["school_options"])
school_id = url_state.choice(st.selectbox, t("risks.school"), key="risks_school", url="school",
                             options=school_options, default="", help=t("risks.school_help"),
                             format_func=lambda s: t("risks.choose_school") if s == "" else plain(school_names[s]))
if not school_id:
    st.info(t("risks.choose_school_hint"))
else:
    profile_source = source(risks.school_profile, school_id, year, catalogue_id)
    profile = compute(profile_source.function, *profile_source.args)
    profile_figure, school_gaps, table = view(views.profile, profile_source, gaps, school_id,
                                              head["short_names"][school_id], name_column, level_names, year, lang)
    left, right = st.columns([3, 2])
    left.plotly_chart(profile_figure, width="stretch", config=CHART_CONFIG)
    left.caption(t("risks.profile_read"))
    with right:
        if profile["previous_score"].isna().all():
            st.info(t("risks.no_previous", year=year - 1))
        for change in ("worsened", "improved"):
            named = profile.loc[profile["change"] == change, name_column].tolist()
            if named:
                st.markdown(f"**{t(f'risks.summary.{change}', previous=year - 1)}**")
                st.markdown("\n".join(f"- {escape_markdown(n)}" for n in named))
        school_uncovered = school_gaps[~school_gaps["covered"]]
        st.markdown(f"**{t('risks.summary.uncovered')}**")
        if school_gaps.empty or school_uncovered.empty:
            st.markdown(t("risks.summary.none"))
        elif not school_gaps["in_roadmap"].any():
            st.markdown(t("risks.summary.no_roadmap", year=year))
        else:
            st.markdown("\n".join(f"- {escape_markdown(names_by_factor[f])} ({level_names[lv]})"
                                  for f, lv in zip(school_uncovered.index, school_uncovered["level"])))
        navigation.link("roadmaps", t("risks.to_roadmaps"))
        navigation.link("passport", t("risks.passport"), query_params={"school": school_id})
    with st.expander(t("risks.profile_table")):
        tables.dataframe(table)
        st.caption(t("risks.measures_note"))
        export.download_buttons(table, f"risk_profile_{school_id}_{year}", key="risks_profile")

# -- heatmap ---------------------------------------------------------------------------------------
st.subheader(t("risks.heatmap_section"))
st.caption(t("risks.heatmap_read"))
left, right = st.columns([3, 1])
heat_figure, heat_table = view(views.heatmap, matrix, counts, name_column, level_names,
                               t("risks.heatmap_chart", year=year), lang)
left.plotly_chart(heat_figure, width="stretch", config=CHART_CONFIG)
right.markdown(f"**{t('risks.factors_legend')}**")
right.markdown(view(views.legend, counts, name_column))
with st.expander(t("risks.heatmap_table")):
    tables.dataframe(heat_table)
    export.download_buttons(heat_table, f"risk_profiles_{year}", key="risks_matrix")

# -- distribution and dynamics -------------------------------------------------------------------------
st.subheader(t("risks.distribution_section"))
left, right = st.columns(2)
levels_figure, change_figure, compared, distribution_table = view(
    views.distribution, counts, source(risks.change_counts, *args), name_column, level_names, year, lang)
left.plotly_chart(levels_figure, width="stretch", config=CHART_CONFIG)
left.caption(t("risks.distribution_read"))
if compared:
    right.plotly_chart(change_figure, width="stretch", config=CHART_CONFIG)
    right.caption(t("risks.change_read", compared=compared, previous=year - 1))
else:
    right.info(t("risks.no_change_data", previous=year - 1))
with st.expander(t("risks.distribution_table")):
    tables.dataframe(distribution_table)
    export.download_buttons(distribution_table, f"risk_factors_{year}", key="risks_distribution")

# -- high risks without a measure ----------------------------------------------------------------------------
st.subheader(t("risks.uncovered_section"))
st.caption(t("risks.uncovered_read"))
gap_table, outside = view(views.uncovered, gaps, counts, name_column, lang)
if gap_table is None:
    st.success(t("risks.uncovered_none"))
else:
    label = lambda key: t(f"risks.columns.{key}")  # noqa: E731
    tables.dataframe(gap_table, widths={label(c): w for c, w in views.UNCOVERED_WIDTHS.items()},
                     wrap=[label(c) for c in views.UNCOVERED_WRAP])
    export.download_buttons(gap_table, f"risks_without_measures_{year}", key="risks_uncovered")
if outside:
    st.warning(t("risks.outside_roadmaps", count=len(outside), year=year,
                 names=", ".join(outside[:12]) + (" …" if len(outside) > 12 else "")))

# -- association ------------------------------------------------------------------------------------------
st.subheader(t("risks.association_section"))
association = source(risks.factor_association, Query.of(scope.region_id, scope.municipality_id, year=year),
                     catalogue_id, category=category, min_participants=settings().min_n)
association_figure, assoc_table = view(views.association, association, name_column, year, lang)
st.caption(t("risks.association_read"))
if association_figure is not None:
    st.plotly_chart(association_figure, width="stretch", config=CHART_CONFIG)
else:
    st.info(t("risks.association_too_few"))
st.warning(t("risks.association_guardrail"), icon=":material/info:")
with st.expander(t("risks.association_table")):
    tables.dataframe(assoc_table)
    export.download_buttons(assoc_table, f"risk_association_{year}", key="risks_association")

with st.expander(t("risks.methodology")):
    st.markdown(t("risks.methodology_text", min_n=settings().min_n, share=pct(2 / 3, 0)))
st.caption(t("app.guardrail"))
