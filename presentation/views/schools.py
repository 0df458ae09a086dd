"""Views of the «Школы» page (see presentation/views/__init__.py): its tables and the flow diagram."""
from __future__ import annotations

import pandas as pd

from analytics import flows
from presentation.figures.identification import list_sankey, school_index_history
from presentation import fmt
from presentation.i18n import text
from presentation.reasons import reasons_by_school


def _names(codes, language: str) -> str:
    return ", ".join(text(language, f"codes.category.{c}") for c in codes)


# The list on a 1280-px screen: who, which category, why; the figures behind the category are in
# the table's column menu and in the download.
LIST_FIRST = ["school", "computed", "reasons", "municipality", "official"]
LIST_HIDDEN = ["school_type", "setting", "social_index", "n_core", "bottom_probability", "composite", "rank"]
LIST_WIDTHS = {"school": 130, "computed": 130, "reasons": 205, "municipality": 110, "official": 170}  # 745 px


def school_list(table: pd.DataFrame, flags: pd.DataFrame, chosen: tuple, only_official: bool, search: str,
                language: str):
    """(the table shown, ids of the schools in it, id -> «name · municipality» of every school)."""
    t = lambda key: text(language, key)  # noqa: E731
    shown_rows = table
    if chosen:
        shown_rows = shown_rows[shown_rows["computed"].apply(lambda c: any(x in c for x in chosen))]
    if only_official:
        shown_rows = shown_rows[shown_rows["official"].apply(len) > 0]
    if search:
        shown_rows = shown_rows[shown_rows["short_name"].str.contains(search, case=False, regex=False)
                                | shown_rows["name"].str.contains(search, case=False, regex=False)]
    reasons = reasons_by_school(flags, language)
    shown = pd.DataFrame({
        t("schools.columns.school"): shown_rows["short_name"],
        t("schools.columns.municipality"): shown_rows["municipality"],
        t("schools.columns.school_type"): shown_rows["school_type"].map(lambda c: t(f"codes.school_type.{c}")),
        t("schools.columns.setting"): shown_rows["is_rural"].map(
            lambda r: t("codes.setting.rural" if r else "codes.setting.urban")),
        t("schools.columns.social_index"): shown_rows["social_index"].round(2),
        t("schools.columns.composite"): shown_rows["composite"].round(2),
        t("schools.columns.rank"): shown_rows["rank_from_bottom"].astype("Int64"),
        t("schools.columns.n_core"): shown_rows["n_core"].astype("Int64"),
        t("schools.columns.bottom_probability"): (shown_rows["bottom_probability"] * 100).round(0).astype("Int64"),
        t("schools.columns.computed"): shown_rows["computed"].map(lambda c: _names(c, language)),
        t("schools.columns.official"): shown_rows["official"].map(lambda c: _names(c, language)),
        t("schools.columns.reasons"): shown_rows["school_id"].map(reasons).fillna(""),
    })
    labels = dict(zip(table["school_id"], table["short_name"] + " · " + table["municipality"]))
    return shown, tuple(shown_rows["school_id"]), labels


def official_years(official: pd.DataFrame, school_id: str) -> dict:
    """category -> «2024, 2025»: the official lists that named the school."""
    own = official[official["school_id"] == school_id]
    return own.groupby("category")["year"].agg(lambda y: ", ".join(str(v) for v in sorted(y))).to_dict()


def history_chart(history: pd.DataFrame, title: str, index_label: str, cut_label: str, language: str):
    """The school's index against the region's cut, or None if it has no index at all."""
    if not history["composite"].notna().any():
        return None
    return school_index_history(history.dropna(subset=["composite"]), history.dropna(subset=["cut"]), title,
                                index_label, cut_label, language)


