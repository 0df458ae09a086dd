"""A composite index of core results per school × year, computed from counts in DuckDB.

Components (each "higher is better", each computed from summed counts of the school-year):
- ``vpr_share2``: minus the share of «2» in ВПР (configured subjects, all grades)
- ``vpr_sou``: СОУ in ВПР = (n5 + 0.64·n4 + 0.36·n3 + 0.16·n2) / N
- ``oge_share2``: minus the share of «2» in ОГЭ (configured subjects)
- ``ege_below``: minus the share of ЕГЭ participants below the minimum score

Each component is standardised within region × year (mean and SD weighted by the
school's number of participants) and counts only with at least ``min_component_n``
participants. With ``shrinkage = "empirical_bayes"`` (the default) each component is first
shrunk towards the region mean by its reliability (analytics/shrinkage.py) and standardised
by the between-school SD. The index is the weighted mean of the available z-scores. Schools with
fewer than ``min_participants`` core participants in a year get no index.
"""
from __future__ import annotations

import pandas as pd

from analytics.store import Store
from analytics.query import RegionId

COMPONENTS = ("vpr_share2", "vpr_sou", "oge_share2", "ege_below")

COMPOSITE = """
WITH core AS (   -- (procedure, subject) pairs of the core subjects
    SELECT 'VPR' AS procedure, unnest($vpr_subjects) AS subject_id
    UNION ALL SELECT 'OGE', unnest($oge_subjects)
    UNION ALL SELECT 'EGE', unnest($ege_subjects)
),
scope AS (
    SELECT s.school_id, s.municipality_id, m.region_id
    FROM schools s JOIN municipalities m USING (municipality_id)
    WHERE ($region_id IS NULL OR m.region_id = $region_id)
),
sums AS (
    -- Summed as DOUBLE (exact for counts): HUGEINT integer sums are much slower. Grouped by
    -- school and year only (the geography is joined to the 40 000 × years result, not to every
    -- results row); CASE rather than FILTER: cheaper per aggregate.
    SELECT r.school_id, r.year,
           sum(r.participants::DOUBLE)                                                 AS n_core,
           sum(CASE WHEN r.procedure = 'VPR' THEN r.participants::DOUBLE END)          AS vpr_n,
           sum(CASE WHEN r.procedure = 'VPR' THEN r.n2::DOUBLE END)                    AS vpr_n2,
           sum(CASE WHEN r.procedure = 'VPR' THEN r.n5::DOUBLE + 0.64 * r.n4::DOUBLE + 0.36 * r.n3::DOUBLE
                                                  + 0.16 * r.n2::DOUBLE END)           AS vpr_sou_sum,
           sum(CASE WHEN r.procedure = 'VPR' THEN r.n5::DOUBLE + 0.4096 * r.n4::DOUBLE + 0.1296 * r.n3::DOUBLE
                                                  + 0.0256 * r.n2::DOUBLE END)         AS vpr_sou_sq,
           sum(CASE WHEN r.procedure = 'OGE' THEN r.participants::DOUBLE END)          AS oge_n,
           sum(CASE WHEN r.procedure = 'OGE' THEN r.n2::DOUBLE END)                    AS oge_n2,
           sum(CASE WHEN r.procedure = 'EGE' THEN r.participants::DOUBLE END)          AS ege_n,
           sum(CASE WHEN r.procedure = 'EGE' THEN r.n_below_min::DOUBLE END)           AS ege_below_n
    FROM results r
    WHERE r.school_id IN (SELECT school_id FROM scope)
      AND r.year BETWEEN $year_from AND $year_to
      AND r.participants > 0
      AND (r.procedure, r.subject_id) IN (SELECT procedure, subject_id FROM core)
    GROUP BY r.school_id, r.year
),
per_school AS (
    -- Each component: the school's weight n (NULL when it does not count: fewer than
    -- min_component_n participants) and its value ("higher is better").
    SELECT sc.region_id, sc.municipality_id, s.*,
           CASE WHEN s.vpr_n >= $min_component_n THEN s.vpr_n END               AS n_vpr,
           -s.vpr_n2 / s.vpr_n                                                  AS v_vpr_share2,
           s.vpr_sou_sum / s.vpr_n                                              AS v_vpr_sou,
           CASE WHEN s.oge_n >= $min_component_n THEN s.oge_n END               AS n_oge,
           -s.oge_n2 / s.oge_n                                                  AS v_oge_share2,
           CASE WHEN s.ege_n >= $min_component_n AND s.ege_below_n IS NOT NULL THEN s.ege_n END AS n_ege,
           -s.ege_below_n / s.ege_n                                             AS v_ege_below
    FROM sums s JOIN scope sc USING (school_id)
),
means AS (
    -- Per region × year and component: participant-weighted mean over the schools it counts for.
    SELECT region_id, year,
           sum(n_vpr * v_vpr_share2) / sum(n_vpr) AS mu_vpr_share2,
           sum(n_vpr * v_vpr_sou) / sum(n_vpr)    AS mu_vpr_sou,
           sum(n_oge * v_oge_share2) / sum(n_oge) AS mu_oge_share2,
           sum(n_ege * v_ege_below) / sum(n_ege)  AS mu_ege_below
    FROM per_school GROUP BY region_id, year
),
spread AS (
    -- ... and the weighted SD around that mean.
    SELECT p.region_id, p.year, mu.*  EXCLUDE (region_id, year),
           sqrt(sum(p.n_vpr * (p.v_vpr_share2 - mu.mu_vpr_share2) ^ 2) / sum(p.n_vpr)) AS sd_vpr_share2,
           sqrt(sum(p.n_vpr * (p.v_vpr_sou - mu.mu_vpr_sou) ^ 2) / sum(p.n_vpr))          AS sd_vpr_sou,
           sqrt(sum(p.n_oge * (p.v_oge_share2 - mu.mu_oge_share2) ^ 2) / sum(p.n_oge))    AS sd_oge_share2,
           sqrt(sum(p.n_ege * (p.v_ege_below - mu.mu_ege_below) ^ 2) / sum(p.n_ege))      AS sd_ege_below
    FROM per_school p JOIN means mu USING (region_id, year)
    GROUP BY ALL
),
z AS (
    SELECT p.*,
           CASE WHEN p.n_vpr IS NOT NULL AND sp.sd_vpr_share2 > 0
                THEN (p.v_vpr_share2 - sp.mu_vpr_share2) / sp.sd_vpr_share2 END AS z_vpr_share2,
           CASE WHEN p.n_vpr IS NOT NULL AND sp.sd_vpr_sou > 0
                THEN (p.v_vpr_sou - sp.mu_vpr_sou) / sp.sd_vpr_sou END          AS z_vpr_sou,
           CASE WHEN p.n_oge IS NOT NULL AND sp.sd_oge_share2 > 0
                THEN (p.v_oge_share2 - sp.mu_oge_share2) / sp.sd_oge_share2 END AS z_oge_share2,
           CASE WHEN p.n_ege IS NOT NULL AND sp.sd_ege_below > 0
                THEN (p.v_ege_below - sp.mu_ege_below) / sp.sd_ege_below END    AS z_ege_below
    FROM per_school p JOIN spread sp USING (region_id, year)
),
scored AS (
    -- The index: weighted mean of the available z (components with a weight > 0).
    SELECT school_id, year, region_id, municipality_id, n_core,
           vpr_n, vpr_n2 / nullif(vpr_n, 0) AS vpr_share2, vpr_sou_sum / nullif(vpr_n, 0) AS vpr_sou,
           vpr_sou_sq / nullif(vpr_n, 0) AS vpr_sou_sq, oge_n2, vpr_n2, ege_below_n,
           oge_n, oge_n2 / nullif(oge_n, 0) AS oge_share2,
           ege_n, ege_below_n / nullif(ege_n, 0) AS ege_below_share,
           z_vpr_share2, z_vpr_sou, z_oge_share2, z_ege_below,
           CASE WHEN n_core >= $min_participants
                THEN list_sum([CASE WHEN $w_vpr_share2 > 0 THEN $w_vpr_share2 * z_vpr_share2 END,
                               CASE WHEN $w_vpr_sou > 0 THEN $w_vpr_sou * z_vpr_sou END,
                               CASE WHEN $w_oge_share2 > 0 THEN $w_oge_share2 * z_oge_share2 END,
                               CASE WHEN $w_ege_below > 0 THEN $w_ege_below * z_ege_below END])
                     / nullif(list_sum([CASE WHEN $w_vpr_share2 > 0 AND z_vpr_share2 IS NOT NULL THEN $w_vpr_share2 END,
                                        CASE WHEN $w_vpr_sou > 0 AND z_vpr_sou IS NOT NULL THEN $w_vpr_sou END,
                                        CASE WHEN $w_oge_share2 > 0 AND z_oge_share2 IS NOT NULL THEN $w_oge_share2 END,
                                        CASE WHEN $w_ege_below > 0 AND z_ege_below IS NOT NULL THEN $w_ege_below END]), 0)
                END AS composite
    FROM z
)
SELECT *,
       -- Position from the bottom (unranked schools last); ties broken by school_id so the order is total.
       CASE WHEN composite IS NOT NULL THEN row_number() OVER ranked END AS rank_from_bottom,
       count(composite) OVER (ranked ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS n_ranked
FROM scored
WINDOW ranked AS (PARTITION BY region_id, year ORDER BY composite NULLS LAST, school_id)
ORDER BY region_id, year, school_id
"""


def composite_params(params: dict, region_id: RegionId | None, year_from: int, year_to: int) -> dict:
    settings = params["composite"]
    weights = settings["weights"]
    return {
        "region_id": region_id, "year_from": int(year_from), "year_to": int(year_to),
        "vpr_subjects": list(settings["vpr_subjects"]), "oge_subjects": list(settings["oge_subjects"]),
        "ege_subjects": list(settings["ege_subjects"]),
        "min_component_n": int(settings["min_component_n"]), "min_participants": int(settings["min_participants"]),
        **{f"w_{c}": float(weights.get(c, 0.0)) for c in COMPONENTS},
    }


def composite_index(store: Store, region_id: RegionId | None, year_from: int, year_to: int,
                    params: dict) -> pd.DataFrame:
    """One row per school × year with results in the core subjects (see the module docstring).

    ``region_id=None`` computes every region (each standardised within itself).
    """
    frame = store.query_frame(COMPOSITE, composite_params(params, region_id, year_from, year_to))
    frame["year"] = frame["year"].astype(int)
    if params["composite"].get("shrinkage", "none") == "empirical_bayes":
        from analytics import shrinkage
        frame = shrinkage.apply(frame, params)
    return frame
