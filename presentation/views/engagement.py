"""Views of the engagement page and slide (see presentation/views/__init__.py): figures and tables."""
from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from analytics import engagement
from presentation import fmt
from presentation.figures import engagement as figures
from presentation.i18n import text

BINARY_SCHOOL_KEYS = {"roadmap_present": "roadmap_present", "mentor_active": "mentor_school",
                      "risk_profile": "profile_school", "results_loaded": "results_school"}


def _t(language: str):
    return lambda key, **values: text(language, f"engagement.{key}", **values)


def round_label(row, language: str) -> str:
    t = _t(language)
    date = fmt.date(row["date"], language)
    if row["provisional"]:
        return t("round_provisional", number=row["round"], date=date, as_of=fmt.date(row["as_of"], language))
    return t("round_label", number=row["round"], date=date)


def evidence_text(row, as_of: dt.date, language: str) -> str:
    """What a criterion's points rest on, in words («в срок выполнено 12 из 15 …»)."""
    t = _t(language)
    if row["rule"] == "review":
        if row["source"] != "review":
            return t("evidence.review_none")
        comment = row.get("comment")
        return t("evidence.review_comment", comment=comment) if isinstance(comment, str) and comment \
            else t("evidence.review")
    num, den = row["numerator"], row["denominator"]
    if den is None or den != den:
        return t("evidence.none")
    if row["rule"] == "risks_covered" and den == 0:
        return t("evidence.risks_none")
    if den == 0:
        return t("evidence.none")
    if row["unit_level"] == "school" and row["rule"] in BINARY_SCHOOL_KEYS or row["rule"] == "roadmap_present":
        yes_no = t("evidence.yes") if num > 0 else t("evidence.no")
        return t(f"evidence.{BINARY_SCHOOL_KEYS[row['rule']]}", yes_no=yes_no)
    return t(f"evidence.{row['rule']}", num=fmt.number(num, language), den=fmt.number(den, language),
             date=fmt.date(as_of, language))


def headline(summary: pd.DataFrame, level: str) -> dict:
    return figures.zone_counts(summary[summary["unit_level"] == level])


def heatmap(scores: pd.DataFrame, summary: pd.DataFrame, criteria: pd.DataFrame, level: str, zones: dict,
            title: str, language: str):
    """(units × criteria heatmap, its table) for one level, units in ranking order."""
    t = _t(language)
    name_column = "name_ru" if language == "ru" else "name_en"
    rows = summary[summary["unit_level"] == level].sort_values(["rank", "unit_name"])
    units = list(zip(rows["unit_id"], rows["unit_name"] if level == "municipality"
                     else rows["unit_name"] + " · " + rows["municipality"].str.replace(" муниципальный район", "")))
    chosen = criteria[criteria["level"] == level]
    level_scores = scores[scores["unit_level"] == level]
    figure = figures.criteria_heatmap(level_scores, units, chosen, zones, name_column, title, language)
    table = level_scores.pivot_table(index="unit_id", columns="criterion_id", values="points", aggfunc="first")
    table = table.reindex(index=[u for u, _ in units], columns=list(chosen["criterion_id"]))
    table.columns = [f"{n} {name}" for n, name in zip(chosen["number"], chosen[name_column])]
    table.insert(0, t("columns.unit"), [label for _, label in units])
    return figure, table.reset_index(drop=True)


def legend(criteria: pd.DataFrame, level: str, language: str) -> str:
    from presentation.views.risks import escape_markdown
    name_column = "name_ru" if language == "ru" else "name_en"
    chosen = criteria[criteria["level"] == level]
    return "\n".join(f"- **{escape_markdown(n)}** {escape_markdown(name)} ({fmt.number(m, language)})"
                     for n, name, m in zip(chosen["number"], chosen[name_column], chosen["max_points"]))


def ranking(summary: pd.DataFrame, level: str, zones: dict, title: str, previous_label: str, language: str):
    """(ranking chart, ranking table)."""
    t = _t(language)
    rows = summary[summary["unit_level"] == level]
    zone_names = {z: t(f"zones.{z}") for z in engagement.ZONES}
    figure = figures.ranking_bars(rows, zones, zone_names, title, t("ranking_axis"), previous_label, language)
    table = rows.sort_values(["rank", "unit_name"])
    columns = ["rank", "unit_name", "points", "max_points", "share", "zone", "previous_share", "change", "assessed"]
    if level == "school":
        columns.insert(2, "municipality")
    table = table[columns].copy()
    for column in ("share", "previous_share"):
        table[column] = (table[column] * 100).round(1)
    table["change"] = (table["change"] * 100).round(1)
    table["zone"] = table["zone"].map(lambda z: zone_names.get(z, "—"))
    table["assessed"] = [f"{a} / {c}" for a, c in zip(rows.sort_values(["rank", "unit_name"])["assessed"],
                                                       rows.sort_values(["rank", "unit_name"])["criteria"])]
    names = {"rank": "rank", "unit_name": "unit", "municipality": "municipality", "points": "total",
             "max_points": "max_total", "share": "share", "zone": "zone", "previous_share": "previous",
             "change": "change", "assessed": "assessed"}
    table.columns = [t(f"columns.{names[c]}") + (", %" if c in ("share", "previous_share") else "")
                     + (", п.п." if c == "change" and language == "ru" else ", pp" if c == "change" else "")
                     for c in columns]
    return figure, table.reset_index(drop=True)


