"""Page helpers for the roadmap import: the cached parse of an upload and the editor's columns."""
from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from analytics.roadmap_import import ParsedRoadmap, parse_document
from analytics.roadmap_import.model import KINDS, RECURRENCES
from analytics.roadmap_import.save import SaveError, save_roadmap
from ui.writes import WriteRefused, import_target
from ui.text import t

FILE_KEY = "roadmap_import_file"          # (file name, bytes) of the last upload
SAVED_KEY = "roadmap_import_saved"        # digests of uploads already saved in this session


def save(**roadmap) -> int:
    """Save the roadmap (served mode: into the master file, then published); a refusal of the
    storage is a :class:`SaveError` with the words to show."""
    try:
        with import_target(roadmap.get("user")) as target:
            return save_roadmap(target, **roadmap)
    except WriteRefused as refused:
        raise SaveError(refused.message) from refused


def digest(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()[:12]


@st.cache_data(show_spinner=False, max_entries=16)
def parsed_upload(data: bytes, file_name: str, default_year: int) -> ParsedRoadmap:
    """Parse once per file and year (raises RoadmapImportError, which is not cached)."""
    return parse_document(data, file_name, default_year)


ISSUE_STYLE = "background-color: #fde2e1; color: #7a1712"      # unsure: the eye goes here first
SOURCE_STYLE = "background-color: #f3f4f6; color: #374151"     # the document as written


def styled(frame: pd.DataFrame):
    """The review table with what is unsure highlighted. Streamlit applies styles to read-only
    columns only, so the highlighted cells are the «Проверить» and «Школы в реестре» ones beside
    the editable fields they speak of."""
    def issues(column: pd.Series) -> list[str]:
        return [ISSUE_STYLE if str(v).strip() else "" for v in column]

    def schools(column: pd.Series) -> list[str]:
        return [ISSUE_STYLE if ("✗" in str(v) or "?" in str(v)) else "" for v in column]

    return (frame.style.apply(issues, subset=["issues"]).apply(schools, subset=["schools_found"])
            .map(lambda _: SOURCE_STYLE, subset=["source"]))


def column_config() -> dict:
    cc = st.column_config
    return {
        "accept": cc.CheckboxColumn(t("roadmap_import.columns.accept"), width=92, default=False),
        "source": cc.TextColumn(t("roadmap_import.columns.source"), width="medium", disabled=True),
        "issues": cc.TextColumn(t("roadmap_import.columns.issues"), width="medium", disabled=True),
        "executor_levels": cc.TextColumn(t("roadmap_import.columns.executor_levels"), width="small", disabled=True),
        "schools": cc.TextColumn(t("roadmap_import.columns.schools"), width="medium"),
        "schools_found": cc.TextColumn(t("roadmap_import.columns.schools_found"), width="medium", disabled=True),
        "risk_factors": cc.TextColumn(t("roadmap_import.columns.risk_factors"), width="medium", disabled=True),
        "number": cc.TextColumn(t("roadmap_import.columns.number"), width="small", required=True),
        "section": cc.TextColumn(t("roadmap_import.columns.section"), width="medium"),
        "title": cc.TextColumn(t("roadmap_import.columns.title"), width="medium", required=True),
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
