"""Views of the overview page (see presentation/views/__init__.py)."""
from __future__ import annotations

import pandas as pd

from presentation import fmt
from presentation.i18n import text

COLUMNS = ["name", "schools", "rural_schools", "listed", "listed_previous", "listed_share", "mentor_share"]
SHARES = ("listed_share", "mentor_share")
# Column widths (px) of the municipalities table: all seven columns in the 789 px main area of a
# 1280 px window with the sidebar open (short headers below; the full name is the tooltip).
WIDTHS = {"name": 270, "schools": 52, "rural_schools": 74, "listed": 78, "listed_previous": 80, "listed_share": 64,
          "mentor_share": 94}   # 712 px: a name such as «Алексеевский муниципальный округ» in full
SHORT_HEADERS = ["rural_schools", "listed_previous", "listed_share", "mentor_share"]


def municipality_table(municipalities: pd.DataFrame, language: str):
    """(the municipalities table as shown, as downloaded: shares in %)."""
    table = municipalities[COLUMNS].copy()
    download = table.assign(**{c: (table[c] * 100).round(1) for c in SHARES})
    shown = table.assign(**{c: table[c].map(lambda v: fmt.percent(v, language, 1)) for c in SHARES})
    labels = {c: text(language, f"overview.columns.{c}") for c in COLUMNS}
    percent_labels = {**labels, **{c: labels[c] + ", %" for c in SHARES}}
    return shown.rename(columns=labels), download.rename(columns=percent_labels)
