"""The tabs and the school panel of «Результаты» (pages/results.py), each drawn from one
:class:`Slice` — the view, the indicator and the selected school. Figures and tables come from
``presentation.views.results``; what is here is Streamlit layout."""
from __future__ import annotations

from dataclasses import dataclass, field

import streamlit as st

from analytics import catalog, comparison, dynamics, indicators, multiplicity, performance_grid
from analytics.indicators import BY_CODE, DEFAULT_INDICATOR
from analytics.query import Pooling, Query
from presentation.figures.results import trend_lines
from presentation.figures.style import LEVEL_COLOURS
from presentation.safe import md
from presentation.views import results as views
from ui import export, navigation, tables, url_state
from ui.cache import compute, settings, source, view
from ui.text import num, pct, t

CHART = {"displayModeBar": False}


def choose_indicator(scope) -> tuple[str, int]:
    """The indicator (always named in the URL: links from here carry it) and the pooled years
    (``?pool=2``)."""
    options = [i.code for i in indicators.for_procedure(scope.procedure)]
    left, right = st.columns([2, 3], vertical_alignment="bottom")
    url_state.seed("results_indicator", "indicator", options, DEFAULT_INDICATOR[scope.procedure], report=False)
    code = left.selectbox(t("results.indicator"), options, key="results_indicator",
                          format_func=lambda c: t(f"indicators.{c}"),
                          help=t(f"indicators.{st.session_state['results_indicator']}_def"))
    url_state.write("indicator", code)
    pooled = url_state.flag(right.toggle, t("results.pool_years"), key="results_pool", url="pool", on="2",
                            help=t("results.pool_years_help"))
    return code, 2 if pooled else 1


def selected_school(school_names: dict) -> str | None:
    """The school the URL names (``?school=``); an unknown code is said and dropped."""
    selected = url_state.read("school")
    if selected is not None and selected not in school_names:
        st.warning(t("results.detail_not_found", school=selected))
        url_state.write("school", None)
        selected = None
    return selected


def select_school(school_id: str | None) -> None:
    if school_id and school_id != url_state.read("school"):
        url_state.write("school", school_id)
        st.rerun()


@dataclass
class Slice:
    """What the page shows: the sidebar's view, the indicator, pooled years, the selected school."""
    scope: object
    code: str
    pool_years: int
    min_n: int
    lang: str
    selected: str | None
    school_names: dict = field(default_factory=dict)
    @property
    def indicator(self):
        return BY_CODE[self.code]

    @property
    def share(self) -> bool:
        return self.indicator.kind == "share"
    @property
    def name(self) -> str:
        return t(f"indicators.{self.code}")

    @property
    def years_query(self) -> Query:
        """All years of the slice; grades pooled, subjects pooled when none is chosen."""
        return Query.from_view(self.scope, year_from=None, year_to=None)

    @property
    def pooling(self) -> Pooling:
        return Pooling(grades=True, subjects=self.scope.subject_id is None, years=self.pool_years)

    @property
    def series_options(self) -> dict:
        return dict(pooling=self.pooling, min_n=self.min_n, indicators=(self.code,))

    @property
    def school_query(self) -> Query:
        """The selected school's slice (its region and municipality come from the school itself)."""
        return Query.of(school_id=self.selected, year=self.scope.year, procedure=self.scope.procedure,
                        subject_id=self.scope.subject_id, grade=self.scope.grade)

    def levels(self):
        """(source, frame) of the schools' status × change levels; (None, None) for an indicator
        without a direction."""
        if self.indicator.higher_is_better is None:
            return None, None
        levels_source = source(performance_grid.school_levels, Query.from_view(self.scope), self.code,
                               pool_years=self.pool_years, min_n=self.min_n)
        return levels_source, compute(levels_source.function, *levels_source.args, **dict(levels_source.kwargs))

    def rows_source(self):
        """The heatmap's rows: schools inside a municipality, municipalities in the region."""
        level = "school" if self.scope.municipality_id else "municipality"
        rows = (source(catalog.schools, self.scope.region_id, None) if level == "school"
                else source(catalog.municipalities, self.scope.region_id))
        return level, rows


