"""Risk profiles: catalogues of factors, questionnaire results, profiles and their dynamics.

A *catalogue* is a list of risk factors (data, not code): the federal «500+» ten factors
by default, or a regional grouping loaded from a CSV file (see :func:`read_catalogue`).
A *profile* is one level (high / medium / low, scored 3 / 2 / 1 in ``risk_levels``) per
factor, per school and year. Pure functions ``f(store, ...) -> DataFrame``; no Streamlit.
"""
from __future__ import annotations

import io
import math
import re
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from analytics import access
from analytics.reference import DEFAULT_CATALOGUE, REFERENCE_DIR
from analytics.query import Query
from analytics.scope import GEO_CONDITION
from analytics.store import Store, insert_df
from analytics.reads import reads

LEVELS = ("high", "medium", "low")
LEVEL_SCORES = {"high": 3, "medium": 2, "low": 1}
# What people type into a questionnaire export for a level.
LEVEL_ALIASES = {
    "high": "high", "высокий": "high", "в": "high", "3": "high",
    "medium": "medium", "средний": "medium", "с": "medium", "2": "medium",
    "low": "low", "низкий": "low", "н": "low", "1": "low",
}
# Item answers, normalised to 0 (no risk) .. 1 (full risk), averaged per factor, cut here.
HIGH_CUT = 2 / 3
MEDIUM_CUT = 1 / 3
REGIONAL_EXAMPLE = REFERENCE_DIR / "risk_catalogue_regional_example.csv"
_FACTOR_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


# -- catalogues ------------------------------------------------------------------------
class Parsed(NamedTuple):
    """A parsed input: the clean rows, and the problems found (empty when it may be saved)."""
    frame: pd.DataFrame
    errors: list[str]


CATALOGUES = """
SELECT c.catalogue_id, c.name, c.is_default,
       (SELECT count(*) FROM risk_factors f WHERE f.catalogue_id = c.catalogue_id)              AS factors,
       (SELECT count(DISTINCT school_id) FROM risk_profiles p WHERE p.catalogue_id = c.catalogue_id) AS schools
FROM risk_catalogues c
ORDER BY c.is_default DESC, c.name
"""

FACTORS = """
SELECT factor_id, position, group_name, name_ru, name_en
FROM risk_factors WHERE catalogue_id = $catalogue_id
ORDER BY position, factor_id
"""


@reads("risk_catalogues", "risk_factors", "risk_profiles")
def catalogues(store: Store) -> pd.DataFrame:
    return store.query_df(CATALOGUES)


@reads("risk_catalogues")
def default_catalogue(store: Store) -> str:
    value = store.scalar("SELECT catalogue_id FROM risk_catalogues WHERE is_default ORDER BY catalogue_id LIMIT 1")
    return value or DEFAULT_CATALOGUE


def factors(store: Store, catalogue_id: str) -> pd.DataFrame:
    return store.query_df(FACTORS, {"catalogue_id": catalogue_id})


