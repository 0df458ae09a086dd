"""The slides of «Показ» (pages/show.py), each drawn from one :class:`Deck`. Figures are fitted
to the slide by ``presentation.views.show`` (and the engagement and effectiveness views); the
slides' HTML pieces are built there too; what is here is Streamlit layout."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import streamlit as st
from streamlit_folium import st_folium

from analytics import attention as attention_rule, effectiveness as effect, engagement as engagement_data
from analytics import flows as flow_data, overview as overview_data, risks as risk_data, school_map
from analytics import roadmaps as rm
from analytics.query import Query
from presentation import figure_text
from presentation.figures.overview import list_size_bars
from presentation.figures.school_map import build_map
from presentation.figures.style import CATEGORY_COLOURS
from presentation.views import attention as attention_views
from presentation.views import effectiveness as effectiveness_views
from presentation.views import engagement as engagement_views
from presentation.views import show as views
from presentation.views.charts import fitted
from ui import figure_cards as cards_ui
from ui import present
from ui.cache import compute, settings, source, view
from ui.text import day, t

ATTENTION_ROWS = 6


@dataclass
class Deck:
    """What every slide is drawn for: the sidebar's view, its dates and the slide's chart height."""
    scope: object            # the sidebar's view (ui.filters.current_scope)
    lang: str
    config: object           # ui.cache.settings()
    as_of: dt.date
    list_year: int | None
    height: int              # the chart height (px) that fits the slide in 720 px
    on: bool                 # presentation mode's scale (ui.present.scale)

    @property
    def year(self) -> int:
        return int(self.scope.year)

    @property
    def geo(self) -> tuple:
        return self.scope.region_id, self.scope.municipality_id


def overview(deck: Deck) -> None:
    scope, lang, height, on, list_year = deck.scope, deck.lang, deck.height, deck.on, deck.list_year
    figure_scope = cards_ui.scope_of(scope, deck.as_of, cards_ui.basis_choice())
    listed = cards_ui.value("listed_schools", figure_scope)
    cards = st.columns(4, border=True)
    delta = None
    if listed.extra.get("previous") is not None:
        delta = t("show.listed_delta", delta=f"{int(listed.value - listed.extra['previous']):+d}", year=list_year - 1)
    cards_ui.metric(listed, cards[0], delta=delta, delta_color="inverse")
    cards_ui.metric(cards_ui.value("roadmap_completion", figure_scope), cards[1])
    cards_ui.metric(cards_ui.value("high_risk_listed", figure_scope), cards[2])
    cards_ui.metric(cards_ui.value("mentor_coverage", figure_scope), cards[3])
    left, right = st.columns([2, 3])
    sizes = source(overview_data.list_size_by_year, *deck.geo)
    with left:
        width = present.slide_width(2 / 5, 2)
        present.draw(view(fitted, list_size_bars, (sizes, t("overview.list_chart"), t("overview.list_chart_y"),
                                                         lang), height, width, on), width)
    if scope.municipality_id is None:
        municipalities = source(overview_data.by_municipality, *deck.geo, list_year)
        with right:
            width = present.slide_width(3 / 5, 2)
            present.draw(view(views.municipality_share_slide, municipalities,
                              t("overview.municipality_chart", year=list_year), t("overview.municipality_chart_x"),
                              lang, height, width, on), width)


def flows(deck: Deck) -> None:
    year = deck.year
    years = tuple(range(year - 4, year + 1))
    width = present.slide_width()
    flow_view = view(views.flows_slide, source(flow_data.membership, *deck.geo, "low_results", "official", years, None),
                     year, {"in": t("schools.flows_in"), "out": t("schools.flows_out")}, deck.lang, deck.height,
                     width, deck.on)
    if flow_view is None:
        st.info(t("schools.flows_none"))
    else:
        figure, last = flow_view
        present.draw(figure, width)
        st.markdown(t("show.flows_line", **last))


def school_map_slide(deck: Deck) -> None:
    scope, year, list_year, as_of = deck.scope, deck.year, deck.list_year, deck.as_of
    vpr = dict(subject_id=scope.subject_id, grade=scope.grade) if scope.procedure == "VPR" else {}
    schools = compute(school_map.schools_for_map, Query.of(*deck.geo, year=year, **vpr), list_year=list_year,
                      as_of=as_of)
    areas = compute(school_map.areas_for_map, scope.region_id, year, list_year, as_of, **vpr)
    pairs = compute(school_map.current_pairs, *deck.geo, list_year)
    categories = {c: t(f"codes.category.{c}") for c in CATEGORY_COLOURS}
    st.markdown(views.map_legend_html(schools["category"], categories, CATEGORY_COLOURS, t("show.map_lines")),
                unsafe_allow_html=True)
    texts = {"km_road": t("map.km_road"), "km_straight": t("map.km_straight"), "km_estimate": t("map.km_estimate"),
             "category": t("map.category"), "categories": categories, "municipality": t("map.municipality"),
             "vpr_participants": t("map.vpr_participants"), "vpr_share2": t("map.vpr_share2"),
             "min_n": settings().min_n, "little_data_n": t("figures.little_data_n", n="{n}"),
             "roadmap": t("map.roadmap"), "area_value": lambda row: ""}
    # A fixed width: the map is fitted to the region at the size it is first drawn.
    st_folium(build_map(schools, areas[areas["area_id"].isin(set(schools["municipality_id"]))], pairs, texts,
                        deck.lang),
              key="show_map", height=deck.height, width=present.slide_width(), returned_objects=[])


def risks(deck: Deck) -> None:
    catalogue_id = compute(risk_data.default_catalogue)
    risk_year = compute(risk_data.profile_year, catalogue_id, deck.year)
    width = present.slide_width(5 / 8, 2)
    risk_view = None
    if risk_year:
        risk_view = view(views.risks_slide,
                         source(risk_data.profile_matrix, *deck.geo, risk_year, catalogue_id, "low_results"),
                         source(risk_data.level_counts, *deck.geo, risk_year, catalogue_id, "low_results"), risk_year,
                         deck.lang, deck.height, width, deck.on)
    if risk_view is None:
        st.info(t("risks.no_profiles_in_scope"))
        return
    figure, factor_names = risk_view
    left, right = st.columns([5, 3])
    with left:
        present.draw(figure, width)
    right.markdown(views.factor_list_html(factor_names), unsafe_allow_html=True)


def roadmap(deck: Deck) -> None:
    scope, lang, height, on, as_of = deck.scope, deck.lang, deck.height, deck.on, deck.as_of
    flt = rm.RoadmapFilter(scope.region_id, scope.municipality_id, deck.year)
    basis = cards_ui.basis_choice()
    progress_source = source(rm.checkpoint_progress, flt, as_of, basis)
    progress = compute(rm.checkpoint_progress, flt, as_of, basis)
    figure_scope = cards_ui.scope_of(scope, as_of, basis)
    plan = cards_ui.value("roadmap_completion", figure_scope)
    checkpoint = cards_ui.value("roadmap_checkpoint", figure_scope)
    if plan.empty:
        st.info(t("roadmaps.no_units"))
        return
    labels = {"on_time": t("roadmaps.on_time_line"), "late": t("roadmaps.late"), "target": t("roadmaps.target"),
              "target_short": t("roadmaps.target_short"), "so_far": t("roadmaps.so_far"),
              "y": t("roadmaps.y_share"), "x": t("roadmaps.x_share"), "date_format": day}
    targets = views.checkpoint_targets(progress, lang)
    overdue = cards_ui.value("roadmap_overdue", figure_scope)
    st.markdown(f"**{figure_text.line(plan, lang)}** · {figure_text.checkpoint_sentence(checkpoint, lang)} · "
                f"{figure_text.line(overdue, lang)}")
    below = dict(legend=dict(orientation="h", yanchor="top", y=-0.2, xanchor="left", x=0), margin=dict(r=50, b=30))
    left, right = st.columns([2, 3])
    with left:
        width = present.slide_width(2 / 5, 2)
        present.draw(view(views.checkpoints_slide, progress_source, labels, t("show.checkpoints_chart"), below,
                          lang, height, width, on), width)
    dimension = "municipality" if scope.municipality_id is None else "school"
    with right:
        width = present.slide_width(3 / 5, 2)
        present.draw(view(views.completion_slide, source(rm.completion_by, flt, as_of, dimension, lang, basis),
                          dimension, targets, labels, below, lang, height, width, on), width)


def attention(deck: Deck) -> None:
    lang, as_of = deck.lang, deck.as_of
    basis = cards_ui.basis_choice()
    needing = cards_ui.value("attention_schools", cards_ui.scope_of(deck.scope, as_of, basis))
    ranked = needing.extra.get("ranked")
    st.markdown(f"**{figure_text.line(needing, lang)}**")
    if ranked is None or ranked.empty:
        st.success(t("attention.none"))
        return
    rule = attention_rule.rule()
    first = ranked.iloc[0]
    st.caption(t("attention.shown", shown=min(ATTENTION_ROWS, len(ranked)), total=len(ranked),
                 needing=int(needing.value)) + " "
               + attention_views.rule_sentence(rule, as_of, first["next_date"], first["next_target"], lang,
                                               short=True))
    # The same ranking as «Обзор», as an HTML table whose reasons wrap. No download here: the
    # slide must fit the screen; «Обзор» offers the whole ranking.
    headers = [t(f"attention.columns.{h}") for h in ("rank", "school", "score", "reasons", "passport")]
    rows = attention_views.slide_rows(ranked, rule, deck.year, as_of, lang, ATTENTION_ROWS)
    st.markdown(views.attention_table_html(rows, headers, t("show.open_passport")), unsafe_allow_html=True)


def engagement(deck: Deck) -> None:
    today = deck.config.today
    schedule = compute(engagement_data.rounds, deck.year, today)
    schedule = schedule[schedule["started"]]
    if schedule.empty:
        st.info(t("engagement.not_started"))
        st.stop()
    held = schedule[~schedule["provisional"]]
    latest = (held if not held.empty else schedule).iloc[-1]
    summary_source = source(engagement_data.unit_summary, *deck.geo, deck.year, int(latest["round"]), today)
    summary = compute(summary_source.function, *summary_source.args)
    level = "municipality" if deck.scope.municipality_id is None else "school"
    label = engagement_views.round_label(latest, deck.lang)
    previous = t("engagement.previous_label", number=int(summary["previous_round"].iloc[0]),
                 year=int(summary["previous_year"].iloc[0])) if not summary.empty else ""
    zones = engagement_data.load_config()["zones"]
    width = present.slide_width()
    drawn = view(engagement_views.slide, summary_source, level, zones, t("engagement.ranking_chart", round=label),
                 previous, deck.lang, deck.height, width, deck.on)
    if drawn is None:
        st.info(t("engagement.no_units"))
        return
    figure, counts = drawn
    st.markdown(t("show.engagement_line", green=counts["green"], yellow=counts["yellow"], red=counts["red"],
                  fell=counts["fell"], units=counts["units"]))
    present.draw(figure, width)


def effectiveness(deck: Deck) -> None:
    width = present.slide_width()
    drawn = view(effectiveness_views.slide, source(effect.list_dynamics, *deck.geo, deck.year), deck.lang,
                 deck.height, width, deck.on)
    if drawn is None:
        st.info(t("effectiveness.list_none"))
    else:
        figure, line = drawn
        st.markdown(line)
        present.draw(figure, width)
    result = compute(effect.estimates, deck.scope.region_id, deck.config.min_n)
    did, validation = result["did"], result["validation"]
    if result["shown"]["did"] and did["ok"] and not effectiveness_views.too_wide(did, float(validation["max_width"])):
        st.markdown(f"**{t('effectiveness.did.name')}:** {effectiveness_views.reading(did, deck.lang)} "
                    + t("effectiveness.did.sample", treated=did["n_treated"], controls=did["n_control"],
                        rows=did["rows"]))


SLIDES = {"overview": overview, "flows": flows, "map": school_map_slide, "risks": risks, "roadmap": roadmap,
          "attention": attention, "engagement": engagement, "effectiveness": effectiveness}
