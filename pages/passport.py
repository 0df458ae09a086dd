"""«Паспорт школы»: one school on one page — identity and categories with reasons, results
per subject with intervals against the municipality and region, risk profile and its
change, mentor with distance and a small map, its roadmap, teacher development.
The URL names the school (``?school=<code>``)."""

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from analytics.query import Query, as_of_date
from analytics import (catalog, comparison, identification, indicators, overview, passport, risks, school_map,
                       small_numbers, teachers)
from analytics import roadmaps as rm
from analytics.indicators import BY_CODE, DEFAULT_INDICATOR
from ui import export, navigation, present, tables, url_state
from ui import figure_cards as cards_ui
from ui.cache import compute, settings, source, view
from presentation.figures import roadmaps as roadmap_figures
from presentation.figures.results import trend_lines
from presentation.figures.risks import profile_bars
from presentation.figures.school_map import build_map
from presentation.figures.style import CATEGORY_COLOURS
from ui.filters import current_scope
from presentation.reasons import reasons_markdown
from presentation.safe import md, plain
from ui.shell import page_header
from ui.text import day, language, num, pct, pp, t
from presentation.views import schools as school_views, teachers as teacher_views
from presentation.views.charts import fitted

URL_KEY, PICKER_KEY = "school", "passport_school"
LEGEND_BELOW = dict(legend=dict(orientation="h", yanchor="top", y=-0.14, xanchor="left", x=0))

scope = current_scope()
page_header(t("passport.title"), scope)
lang = language()
config = settings()
min_n = config.min_n
year = int(scope.year)
as_of = as_of_date(year, config.today)
name_column = "name_ru" if lang == "ru" else "name_en"

# -- which school: the URL, else a picker ------------------------------------------------------
schools = compute(catalog.schools, scope.region_id, scope.municipality_id)
municipality_names = dict(compute(catalog.municipalities, scope.region_id)[["municipality_id", "name"]].itertuples(
    index=False, name=None))
labels = {s: f"{n} · {municipality_names.get(m, m)}"
          for s, n, m in zip(schools["school_id"], schools["short_name"], schools["municipality_id"])}
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

region_id = info["region_id"]
geo_of_school = (region_id, info["municipality_id"])
if region_id != scope.region_id:
    st.warning(t("passport.other_region"))
params = identification.load_params()
list_year = compute(overview.latest_list_year, year)

# -- identity and categories -------------------------------------------------------------------------
st.header(md(info["name"]))
st.markdown(t("passport.identity", code=md(school_id), municipality=md(info["municipality"]),
              type=t(f"codes.school_type.{info['school_type']}"),
              setting=t(f"codes.setting.{'rural' if info['is_rural'] else 'urban'}"),
              social=num(info["social_index"], 2), students=num(info["students"])),
            help=t("passport.social_help"))

lists = compute(passport.official_lists, school_id)
current_lists = lists[lists["year"] == list_year]["category"].tolist() if list_year else []
flags = compute(identification.identify, region_id, year, params)
own_flags = flags[flags["school_id"] == school_id]
pairs = compute(school_map.current_pairs, region_id, None, list_year) if list_year else None
as_mentee, as_mentor = passport.related_pairs(pairs, school_id) if pairs is not None else (None, None)
summary = compute(rm.completion, rm.RoadmapFilter(region_id, None, year, school_id=school_id), as_of).iloc[0]
catalogue_id = compute(risks.default_catalogue)
risk_year = compute(risks.profile_year, catalogue_id, year)
profile = compute(risks.school_profile, school_id, risk_year, catalogue_id) if risk_year else pd.DataFrame()
has_profile = not profile.empty and profile["level"].notna().any()

