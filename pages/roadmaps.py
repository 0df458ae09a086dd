"""Roadmaps: execution at the calculation date, checkpoints, progress, timeline, overdue, reporting.
The URL keeps the level, roadmap, basis, the open tab and each tab's narrowing (``rm_*``, ``od_*``). The tabs
are drawn by ``ui.roadmaps_sections`` (the status editor by ``ui.roadmap_editor``) from figures,
tables and sentences built in ``presentation.views.roadmaps``."""
import streamlit as st

from analytics import roadmaps as rm
from analytics.query import as_of_date
from presentation.safe import md
from ui import figure_cards as cards_ui
from ui import lazy, roadmap_editor, roadmaps_sections as sections
from ui.cache import compute, settings
from ui.filters import current_scope
from ui.shell import page_header
from ui.text import day, language, num, pct, t

scope = current_scope()
page_header(t("roadmaps.title"), scope, show_assessment=False)
lang = language()
today = settings().today
as_of = as_of_date(scope.year, today)
if scope.subject_id:
    st.caption(t("roadmaps.subject_note", subject=md(st.session_state.get("scope_labels", {}).get("subject")
                                                   or scope.subject_id)))

flt = sections.choose_roadmaps(scope, compute(rm.roadmaps_in_scope, scope.region_id, scope.municipality_id,
                                              scope.year))
basis = cards_ui.basis_choice(st)
summary = compute(rm.completion, flt, as_of, basis).iloc[0]
if int(summary["units"]) == 0:
    st.info(t("roadmaps.no_units"))
    st.stop()
st.caption(t("roadmaps.as_of_note", date=day(as_of)))
figure_scope = cards_ui.scope_of(scope, as_of, basis)
plan = cards_ui.value("roadmap_completion", figure_scope, roadmap_filter=flt)

# -- headline figures ---------------------------------------------------------------------------
cards = st.columns(4, border=True)
with cards[0]:
    cards_ui.metric(plan)
    cards_ui.checkpoint_caption(cards_ui.value("roadmap_checkpoint", figure_scope, roadmap_filter=flt), plan)
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

selection = sections.Selection(scope, flt, as_of, today, basis, lang)
sections.checkpoints(selection)
# Only the open tab is computed and sent (ui.lazy), the URL keeps it (``?rm_tab=``); the status
# editor is drawn always, so edits not yet saved survive a look at another tab.
tabs, open_tab = lazy.tabs({code: t(f"roadmaps.tab_{code}") for code in sections.TABS}, key="roadmaps_tabs",
                           url="rm_tab", keep_keys=sections.TAB_KEYS)
if open_tab != "edit":
    with tabs[open_tab]:
        {"geo": sections.by_territory, "burnup": sections.burnup, "gantt": sections.gantt,
         "overdue": sections.overdue, "breakdown": sections.breakdown}[open_tab](selection)
with tabs["edit"]:
    roadmap_editor.status_editor(flt, as_of, today, lang)

with st.expander(t("roadmaps.methodology")):
    st.markdown(t("roadmaps.methodology_text"))
