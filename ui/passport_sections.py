"""The sections of «Паспорт школы» (pages/passport.py), each drawn from one :class:`School`:
the picker, identity and cards, results, risk profile, mentor and map, roadmap, teachers. Tables
and texts come from ``presentation.views.passport``; what is here is Streamlit layout."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from analytics import (catalog, comparison, identification, indicators, passport, risks, school_map, teachers)
from analytics import roadmaps as rm
from analytics.indicators import BY_CODE, DEFAULT_INDICATOR
from analytics.query import Query
from presentation.figures import roadmaps as roadmap_figures
from presentation.figures.results import trend_lines
from presentation.figures.risks import profile_bars
from presentation.figures.school_map import build_map
from presentation.reasons import reasons_markdown
from presentation.safe import md, plain
from presentation.views import passport as views, schools as school_views, teachers as teacher_views
from presentation.views.charts import fitted
from ui import export, navigation, present, tables, url_state
from ui import figure_cards as cards_ui
from ui.cache import compute, source, view
from ui.text import day, num, pct, t

URL_KEY, PICKER_KEY = "school", "passport_school"
LEGEND_BELOW = dict(legend=dict(orientation="h", yanchor="top", y=-0.14, xanchor="left", x=0))


@dataclass
class School:
    """The school a passport shows and the view it is shown in."""
    scope: object            # the sidebar's view (ui.filters.current_scope)
    school_id: str
    info: dict               # analytics.passport.school
    year: int
    as_of: dt.date
    list_year: int | None
    params: dict             # identification parameters
    min_n: int
    lang: str

    @property
    def region_id(self) -> str:
        return self.info["region_id"]

    @property
    def geo(self) -> tuple:
        return self.info["region_id"], self.info["municipality_id"]

    @property
    def name_column(self) -> str:
        return "name_ru" if self.lang == "ru" else "name_en"

    def pairs(self):
        """Mentor pairs of the latest list (``None`` without a list) and this school's in them."""
        if not self.list_year:
            return None, None, None
        pairs = compute(school_map.current_pairs, self.region_id, None, self.list_year)
        return (pairs, *passport.related_pairs(pairs, self.school_id))

    def roadmap_filter(self) -> rm.RoadmapFilter:
        return rm.RoadmapFilter(self.region_id, None, self.year, school_id=self.school_id)

    def risk_profile(self):
        """(profile year, catalogue, profile rows; empty without a profile)."""
        catalogue_id = compute(risks.default_catalogue)
        risk_year = compute(risks.profile_year, catalogue_id, self.year)
        profile = compute(risks.school_profile, self.school_id, risk_year, catalogue_id) if risk_year \
            else pd.DataFrame()
        return risk_year, catalogue_id, profile if not profile.empty and profile["level"].notna().any() else None


def pick_school(scope) -> tuple[str, dict]:
    """The school named by the URL, else chosen in a picker (kept in the URL as ``?school=``);
    an unknown code is said in words. Stops the page while no school is chosen."""
    schools = compute(catalog.schools, scope.region_id, scope.municipality_id)
    labels = views.school_labels(schools, compute(catalog.municipalities, scope.region_id))
    wanted = url_state.read(URL_KEY) or ""
    unknown = None
    if PICKER_KEY not in st.session_state or (wanted and wanted != st.session_state[PICKER_KEY]):
        st.session_state[PICKER_KEY] = wanted
    school_id = st.session_state[PICKER_KEY]
    info = compute(passport.school, school_id) if school_id else None
    if school_id and info is None:
        unknown, school_id = school_id, ""
        st.session_state[PICKER_KEY] = ""
    if school_id and school_id not in labels:
        # A school outside the sidebar's municipality (e.g. opened from a link): still offered.
        labels[school_id] = f"{info['short_name']} · {info['municipality']}"
    options = ["", *sorted(labels, key=labels.get)]
    st.selectbox(t("passport.picker"), options, key=PICKER_KEY, help=t("passport.picker_help"),
                 format_func=lambda s: t("passport.choose") if s == "" else plain(labels.get(s, s)))
    school_id = st.session_state[PICKER_KEY]
    if school_id:
        url_state.write(URL_KEY, school_id)
        info = compute(passport.school, school_id)
    elif unknown is None:   # an unknown code stays in the URL beside the message naming it
        url_state.write(URL_KEY, None)
    if unknown is not None:
        st.error(t("passport.unknown", code=unknown))
    if not school_id:
        st.info(t("passport.no_school"))
        st.stop()
    return school_id, info


