"""Views of the attention ranking (analytics/attention.py): reasons in words, the school list
of «Обзор», the municipality list and the slide's rows. Pure: frames and labels in, texts out."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from analytics.attention import Rule
from presentation import fmt
from presentation.i18n import text


def _score(value: float, language: str) -> str:
    rounded = round(float(value))
    return text(language, "attention.score", score=fmt.number(rounded, language),
                word=fmt.plural(rounded, text(language, "attention.score_forms"), language))


def _units(due, language: str) -> str:
    # «из 31 единицы», «из 27 единиц»: the genitive after «из».
    return fmt.plural(int(due), text(language, "attention.reason.units_forms"), language)


def rule_sentence(rule: Rule, as_of: dt.date, next_date, next_target, language: str, short: bool = False) -> str:
    key = "attention.rule_short" if short else "attention.rule"
    return text(language, key, date=fmt.date(as_of, language), next=fmt.date(next_date, language),
                target=fmt.percent(next_target, language, 0), uncovered=fmt.number(rule.uncovered_high, language),
                threshold=fmt.number(rule.threshold, language))


def _uncovered_words(row, factor_names: dict, language: str) -> str:
    count = int(row.uncovered_high)
    names = [factor_names.get(f, f) for f in row.uncovered_factors]
    shown = "; ".join(f"«{n}»" for n in names[:2])
    if len(names) > 2:
        shown += " " + text(language, "attention.reason.uncovered_more", count=len(names) - 2)
    phrase = fmt.count(count, text(language, "attention.reason.uncovered_forms"), language)
    return text(language, "attention.reason.uncovered", count=phrase, names=shown)


def reasons(row, rule: Rule, factor_names: dict, year: int, as_of: dt.date, language: str,
            short: bool = False) -> list[str]:
    """The row's reasons in words, largest contribution first (at most ``rule.reasons_shown``)."""
    out = []
    for reason in row.reasons[: rule.reasons_shown]:
        if reason == "overdue":
            share = fmt.percent(row.overdue_share, language, 0)
            if short:
                out.append(text(language, "attention.short.overdue", share=share))
            elif row.due < rule.min_due_units:
                out.append(text(language, "attention.reason.overdue_small", overdue=int(row.overdue),
                                due=int(row.due), units=_units(row.due, language), minimum=rule.min_due_units))
            else:
                out.append(text(language, "attention.reason.overdue", overdue=int(row.overdue), due=int(row.due),
                                units=_units(row.due, language), share=share))
        elif reason == "gap":
            if not row.planned:
                out.append(text(language, "attention.short.no_plan" if short else "attention.reason.no_plan",
                                year=year))
            elif short:
                out.append(text(language, "attention.short.gap",
                                gap=fmt.points(row.expected_share - row.share_of_plan, language, 0).lstrip("+")))
            else:
                out.append(text(language, "attention.reason.gap", done=fmt.percent(row.share_of_plan, language, 0),
                                date=fmt.date(as_of, language), expected=fmt.percent(row.expected_share, language, 0),
                                next_date=fmt.date(row.next_date, language),
                                target=fmt.percent(row.next_target, language, 0)))
        elif reason == "uncovered":
            if hasattr(row, "uncovered_factors") and not short:
                out.append(_uncovered_words(row, factor_names, language))
            elif hasattr(row, "uncovered_per_school"):
                out.append(text(language, "attention.reason.uncovered_per_school",
                                count=fmt.number(row.uncovered_per_school, language, 1)))
            else:
                phrase = fmt.count(int(row.uncovered_high), text(language, "attention.reason.uncovered_forms"),
                                   language)
                out.append(text(language, "attention.short.uncovered", count=phrase))
    return out


def school_items(ranked: pd.DataFrame, rule: Rule, factor_names: dict, year: int, as_of: dt.date, language: str,
                 top: int) -> list[dict]:
    """The first ``top`` schools: rank, school_id, title line, score text, reasons in words."""
    return [{"rank": int(row.rank), "school_id": str(row.school_id), "name": str(row.short_name),
             "municipality": str(row.municipality), "score": _score(row.score, language),
             "needs": bool(row.needs_attention),
             "reasons": reasons(row, rule, factor_names, year, as_of, language)}
            for row in ranked.head(top).itertuples()]


def municipality_items(ranked: pd.DataFrame, rule: Rule, year: int, as_of: dt.date, language: str) -> list[dict]:
    return [{"rank": int(row.rank), "name": str(row.municipality), "score": _score(row.score, language),
             "needs": bool(row.needs_attention),
             "line": text(language, "attention.municipality_line", listed=int(row.listed),
                          needing=int(row.schools_needing_attention)),
             "reasons": reasons(row, rule, {}, year, as_of, language, short=True)}
            for row in ranked.itertuples()]


# Column widths (px) of the full ranking on «Обзор»: the reasons wrap in the widest column.
FULL_WIDTHS = {"rank": 36, "school": 120, "municipality": 128, "score": 54, "needs": 78, "reasons": 324}  # 740 px
FULL_WRAP = ["school", "municipality", "reasons"]
FULL_SHORT = ["needs"]        # a short header (the full one is its tooltip)
FULL_ROW_PX = 140             # seven lines of reasons (three reasons with a risk factor's name)


def full_table(ranked: pd.DataFrame, rule: Rule, factor_names: dict, year: int, as_of: dt.date, language: str):
    """(every listed school as shown, as downloaded)."""
    label = {c: text(language, f"attention.columns.{c}")
             for c in ("rank", "school", "municipality", "score", "needs", "reasons")}
    rows = [{label["rank"]: int(row.rank), label["school"]: str(row.short_name),
             label["municipality"]: str(row.municipality), label["score"]: fmt.number(float(row.score), language, 1),
             label["needs"]: text(language, "attention.yes") if row.needs_attention else text(language, "attention.no"),
             label["reasons"]: "; ".join(reasons(row, rule, factor_names, year, as_of, language))}
            for row in ranked.itertuples()]
    shown = pd.DataFrame(rows, columns=list(label.values()))
    download = ranked.drop(columns=["reasons", "uncovered_factors"]).assign(
        reasons=shown[label["reasons"]].values)
    return shown, download


def slide_rows(ranked: pd.DataFrame, rule: Rule, year: int, as_of: dt.date, language: str, top: int) -> list[dict]:
    return [{"rank": int(row.rank), "school_id": str(row.school_id), "name": str(row.short_name),
             "municipality": str(row.municipality), "score": fmt.number(round(float(row.score)), language),
             "needs": bool(row.needs_attention),
             "reasons": reasons(row, rule, {}, year, as_of, language, short=True)}
            for row in ranked.head(top).itertuples()]
