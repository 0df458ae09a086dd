"""Schools named in a roadmap's cells («СОШ № 4», «МБОУ "Ясная СОШ"», «"Полесская" СШ») → the registry.

A mention is compared with every school of the registry (``school_id``, ``municipality_id``,
``name``, ``short_name``) by its normalised kind, number and name words. A mention is linked
only when one school scores at least :data:`LINK_SCORE` and no other comes close; everything
else is shown to the person importing, never linked silently. Schools of the roadmap's
municipality are preferred: a school elsewhere needs a higher score.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

import pandas as pd

LINK_SCORE = 0.85          # a link needs at least this similarity …
MARGIN = 0.1               # … and this much more than the next candidate
OTHER_MUNICIPALITY = 0.8   # a school outside the roadmap's municipality scores this fraction

_KINDS = (   # written kind → normalised kind
    (r"средн[а-я]* (?:обще)?образовательн[а-я]* школ[а-я]*|сош|сш", "сош"),
    (r"основн[а-я]* (?:обще)?образовательн[а-я]* школ[а-я]*|оош", "оош"),
    (r"начальн[а-я]* (?:обще)?образовательн[а-я]* школ[а-я]*|нош", "нош"),
    (r"гимнази[а-я]*", "гимназия"), (r"лице[йя][а-я]*", "лицей"), (r"центр образовани[а-я]*|цо", "цо"),
    (r"школ[а-я]*|ош", "школа"),
)
_KIND_WORDS = "|".join(p for p, _ in _KINDS)
_LEGAL = r"(?:МБОУ|МАОУ|МКОУ|МОУ|ГБОУ|ГАОУ|ГКОУ|ЧОУ|НОУ|МБОУ|МОБУ|МАОУ)"
_Q_OPEN, _Q_CLOSE = "«\"“„", "»\"”“"
_QUOTED = rf"[{_Q_OPEN}][^{_Q_CLOSE}]{{2,80}}[{_Q_CLOSE}]"
_MENTION = re.compile(
    rf"{_LEGAL}\s*{_QUOTED}(?:\s*(?:г\.|с\.|п\.|пос\.)\s*[А-ЯЁ][а-яё-]+)?"               # МБОУ «…» г. Town
    rf"|{_QUOTED}\s*(?:СОШ|СШ|ООШ|НОШ|ОШ)(?![А-ЯЁа-яё])"                                # «Полесская» СШ
    rf"|(?:{_LEGAL}\s*)?(?:[А-ЯЁ][а-яё]+(?:ая|ий|ое)\s+)?(?:СОШ|СШ|ООШ|НОШ|ОШ|[Шш]кол(?:[аыуе]|ой)|[Гг]имнази[яи]|[Лл]ице[йя])"
    rf"\s*№\s*\d+(?:\s*\((?:г\.\s*)?[А-ЯЁ][а-яё-]+\))?"                                 # СОШ № 4 (Town)
    rf"|[А-ЯЁ][а-яё]+(?:ая|ий|ое)\s+(?:СОШ|ООШ|НОШ)(?![А-ЯЁа-яё])"                       # Ясная СОШ
)


@dataclass(frozen=True)
class SchoolMatch:
    text: str                  # the mention as written
    school_id: str | None      # the best candidate (None if there is none)
    school_name: str | None
    score: float               # 0..1
    linked: bool               # confident enough to link


def find_mentions(text: str) -> list[str]:
    """Mentions of schools in a cell, in order, without repeats."""
    found = [m.group(0).strip() for m in _MENTION.finditer(text or "")]
    return list(dict.fromkeys(found))


def _normalise(text: str) -> tuple[str | None, str | None, str]:
    """(kind, number, name words) of a school's name or a mention."""
    s = (text or "").lower().replace("ё", "е")
    s = re.sub(r"\b(?:мбоу|маоу|мкоу|моу|гбоу|гаоу|гкоу|чоу|ноу|мобу|муниципальн[а-я]*|бюджетн[а-я]*|"
               r"автономн[а-я]*|казенн[а-я]*|государственн[а-я]*|общеобразовательн[а-я]* учреждени[а-я]*|"
               r"учреждени[а-я]*)\b", " ", s)
    number = re.search(r"№\s*(\d+)", s)
    kind = None
    for pattern, name in _KINDS:
        if re.search(rf"(?<![а-я])(?:{pattern})(?![а-я])", s):
            kind = name
            s = re.sub(rf"(?<![а-я])(?:{pattern})(?![а-я])", " ", s)
            break
    s = re.sub(r"№\s*\d+|\b(?:г|с|п|пос)\.|[^а-я0-9 ]", " ", s)
    return kind, number.group(1) if number else None, re.sub(r"\s+", " ", s).strip()


