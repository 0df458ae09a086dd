"""The whole reading: file bytes → blocks → title and period → measures with schedules."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from analytics.roadmap_import.deadlines import parse_deadline
from analytics.roadmap_import.executors import Executor, normalise_executors
from analytics.roadmap_import.model import (Measure, Paragraph, ParsedRoadmap, Period, RoadmapImportError,
                                            Row)
from analytics.roadmap_import.period import find_period, find_title, year_period
from analytics.roadmap_import.readers import read_blocks
from analytics.roadmap_import.risk_words import risk_factors
from analytics.roadmap_import.table import RawMeasure, structure

_YEAR = re.compile(r"(?<!\d)(20\d{2})(?!\d)")


def parse_document(data: bytes, file_name: str, default_year: int | None = None) -> ParsedRoadmap:
    """Read a roadmap; raises RoadmapImportError (Russian message) if there is nothing to import."""
    blocks = read_blocks(data, file_name)
    first_row = next((i for i, b in enumerate(blocks) if isinstance(b, Row)), len(blocks))
    heading = [b.text for b in blocks[:first_row] if isinstance(b, Paragraph)]
    result = structure(blocks)
    if not result.found_table:
        raise RoadmapImportError("В файле не найдена таблица дорожной карты: нужны столбцы «Мероприятие» и "
                                 "«Сроки» (или «Ответственные»).")
    if not result.measures:
        raise RoadmapImportError("Таблица дорожной карты найдена, но в ней нет ни одного мероприятия.")

    warnings = list(result.warnings)
    title = find_title(heading) or find_title([b.text for b in blocks if isinstance(b, Paragraph)])
    if not title:
        title = Path(file_name).stem
        warnings.append("название дорожной карты не найдено: взято имя файла")
    period, source = find_period(title, heading)
    if period is None:
        period = _period_from_deadlines(result.measures)
        source = "deadlines" if period is not None else None
        if period is not None:
            warnings.append("период дорожной карты не найден в документе: определён по годам в сроках "
                            f"({period.start.year}–{period.end.year}); проверьте")
    if period is None and default_year:
        period, source = year_period(default_year), "default_year"
        warnings.append(f"период дорожной карты не найден в документе: взят {default_year} год; проверьте")
    if period is None:
        warnings.append("период дорожной карты не найден: укажите год (--default-year)")
    return ParsedRoadmap(title=title, period=period, measures=[to_measure(m, period) for m in result.measures],
                         warnings=warnings, period_source=source)


def to_measure(raw: RawMeasure, period: Period | None) -> Measure:
    warnings = []
    if not raw.title:
        warnings.append("нет названия мероприятия")
    executors: list[Executor] = []
    results: list[str] = []
    for text, level in raw.executors:
        found, result_texts = normalise_executors(text, level)
        executors.extend(e for e in found if e.name not in {x.name for x in executors})
        results.extend(result_texts)
    if results:
        warnings.append("в столбце исполнителей текст результата («" + "; ".join(results)[:80] +
                        "»): перенесён в показатель")
    indicator_parts = [i for i in raw.indicators if i] + raw.extra + results
    return Measure(number=raw.number, section=raw.section_title, title=raw.title,
                   executors=[e.name for e in executors], executor_levels=[e.level for e in executors],
                   unknown_executors=[e.name for e in executors if not e.known], deadline_text=raw.deadline,
                   schedule=parse_deadline(raw.deadline, period), source=raw.source,
                   indicator="; ".join(indicator_parts) or None, warnings=warnings,
                   risk_factors=risk_factors(raw.title))


def _period_from_deadlines(measures: list[RawMeasure]) -> Period | None:
    years = sorted({int(y) for m in measures for y in _YEAR.findall(m.deadline)})
    if not years:
        return None
    return Period(dt.date(years[0], 1, 1), dt.date(years[-1], 12, 31))
