"""«Кадры»: teachers of listed schools — coverage against targets, diagnostic dynamics,
deficit topics per subject, and schools where falling results meet unsupported teachers."""
import pandas as pd
import streamlit as st

from analytics import teachers
from ui import export, pages
from ui.data import compute, settings
from ui.figures.teachers import coverage_by_group, coverage_vs_targets, deficits_chart, dynamics_chart
from ui.filters import current_scope
from ui.shell import page_header
from ui.text import language, num, pct, pp, t

ALL = ""
PICKER_KEY, PICKER_URL = "teachers_subject", "tsubject"
SHOW_ALL_KEY, SHOW_ALL_URL = "teachers_show_all", "tall"
CHART_CONFIG = {"displayModeBar": False}
TARGET_INDICATORS = ["route_share", "consultations_share", "positive_share"]

scope = current_scope()
page_header(t("teachers.title"), scope)
st.info(t("teachers.guardrail"), icon=":material/shield_person:")
lang = language()
name_column = "name_ru" if lang == "ru" else "name_en"
subject_name_column = "subject_ru" if lang == "ru" else "subject_en"
geo = (scope.region_id, scope.municipality_id)

# -- subject: the sidebar's, else a picker on the page (kept in the URL) -------------------------
available = compute(teachers.subjects_with_data)
subject_names = dict(zip(available["subject_id"], available[name_column]))
subject = teachers.teacher_subject(scope.subject_id)
if subject is not None and subject not in subject_names:
    st.warning(t("teachers.no_teacher_subject", subject=st.session_state.get("scope_labels", {}).get("subject")
                 or scope.subject_id))
    subject = None
if subject is None:
    options = [ALL, *subject_names]
    if PICKER_KEY not in st.session_state:
        st.session_state[PICKER_KEY] = st.query_params.get(PICKER_URL, ALL)
    if st.session_state[PICKER_KEY] not in options:
        st.session_state[PICKER_KEY] = ALL
    st.radio(t("teachers.subject_picker"), options, key=PICKER_KEY, horizontal=True,
             format_func=lambda s: t("teachers.all_subjects") if s == ALL else subject_names.get(s, s),
             help=t("teachers.subject_picker_help"))
    subject = st.session_state[PICKER_KEY] or None
    if subject:
        st.query_params[PICKER_URL] = subject
    elif PICKER_URL in st.query_params:
        del st.query_params[PICKER_URL]
subject_label = subject_names.get(subject) if subject else t("teachers.all_subjects")

year = compute(teachers.snapshot_year, *geo, scope.year)
if year is None:
    st.info(t("teachers.no_data_year", year=scope.year))
    st.stop()
if year != scope.year:
    st.caption(t("teachers.data_year_note", year=year))

total = compute(teachers.coverage, *geo, year, subject)
if total.empty:
    st.info(t("teachers.no_data"))
    st.stop()
target_frame = compute(teachers.targets, *geo, year)
summary = teachers.against_targets(total, target_frame)
indicator_labels = {i: t(f"teachers.indicator.{i}") for i in teachers.INDICATORS}
min_n = settings().min_n

# -- coverage against targets ----------------------------------------------------------------------
st.header(t("teachers.coverage_header"))
st.caption(t("teachers.snapshot_note", year=year, teachers=num(total.at[0, "teachers_total"]),
             schools=num(total.at[0, "schools"])))
rows = [summary.iloc[:3], summary.iloc[3:]]
for part in rows:
    cards = st.columns(len(part), border=True)
    for card, row in zip(cards, part.itertuples(index=False)):
        with card:
            delta, colour = t("teachers.metric_no_target"), "off"
            if not pd.isna(row.target) and not pd.isna(row.share):
                # Streamlit reads the arrow's direction from an ASCII minus.
                delta = t("teachers.metric_delta", delta=pp(row.share - row.target, 0).replace("\u2212", "-"),
                          target=pct(row.target, 0))
                colour = "normal"
            st.metric(t(f"teachers.short.{row.indicator}"), pct(row.share, 0), delta=delta, delta_color=colour,
                      delta_arrow="auto" if colour == "normal" else "off", help=t(f"teachers.help.{row.indicator}"))
            caption = t("teachers.metric_caption", numerator=num(row.numerator), denominator=num(row.denominator))
            if row.denominator < min_n:
                caption += " · " + t("teachers.little_data", n=num(row.denominator))
            st.caption(caption)

