"""Views of the targets page (see presentation/views/__init__.py)."""
from __future__ import annotations

import pandas as pd

from presentation import fmt
from presentation.i18n import text


def value_text(value, kind: str, language: str, row=None) -> str:
    if value is None or value != value:
        return "—"
    if kind == "municipalities" and row is not None and row["denominator"]:
        return text(language, "targets.municipalities_value", met=int(row["numerator"]), total=int(row["denominator"]))
    return fmt.number(value, language) if kind == "count" else fmt.percent(value, language, 0)


def target_text(row, language: str) -> str:
    if row["target_low"] is None or row["target_low"] != row["target_low"]:
        return "—"
    sign = "≤" if row["direction"] == "at_most" else "≥"
    kind = "share" if row["kind"] in ("share", "reported", "municipalities") else "count"
    low = value_text(row["target_low"], kind, language)
    if row["target_high"] is not None and row["target_high"] == row["target_high"]:
        return f"{sign} {low.replace(' %', '').replace(chr(160) + '%', '')}–{value_text(row['target_high'], kind, language)}"
    return f"{sign} {low}"


def summary_table(summary: pd.DataFrame, history: pd.DataFrame, language: str) -> pd.DataFrame:
    """Every target: name, target, actual, status, basis and the last years' values."""
    t = lambda key: text(language, key)  # noqa: E731
    trend_values = {tid: " → ".join(f"{y}: {value_text(v, 'count' if kind == 'count' else 'share', language)}"
                                    for y, v in zip(group.sort_values("year")["year"],
                                                    group.sort_values("year")["actual"]))
                    for tid, group in history.groupby("target_id") for kind in [group["kind"].iloc[-1]]}
    return pd.DataFrame({
        t("targets.columns.name"): [t(f"targets.name.{x}") for x in summary["target_id"]],
        t("targets.columns.target"): [target_text(r, language) for _, r in summary.iterrows()],
        t("targets.columns.actual"): [value_text(r["actual"], r["kind"], language, r) for _, r in summary.iterrows()],
        t("targets.columns.status"): [t(f"identification.target_status.{s}") for s in summary["status"]],
        t("targets.columns.basis"): [f"{int(r['numerator'])} / {int(r['denominator'])}"
                                     if r["kind"] in ("share", "municipalities") and r["denominator"] else ""
                                     for _, r in summary.iterrows()],
        t("targets.columns.trend"): [trend_values.get(x, "") for x in summary["target_id"]],
    })


DRILL_COLUMNS = {"short_name": "school", "municipality": "municipality", "title": "roadmap",
                 "agreements": "agreements", "target": "municipal_target", "index_before": "index_before",
                 "index_now": "index_now", "change": "change", "counted": "counted"}


def counted_text(target_id: str, numerator, denominator, language: str) -> str:
    """How one row counts in its target, in words (the raw numerator and denominator, e.g.
    «−1 / 0» for a school that entered the list, mean nothing to a reader)."""
    say = lambda key, **values: text(language, f"targets.counted.{key}", **values)  # noqa: E731
    if numerator is None or numerator != numerator or denominator is None or denominator != denominator:
        return "—"
    if target_id == "list_reduction":
        return say("left" if numerator > 0 else "entered" if numerator < 0 else "stayed")
    if denominator == 0:
        return say("not_counted")
    if denominator == 1 and numerator in (0, 1):
        return say("met" if numerator == 1 else "not_met")
    if denominator == 1:
        return say("share_done", share=fmt.percent(numerator, language, 0))
    return say("of", numerator=fmt.number(numerator, language), denominator=fmt.number(denominator, language))


def drill_table(rows: pd.DataFrame, language: str, target_id: str = ""):
    """The rows behind one target as shown, or None without rows."""
    if rows.empty:
        return None
    rows = rows.assign(counted=[counted_text(target_id, n, d, language)
                                for n, d in zip(rows["numerator"], rows["denominator"])])
    shown = rows[[c for c in DRILL_COLUMNS if c in rows.columns]].copy()
    for column in ("index_before", "index_now", "change"):
        if column in shown:
            shown[column] = shown[column].round(2)
    return shown.rename(columns={c: text(language, f"targets.columns.{k}") for c, k in DRILL_COLUMNS.items()})
