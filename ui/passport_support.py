"""The support sections of «Паспорт школы» (pages/passport.py), each drawn from one
:class:`ui.passport_school.School`: the mentor with a small map, the school's roadmap, teacher
development. Tables and texts come from ``presentation.views.passport``."""
from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from analytics import passport, school_map, teachers
from analytics import roadmaps as rm
from analytics.query import Query
from presentation.figures import roadmaps as roadmap_figures
from presentation.figures.school_map import build_map
from presentation.safe import md
from presentation.views import passport as views, teachers as teacher_views
from presentation.views.charts import fitted
from ui import export, lazy, navigation, present, tables
from ui.cache import compute, source, view
from ui.passport_school import School
from ui.passport_sections import LEGEND_BELOW
from ui.text import day, num, t


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
        # The table of every measure is formatted and sent only while it is open.
        with lazy.expander(t("passport.measures", count=len(timeline)), key="passport_measures_open") as is_open:
            if is_open:
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
