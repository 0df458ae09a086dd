"""Roadmaps: execution at the calculation date, checkpoints, progress, timeline, overdue, reporting."""
import datetime as dt
import uuid

import pandas as pd
import streamlit as st

from analytics.query import as_of_date
from analytics import access, catalog, roadmap_status, roadmaps as rm
from analytics.roadmap_status import EDITABLE_STATUSES
from ui import errors, export, navigation, tables, url_state
from ui import figure_cards as cards_ui
from ui.cache import compute, settings, source, store, view
from presentation.figures import roadmaps as figures
from ui.filters import current_scope
from presentation.safe import md, plain
from ui.shell import page_header
from ui.text import day, language, num, pct, pp, t
from presentation.views import roadmaps as views

ALL = ""
CHART = {"displayModeBar": False}


def url_choice(name: str, options: list, label: str, format_func, container=st) -> object:
    """A selectbox whose choice is kept in the URL under ``name`` (first option = "all")."""
    return url_state.choice(container.selectbox, label, key=f"roadmaps_{name}", url=name, options=options,
                            default=options[0], format_func=format_func, report=False)


def state_name(code: str) -> str:
    return t(f"codes.status.{code}")


def columns(frame: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    return frame[names].rename(columns={c: t(f"roadmaps.columns.{c}") for c in names})


scope = current_scope()
page_header(t("roadmaps.title"), scope, show_assessment=False)
lang = language()
today = settings().today
year = scope.year
as_of = as_of_date(year, today)
if scope.subject_id:
    st.caption(t("roadmaps.subject_note", subject=md(st.session_state.get("scope_labels", {}).get("subject")
                                                   or scope.subject_id)))

# -- which roadmaps ---------------------------------------------------------------------------
available = compute(rm.roadmaps_in_scope, scope.region_id, scope.municipality_id, year)
top = st.columns([1, 3])
level = url_choice("rm_level", [ALL, "region", "municipality", "school"], t("roadmaps.level"),
                   lambda v: t("roadmaps.all_levels") if v == ALL else t(f"roadmaps.level_name.{v}"), top[0])
listed = available if level == ALL else available[available["level"] == level]
titles = dict(zip(listed["roadmap_id"].astype(int), listed["title"]))
roadmap_id = url_choice("rm_roadmap", [ALL, *titles], t("roadmaps.roadmap"),
                        lambda v: t("roadmaps.all_roadmaps") if v == ALL else plain(titles.get(v, str(v))), top[1])
flt = rm.RoadmapFilter(scope.region_id, scope.municipality_id, year, scope.subject_id,
                       level or None, int(roadmap_id) if roadmap_id != ALL else None)

basis = cards_ui.basis_choice(st)
summary = compute(rm.completion, flt, as_of, basis).iloc[0]
if int(summary["units"]) == 0:
    st.info(t("roadmaps.no_units"))
    st.stop()
progress_source = source(rm.checkpoint_progress, flt, as_of, basis)
progress = compute(rm.checkpoint_progress, flt, as_of, basis)
passed = progress[progress["passed"]]
st.caption(t("roadmaps.as_of_note", date=day(as_of)))
figure_scope = cards_ui.scope_of(scope, as_of, basis)
plan = cards_ui.value("roadmap_completion", figure_scope, roadmap_filter=flt)
checkpoint = cards_ui.value("roadmap_checkpoint", figure_scope, roadmap_filter=flt)

# -- headline figures ---------------------------------------------------------------------------
cards = st.columns(4, border=True)
with cards[0]:
    cards_ui.metric(plan)
    cards_ui.checkpoint_caption(checkpoint, plan)
    if int(summary["planned"]) < settings().min_n:
        st.caption(t("roadmaps.small_n", n=int(summary["planned"])))
with cards[1]:
    st.metric(t("roadmaps.on_time"), t("roadmaps.on_time_value", on_time=pct(summary["on_time_share_of_plan"], 0),
                                        late=pct(summary["late_share_of_plan"], 0)), help=t("roadmaps.on_time_help"))
with cards[2]:
    st.metric(t("roadmaps.due_share"), pct(summary["share_of_due"], 0), help=t("roadmaps.due_share_help"))
    st.caption(t("roadmaps.due_caption", due=num(summary["due"])))
with cards[3]:
    cards_ui.metric(cards_ui.value("roadmap_overdue", figure_scope, roadmap_filter=flt))

# -- checkpoints --------------------------------------------------------------------------------
st.subheader(t("roadmaps.checkpoints"), help=t("roadmaps.checkpoints_help"))
left, right = st.columns([3, 2])
figure_labels = {"on_time": t("roadmaps.on_time_line"), "late": t("roadmaps.late"), "target": t("roadmaps.target"),
                 "target_short": t("roadmaps.target_short"), "so_far": t("roadmaps.so_far"),
                 "y": t("roadmaps.y_share"), "x": t("roadmaps.x_share"), "date_format": day,
                 "planned": t("roadmaps.planned"), "actual": t("roadmaps.actual"), "today": t("roadmaps.today")}
left.plotly_chart(view(figures.checkpoint_bars, progress_source, figure_labels, None, lang), width="stretch",
                  config=CHART)
with right:
    for point in progress.itertuples(index=False):
        values = dict(date=day(point.checkpoint_date), target=pct(point.target_share, 0),
                      actual=pct(point.actual_share, 0))
        if not point.passed:
            st.info(t("roadmaps.checkpoint_ahead", today=day(as_of), gap=pp(max(point.target_share - point.actual_share, 0), 0).lstrip("+±"),
                      **values))
        elif point.met:
            st.success(t("roadmaps.checkpoint_met", **values))
        else:
            st.error(t("roadmaps.checkpoint_missed", gap=pp(point.gap, 0), **values))
# Bars show the target of the last checkpoint passed and of the next one ahead.
ahead = progress[~progress["passed"]]
bar_targets = [(float(p["target_share"]), t("roadmaps.target_line", target=pct(p["target_share"], 0),
                                               date=day(p["checkpoint_date"])))
               for p in ([passed.iloc[-1]] if not passed.empty else []) + ([ahead.iloc[0]] if not ahead.empty else [])]

tab_geo, tab_burnup, tab_gantt, tab_overdue, tab_breakdown, tab_edit = st.tabs(
    [t("roadmaps.tab_geo"), t("roadmaps.tab_burnup"), t("roadmaps.tab_gantt"), t("roadmaps.tab_overdue"),
     t("roadmaps.tab_breakdown"), t("roadmaps.tab_edit")])

with tab_geo:
    if scope.municipality_id is None:
        st.plotly_chart(view(views.completion_chart, source(rm.completion_by, flt, as_of, "municipality", lang, basis),
                             "municipality", bar_targets, figure_labels, t("roadmaps.by_municipality"), lang),
                        width="stretch", config=CHART)
    by_school = view(views.completion_chart, source(rm.completion_by, flt, as_of, "school", lang, basis), "school",
                     bar_targets, figure_labels, t("roadmaps.by_school"), lang, skip_empty=True)
    if by_school is not None:
        st.plotly_chart(by_school, width="stretch", config=CHART)

with tab_burnup:
    st.plotly_chart(view(figures.burnup, source(rm.burnup, flt, as_of, basis), progress_source, today, figure_labels,
                         t("roadmaps.burnup"), lang), width="stretch", config=CHART)
    st.caption(t("roadmaps.burnup_help"))

with tab_gantt:
    choices = compute(rm.filter_choices, flt)
    row = st.columns(3)
    section = url_choice("rm_section", [ALL, *choices["section"]], t("roadmaps.section"),
                         lambda v: t("roadmaps.all_sections") if v == ALL else plain(v), row[0])
    executor = url_choice("rm_executor", [ALL, *choices["executor"]], t("roadmaps.executor"),
                          lambda v: t("roadmaps.all_executors") if v == ALL else plain(v), row[1])
    chosen_states = row[2].multiselect(t("roadmaps.states"), list(rm.STATES), format_func=state_name,
                                       key="roadmaps_states", placeholder=t("roadmaps.all_states"))
    gantt_labels = dict(figure_labels, states={s: state_name(s) for s in rm.STATES},
                        hover_units=t("roadmaps.hover_units", done="%{customdata[3]}", units="%{customdata[4]}",
                                      overdue="%{customdata[5]}"))
    measures, gantt_figure = view(
        views.gantt, source(rm.measures_timeline, flt._replace(section=section or None, executor=executor or None),
                            as_of), tuple(chosen_states), today, gantt_labels, t("roadmaps.gantt"), lang)
    if measures > views.GANTT_LIMIT:
        st.info(t("roadmaps.gantt_too_many", count=measures))
    elif gantt_figure is not None:
        st.plotly_chart(gantt_figure, width="stretch", config=CHART)
    st.caption(t("roadmaps.gantt_help"))

with tab_overdue:
    st.subheader(t("roadmaps.overdue_list"))
    overdue_units = compute(rm.overdue_units, flt, as_of)
    if overdue_units.empty:
        st.success(t("roadmaps.overdue_none"))
    else:
        municipality_names = dict(compute(catalog.municipalities, scope.region_id)[["municipality_id", "name"]]
                                  .itertuples(index=False))
        narrow = views.overdue_choices(overdue_units, municipality_names)
        row = st.columns(3)
        overdue_municipality = (scope.municipality_id if scope.municipality_id else url_choice(
            "od_municipality", [ALL, *narrow["municipality"]], t("roadmaps.overdue_municipality"),
            lambda v: t("filters.all_municipalities") if v == ALL else narrow["municipality"][v], row[0]))
        overdue_school = url_choice("od_school", [ALL, *narrow["school"]], t("roadmaps.overdue_school"),
                                    lambda v: t("roadmaps.edit.all_schools") if v == ALL else plain(v), row[1])
        overdue_executor = url_choice("od_executor", [ALL, *narrow["executor"]], t("roadmaps.executor"),
                                      lambda v: t("roadmaps.all_executors") if v == ALL else plain(v), row[2])
        overdue_table = view(views.overdue, source(rm.overdue_units, flt, as_of), lang, overdue_municipality or None,
                             overdue_school or None, overdue_executor or None)
        if overdue_table.empty:
            st.info(t("roadmaps.overdue_none_filtered"))
        else:
            tables.dataframe(overdue_table, pinned=t("roadmaps.columns.school_name"),
                             wrap=[t(f"roadmaps.columns.{c}") for c in ("school_name", "title", "executors_text")],
                             hidden=[t(f"roadmaps.columns.{c}") for c in views.OVERDUE_HIDDEN],
                             widths={t(f"roadmaps.columns.{views.OVERDUE_HEADERS.get(c, c)}"): w
                                     for c, w in views.OVERDUE_WIDTHS.items()})
            st.caption(t("roadmaps.overdue_count", count=num(len(overdue_table))))
            export.download_buttons(overdue_table, f"overdue_{as_of.isoformat()}", key="roadmaps_overdue")
    workload = view(views.workload, source(rm.executor_workload, flt, as_of),
                    dict(overdue=state_name("overdue"), due_soon=t("roadmaps.due_soon"),
                         other_open=t("roadmaps.other_open"), x=t("roadmaps.units_axis")), lang)
    st.subheader(t("roadmaps.workload"), help=t("roadmaps.workload_help"))
    if workload is not None:
        workload_figure, workload_table = workload
        st.plotly_chart(workload_figure, width="stretch", config=CHART)
        tables.dataframe(workload_table)
        export.download_buttons(workload_table, "workload", key="roadmaps_workload")

with tab_breakdown:
    dimensions = ["section", "executor", "risk_factor", "subject", "roadmap", "municipality", "school"]
    dimension = url_choice("rm_by", dimensions, t("roadmaps.breakdown"), lambda v: t(f"roadmaps.dimension.{v}"))
    breakdown = view(views.breakdown, source(rm.completion_by, flt, as_of, dimension, lang, basis), dimension, lang)
    tables.dataframe(breakdown)
    export.download_buttons(breakdown, f"completion_by_{dimension}", key="roadmaps_breakdown")
    if dimension in ("executor", "risk_factor", "subject"):
        st.caption(t("roadmaps.breakdown_note"))

with tab_edit:
    who = access.current()
    if not who.can("edit_status"):
        user = ""
    elif who.username != "open":     # signed in: the change is recorded under the user's own name
        user = f"{who.name} ({who.username})" if who.name and who.name != who.username else who.username
    else:
        user = st.text_input(t("roadmaps.edit.name"), key="roadmaps_editor_name", help=t("roadmaps.edit.name_help"))
    report = st.session_state.pop("roadmaps_save_report", None)
    if report:
        for kind, message, frame in report:
            getattr(st, kind)(message)
            if frame is not None:
                tables.dataframe(frame)
    if not who.can("edit_status"):
        st.info(t("access.read_only"))
    elif flt.roadmap_id is None:
        st.info(t("roadmaps.edit.choose_roadmap"))
    else:
        loaded = compute(rm.units, flt, as_of)
        if not who.unrestricted:
            loaded = access.editable_units(who, loaded)
            st.caption(t("access.edit_own_school" if who.school_id else "access.edit_own_scope"))
            if loaded.empty:
                st.info(t("access.nothing_editable"))
        schools = dict(loaded.dropna(subset=["school_id"]).drop_duplicates("school_id")[["school_id", "school_name"]]
                       .itertuples(index=False, name=None))
        school = ALL
        if schools:
            school = st.selectbox(t("roadmaps.edit.school"), [ALL, *schools], key="roadmaps_edit_school",
                                  format_func=lambda v: t("roadmaps.edit.all_schools") if v == ALL else plain(schools[v]))
            if school != ALL:
                navigation.link("passport", t("roadmaps.passport"), query_params={"school": school})
        snapshot_key = (flt, school)
        snapshot = st.session_state.get("roadmaps_snapshot")
        if snapshot is None or snapshot["key"] != snapshot_key:
            # The editor works on a snapshot: its versions are what a save is checked against,
            # so a later save by someone else is detected instead of being overwritten.
            frame = loaded if school == ALL else loaded[loaded["school_id"] == school]
            snapshot = {"key": snapshot_key, "frame": frame.reset_index(drop=True), "token": uuid.uuid4().hex[:8],
                        "loaded_at": dt.datetime.now()}
            st.session_state["roadmaps_snapshot"] = snapshot
        st.caption(t("roadmaps.edit.intro"))
        st.caption(t("roadmaps.edit.loaded_at", time=snapshot["loaded_at"].strftime("%H:%M:%S")))
        base = snapshot["frame"]
        view = base[["unit_id", "number", "title", "school_name", "due_date", "state", "status", "completed_on",
                     "comment", "evidence_url", "version"]].copy()
        view["state"] = view["state"].map(state_name)
        column_config = {c: st.column_config.Column(t(f"roadmaps.columns.{c}")) for c in view.columns}
        column_config.update({
            "status": st.column_config.SelectboxColumn(t("roadmaps.columns.status"), options=list(EDITABLE_STATUSES),
                                                       format_func=state_name, required=True),
            "completed_on": st.column_config.DateColumn(t("roadmaps.columns.completed_on"), max_value=today,
                                                        format="DD.MM.YYYY"),
            "due_date": st.column_config.DateColumn(t("roadmaps.columns.due_date"), format="DD.MM.YYYY"),
            "comment": st.column_config.TextColumn(t("roadmaps.columns.comment"), max_chars=2000),
            "evidence_url": st.column_config.LinkColumn(t("roadmaps.columns.evidence_url"), validate=r"^https?://.*"),
            "version": None,
        })
        edited = st.data_editor(view, placeholder=tables.MISSING, key=f"roadmaps_editor_{snapshot['token']}",
                                column_config=column_config,
                                disabled=["unit_id", "number", "title", "school_name", "due_date", "state", "version"])
        buttons = st.columns([1, 1, 3])
        if buttons[1].button(t("roadmaps.edit.reload"), key="roadmaps_reload"):
            st.session_state.pop("roadmaps_snapshot", None)
            st.rerun()
        result = None
        if buttons[0].button(t("roadmaps.edit.save"), type="primary", key="roadmaps_save"):
            try:     # one transaction: every row is saved or none (the edits stay in the editor)
                result = roadmap_status.save_table(store(), base, edited, user, today, principal=who)
            except access.AccessDenied:
                raise
            except Exception as error:
                st.error(t(errors.message_key(error, "roadmaps.edit.save_failed"), incident=errors.incident(error)))
        if result is not None:
            titles_of = base.set_index("unit_id")
            messages = []
            if result.invalid:
                frame = pd.DataFrame([{t("roadmaps.columns.unit_id"): e.unit_id,
                                       t("roadmaps.columns.title"): titles_of.loc[e.unit_id, "title"],
                                       t("roadmaps.columns.errors"): "; ".join(t(f"roadmaps.errors.{c}") for c in e.errors)}
                                      for e in result.invalid])
                st.error(t("roadmaps.edit.invalid", count=len(result.invalid)))
                tables.dataframe(frame)
            elif not result.saved and not result.conflicts:
                st.info(t("roadmaps.edit.nothing_changed"))
            else:
                if result.saved:
                    messages.append(("success", t("roadmaps.edit.saved", count=len(result.saved)), None))
                if result.conflicts:
                    rows = []
                    for conflict in result.conflicts:
                        current, mine = conflict.current or {}, conflict.attempted
                        rows.append({
                            t("roadmaps.columns.unit_id"): conflict.unit_id,
                            t("roadmaps.columns.title"): titles_of.loc[conflict.unit_id, "title"],
                            t("roadmaps.columns.status"): state_name(current.get("status", "")),
                            t("roadmaps.columns.completed_on"): day(current.get("completed_on")),
                            t("roadmaps.columns.comment"): current.get("comment"),
                            t("roadmaps.columns.updated_by"): current.get("updated_by"),
                            t("roadmaps.columns.updated_at"): str(current.get("updated_at") or "")[:19],
                            t("roadmaps.columns.your_status"): state_name(mine.status) if mine else "",
                            t("roadmaps.columns.your_completed_on"): day(mine.completed_on) if mine else "",
                            t("roadmaps.columns.your_comment"): mine.comment if mine else "",
                        })
                    messages.append(("warning", t("roadmaps.edit.conflicts", count=len(result.conflicts)),
                                     pd.DataFrame(rows)))
                st.session_state["roadmaps_save_report"] = messages
                st.session_state.pop("roadmaps_snapshot", None)
                st.rerun()

        st.subheader(t("roadmaps.edit.history"))
        labels = {int(r.unit_id): f"{r.number} {r.title} · {r.school_name or '—'} · {day(r.due_date)}"
                  for r in base.itertuples(index=False)}
        unit_id = st.selectbox(t("roadmaps.edit.history_unit"), list(labels), format_func=lambda u: plain(labels.get(u)),
                               key="roadmaps_history_unit")
        history = compute(roadmap_status.unit_history, unit_id)
        if history.empty:
            st.caption(t("roadmaps.edit.history_empty"))
        else:
            history = history.assign(status=history["status"].map(state_name))
            tables.dataframe(columns(history, ["version", "status", "completed_on", "comment", "evidence_url",
                                           "changed_by", "changed_at"]))

with st.expander(t("roadmaps.methodology")):
    st.markdown(t("roadmaps.methodology_text"))
