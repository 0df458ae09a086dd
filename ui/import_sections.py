"""The parts of «Данные» (pages/import_files.py) drawn the same way on every run: «Файл полный
для» (which territory a file is complete for), the preview of an import plan, and undoing an
import. Texts and tables come from ``presentation.import_preview``."""
from __future__ import annotations

import streamlit as st

from analytics.importer import commit, log_rejected
from analytics.importer.changes import Territory, UndoRefused, undo, undoable
from presentation.import_preview import (changes_table, count, refusal_text, removed_schools, school_table,
                                         scope_line, summary_line, undo_option, warning_lines)
from presentation.safe import md
from ui import export, tables
from ui.cache import store
from ui.writes import WriteRefused, import_target
from ui.text import language, num, t


def territory_choice(spec):
    """«Файл полный для»: none (the default), the region, or municipalities."""
    if not spec.scope:
        return None
    regions = dict(store().query_rows("SELECT region_id, name FROM regions ORDER BY region_id"))
    municipalities = dict(store().query_rows("SELECT municipality_id, name FROM municipalities ORDER BY name"))
    choices = ["none", *[f"region:{r}" for r in regions], "municipality"]
    labels = {"none": t("import_preview.complete_none"), "municipality": t("import_preview.complete_municipalities"),
              **{f"region:{r}": t("import_preview.complete_region", name=n) for r, n in regions.items()}}
    left, right = st.columns([2, 3])
    choice = left.radio(t("import_preview.complete_label"), choices, format_func=labels.get, key="data_complete",
                        help=t("import_preview.complete_help"))
    if choice == "none":
        return None
    if choice == "municipality":
        chosen = right.multiselect(t("import_preview.complete_choose"), list(municipalities),
                                   format_func=municipalities.get, key="data_complete_municipalities")
        return Territory("municipality", tuple(chosen)) if chosen else None
    return Territory("region", (choice.split(":", 1)[1],))


def show_plan(plan, prepared, names) -> None:
    lang = language()
    st.subheader(t("import_preview.title"))
    st.markdown(md(scope_line(plan, prepared, store(), lang)))
    st.markdown("**" + md(summary_line(plan, prepared, lang)) + "**")
    if not plan.changes_anything:
        st.info(t("import_preview.nothing"))
    if plan.untouched:
        st.caption(t("import_preview.untouched", count=num(plan.untouched)))
    removed = removed_schools(plan, lang)
    if removed:
        st.error(t("import_preview.removed_title", schools=count(len(removed), "school", lang)) + "\n\n"
                 + "\n".join(f"- {md(line)}" for line in removed))
    warnings = warning_lines(plan, lang, names)
    if warnings:
        st.warning(t("import_preview.warnings") + "\n\n" + "\n".join(f"- {md(w)}" for w in warnings[:50])
                   + (f"\n- {t('import_preview.more', count=len(warnings) - 50)}" if len(warnings) > 50 else ""))
    st.markdown(f"**{t('import_preview.by_school')}**")
    by_school = school_table(plan, lang)
    tables.dataframe(by_school)
    export.download_buttons(by_school, f"по_школам_{prepared.kind}", key="data_by_school")
    changes = changes_table(plan, prepared, lang, names)
    if len(changes):
        st.markdown(f"**{t('import_preview.changes')}**")
        tables.dataframe(changes)
        export.download_buttons(changes, f"изменения_{prepared.kind}", key="data_changes")


def undo_section() -> None:
    lang = language()
    st.subheader(t("import_preview.undo.title"), help=t("import_preview.undo.help"))
    candidates = undoable(store())
    if candidates.empty:
        st.caption(t("import_preview.undo.none"))
        return
    options = {int(row["import_id"]): undo_option(row, lang) for row in candidates.to_dict("records")}
    chosen = st.selectbox(t("import_preview.undo.choose"), list(options), format_func=options.get, key="data_undo_id")
    if st.button(t("import_preview.undo.button"), key="data_undo", icon=":material/undo:"):
        user = st.session_state.get("data_user") or None
        try:
            with import_target(user) as target:     # served mode: on the master file, then published
                counts = undo(target, chosen, user)
        except UndoRefused as refused:
            st.error(refusal_text(refused, lang))
            return
        except WriteRefused as refused:
            st.error(refused.message, icon=":material/hourglass_top:")
            return
        st.session_state["data_undone"] = t("import_preview.undo.done", id=chosen, **counts)
        st.rerun()


def commit_upload(prepared, user, territory, upload_round: int) -> None:
    """Store the prepared file (served mode: on the master file, then published)."""
    try:
        with import_target(user) as target:
            outcome = commit(target, prepared, user, territory=territory)
    except WriteRefused as refused:       # the file stays prepared: the user can try again
        st.error(refused.message, icon=":material/hourglass_top:")
        return
    st.session_state.pop("data_prepared", None)
    st.session_state.pop("data_plan", None)
    if outcome.outcome == "success":
        st.session_state["data_result"] = {"stored": outcome.rows_stored, "id": outcome.import_id,
                                           "counts": outcome.counts}
        st.session_state["data_upload_round"] = upload_round + 1
        st.rerun()
    elif outcome.outcome == "rejected":
        st.error(t("data.rejected_again"))
    else:
        st.error(t("data.failed", message=outcome.message))


def log_rejected_attempt(prepared, user) -> None:
    """The journal line of a rejected file. In the served mode it goes through the master file;
    when another process holds it, the line is left out (the errors are on the screen)."""
    try:
        with import_target(user) as target:
            log_rejected(target, prepared, user)
    except WriteRefused:
        pass
