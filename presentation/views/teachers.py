"""Views of the «Кадры» page (see presentation/views/__init__.py): its figures and tables."""
from __future__ import annotations

import pandas as pd

from analytics import teachers
from presentation.figures.teachers import coverage_by_group, coverage_vs_targets, deficits_chart
from presentation import fmt
from presentation.i18n import text
from presentation.views.layout import TableLayout


def summary(total: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    """Coverage against the KPI targets (analytics.teachers.against_targets)."""
    return teachers.against_targets(total, targets)


def targets_chart(total: pd.DataFrame, targets: pd.DataFrame, labels: dict, title: str, target_label: str,
                  count_template: str, language: str):
    return coverage_vs_targets(summary(total, targets), labels, title, target_label, count_template, language)


def groups_chart(groups: pd.DataFrame, total: pd.DataFrame, targets: pd.DataFrame, group_column: str,
                 indicators: list[str], labels: dict, title: str, target_label: str, language: str):
    """Coverage per subject, municipality or school, with the targets as lines."""
    by_indicator = {row.indicator: row.target for row in summary(total, targets).itertuples(index=False)}
    return coverage_by_group(groups, group_column, indicators, labels, by_indicator, title, target_label, language)


def school_chart(detail: pd.DataFrame, total: pd.DataFrame, targets: pd.DataFrame, school_id: str,
                 group_column: str, indicators: list[str], labels: dict, title: str, target_label: str, language: str):
    """One school's coverage per subject (``detail``: coverage per school × subject)."""
    by_indicator = {r.indicator: r.target for r in teachers.against_targets(total, targets).itertuples()}
    return coverage_by_group(detail[detail["school_id"] == school_id], group_column, indicators, labels, by_indicator,
                             title, target_label, language)


def deficits(topics: pd.DataFrame, title: str, count_template: str, name_column: str, subject_column: str | None,
             language: str):
    """The most frequent deficit topics, or None without any."""
    if topics.empty:
        return None
    return deficits_chart(topics, title, count_template, name_column, subject_column=subject_column,
                          language=language)


def _percent(series: pd.Series) -> pd.Series:
    return (series.astype(float) * 100).round(1)


def attention(joined: pd.DataFrame, show_all: bool, language: str):
    """(schools flagged, schools compared, the rows shown, the table shown). Shown: schools
    whose results fell (all compared ones with ``show_all``)."""
    t = lambda key: text(language, key)  # noqa: E731
    subject_column = "subject_ru" if language == "ru" else "subject_en"
    topic_column = "topic_ru" if language == "ru" else "topic_en"
    shown = joined if show_all else joined[joined["results_fell"]]
    # Small numbers: below min_n no share or change is shown, only «мало данных (N = k)».
    small = shown["small_n"].astype(bool)
    share_columns = ["fail_change", "quality_change", "fail_share_before", "fail_share_now", "quality_before",
                     "quality_now"]
    shown = shown.assign(**{c: shown[c].where(~small) for c in share_columns})

    def reason(row) -> str:
        if row.attention and row.no_route:
            return t("teachers.reason.fell_no_route")
        if row.attention:
            return t("teachers.reason.fell_deficit")
        if row.results_fell:
            return t("teachers.reason.fell")
        if row.small_n:
            n = min(v for v in (row.n_before, row.n_now) if v == v) if (row.n_before == row.n_before
                                                                      or row.n_now == row.n_now) else 0
            return text(language, "figures.little_data_n", n=int(n))
        return ""

    table = pd.DataFrame({
        t("teachers.columns.school"): shown["short_name"],
        t("teachers.columns.subject"): shown[subject_column],
        t("teachers.columns.reason"): [reason(r) for r in shown.itertuples(index=False)],
        t("teachers.columns.fail_change"): _percent(shown["fail_change"]),
        t("teachers.columns.quality_change"): _percent(shown["quality_change"]),
        t("teachers.columns.teachers_total"): shown["teachers_total"],
        t("teachers.columns.with_route"): shown["with_route"],
        t("teachers.columns.top_deficit"): shown[topic_column],
        t("teachers.columns.top_deficit_share"): _percent(shown["top_deficit_share"]),
        t("teachers.columns.n_before"): shown["n_before"].astype("Int64"),
        t("teachers.columns.n_now"): shown["n_now"].astype("Int64"),
        t("teachers.columns.fail_before"): _percent(shown["fail_share_before"]),
        t("teachers.columns.fail_now"): _percent(shown["fail_share_now"]),
        t("teachers.columns.quality_before"): _percent(shown["quality_before"]),
        t("teachers.columns.quality_now"): _percent(shown["quality_now"]),
        t("teachers.columns.municipality"): shown["municipality_name"],
    })
    # Schools, not school × subject rows: a school flagged in two subjects is one school.
    flagged = joined.loc[joined["attention"], "school_id"].nunique()
    return int(flagged), int(joined["school_id"].nunique()), shown, table


# On a 1280-px screen (about 750 px of table): which school and subject, why, the main figures;
# the rest is in the table's column menu and the download. Keys: teachers.columns.*
ATTENTION_WIDTHS = {"school": 120, "subject": 100, "reason": 190, "fail_change": 95, "with_route": 70,
                    "top_deficit": 170}
ATTENTION_HIDDEN = ["quality_change", "teachers_total", "top_deficit_share", "n_before", "n_now", "fail_before",
                    "fail_now", "quality_before", "quality_now", "municipality"]
ATTENTION_WRAP = ["school", "subject", "reason", "top_deficit"]
COVERAGE_WIDTHS = {"school": 130, "subject": 110, "teachers_total": 90, "diagnosed": 95, "route_share": 90,
                   "consultations_share": 105, "positive_share": 105}
COVERAGE_HIDDEN = ["municipality", "with_route", "trained", "in_consultations", "in_mentoring", "level_rose",
                   "diagnostic_mean"]
COVERAGE_WRAP = ["school", "subject"]
# Short headers of narrow columns (keys: teachers.column_short.*).
SHORT_HEADERS = ["fail_change", "teachers_total", "diagnosed", "consultations_share", "positive_share"]
_SHORT = {c: f"teachers.column_short.{c}" for c in SHORT_HEADERS}
ATTENTION_LAYOUT = TableLayout("teachers.columns", widths=ATTENTION_WIDTHS, wrap=tuple(ATTENTION_WRAP),
                               hidden=tuple(ATTENTION_HIDDEN), short=_SHORT)
COVERAGE_LAYOUT = TableLayout("teachers.columns", widths=COVERAGE_WIDTHS, wrap=tuple(COVERAGE_WRAP),
                              hidden=tuple(COVERAGE_HIDDEN), short=_SHORT)
TARGET_INDICATORS = ["route_share", "consultations_share", "positive_share"]


def grouping(subject: str | None, municipality_id: str | None, language: str) -> tuple[str, str, str]:
    """How the coverage is broken down: (level, group column, title key) — by subject when none is
    chosen, else by municipality across the region, by school inside one municipality."""
    if subject is None:
        return "subject", "subject_ru" if language == "ru" else "subject_en", "teachers.coverage_by_subject"
    if municipality_id is None:
        return "municipality", "municipality_name", "teachers.coverage_by_municipality"
    return "school", "short_name", "teachers.coverage_by_school"


def card_delta(share: float, target: float, language: str) -> tuple[str, str]:
    """A coverage card's delta against its target and the delta's colouring (``off``: no target)."""
    if pd.isna(target) or pd.isna(share):
        return text(language, "teachers.metric_no_target"), "off"
    # Streamlit reads the arrow's direction from an ASCII minus.
    delta = fmt.points(share - target, language, 0).replace("\u2212", "-")
    return text(language, "teachers.metric_delta", delta=delta, target=fmt.percent(target, language, 0)), "normal"


def card_caption(numerator, denominator, min_n: int, language: str) -> str:
    """Under a card: «N из M», and «мало данных» below ``min_n``."""
    caption = text(language, "teachers.metric_caption", numerator=fmt.number(numerator, language),
                   denominator=fmt.number(denominator, language))
    if denominator < min_n:
        caption += " · " + text(language, "teachers.little_data", n=fmt.number(denominator, language))
    return caption


def coverage_table(detail: pd.DataFrame, language: str) -> pd.DataFrame:
    """Coverage per school × subject as shown (shares in %)."""
    t = lambda key: text(language, key)  # noqa: E731
    subject_column = "subject_ru" if language == "ru" else "subject_en"
    return pd.DataFrame({
        t("teachers.columns.school"): detail["short_name"],
        t("teachers.columns.municipality"): detail["municipality_name"],
        t("teachers.columns.subject"): detail[subject_column],
        t("teachers.columns.teachers_total"): detail["teachers_total"],
        t("teachers.columns.diagnosed"): detail["diagnosed"],
        t("teachers.columns.with_route"): detail["with_route"],
        t("teachers.columns.trained"): detail["trained"],
        t("teachers.columns.in_consultations"): detail["in_consultations"],
        t("teachers.columns.in_mentoring"): detail["in_mentoring"],
        t("teachers.columns.level_rose"): detail["level_rose"],
        t("teachers.columns.route_share"): _percent(detail["route_share"]),
        t("teachers.columns.consultations_share"): _percent(detail["consultations_share"]),
        t("teachers.columns.positive_share"): _percent(detail["positive_share"]),
        t("teachers.columns.diagnostic_mean"): detail["diagnostic_mean"].round(1),
    })
