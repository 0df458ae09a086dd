"""The tabs of «Дорожные карты» (pages/roadmaps.py), each drawn from one :class:`Selection` —
the view, the roadmap filter, the calculation date and the completion basis. Figures, tables and
sentences come from ``presentation.views.roadmaps``; what is here is Streamlit layout."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import streamlit as st

from analytics import catalog, roadmaps as rm
from presentation.figures import roadmaps as figures
from presentation.safe import plain
from presentation.views import roadmaps as views
from ui import export, tables, url_state
from ui.cache import compute, source, view
from ui.text import day, num, t

ALL = ""
CHART = {"displayModeBar": False}


TABS = ("geo", "burnup", "gantt", "overdue", "breakdown", "edit")
# The narrowing widgets of each tab, kept while another tab is open (ui.lazy draws only the open one).
TAB_KEYS = {"gantt": ("roadmaps_rm_section", "roadmaps_rm_executor", "roadmaps_states"),
            "overdue": ("roadmaps_od_municipality", "roadmaps_od_school", "roadmaps_od_executor"),
            "breakdown": ("roadmaps_rm_by",)}


def url_choice(name: str, options: list, label: str, format_func, container=st) -> object:
    """A selectbox whose choice is kept in the URL under ``name`` (first option = "all")."""
    return url_state.choice(container.selectbox, label, key=f"roadmaps_{name}", url=name, options=options,
                            default=options[0], format_func=format_func, report=False)


def state_name(code: str) -> str:
    return t(f"codes.status.{code}")


def choose_roadmaps(scope, available) -> rm.RoadmapFilter:
    """Level and roadmap (kept in the URL as ``rm_level``, ``rm_roadmap``) → the roadmap filter."""
    top = st.columns([1, 3])
    level = url_choice("rm_level", [ALL, "region", "municipality", "school"], t("roadmaps.level"),
                       lambda v: t("roadmaps.all_levels") if v == ALL else t(f"roadmaps.level_name.{v}"), top[0])
    listed = available if level == ALL else available[available["level"] == level]
    titles = dict(zip(listed["roadmap_id"].astype(int), listed["title"]))
    roadmap_id = url_choice("rm_roadmap", [ALL, *titles], t("roadmaps.roadmap"),
                            lambda v: t("roadmaps.all_roadmaps") if v == ALL else plain(titles.get(v, str(v))), top[1])
    return rm.RoadmapFilter(scope.region_id, scope.municipality_id, scope.year, scope.subject_id,
                            level or None, int(roadmap_id) if roadmap_id != ALL else None)


@dataclass
class Selection:
    """What the tabs show: the view, the roadmap filter, the calculation date, the basis."""
    scope: object
    flt: rm.RoadmapFilter
    as_of: dt.date
    today: dt.date
    basis: str
    lang: str

    @property
    def progress_source(self):
        return source(rm.checkpoint_progress, self.flt, self.as_of, self.basis)

    @property
    def figure_labels(self) -> dict:
        return views.checkpoint_labels(self.lang) | {"date_format": day}

    @property
    def bar_targets(self) -> list:
        return views.bar_targets(compute(rm.checkpoint_progress, self.flt, self.as_of, self.basis), self.lang)


def checkpoints(s: Selection) -> None:
    """The checkpoint chart and a sentence per checkpoint: met, missed or ahead."""
    st.subheader(t("roadmaps.checkpoints"), help=t("roadmaps.checkpoints_help"))
    left, right = st.columns([3, 2])
    left.plotly_chart(view(figures.checkpoint_bars, s.progress_source, s.figure_labels, None, s.lang),
                      width="stretch", config=CHART)
    with right:
        progress = compute(rm.checkpoint_progress, s.flt, s.as_of, s.basis)
        for kind, sentence in views.checkpoint_messages(progress, s.as_of, s.lang):
            getattr(st, kind)(sentence)


def by_territory(s: Selection) -> None:
    """Completion by municipality (across the region) and by school, against the checkpoint targets."""
    scope, flt, as_of, basis, lang, bar_targets, figure_labels = (
        s.scope, s.flt, s.as_of, s.basis, s.lang, s.bar_targets, s.figure_labels)
    if scope.municipality_id is None:
        st.plotly_chart(view(views.completion_chart, source(rm.completion_by, flt, as_of, "municipality", lang, basis),
                             "municipality", bar_targets, figure_labels, t("roadmaps.by_municipality"), lang),
                        width="stretch", config=CHART)
    by_school = view(views.completion_chart, source(rm.completion_by, flt, as_of, "school", lang, basis), "school",
                     bar_targets, figure_labels, t("roadmaps.by_school"), lang, skip_empty=True)
    if by_school is not None:
        st.plotly_chart(by_school, width="stretch", config=CHART)


def burnup(s: Selection) -> None:
    """Units done over time against the plan."""
    flt, as_of, today, basis, lang, figure_labels = s.flt, s.as_of, s.today, s.basis, s.lang, s.figure_labels
    progress_source = s.progress_source
    st.plotly_chart(view(figures.burnup, source(rm.burnup, flt, as_of, basis), progress_source, today, figure_labels,
                         t("roadmaps.burnup"), lang), width="stretch", config=CHART)
    st.caption(t("roadmaps.burnup_help"))


def gantt(s: Selection) -> None:
    """The measures on a timeline, narrowed by section, executor and state (kept in the URL)."""
    flt, as_of, today, lang, figure_labels = s.flt, s.as_of, s.today, s.lang, s.figure_labels
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


def overdue(s: Selection) -> None:
    """Overdue units, narrowed by municipality, school and executor (kept in the URL), and the
    executors' workload."""
    scope, flt, as_of, lang = s.scope, s.flt, s.as_of, s.lang
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
            tables.dataframe(overdue_table, pinned=t("roadmaps.columns.school_name"), layout=views.OVERDUE_LAYOUT)
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


def breakdown(s: Selection) -> None:
    """Completion by one dimension (kept in the URL as ``rm_by``)."""
    flt, as_of, basis, lang = s.flt, s.as_of, s.basis, s.lang
    dimensions = ["section", "executor", "risk_factor", "subject", "roadmap", "municipality", "school"]
    dimension = url_choice("rm_by", dimensions, t("roadmaps.breakdown"), lambda v: t(f"roadmaps.dimension.{v}"))
    breakdown = view(views.breakdown, source(rm.completion_by, flt, as_of, dimension, lang, basis), dimension, lang)
    tables.dataframe(breakdown)
    export.download_buttons(breakdown, f"completion_by_{dimension}", key="roadmaps_breakdown")
    if dimension in ("executor", "risk_factor", "subject"):
        st.caption(t("roadmaps.breakdown_note"))
