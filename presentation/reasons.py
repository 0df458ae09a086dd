"""Turning identification flags (reason_key + reason_params) into text in the user's language."""
from __future__ import annotations

from typing import Callable

import pandas as pd

from presentation import fmt
from presentation.i18n import text
from presentation.safe import md

INTEGER_KEYS = {"year", "rank", "ranked", "count", "n", "first", "last"}
PERCENT_KEYS = {"share", "confidence", "probability"}


def _value(key: str, value, reason_key: str, language: str) -> str:
    if key in INTEGER_KEYS:
        return str(int(value))
    if key in PERCENT_KEYS or (reason_key == "biased_higher" and key == "threshold"):
        return fmt.percent(value, language, 0 if key != "share" or reason_key != "biased_higher" else 1)
    return fmt.number(value, language, 2)


def reason_text(reason_key: str, params: dict, language: str = "ru") -> str:
    values = {k: _value(k, v, reason_key, language) for k, v in params.items()}
    sentence = text(language, f"identification.reason.{reason_key}", **values)
    if "probability" in params:
        # The noise of the school's own counts: how sure the list can be about this school.
        sentence += text(language, f"identification.reason.{reason_key}_probability", **values)
    return sentence


def reasons_by_school(flags: pd.DataFrame, language: str = "ru", category: str | None = None) -> pd.Series:
    """school_id -> all reasons joined with '; ' (in the flags' order)."""
    if category is not None:
        flags = flags[flags["category"] == category]
    if flags.empty:
        return pd.Series(dtype=str)
    texts = [reason_text(k, p, language) for k, p in zip(flags["reason_key"], flags["reason_params"])]
    return pd.Series(texts, index=flags["school_id"].to_numpy()).groupby(level=0, sort=False).agg("; ".join)


def reasons_markdown(flags: pd.DataFrame, category_name: Callable[[str], str], language: str = "ru") -> str:
    """One school's flags as a Markdown list: category, then its reasons (text escaped)."""
    blocks = []
    for category, group in flags.groupby("category", sort=False):
        items = "\n".join(f"  - {md(reason_text(k, p, language))}"
                          for k, p in zip(group["reason_key"], group["reason_params"]))
        blocks.append(f"- **{category_name(category)}**\n{items}")
    return "\n".join(blocks)
