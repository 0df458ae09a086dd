"""The status editor of «Дорожные карты» (its last tab): who edits, a snapshot the save is
checked against, invalid rows and conflicts reported in words, a unit's history."""
from __future__ import annotations

import datetime as dt
import uuid

import streamlit as st

from analytics import access, roadmap_status, roadmaps as rm
from analytics.roadmap_status import EDITABLE_STATUSES
from presentation.safe import plain
from presentation.views import roadmaps as views
from ui import errors, navigation, tables
from ui.cache import compute, store
from ui.roadmaps_sections import ALL, state_name
from ui.text import t


def columns(frame, names: list[str]):
    return frame[names].rename(columns={c: t(f"roadmaps.columns.{c}") for c in names})


def status_editor(flt: rm.RoadmapFilter, as_of: dt.date, today: dt.date, lang: str) -> None:
    """Edit the units' status of one roadmap: a snapshot-based editor, a save that refuses invalid
    rows and reports others' changes as conflicts, and a unit's history."""
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
        view = views.editor_frame(base, lang)
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
                frame = views.invalid_table(result.invalid, titles_of, lang)
                st.error(t("roadmaps.edit.invalid", count=len(result.invalid)))
                tables.dataframe(frame)
            elif not result.saved and not result.conflicts:
                st.info(t("roadmaps.edit.nothing_changed"))
            else:
                if result.saved:
                    messages.append(("success", t("roadmaps.edit.saved", count=len(result.saved)), None))
                if result.conflicts:
                    messages.append(("warning", t("roadmaps.edit.conflicts", count=len(result.conflicts)),
                                     views.conflicts_table(result.conflicts, titles_of, lang)))
                st.session_state["roadmaps_save_report"] = messages
                st.session_state.pop("roadmaps_snapshot", None)
                st.rerun()

        st.subheader(t("roadmaps.edit.history"))
        labels = views.history_labels(base, lang)
        unit_id = st.selectbox(t("roadmaps.edit.history_unit"), list(labels), format_func=lambda u: plain(labels.get(u)),
                               key="roadmaps_history_unit")
        history = compute(roadmap_status.unit_history, unit_id)
        if history.empty:
            st.caption(t("roadmaps.edit.history_empty"))
        else:
            history = history.assign(status=history["status"].map(state_name))
            tables.dataframe(columns(history, ["version", "status", "completed_on", "comment", "evidence_url",
                                           "changed_by", "changed_at"]))
