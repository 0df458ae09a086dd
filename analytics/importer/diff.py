"""A prepared file's rows against the stored rows: the SQL of the row-by-row diff (new, changed,
unchanged, removed per ``row_key``) that both the preview (changes.plan) and the commit
(revisions.apply) run, the columns a file sets, the territory a file may be complete for, and
how many rows each slice the file replaces holds now.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

import pandas as pd

from analytics.importer.spec import KindSpec
from analytics.importer.tables import TABLE_COLUMNS
from analytics.store import Store

STATUSES = ("new", "changed", "unchanged", "removed")
# Rows the file does not carry but the kind computes anyway (so they are "in the file").
ALWAYS_CARRIED = {"mentor_pairs": ("straight_km",)}
TABLE_TYPES = """
SELECT column_name, data_type FROM information_schema.columns
WHERE table_name = $table AND table_schema = 'main' ORDER BY ordinal_position
"""
TERRITORY_SCHOOLS = {
    "region": ("SELECT s.school_id FROM schools s JOIN municipalities m USING (municipality_id) "
               "WHERE list_contains($territory, m.region_id)"),
    "municipality": "SELECT s.school_id FROM schools s WHERE list_contains($territory, s.municipality_id)",
}


@dataclass(frozen=True)
class Territory:
    """«Файл полный для»: the region or the municipalities whose rows the file fully lists."""
    level: str                     # region | municipality
    ids: tuple[str, ...]

    @property
    def text(self) -> str:
        return f"{self.level}:{','.join(self.ids)}"

    @classmethod
    def parse(cls, store: Store, text: str | None) -> "Territory | None":
        """"01" (a region or a municipality code), "region:01" or "municipality:01-03,01-04"."""
        if not text:
            return None
        level, _, ids = text.partition(":") if ":" in text else ("", "", text)
        codes = tuple(c.strip() for c in ids.split(",") if c.strip())
        regions = {r for (r,) in store.query_rows("SELECT region_id FROM regions")}
        municipalities = {m for (m,) in store.query_rows("SELECT municipality_id FROM municipalities")}
        if not level:
            level = "region" if all(c in regions for c in codes) else "municipality"
        known = regions if level == "region" else municipalities
        unknown = [c for c in codes if c not in known]
        if level not in TERRITORY_SCHOOLS or not codes or unknown:
            raise ValueError(f"unknown territory {text!r}")
        return cls(level, codes)


def table_types(cur, table: str) -> list[tuple[str, str]]:
    return cur.execute(TABLE_TYPES, {"table": table}).fetchall()


def carried_columns(spec: KindSpec, header_columns, options_filled=()) -> tuple[str, ...]:
    """The columns whose values a file sets; with ``keep_absent`` the others keep stored values."""
    columns = TABLE_COLUMNS[spec.table]
    if not spec.keep_absent:
        return tuple(columns)
    names = {c.name for c in spec.columns}
    given = {spec.column(c).share_of or c if c in names else c for c in header_columns}
    given |= set(options_filled) | set(spec.row_key) | set(spec.unit) | set(spec.keep_absent_when_same)
    given |= set(ALWAYS_CARRIED.get(spec.kind, ()))
    return tuple(c for c in columns if c in given)


def plan_sql(spec: KindSpec, types: list[tuple[str, str]], columns: list[str], carried, view: str,
             territory: Territory | None, with_json: bool) -> str:
    """The diff of the file (registered as ``view``) against the table. Names come from spec.toml and
    the table's own schema (code), never from a file; values are parameters."""
    typed = dict(types)
    key, unit = list(spec.row_key), list(spec.unit)
    values = [c for c in columns if c not in key]
    casts = ", ".join(f'CAST("{c}" AS {typed[c]}) AS "{c}"' for c in columns)
    unit_match = " AND ".join(f'n."{c}" = t."{c}"' for c in unit)
    wanted = f"EXISTS (SELECT 1 FROM n WHERE {unit_match})"
    if territory is not None and spec.scope:
        scope_match = " AND ".join(f'n."{c}" = t."{c}"' for c in spec.scope)
        wanted = (f"({wanted} OR (t.\"{spec.school}\" IN ({TERRITORY_SCHOOLS[territory.level]}) "
                  f"AND EXISTS (SELECT 1 FROM n WHERE {scope_match})))")
    key_match = " AND ".join(f'n."{c}" = o."{c}"' for c in key)
    first = key[0]
    keep = f'o."{first}" IS NOT NULL'
    if spec.keep_absent_when_same:
        keep += "".join(f' AND n."{c}" IS NOT DISTINCT FROM o."{c}"' for c in spec.keep_absent_when_same)
    after = {c: (f'n."{c}"' if c in carried or c in key else f'CASE WHEN {keep} THEN o."{c}" ELSE n."{c}" END')
             for c in values}
    same = " AND ".join(f'({after[c]}) IS NOT DISTINCT FROM o."{c}"' for c in values) or "TRUE"
    select = [f'coalesce(n."{c}", o."{c}") AS "{c}"' for c in key]
    select.append(f'CAST(coalesce(n."{spec.school}", o."{spec.school}") AS VARCHAR) AS _school')
    select.append(f"CASE WHEN o.\"{first}\" IS NULL THEN 'new' WHEN n.\"{first}\" IS NULL THEN 'removed' "
                  f"WHEN {same} THEN 'unchanged' ELSE 'changed' END AS _status")
    for c in values:
        select.append(f'o."{c}" AS "b_{c}"')
        select.append(f'{after[c]} AS "a_{c}"')
    if with_json:
        key_struct = ", ".join(f"'{c}': coalesce(n.\"{c}\", o.\"{c}\")" for c in key)
        after_struct = ", ".join(f"'{c}': " + (f'n."{c}"' if c in key else after[c]) for c in columns)
        select.append(f"to_json({{{key_struct}}})::VARCHAR AS _key")
        select.append(f"CASE WHEN o.\"{first}\" IS NULL THEN NULL ELSE to_json(o)::VARCHAR END AS _before")
        select.append(f"CASE WHEN n.\"{first}\" IS NULL THEN NULL ELSE to_json({{{after_struct}}})::VARCHAR END "
                      "AS _after")
    return (f'WITH n AS (SELECT {casts} FROM "{view}"),\n'
            f"o AS (SELECT t.* FROM {spec.table} t WHERE {wanted})\n"
            f"SELECT {', '.join(select)}\nFROM n FULL OUTER JOIN o ON {key_match}")


