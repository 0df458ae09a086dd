"""Views of the «Результаты» page (see presentation/views/__init__.py): its figures and formatted tables."""
from __future__ import annotations

import math

import pandas as pd

from analytics import small_numbers
from analytics.indicators import BY_CODE
from presentation import fmt
from presentation.figures.results import heatmap, mark_distribution, objectivity_bars, status_change_grid, trend_lines
from presentation.figures.style import MARK_COLOURS, PALETTE
from presentation.i18n import text


class Formats:
    """How one indicator's values, changes and intervals are written in one language."""

    def __init__(self, code: str, language: str):
        self.indicator = BY_CODE[code]
        self.share = self.indicator.kind == "share"
        self.language = language

    def value(self, value) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "—"
        if self.share:
            return fmt.percent(value, self.language, 1)
        return fmt.number(value, self.language, self.indicator.decimals)

    def change(self, value) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "—"
        if self.share:
            return fmt.points(value, self.language, 1)
        sign = "+" if value > 0 else ("−" if value < 0 else "±")
        return sign + fmt.number(abs(value), self.language, self.indicator.decimals)

    def interval(self, low, high) -> str:
        if pd.isna(low) or pd.isna(high):
            return "—"
        if self.share:
            return f"{self.value(low)} … {self.value(high)}"
        decimals = self.indicator.decimals
        return f"{fmt.number(low, self.language, decimals)} … {fmt.number(high, self.language, decimals)}"

    def change_interval(self, low, high) -> str:
        if pd.isna(low) or pd.isna(high):
            return "—"
        return f"{self.change(low)} … {self.change(high)}"


def trend(parts: dict[str, pd.DataFrame], names: dict[str, str], title: str, y_label: str, share: bool,
          language: str, little_data: str):
    """The trend lines of the region (and municipality, and school) and their table.
    ``parts``: who -> indicator series (the school's comes from comparison.series)."""
    frames = [frame[frame["who"] == "school"] if who == "school" else frame.assign(who=who)
              for who, frame in parts.items()]
    series = pd.concat(frames, ignore_index=True)
    figure = trend_lines(series, names, title, y_label, share, language, little_data)
    enough = series["enough"].astype(bool)   # the small-numbers rule holds in exports too
    table = series.assign(who=series["who"].map(names), value=series["value"].where(enough),
                          ci_low=series["ci_low"].where(enough),
                          ci_high=series["ci_high"].where(enough))[["who", "year", "n", "value", "ci_low", "ci_high"]]
    return figure, table


def marks(counts: pd.DataFrame, procedure: str, columns: dict[str, str], colours: dict[str, str], title: str,
          language: str):
    """Mark (ОГЭ/ВПР) or score band (ЕГЭ) distribution per year."""
    if procedure == "EGE":
        counts = counts.assign(below=counts["n_below_min"], high=counts["n_high"],
                               middle=counts["n"] - counts["n_below_min"] - counts["n_high"])
    return mark_distribution(counts, columns, colours, title, language)


def grid(levels: pd.DataFrame, level_names: dict[int, str], title: str, x_label: str, y_label: str, share: bool,
         language: str, selected: str | None, lower_is_better: bool):
    """The status × change grid of schools (cut lines from the levels' attrs)."""
    return status_change_grid(levels, level_names, title, x_label, y_label, share,
                              levels.attrs.get("status_cuts", ()), levels.attrs.get("change_cuts", ()),
                              language, selected, lower_is_better)


def graded_schools(levels: pd.DataFrame | None, summary: pd.DataFrame | None,
                   schools: pd.DataFrame | None) -> pd.DataFrame:
    """Schools with value, change and level: the performance levels, or (an indicator with
    no direction) the dynamics summary with names and no level."""
    if levels is not None:
        return levels
    graded = summary.rename(columns={"unit_id": "school_id"}).assign(level=float("nan"))
    graded = graded.merge(schools[["school_id", "short_name"]], on="school_id", how="left")
    graded["municipality"] = ""
    return graded


# The school table on a 1280-px screen (760 px): the value with its N and interval, the change and
# what it means; municipality (also in the school's name), the change's interval and the trend
# are in the column menu and the download.
TABLE_HIDDEN = ["municipality", "change_interval", "trend"]
TABLE_WIDTHS = {"school": 125, "n": 95, "value": 85, "interval": 105, "change": 110, "verdict": 130, "level": 110}


def change_text(formats, delta, n, prev_n, verdict: str, language: str) -> str:
    """A change as shown: «мало данных (N = k)» when a side is below min_n (no number then)."""
    if verdict == "insufficient" and pd.isna(delta) and not pd.isna(prev_n):
        return text(language, "figures.little_data_n", n=small_numbers.smallest_n(n, prev_n))
    return formats.change(delta)