def trend_tab(s: Slice) -> None:
    """The indicator over the years (region, municipality, school) and the marks' distribution."""
    scope, code, name, share, pool_years, min_n, lang, selected = (
        s.scope, s.code, s.name, s.share, s.pool_years, s.min_n, s.lang, s.selected)
    years_query, series_options, school_query, school_names = (s.years_query, s.series_options, s.school_query,
                                                               s.school_names)
    parts = {"region": source(indicators.aggregate, years_query.at(municipality_id=None, level="region"),
                              **series_options)}
    names = {"region": t("results.region")}
    who_label = st.session_state.get("scope_labels", {}).get("region") or scope.region_id
    if scope.municipality_id:
        parts["municipality"] = source(indicators.aggregate, years_query.at(level="municipality"), **series_options)
        names["municipality"] = st.session_state.get("scope_labels", {}).get("municipality") or t("results.municipality")
        who_label = names["municipality"]
    if selected:
        parts["school"] = source(comparison.series, school_query, code, pool_years=pool_years, min_n=min_n)
        names["school"] = school_names.get(selected, selected)
    trend_figure, trend_table = view(views.trend, parts, names, t("results.trend_title", indicator=name),
                                     name + (", %" if share else ""), share, lang, t("app.little_data"))
    left, right = st.columns(2)
    left.plotly_chart(trend_figure, width="stretch", config=CHART)
    counts = source(indicators.mark_counts, years_query)
    columns, colours = views.mark_columns(scope.procedure, lang)
    title = t("results.ege_marks_title" if scope.procedure == "EGE" else "results.marks_title", who=who_label)
    right.plotly_chart(view(views.marks, counts, scope.procedure, columns, colours, title, lang), width="stretch",
                       config=CHART)
    export.download_buttons(trend_table, f"results_trend_{code}", key="results_trend")


def schools_tab(s: Slice) -> None:
    """The status × change grid and the ranked table; a click selects a school."""
    scope, code, name, share, min_n, lang, selected = (
        s.scope, s.code, s.name, s.share, s.min_n, s.lang, s.selected)
    year = scope.year
    indicator, pooling = s.indicator, s.pooling
    levels_source, levels_frame = s.levels()
    if levels_frame is None:
        st.info(t("results.grid_no_direction", indicator=name))
        graded_sources = (None, source(dynamics.summary, Query.from_view(scope), code, pooling=pooling,
                                       trend_years=5, min_n=min_n),
                          source(catalog.schools, scope.region_id, None))
    else:
        graded_sources = (levels_source, None, None)
    ranked, display, export_table = view(views.ranking, *graded_sources, code, lang)
    if ranked.empty:
        st.warning(t("results.no_results"))
    else:
        if levels_frame is not None:
            plotted = int(levels_frame["level"].notna().sum())
            level_names = {lvl: t(f"results.levels.{lvl}") for lvl in LEVEL_COLOURS}
            if not plotted:
                st.info(t("results.too_small", min_n=min_n))
            else:
                figure = view(views.grid, levels_source, level_names, t("results.grid_title", year=year),
                              t("results.grid_x"), t("results.grid_y", year=year), share, lang, selected,
                              indicator.higher_is_better is False)
                event = st.plotly_chart(figure, width="stretch", config=CHART, on_select="rerun",
                                        selection_mode="points", key="results_grid")
                points = (event or {}).get("selection", {}).get("points", []) if event else []
                if points and points[0].get("customdata"):
                    clicked = points[0]["customdata"][0]
                    if st.session_state.get("_results_last_point") != clicked:
                        st.session_state["_results_last_point"] = clicked
                        select_school(clicked)
            st.caption(t("results.grid_caption", min_n=min_n, hidden=len(levels_frame) - plotted))

        st.subheader(t("results.table_title"))
        st.caption(t("results.table_caption"))
        flags = multiplicity.chance_summary(ranked)
        if flags["compared"]:
            st.caption(t("results.fdr_note", compared=num(flags["compared"]), raw=num(flags["raw"]),
                         chance=num(flags["chance"]), kept=num(flags["kept"]),
                         q=pct(float(settings().extra.get("fdr_q", multiplicity.DEFAULT_Q)), 0)))
        column = lambda key: t(f"results.columns.{key}")  # noqa: E731
        event = tables.dataframe(display, height=420, on_select="rerun", selection_mode="single-row",
                                 key="results_table", wrap=[column("school"), column("change"), column("verdict")],
                                 hidden=[column(c) for c in views.TABLE_HIDDEN],
                                 widths={column(c): w for c, w in views.TABLE_WIDTHS.items()})
        rows = event.selection.rows if event is not None else []
        if rows:
            clicked = ranked.loc[rows[0], "school_id"]
            if st.session_state.get("_results_last_row") != clicked:
                st.session_state["_results_last_row"] = clicked
                select_school(clicked)
        export.download_buttons(export_table, f"results_schools_{code}_{year}", key="results_schools")


