"""Targets: every programme target as target vs actual, with trend, status and drill-down."""
import datetime as dt

import pandas as pd
import streamlit as st

from analytics import access, identification, targets
from ui import export
from ui.data import clear_caches, compute, settings, store
from ui.figures.identification import targets_chart
from ui.filters import current_scope
from ui.shell import page_header
from ui.text import day, language, num, pct, t

scope = current_scope()
page_header(t("targets.title"), scope, show_assessment=False)
lang = language()
params = identification.load_params()
year = int(scope.year)
as_of = min(settings().today, dt.date(year, 12, 31))
geo = (scope.region_id, scope.municipality_id)

summary = compute(targets.summary, *geo, year, as_of, params)
history = compute(targets.trend, *geo, tuple(range(year - 2, year + 1)), as_of, params)


def value_text(value, kind: str, row=None) -> str:
    if value is None or value != value:
        return "—"
    if kind == "municipalities" and row is not None and row["denominator"]:
        return t("targets.municipalities_value", met=int(row["numerator"]), total=int(row["denominator"]))
    return num(value) if kind == "count" else pct(value, 0)


def target_text(row) -> str:
    if row["target_low"] is None or row["target_low"] != row["target_low"]:
        return "—"
    sign = "≤" if row["direction"] == "at_most" else "≥"
    kind = "share" if row["kind"] in ("share", "reported", "municipalities") else "count"
    low = value_text(row["target_low"], kind)
    if row["target_high"] is not None and row["target_high"] == row["target_high"]:
        return f"{sign} {low.replace(' %', '').replace(chr(160) + '%', '')}–{value_text(row['target_high'], kind)}"
    return f"{sign} {low}"


counts = summary["status"].value_counts()
st.markdown("### " + t("targets.summary_line", achieved=int(counts.get("achieved", 0)), total=len(summary),
                           at_risk=int(counts.get("at_risk", 0)), not_achieved=int(counts.get("not_achieved", 0))))
st.caption(t("targets.as_of", date=day(as_of), fraction=pct(params["targets"]["at_risk_fraction"], 0)))

trend_values = {tid: " → ".join(f"{y}: {value_text(v, 'count' if kind == 'count' else 'share')}"
                                for y, v in zip(group.sort_values("year")["year"], group.sort_values("year")["actual"]))
                for tid, group in history.groupby("target_id") for kind in [group["kind"].iloc[-1]]}
table = pd.DataFrame({
    t("targets.columns.name"): [t(f"targets.name.{x}") for x in summary["target_id"]],
    t("targets.columns.target"): [target_text(r) for _, r in summary.iterrows()],
    t("targets.columns.actual"): [value_text(r["actual"], r["kind"], r) for _, r in summary.iterrows()],
    t("targets.columns.status"): [t(f"identification.target_status.{s}") for s in summary["status"]],
    t("targets.columns.basis"): [f"{int(r['numerator'])} / {int(r['denominator'])}"
                                 if r["kind"] in ("share", "municipalities") and r["denominator"] else ""
                                 for _, r in summary.iterrows()],
    t("targets.columns.trend"): [trend_values.get(x, "") for x in summary["target_id"]],
})
STATUS_BACKGROUND = {"achieved": "#d9f2ea", "at_risk": "#fbeccc", "not_achieved": "#f7dccc", "no_data": "#eeeeee"}
status_column = t("targets.columns.status")
status_of_label = {t(f"identification.target_status.{s}"): s for s in targets.STATUSES}
styled = table.style.map(lambda v: f"background-color: {STATUS_BACKGROUND[status_of_label.get(v, 'no_data')]}; "
                                   "font-weight: 600", subset=[status_column])
st.dataframe(styled, hide_index=True, width="stretch", height=38 * (len(table) + 1) + 6)
export.download_buttons(table, f"targets_{year}", key="targets_table")

names = {x: t(f"targets.name.{x}") for x in targets.TARGETS}
status_labels = {s: t(f"identification.target_status.{s}") for s in targets.STATUSES} | {"target": t("targets.target")}
st.plotly_chart(targets_chart(summary, names, status_labels, t("targets.chart_title", year=year), lang),
                width="stretch", config={"displayModeBar": False})

with st.expander(t("targets.definitions"), icon=":material/help:"):
    st.markdown("\n".join(f"- **{names[x]}** — {t(f'targets.definition.{x}')}" for x in targets.TARGETS))

# -- drill-down: the rows behind a number (kept in the URL as ?target=) ---------------------------------
drillable = [x for x in targets.TARGETS if targets.TARGETS[x] != "reported"]
if "targets_drill" not in st.session_state:
    wanted = st.query_params.get("target", drillable[0])
    st.session_state["targets_drill"] = wanted if wanted in drillable else drillable[0]
target_id = st.selectbox(t("targets.drill"), drillable, format_func=names.get, key="targets_drill")
st.query_params["target"] = target_id
row = summary.set_index("target_id").loc[target_id]
rows = compute(targets.details, target_id, *geo, year, as_of, params)
if row["kind"] in ("share", "municipalities") and row["denominator"]:
    st.caption(t("targets.drill_caption", name=names[target_id], actual=value_text(row["actual"], "share"),
                 numerator=num(row["numerator"]), denominator=num(row["denominator"])))
else:
    st.caption(t("targets.drill_caption_count", name=names[target_id], actual=value_text(row["actual"], row["kind"])))
if rows.empty:
    st.info(t("targets.drill_none"))
else:
    columns = {"short_name": "school", "municipality": "municipality", "title": "roadmap",
               "agreements": "agreements", "target": "municipal_target", "index_before": "index_before",
               "index_now": "index_now", "change": "change", "numerator": "numerator", "denominator": "denominator"}
    shown = rows[[c for c in columns if c in rows.columns]].copy()
    for column in ("index_before", "index_now", "change"):
        if column in shown:
            shown[column] = shown[column].round(2)
    shown = shown.rename(columns={c: t(f"targets.columns.{k}") for c, k in columns.items()})
    st.dataframe(shown, hide_index=True, width="stretch")
    export.download_buttons(shown, f"target_{target_id}_{year}", key="targets_drill_download")

# -- editing and import of targets ------------------------------------------------------------------------
if access.current().can("edit_targets"):
    with st.expander(t("targets.editor"), icon=":material/edit:"):
        st.caption(t("targets.editor_help"))
        current = compute(targets.region_targets, scope.region_id)
        edited = st.data_editor(current, num_rows="dynamic", hide_index=True, width="stretch", key="targets_editor",
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
        upload = st.file_uploader(t("targets.import_file"), type=["csv"], key="targets_upload")
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