def read_catalogue(source: str | Path | io.IOBase | pd.DataFrame) -> Parsed:
    """Read and check a catalogue CSV (``factor_id,position,group_name,name_ru,name_en``).

    ``factor_id`` (latin, lower case, digits, ``_``) and ``name_ru`` are required;
    ``position`` defaults to the row order, ``group_name`` may be empty (a flat list),
    ``name_en`` defaults to ``name_ru``.
    """
    if isinstance(source, pd.DataFrame):
        raw = source.copy()
    else:
        try:
            raw = pd.read_csv(source, dtype=str, keep_default_na=False, encoding="utf-8-sig",
                              sep=None, engine="python")
        except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as error:
            return Parsed(pd.DataFrame(), [f"не удалось прочитать файл: {error}"])
    raw.columns = [str(c).strip().lower() for c in raw.columns]
    missing = [c for c in ("factor_id", "name_ru") if c not in raw.columns]
    if missing:
        return Parsed(pd.DataFrame(), [f"нет обязательных столбцов: {', '.join(missing)}"])
    frame = pd.DataFrame({
        "factor_id": raw["factor_id"].astype(str).str.strip(),
        "position": raw["position"] if "position" in raw.columns else pd.Series(range(1, len(raw) + 1)),
        "group_name": raw["group_name"].astype(str).str.strip() if "group_name" in raw.columns else "",
        "name_ru": raw["name_ru"].astype(str).str.strip(),
        "name_en": raw["name_en"].astype(str).str.strip() if "name_en" in raw.columns else "",
    })
    errors = []
    for number, row in enumerate(frame.itertuples(index=False), start=2):  # row 1 is the header
        if not _FACTOR_ID.match(row.factor_id):
            errors.append(f"строка {number}: код фактора «{row.factor_id}» — латиница, цифры и «_», с буквы")
        if not row.name_ru:
            errors.append(f"строка {number}: нет названия фактора")
    duplicated = sorted(set(frame.loc[frame["factor_id"].duplicated(), "factor_id"]))
    if duplicated:
        errors.append(f"повторяются коды факторов: {', '.join(duplicated)}")
    position = pd.to_numeric(frame["position"], errors="coerce")
    if position.isna().any():
        errors.append("позиция должна быть целым числом")
    if frame.empty:
        errors.append("в файле нет факторов")
    if errors:
        return Parsed(frame, errors)
    frame["position"] = position.astype("int16")
    frame["name_en"] = frame["name_en"].where(frame["name_en"] != "", frame["name_ru"])
    frame["group_name"] = frame["group_name"].where(frame["group_name"] != "", None).astype("string")
    return Parsed(frame.sort_values(["position", "factor_id"]).reset_index(drop=True), [])


def load_catalogue(store: Store, catalogue_id: str, name: str, frame: pd.DataFrame,
                   make_default: bool = False) -> int:
    """Store a checked catalogue (replacing one with the same id); returns the factor count."""
    access.require(None, "import_data", what="risk catalogue")
    if not _FACTOR_ID.match(catalogue_id):
        raise ValueError(f"bad catalogue id {catalogue_id!r}")
    with store.transaction() as cur:
        if make_default:
            cur.execute("UPDATE risk_catalogues SET is_default = FALSE")
        cur.execute("DELETE FROM risk_factors WHERE catalogue_id = ?", [catalogue_id])
        cur.execute("DELETE FROM risk_catalogues WHERE catalogue_id = ?", [catalogue_id])
        cur.execute("INSERT INTO risk_catalogues VALUES (?, ?, ?)", [catalogue_id, name, make_default])
        rows = frame[["factor_id", "position", "group_name", "name_ru", "name_en"]].copy()
        rows.insert(0, "catalogue_id", catalogue_id)
        count = insert_df(cur, "risk_factors", rows)
        store.bump_data_version(cur, tables=["risk_catalogues", "risk_factors"])
    return count


# -- questionnaires --------------------------------------------------------------------
def _level(value) -> str | None:
    text = str(value).strip().lower().replace("ё", "е")
    if text.endswith(".0"):
        text = text[:-2]
    return LEVEL_ALIASES.get(text)


def _check_keys(raw: pd.DataFrame, errors: list[str]) -> pd.DataFrame:
    frame = raw.copy()
    frame["school_id"] = frame["school_id"].astype(str).str.strip()
    year = pd.to_numeric(frame["year"], errors="coerce")
    for number in (frame.index[year.isna() | (year % 1 != 0)] + 2):
        errors.append(f"строка {number}: год не число")
    for number in (frame.index[frame["school_id"].isin(["", "nan", "None"])] + 2):
        errors.append(f"строка {number}: нет кода школы")
    frame["year"] = year
    return frame


