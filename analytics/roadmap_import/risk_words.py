"""Which risk factors a measure's wording addresses («…повышение мотивации обучающихся» → low_motivation).

Keywords per factor of the default catalogue are data (``analytics/reference/risk_factor_keywords.csv``).
They let an imported measure that names schools count for those schools' risks; the review
shows them so a person can see why.
"""
from __future__ import annotations

import csv
import functools
import re
from pathlib import Path

KEYWORDS_PATH = Path(__file__).resolve().parents[1] / "reference" / "risk_factor_keywords.csv"


@functools.cache
def keywords(path: Path = KEYWORDS_PATH) -> tuple[tuple[str, re.Pattern], ...]:
    with path.open(encoding="utf-8") as handle:
        return tuple((row["factor_id"], re.compile(row["pattern"], re.IGNORECASE)) for row in csv.DictReader(handle))


def risk_factors(*texts: str) -> list[str]:
    text = " ".join(t for t in texts if t).replace("ё", "е")
    return [factor for factor, pattern in keywords() if pattern.search(text)]


@functools.cache
def factor_names(path: Path = KEYWORDS_PATH.parent / "risk_factors_500plus.csv") -> dict[str, str]:
    with path.open(encoding="utf-8") as handle:
        return {row["factor_id"]: row["name_ru"] for row in csv.DictReader(handle)}
