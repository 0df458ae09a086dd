"""Views of the effectiveness page, slide and report (see presentation/views/__init__.py)."""
from __future__ import annotations

import math

import pandas as pd

from presentation import fmt
from presentation.figures import effectiveness as figures
from presentation.i18n import text


def _t(language: str):
    return lambda key, **values: text(language, f"effectiveness.{key}", **values)


def _pp(value: float, language: str, signed: bool = False) -> str:
    """A share difference (0..1) in percentage points, one decimal."""
    number = fmt.number(abs(value) * 100 if not signed else value * 100, language, 1)
    return number.replace("-", "−")


def reading(estimate: dict, language: str) -> str:
    """The plain-Russian reading of an estimate and its 95 % interval."""
    t = _t(language)
    low, high = estimate["ci_low"], estimate["ci_high"]
    if high < 0:
        return t("reading_better", effect=_pp(estimate["estimate"], language), low=_pp(high, language),
                 high=_pp(low, language))
    if low > 0:
        return t("reading_worse", effect=_pp(estimate["estimate"], language), low=_pp(low, language),
                 high=_pp(high, language))
    return t("reading_none", low=_pp(low, language, True), high=_pp(high, language, True))


def too_wide(estimate: dict, max_width: float) -> bool:
    return not (estimate["ci_high"] - estimate["ci_low"] <= max_width)


def status(met, low: float, high: float, target: float, language: str) -> str:
    t = _t(language)
    if met is None or (isinstance(met, float) and math.isnan(met)):
        return "—"
    if low == low and high == high and low < target <= high:
        return t("uncertain")
    return t("met") if met else t("not_met")


def list_view(dynamics: pd.DataFrame, language: str):
    """(chart, table, the latest year's sentence values) or None without two lists."""
    t = _t(language)
    if dynamics.empty or dynamics["reduction"].notna().sum() == 0:
        return None
    high_target = 0.30
    labels = dict(title=t("list_chart"), list_axis=t("list_axis"), reduction_axis=t("reduction_axis"),
                  reduction_name=t("reduction_name"), target_name=t("target_name"), target_high=high_target)
    figure = figures.list_chart(dynamics, labels, language)
    rows = dynamics.dropna(subset=["reduction"])
    pct = lambda v: "—" if v != v else f"{v * 100:.0f}"  # noqa: E731
    table = pd.DataFrame({
        t("columns.year"): rows["year"].astype(int),
        t("columns.previous"): rows["previous"].astype(int),
        t("columns.listed"): rows["listed"].astype(int),
        t("columns.left"): rows["left"].astype(int),
        t("columns.stayed"): rows["stayed"].astype(int),
        t("columns.entered"): rows["entered"].astype(int),
        t("columns.reduction"): [pct(v) for v in rows["reduction"]],
        t("columns.reduction_ci"): [f"{pct(a)} … {pct(b)}" for a, b in zip(rows["reduction_low"], rows["reduction_high"])],
        t("columns.reduction_met"): [status(m, a, b, g, language) for m, a, b, g in
                                     zip(rows["reduction_met"], rows["reduction_low"], rows["reduction_high"],
                                         rows["reduction_target"])],
        t("columns.left_share"): [pct(v) for v in rows["left_share"]],
        t("columns.left_ci"): [f"{pct(a)} … {pct(b)}" for a, b in zip(rows["left_low"], rows["left_high"])],
        t("columns.left_met"): [status(m, a, b, g, language) for m, a, b, g in
                                zip(rows["left_met"], rows["left_low"], rows["left_high"], rows["left_target"])],
    })
    last = rows.iloc[-1]
    p = lambda v: fmt.percent(v, language, 0)  # noqa: E731
    line = t("list_line", year=int(last["year"]), listed=int(last["listed"]), previous=int(last["previous"]),
             left=int(last["left"]), stayed=int(last["stayed"]), entered=int(last["entered"]),
             reduction=p(last["reduction"]), reduction_low=p(last["reduction_low"]),
             reduction_high=p(last["reduction_high"]),
             target=f"{p(last['reduction_target'])}–{p(high_target)}".replace("\u00a0%–", "–"),
             left_share=p(last["left_share"]), left_low=p(last["left_low"]), left_high=p(last["left_high"]),
             left_target=p(last["left_target"]))
    return figure, table, line, bool(last["small"])


def event_view(did: dict, language: str):
    t = _t(language)
    if not did["ok"] or did["events"].empty:
        return None
    return figures.event_chart(did["events"], t("did.event_chart"), t("did.event_axis"), t("did.event_y"), language)


# The validation table in the 789 px main area of a 1280 px window (it was 1,329 px): the
# estimator's name wraps, the other headers are short (the full one is the tooltip).
VALIDATION_WIDTHS = {"estimator": 190, "runs": 72, "coverage": 84, "bias": 112, "mean_true": 106, "median_width": 100,
                     "shown": 86}   # 750 px
VALIDATION_WRAP = ["estimator"]
VALIDATION_SHORT = ["runs", "coverage", "bias", "mean_true", "median_width", "shown"]


def validation_table(validation: dict, shown: dict, language: str) -> pd.DataFrame:
    t = _t(language)
    rows = []
    for name in ("did", "rd"):
        rows.append({
            t("columns.estimator"): t(f"{name}.name"),
            t("columns.runs"): int(validation.get("seeds", 0)),
            t("columns.coverage"): fmt.percent(validation["coverage"].get(name, math.nan), language, 0),
            t("columns.bias"): _pp(validation["bias"].get(name, math.nan), language, True),
            t("columns.mean_true"): _pp(validation.get("mean_true", {}).get(name, math.nan), language, True),
            t("columns.median_width"): _pp(validation.get("median_width", {}).get(name, math.nan), language),
            t("columns.shown"): text(language, "engagement.evidence.yes") if shown.get(name)
            else text(language, "engagement.evidence.no"),
        })
    return pd.DataFrame(rows)


def slide(dynamics: pd.DataFrame, language: str, height: int, width: int, on: bool):
    """(list chart fitted to a slide, the latest year's sentence) or None."""
    from presentation.figures.style import fit
    drawn = list_view(dynamics, language)
    if drawn is None:
        return None
    figure, _, line, _ = drawn
    return fit(figure, height, width, on), line


def not_shown_text(name: str, validation: dict, language: str) -> str:
    """Why a validated estimator is hidden: too low coverage, or too wide intervals."""
    t = _t(language)
    title = t(f"{name}.name")
    coverage = float(validation["coverage"].get(name, 0.0))
    if coverage < float(validation["min_coverage"]):
        return t("not_shown", name=title, coverage=fmt.percent(coverage, language, 0),
                 minimum=fmt.percent(validation["min_coverage"], language, 0))
    return t("not_shown_width", name=title, width=fmt.number(float(validation["median_width"].get(name, 0)) * 100,
                                                            language), maximum=fmt.number(validation["max_width"] * 100, language))