def parse_questionnaire(raw: pd.DataFrame, factor_ids: list[str], mapping: pd.DataFrame | None = None,
                        high_cut: float = HIGH_CUT, medium_cut: float = MEDIUM_CUT) -> Parsed:
    """Questionnaire results -> profile rows ``school_id, year, factor_id, level``.

    Two input forms (column names, in any order; school codes are text):

    * levels: ``school_id, year, factor_id, level`` — level as ``high/medium/low``,
      ``высокий/средний/низкий`` or the score ``3/2/1``;
    * item answers: ``school_id, year, item_id, score`` plus ``mapping`` with
      ``item_id, factor_id, min_score, max_score[, reverse]``. Each answer is scaled to
      0 (no risk) … 1 (full risk) — reversed when ``reverse`` is 1, for items where a high
      answer means *less* risk — then averaged per school × year × factor; the mean is
      «высокий» at ``high_cut`` (2/3) or above, «средний» at ``medium_cut`` (1/3) or
      above, otherwise «низкий».

    Nothing is saved here; the caller shows the errors or passes the frame to
    :func:`save_profiles`.
    """
    errors: list[str] = []
    columns = {str(c).strip().lower(): c for c in raw.columns}
    raw = raw.rename(columns={v: k for k, v in columns.items()}).reset_index(drop=True)
    known = set(factor_ids)
    if {"school_id", "year", "factor_id", "level"} <= set(raw.columns):
        frame = _check_keys(raw, errors)
        frame["factor_id"] = frame["factor_id"].astype(str).str.strip()
        frame["level"] = frame["level"].map(_level)
        for number, row in zip(frame.index + 2, frame.itertuples(index=False)):
            if row.factor_id not in known:
                errors.append(f"строка {number}: фактор «{row.factor_id}» не из каталога")
            if pd.isna(row.level):
                errors.append(f"строка {number}: уровень не распознан (высокий / средний / низкий)")
    elif {"school_id", "year", "item_id", "score"} <= set(raw.columns):
        if mapping is None:
            return Parsed(pd.DataFrame(), ["для ответов на вопросы нужна таблица соответствия вопрос → фактор"])
        frame = _items_to_levels(_check_keys(raw, errors), mapping, known, high_cut, medium_cut, errors)
    else:
        return Parsed(pd.DataFrame(), ["нужны столбцы school_id, year, factor_id, level "
                                       "или school_id, year, item_id, score"])
    if errors:
        return Parsed(pd.DataFrame(), errors)
    frame = frame[["school_id", "year", "factor_id", "level"]].copy()
    frame["year"] = frame["year"].astype("int16")
    duplicated = frame.duplicated(["school_id", "year", "factor_id"])
    if duplicated.any():
        first = frame[duplicated].iloc[0]
        return Parsed(pd.DataFrame(), [f"фактор «{first['factor_id']}» школы {first['school_id']} "
                                       f"за {first['year']} год указан несколько раз"])
    return Parsed(frame.sort_values(["school_id", "year", "factor_id"]).reset_index(drop=True), [])


def _items_to_levels(frame, mapping, known, high_cut, medium_cut, errors) -> pd.DataFrame:
    mapping = mapping.rename(columns=str.lower).copy()
    mapping["item_id"] = mapping["item_id"].astype(str).str.strip()
    unknown_factors = sorted(set(mapping["factor_id"]) - known)
    if unknown_factors:
        errors.append(f"в таблице соответствия факторы не из каталога: {', '.join(unknown_factors)}")
    if "reverse" not in mapping.columns:
        mapping["reverse"] = 0
    frame["item_id"] = frame["item_id"].astype(str).str.strip()
    frame["score"] = pd.to_numeric(frame["score"], errors="coerce")
    merged = frame.merge(mapping, on="item_id", how="left", validate="many_to_one")
    for number, row in zip(merged.index + 2, merged.itertuples(index=False)):
        if pd.isna(row.factor_id):
            errors.append(f"строка {number}: вопрос «{row.item_id}» не найден в таблице соответствия")
        elif pd.isna(row.score) or not (row.min_score <= row.score <= row.max_score):
            errors.append(f"строка {number}: ответ вне шкалы {row.min_score:g}–{row.max_score:g}")
    if errors:
        return merged
    span = (merged["max_score"] - merged["min_score"]).astype(float)
    risk = (merged["score"] - merged["min_score"]) / span.where(span > 0)
    merged["risk"] = np.where(merged["reverse"].astype(int) == 1, 1 - risk, risk)
    means = merged.groupby(["school_id", "year", "factor_id"], as_index=False)["risk"].mean()
    means["level"] = np.where(means["risk"] >= high_cut - 1e-9, "high",
                              np.where(means["risk"] >= medium_cut - 1e-9, "medium", "low"))
    return means


