"""Importing roadmaps from the documents people already have (DOCX, XLSX, tab-separated text).

``parse_document(data, file_name, default_year)`` → :class:`ParsedRoadmap`;
``save.save_roadmap(store, ...)`` writes it with its execution units in one transaction;
``python -m analytics.roadmap_import FILE`` prints the parse as JSON.
"""
from analytics.roadmap_import.model import Measure, ParsedRoadmap, Period, RoadmapImportError, Schedule
from analytics.roadmap_import.parse import parse_document

__all__ = ["Measure", "ParsedRoadmap", "Period", "RoadmapImportError", "Schedule", "parse_document"]
