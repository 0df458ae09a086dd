"""Small builders shared by tests that make their own data."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from analytics.store import Store, insert_df, open_store


def add_region(cur, schools: dict[str, str], rural: bool | list[bool] = True) -> None:
    """Region '01' with municipalities A «Альфа» and B «Бета», and ``schools`` (id -> municipality).
    School "sN" is short-named "ШN"."""
    cur.execute("INSERT INTO regions VALUES ('01', 'Р', TRUE, NULL)")
    insert_df(cur, "municipalities", pd.DataFrame({
        "municipality_id": ["A", "B"], "region_id": "01", "name": ["Альфа", "Бета"], "kind": "district"}))
    ids = list(schools)
    insert_df(cur, "schools", pd.DataFrame({
        "school_id": ids, "municipality_id": list(schools.values()), "name": "школа",
        "short_name": ["Ш" + school_id[1:] for school_id in ids], "school_type": "sosh", "is_rural": rural}))


LISTED_SCHOOL_OF_SERGIEVSKY = ("SELECT min(l.school_id) FROM school_lists l JOIN schools s USING (school_id) "
                               "WHERE l.category = 'low_results' AND s.municipality_id = '01-03' AND l.year = 2026")


def hostile_copy(demo_db_path: Path, target: Path, updates: list[tuple[str, list]]) -> str:
    """Copy the demo database to ``target`` and run ``updates`` (SQL, params) on a listed school
    of «Сергиевский» (its id is appended to the parameters of each statement with a '?');
    returns that school's id."""
    shutil.copy(demo_db_path, target)
    store = open_store(target)
    school = store.scalar(LISTED_SCHOOL_OF_SERGIEVSKY)
    with store.transaction() as cur:
        for sql, params in updates:
            cur.execute(sql, [*params, school] if "?" in sql else params)
        store.bump_data_version(cur)
    store.cursor().execute("CHECKPOINT")
    store.close()  # unlocked, so a streamlit server process can open it
    return school


def migrated_copy(source, path: Path):
    """A private, migrated copy of the database ``source`` at ``path``: a fixture body
    (``yield from migrated_copy(...)``) that yields its Store and closes it afterwards."""
    shutil.copy(source, path)
    store = Store(path)
    store.migrate()
    yield store
    store.close()
