"""The analytic report («аналитическая справка») as DOCX: content.py builds the model from
the store, charts.py draws its figures (plotly → PNG with kaleido), docx.py writes the file.

``python -m presentation.report --region 01 [--municipality ID | --school CODE] --year 2026 --out FILE.docx``
"""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from presentation.report import charts, content, docx
from presentation.report.model import Figure, Report
from analytics.store import Store
from analytics.query import MunicipalityId, RegionId, SchoolId


@dataclass
class Built:
    data: bytes
    report: Report
    file_name: str
    images: int
    seconds: float


def make_report(store: Store, region_id: RegionId, year: int, municipality_id: MunicipalityId | None = None,
                school_id: SchoolId | None = None, as_of: dt.date | None = None, language: str = "ru",
                with_charts: bool = True, browser: str | None = None) -> Built:
    """Build, draw and write the report; ``images`` = charts drawn (0 without a browser)."""
    started = time.perf_counter()
    report = content.build(store, region_id, year, municipality_id, school_id, as_of, language)
    if with_charts:
        charts.render_all(report, browser)
    data = docx.render(report, language)
    images = sum(1 for f in report.of_type(Figure) if f.png is not None)
    return Built(data, report, f"{report.file_stem}.docx", images, time.perf_counter() - started)


__all__ = ["Built", "make_report"]
