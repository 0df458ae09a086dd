"""The roadmap's title and period from the document's heading paragraphs."""
from __future__ import annotations

import datetime as dt
import re

from analytics.roadmap_import.lexer import normalize
from analytics.roadmap_import.model import Period

_TITLE_WORDS = re.compile(r"дорожн[а-я]* карт|план[а-я]*-график|план мероприятий|комплекс мер|программ[а-я]* "
                          r"(?:поддержки|помощи|повышения)", re.IGNORECASE)
_ACADEMIC = re.compile(r"(20\d{2})\s*[/-]\s*(20\d{2})\s*(?:уч[а-я.]*\s*(?:год|гг)|учебн)")
# «на 2021/2022 – 2023/2024 учебные годы»: several school years.
_ACADEMIC_SPAN = re.compile(r"(20\d{2})\s*/\s*(20\d{2})\s*(?:уч[а-я.]*\s*(?:год[а-я]*|гг\.?)\s*)?(?:-|по|до)\s*"
                            r"(20\d{2})\s*/\s*(20\d{2})")
_RANGE = re.compile(r"(?:на период|на|в|период|срок)\s*(?:с\s*)?(20\d{2})\s*(?:г\.?|года)?\s*(?:-|по|до)\s*(20\d{2})"
                    r"\s*(?:уч[а-я.]*\s*)?(?:гг|годы|годах|год|г\b|г\.)")
_SINGLE = re.compile(r"(?:в|на)\s*(20\d{2})\s*(?:году|год(?![а-я])|г\.)")


def period_in(text: str) -> Period | None:
    s = normalize(text)
    match = _ACADEMIC_SPAN.search(s)
    if match and int(match.group(3)) >= int(match.group(1)):
        return Period(dt.date(int(match.group(1)), 9, 1), dt.date(int(match.group(4)), 8, 31))
    match = _ACADEMIC.search(s)
    if match and int(match.group(2)) == int(match.group(1)) + 1:
        return Period(dt.date(int(match.group(1)), 9, 1), dt.date(int(match.group(2)), 8, 31))
    match = _RANGE.search(s)
    if match and int(match.group(1)) <= int(match.group(2)):
        return Period(dt.date(int(match.group(1)), 1, 1), dt.date(int(match.group(2)), 12, 31))
    match = _SINGLE.search(s)
    if match:
        year = int(match.group(1))
        return Period(dt.date(year, 1, 1), dt.date(year, 12, 31))
    return None


def find_title(paragraphs: list[str]) -> str | None:
    """The last heading-like paragraph naming a roadmap before the table, with its lower-case continuations."""
    texts = [p.strip() for p in paragraphs if p.strip()]
    for index in range(len(texts) - 1, -1, -1):
        text = texts[index]
        if _TITLE_WORDS.search(text) and len(text) < 600:
            parts = [text]
            for following in texts[index + 1:]:
                if following[:1].islower():
                    parts.append(following)
                else:
                    break
            return re.sub(r"\s+", " ", " ".join(parts))
    return None


def find_period(title: str | None, paragraphs: list[str]) -> tuple[Period | None, str | None]:
    """The period and where it was written: ``title``, or ``preamble`` (a paragraph above the
    table: first those naming the roadmap, then the others from the table upwards)."""
    if title:
        found = period_in(title)
        if found:
            return found, "title"
    named = [p for p in paragraphs if _TITLE_WORDS.search(p)]
    others = [p for p in reversed(paragraphs) if not _TITLE_WORDS.search(p)]
    for text in named + others:
        found = period_in(text)
        if found:
            return found, "preamble"
    return None, None


def year_period(year: int) -> Period:
    return Period(dt.date(year, 1, 1), dt.date(year, 12, 31))
