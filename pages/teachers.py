"""«Кадры»: teachers of listed schools — coverage against targets, diagnostic dynamics,
deficit topics per subject, and schools where falling results meet unsupported teachers."""
import streamlit as st

from analytics import teachers
from analytics.query import Query
from ui import export, navigation, tables, url_state
from ui import figure_cards as cards_ui
from ui.cache import compute, settings, source, view
from presentation.figures.teachers import dynamics_chart
from ui.filters import current_scope
from presentation.safe import md
from ui.shell import page_header
from ui.text import language, num, pct, t
from presentation.views import teachers as views

ALL = ""
PICKER_KEY, PICKER_URL = "teachers_subject", "tsubject"
SHOW_ALL_KEY, SHOW_ALL_URL = "teachers_show_all", "tall"
CHART_CONFIG = {"displayModeBar": False}

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
    subject = url_state.choice(
        st.radio, t("teachers.subject_picker"), key=PICKER_KEY, url=PICKER_URL, options=[ALL, *subject_names],
        default=ALL, report=False, horizontal=True, help=t("teachers.subject_picker_help"),
        format_func=lambda s: t("teachers.all_subjects") if s == ALL else md(subject_names.get(s, s))) or None
subject_label = subject_names.get(subject) if subject else t("teachers.all_subjects")

year = compute(teachers.snapshot_year, *geo, scope.year)
if year is None:
    st.info(t("teachers.no_data_year", year=scope.year))
    st.stop()
if year != scope.year:
    st.caption(t("teachers.data_year_note", year=year))

total_source = source(teachers.coverage, *geo, year, subject)
total = compute(teachers.coverage, *geo, year, subject)
if total.empty:
    st.info(t("teachers.no_data"))
    st.stop()
target_source = source(teachers.targets, *geo, year)
summary = view(views.summary, total_source, target_source)
indicator_labels = {i: t(f"teachers.indicator.{i}") for i in teachers.INDICATORS}
min_n = settings().min_n

# -- coverage against targets ----------------------------------------------------------------------
st.header(t("teachers.coverage_header"))
st.caption(t("teachers.snapshot_note", year=year, teachers=num(total.at[0, "teachers_total"]),
             schools=num(total.at[0, "schools"])))
for part in (summary.iloc[:3], summary.iloc[3:]):
    cards = st.columns(len(part), border=True)
    for card, row in zip(cards, part.itertuples(index=False)):
        with card:
            delta, colour = views.card_delta(row.share, row.target, lang)
            if row.indicator == "positive_share" and not subject:
                # The registry's figure (as on «Целевые показатели»): latest round, listed schools.
                # At the teacher data's year (it may lag the selected year), like the cards beside it.
                positive = cards_ui.value("teachers_positive_dynamics",
                                          cards_ui.scope_of(scope, settings().today)._replace(year=int(year)))
                cards_ui.metric(positive, delta=delta, delta_color=colour)
                row = row._replace(numerator=positive.numerator, denominator=positive.denominator)
            else:
                st.metric(t(f"teachers.short.{row.indicator}"), pct(row.share, 0), delta=delta, delta_color=colour,
                          delta_arrow="auto" if colour == "normal" else "off",
                          help=t(f"teachers.help.{row.indicator}"))
            st.caption(views.card_caption(row.numerator, row.denominator, min_n, lang))

st.plotly_chart(view(views.targets_chart, total_source, target_source, indicator_labels,
                     t("teachers.coverage_chart", year=year), t("teachers.target"), t("teachers.count_of"), lang),
                width="stretch", config=CHART_CONFIG)

level, group_column, group_title = views.grouping(subject, scope.municipality_id, lang)
st.plotly_chart(view(views.groups_chart, source(teachers.coverage, *geo, year, subject, level=level), total_source,
                     target_source, group_column, views.TARGET_INDICATORS, indicator_labels,
                     t(group_title, year=year) + " · " + subject_label, t("teachers.target"), lang),
                width="stretch", config=CHART_CONFIG)
st.caption(t("teachers.interval_note"))

# -- dynamics of diagnostics --------------------------------------------------------------------------
st.header(t("teachers.dynamics_header"))
per_subject = source(teachers.dynamics, *geo, year, None, by_subject=True) if subject is None else None
positive_target = dict(zip(summary["indicator"], summary["target"])).get("positive_share")
st.plotly_chart(view(dynamics_chart, source(teachers.dynamics, *geo, year, subject), t("teachers.dynamics_share"), t("teachers.dynamics_mean"),
                     positive_target, t("teachers.target_value", target=pct(positive_target, 0)), subject_label,
                     by_subject=per_subject, series_column=subject_name_column, language=lang),
                width="stretch", config=CHART_CONFIG)
st.caption(t("teachers.dynamics_caption"))

# -- deficit topics -------------------------------------------------------------------------------------
st.header(t("teachers.deficits_header"))
topics = view(views.deficits, source(teachers.deficit_topics, *geo, year, subject, top=None if subject else 3),
              t("teachers.deficits_chart", year=year) + " · " + subject_label, t("teachers.count_of"), name_column,
              None if subject else subject_name_column, lang)
if topics is None:
    st.info(t("teachers.no_data"))
else:
    st.plotly_chart(topics, width="stretch", config=CHART_CONFIG)
    st.caption(t("teachers.deficits_caption"))

# -- the join: students' results × teacher support -----------------------------------------------------------
st.header(t("teachers.attention_header"))
grade_text = t("filters.grade_value", grade=scope.grade) if scope.grade else t("filters.all_grades")
st.caption(t("teachers.attention_caption" if subject else "teachers.attention_caption_all", procedure=t(f"codes.procedure.{scope.procedure}"), before=year - 1, year=year,
             subject=subject_label, grade=grade_text.lower()))
joined = source(teachers.attention, Query.of(*geo, year=year, procedure=scope.procedure, subject_id=subject,
                                            grade=scope.grade), min_n=min_n)
count_slot = st.empty()   # the count reads the toggle below it
show_all = url_state.flag(st.toggle, t("teachers.show_all"), key=SHOW_ALL_KEY, url=SHOW_ALL_URL,
                          help=t("teachers.show_all_help"))
flagged, compared, shown, attention_table = view(views.attention, joined, show_all, lang)
count_slot.markdown(f"**{t('teachers.attention_count', count=flagged, total=compared)}**")
if shown.empty:
    st.success(t("teachers.attention_none"))
else:
    event = tables.dataframe(attention_table, on_select="rerun", selection_mode="single-row",
                             key="teachers_attention_table", layout=views.ATTENTION_LAYOUT)
    rows = event.selection.rows if event is not None else []
    if rows:
        picked = shown.iloc[rows[0]]
        navigation.link("passport", t("teachers.passport", school=picked["short_name"]),
                        query_params={"school": picked["school_id"]})
    else:
        st.caption(t("teachers.passport_hint"))
    export.download_buttons(attention_table, f"teachers_attention_{year}", key="teachers_attention")

# -- coverage table per school × subject -------------------------------------------------------------------
st.subheader(t("teachers.table_header", year=year))
detail_table = view(views.coverage_table, source(teachers.coverage, *geo, year, subject, level="school_subject"), lang)
tables.dataframe(detail_table, layout=views.COVERAGE_LAYOUT)
export.download_buttons(detail_table, f"teachers_coverage_{year}", key="teachers_coverage")

with st.expander(t("teachers.method.header")):
    st.markdown(t("teachers.method.body", min_n=min_n))
st.caption(t("teachers.guardrail"))
