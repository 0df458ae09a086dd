"""The import kinds as data (spec.toml): columns, types, ranges, synonyms, value names."""
from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

SPEC_FILE = Path(__file__).resolve().parent / "spec.toml"

_QUOTES = re.compile(r"[«»\"'“”„`’]")
_PUNCT = re.compile(r"[^\w%<>=≥≤+\-]+|[_\-]+")


def normalise(text) -> str:
    """Header / value text as compared: lower case, ё→е, quotes gone, punctuation → space."""
    value = str(text).replace("\u00a0", " ").lower().replace("ё", "е")
    value = _QUOTES.sub("", value)
    return " ".join(_PUNCT.sub(" ", value).split())


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    type: str
    required: bool = False
    synonyms: tuple[str, ...] = ()
    patterns: tuple[re.Pattern, ...] = ()
    min: float | None = None
    max: float | None = None
    share_of: str | None = None
    group: str | None = None
    note: str = ""

    @property
    def title(self) -> str:
        """The header used in templates and reports."""
        return self.synonyms[0] if self.synonyms else self.name

    @property
    def stored(self) -> bool:
        return self.type not in ("personal", "ignore", "label") and self.share_of is None

    def matches(self, header_norm: str) -> bool:
        if header_norm in self._normalised:
            return True
        return any(p.search(header_norm) for p in self.patterns)

    @functools.cached_property
    def _normalised(self) -> frozenset[str]:
        return frozenset(normalise(s) for s in self.synonyms) | {self.name}


@dataclass(frozen=True)
class KindSpec:
    kind: str
    table: str
    columns: tuple[ColumnSpec, ...]
    keys: tuple[str, ...]
    slice: tuple[str, ...]
    defaults: tuple[str, ...] = ()
    example: dict = field(default_factory=dict)
    note: str = ""
    extra: dict = field(default_factory=dict)

    def column(self, name: str) -> ColumnSpec:
        return next(c for c in self.columns if c.name == name)

    @property
    def unit(self) -> tuple[str, ...]:
        """A file replaces, per unit it contains, that unit's stored rows (spec.toml ``unit``)."""
        return tuple(self.extra["unit"])

    @property
    def row_key(self) -> tuple[str, ...]:
        return tuple(self.extra["row_key"])

    @property
    def scope(self) -> tuple[str, ...]:
        """Columns that, with the school, widen a unit to a territory (empty: no «полный файл»)."""
        return tuple(self.extra.get("scope", ()))

    @property
    def school(self) -> str:
        return self.extra["school"]

    @property
    def keep_absent(self) -> bool:
        return bool(self.extra.get("keep_absent", False)) or bool(self.keep_absent_when_same)

    @property
    def keep_absent_when_same(self) -> tuple[str, ...]:
        return tuple(self.extra.get("keep_absent_when_same", ()))

    def match(self, header_norm: str) -> ColumnSpec | None:
        for column in self.columns:
            if column.matches(header_norm):
                return column
        return None


def _column(raw: dict) -> ColumnSpec:
    return ColumnSpec(
        name=raw["name"], type=raw["type"], required=bool(raw.get("required", False)),
        synonyms=tuple(raw.get("synonyms", ())),
        patterns=tuple(re.compile(p) for p in raw.get("patterns", ())),
        min=raw.get("min"), max=raw.get("max"), share_of=raw.get("share_of"), group=raw.get("group"),
        note=raw.get("note", ""),
    )


@functools.cache
def _raw() -> dict:
    return tomllib.loads(SPEC_FILE.read_text(encoding="utf-8"))


@functools.cache
def kinds() -> dict[str, KindSpec]:
    result = {}
    for kind, raw in _raw()["kinds"].items():
        known = {"table", "keys", "slice", "defaults", "example", "note", "columns"}
        result[kind] = KindSpec(
            kind=kind, table=raw["table"], columns=tuple(_column(c) for c in raw["columns"]),
            keys=tuple(raw.get("keys", ())), slice=tuple(raw["slice"]), defaults=tuple(raw.get("defaults", ())),
            example=raw.get("example", {}), note=raw.get("note", ""),
            extra={k: v for k, v in raw.items() if k not in known},
        )
    return result


KINDS = ("schools", "results", "student_results", "school_lists", "risk_profiles", "mentor_pairs",
         "kpi_targets", "teacher_development", "engagement_reviews")


def kind(name: str) -> KindSpec:
    try:
        return kinds()[name]
    except KeyError:
        raise ValueError(f"unknown import kind {name!r}; known: {', '.join(KINDS)}") from None


@functools.cache
def value_table(name: str) -> dict[str, str]:
    """Normalised written value → stored code, for an ``enum:<name>`` column."""
    table = _raw()["values"][name]
    mapping = {}
    for code, written in table.items():
        mapping[normalise(code)] = code
        for text in written:
            mapping[normalise(text)] = code
    return mapping


def value_examples(name: str) -> list[str]:
    """The first written form of each code (for "expected: …" messages)."""
    return [written[0] if written else code for code, written in _raw()["values"][name].items()]


def plausibility() -> dict[str, float]:
    return dict(_raw()["plausibility"])


def first_year() -> dict[str, int]:
    return dict(_raw()["first_year"])


def subject_synonyms() -> dict[str, list[str]]:
    return _raw().get("subjects", {})