def identity(school: School) -> None:
    """Name, identity line, four cards, the list reconciliation and the reasons."""
    scope, school_id, info, year, as_of, list_year, params, lang = (
        school.scope, school.school_id, school.info, school.year, school.as_of, school.list_year, school.params,
        school.lang)
    region_id = school.region_id
    st.header(md(info["name"]))
    st.markdown(t("passport.identity", code=md(school_id), municipality=md(info["municipality"]),
                  type=t(f"codes.school_type.{info['school_type']}"),
                  setting=t(f"codes.setting.{'rural' if info['is_rural'] else 'urban'}"),
                  social=num(info["social_index"], 2), students=num(info["students"])),
                help=t("passport.social_help"))

    listed, streak, other_lists = views.list_card(compute(passport.official_lists, school_id), list_year, lang)
    flags = compute(identification.identify, region_id, year, params)
    own_flags = flags[flags["school_id"] == school_id]
    _, as_mentee, _ = school.pairs()
    summary = compute(rm.completion, school.roadmap_filter(), as_of).iloc[0]
    risk_year, _, profile = school.risk_profile()
    has_profile = profile is not None

    cards = st.columns(4, border=True)
    with cards[0]:
        st.metric(t("passport.card_lists", year=list_year or year), t("passport.yes") if listed else t("passport.no"),
                  help=t("passport.card_lists_help"))
        if streak:
            st.caption(t("passport.low_years", years=", ".join(str(y) for y in streak)))
        if other_lists:
            st.caption(t("passport.other_lists", names=", ".join(other_lists)))
    with cards[1]:
        planned = int(summary["planned"])
        cards_ui.metric(cards_ui.value("school_roadmap_completion",
                                       cards_ui.scope_of(scope, as_of, cards_ui.basis_choice())._replace(
                                           region_id=region_id, municipality_id=None), school_id=school_id))
        st.caption(t("passport.roadmap_caption", done=num(summary["done"]), planned=num(planned),
                     overdue=num(summary["overdue"])) if planned else t("passport.no_units", year=year))
    with cards[2]:
        high = int((profile["level"] == "high").sum()) if has_profile else None
        st.metric(t("passport.card_risks", year=risk_year or year),
                  t("passport.high_of", high=high, total=int(profile["level"].notna().sum())) if has_profile else "—",
                  help=t("passport.card_risks_help"))
    with cards[3]:
        if as_mentee is not None and not as_mentee.empty:
            first = as_mentee.iloc[0]
            st.metric(t("passport.card_mentor"), t(f"map.km_{first['km_kind']}", km=num(first["km"])),
                      help=t("passport.card_mentor_help"))
            st.caption(md(first["mentor_name"]))
        else:
            st.metric(t("passport.card_mentor"), t("passport.none"), help=t("passport.card_mentor_help"))

    reconciled = compute(passport.list_reconciliation, school_id, region_id, year, list_year, params)
    if list_year is not None:
        st.markdown(views.reconciliation_sentence(reconciled, list_year, lang))
    st.subheader(t("passport.reasons_title", year=year))
    if own_flags.empty:
        st.write(t("passport.no_flags"))
    else:
        st.markdown(reasons_markdown(own_flags, lambda category: t(f"codes.category.{category}"), lang))
    st.caption(t("passport.reasons_note"))


