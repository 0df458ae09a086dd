"""Views of the risk-profile page (see presentation/views/__init__.py): its figures and tables."""
from __future__ import annotations

import pandas as pd

from presentation.figures.risks import association_chart, change_distribution, level_distribution, profile_bars, risk_heatmap
from presentation.i18n import text
from presentation.safe import md


def escape_markdown(text: str) -> str:
    """Data text shown as markdown: no HTML, no markdown syntax taken from the data."""
    return md(text)


def legend(counts: pd.DataFrame, name_column: str) -> str:
    """The heatmap's column legend: «position. factor name» lines (markdown-escaped)."""
    return "\n".join(f"{p}. {escape_markdown(n)}" for p, n in zip(counts["position"], counts[name_column]))


def headline(counts: pd.DataFrame, matrix: pd.DataFrame, gaps: pd.DataFrame, name_column: str) -> dict:
    """The figures above the charts and what the sections below share, or None when no
    school of the scope has a profile."""
    if matrix.empty:
        return None
    factor_ids = counts["factor_id"].tolist()
    uncovered_high = gaps[(gaps["level"] == "high") & ~gaps["covered"] & gaps["in_roadmap"]]
    school_names = dict(zip(matrix.index, matrix["short_name"] + " · " + matrix["municipality"]))
    return {
        "schools": len(matrix),
        "high_schools": int((matrix[factor_ids] == 3).any(axis=1).sum()),
        "uncovered_high": len(uncovered_high),
        "uncovered_schools": uncovered_high["school_id"].nunique(),
        "names_by_factor": dict(zip(counts["factor_id"], counts[name_column])),
        "school_names": school_names,
        "school_options": ("", *sorted(school_names, key=lambda s: school_names[s])),
        "short_names": dict(zip(matrix.index, matrix["short_name"])),
    }


def profile(profile_frame: pd.DataFrame, gaps: pd.DataFrame, school_id: str, short_name: str, name_column: str,
            level_names: dict[str, str], year: int, language: str):
    """One school: (profile chart, the school's gaps by factor, the profile table)."""
    t = lambda key, **values: text(language, key, **values)  # noqa: E731
    school_gaps = gaps[gaps["school_id"] == school_id].set_index("factor_id")
    figure = profile_bars(profile_frame, name_column, level_names, year,
                          t("risks.profile_chart", school=short_name, year=year),
                          t("risks.previous_year", year=year - 1), language)
    table = profile_frame[["position", name_column, "level", "previous_level", "change"]].copy()
    table["level"] = table["level"].map(level_names)
    table["previous_level"] = table["previous_level"].map(level_names)
    table["change"] = table["change"].map(lambda c: t(f"risks.change.{c}"))
    table["measures"] = [int(school_gaps.at[f, "measures"]) if f in school_gaps.index else None
                         for f in profile_frame["factor_id"]]
    table.columns = [t("risks.columns.position"), t("risks.columns.factor"), t("risks.columns.level", year=year),
                     t("risks.columns.level", year=year - 1), t("risks.columns.change"),
                     t("risks.columns.measures")]
    return figure, school_gaps, table


def heatmap(matrix: pd.DataFrame, counts: pd.DataFrame, name_column: str, level_names: dict[str, str], title: str,
            language: str):
    """(schools × factors heatmap, the legend lines «position. name», its table)."""
    t = lambda key: text(language, key)  # noqa: E731
    factor_ids = counts["factor_id"].tolist()
    factor_names = dict(zip(counts["factor_id"], [f"{p}. {n}" for p, n in zip(counts["position"], counts[name_column])]))
    figure = risk_heatmap(matrix, factor_names, level_names, title, language,
                          column_labels=[str(p) for p in counts["position"]])
    heat_table = matrix[["short_name", "municipality", *factor_ids]].copy()
    for factor in factor_ids:
        heat_table[factor] = heat_table[factor].map({1: level_names["low"], 2: level_names["medium"],
                                                     3: level_names["high"]})
    heat_table = heat_table.rename(columns={"short_name": t("risks.columns.school"),
                                            "municipality": t("risks.columns.municipality"), **factor_names})
    return figure, heat_table


def distribution(counts: pd.DataFrame, change_counts: pd.DataFrame, name_column: str, level_names: dict[str, str],
                 year: int, language: str):
    """(levels per factor chart, change chart or None when no school has last year's profile,
    schools compared with last year, the table of both)."""
    t = lambda key, **values: text(language, key, **values)  # noqa: E731
    levels = level_distribution(counts, name_column, level_names, t("risks.distribution_chart", year=year),
                                t("risks.schools_axis"), language)
    compared = int((change_counts[["improved", "unchanged", "worsened"]].sum(axis=1)).max() or 0)
    changes = None
    if compared:
        changes = change_distribution(
            change_counts, name_column, {c: t(f"risks.change.{c}") for c in ("improved", "unchanged", "worsened")},
            t("risks.change_chart", year=year, previous=year - 1), t("risks.schools_axis"), language)
    table = counts[["position", name_column, "high", "medium", "low", "schools"]].merge(
        change_counts[["position", "improved", "unchanged", "worsened", "no_data"]], on="position")
    table.columns = [t("risks.columns.position"), t("risks.columns.factor"), level_names["high"],
                     level_names["medium"], level_names["low"], t("risks.columns.schools"),
                     t("risks.change.improved"), t("risks.change.unchanged"), t("risks.change.worsened"),
                     t("risks.change.no_data")]
    return levels, changes, compared, table


