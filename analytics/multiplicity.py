"""Multiple comparisons: «значимое изменение» flags across schools under Benjamini–Hochberg.

Flagging every school whose 95 % change interval excludes zero flags about 5 % of unchanged
schools by chance: of 368 schools, ~18 flags with no real change anywhere. Across the schools
of one table (same procedure, subject, grade, indicator and year) the flags are therefore
controlled by the Benjamini–Hochberg procedure at the false-discovery rate ``q`` (default 10 %,
``fdr_q`` in data/settings.toml): among the schools still flagged, at most a share ``q`` is
expected to be flagged by chance.

The p-value of a change comes from its interval: se = (high − low) / (2 · 1.96), z = delta / se.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import special

DEFAULT_Q = 0.10
Z95 = 1.959963984540054
FAMILY = ["procedure", "subject_id", "grade", "indicator", "year"]


def p_values(delta, low, high) -> np.ndarray:
    """Two-sided p-values of changes from their 95 % intervals (NaN without an interval)."""
    delta, low, high = (np.asarray(v, dtype=float) for v in (delta, low, high))
    se = (high - low) / (2 * Z95)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.abs(delta) / se
    # scipy's erfc works on the whole array (a Python call per school was most of the step for
    # 40 000 schools); it agrees with math.erfc to ~1e-15 relative, NaN stays NaN.
    return special.erfc(z / math.sqrt(2))


def benjamini_hochberg(p: np.ndarray, q: float) -> np.ndarray:
    """True where the hypothesis is rejected at false-discovery rate ``q`` (NaN p: never)."""
    p = np.asarray(p, dtype=float)
    out = np.zeros(p.shape, dtype=bool)
    valid = np.flatnonzero(~np.isnan(p))
    m = len(valid)
    if m == 0:
        return out
    order = valid[np.argsort(p[valid], kind="stable")]
    thresholds = q * np.arange(1, m + 1) / m
    passed = np.flatnonzero(p[order] <= thresholds)
    if len(passed):
        out[order[: passed[-1] + 1]] = True
    return out


def control(frame: pd.DataFrame, q: float = DEFAULT_Q) -> pd.DataFrame:
    """A changes table with ``p_value``, ``raw_verdict`` (the interval alone) and
    ``change_verdict`` kept only where Benjamini–Hochberg at ``q`` rejects within its family."""
    if frame.empty:
        return frame.assign(p_value=pd.Series(dtype=float), raw_verdict=pd.Series(dtype=str))
    frame = frame.copy()
    frame["p_value"] = p_values(frame["delta"], frame["delta_low"], frame["delta_high"])
    frame["raw_verdict"] = frame["change_verdict"]
    flagged = frame["change_verdict"].isin(["improved", "declined", "up", "down"])
    keys = [c for c in FAMILY if c in frame.columns]
    keep = pd.Series(False, index=frame.index)
    for _, part in frame.groupby(keys, dropna=False, sort=False) if keys else [(None, frame)]:
        keep.loc[part.index] = benjamini_hochberg(part["p_value"].to_numpy(), q)
    frame.loc[flagged & ~keep, "change_verdict"] = "no_change"
    return frame


def chance_summary(frame: pd.DataFrame, alpha: float = 0.05) -> dict:
    """What a page says about its flags: schools compared, flags without correction, how many
    of those chance alone would give (compared × alpha), and the flags kept after control."""
    compared = int(frame["p_value"].notna().sum()) if "p_value" in frame else 0
    signs = ["improved", "declined", "up", "down"]
    raw = int(frame["raw_verdict"].isin(signs).sum()) if "raw_verdict" in frame else 0
    kept = int(frame["change_verdict"].isin(signs).sum())
    return {"compared": compared, "raw": raw, "chance": compared * alpha, "kept": kept}