def save_profiles(store: Store, catalogue_id: str, profiles: pd.DataFrame) -> int:
    """Replace the profiles of the school × year pairs in ``profiles`` (checked rows)."""
    access.require(None, "import_data", what="risk profiles")
    rows = profiles[["school_id", "year", "factor_id", "level"]].copy()
    rows.insert(2, "catalogue_id", catalogue_id)
    keys = rows[["school_id", "year"]].drop_duplicates()
    with store.transaction() as cur:
        cur.register("_profile_keys", keys)
        try:
            cur.execute("DELETE FROM risk_profiles WHERE catalogue_id = ? AND EXISTS (SELECT 1 FROM _profile_keys k"
                        " WHERE k.school_id = risk_profiles.school_id AND k.year = risk_profiles.year)",
                        [catalogue_id])
        finally:
            cur.unregister("_profile_keys")
        count = insert_df(cur, "risk_profiles", rows)
        store.bump_data_version(cur, tables=["risk_profiles"])
    return count


# -- profiles in a scope -----------------------------------------------------------------
PROFILE_YEAR = """
SELECT max(year) FROM risk_profiles WHERE catalogue_id = $catalogue_id AND year <= $year
"""

# One row per school x factor of the catalogue, for schools with a profile in the year.
PROFILES_IN_SCOPE = f"""
SELECT p.school_id, s.short_name, s.municipality_id, m.name AS municipality,
       p.factor_id, f.position, p.level, l.score
FROM risk_profiles p
JOIN schools s USING (school_id)
JOIN municipalities m USING (municipality_id)
JOIN risk_factors f ON f.catalogue_id = p.catalogue_id AND f.factor_id = p.factor_id
JOIN risk_levels l ON l.level = p.level
WHERE p.year = $year AND p.catalogue_id = $catalogue_id AND {GEO_CONDITION}
  AND ($category IS NULL OR p.school_id IN
       (SELECT school_id FROM school_lists WHERE year = $year AND category = $category))
"""

SCHOOL_PROFILE = """
SELECT f.factor_id, f.position, f.group_name, f.name_ru, f.name_en,
       cur.level AS level, lc.score AS score, prev.level AS previous_level, lp.score AS previous_score
FROM risk_factors f
LEFT JOIN risk_profiles cur ON cur.catalogue_id = f.catalogue_id AND cur.factor_id = f.factor_id
     AND cur.school_id = $school_id AND cur.year = $year
LEFT JOIN risk_profiles prev ON prev.catalogue_id = f.catalogue_id AND prev.factor_id = f.factor_id
     AND prev.school_id = $school_id AND prev.year = $year - 1
LEFT JOIN risk_levels lc ON lc.level = cur.level
LEFT JOIN risk_levels lp ON lp.level = prev.level
WHERE f.catalogue_id = $catalogue_id
ORDER BY f.position, f.factor_id
"""

