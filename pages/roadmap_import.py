"""Import a roadmap from DOCX / XLSX / text: upload → preview and edit → save as a roadmap."""
import datetime as dt

import streamlit as st

from analytics import access, catalog
from analytics.roadmap_import import Period, RoadmapImportError
from analytics.roadmap_import.edit import preview_frame, read_review, with_period
from analytics.roadmap_import.review import period_issue
from analytics.roadmap_import.schools import SchoolRegistry
from analytics.roadmap_import.save import SaveError, unit_count
from ui import export, navigation, tables, uploads
from ui.cache import clear_caches, compute, settings, store
from ui.filters import current_scope
from ui.roadmap_import import FILE_KEY, SAVED_KEY, column_config, digest, parsed_upload, save, styled
from presentation.safe import md, plain
from ui.shell import page_header
from ui.text import day, num, t

scope = current_scope()
page_header(t("roadmap_import.title"), scope, show_assessment=False)
st.caption(t("roadmap_import.intro"))
with st.expander(t("roadmap_import.method")):
    st.markdown(t("roadmap_import.method_text"))

left, right = st.columns([3, 1])
uploaded = uploads.file_uploader(t("roadmap_import.upload"), ["docx", "xlsx", "txt", "tsv"], key="roadmap_import_upload",
                                 container=left, help=t("roadmap_import.upload_help"))
default_year = int(right.number_input(t("roadmap_import.default_year"), min_value=2000, max_value=2100,
                                      value=settings().today.year, step=1, help=t("roadmap_import.default_year_help")))
if uploaded is not None:
    st.session_state[FILE_KEY] = (uploaded.name, uploaded.getvalue())
source = st.session_state.get(FILE_KEY)
if source is None:
    st.info(t("roadmap_import.waiting"))
    st.stop()

file_name, data = source
file_id = digest(data)
try:
    parsed = parsed_upload(data, file_name, default_year)
except RoadmapImportError as error:
    st.error(t("roadmap_import.read_error", message=str(error)))
    st.stop()
st.caption(t("roadmap_import.file_caption", name=file_name))

top = st.columns([5, 2, 2])
title = top[0].text_input(t("roadmap_import.roadmap_title"), value=parsed.title, key=f"ri_title_{file_id}")
fallback = Period(dt.date(default_year, 1, 1), dt.date(default_year, 12, 31))
period_start = top[1].date_input(t("roadmap_import.period_start"), value=(parsed.period or fallback).start,
                                 format="DD.MM.YYYY", help=t("roadmap_import.period_help"), key=f"ri_start_{file_id}")
period_end = top[2].date_input(t("roadmap_import.period_end"), value=(parsed.period or fallback).end,
                               format="DD.MM.YYYY", key=f"ri_end_{file_id}")
if not period_start or not period_end or period_start > period_end:
    st.error(t("roadmap_import.period_missing"))
    st.stop()
period = Period(period_start, period_end)
found_period = parsed.period
if period != parsed.period:
    parsed = with_period(parsed, period)

attach = st.columns([3, 3, 4])
levels = ["region", "municipality", "school"] if access.current().municipality_id is None else ["municipality", "school"]
level = attach[0].radio(t("roadmap_import.level"), levels, horizontal=True,
                        format_func=lambda v: t(f"roadmap_import.level_name.{v}"), key="ri_level")
municipality_id = school_id = None
if level in ("municipality", "school"):
    municipalities = compute(catalog.municipalities, scope.region_id)
    names = dict(zip(municipalities["municipality_id"], municipalities["name"]))
    options = list(names)
    default = options.index(scope.municipality_id) if scope.municipality_id in options else 0
    municipality_id = attach[1].selectbox(t("roadmap_import.municipality"), options, index=default,
                                          format_func=lambda m: plain(names.get(m, m)), key="ri_municipality")
if level == "school" and municipality_id:
    schools = compute(catalog.schools, scope.region_id, municipality_id)
    school_names = dict(zip(schools["school_id"], schools["short_name"]))
    school_id = attach[2].selectbox(t("roadmap_import.school"), list(school_names),
                                    format_func=lambda s: plain(school_names.get(s, s)), key="ri_school")

