"""The one small-numbers rule: below ``min_n`` participants no share, change or interval is shown.

Every place that shows a share, a change or an interval (map popups, tables, the passport,
slides, the report, exports) asks :func:`enough` and, when it is False, shows only
«мало данных (N = k)» with ``k`` from :func:`smallest_n` (the smaller side of a change).
"""
from __future__ import annotations

import math

DEFAULT_MIN_N = 10


def _number(value) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def smallest_n(*counts) -> int:
    """The smallest of the participant counts (a missing count is 0)."""
    values = [_number(c) for c in counts]
    return int(min((v if v is not None else 0.0) for v in values)) if values else 0


def enough(*counts, min_n: int | None = DEFAULT_MIN_N) -> bool:
    """True when every count is at least ``min_n`` (``min_n`` None or 0: no rule)."""
    if not min_n:
        return True
    return smallest_n(*counts) >= int(min_n)


def suppress_changes(frame):
    """A changes table (analytics.dynamics.changes) under the rule: a side below min_n loses its
    value and interval, and a change with either side below min_n loses its value and interval
    (the counts ``n``/``prev_n`` and the flags stay, so «мало данных (N = k)» can be written)."""
    if frame.empty:
        return frame
    frame = frame.copy()
    now = frame["enough"].fillna(False).astype(bool)
    before = frame["prev_enough"].fillna(False).astype(bool) if "prev_enough" in frame else now
    for column in ("value", "se", "ci_low", "ci_high"):
        if column in frame:
            frame[column] = frame[column].where(now)
    for column in ("prev_value", "prev_se", "prev_ci_low", "prev_ci_high"):
        if column in frame:
            frame[column] = frame[column].where(before)
    for column in ("delta", "delta_low", "delta_high"):
        if column in frame:
            frame[column] = frame[column].where(now & before)
    return frame