def ranking(levels, summary, schools, code: str, language: str):
    """(ranked schools, the table shown, the table exported); best first, «мало данных» last."""
    t = lambda key, **values: text(language, key, **values)  # noqa: E731
    formats = Formats(code, language)
    graded = graded_schools(levels, summary, schools)
    sign = 1 if formats.indicator.higher_is_better is not False else -1
    ranked = graded.assign(_key=graded["value"].where(graded["enough"].astype(bool)) * sign)
    ranked = ranked.sort_values(["_key", "short_name"], na_position="last").reset_index(drop=True)
    little = t("app.little_data")
    enough = ranked["enough"].astype(bool)
    display = pd.DataFrame({
        t("results.columns.school"): ranked["short_name"],
        t("results.columns.municipality"): ranked["municipality"],
        t("results.columns.n"): ranked["n"].astype(int),
        t("results.columns.value"): [formats.value(v) if ok else little for v, ok in zip(ranked["value"], enough)],
        t("results.columns.interval"): [formats.interval(lo, hi) if ok else "" for lo, hi, ok in
                                         zip(ranked["ci_low"], ranked["ci_high"], enough)],
        t("results.columns.change"): [change_text(formats, d, n, pn, v, language) for d, n, pn, v in
                                      zip(ranked["delta"], ranked["n"], ranked.get("prev_n", ranked["n"]),
                                          ranked["change_verdict"])],
        t("results.columns.change_interval"): [formats.change_interval(lo, hi) for lo, hi in
                                                zip(ranked["delta_low"], ranked["delta_high"])],
        t("results.columns.verdict"): [t(f"results.verdict.{v}") for v in ranked["change_verdict"]],
        t("results.columns.trend"): [t(f"results.verdict.{v}") for v in ranked["trend_verdict"]],
        t("results.columns.level"): [t(f"results.levels.{int(v)}") if not pd.isna(v) else "—"
                                     for v in ranked["level"]],
    })
    export_table = ranked[["school_id", "short_name", "municipality", "n", "value", "ci_low", "ci_high",
                           "prev_value", "delta", "delta_low", "delta_high", "change_verdict", "slope",
                           "slope_low", "slope_high", "trend_verdict", "level"]]
    return ranked, display, export_table


def subjects_heatmap(cells: pd.DataFrame, subjects: pd.DataFrame, rows: pd.DataFrame, level: str, title: str,
                     share: bool, reverse: bool, language: str, little_data: str):
    """(heatmap of subjects × schools or municipalities, its table), or None without cells.
    ``rows``: catalog.schools (level «school») or catalog.municipalities."""
    if cells.empty:
        return None
    subject_names = dict(zip(subjects["subject_id"], subjects["name_ru" if language == "ru" else "name_en"]))
    if level == "school":
        row_names = dict(zip(rows["school_id"], rows["short_name"]))
    else:
        row_names = dict(zip(rows["municipality_id"], rows["name"]))
    cells = cells.assign(shown=cells["value"].where(cells["enough"].astype(bool)))
    table = cells.pivot_table(index="unit_id", columns="subject_id", values="shown", aggfunc="first", dropna=False)
    table = table[[s for s in subject_names if s in table.columns]]
    table = table.rename(index=lambda u: row_names.get(u, u), columns=subject_names).sort_index()
    figure = heatmap(table, title, share, reverse, language, little_data)
    export_table = table.reset_index(names=text(language, f"results.{'school' if level == 'school' else 'municipality'}"))
    return figure, export_table


def objectivity(objective: pd.DataFrame, rows: pd.DataFrame, level: str, min_n: int, labels: dict[str, str],
                title: str, language: str):
    """(ВПР objectivity bars, their table), or None if no unit has ``min_n`` participants.
    Schools: the first 30; ``rows`` as in :func:`subjects_heatmap`."""
    objective = objective[objective["n"] >= min_n]
    if objective.empty:
        return None
    if level == "school":
        objective = objective.assign(name=objective["unit_id"].map(dict(zip(rows["school_id"], rows["short_name"]))))
        objective = objective.head(30)
    else:
        objective = objective.assign(name=objective["unit_id"].map(dict(zip(rows["municipality_id"], rows["name"]))))
    figure = objectivity_bars(objective, labels, title, language)
    export_table = objective[["unit_id", "name", "n", "n_lower", "n_confirmed", "n_higher",
                              "share_lower", "share_confirmed", "share_higher"]]
    return figure, export_table


def detail_table(compared: pd.DataFrame, who_names: dict[str, str], code: str, language: str) -> pd.DataFrame:
    """The selected school beside its municipality, similar schools and the region; a small group
    says «мало данных» instead of a value."""
    formats = Formats(code, language)
    enough = compared["enough"].astype(bool)
    column = lambda key: text(language, f"results.columns.{key}")  # noqa: E731
    return pd.DataFrame({
        column("who"): compared["who"].map(who_names),
        column("n"): compared["n"].astype(int),
        column("value"): [formats.value(v) if ok else text(language, "app.little_data")
                          for v, ok in zip(compared["value"], enough)],
        column("interval"): [formats.interval(lo, hi) if ok else "" for lo, hi, ok in
                             zip(compared["ci_low"], compared["ci_high"], enough)],
        column("change"): [change_text(formats, d, n, pn, v, language) for d, n, pn, v in
                           zip(compared["delta"], compared["n"], compared["prev_n"], compared["change_verdict"])],
        column("change_interval"): [formats.change_interval(lo, hi) for lo, hi in
                                    zip(compared["delta_low"], compared["delta_high"])],
        column("verdict"): [text(language, f"results.verdict.{v}") for v in compared["change_verdict"]],
    })


def mark_columns(procedure: str, language: str) -> tuple[dict[str, str], dict[str, str] | None]:
    """The mark groups of the distribution chart and their colours (``None``: the default marks'
    colours) — ЕГЭ by score band, the others by mark 2–5."""
    if procedure == "EGE":
        bands = ("below", "middle", "high")
        colours = {"below": PALETTE["vermillion"], "middle": PALETTE["sky"], "high": PALETTE["blue"]}
    else:
        bands, colours = ("n2", "n3", "n4", "n5"), MARK_COLOURS
    return {c: text(language, f"results.marks.{c}") for c in bands}, colours