def _similarity(mention: tuple, school: tuple) -> float:
    kind, number, words = mention
    s_kind, s_number, s_words = school
    if number is not None:
        if number != s_number:
            return 0.0
        score = 0.9 if kind == s_kind or kind in (None, "школа") or s_kind == "школа" else 0.6
        if words:     # «СОШ № 3 (Гаврилово)»: the place must agree
            score = score * 0.5 + 0.5 * difflib.SequenceMatcher(None, words, s_words).ratio() \
                if not s_words.startswith(words) and words not in s_words else min(1.0, score + 0.1)
        return score
    if not words:
        return 0.0
    ratio = difflib.SequenceMatcher(None, words, s_words).ratio()
    if s_number is not None:
        ratio *= 0.8         # a named mention against a numbered school
    if kind and s_kind and kind != s_kind:
        ratio *= 0.8
    return ratio


class SchoolRegistry:
    """The schools a roadmap may name, normalised once (``school_id``, ``municipality_id``, ``name``, ``short_name``)."""

    def __init__(self, schools: pd.DataFrame | None):
        frame = schools if schools is not None else pd.DataFrame(columns=["school_id", "municipality_id", "name",
                                                                          "short_name"])
        self.rows = [(str(r.school_id), r.municipality_id, r.name, r.short_name,
                      _normalise(r.name), _normalise(r.short_name)) for r in frame.itertuples(index=False)]
        self.exact = {}
        for row in self.rows:
            for key in (row[0], row[2].lower(), row[3].lower()):
                self.exact.setdefault(key, []).append(row)
        self.names = {row[0]: row[3] for row in self.rows}

    def __len__(self) -> int:
        return len(self.rows)

    def match(self, text: str, municipality_id: str | None = None) -> SchoolMatch:
        """The best school for one mention and whether it is safe to link."""
        exact = self.exact.get(text.strip().lower()) or self.exact.get(text.strip())
        if exact and len(exact) == 1:
            return SchoolMatch(text, exact[0][0], exact[0][3], 1.0, True)
        mention = _normalise(text)
        scores = []
        for school_id, municipality, _, short_name, full, short in self.rows:
            best = max(_similarity(mention, full), _similarity(mention, short))
            if municipality_id is not None and municipality != municipality_id:
                best *= OTHER_MUNICIPALITY
            scores.append((best, school_id, short_name))
        if not scores:
            return SchoolMatch(text, None, None, 0.0, False)
        scores.sort(key=lambda s: -s[0])
        best, school_id, name = scores[0]
        runner_up = scores[1][0] if len(scores) > 1 else 0.0
        if best <= 0:
            return SchoolMatch(text, None, None, 0.0, False)
        return SchoolMatch(text, school_id, name, round(best, 2), best >= LINK_SCORE and best - runner_up >= MARGIN)

    def match_cells(self, texts: list[str], municipality_id: str | None = None) -> list[SchoolMatch]:
        mentions = list(dict.fromkeys(m for t in texts for m in find_mentions(t)))
        return [self.match(m, municipality_id) for m in mentions]