def comparison(compared: pd.DataFrame, flags: pd.DataFrame, category: str, language: str):
    """(counts by status, whether any official list exists, the table shown)."""
    t = lambda key: text(language, key)  # noqa: E731
    counts = compared["status"].value_counts()
    reasons = reasons_by_school(flags, language, category)
    shown = pd.DataFrame({
        t("schools.columns.status"): compared["status"].map(lambda s: t(f"identification.status.{s}")),
        t("schools.columns.school"): compared["short_name"],
        t("schools.columns.municipality"): compared["municipality"],
        t("schools.columns.reasons"): compared["school_id"].map(lambda school: reasons.get(school, "")),
    })
    return {s: int(counts.get(s, 0)) for s in ("both", "official_only", "computed_only")}, \
        bool(compared["in_official"].any()), shown


def list_flows(members: pd.DataFrame, table: pd.DataFrame, year: int, labels: dict[str, str], title: str,
               language: str):
    """(Sankey of list flows, table per year, schools listed two or more years in a row), or
    None when fewer than two lists exist."""
    t = lambda key: text(language, key)  # noqa: E731
    years = flows.flow_years(members, year)
    if not years:
        return None
    figure = list_sankey(flows.sankey_links(members, years), labels, title, language)
    by_year = flows.flow_table(members, years)
    by_year = by_year.rename(columns={c: t(f"schools.columns.{c}") for c in by_year.columns})
    runs = flows.streaks(members, year)
    runs = runs[runs["years_in_a_row"] >= 2].merge(table[["school_id", "short_name", "municipality"]], on="school_id")
    streak_table = pd.DataFrame({t("schools.columns.school"): runs["short_name"],
                                 t("schools.columns.municipality"): runs["municipality"],
                                 t("schools.columns.years_in_a_row"): runs["years_in_a_row"]})
    return figure, by_year, streak_table


def what_if(changes: pd.DataFrame, flags: pd.DataFrame, new_flags: pd.DataFrame, category: str, language: str):
    """The table of schools that enter or leave the list under the what-if rules, with the
    reasons under the new rules (entered) or the current ones (left)."""
    t = lambda key: text(language, key)  # noqa: E731
    moved = changes[changes["change"] != "stayed"]
    new_reasons = reasons_by_school(new_flags, language, category)
    old_reasons = reasons_by_school(flags, language, category)
    return pd.DataFrame({
        t("schools.columns.change"): moved["change"].map(lambda s: t(f"identification.status.{s}")),
        t("schools.columns.school"): moved["short_name"],
        t("schools.columns.municipality"): moved["municipality"],
        t("schools.columns.reasons"): [new_reasons.get(s, "") if ch == "entered" else old_reasons.get(s, "")
                                       for s, ch in zip(moved["school_id"], moved["change"])],
    })


def what_if_counts(changes: pd.DataFrame) -> dict[str, int]:
    """Schools in the list before and after the change, and how many entered and left."""
    counts = changes["change"].value_counts()
    stayed, entered, left = (int(counts.get(k, 0)) for k in ("stayed", "entered", "left"))
    return {"before": stayed + left, "after": stayed + entered, "entered": entered, "left": left}


def method_values(params: dict, language: str) -> dict[str, str]:
    """The parameters the method text names, written for the page."""
    percent = lambda v: fmt.percent(v, language, 0)  # noqa: E731
    number = lambda v, d: fmt.number(v, language, d)  # noqa: E731
    return dict(min_participants=params["composite"]["min_participants"],
                bottom_share=percent(params["low_results"]["bottom_share"]),
                consecutive=params["low_results"]["consecutive_years"],
                social=number(params["social_risk"]["min_social_index"], 2),
                res_social=number(params["resilient"]["min_social_index"], 2),
                top_share=percent(params["resilient"]["top_share"]),
                residual=number(params["resilient"]["min_residual"], 1),
                confidence=percent(params["risk_zone"]["confidence"]),
                margin=number(params["risk_zone"]["margin"], 2),
                higher=percent(params["biased"]["max_higher_share"]),
                gap=number(params["biased"]["max_vpr_oge_gap"], 1),
                jump=number(params["biased"]["max_jump"], 1))
