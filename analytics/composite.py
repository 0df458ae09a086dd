"""A composite index of core results per school × year, computed from counts in DuckDB.

Components (each "higher is better", each computed from summed counts of the school-year):
- ``vpr_share2``: minus the share of «2» in ВПР (configured subjects, all grades)
- ``vpr_sou``: СОУ in ВПР = (n5 + 0.64·n4 + 0.36·n3 + 0.16·n2) / N
- ``oge_share2``: minus the share of «2» in ОГЭ (configured subjects)
- ``ege_below``: minus the share of ЕГЭ participants below the minimum score

Each component is standardised within region × year (mean and SD weighted by the
school's number of participants) and counts only with at least ``min_component_n``
participants. The index is the weighted mean of the available z-scores. Schools with
fewer than ``min_participants`` core participants in a year get no index.
"""
from __future__ import annotations

import pandas as pd

from analytics.store import Store

COMPONENTS = ("vpr_share2", "vpr_sou", "oge_share2", "ege_below")

COMPOSITE = """
WITH core AS (
    SELECT r.school_id, r.year, m.region_id, s.municipality_id, r.procedure, r.subject_id,
           r.participants, r.n2, r.n3, r.n4, r.n5, r.n_below_min
    FROM results r
    JOIN schools s USING (school_id)
    JOIN municipalities m USING (municipality_id)
    WHERE ($region_id IS NULL OR m.region_id = $region_id)
      AND r.year BETWEEN $year_from AND $year_to
      AND r.participants > 0
      AND ((r.procedure = 'VPR' AND list_contains($vpr_subjects, r.subject_id))
        OR (r.procedure = 'OGE' AND list_contains($oge_subjects, r.subject_id))
        OR (r.procedure = 'EGE' AND list_contains($ege_subjects, r.subject_id)))
),
per_school AS (
    SELECT school_id, year, region_id, municipality_id,
           -- summed as DOUBLE (exact for counts): HUGEINT integer sums are much slower
           sum(participants::DOUBLE)                                 AS n_core,
           sum(participants::DOUBLE) FILTER (WHERE procedure = 'VPR') AS vpr_n,
           sum(n2::DOUBLE) FILTER (WHERE procedure = 'VPR')          AS vpr_n2,
           sum(n5::DOUBLE + 0.64 * n4::DOUBLE + 0.36 * n3::DOUBLE + 0.16 * n2::DOUBLE) FILTER (WHERE procedure = 'VPR') AS vpr_sou_sum,
           sum(participants::DOUBLE) FILTER (WHERE procedure = 'OGE') AS oge_n,
           sum(n2::DOUBLE) FILTER (WHERE procedure = 'OGE')          AS oge_n2,
           sum(participants::DOUBLE) FILTER (WHERE procedure = 'EGE') AS ege_n,
           sum(n_below_min::DOUBLE) FILTER (WHERE procedure = 'EGE') AS ege_below_n
    FROM core
    GROUP BY school_id, year, region_id, municipality_id
),
long AS (
    SELECT school_id, year, region_id, 'vpr_share2' AS component, vpr_n AS n, -vpr_n2 / vpr_n AS value
    FROM per_school WHERE vpr_n >= $min_component_n
    UNION ALL
    SELECT school_id, year, region_id, 'vpr_sou', vpr_n, vpr_sou_sum / vpr_n
    FROM per_school WHERE vpr_n >= $min_component_n
    UNION ALL
    SELECT school_id, year, region_id, 'oge_share2', oge_n, -oge_n2 / oge_n
    FROM per_school WHERE oge_n >= $min_component_n
    UNION ALL
    SELECT school_id, year, region_id, 'ege_below', ege_n, -ege_below_n / ege_n
    FROM per_school WHERE ege_n >= $min_component_n AND ege_below_n IS NOT NULL
),
moments AS (
    SELECT region_id, year, component,
           sum(n * value) / sum(n) AS mu
    FROM long GROUP BY ALL
),
spread AS (
    SELECT l.region_id, l.year, l.component, mo.mu,
           sqrt(sum(l.n * (l.value - mo.mu) ^ 2) / sum(l.n)) AS sd
    FROM long l JOIN moments mo USING (region_id, year, component)
    GROUP BY ALL
),
z AS (
    SELECT l.school_id, l.year, l.component,
           CASE WHEN sp.sd > 0 THEN (l.value - sp.mu) / sp.sd END AS z,
           CASE l.component WHEN 'vpr_share2' THEN $w_vpr_share2 WHEN 'vpr_sou' THEN $w_vpr_sou
                            WHEN 'oge_share2' THEN $w_oge_share2 ELSE $w_ege_below END AS weight
    FROM long l JOIN spread sp USING (region_id, year, component)
),
index AS (
    SELECT school_id, year,
           sum(weight * z) FILTER (WHERE z IS NOT NULL AND weight > 0)
             / nullif(sum(weight) FILTER (WHERE z IS NOT NULL AND weight > 0), 0) AS composite,
           max(z) FILTER (WHERE component = 'vpr_share2') AS z_vpr_share2,
           max(z) FILTER (WHERE component = 'vpr_sou')    AS z_vpr_sou,
           max(z) FILTER (WHERE component = 'oge_share2') AS z_oge_share2,
           max(z) FILTER (WHERE component = 'ege_below')  AS z_ege_below
    FROM z GROUP BY school_id, year
),
scored AS (
    SELECT p.school_id, p.year, p.region_id, p.municipality_id, p.n_core,
           p.vpr_n, p.vpr_n2 / nullif(p.vpr_n, 0) AS vpr_share2, p.vpr_sou_sum / nullif(p.vpr_n, 0) AS vpr_sou,
           p.oge_n, p.oge_n2 / nullif(p.oge_n, 0) AS oge_share2,
           p.ege_n, p.ege_below_n / nullif(p.ege_n, 0) AS ege_below_share,
           i.z_vpr_share2, i.z_vpr_sou, i.z_oge_share2, i.z_ege_below,
           CASE WHEN p.n_core >= $min_participants THEN i.composite END AS composite
    FROM per_school p LEFT JOIN index i USING (school_id, year)
)
SELECT *,
       -- Position from the bottom; ties broken by school_id so the order is total.
       CASE WHEN composite IS NOT NULL THEN row_number() OVER (
           PARTITION BY region_id, year, composite IS NOT NULL ORDER BY composite, school_id) END AS rank_from_bottom,
       count(composite) OVER (PARTITION BY region_id, year) AS n_ranked
FROM scored
ORDER BY region_id, year, school_id
"""


def composite_params(params: dict, region_id: str | None, year_from: int, year_to: int) -> dict:
    settings = params["composite"]
    weights = settings["weights"]
    return {
        "region_id": region_id, "year_from": int(year_from), "year_to": int(year_to),
        "vpr_subjects": list(settings["vpr_subjects"]), "oge_subjects": list(settings["oge_subjects"]),
        "ege_subjects": list(settings["ege_subjects"]),
        "min_component_n": int(settings["min_component_n"]), "min_participants": int(settings["min_participants"]),
        **{f"w_{c}": float(weights.get(c, 0.0)) for c in COMPONENTS},
    }


def composite_index(store: Store, region_id: str | None, year_from: int, year_to: int,
                    params: dict) -> pd.DataFrame:
    """One row per school × year with results in the core subjects (see the module docstring).

    ``region_id=None`` computes every region (each standardised within itself).
    """
    frame = store.query_df(COMPOSITE, composite_params(params, region_id, year_from, year_to))
    frame["year"] = frame["year"].astype(int)
    return frame
