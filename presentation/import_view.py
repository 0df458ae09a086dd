"""Tables and lines the «Данные» page shows about a prepared file (no Streamlit; ``t`` is passed in)."""
from __future__ import annotations

from typing import Callable

import pandas as pd

from analytics.importer import Prepared

PREVIEW_ROWS = 20
_SEPARATORS = {";": "«;»", ",": "«,»", "\t": "табуляция / tab"}


def read_summary(prepared: Prepared, t: Callable) -> str:
    if prepared.file_format is None or prepared.header is None:
        return ""
    details = []
    if prepared.encoding:
        details.append(t("data.encoding", encoding=prepared.encoding))
    if prepared.separator:
        details.append(t("data.separator", separator=_SEPARATORS.get(prepared.separator, prepared.separator)))
    if prepared.sheet:
        details.append(t("data.sheet", sheet=prepared.sheet))
    line = t("data.read_as", format=t(f"importer.format.{prepared.file_format}"),
             details=(", " + ", ".join(details)) if details else "",
             rows="–".join(str(r) for r in prepared.header.rows), data_rows=prepared.source_rows)
    if prepared.skipped_totals:
        line += " " + t("data.totals_skipped", count=prepared.skipped_totals)
    return line


def mapping_table(prepared: Prepared, t: Callable) -> pd.DataFrame:
    spec = prepared.spec
    rows = [(title, spec.column(name).title) for name, title in prepared.header.titles.items()
            if spec.column(name).type != "personal"]
    return pd.DataFrame(rows, columns=[t("data.mapping_file"), t("data.mapping_field")])


def _titles(prepared: Prepared) -> dict[str, str]:
    spec = prepared.spec
    names = {c.name: c.title for c in spec.columns}
    names.update({"catalogue_id": "Каталог рисков", "mean_score": "Средний балл", "score_sd": "Стандартное отклонение",
                  "n_below_min": "Не преодолели минимальный порог", "n_high": "81-100 баллов",
                  "n_lower": "Понизили", "n_confirmed": "Подтвердили", "n_higher": "Повысили",
                  "n2": "«2»", "n3": "«3»", "n4": "«4»", "n5": "«5»", "participants": "Количество участников",
                  "school_id": "Код школы", "year": "Год", "procedure": "Процедура", "subject_id": "Предмет",
                  "grade": "Класс"} if prepared.kind == "student_results" else {})
    return names


def _readable(frame: pd.DataFrame, t: Callable, subject_names: dict[str, str]) -> pd.DataFrame:
    """Codes as people read them: «ВПР», «Математика»."""
    frame = frame.copy()
    if "procedure" in frame:
        frame["procedure"] = frame["procedure"].map(lambda p: t(f"codes.procedure.{p}"))
    if "subject_id" in frame:
        frame["subject_id"] = frame["subject_id"].map(lambda s: subject_names.get(s, s))
    if "category" in frame:
        frame["category"] = frame["category"].map(lambda c: t(f"codes.category.{c}"))
    if "level" in frame and prepared_kind_is_risk(frame):
        frame["level"] = frame["level"].map(lambda v: t(f"codes.risk_level.{v}"))
    return frame


def prepared_kind_is_risk(frame: pd.DataFrame) -> bool:
    return "factor_id" in frame


def preview_table(prepared: Prepared, t: Callable, subject_names: dict[str, str],
                  limit: int = PREVIEW_ROWS) -> pd.DataFrame:
    frame = _readable(prepared.frame.head(limit).dropna(axis=1, how="all"), t, subject_names)
    return frame.rename(columns=_titles(prepared))


def log_table(log: pd.DataFrame, t: Callable) -> pd.DataFrame:
    frame = log.copy()
    frame["kind"] = frame["kind"].map(lambda k: t(f"data.kinds.{k}"))
    frame["outcome"] = frame["outcome"].map(lambda o: t(f"data.outcome.{o}"))
    frame["user_name"] = frame["user_name"].fillna("—")
    for column in ("started_at", "finished_at"):
        frame[column] = pd.to_datetime(frame[column]).dt.strftime("%d.%m.%Y %H:%M:%S")
    return frame.rename(columns={c: t(f"data.log_columns.{c}") for c in frame.columns})
