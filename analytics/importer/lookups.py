"""What the database already knows and a file may refer to: schools, municipalities,
subjects, risk factors, KPI codes (loaded once per prepared file)."""
from __future__ import annotations

import functools

import pandas as pd

from analytics.importer.spec import normalise, subject_synonyms, value_examples, value_table
from analytics.reference import DEFAULT_CATALOGUE, kpi_defaults
from analytics.store import Store

SCHOOL_IDS = "SELECT school_id FROM schools"
SCHOOL_COORDS = "SELECT school_id, lat, lon FROM schools"
MUNICIPALITIES = "SELECT municipality_id, name FROM municipalities"
REGIONS = "SELECT region_id, name FROM regions"
SUBJECTS = "SELECT subject_id, name_ru, name_en, ege_min_score FROM subjects"
FACTORS = "SELECT factor_id, name_ru, name_en FROM risk_factors WHERE catalogue_id = $catalogue"
DEFAULT_CATALOGUE_ID = "SELECT catalogue_id FROM risk_catalogues WHERE is_default ORDER BY catalogue_id LIMIT 1"
KPI_IDS = "SELECT DISTINCT target_id FROM kpi_targets"


def _memo(method):
    """Cache a no-argument method on the instance (not globally: a Lookups lives for one file)."""
    @functools.wraps(method)
    def wrapper(self):
        cache = self.__dict__.setdefault("_memo", {})
        if method.__name__ not in cache:
            cache[method.__name__] = method(self)
        return cache[method.__name__]
    return wrapper


def value_map(table: str) -> dict[str, str]:
    return value_table(table)


class Lookups:
    def __init__(self, store: Store):
        self.store = store

    @functools.cached_property
    def catalogue_id(self) -> str:
        return self.store.scalar(DEFAULT_CATALOGUE_ID) or DEFAULT_CATALOGUE

    @_memo
    def school_ids(self) -> frozenset[str]:
        return frozenset(s for (s,) in self.store.query_rows(SCHOOL_IDS))

    def school_coords(self) -> pd.DataFrame:
        return self.store.query_df(SCHOOL_COORDS).set_index("school_id")

    @_memo
    def _code_lengths(self) -> tuple[int, ...]:
        return tuple(sorted({len(s) for s in self.school_ids()}))

    def leading_zero_hint(self, code) -> str:
        """A known code this one becomes when its lost leading zeros are restored, or ""."""
        text = str(code)
        if not text.isdigit():
            return ""
        for length in self._code_lengths():
            padded = text.zfill(length)
            if padded != text and padded in self.school_ids():
                return padded
        return ""

    @_memo
    def municipality_map(self) -> dict[str, str]:
        mapping = {}
        for mid, name in self.store.query_rows(MUNICIPALITIES):
            mapping[normalise(name)] = mid
            mapping[normalise(mid)] = mid
        return mapping

    @_memo
    def scope_ids(self) -> frozenset[tuple[str, str]]:
        regions = {("region", r) for (r, _) in self.store.query_rows(REGIONS)}
        municipalities = {("municipality", m) for (m, _) in self.store.query_rows(MUNICIPALITIES)}
        return frozenset(regions | municipalities)

    @_memo
    def _subjects(self) -> pd.DataFrame:
        return self.store.query_df(SUBJECTS)

    @_memo
    def subject_map(self) -> dict[str, str]:
        mapping = {}
        for row in self._subjects().itertuples():
            for text in (row.subject_id, row.name_ru, row.name_en):
                mapping[normalise(text)] = row.subject_id
        for subject_id, names in subject_synonyms().items():
            for name in names:
                mapping[normalise(name)] = subject_id
        return mapping

    @_memo
    def min_scores(self) -> dict[str, int]:
        frame = self._subjects().dropna(subset=["ege_min_score"])
        return {s: int(m) for s, m in zip(frame["subject_id"], frame["ege_min_score"])}

    @_memo
    def factor_map(self) -> dict[str, str]:
        mapping = {}
        for factor_id, name_ru, name_en in self.store.query_rows(FACTORS, {"catalogue": self.catalogue_id}):
            for text in (factor_id, name_ru, name_en):
                mapping[normalise(text)] = factor_id
        return mapping

    @_memo
    def kpi_map(self) -> dict[str, str]:
        ids = set(kpi_defaults()["target_id"]) | {t for (t,) in self.store.query_rows(KPI_IDS)}
        mapping = {normalise(t): t for t in ids}
        mapping.update(value_table("kpi"))
        return mapping

    def allowed(self, expected: str, limit: int = 12) -> str:
        """The values a lookup column accepts, for the error message ("" for plain types)."""
        if not expected.startswith("one_of:"):
            return ""
        table = expected.split(":", 1)[1]
        if table == "subject":
            names = list(self._subjects()["name_ru"])
        elif table == "factor":
            names = [n for (_, n, _) in self.store.query_rows(FACTORS, {"catalogue": self.catalogue_id})]
        elif table == "municipality":
            names = [n for (_, n) in self.store.query_rows(MUNICIPALITIES)]
        elif table == "kpi":
            names = sorted(set(self.kpi_map().values()))
        else:
            names = value_examples(table)
        text = ", ".join(names[:limit])
        return text + (" …" if len(names) > limit else "")


def subject_names(store: Store, language: str = "ru") -> dict[str, str]:
    frame = store.query_df(SUBJECTS)
    return dict(zip(frame["subject_id"], frame["name_ru" if language == "ru" else "name_en"]))
