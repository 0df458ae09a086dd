"""Reference data shipped with the product (subjects, the «500+» risk catalogue, KPI defaults).

Lookup tables are CSV files beside this module so that a region can edit them without
touching code.
"""
from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from analytics.store import insert_df

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
DEFAULT_CATALOGUE = "federal_500plus"


def read_reference(name: str) -> pd.DataFrame:
    return pd.read_csv(REFERENCE_DIR / f"{name}.csv", dtype={"subject_id": str})


def load_reference(cur: duckdb.DuckDBPyConnection) -> None:
    """Fill the lookup tables (idempotent: replaces their contents)."""
    subjects = read_reference("subjects")
    subjects["ege_min_score"] = subjects["ege_min_score"].astype("Int16")
    cur.execute("DELETE FROM subjects")
    insert_df(cur, "subjects", subjects)

    cur.execute("DELETE FROM risk_levels")
    insert_df(cur, "risk_levels", read_reference("risk_levels"))

    cur.execute("DELETE FROM risk_factors WHERE catalogue_id = ?", [DEFAULT_CATALOGUE])
    cur.execute("DELETE FROM risk_catalogues WHERE catalogue_id = ?", [DEFAULT_CATALOGUE])
    cur.execute(
        "INSERT INTO risk_catalogues VALUES (?, ?, TRUE)",
        [DEFAULT_CATALOGUE, "Федеральный проект «500+»: 10 рисковых профилей"],
    )
    factors = read_reference("risk_factors_500plus")
    factors.insert(0, "catalogue_id", DEFAULT_CATALOGUE)
    factors["group_name"] = factors["group_name"].astype("string")
    insert_df(cur, "risk_factors", factors)

    cur.execute("DELETE FROM deficit_topics")
    insert_df(cur, "deficit_topics", read_reference("deficit_topics"))


def kpi_defaults() -> pd.DataFrame:
    return read_reference("kpi_defaults")