def subjects_tab(s: Slice) -> None:
    """The indicator per subject × municipality (or school)."""
    scope, code, name, share, pool_years, min_n, lang = (
        s.scope, s.code, s.name, s.share, s.pool_years, s.min_n, s.lang)
    year = scope.year
    indicator = s.indicator
    level, rows = s.rows_source()
    rows_label = t(f"results.heatmap_rows_{'schools' if level == 'school' else 'municipalities'}")
    subjects_view = view(views.subjects_heatmap,
                         source(indicators.aggregate, Query.from_view(scope, subject_id=None, level=level),
                                pooling=Pooling(grades=True, years=pool_years), min_n=min_n, indicators=(code,)),
                         source(catalog.subjects, scope.procedure), rows, level,
                         t("results.heatmap_title", indicator=name, year=year, rows=rows_label),
                         share, indicator.higher_is_better is False, lang, t("app.little_data"))
    if subjects_view is None:
        st.warning(t("results.no_results"))
    else:
        heat_figure, heat_table = subjects_view
        st.plotly_chart(heat_figure, width="stretch", config=CHART)
        st.caption(t("results.heatmap_caption", min_n=min_n))
        export.download_buttons(heat_table, f"results_subjects_{code}_{year}", key="results_subjects")


def objectivity_tab(s: Slice) -> None:
    """ВПР marks against the school's own marks: lower, confirmed, higher."""
    scope, min_n, lang = s.scope, s.min_n, s.lang
    year = scope.year
    level, rows = s.rows_source()
    labels = {"share_lower": t("indicators.vpr_lower"), "share_confirmed": t("indicators.vpr_confirmed"),
              "share_higher": t("indicators.vpr_higher")}
    objective_view = view(views.objectivity,
                          source(indicators.objectivity, level, scope.region_id, scope.municipality_id, year,
                                 scope.subject_id, scope.grade),
                          rows, level, min_n, labels, t("results.objectivity_title", year=year), lang)
    if objective_view is None:
        st.warning(t("results.no_results"))
    else:
        objective_figure, objective_table = objective_view
        st.plotly_chart(objective_figure, width="stretch", config=CHART)
        st.caption(t("results.objectivity_caption", shown=len(objective_table), min_n=min_n))
        export.download_buttons(objective_table, f"results_vpr_objectivity_{year}", key="results_objectivity")


def detail_panel(s: Slice) -> None:
    """The selected school beside its municipality, similar schools and the region."""
    code, name, share, pool_years, min_n, lang, selected = (
        s.code, s.name, s.share, s.pool_years, s.min_n, s.lang, s.selected)
    school_query = s.school_query
    if not selected:
        st.caption(t("results.select_hint"))
    else:
        info = compute(comparison.school_info, selected).iloc[0]
        head, close = st.columns([5, 1], vertical_alignment="bottom")
        head.subheader(t("results.detail_title", name=md(info["short_name"])))
        if close.button(t("results.detail_close"), key="results_close"):
            url_state.write("school", None)
            st.rerun()
        navigation.link("passport", t("results.passport"), query_params={"school": selected})
        st.caption(t("results.detail_info", municipality=md(info["municipality"]), type=t(f"codes.school_type.{info['school_type']}"),
                     setting=t(f"codes.setting.{'rural' if info['is_rural'] else 'urban'}"),
                     social=num(info["social_index"], 2)))
        compared = compute(comparison.compare_school, school_query, code, pool_years=pool_years, min_n=min_n)
        who_names = {"school": info["short_name"], "municipality": info["municipality"],
                     "similar": t("results.similar"), "region": t("results.region")}
        if compared.empty:
            st.info(t("results.no_results"))
        else:
            detail = views.detail_table(compared, who_names, code, lang)
            left, right = st.columns([3, 2])
            with left:
                st.markdown(f"**{t('results.detail_compare')}**", help=t("results.detail_similar_help"))
                tables.dataframe(detail)
                export.download_buttons(detail, f"results_school_{selected}_{code}", key="results_detail")
            sch = source(comparison.series, school_query, code, pool_years=pool_years, min_n=min_n)
            right.plotly_chart(view(trend_lines, sch, who_names, t("results.trend_title", indicator=name),
                                    name + (", %" if share else ""), share, lang, t("app.little_data")),
                               width="stretch", config=CHART)
