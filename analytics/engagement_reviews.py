"""Expert-review points of the engagement monitoring (criteria with rule ``review``): entered on
the page (:func:`save_review`) or loaded with the import kind ``engagement_reviews``
(:func:`import_rules`, called by the importer with the other kinds' rules)."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from analytics import access
from analytics.engagement import criteria, load_config
from analytics.importer.validation import row_rule
from analytics.store import Store

# -- entered on the page -------------------------------------------------------------
UPSERT_REVIEW = """
INSERT OR REPLACE INTO engagement_reviews
    (year, round, unit_level, unit_id, criterion_id, points, comment, source, entered_by, entered_at)
VALUES (?, ?, ?, ?, ?, ?, ?, 'page', ?, ?)
"""


def save_review(store: Store, year: int, number: int, criterion_id: str, unit_id: str, points: float,
                comment: str | None, user: str, principal: access.Principal | None = None) -> None:
    """Store one expert-review score (replacing an earlier one). Raises ValueError with a
    Russian message for a bad value, AccessDenied outside the user's rights."""
    catalogue = criteria().set_index("criterion_id")
    if criterion_id not in catalogue.index or catalogue.at[criterion_id, "rule"] != "review":
        raise ValueError(f"Критерий «{criterion_id}» не оценивается экспертно.")
    level = catalogue.at[criterion_id, "level"]
    maximum = float(catalogue.at[criterion_id, "max_points"])
    if not (0 <= float(points) <= maximum):
        raise ValueError(f"Баллы должны быть от 0 до {maximum:g}.")
    if int(number) not in {int(r["number"]) for r in load_config()["rounds"]}:
        raise ValueError(f"Этапа {number} нет.")
    thing = {"school_id": unit_id} if level == "school" else {"municipality_id": unit_id}
    if access.locate(store, **thing) is None:
        raise ValueError(f"«{unit_id}» не найден.")
    access.require_at(store, principal, "edit_targets", **thing)
    with store.transaction() as cur:
        cur.execute(UPSERT_REVIEW, [int(year), int(number), level, str(unit_id), criterion_id, float(points),
                                    (comment or "").strip() or None, user, dt.datetime.now()])
        store.bump_data_version(cur)


# -- import kind «engagement_reviews» (analytics/importer/spec.toml) -----------------------------------
def import_rules(prepared, spec, typed, header, context, issues, percent):
    """Row rules of the expert-review file: a known review criterion, a round of the
    catalogue, a unit of the criterion's level, points within 0..max."""
    catalogue = criteria().set_index("criterion_id")
    reviewed = catalogue[catalogue["rule"] == "review"]
    by_name = {str(n).strip().lower(): c for c, n in zip(reviewed.index, reviewed["name_ru"])}
    raw_ids = typed["criterion_id"].astype("string").str.strip()
    typed["criterion_id"] = [by_name.get(str(v).lower(), v) if isinstance(v, str) else v for v in raw_ids]
    known = typed["criterion_id"].isin(reviewed.index)
    row_rule(issues, typed, ~known & typed["criterion_id"].notna(), header, "criterion_id", "unknown_criterion",
             allowed=", ".join(reviewed.index))
    numbers = {int(r["number"]) for r in load_config()["rounds"]}
    row_rule(issues, typed, ~typed["round"].isin(numbers) & typed["round"].notna(), header, "round", "unknown_round",
             allowed=", ".join(str(n) for n in sorted(numbers)))
    typed["unit_level"] = typed["criterion_id"].map(reviewed["level"])
    maximum = typed["criterion_id"].map(reviewed["max_points"]).astype(float)
    row_rule(issues, typed, known & ((typed["points"] < 0) | (typed["points"] > maximum)), header, "points",
             "points_range")
    schools = set(context.school_ids())
    municipalities = {m for level, m in context.scope_ids() if level == "municipality"}
    unit = typed["unit_id"].astype("string")
    exists = np.where(typed["unit_level"] == "school", unit.isin(schools), unit.isin(municipalities))
    row_rule(issues, typed, known & typed["unit_id"].notna() & ~pd.Series(exists, index=typed.index), header,
             "unit_id", "unknown_unit")
    typed["source"] = "import"
    typed["entered_at"] = dt.datetime.now()
    return typed
