"""The sections of «Рисковые профили» (pages/risks.py), each drawn from one :class:`RiskView`:
the choices, headline cards, one school, the heatmap, distribution and dynamics, high risks
without a measure, factor–results association. Figures, tables and texts come from
``presentation.views.risks``; what is here is Streamlit layout."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from analytics import figures, risks
from analytics.query import Query
from presentation.safe import md, plain
from presentation.views import risks as views
from ui import export, lazy, navigation, tables, url_state
from ui import figure_cards as cards_ui
from ui.cache import compute, settings, source, view
from ui.text import num, t

CHART_CONFIG = {"displayModeBar": False}
CATEGORIES = ["", "low_results", "risk_zone"]


@dataclass
class RiskView:
    """The profiles a page shows: the sidebar's view, the catalogue, year and category chosen."""
    scope: object            # the sidebar's view (ui.filters.current_scope)
    lang: str
    catalogue_id: str
    year: int
    category: str | None
    counts: pd.DataFrame = None
    matrix: pd.DataFrame = None
    gaps: pd.DataFrame = None
    head: dict = None

    @property
    def name_column(self) -> str:
        return "name_ru" if self.lang == "ru" else "name_en"

    @property
    def level_names(self) -> dict[str, str]:
        return {level: t(f"codes.risk_level.{level}") for level in risks.LEVELS}

    @property
    def args(self) -> tuple:
        return (self.scope.region_id, self.scope.municipality_id, self.year, self.catalogue_id, self.category)


def choose(scope, lang: str) -> RiskView:
    """The catalogue, year and category (kept in the URL) and the profiles they select; stops
    the page while nothing is profiled."""
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

    category = url_state.choice(
        controls[0].selectbox, t("risks.category"), key="risks_category", url="category", options=CATEGORIES,
        default="", help=t("risks.category_help"),
        format_func=lambda c: t("risks.all_profiled") if c == "" else t(f"codes.category.{c}")) or None

    shown = RiskView(scope, lang, catalogue_id, year, category)
    shown.counts = source(risks.level_counts, *shown.args)
    shown.matrix = source(risks.profile_matrix, *shown.args)
    shown.gaps = source(risks.coverage, *shown.args)
    shown.head = view(views.headline, shown.counts, shown.matrix, shown.gaps, shown.name_column)
    if shown.head is None:
        st.info(t("risks.no_profiles_in_scope"))
        st.stop()
    return shown


def headline(shown: RiskView) -> None:
    top = compute(risks.top_high_risks, *shown.args)
    cards = st.columns(3, border=True)
    cards[0].metric(views.schools_label(shown.category, shown.lang), num(shown.head["schools"]),
                    help=t("risks.metric_schools_help"))
    figure_scope = cards_ui.scope_of(shown.scope, settings().today)
    cards_ui.metric(cards_ui.value(figures.RISK_FIGURES[shown.category], figure_scope,
                                   catalogue_id=shown.catalogue_id), cards[1])
    if not top.empty:
        cards[1].caption(t("risks.top_risk", name=md(top.iloc[0][shown.name_column]), count=int(top.iloc[0]["high"])))
    uncovered = cards_ui.value("uncovered_high_risks", figure_scope, catalogue_id=shown.catalogue_id,
                               category=shown.category)
    cards_ui.metric(uncovered, cards[2])
    cards[2].caption(t("risks.metric_uncovered_caption", schools=uncovered.extra["schools"],
                       without=uncovered.extra["schools_without_measures"]))


def one_school(shown: RiskView) -> None:
    st.subheader(t("risks.school_section"))
    school_names = shown.head["school_names"]
    school_id = url_state.choice(st.selectbox, t("risks.school"), key="risks_school", url="school",
                                 options=list(shown.head["school_options"]), default="", help=t("risks.school_help"),
                                 format_func=lambda s: t("risks.choose_school") if s == "" else plain(school_names[s]))
    if not school_id:
        st.info(t("risks.choose_school_hint"))
        return
    year, level_names = shown.year, shown.level_names
    profile_source = source(risks.school_profile, school_id, year, shown.catalogue_id)
    profile = compute(profile_source.function, *profile_source.args)
    profile_figure, school_gaps, table = view(views.profile, profile_source, shown.gaps, school_id,
                                              shown.head["short_names"][school_id], shown.name_column,
                                              level_names, year, shown.lang)
    left, right = st.columns([3, 2])
    left.plotly_chart(profile_figure, width="stretch", config=CHART_CONFIG)
    left.caption(t("risks.profile_read"))
    with right:
        if profile["previous_score"].isna().all():
            st.info(t("risks.no_previous", year=year - 1))
        for block in views.school_summary(profile, school_gaps, shown.head["names_by_factor"], shown.name_column,
                                          level_names, year, shown.lang):
            st.markdown(block)
        navigation.link("roadmaps", t("risks.to_roadmaps"))
        navigation.link("passport", t("risks.passport"), query_params={"school": school_id})
    with lazy.expander(t("risks.profile_table"), key="risks_profile_open") as is_open:
        if is_open:
            tables.dataframe(table)
            st.caption(t("risks.measures_note"))
            export.download_buttons(table, f"risk_profile_{school_id}_{year}", key="risks_profile")


