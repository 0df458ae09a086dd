"""Targets: every programme target as target vs actual, with trend, status and drill-down."""

import pandas as pd
import streamlit as st

from analytics.query import as_of_date
from analytics import access, identification, targets
from ui import export, tables, uploads, url_state
from ui.cache import clear_caches, compute, settings, source, store, view
from presentation.figures.identification import targets_chart
from ui.filters import current_scope
from ui.shell import page_header
from ui.text import day, language, num, pct, t
from presentation.views import targets as views

scope = current_scope()
page_header(t("targets.title"), scope, show_assessment=False)
lang = language()
params = identification.load_params()
year = int(scope.year)
as_of = as_of_date(year, settings().today)
geo = (scope.region_id, scope.municipality_id)

summary_source = source(targets.summary, *geo, year, as_of, params)
summary = compute(targets.summary, *geo, year, as_of, params)


def value_text(value, kind: str, row=None) -> str:
    return views.value_text(value, kind, lang, row)


counts = summary["status"].value_counts()
st.markdown("### " + t("targets.summary_line", achieved=int(counts.get("achieved", 0)), total=len(summary),
                           at_risk=int(counts.get("at_risk", 0)), not_achieved=int(counts.get("not_achieved", 0))))
st.caption(t("targets.as_of", date=day(as_of), fraction=pct(params["targets"]["at_risk_fraction"], 0)))

table = view(views.summary_table, summary_source,
             source(targets.trend, *geo, tuple(range(year - 2, year + 1)), as_of, params), lang)
STATUS_BACKGROUND = {"achieved": "#d9f2ea", "at_risk": "#fbeccc", "not_achieved": "#f7dccc", "no_data": "#eeeeee"}
status_column = t("targets.columns.status")
status_of_label = {t(f"identification.target_status.{s}"): s for s in targets.STATUSES}
styled = table.style.map(lambda v: f"background-color: {STATUS_BACKGROUND[status_of_label.get(v, 'no_data')]}; "
                                   "font-weight: 600", subset=[status_column])
column = lambda key: t(f"targets.columns.{key}")  # noqa: E731
# Every row in view (no inner scrolling), names and the three years' values wrapped: 760 px at 1280.
tables.dataframe(styled, height=tables.WRAPPED_ROW_PX * len(table) + 40, wrap=[column("name"), column("trend")],
                 widths={column("name"): 210, column("target"): 85, column("actual"): 95, column("status"): 110,
                         column("basis"): 80, column("trend"): 180})
export.download_buttons(table, f"targets_{year}", key="targets_table")

names = {x: t(f"targets.name.{x}") for x in targets.TARGETS}
status_labels = {s: t(f"identification.target_status.{s}") for s in targets.STATUSES} | {"target": t("targets.target")}
st.plotly_chart(view(targets_chart, summary_source, names, status_labels, t("targets.chart_title", year=year), lang),
                width="stretch", config={"displayModeBar": False})

with st.expander(t("targets.definitions"), icon=":material/help:"):
    st.markdown("\n".join(f"- **{names[x]}** — {t(f'targets.definition.{x}')}" for x in targets.TARGETS))

# -- drill-down: the rows behind a number (kept in the URL as ?target=) ---------------------------------
drillable = [x for x in targets.TARGETS if targets.TARGETS[x] != "reported"]
target_id = url_state.choice(st.selectbox, t("targets.drill"), key="targets_drill", url="target", options=drillable,
                             default=drillable[0], report=False, format_func=names.get)
row = summary.set_index("target_id").loc[target_id]
shown = view(views.drill_table, source(targets.details, target_id, *geo, year, as_of, params), lang, target_id)
if row["kind"] in ("share", "municipalities") and row["denominator"]:
    st.caption(t("targets.drill_caption", name=names[target_id], actual=value_text(row["actual"], "share"),
                 numerator=num(row["numerator"]), denominator=num(row["denominator"])))
else:
    st.caption(t("targets.drill_caption_count", name=names[target_id], actual=value_text(row["actual"], row["kind"])))
if shown is None:
    st.info(t("targets.drill_none"))
else:
    tables.dataframe(shown)
    export.download_buttons(shown, f"target_{target_id}_{year}", key="targets_drill_download")

# -- editing and import of targets ------------------------------------------------------------------------
if access.current().can("edit_targets"):
    with st.expander(t("targets.editor"), icon=":material/edit:"):
        st.caption(t("targets.editor_help"))
        current = compute(targets.region_targets, scope.region_id)
        edited = st.data_editor(current, placeholder=tables.MISSING, num_rows="dynamic", key="targets_editor",
                                column_config={
                                    "target_id": st.column_config.SelectboxColumn(options=list(targets.TARGETS)),
                                    "scope_level": st.column_config.SelectboxColumn(options=["region", "municipality"]),
                                    "direction": st.column_config.SelectboxColumn(options=["at_least", "at_most"]),
                                })
        if st.button(t("targets.save"), key="targets_save", icon=":material/save:"):
            try:
                saved = targets.save_targets(store(), edited, replace_region=scope.region_id)
            except ValueError as error:
                st.error(t("targets.save_failed", problems=str(error)))
            else:
                clear_caches()
                st.success(t("targets.saved", rows=saved))
        upload = uploads.file_uploader(t("targets.import_file"), ["csv"], key="targets_upload")
        if upload is not None and st.button(t("targets.import_button"), key="targets_import"):
            try:
                frame = pd.read_csv(upload, sep=None, engine="python", dtype={"scope_id": str}, encoding="utf-8-sig",
                                    decimal=",")
                saved = targets.save_targets(store(), frame)
            except (ValueError, pd.errors.ParserError) as error:
                st.error(t("targets.save_failed", problems=str(error)))
            else:
                clear_caches()
                st.success(t("targets.imported", rows=saved))
st.caption(t("app.guardrail"))
