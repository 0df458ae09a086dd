"""The structured report: what content.py builds and docx.py renders (no layout here)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Heading:
    text: str
    level: int = 1


@dataclass
class Paragraph:
    text: str
    kind: str = "text"          # text | bullet | note


@dataclass
class Table:
    columns: list[str]
    rows: list[list[str]]
    caption: str = ""
    numeric: list[bool] | None = None       # right-align these columns
    statuses: list[str | None] | None = None  # per row: achieved | at_risk | not_achieved | no_data (colours the last cell)
    widths: list[float] | None = None       # relative column widths


@dataclass
class Figure:
    figure: Any                  # a plotly figure from presentation/figures
    caption: str
    width_px: int = 1000
    height_px: int | None = None
    png: bytes | None = None     # filled by charts.render_all


@dataclass
class Report:
    title: str
    subtitle: list[str]
    blocks: list = field(default_factory=list)
    file_stem: str = "report"
    chart_note: str = ""         # shown where a chart could not be drawn

    def add(self, *blocks) -> None:
        self.blocks.extend(blocks)

    def of_type(self, kind: type) -> list:
        return [b for b in self.blocks if isinstance(b, kind)]
