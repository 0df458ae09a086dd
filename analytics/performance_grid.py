"""Status × change classification (after the California School Dashboard).

Status = the indicator's value this year, change = the difference to the previous period.
Both are cut into five bands (1 = worst … 5 = best, oriented so that "better" is up even
for indicators where lower is better). A value exactly at a cut point goes to the better
band. The 5 × 5 ``GRID`` then gives one of five performance levels (1 = red … 5 = blue).

Default cut points come from the region's own distribution of schools with at least
``min_n`` participants in both years: status at the 20/40/60/80 % quantiles; change
symmetric around zero at ±(40 % quantile of |change|) and ±(80 % quantile of |change|),
so the middle band means "maintained". Both are configurable.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from analytics import dynamics
from analytics.query import Pooling, Query, Territory
from analytics.indicators import BY_CODE
from analytics.store import Store
from analytics.reads import reads

# GRID[status_band - 1][change_band - 1] -> level; rows: status very low .. very high,
# columns: change declined significantly .. increased significantly.
GRID: tuple[tuple[int, ...], ...] = (
    (1, 1, 1, 2, 2),   # status very low
    (1, 2, 2, 3, 3),   # low
    (2, 2, 3, 4, 4),   # medium
    (2, 3, 4, 4, 5),   # high
    (3, 4, 5, 5, 5),   # very high
)
LEVELS = (1, 2, 3, 4, 5)
STATUS_QUANTILES = (0.2, 0.4, 0.6, 0.8)
CHANGE_QUANTILES = (0.4, 0.8)


def orientation(indicator: str) -> int:
    better = BY_CODE[indicator].higher_is_better
    if better is None:
        raise ValueError(f"indicator {indicator!r} has no direction; it cannot be graded")
    return 1 if better else -1


def default_cuts(frame: pd.DataFrame, indicator: str) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Cut points in the indicator's own units from a frame with value, delta, enough, prev_enough."""
    sign = orientation(indicator)
    status = frame.loc[frame["enough"].astype(bool), "value"].dropna().to_numpy(float) * sign
    both = frame["enough"].astype(bool) & frame["prev_enough"].astype(bool)
    change = np.abs(frame.loc[both, "delta"].dropna().to_numpy(float))
    if len(status) == 0:
        status_cuts = (np.nan,) * 4
    else:
        status_cuts = tuple(float(sign * q) for q in np.quantile(status, STATUS_QUANTILES))
    if len(change) == 0:
        change_cuts = (np.nan,) * 4
    else:
        small, large = (float(q) for q in np.quantile(change, CHANGE_QUANTILES))
        change_cuts = tuple(sign * c for c in (-large, -small, small, large))
    return tuple(sorted(status_cuts)), tuple(sorted(change_cuts))


def band(values, cuts, sign: int) -> np.ndarray:
    """1..5 (oriented: 5 best); a value at a cut point goes to the better band; NaN stays NaN."""
    values = np.asarray(values, dtype=float) * sign
    oriented = np.sort(np.asarray(cuts, dtype=float) * sign)
    result = np.searchsorted(oriented, values, side="right").astype(float) + 1
    result[np.isnan(values)] = np.nan
    if np.isnan(oriented).any():
        result[:] = np.nan
    return result


def level(status_band, change_band) -> np.ndarray:
    s = np.asarray(status_band, dtype=float)
    c = np.asarray(change_band, dtype=float)
    grid = np.asarray(GRID)
    out = np.full(s.shape, np.nan)
    ok = ~(np.isnan(s) | np.isnan(c))
    out[ok] = grid[s[ok].astype(int) - 1, c[ok].astype(int) - 1]
    return out


def classify(frame: pd.DataFrame, indicator: str, status_cuts=None, change_cuts=None) -> pd.DataFrame:
    """Add status_band, change_band and level (NaN where a side is missing or below min_n)."""
    default_status, default_change = default_cuts(frame, indicator)
    status_cuts = default_status if status_cuts is None else tuple(status_cuts)
    change_cuts = default_change if change_cuts is None else tuple(change_cuts)
    sign = orientation(indicator)
    out = frame.copy()
    enough = out["enough"].astype(bool)
    both = enough & out["prev_enough"].astype(bool)
    out["status_band"] = band(out["value"].where(enough), status_cuts, sign)
    out["change_band"] = band(out["delta"].where(both), change_cuts, sign)
    out["level"] = level(out["status_band"], out["change_band"])
    out.attrs["status_cuts"] = status_cuts
    out.attrs["change_cuts"] = change_cuts
    return out


@reads("municipalities", "results", "schools")
def school_levels(store: Store, q: Query, indicator: str, *, pool_years: int = 1, min_n: int | None = None,
                  status_cuts: tuple[float, ...] | None = None,
                  change_cuts: tuple[float, ...] | None = None) -> pd.DataFrame:
    """Every school of the query's region in year ``q.year_to`` (cuts from the whole region),
    then limited to the query's municipality.

    Grades are always pooled; subjects are pooled when ``q.subject_id`` is None.
    Returns the :func:`analytics.dynamics.summary` columns plus the bands and level, and the
    school's name and municipality. ``attrs`` hold the cut points used.
    """
    region_id, municipality_id = q.region_id, q.municipality_id
    region = Query(Territory(region_id), q.year_from, q.year_to, q.procedure, q.subject_id, q.grade, level="school")
    frame = dynamics.summary(store, region, indicator,
                             pooling=Pooling(grades=True, subjects=q.subject_id is None, years=pool_years),
                             min_n=min_n)
    graded = classify(frame, indicator, status_cuts, change_cuts)
    cuts = graded.attrs
    names = store.query_df(SCHOOL_NAMES, {"region_id": region_id})
    graded = graded.rename(columns={"unit_id": "school_id"}).merge(names, on="school_id", how="left")
    if municipality_id is not None:
        graded = graded[graded["municipality_id"] == municipality_id]
    graded = graded.reset_index(drop=True)
    graded.attrs.update(cuts)
    return graded


SCHOOL_NAMES = """
SELECT s.school_id, s.short_name, s.municipality_id, m.name AS municipality, s.school_type, s.is_rural,
       s.social_index
FROM schools s JOIN municipalities m USING (municipality_id)
WHERE m.region_id = $region_id
"""