def failed(scores: pd.DataFrame, level: str, zones: dict, title: str, language: str):
    """(chart of the criteria most often failed, or None when none failed; its table)."""
    t = _t(language)
    name_column = "name_ru" if language == "ru" else "name_en"
    failures = engagement.criterion_failures(scores[scores["unit_level"] == level], zones)
    figure = None
    if (failures["failed"] > 0).any():
        figure = figures.failed_bars(failures, name_column, title, t("columns.failed_share"), language)
    table = failures[["number", name_column, "criterion_group", "assessed", "failed", "failed_share", "mean_share"]].copy()
    table["criterion_group"] = table["criterion_group"].map(lambda g: t(f"groups.{g}"))
    table["failed_share"] = (table["failed_share"] * 100).round(1)
    table["mean_share"] = (table["mean_share"] * 100).round(1)
    table.columns = [t("columns.number"), t("columns.criterion"), t("columns.group"), t("columns.units"),
                     t("columns.failed"), t("columns.failed_share") + ", %", t("columns.mean_share") + ", %"]
    return figure, table


def fell(summary: pd.DataFrame, level: str, language: str) -> pd.DataFrame:
    t = _t(language)
    rows = summary[(summary["unit_level"] == level) & (summary["zone_change"] == "fell")]
    rows = rows.sort_values("change")
    table = pd.DataFrame({
        t("columns.unit"): rows["unit_name"], t("columns.municipality"): rows["municipality"],
        t("columns.previous_zone"): rows["previous_zone"].map(lambda z: t(f"zones.{z}")),
        t("columns.zone"): rows["zone"].map(lambda z: t(f"zones.{z}")),
        t("columns.change") + (", п.п." if language == "ru" else ", pp"): (rows["change"] * 100).round(1),
    })
    if level == "municipality":
        table = table.drop(columns=t("columns.municipality"))
    return table.reset_index(drop=True)


def card(scores: pd.DataFrame, unit_id: str, as_of: dt.date, language: str) -> pd.DataFrame:
    """One unit: every criterion with points, maximum, evidence and the rule."""
    t = _t(language)
    name_column = "name_ru" if language == "ru" else "name_en"
    rows = scores[scores["unit_id"] == unit_id].sort_values("number")
    return pd.DataFrame({
        t("columns.number"): rows["number"],
        t("columns.criterion"): rows[name_column],
        t("columns.points"): [fmt.number(p, language, 1) if p == p else t("no_data") for p in rows["points"]],
        t("columns.max"): [fmt.number(m, language) for m in rows["max_points"]],
        t("columns.evidence"): [evidence_text(r, as_of, language) for _, r in rows.iterrows()],
        t("columns.rule"): [t(f"rule.{r}") for r in rows["rule"]],
        t("columns.group"): rows["criterion_group"].map(lambda g: t(f"groups.{g}")),
    }).reset_index(drop=True)


def share_text(value, language: str) -> str:
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else fmt.percent(value, language, 0)


def slide(summary: pd.DataFrame, level: str, zones: dict, title: str, previous_label: str, language: str,
          height: int, width: int, on: bool):
    """(ranking chart fitted to a slide, zone counts) of one level, or None without units."""
    from presentation.figures.style import fit
    from presentation.views.charts import colour_legend, values_beside_names
    rows = summary[summary["unit_level"] == level]
    if rows.empty:
        return None
    t = _t(language)
    zone_names = {z: t(f"zones.{z}") for z in engagement.ZONES}
    figure = figures.ranking_bars(rows, zones, zone_names, title, t("ranking_axis"), previous_label, language)
    # Bars are coloured by zone: the zones in the legend, next to the previous round's marker.
    colour_legend(figure, [(zone_names[z], figures.ZONE_COLOURS[z]) for z in engagement.ZONES])
    return fit(values_beside_names(figure), height, width, on), figures.zone_counts(rows)