cards = st.columns(4, border=True)
with cards[0]:
    others = [t(f"codes.category.{c}") for c in current_lists if c != "low_results"]
    st.metric(t("passport.card_lists", year=list_year or year),
              t("passport.yes") if "low_results" in current_lists else t("passport.no"),
              help=t("passport.card_lists_help"))
    streak = sorted(lists[lists["category"] == "low_results"]["year"].tolist())
    if streak:
        st.caption(t("passport.low_years", years=", ".join(str(y) for y in streak)))
    if others:
        st.caption(t("passport.other_lists", names=", ".join(others)))
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
    places = "; ".join(t("passport.reconcile_place", year=p["year"], rank=p["rank"], ranked=p["ranked"])
                       if p["rank"] is not None else t("passport.reconcile_no_place", year=p["year"])
                       for p in reconciled["places"])
    cut = next((p["cut_rank"] for p in reversed(reconciled["places"]) if p["cut_rank"] is not None), "—")
    kind = {(True, True): "both", (True, False): "official_only", (False, True): "computed_only",
            (False, False): "neither"}[(reconciled["official"], reconciled["computed"])]
    sentence = t(f"passport.reconcile_{kind}", list_year=list_year, share=pct(reconciled["share"], 0),
                 places=places, cut=cut)
    if reconciled["probability"] is not None:
        sentence += " " + t("passport.reconcile_probability", share=pct(reconciled["share"], 0),
                            probability=pct(reconciled["probability"], 0),
                            threshold=pct(reconciled["min_probability"], 0))
    st.markdown(sentence)
st.subheader(t("passport.reasons_title", year=year))
if own_flags.empty:
    st.write(t("passport.no_flags"))
else:
    st.markdown(reasons_markdown(own_flags, lambda category: t(f"codes.category.{category}"), lang))
st.caption(t("passport.reasons_note"))

# -- results ----------------------------------------------------------------------------------------
st.header(t("passport.results_title"))
options = [i.code for i in indicators.for_procedure(scope.procedure)]
url_state.seed("passport_indicator", "indicator", options, DEFAULT_INDICATOR[scope.procedure], report=False)
code = st.selectbox(t("passport.indicator"), options, key="passport_indicator",
                    format_func=lambda c: t(f"indicators.{c}"), help=t(f"indicators.{st.session_state['passport_indicator']}_def"))
url_state.write("indicator", code)   # always named: links from here carry it
indicator = BY_CODE[code]
share = indicator.kind == "share"
name = t(f"indicators.{code}")


def value_text(value, enough=True) -> str:
    if value is None or pd.isna(value):
        return "—"
    if not enough:
        return t("app.little_data")  # the N column beside it says how many
    return pct(value) if share else num(value, indicator.decimals)


def interval_text(low, high, enough=True) -> str:
    if not enough or pd.isna(low) or pd.isna(high):
        return ""
    return f"{value_text(low)} … {value_text(high)}"


def change_text(delta, low, high, n=None, prev_n=None) -> str:
    if n is not None and not small_numbers.enough(n, prev_n, min_n=min_n):
        return t("figures.little_data_n", n=small_numbers.smallest_n(n, prev_n))
    if pd.isna(delta):
        return "—"
    if share:
        main, lo, hi = pp(delta), pp(low), pp(high)
    else:
        main, lo, hi = num(delta, indicator.decimals), num(low, indicator.decimals), num(high, indicator.decimals)
    return f"{main} [{lo}; {hi}]"


results = compute(passport.subject_results, school_id, year, scope.procedure, code, min_n)
if results.empty:
    st.info(t("passport.no_results", procedure=t(f"codes.procedure.{scope.procedure}"), year=year))
else:
    enough = results["enough"].astype(bool)
    table = pd.DataFrame({
        t("passport.columns.subject"): results[name_column],
        t("passport.columns.n"): results["n"].astype(int),
        t("passport.columns.value"): [value_text(v, ok) for v, ok in zip(results["value"], enough)],
        t("passport.columns.interval"): [interval_text(lo, hi, ok) for lo, hi, ok in
                                         zip(results["ci_low"], results["ci_high"], enough)],
        t("passport.columns.change"): [change_text(d, lo, hi, n, pn) for d, lo, hi, n, pn in
                                       zip(results["delta"], results["delta_low"], results["delta_high"],
                                           results["n"], results["prev_n"])],
        t("passport.columns.verdict"): [t(f"results.verdict.{v}") for v in results["change_verdict"]],
        t("passport.columns.trend"): [t(f"results.verdict.{v}") for v in results["trend_verdict"]],
        t("passport.columns.municipality"): [value_text(v) for v in results["municipality_value"]],
        t("passport.columns.region"): [value_text(v) for v in results["region_value"]],
    })
    st.caption(t("passport.results_caption", indicator=name, procedure=t(f"codes.procedure.{scope.procedure}"),
                 year=year, min_n=min_n))
    column = lambda key: t(f"passport.columns.{key}")  # noqa: E731
    # 760 px at 1280: the interval sits in «Изменение [интервал]»; the value's own interval and the
    # five-year trend are in the column menu and the download.
    tables.dataframe(table, wrap=[column("subject"), column("change"), column("verdict")],
                     hidden=[column("interval"), column("trend")],
                     widths={column("subject"): 110, column("n"): 95, column("value"): 90, column("change"): 150,
                             column("verdict"): 125, column("municipality"): 110, column("region"): 80})
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

