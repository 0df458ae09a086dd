"""Page helpers for the roadmap import: the cached parse of an upload and the editor's columns."""
from __future__ import annotations

import hashlib

import streamlit as st

from analytics.roadmap_import import ParsedRoadmap, parse_document
from analytics.roadmap_import.model import KINDS, RECURRENCES
from ui.text import t

FILE_KEY = "roadmap_import_file"          # (file name, bytes) of the last upload
SAVED_KEY = "roadmap_import_saved"        # digests of uploads already saved in this session


def digest(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()[:12]


@st.cache_data(show_spinner=False, max_entries=16)
def parsed_upload(data: bytes, file_name: str, default_year: int) -> ParsedRoadmap:
    """Parse once per file and year (raises RoadmapImportError, which is not cached)."""
    return parse_document(data, file_name, default_year)


def column_config() -> dict:
    cc = st.column_config
    return {
        "number": cc.TextColumn(t("roadmap_import.columns.number"), width="small", required=True),
        "section": cc.TextColumn(t("roadmap_import.columns.section"), width="medium"),
        "title": cc.TextColumn(t("roadmap_import.columns.title"), width="large", required=True),
        "executors": cc.TextColumn(t("roadmap_import.columns.executors"), width="medium"),
        "deadline_text": cc.TextColumn(t("roadmap_import.columns.deadline_text"), width="medium"),
        "kind": cc.SelectboxColumn(t("roadmap_import.columns.kind"), options=list(KINDS), required=True,
                                   format_func=lambda k: t(f"roadmap_import.kind.{k}")),
        "start": cc.DateColumn(t("roadmap_import.columns.start"), format="DD.MM.YYYY"),
        "due_dates": cc.TextColumn(t("roadmap_import.columns.due_dates"), width="medium"),
        "recurrence": cc.SelectboxColumn(t("roadmap_import.columns.recurrence"), options=list(RECURRENCES),
                                         format_func=lambda r: t(f"roadmap_import.recurrence.{r}")),
        "indicator": cc.TextColumn(t("roadmap_import.columns.indicator"), width="medium"),
        "warnings": cc.TextColumn(t("roadmap_import.columns.warnings"), width="medium", disabled=True),
    }