def territory_params(territory: Territory | None) -> dict:
    return {"territory": list(territory.ids)} if territory is not None else {}


def _slice_condition(spec: KindSpec, target: str = "t", source: str = "s") -> str:
    # Column names come from spec.toml (code), never from a file.
    return " AND ".join(f"{target}.{c} IS NOT DISTINCT FROM {source}.{c}" for c in spec.slice)


def existing_rows_per_slice(store: Store, spec: KindSpec, slices: pd.DataFrame) -> pd.DataFrame:
    cur = store.cursor()
    view = f"_slices_{threading.get_ident()}"
    cur.register(view, slices)
    try:
        columns = ", ".join(f"s.{c}" for c in spec.slice)
        sql = (f"SELECT {columns}, count(t.{spec.slice[0]}) AS rows_existing FROM \"{view}\" s "
               f"LEFT JOIN {spec.table} t ON {_slice_condition(spec)} GROUP BY ALL")
        return cur.execute(sql).df()
    finally:
        cur.unregister(view)


def slice_counts(store: Store, spec: KindSpec, frame: pd.DataFrame) -> pd.DataFrame:
    """Each slice the import replaces: rows in the file and rows now in the database."""
    counts = frame.groupby(list(spec.slice), dropna=False).size().rename("rows_new").reset_index()
    existing = existing_rows_per_slice(store, spec, counts[list(spec.slice)])
    merged = counts.merge(existing, on=list(spec.slice), how="left")
    merged["rows_existing"] = merged["rows_existing"].fillna(0).astype(int)
    return merged
