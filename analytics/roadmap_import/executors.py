"""An executors cell («РОО, ИМЦ», «Региональный координатор Муниципальные координаторы») → executors.

The kinds of organisations and their abbreviations are data (``analytics/reference/
executor_catalogue.csv``): a region adds its own without touching code. The catalogue says
which executors are recognised, which multi-word names must stay whole («Участники
Программы», «Руководители ОО») and the level an executor usually works at; a level-split
operator column («регион» / «район») overrides that level.
"""
from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from pathlib import Path

CATALOGUE_PATH = Path(__file__).resolve().parents[1] / "reference" / "executor_catalogue.csv"
LEVELS = ("region", "municipality", "school")

# Legal-form abbreviations that begin an organisation's name («ГБУ КО НОО «Центр развития»»).
_LEGAL_FORMS = {"ГБУ", "ГАУ", "ГКУ", "ГБОУ", "ГАОУ", "ГКОУ", "МБУ", "МАУ", "МКУ", "МБОУ", "МАОУ", "МКОУ", "ФГБУ",
                "ФГАОУ", "ФГБОУ", "АНО", "ООО", "ДПО", "НОО", "КО", "ЧОУ", "ОГБУ", "ОГАУ", "КГБУ", "КГАУ"}
# School-kind words written after a quoted name: «"Полесская" СШ».
_SCHOOL_KINDS = {"СШ", "СОШ", "ООШ", "НОШ", "ОШ", "НШ", "гимназия", "лицей", "школа", "Гимназия", "Лицей", "Школа"}
_GENITIVE = re.compile(r"(?:ск|цк|н)(?:ой|ого|их|ым)$|(?:ой|ого)$")
_PLACEHOLDER = re.compile(r"^[\s\-‐-―−_.xх×/]*$|^(?:нет|не требуется|не предусмотрено)$", re.IGNORECASE)
# What a result or an indicator says, never an executor («Приказ об утверждении», «100 % школ»).
_RESULT = re.compile(r"справк|приказ|отчет|отчёт|протокол|аналитическ|информаци|методическ[а-я]* рекомендац|"
                     r"план[а-я]* мероприят|программ[а-я]* развития|положени[ея]|%|не менее|не реже|не более|"
                     r"\d+ (?:чел|мероприят|публикац)", re.IGNORECASE)
_OPENING = "«\"“„"
_CLOSING = "»\"”“"


@dataclass(frozen=True)
class CatalogueEntry:
    key: str
    kind: str
    level: str | None
    pattern: re.Pattern


@dataclass(frozen=True)
class Executor:
    name: str
    level: str | None        # region | municipality | school | None (not known)
    kind: str | None         # catalogue key, None when the catalogue does not know the executor

    @property
    def known(self) -> bool:
        return self.kind is not None


@functools.cache
def catalogue(path: Path = CATALOGUE_PATH) -> tuple[CatalogueEntry, ...]:
    entries = []
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            level = row["level"].strip() or None
            if level is not None and level not in LEVELS:
                raise ValueError(f"{path.name}: неизвестный уровень «{level}» в строке {row['key']}")
            if row["abbreviation"].strip() == "1":
                pattern = re.compile(rf"(?<![А-ЯЁA-Zа-яё])(?:{row['pattern']})(?![А-ЯЁA-Zа-яё])")
            else:
                pattern = re.compile(rf"(?<![а-яё])(?:{row['pattern']})", re.IGNORECASE)
            entries.append(CatalogueEntry(row["key"], row["kind"], level, pattern))
    return tuple(entries)


def classify(name: str) -> CatalogueEntry | None:
    """The catalogue entry that recognises an executor: the one matching at the start, else anywhere."""
    text = name.replace("\xa0", " ")
    matches = [(m.start(), -(m.end() - m.start()), i, e) for i, e in enumerate(catalogue())
               if (m := e.pattern.search(text))]
    return min(matches)[3] if matches else None


def column_level(header: str) -> str | None:
    """The level named by an operator sub-column's header («регион», «район», «ОО»)."""
    text = header.lower()
    if re.search(r"регион|област|кра[йя]\b|субъект|республик", text):
        return "region"
    if re.search(r"район|муницип|город|округ|мо\b|моуо", text):
        return "municipality"
    if re.search(r"школ|\bоо\b|образовательн|учрежден", text):
        return "school"
    return None


