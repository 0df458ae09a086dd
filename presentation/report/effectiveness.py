"""The report's «did the support work» section (region and municipality reports): list
dynamics against the targets and the validated effect estimates, each with what it compares,
its N and what it cannot prove. Numbers from :mod:`analytics.effectiveness`, as on the page."""
from __future__ import annotations

from analytics import effectiveness
from presentation.report.model import Heading, Paragraph, Table
from presentation.views import effectiveness as views


def section(ctx, report, number: int, conclusions: list[str]) -> None:
    w = ctx.w
    e = lambda key, **values: w.any(f"effectiveness.{key}", **values)  # noqa: E731
    report.add(Heading(f"{number}. {e('report.section')}"))
    dynamics = effectiveness.list_dynamics(ctx.store, ctx.region_id, ctx.municipality_id, ctx.year)
    drawn = views.list_view(dynamics, w.lang)
    if drawn is None:
        report.add(Paragraph(e("list_none"), "note"))
    else:
        _, table, line, small = drawn
        report.add(Paragraph(line.replace("**", "")))
        if small:
            report.add(Paragraph(e("list_small"), "note"))
        report.add(Table(list(table.columns), table.astype(str).values.tolist(), caption=e("list_table"),
                         numeric=[True] * 7 + [False, False, True, False, False],
                         widths=[0.8, 0.9, 0.9, 0.8, 0.9, 0.8, 1.1, 1.3, 1.5, 1.1, 1.3, 1.5]))
    if ctx.municipality_id is not None:
        report.add(Paragraph(e("region_only"), "note"))
    result = effectiveness.estimates(ctx.store, ctx.region_id, ctx.min_n)
    validation, shown = result["validation"], result["shown"]
    max_width = float(validation["max_width"])
    report.add(Paragraph(e("report.outcome")))
    pp = lambda v: w.num(v * 100, 1).replace("-", "−")  # noqa: E731
    for name in ("did", "rd"):
        estimate = result[name]
        title = e(f"{name}.name")
        if not shown[name]:
            report.add(Paragraph(views.not_shown_text(name, validation, w.lang), "note"))
            continue
        if not estimate["ok"]:
            report.add(Paragraph(e("not_enough", name=title), "note"))
            continue
        if views.too_wide(estimate, max_width):
            report.add(Paragraph(e("too_wide", name=title, width=w.num(max_width * 100), low=pp(estimate["ci_low"]),
                                   high=pp(estimate["ci_high"])), "note"))
            continue
        if name == "did":
            sample = e("did.sample", treated=estimate["n_treated"], controls=estimate["n_control"], rows=estimate["rows"])
            cannot = e("did.cannot", p=w.num(estimate["pretrend_p"], 2))
        else:
            sample = e("rd.sample", left=estimate["n_left"], right=estimate["n_right"],
                       bandwidth=w.num(estimate["bandwidth"] * 100, 1), first_stage=w.pct(estimate["first_stage"], 0))
            cannot = e("rd.cannot")
        report.add(Paragraph(e("report.estimate", name=title, value=pp(estimate["estimate"]), low=pp(estimate["ci_low"]),
                               high=pp(estimate["ci_high"]), reading=views.reading(estimate, w.lang),
                               compares=e(f"{name}.compares"), sample=sample, cannot=cannot)))
