"""The first sections of «Паспорт школы» (pages/passport.py), each drawn from one
:class:`ui.passport_school.School`: identity and cards, results, risk profile. The support the
school gets (mentor, roadmap, teachers) is drawn by ``ui.passport_support``. Tables and texts
come from ``presentation.views.passport``; what is here is Streamlit layout."""
from __future__ import annotations

import streamlit as st

from analytics import comparison, identification, indicators, passport, risks
from analytics import roadmaps as rm
from analytics.indicators import BY_CODE, DEFAULT_INDICATOR
from analytics.query import Query
from presentation.figures.results import trend_lines
from presentation.figures.risks import profile_bars
from presentation.reasons import reasons_markdown
from presentation.safe import md
from presentation.views import passport as views, schools as school_views
from presentation.views.charts import fitted
from ui import export, navigation, present, tables, url_state
from ui import figure_cards as cards_ui
from ui.cache import compute, source, view
from ui.passport_school import School
from ui.text import num, pct, t

LEGEND_BELOW = dict(legend=dict(orientation="h", yanchor="top", y=-0.14, xanchor="left", x=0))


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