CHANGES_IN_SCOPE = f"""
WITH cur AS ({PROFILES_IN_SCOPE})
SELECT cur.school_id, cur.short_name, cur.municipality, cur.factor_id, cur.position,
       cur.level, cur.score, prev.level AS previous_level, lp.score AS previous_score
FROM cur
LEFT JOIN risk_profiles prev ON prev.school_id = cur.school_id AND prev.factor_id = cur.factor_id
     AND prev.catalogue_id = $catalogue_id AND prev.year = $year - 1
LEFT JOIN risk_levels lp ON lp.level = prev.level
"""


def _scope_params(region_id, municipality_id, year, catalogue_id, category=None) -> dict:
    return {"region_id": region_id, "municipality_id": municipality_id, "year": year,
            "catalogue_id": catalogue_id, "category": category}


@reads("risk_profiles")
def profile_year(store: Store, catalogue_id: str, year: int) -> int | None:
    """The newest year ≤ ``year`` with profiles (questionnaires may lag the results)."""
    value = store.scalar(PROFILE_YEAR, {"catalogue_id": catalogue_id, "year": year})
    return int(value) if value is not None else None


def _change(score, previous) -> str:
    if pd.isna(score) or pd.isna(previous):
        return "no_data"
    return "improved" if score < previous else ("worsened" if score > previous else "unchanged")


@reads("risk_factors", "risk_levels", "risk_profiles")
def school_profile(store: Store, school_id: str, year: int, catalogue_id: str) -> pd.DataFrame:
    """Every factor of the catalogue with the school's level this year and the year before,
    and the change: improved (lower level), worsened (higher), unchanged, no_data."""
    frame = store.query_df(SCHOOL_PROFILE, {"school_id": school_id, "year": year, "catalogue_id": catalogue_id})
    frame["change"] = [_change(s, p) for s, p in zip(frame["score"], frame["previous_score"])]
    return frame


def profiles(store: Store, region_id: str, municipality_id: str | None, year: int, catalogue_id: str,
             category: str | None = None) -> pd.DataFrame:
    """Long table: school × factor with level and score, for schools with a profile."""
    return store.query_df(PROFILES_IN_SCOPE + " ORDER BY s.short_name, f.position",
                          _scope_params(region_id, municipality_id, year, catalogue_id, category))


def changes(store: Store, region_id: str, municipality_id: str | None, year: int, catalogue_id: str,
            category: str | None = None) -> pd.DataFrame:
    """School × factor with this year's and last year's level and the change."""
    frame = store.query_df(CHANGES_IN_SCOPE + " ORDER BY cur.short_name, cur.position",
                           _scope_params(region_id, municipality_id, year, catalogue_id, category))
    frame["change"] = [_change(s, p) for s, p in zip(frame["score"], frame["previous_score"])]
    return frame


@reads("municipalities", "risk_factors", "risk_levels", "risk_profiles", "school_lists", "schools")
def change_counts(store: Store, region_id: str, municipality_id: str | None, year: int, catalogue_id: str,
                  category: str | None = None) -> pd.DataFrame:
    """Per factor: schools whose level improved / worsened / stayed, and with no previous profile."""
    frame = changes(store, region_id, municipality_id, year, catalogue_id, category)
    table = _per_factor(store, catalogue_id, frame, "change", ("improved", "unchanged", "worsened", "no_data"))
    return table