def results(school: School) -> None:
    """The indicator's results per subject, the school's trend and its index history."""
    scope, school_id, info, year, params, min_n, lang = (
        school.scope, school.school_id, school.info, school.year, school.params, school.min_n, school.lang)
    region_id = school.region_id
    st.header(t("passport.results_title"))
    options = [i.code for i in indicators.for_procedure(scope.procedure)]
    url_state.seed("passport_indicator", "indicator", options, DEFAULT_INDICATOR[scope.procedure], report=False)
    code = st.selectbox(t("passport.indicator"), options, key="passport_indicator",
                        format_func=lambda c: t(f"indicators.{c}"), help=t(f"indicators.{st.session_state['passport_indicator']}_def"))
    url_state.write("indicator", code)   # always named: links from here carry it
    indicator = BY_CODE[code]
    share = indicator.kind == "share"
    name = t(f"indicators.{code}")
    results = compute(passport.subject_results, school_id, year, scope.procedure, code, min_n)
    if results.empty:
        st.info(t("passport.no_results", procedure=t(f"codes.procedure.{scope.procedure}"), year=year))
    else:
        table = views.results_table(results, code, min_n, lang)
        st.caption(t("passport.results_caption", indicator=name, procedure=t(f"codes.procedure.{scope.procedure}"),
                     year=year, min_n=min_n))
        tables.dataframe(table, layout=views.RESULTS_LAYOUT)
        export.download_buttons(table, f"passport_{school_id}_{code}_{year}", key="passport_results")

    left, right = st.columns(2)
    school_query = Query.of(school_id=school_id, procedure=scope.procedure, subject_id=scope.subject_id,
                            grade=scope.grade)
    series = compute(comparison.series, school_query, code, min_n=min_n)
    who_names = {"school": info["short_name"], "municipality": info["municipality"],
                 "similar": t("results.similar"), "region": t("results.region")}
    subject_label = st.session_state.get("scope_labels", {}).get("subject") or t("filters.all_subjects")
    with left:
        if series.empty:
            st.info(t("passport.no_series"))
        else:
            present.draw(view(fitted, trend_lines,
                              (source(comparison.series, school_query, code, min_n=min_n), who_names,
                               t("passport.trend_title", indicator=name, subject=subject_label),
                               name + (", %" if share else ""), share, lang, t("app.little_data")),
                              on=present.is_on(), layout=LEGEND_BELOW))
            st.caption(t("passport.trend_caption"))
    with right:
        last = year - int(params["lists"]["results_lag"])
        history = view(fitted, school_views.history_chart,
                       (source(identification.school_history, region_id, school_id, last - 6, last, params),
                        t("schools.history_title"), t("schools.history_index"),
                        t("schools.history_cut", share=pct(params["low_results"]["bottom_share"], 0)), lang),
                       on=present.is_on())
        if history is not None:
            present.draw(history)
        else:
            st.info(t("schools.little_data"))
    navigation.link("results", t("passport.to_results"), query_params={"school": school_id})


def risk_profile(school: School) -> None:
    """The risk profile and what changed since the year before."""
    school_id, info, year, lang, name_column = (school.school_id, school.info, school.year, school.lang,
                                                school.name_column)
    risk_year, catalogue_id, profile = school.risk_profile()
    has_profile = profile is not None
    st.header(t("passport.risks_title"))
    if not has_profile:
        st.info(t("passport.no_profile", year=year))
    else:
        level_names = {level: t(f"codes.risk_level.{level}") for level in risks.LEVELS}
        left, right = st.columns([3, 2])
        with left:
            present.draw(view(fitted, profile_bars,
                              (source(risks.school_profile, school_id, risk_year, catalogue_id), name_column, level_names,
                               risk_year, t("risks.profile_chart", school=info["short_name"], year=risk_year),
                               t("risks.previous_year", year=risk_year - 1), lang), on=present.is_on()))
        with right:
            if profile["previous_score"].isna().all():
                st.info(t("risks.no_previous", year=risk_year - 1))
            for change in ("worsened", "improved"):
                named = profile.loc[profile["change"] == change, name_column].tolist()
                if named:
                    st.markdown(f"**{t(f'risks.summary.{change}', previous=risk_year - 1)}**")
                    st.markdown("\n".join(f"- {md(n)}" for n in named))
            unchanged = int((profile["change"] == "unchanged").sum())
            st.caption(t("passport.risks_unchanged", count=unchanged))
            navigation.link("risks", t("passport.to_risks"), query_params={"school": school_id})


def mentor(school: School) -> None:
    """The mentor pair(s) with distances and a small map of the school, its mentor and mentees."""
    scope, school_id, year, as_of, list_year, min_n, lang = (
        school.scope, school.school_id, school.year, school.as_of, school.list_year, school.min_n, school.lang)
    region_id = school.region_id
    pairs, as_mentee, as_mentor = school.pairs()
    st.header(t("passport.mentor_title", year=list_year or year))
    if pairs is None:
        st.info(t("overview.no_list"))
    else:
        left, right = st.columns([3, 2])
        with right:
            if as_mentee.empty:
                st.markdown(t("passport.mentor_none"))
            for row in as_mentee.itertuples():
                st.markdown(t("passport.mentor_line", name=md(row.mentor_name), code=md(row.mentor_school_id),
                              km=t(f"map.km_{row.km_kind}", km=num(row.km))))
                if row.km_kind != "road":
                    st.caption(t("passport.km_straight_note"))
            if not as_mentor.empty:
                st.markdown(f"**{t('map.card_mentees')}:**")
                st.markdown("\n".join(f"- {md(r.mentee_name)} ({t('map.km_' + r.km_kind, km=num(r.km))})"
                                      for r in as_mentor.itertuples()))
            navigation.link("map", t("passport.to_map"), query_params={"school": school_id})
        with left:
            vpr = dict(subject_id=scope.subject_id, grade=scope.grade) if scope.procedure == "VPR" else {}
            all_schools = compute(school_map.schools_for_map, Query.of(region_id, year=year, **vpr), list_year=list_year,
                                  as_of=as_of)
            shown, linked = passport.map_subset(all_schools, pairs, school_id)
            areas = compute(school_map.areas_for_map, region_id, year, list_year, as_of, **vpr)
            areas = areas[areas["area_id"].isin(set(shown["municipality_id"]))]
            texts = views.map_texts(lang, min_n)
            st_folium(build_map(shown, areas, linked, texts, lang, selected=school_id), key="passport_map",
                      height=340 if not present.is_on() else 300, use_container_width=True, returned_objects=[])