st.plotly_chart(coverage_vs_targets(summary, indicator_labels, t("teachers.coverage_chart", year=year),
                                    t("teachers.target"), t("teachers.count_of"), lang),
                width="stretch", config=CHART_CONFIG)

if subject is None:
    level, group_column, group_title = "subject", subject_name_column, "teachers.coverage_by_subject"
elif scope.municipality_id is None:
    level, group_column, group_title = "municipality", "municipality_name", "teachers.coverage_by_municipality"
else:
    level, group_column, group_title = "school", "short_name", "teachers.coverage_by_school"
groups = compute(teachers.coverage, *geo, year, subject, level=level)
targets_by_indicator = {row.indicator: row.target for row in summary.itertuples(index=False)}
st.plotly_chart(coverage_by_group(groups, group_column, TARGET_INDICATORS, indicator_labels, targets_by_indicator,
                                  t(group_title, year=year) + " · " + subject_label, t("teachers.target"), lang),
                width="stretch", config=CHART_CONFIG)
st.caption(t("teachers.interval_note"))

# -- dynamics of diagnostics --------------------------------------------------------------------------
st.header(t("teachers.dynamics_header"))
rounds = compute(teachers.dynamics, *geo, year, subject)
per_subject = compute(teachers.dynamics, *geo, year, None, by_subject=True) if subject is None else None
positive_target = targets_by_indicator.get("positive_share")
st.plotly_chart(dynamics_chart(rounds, t("teachers.dynamics_share"), t("teachers.dynamics_mean"), positive_target,
                               t("teachers.target_value", target=pct(positive_target, 0)), subject_label,
                               by_subject=per_subject, series_column=subject_name_column, language=lang),
                width="stretch", config=CHART_CONFIG)
st.caption(t("teachers.dynamics_caption"))

# -- deficit topics -------------------------------------------------------------------------------------
st.header(t("teachers.deficits_header"))
topics = compute(teachers.deficit_topics, *geo, year, subject, top=None if subject else 3)
if topics.empty:
    st.info(t("teachers.no_data"))
else:
    st.plotly_chart(deficits_chart(topics, t("teachers.deficits_chart", year=year) + " · " + subject_label,
                                   t("teachers.count_of"), name_column,
                                   subject_column=None if subject else subject_name_column, language=lang),
                    width="stretch", config=CHART_CONFIG)
    st.caption(t("teachers.deficits_caption"))

# -- the join: students' results × teacher support -----------------------------------------------------------
st.header(t("teachers.attention_header"))
grade_text = t("filters.grade_value", grade=scope.grade) if scope.grade else t("filters.all_grades")
caption_key = "teachers.attention_caption" if subject else "teachers.attention_caption_all"
st.caption(t(caption_key, procedure=t(f"codes.procedure.{scope.procedure}"), before=year - 1, year=year,
             subject=subject_label, grade=grade_text.lower()))
joined = compute(teachers.attention, *geo, year, scope.procedure, subject, scope.grade, min_n)
flagged = int(joined["attention"].sum())
st.markdown(f"**{t('teachers.attention_count', count=flagged, total=len(joined))}**")
if SHOW_ALL_KEY not in st.session_state:
    st.session_state[SHOW_ALL_KEY] = st.query_params.get(SHOW_ALL_URL) == "1"
show_all = st.toggle(t("teachers.show_all"), key=SHOW_ALL_KEY, help=t("teachers.show_all_help"))
if show_all:
    st.query_params[SHOW_ALL_URL] = "1"
elif SHOW_ALL_URL in st.query_params:
    del st.query_params[SHOW_ALL_URL]