# Per factor of the catalogue (its order): schools at each level, in total, and the share at
# «высокий» — counted and laid out in one statement (what _per_factor does in pandas). The
# profiles are those of PROFILES_IN_SCOPE; its joins (school, municipality, factor, level: each
# matches at most one row) are written as semi-joins, the catalogue's factors joined last.
LEVEL_COUNTS = f"""
WITH counted AS (
    SELECT p.factor_id,
           count(*) FILTER (WHERE p.level = 'high')   AS high,
           count(*) FILTER (WHERE p.level = 'medium') AS medium,
           count(*) FILTER (WHERE p.level = 'low')    AS low
    FROM risk_profiles p
    WHERE p.year = $year AND p.catalogue_id = $catalogue_id
      AND p.level IN (SELECT level FROM risk_levels)
      AND p.school_id IN (SELECT s.school_id FROM schools s JOIN municipalities m USING (municipality_id)
                          WHERE {GEO_CONDITION})
      AND ($category IS NULL OR p.school_id IN
           (SELECT school_id FROM school_lists WHERE year = $year AND category = $category))
    GROUP BY p.factor_id
),
per_factor AS (
    SELECT f.factor_id, f.position, f.group_name, f.name_ru, f.name_en,
           coalesce(c.high, 0) AS high, coalesce(c.medium, 0) AS medium, coalesce(c.low, 0) AS low
    FROM risk_factors f LEFT JOIN counted c USING (factor_id)
    WHERE f.catalogue_id = $catalogue_id
)
SELECT *, high + medium + low AS schools,
       CASE WHEN high + medium + low > 0 THEN high / (high + medium + low) END AS high_share
FROM per_factor
ORDER BY position, factor_id
"""


def _per_factor(store, catalogue_id, frame, column, values) -> pd.DataFrame:
    """Per factor of the catalogue, schools per value of ``column`` (from the long ``frame``)."""
    catalogue = factors(store, catalogue_id)
    counts = (frame.groupby(["factor_id", column]).size().unstack(fill_value=0)
              if not frame.empty else pd.DataFrame(index=pd.Index([], name="factor_id")))
    counts = counts.reindex(columns=list(values), fill_value=0)
    table = catalogue.merge(counts, left_on="factor_id", right_index=True, how="left")
    table[list(values)] = table[list(values)].fillna(0).astype(int)
    table["schools"] = table[list(values)].sum(axis=1)
    return table.reset_index(drop=True)


@reads("municipalities", "risk_factors", "risk_levels", "risk_profiles", "school_lists", "schools")
def level_counts(store: Store, region_id: str, municipality_id: str | None, year: int, catalogue_id: str,
                 category: str | None = None) -> pd.DataFrame:
    """Per factor of the catalogue: schools at each level (high, medium, low) and in total.
    Counted in DuckDB; ``region_id=None`` is every region."""
    return store.query_frame(LEVEL_COUNTS, _scope_params(region_id, municipality_id, year, catalogue_id, category))


@reads("municipalities", "risk_factors", "risk_levels", "risk_profiles", "school_lists", "schools")
def top_high_risks(store: Store, region_id: str, municipality_id: str | None, year: int, catalogue_id: str,
                   category: str | None = None, limit: int = 3) -> pd.DataFrame:
    """The factors most often at «высокий» (ties: catalogue order); factors with none are left out."""
    table = level_counts(store, region_id, municipality_id, year, catalogue_id, category)
    table = table[table["high"] > 0].sort_values(["high", "position"], ascending=[False, True])
    return table.head(limit).reset_index(drop=True)


@reads("municipalities", "risk_factors", "risk_levels", "risk_profiles", "school_lists", "schools")
def profile_matrix(store: Store, region_id: str, municipality_id: str | None, year: int, catalogue_id: str,
                   category: str | None = None) -> pd.DataFrame:
    """Wide table: one row per school (index school_id, columns short_name, municipality and
    one score column per factor), rows ordered so that similar profiles stand together."""
    frame = profiles(store, region_id, municipality_id, year, catalogue_id, category)
    factor_ids = factors(store, catalogue_id)["factor_id"].tolist()
    if frame.empty:
        return pd.DataFrame(columns=["short_name", "municipality", *factor_ids])
    wide = frame.pivot_table(index="school_id", columns="factor_id", values="score", aggfunc="first")
    wide = wide.reindex(columns=factor_ids)
    names = frame.drop_duplicates("school_id").set_index("school_id")[["short_name", "municipality"]]
    wide = names.join(wide)
    return wide.iloc[cluster_order(wide[factor_ids])]