registry = SchoolRegistry(compute(catalog.schools, scope.region_id))
context = municipality_id or scope.municipality_id
original = preview_frame(parsed, registry, context)
period_ok = True
if parsed.period_guessed:
    guessed_from = t(f"roadmap_import.period_source.{parsed.period_source or 'none'}")
    st.warning(t("roadmap_import.period_guessed", source=guessed_from, start=day(period.start), end=day(period.end)),
               icon=":material/event_busy:")
    period_ok = st.checkbox(t("roadmap_import.period_confirm"), key=f"ri_period_ok_{file_id}") or \
        period != found_period       # a period the person typed in is not a guess any more

st.subheader(t("roadmap_import.review_header"))
st.caption(t("roadmap_import.review_help"))
edited = st.data_editor(styled(original), placeholder=tables.MISSING, column_config=column_config(), num_rows="dynamic", hide_index=True,
                        column_order=[c for c in original.columns if c != "warnings"], width="stretch",
                        height=min(36 * (len(original) + 2), 720),
                        key=f"ri_editor_{file_id}_{period.start}_{period.end}_{context}")
errors: list[str] = []
reviewed = None
try:
    reviewed = read_review(edited, original, period, registry, context)
except ValueError as error:
    errors = str(error).split("\n")
measures = reviewed.measures if reviewed else []
unresolved = [t("roadmap_import.unresolved_row", number=number, field=t(f"roadmap_import.field.{issue.field}"),
                message=issue.message) for number, issue in (reviewed.unresolved if reviewed else [])]
if not period_ok:
    unresolved.insert(0, t("roadmap_import.unresolved_period", message=period_issue(parsed).message))

warnings = parsed.all_warnings()
units = unit_count(store(), measures, period) if measures else 0
cards = st.columns(4, border=True)
cards[0].metric(t("roadmap_import.measures"), num(len(measures)))
cards[1].metric(t("roadmap_import.unresolved"), num(len(unresolved)), help=t("roadmap_import.unresolved_help"))
cards[2].metric(t("roadmap_import.school_links"), num(sum(len(m.school_ids) for m in measures)),
                help=t("roadmap_import.school_links_help"))
cards[3].metric(t("roadmap_import.units"), num(units), help=t("roadmap_import.units_help"))
if unresolved:
    with st.expander(t("roadmap_import.unresolved_header", count=len(unresolved)), expanded=True):
        st.markdown("\n".join(f"- {md(u)}" for u in unresolved))
else:
    st.success(t("roadmap_import.all_resolved"))
if warnings:
    with st.expander(t("roadmap_import.warnings_header", count=len(warnings)), expanded=False):
        st.markdown("\n".join(f"- {w}" for w in warnings).replace("*", "\\*"))

export.download_buttons(edited.rename(columns={c: t(f"roadmap_import.columns.{c}") for c in edited.columns}),
                        "roadmap_import", key="ri_download")

if errors:
    st.error(t("roadmap_import.save_errors") + "\n" + "\n".join(f"- {md(e)}" for e in errors))
saved = st.session_state.setdefault(SAVED_KEY, {})
blocked = bool(errors) or bool(unresolved)
if blocked and not errors:
    st.caption(t("roadmap_import.save_blocked"))
if st.button(t("roadmap_import.save"), type="primary", disabled=blocked or file_id in saved,
             icon=":material/save:"):
    try:
        save(title=title, period=period, measures=measures, level=level, region_id=scope.region_id,
                     municipality_id=municipality_id, school_id=school_id, file_name=file_name)
    except (SaveError, Exception) as error:  # any failure: the transaction was rolled back
        st.error(t("roadmap_import.save_failed", message=md(error)))
    else:
        clear_caches()
        saved[file_id] = t("roadmap_import.saved", measures=num(len(measures)), units=num(units))
        st.rerun()
if file_id in saved:
    st.success(saved[file_id])
    navigation.link("roadmaps", t("roadmap_import.to_roadmaps"))
