"""Deadline text → tokens: dates, months, years, quarters, half-years, dashes, «с», «до».

Words that are neither a token nor a known filler word are returned as leftovers, so the
parser can warn about what it did not understand instead of silently dropping it.
"""
from __future__ import annotations

import re
from typing import NamedTuple

# (full stem, short form) per month; "ма[йяюе]" has no short form (it is short already).
MONTH_STEMS = (
    ("январ", "янв"), ("феврал", "фев"), ("март", "мар"), ("апрел", "апр"), ("ма[йяюе]", None),
    ("июн", None), ("июл", None), ("август", "авг"), ("сентябр", "сент?"), ("октябр", "окт"),
    ("ноябр", "ноя"), ("декабр", "дек"),
)


def _month_alternative(full: str, short: str | None) -> str:
    return f"{full}[а-я]*" + (f"|{short}\\.?" if short else "")


_MONTH_RES = [re.compile("^(?:" + _month_alternative(f, s) + ")$") for f, s in MONTH_STEMS]
_MONTH_WORD = "|".join(_month_alternative(f, s) for f, s in MONTH_STEMS)
_NUMERAL = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}

FILLER = {
    "г", "гг", "год", "года", "годы", "годах", "году", "в", "во", "на", "не", "позднее", "позже", "срок",
    "сроки", "течение", "а", "также", "и", "уч", "учебного", "учебный", "учебном", "учебн", "период",
    "периода", "месяца", "числа", "конца", "конец", "раз", "реже", "менее", "по", "до", "с", "со", "от",
    "к", "за", "дата", "года", "гг", "течении",
}


class Token(NamedTuple):
    kind: str     # date | month | year | yearspan | academic | quarter | half | dash | from | until | sep
    value: tuple = ()


def normalize(text: str) -> str:
    s = (text or "").lower().replace("ё", "е").replace("\xa0", " ")
    s = re.sub(r"[\u2010-\u2015\u2212]", "-", s)
    s = re.sub(r"[«»\"“”()\[\]]", " ", s)
    return re.sub(r"\s+", " ", s).strip()


def month_number(word: str) -> int | None:
    for number, pattern in enumerate(_MONTH_RES, start=1):
        if pattern.match(word):
            return number
    return None


_TOKEN = re.compile(
    r"(?P<academic>(?<!\d)(?P<ay1>20\d{2})\s*(?:/\s*(?P<ay2>20\d{2})|-\s*(?P<ay3>20\d{2})\s*уч[а-я]*\.?)"
    r"(?:\s*(?:г\.|гг\.?|год[а-я]*))?)"
    r"|(?P<date>(?<![\d.])(?P<dd>\d{1,2})\.(?P<dm>\d{1,2})(?:\.(?P<dy>(?:19|20)?\d{2}))?(?!\d)\.?)"
    r"|(?P<daymonth>(?<!\d)(?P<md>\d{1,2})\s+(?P<mm>" + _MONTH_WORD + r")(?![а-я]))"
    r"|(?P<quarter>(?<![\w])(?P<q>iv|i{1,3}|[1-4])\s*-?(?:й|ый)?\s*кв(?:артал[а-я]*|\.)?(?![а-я]))"
    r"|(?P<half>(?<![\w])(?P<h>ii|i|[12]|перв[а-я]*|втор[а-я]*)\s*-?(?:е|ое)?\s*полугоди[а-я]*)"
    r"|(?P<month>(?<![а-я])(?:" + _MONTH_WORD + r")(?![а-я]))"
    r"|(?P<year>(?<![\d.])(?P<y>(?:19|20)\d{2})(?!\d)(?:\s*(?:гг?(?![а-я])\.?|год[а-я]*))?)"
    r"|(?P<dash>-|(?<![а-я])(?:по|до)(?![а-я]))"
    r"|(?P<from>(?<![а-я])(?:начиная с|с|со)(?![а-я]))"
    r"|(?P<until>(?<![а-я])не позднее(?![а-я]))"
    r"|(?P<sep>[,;]|(?<![а-я])и(?![а-я]))"
)


def _year(text: str | None) -> int | None:
    if not text:
        return None
    value = int(text)
    return value + 2000 if value < 100 else value


def _token(match: re.Match) -> Token | None:
    kind = match.lastgroup
    g = match.group
    if kind == "academic":
        first, second = int(g("ay1")), int(g("ay2") or g("ay3"))
        return Token("academic", (first,)) if second == first + 1 else Token("yearspan", (first, second))
    if kind == "date":
        day, month = int(g("dd")), int(g("dm"))
        return Token("date", (day, month, _year(g("dy")))) if 1 <= day <= 31 and 1 <= month <= 12 else None
    if kind == "daymonth":
        day, month = int(g("md")), month_number(g("mm"))
        return Token("date", (day, month, None)) if month and 1 <= day <= 31 else None
    if kind == "quarter":
        return Token("quarter", (_NUMERAL[g("q")],))
    if kind == "half":
        word = g("h")
        return Token("half", (1 if word in ("i", "1") or word.startswith("перв") else 2,))
    if kind == "month":
        number = month_number(g(0))
        return Token("month", (number,)) if number else None
    if kind == "year":
        return Token("year", (int(g("y")),))
    if kind == "dash":
        return Token("dash", (g(0),))
    return Token(kind)


def tokenize(text: str) -> tuple[list[Token], list[str]]:
    """Tokens of a normalised deadline text and the words nobody claimed."""
    tokens: list[Token] = []
    leftovers: list[str] = []
    position = 0
    for match in _TOKEN.finditer(text):
        leftovers.extend(_words(text[position:match.start()]))
        position = match.end()
        token = _token(match)
        if token is None:
            leftovers.append(match.group(0))
        else:
            tokens.append(token)
    leftovers.extend(_words(text[position:]))
    return tokens, leftovers


def _words(chunk: str) -> list[str]:
    return [w for w in (x.strip(".-/") for x in re.findall(r"[a-zа-я0-9][a-zа-я0-9.\-/]*", chunk))
            if w and w not in FILLER]
