"""The report's engagement-monitoring section (region and municipality reports): the latest
round's zones, the ranking table, the criteria most often failed and the units whose zone fell.
Numbers come from :mod:`analytics.engagement`, as on the page."""
from __future__ import annotations

from analytics import engagement
from presentation.report.model import Heading, Paragraph, Table

ZONE_STATUS = {"green": "achieved", "yellow": "at_risk", "red": "not_achieved"}


def section(ctx, report, number: int, conclusions: list[str]) -> None:
    w = ctx.w
    e = lambda key, **values: w.any(f"engagement.report.{key}", **values)  # noqa: E731
    report.add(Heading(f"{number}. {e('section')}"))
    schedule = engagement.rounds(ctx.store, ctx.year, ctx.as_of)
    schedule = schedule[schedule["started"]]
    if schedule.empty:
        report.add(Paragraph(e("no_rounds"), "note"))
        return
    held = schedule[~schedule["provisional"]]
    latest = (held if not held.empty else schedule).iloc[-1]
    summary = engagement.unit_summary(ctx.store, ctx.region_id, ctx.municipality_id, ctx.year, int(latest["round"]),
                                      latest["as_of"])
    level = "municipality" if ctx.level == "region" else "school"
    rows = summary[summary["unit_level"] == level]
    if rows.empty:
        report.add(Paragraph(e("no_units"), "note"))
        return
    zones = engagement.load_config()["zones"]
    cuts = dict(green_cut=w.pct(zones["green"], 0), yellow_cut=w.pct(zones["yellow"], 0))
    label = w.any("engagement.round_label", number=int(latest["round"]), date=w.day(latest["date"]))
    counts = rows["zone"].value_counts()
    report.add(Paragraph(e("round", round=label, units=f"{len(rows)} {e(f'units_{level}')}",
                           **{z: int(counts.get(z, 0)) for z in engagement.ZONES}, **cuts)))
    if latest["provisional"]:
        report.add(Paragraph(e("provisional", as_of=w.day(latest["as_of"])), "note"))
    zone_names = {z: w.any(f"engagement.zones.{z}") for z in engagement.ZONES}
    ordered = rows.sort_values(["rank", "unit_name"])
    table_rows = [[str(int(r.rank)), r.unit_name, f"{w.num(r.points, 1)} / {w.num(r.max_points)}", w.pct(r.share, 0),
                   w.pp(r.change) if r.change == r.change else "—", zone_names.get(r.zone, "—")]
                  for r in ordered.itertuples()]
    report.add(Table([w.any("engagement.columns.rank"), w.any(f"engagement.columns.{'unit' if level == 'school' else 'municipality'}"),
                      w.any("engagement.columns.points"), w.any("engagement.columns.share"),
                      w.any("engagement.columns.change"), w.any("engagement.columns.zone")], table_rows,
                     caption=e("table", units=e(f"units_{level}"), round=label),
                     numeric=[True, False, True, True, True, False],
                     statuses=[ZONE_STATUS.get(z, "no_data") for z in ordered["zone"]],
                     widths=[0.8, 4, 1.6, 1.1, 1.4, 1.3]))
    scores = engagement.round_scores(ctx.store, ctx.region_id, ctx.municipality_id, ctx.year, int(latest["round"]),
                                     latest["as_of"])
    failures = engagement.criterion_failures(scores[scores["unit_level"] == level], zones)
    failures = failures[failures["failed"] > 0].head(3)
    name_column = "name_ru" if w.lang == "ru" else "name_en"
    if failures.empty:
        report.add(Paragraph(e("failed_none", **cuts)))
    else:
        items = "; ".join(f"{r.number} «{getattr(r, name_column)}» — {int(r.failed)} из {int(r.assessed)}"
                          if w.lang == "ru" else f"{r.number} «{getattr(r, name_column)}» — {int(r.failed)} of {int(r.assessed)}"
                          for r in failures.itertuples())
        report.add(Paragraph(e("failed", items=items, **cuts)))
    previous = w.any("engagement.previous_label", number=int(summary["previous_round"].iloc[0]),
                     year=int(summary["previous_year"].iloc[0]))
    fell = ordered[ordered["zone_change"] == "fell"]
    report.add(Paragraph(e("fell", previous=previous, names=", ".join(fell["unit_name"])) if len(fell)
                         else e("fell_none", previous=previous)))
    red = ordered[ordered["zone"] == "red"]
    if len(red):
        conclusions.append(e("conclusion_red", names=", ".join(red["unit_name"])))