# -- risk profile ---------------------------------------------------------------------------------------
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

# -- mentor and map ---------------------------------------------------------------------------------------
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
        areas = compute(school_map.areas_for_map, region_id, year, list_year, as_of, *vpr)
        areas = areas[areas["area_id"].isin(set(shown["municipality_id"]))]
        categories = {c: t(f"codes.category.{c}") for c in CATEGORY_COLOURS}
        texts = {"km_road": t("map.km_road"), "km_straight": t("map.km_straight"), "km_estimate": t("map.km_estimate"),
                 "category": t("map.category"), "categories": categories, "municipality": t("map.municipality"),
                 "vpr_participants": t("map.vpr_participants"), "vpr_share2": t("map.vpr_share2"),
             "min_n": settings().min_n, "little_data_n": t("figures.little_data_n", n="{n}"),
                 "roadmap": t("map.roadmap"), "area_value": lambda row: ""}
        st_folium(build_map(shown, areas, linked, texts, lang, selected=school_id), key="passport_map",
                  height=340 if not present.is_on() else 300, use_container_width=True, returned_objects=[])

# -- roadmap ------------------------------------------------------------------------------------------------
st.header(t("passport.roadmap_title", year=year))
flt = rm.RoadmapFilter(region_id, None, year, school_id=school_id)
if not planned:
    st.info(t("passport.no_units", year=year))
else:
    st.caption(t("roadmaps.as_of_note", date=day(as_of)))
    figure_labels = {"on_time": t("roadmaps.on_time_line"), "late": t("roadmaps.late"), "target": t("roadmaps.target"),
                     "target_short": t("roadmaps.target_short"), "so_far": t("roadmaps.so_far"),
                     "y": t("roadmaps.y_share"), "x": t("roadmaps.x_share"), "date_format": day}
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
            overdue_table = overdue[["roadmap_title", "number", "title", "due_date", "days_overdue", "executors_text"]]
            overdue_table = overdue_table.rename(columns={c: t(f"roadmaps.columns.{c}") for c in overdue_table.columns})
            # A 3/5 column (about 460 px at 1280): what, when, how late, who; the roadmap and № in
            # the column menu and the download.
            name = lambda key: t(f"roadmaps.columns.{key}")  # noqa: E731
            tables.dataframe(overdue_table, height=260, wrap=[name("title"), name("executors_text")],
                             hidden=[name("roadmap_title"), name("number")],
                             headers={name("days_overdue"): t("passport.days_short")},
                             widths={name("title"): 185, name("due_date"): 90, name("days_overdue"): 70,
                                     name("executors_text"): 105})
            export.download_buttons(overdue_table, f"passport_{school_id}_overdue", key="passport_overdue")
    timeline = compute(rm.measures_timeline, flt, as_of)
    with st.expander(t("passport.measures", count=len(timeline))):
        measures = timeline.assign(state=timeline["state"].map(lambda s: t(f"codes.status.{s}")))[
            ["roadmap_title", "number", "title", "finish", "state", "units", "done", "overdue"]]
        measures = measures.rename(columns={c: t(f"passport.measure_columns.{c}") for c in measures.columns})
        name = lambda key: t(f"passport.measure_columns.{key}")  # noqa: E731
        tables.dataframe(measures, wrap=[name("title")], hidden=[name("roadmap_title")],
                         widths={name("number"): 45, name("title"): 270, name("finish"): 95, name("state"): 115,
                                 name("units"): 75, name("done"): 90, name("overdue"): 95})
        export.download_buttons(measures, f"passport_{school_id}_measures", key="passport_measures")
    navigation.link("roadmaps", t("passport.to_roadmaps"))

# -- teachers -------------------------------------------------------------------------------------------------
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
                       ["route_share", "consultations_share", "positive_share"], indicator_labels,
                       t("passport.teachers_chart", year=teacher_year), t("teachers.target"), lang),
                      on=present.is_on()))
    st.caption(t("teachers.interval_note"))
    if detail["teachers_total"].sum() < min_n:
        st.caption(t("passport.teachers_small", min_n=min_n))
    navigation.link("teachers", t("passport.to_teachers"))
st.caption(t("teachers.guardrail"))