def cluster_order(scores: pd.DataFrame) -> list[int]:
    """Row positions in hierarchical-clustering leaf order (average linkage, city-block
    distance on level scores, optimal leaf ordering), so similar profiles are neighbours.
    A factor a school did not report counts as that factor's mean."""
    if len(scores) < 3:
        return list(range(len(scores)))
    from scipy.cluster.hierarchy import leaves_list, linkage

    values = scores.astype(float)
    values = values.fillna(values.mean()).fillna(0).to_numpy()
    tree = linkage(values, method="average", metric="cityblock", optimal_ordering=True)
    order = [int(i) for i in leaves_list(tree)]
    # Put the cluster with the heavier profiles on top: easier to read from the top.
    half = len(order) // 2
    if values[order[:half]].sum(axis=1).mean() < values[order[half:]].sum(axis=1).mean():
        order.reverse()
    return order


# -- association with results ----------------------------------------------------------------
COMPOSITE = f"""
SELECT r.school_id, sum(r.n2) AS n2, sum(r.participants) AS participants
FROM results r
JOIN schools s USING (school_id)
JOIN municipalities m USING (municipality_id)
WHERE r.year = $year AND r.procedure = 'VPR' AND r.subject_id IN ('rus', 'math') AND {GEO_CONDITION}
GROUP BY r.school_id
"""


def composite_results(store: Store, region_id: str, municipality_id: str | None, year: int,
                      min_participants: int = 10) -> pd.DataFrame:
    """Per school: share of «2» in ВПР русский язык + математика (all grades) in the year;
    schools with fewer than ``min_participants`` participants are left out."""
    frame = store.query_df(COMPOSITE, {"region_id": region_id, "municipality_id": municipality_id, "year": year})
    frame = frame[frame["participants"] >= min_participants].copy()
    frame["share2"] = frame["n2"] / frame["participants"]
    return frame.reset_index(drop=True)