shown = joined if show_all else joined[joined["results_fell"]]
if shown.empty:
    st.success(t("teachers.attention_none"))


def _reason(row) -> str:
    if row.attention and row.no_route:
        return t("teachers.reason.fell_no_route")
    if row.attention:
        return t("teachers.reason.fell_deficit")
    if row.results_fell:
        return t("teachers.reason.fell")
    return t("teachers.reason.small_n") if row.small_n else ""


def _percent(series: pd.Series) -> pd.Series:
    return (series.astype(float) * 100).round(1)


topic_column = "topic_ru" if lang == "ru" else "topic_en"
attention_table = pd.DataFrame({
    t("teachers.columns.school"): shown["short_name"],
    t("teachers.columns.subject"): shown[subject_name_column],
    t("teachers.columns.reason"): [_reason(r) for r in shown.itertuples(index=False)],
    t("teachers.columns.fail_change"): _percent(shown["fail_change"]),
    t("teachers.columns.quality_change"): _percent(shown["quality_change"]),
    t("teachers.columns.teachers_total"): shown["teachers_total"],
    t("teachers.columns.with_route"): shown["with_route"],
    t("teachers.columns.top_deficit"): shown[topic_column],
    t("teachers.columns.top_deficit_share"): _percent(shown["top_deficit_share"]),
    t("teachers.columns.n_before"): shown["n_before"].astype("Int64"),
    t("teachers.columns.n_now"): shown["n_now"].astype("Int64"),
    t("teachers.columns.fail_before"): _percent(shown["fail_share_before"]),
    t("teachers.columns.fail_now"): _percent(shown["fail_share_now"]),
    t("teachers.columns.quality_before"): _percent(shown["quality_before"]),
    t("teachers.columns.quality_now"): _percent(shown["quality_now"]),
    t("teachers.columns.municipality"): shown["municipality_name"],
})
if not shown.empty:
    event = st.dataframe(attention_table, hide_index=True, width="stretch", on_select="rerun",
                         selection_mode="single-row", key="teachers_attention_table")
    rows = event.selection.rows if event is not None else []
    if rows:
        picked = shown.iloc[rows[0]]
        pages.link("passport", t("teachers.passport", school=picked["short_name"]),
                   query_params={"school": picked["school_id"]})
    else:
        st.caption(t("teachers.passport_hint"))
    export.download_buttons(attention_table, f"teachers_attention_{year}", key="teachers_attention")

# -- coverage table per school × subject -------------------------------------------------------------------
st.subheader(t("teachers.table_header", year=year))
detail = compute(teachers.coverage, *geo, year, subject, level="school_subject")
detail_table = pd.DataFrame({
    t("teachers.columns.school"): detail["short_name"],
    t("teachers.columns.municipality"): detail["municipality_name"],
    t("teachers.columns.subject"): detail[subject_name_column],
    t("teachers.columns.teachers_total"): detail["teachers_total"],
    t("teachers.columns.diagnosed"): detail["diagnosed"],
    t("teachers.columns.with_route"): detail["with_route"],
    t("teachers.columns.trained"): detail["trained"],
    t("teachers.columns.in_consultations"): detail["in_consultations"],
    t("teachers.columns.in_mentoring"): detail["in_mentoring"],
    t("teachers.columns.level_rose"): detail["level_rose"],
    t("teachers.columns.route_share"): _percent(detail["route_share"]),
    t("teachers.columns.consultations_share"): _percent(detail["consultations_share"]),
    t("teachers.columns.positive_share"): _percent(detail["positive_share"]),
    t("teachers.columns.diagnostic_mean"): detail["diagnostic_mean"].round(1),
})
st.dataframe(detail_table, hide_index=True, width="stretch")
export.download_buttons(detail_table, f"teachers_coverage_{year}", key="teachers_coverage")

with st.expander(t("teachers.method.header")):
    st.markdown(t("teachers.method.body", min_n=min_n))
st.caption(t("teachers.guardrail"))