# The high-risks-without-a-measure table in the 789 px main area of a 1280 px window: the factor's
# name wraps (it ran to 1,042 px on one line).
UNCOVERED_WIDTHS = {"school": 150, "municipality": 150, "factor": 330, "has_roadmap": 110}   # 740 px
UNCOVERED_WRAP = ["school", "municipality", "factor"]


def uncovered(gaps: pd.DataFrame, counts: pd.DataFrame, name_column: str, language: str):
    """(table of high risks no measure addresses, or None; schools outside every roadmap)."""
    t = lambda key: text(language, key)  # noqa: E731
    uncovered_high = gaps[(gaps["level"] == "high") & ~gaps["covered"] & gaps["in_roadmap"]]
    gap_table = None
    if not uncovered_high.empty:
        gap_table = uncovered_high[["short_name", "municipality", "factor_id", "has_roadmap"]].copy()
        gap_table["factor_id"] = gap_table["factor_id"].map(dict(zip(counts["factor_id"], counts[name_column])))
        gap_table["has_roadmap"] = gap_table["has_roadmap"].map({True: t("risks.yes"), False: t("risks.no")})
        gap_table.columns = [t("risks.columns.school"), t("risks.columns.municipality"), t("risks.columns.factor"),
                             t("risks.columns.has_roadmap")]
    outside = gaps[~gaps["in_roadmap"]].drop_duplicates("school_id")
    return gap_table, tuple(outside["short_name"])


def association(frame: pd.DataFrame, name_column: str, year: int, language: str):
    """(factor–results association chart, or None when too few schools; its table)."""
    t = lambda key, **values: text(language, key, **values)  # noqa: E731
    figure = None
    if frame["enough"].any():
        figure = association_chart(frame, name_column, t("risks.association_chart", year=year),
                                   t("risks.association_axis"), t("app.little_data"), language)
    table = frame[["position", name_column, "n_high", "mean_high", "n_low", "mean_low",
                   "difference", "ci_low", "ci_high"]].copy()
    for column in ("mean_high", "mean_low", "difference", "ci_low", "ci_high"):
        table[column] = (table[column] * 100).round(1)
    table.columns = [t(f"risks.assoc_columns.{c}") for c in
                     ("position", "factor", "n_high", "mean_high", "n_low", "mean_low", "difference",
                      "ci_low", "ci_high")]
    return figure, table


def schools_label(category: str | None, language: str) -> str:
    """The schools card's label names its population: «Школ с профилем» is 39 for every profiled
    school, 17 for the listed ones."""
    if not category:
        return text(language, "risks.metric_schools_all")
    return f"{text(language, 'risks.metric_schools')} ({text(language, f'figures.population.{category}')})"


def school_summary(profile_frame: pd.DataFrame, school_gaps: pd.DataFrame, names_by_factor: dict,
                   name_column: str, level_names: dict[str, str], year: int, language: str) -> list[str]:
    """Markdown blocks beside one school's profile: the factors that worsened and improved since
    last year, then its high risks no measure addresses (or why there is nothing to name)."""
    t = lambda key, **values: text(language, key, **values)  # noqa: E731
    blocks = []
    for change in ("worsened", "improved"):
        named = profile_frame.loc[profile_frame["change"] == change, name_column].tolist()
        if named:
            blocks += [f"**{t(f'risks.summary.{change}', previous=year - 1)}**",
                       "\n".join(f"- {escape_markdown(n)}" for n in named)]
    blocks.append(f"**{t('risks.summary.uncovered')}**")
    school_uncovered = school_gaps[~school_gaps["covered"]]
    if school_gaps.empty or school_uncovered.empty:
        blocks.append(t("risks.summary.none"))
    elif not school_gaps["in_roadmap"].any():
        blocks.append(t("risks.summary.no_roadmap", year=year))
    else:
        blocks.append("\n".join(f"- {escape_markdown(names_by_factor[f])} ({level_names[lv]})"
                                for f, lv in zip(school_uncovered.index, school_uncovered["level"])))
    return blocks


def outside_names(outside: tuple, shown: int = 12) -> str:
    """The schools outside every roadmap, the first ``shown`` of them named."""
    return ", ".join(outside[:shown]) + (" …" if len(outside) > shown else "")
