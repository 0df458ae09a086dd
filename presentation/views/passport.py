"""Views of «Паспорт школы» (see presentation/views/__init__.py): the picker's labels, the list
card and reconciliation sentence, the results table, the roadmap tables and the map's texts."""
from __future__ import annotations

import pandas as pd

from analytics import small_numbers
from analytics.indicators import BY_CODE
from presentation import fmt
from presentation.figures.style import CATEGORY_COLOURS
from presentation.i18n import text
from presentation.views.layout import TableLayout

# A 760-px table at 1280: the interval sits in «Изменение [интервал]»; the value's own interval and
# the five-year trend are in the column menu and the download.
RESULTS_LAYOUT = TableLayout("passport.columns", wrap=("subject", "change", "verdict"), hidden=("interval", "trend"),
                             widths={"subject": 110, "n": 95, "value": 90, "change": 150, "verdict": 125,
                                     "municipality": 110, "region": 80})
# A 3/5 column (about 460 px at 1280): what, when, how late, who; the roadmap and № in the column
# menu and the download.
OVERDUE_COLUMNS = ["roadmap_title", "number", "title", "due_date", "days_overdue", "executors_text"]
OVERDUE_LAYOUT = TableLayout("roadmaps.columns", wrap=("title", "executors_text"), hidden=("roadmap_title", "number"),
                             short={"days_overdue": "passport.days_short"},
                             widths={"title": 185, "due_date": 90, "days_overdue": 70, "executors_text": 105})
MEASURE_COLUMNS = ["roadmap_title", "number", "title", "finish", "state", "units", "done", "overdue"]
MEASURES_LAYOUT = TableLayout("passport.measure_columns", wrap=("title",), hidden=("roadmap_title",),
                              widths={"number": 45, "title": 270, "finish": 95, "state": 115, "units": 75,
                                      "done": 90, "overdue": 95})
TEACHER_INDICATORS = ["route_share", "consultations_share", "positive_share"]


def school_labels(schools: pd.DataFrame, municipalities: pd.DataFrame) -> dict[str, str]:
    """The picker's label of each school: «short name · municipality»."""
    names = dict(zip(municipalities["municipality_id"], municipalities["name"]))
    return {s: f"{n} · {names.get(m, m)}"
            for s, n, m in zip(schools["school_id"], schools["short_name"], schools["municipality_id"])}


def list_card(lists: pd.DataFrame, list_year: int | None, language: str) -> tuple[bool, list[str], list[str]]:
    """On the official low-results list in ``list_year``? With the years it was, and its other lists."""
    current = lists[lists["year"] == list_year]["category"].tolist() if list_year else []
    streak = sorted(lists[lists["category"] == "low_results"]["year"].tolist())
    others = [text(language, f"codes.category.{c}") for c in current if c != "low_results"]
    return "low_results" in current, streak, others


def reconciliation_sentence(reconciled: dict, list_year: int, language: str) -> str:
    """Why the official list and the computed one agree or not, in one sentence."""
    share = fmt.percent(reconciled["share"], language, 0)
    places = "; ".join(text(language, "passport.reconcile_place", year=p["year"], rank=p["rank"], ranked=p["ranked"])
                       if p["rank"] is not None else text(language, "passport.reconcile_no_place", year=p["year"])
                       for p in reconciled["places"])
    cut = next((p["cut_rank"] for p in reversed(reconciled["places"]) if p["cut_rank"] is not None), "—")
    kind = {(True, True): "both", (True, False): "official_only", (False, True): "computed_only",
            (False, False): "neither"}[(reconciled["official"], reconciled["computed"])]
    sentence = text(language, f"passport.reconcile_{kind}", list_year=list_year, share=share, places=places, cut=cut)
    if reconciled["probability"] is not None:
        sentence += " " + text(language, "passport.reconcile_probability", share=share,
                               probability=fmt.percent(reconciled["probability"], language, 0),
                               threshold=fmt.percent(reconciled["min_probability"], language, 0))
    return sentence


def results_table(results: pd.DataFrame, code: str, min_n: int, language: str) -> pd.DataFrame:
    """The school's results per subject against its municipality and region; small groups say so
    instead of showing a value."""
    indicator = BY_CODE[code]
    share = indicator.kind == "share"

    def value_text(value, enough=True) -> str:
        if value is None or pd.isna(value):
            return "—"
        if not enough:
            return text(language, "app.little_data")  # the N column beside it says how many
        return fmt.percent(value, language, 1) if share else fmt.number(value, language, indicator.decimals)

    def interval_text(low, high, enough=True) -> str:
        if not enough or pd.isna(low) or pd.isna(high):
            return ""
        return f"{value_text(low)} … {value_text(high)}"

    def change_text(delta, low, high, n, prev_n) -> str:
        if not small_numbers.enough(n, prev_n, min_n=min_n):
            return text(language, "figures.little_data_n", n=small_numbers.smallest_n(n, prev_n))
        if pd.isna(delta):
            return "—"
        if share:
            main, lo, hi = (fmt.points(x, language, 1) for x in (delta, low, high))
        else:
            main, lo, hi = (fmt.number(x, language, indicator.decimals) for x in (delta, low, high))
        return f"{main} [{lo}; {hi}]"

    enough = results["enough"].astype(bool)
    verdict = lambda v: text(language, f"results.verdict.{v}")  # noqa: E731
    frame = pd.DataFrame({
        "subject": results["name_ru" if language == "ru" else "name_en"],
        "n": results["n"].astype(int),
        "value": [value_text(v, ok) for v, ok in zip(results["value"], enough)],
        "interval": [interval_text(lo, hi, ok) for lo, hi, ok in zip(results["ci_low"], results["ci_high"], enough)],
        "change": [change_text(d, lo, hi, n, pn) for d, lo, hi, n, pn in
                   zip(results["delta"], results["delta_low"], results["delta_high"], results["n"], results["prev_n"])],
        "verdict": [verdict(v) for v in results["change_verdict"]],
        "trend": [verdict(v) for v in results["trend_verdict"]],
        "municipality": [value_text(v) for v in results["municipality_value"]],
        "region": [value_text(v) for v in results["region_value"]],
    })
    return RESULTS_LAYOUT.rename(frame, language)


def overdue_table(overdue: pd.DataFrame, language: str) -> pd.DataFrame:
    return OVERDUE_LAYOUT.rename(overdue[OVERDUE_COLUMNS], language)


def measures_table(timeline: pd.DataFrame, language: str) -> pd.DataFrame:
    measures = timeline.assign(state=timeline["state"].map(lambda s: text(language, f"codes.status.{s}")))
    return MEASURES_LAYOUT.rename(measures[MEASURE_COLUMNS], language)


def roadmap_figure_labels(language: str) -> dict:
    """The labels of the checkpoint chart (the page adds its ``date_format``: a view's function
    arguments must be module-level functions)."""
    keys = {"on_time": "on_time_line", "late": "late", "target": "target", "target_short": "target_short",
            "so_far": "so_far", "y": "y_share", "x": "x_share"}
    return {k: text(language, f"roadmaps.{v}") for k, v in keys.items()}


def map_texts(language: str, min_n: int) -> dict:
    """The small map's tooltips and legend."""
    keys = ("km_road", "km_straight", "km_estimate", "category", "municipality", "vpr_participants", "vpr_share2",
            "roadmap")
    return {k: text(language, f"map.{k}") for k in keys} | {
        "categories": {c: text(language, f"codes.category.{c}") for c in CATEGORY_COLOURS},
        "min_n": min_n, "little_data_n": text(language, "figures.little_data_n", n="{n}"),
        "area_value": lambda row: ""}
