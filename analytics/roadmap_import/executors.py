"""An executors cell («РОО, ИМЦ», «Региональный координатор Муниципальные координаторы») → a list."""
from __future__ import annotations

import re

# Legal-form abbreviations that begin an organisation's name («ГБУ КО НОО «Центр развития»»).
_LEGAL_FORMS = {"ГБУ", "ГАУ", "ГКУ", "ГБОУ", "ГАОУ", "ГКОУ", "МБУ", "МАУ", "МКУ", "МБОУ", "МАОУ", "МКОУ", "ФГБУ",
                "ФГАОУ", "ФГБОУ", "АНО", "ООО", "ДПО", "НОО", "КО", "ЧОУ", "ОГБУ", "ОГАУ", "КГБУ", "КГАУ"}
_GENITIVE = re.compile(r"(?:ск|цк|н)(?:ой|ого|их|ым)$|(?:ой|ого)$")


def split_executors(text: str) -> list[str]:
    """Split on line breaks, commas and semicolons; a cell without them on capital letters.

    Extracted text often loses the line breaks between executors («Руководители школ
    Муниципальные координаторы»), so a capitalised word after a lower-case word starts a
    new executor, unless it reads as part of a name («…образования Калининградской
    области»); two abbreviations («МОУО КОИРО») are split too, except after a legal form («ГБУ КО …»).
    """
    parts = [p.strip(" .;,\t") for p in re.split(r"[\n;,]+", text or "")]
    parts = [p for p in parts if p]
    if len(parts) > 1:
        return _unique(parts)
    if not parts:
        return []
    return _unique(_split_on_capitals(parts[0]))


def _split_on_capitals(text: str) -> list[str]:
    words = text.split()
    groups: list[list[str]] = []
    for word in words:
        if groups and _starts_new(groups[-1][-1], word):
            groups.append([word])
        elif groups:
            groups[-1].append(word)
        else:
            groups.append([word])
    return [" ".join(g) for g in groups]


def _is_abbreviation(word: str) -> bool:
    return sum(ch.isupper() for ch in word) >= 2


def _starts_new(previous: str, word: str) -> bool:
    if not word[:1].isupper() or previous in _LEGAL_FORMS:
        return False
    if _is_abbreviation(word):
        if _is_abbreviation(previous):
            return True
        return previous[-1:].islower() or previous.endswith(("»", '"'))
    if _GENITIVE.search(word.lower()) and previous[-1:].islower():
        return False            # «…образования Калининградской области»
    return previous[-1:].islower() or previous.endswith(("»", '"')) or _is_abbreviation(previous)


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