def roadmap(school: School) -> None:
    """Checkpoints, overdue units and the measures of the school's roadmap."""
    school_id, year, as_of, lang = school.school_id, school.year, school.as_of, school.lang
    flt = school.roadmap_filter()
    planned = int(compute(rm.completion, flt, as_of).iloc[0]["planned"])
    st.header(t("passport.roadmap_title", year=year))
    if not planned:
        st.info(t("passport.no_units", year=year))
    else:
        st.caption(t("roadmaps.as_of_note", date=day(as_of)))
        figure_labels = views.roadmap_figure_labels(lang) | {"date_format": day}
        left, right = st.columns([2, 3])
        with left:
            present.draw(view(fitted, roadmap_figures.checkpoint_bars,
                              (source(rm.checkpoint_progress, flt, as_of), figure_labels, t("passport.checkpoints"), lang),
                              on=present.is_on(), layout=LEGEND_BELOW))
        with right:
            overdue = compute(rm.overdue_units, flt, as_of)
            st.markdown(f"**{t('passport.overdue_title', count=len(overdue))}**")
            if overdue.empty:
                st.success(t("roadmaps.overdue_none"))
            else:
                overdue_table = views.overdue_table(overdue, lang)
                tables.dataframe(overdue_table, height=260, layout=views.OVERDUE_LAYOUT)
                export.download_buttons(overdue_table, f"passport_{school_id}_overdue", key="passport_overdue")
        timeline = compute(rm.measures_timeline, flt, as_of)
        with st.expander(t("passport.measures", count=len(timeline))):
            measures = views.measures_table(timeline, lang)
            tables.dataframe(measures, layout=views.MEASURES_LAYOUT)
            export.download_buttons(measures, f"passport_{school_id}_measures", key="passport_measures")
        navigation.link("roadmaps", t("passport.to_roadmaps"))


def teacher_development(school: School) -> None:
    """Teacher coverage of the school against the targets."""
    school_id, year, min_n, lang = school.school_id, school.year, school.min_n, school.lang
    geo_of_school = school.geo
    st.header(t("passport.teachers_title"))
    teacher_year = compute(teachers.snapshot_year, *geo_of_school, year)
    detail = compute(teachers.coverage, *geo_of_school, teacher_year, None, level="school_subject") \
        if teacher_year else pd.DataFrame()
    detail = detail[detail["school_id"] == school_id] if not detail.empty else detail
    if detail.empty:
        st.info(t("passport.no_teachers"))
    else:
        st.caption(t("passport.teachers_caption", year=teacher_year, teachers=num(detail["teachers_total"].sum())))
        indicator_labels = {i: t(f"teachers.indicator.{i}") for i in teachers.INDICATORS}
        present.draw(view(fitted, teacher_views.school_chart,
                          (source(teachers.coverage, *geo_of_school, teacher_year, None, level="school_subject"),
                           source(teachers.coverage, *geo_of_school, teacher_year, None),
                           source(teachers.targets, *geo_of_school, teacher_year), school_id,
                           "subject_ru" if lang == "ru" else "subject_en",
                           views.TEACHER_INDICATORS, indicator_labels,
                           t("passport.teachers_chart", year=teacher_year), t("teachers.target"), lang),
                          on=present.is_on()))
        st.caption(t("teachers.interval_note"))
        if detail["teachers_total"].sum() < min_n:
            st.caption(t("passport.teachers_small", min_n=min_n))
        navigation.link("teachers", t("passport.to_teachers"))
    st.caption(t("teachers.guardrail"))