def normalise_executors(text: str, level: str | None = None) -> tuple[list[Executor], list[str]]:
    """Executors of one cell and the texts in it that read as a result rather than an executor.

    ``level`` is the level of the column the cell came from (a «регион» / «район» sub-column).
    """
    executors, results = [], []
    for name in split_executors(text):
        entry = classify(name)
        if entry is None and _RESULT.search(name):
            results.append(name)
            continue
        executors.append(Executor(name, level or (entry.level if entry else None), entry.key if entry else None))
    return executors, results


def split_executors(text: str) -> list[str]:
    """Split on line breaks, commas and semicolons; each part then on known boundaries.

    Extracted text often loses the line breaks between executors («Руководители школ
    Муниципальные координаторы»), so a capitalised word after a lower-case word starts a
    new executor, unless it reads as part of a name («…образования Калининградской
    области») or the catalogue knows the words together («Участники Программы»); two
    abbreviations («МОУО КОИРО») are split too, except after a legal form («ГБУ КО …»);
    quoted names follow one another («"Ясная" СШ "Полесская" СШ»). Placeholders («-») are dropped.
    """
    parts = [p.strip(" .;,\t-–—•") for p in re.split(r"[\n;,]+", text or "")]
    names = []
    for part in parts:
        if not part or _PLACEHOLDER.match(part):
            continue
        names.extend(_split_on_boundaries(part))
    return list(dict.fromkeys(n for n in names if n and not _PLACEHOLDER.match(n)))


def _protect_phrases(text: str) -> str:
    """Join the words of catalogue names that span several words with no-break spaces."""
    for entry in catalogue():
        text = entry.pattern.sub(lambda m: m.group(0).replace(" ", "\xa0"), text)
    return text


def _split_on_boundaries(text: str) -> list[str]:
    words = [w for w in re.split(r"[ \t]+", _protect_phrases(re.sub(r"\s+", " ", text))) if w]
    groups: list[list[str]] = []
    depth = 0           # inside quotes nothing is split
    for word in words:
        if groups and depth == 0 and _starts_new(groups[-1], word):
            groups.append([word])
        elif groups:
            groups[-1].append(word)
        else:
            groups.append([word])
        depth = max(0, depth + _quote_balance(word))
    return [" ".join(g).replace("\xa0", " ") for g in groups]


def _quote_balance(word: str) -> int:
    balance = 0
    for index, ch in enumerate(word):
        if ch == '"':            # a straight quote opens at a word's start, closes elsewhere
            balance += 1 if index == 0 else -1
        elif ch in "«“„":
            balance += 1
        elif ch in "»”":
            balance -= 1
    return balance


def _is_abbreviation(word: str) -> bool:
    return sum(ch.isupper() for ch in word) >= 2


def _closes_name(group: list[str]) -> bool:
    last = group[-1]
    return last.endswith(tuple(_CLOSING)) or (last in _SCHOOL_KINDS and len(group) > 1
                                               and group[-2].endswith(tuple(_CLOSING)))


def _starts_new(group: list[str], word: str) -> bool:
    previous = group[-1]
    if previous.endswith(tuple(_CLOSING)) and word in _SCHOOL_KINDS:
        return False            # «"Полесская" СШ»: the kind closes the name
    if word[:1] in _OPENING:
        return _closes_name(group)    # a quoted name after a complete one
    if "\xa0" in word and not previous in _LEGAL_FORMS:
        return True             # a catalogue phrase is a name of its own
    if not word[:1].isupper() or previous in _LEGAL_FORMS:
        return False
    if _is_abbreviation(word):
        if _is_abbreviation(previous) or "\xa0" in previous:
            return True
        return previous[-1:].islower() or previous.endswith(tuple(_CLOSING))
    if _GENITIVE.search(word.lower()) and previous[-1:].islower():
        return False            # «…образования Калининградской области»
    return previous[-1:].islower() or previous.endswith(tuple(_CLOSING)) or _is_abbreviation(previous) \
        or "\xa0" in previous