def welch_interval(a: np.ndarray, b: np.ndarray, confidence: float = 0.95) -> tuple[float, float, float]:
    """Difference of means a − b with a Welch t interval; NaN bounds when a group has < 2 values."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if len(a) == 0 or len(b) == 0:
        return math.nan, math.nan, math.nan
    difference = float(a.mean() - b.mean())
    if len(a) < 2 or len(b) < 2:
        return difference, math.nan, math.nan
    from scipy import stats

    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = math.sqrt(va + vb)
    if se == 0:
        return difference, difference, difference
    df = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
    half = float(stats.t.ppf(0.5 + confidence / 2, df)) * se
    return difference, difference - half, difference + half


@reads("municipalities", "results", "risk_factors", "risk_levels", "risk_profiles", "school_lists", "schools")
def factor_association(store: Store, q: Query, catalogue_id: str, *, category: str | None = None,
                       min_participants: int = 10, min_group: int = 3) -> pd.DataFrame:
    """Per factor, over the schools of ``q.territory`` in ``q.year`` (of list ``category``, all
    for ``None``): mean share of «2» (ВПР, рус + мат) of schools with the factor «высокий»
    vs «низкий» (medium left out), the difference high − low and its 95 % Welch interval.
    An association across schools, not a cause. ``enough`` is False when a group has fewer
    than ``min_group`` schools (then no interval is reported)."""
    region_id, municipality_id, year = q.region_id, q.municipality_id, q.year
    frame = profiles(store, region_id, municipality_id, year, catalogue_id, category)
    results = composite_results(store, region_id, municipality_id, year, min_participants)
    merged = frame.merge(results[["school_id", "share2"]], on="school_id", how="inner")
    rows = []
    for factor in factors(store, catalogue_id).itertuples(index=False):
        part = merged[merged["factor_id"] == factor.factor_id]
        high = part.loc[part["level"] == "high", "share2"].to_numpy()
        low = part.loc[part["level"] == "low", "share2"].to_numpy()
        enough = len(high) >= min_group and len(low) >= min_group
        difference, lower, upper = welch_interval(high, low)
        rows.append(dict(factor_id=factor.factor_id, position=factor.position, name_ru=factor.name_ru,
                         name_en=factor.name_en, n_high=len(high), n_low=len(low),
                         mean_high=high.mean() if len(high) else math.nan,
                         mean_low=low.mean() if len(low) else math.nan, difference=difference,
                         ci_low=lower if enough else math.nan, ci_high=upper if enough else math.nan,
                         enough=enough))
    return pd.DataFrame(rows, columns=["factor_id", "position", "name_ru", "name_en", "n_high", "n_low",
                                       "mean_high", "mean_low", "difference", "ci_low", "ci_high", "enough"])


# -- coverage by roadmap measures ------------------------------------------------------------------
# Measures that concern a school in the year: those of its own roadmap, and those of any other
# roadmap (municipal, regional) that name the school in measure_schools.
COVERAGE = f"""
WITH risky AS (
    SELECT * FROM ({PROFILES_IN_SCOPE}) WHERE level IN ('high', 'medium')
),
active AS (
    SELECT * FROM roadmaps
    WHERE period_start <= make_date($year, 12, 31) AND period_end >= make_date($year, 1, 1)
),
links AS (
    SELECT a.school_id, me.measure_id, TRUE AS own
    FROM measures me JOIN active a USING (roadmap_id)
    WHERE a.school_id IS NOT NULL
    UNION
    SELECT ms.school_id, me.measure_id, coalesce(a.school_id = ms.school_id, FALSE) AS own
    FROM measure_schools ms JOIN measures me USING (measure_id) JOIN active a USING (roadmap_id)
),
addressed AS (
    SELECT l.school_id, l.measure_id, l.own, unnest(me.risk_factors) AS factor_id
    FROM links l JOIN measures me USING (measure_id)
),
own_roadmap AS (SELECT DISTINCT school_id FROM active WHERE school_id IS NOT NULL)
SELECT r.school_id, r.short_name, r.municipality, r.factor_id, r.position, r.level, r.score,
       r.school_id IN (SELECT school_id FROM own_roadmap)              AS has_roadmap,
       r.school_id IN (SELECT school_id FROM links)                    AS in_roadmap,
       count(DISTINCT ad.measure_id) FILTER (WHERE ad.own)             AS school_measures,
       count(DISTINCT ad.measure_id) FILTER (WHERE NOT ad.own)         AS other_measures
FROM risky r
LEFT JOIN addressed ad ON ad.school_id = r.school_id AND ad.factor_id = r.factor_id
GROUP BY ALL
ORDER BY r.score DESC, r.short_name, r.position
"""


@reads("measure_schools", "measures", "municipalities", "risk_factors", "risk_levels",
       "risk_profiles", "roadmaps", "school_lists", "schools")
def coverage(store: Store, region_id: str, municipality_id: str | None, year: int, catalogue_id: str,
             category: str | None = None) -> pd.DataFrame:
    """Each high or medium risk of each school with the number of measures addressing it
    (a measure addresses a factor when the factor is among its ``risk_factors``):
    ``school_measures`` from the school's own roadmap, ``other_measures`` from municipal or
    regional roadmaps that name the school. ``has_roadmap``: the school has its own roadmap
    for the year; ``in_roadmap``: any measure of the year concerns the school."""
    frame = store.query_df(COVERAGE, _scope_params(region_id, municipality_id, year, catalogue_id, category))
    frame["measures"] = frame["school_measures"] + frame["other_measures"]
    frame["covered"] = frame["measures"] > 0
    return frame


def uncovered(store: Store, region_id: str, municipality_id: str | None, year: int, catalogue_id: str,
              category: str | None = None, levels: tuple[str, ...] = ("high", "medium")) -> pd.DataFrame:
    """The high (and medium) risks that no measure concerning the school addresses."""
    frame = coverage(store, region_id, municipality_id, year, catalogue_id, category)
    return frame[~frame["covered"] & frame["level"].isin(levels)].reset_index(drop=True)