def heatmap(shown: RiskView) -> None:
    st.subheader(t("risks.heatmap_section"))
    st.caption(t("risks.heatmap_read"))
    left, right = st.columns([3, 1])
    heat_figure, heat_table = view(views.heatmap, shown.matrix, shown.counts, shown.name_column, shown.level_names,
                                   t("risks.heatmap_chart", year=shown.year), shown.lang)
    left.plotly_chart(heat_figure, width="stretch", config=CHART_CONFIG)
    right.markdown(f"**{t('risks.factors_legend')}**")
    right.markdown(view(views.legend, shown.counts, shown.name_column))
    with lazy.expander(t("risks.heatmap_table"), key="risks_matrix_open") as is_open:
        if is_open:     # schools × factors: the largest table of the page
            tables.dataframe(heat_table)
            export.download_buttons(heat_table, f"risk_profiles_{shown.year}", key="risks_matrix")


def distribution(shown: RiskView) -> None:
    year = shown.year
    st.subheader(t("risks.distribution_section"))
    left, right = st.columns(2)
    levels_figure, change_figure, compared, distribution_table = view(
        views.distribution, shown.counts, source(risks.change_counts, *shown.args), shown.name_column,
        shown.level_names, year, shown.lang)
    left.plotly_chart(levels_figure, width="stretch", config=CHART_CONFIG)
    left.caption(t("risks.distribution_read"))
    if compared:
        right.plotly_chart(change_figure, width="stretch", config=CHART_CONFIG)
        right.caption(t("risks.change_read", compared=compared, previous=year - 1))
    else:
        right.info(t("risks.no_change_data", previous=year - 1))
    with lazy.expander(t("risks.distribution_table"), key="risks_distribution_open") as is_open:
        if is_open:
            tables.dataframe(distribution_table)
            export.download_buttons(distribution_table, f"risk_factors_{year}", key="risks_distribution")


def uncovered(shown: RiskView) -> None:
    st.subheader(t("risks.uncovered_section"))
    st.caption(t("risks.uncovered_read"))
    gap_table, outside = view(views.uncovered, shown.gaps, shown.counts, shown.name_column, shown.lang)
    if gap_table is None:
        st.success(t("risks.uncovered_none"))
    else:
        label = lambda key: t(f"risks.columns.{key}")  # noqa: E731
        tables.dataframe(gap_table, widths={label(c): w for c, w in views.UNCOVERED_WIDTHS.items()},
                         wrap=[label(c) for c in views.UNCOVERED_WRAP])
        export.download_buttons(gap_table, f"risks_without_measures_{shown.year}", key="risks_uncovered")
    if outside:
        st.warning(t("risks.outside_roadmaps", count=len(outside), year=shown.year,
                     names=views.outside_names(outside)))


def association(shown: RiskView, min_n: int) -> None:
    year = shown.year
    st.subheader(t("risks.association_section"))
    association = source(risks.factor_association,
                         Query.of(shown.scope.region_id, shown.scope.municipality_id, year=year),
                         shown.catalogue_id, category=shown.category, min_participants=min_n)
    association_figure, assoc_table = view(views.association, association, shown.name_column, year, shown.lang)
    st.caption(t("risks.association_read"))
    if association_figure is not None:
        st.plotly_chart(association_figure, width="stretch", config=CHART_CONFIG)
    else:
        st.info(t("risks.association_too_few"))
    st.warning(t("risks.association_guardrail"), icon=":material/info:")
    with lazy.expander(t("risks.association_table"), key="risks_association_open") as is_open:
        if is_open:
            tables.dataframe(assoc_table)
            export.download_buttons(assoc_table, f"risk_association_{year}", key="risks_association")
