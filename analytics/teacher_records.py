"""Parsing and validating teacher-development records for import (no Streamlit, no writes).

The importer calls :func:`parse_development` and :func:`parse_deficits` on a DataFrame read
from a file (any dtype, text from CSV/Excel) and gets back a clean frame with the columns
of ``teacher_development`` / ``teacher_deficits`` plus a table of problems. Rows with a
problem are left out of the clean frame; the caller decides whether to reject the file.

Problem codes (for messages in the UI catalogue): missing_column, empty, not_integer,
negative, not_number, out_of_range, exceeds_total, exceeds_diagnosed, bad_round,
duplicate, unknown_subject, unknown_topic.
"""
from __future__ import annotations

import pandas as pd

DEVELOPMENT_COLUMNS = (
    "school_id", "year", "round", "subject_id", "teachers_total", "teachers_diagnosed", "diagnostic_mean",
    "teachers_level_rose", "teachers_with_route", "teachers_trained", "teachers_in_consultations",
    "teachers_in_mentoring",
)
DEFICIT_COLUMNS = ("school_id", "year", "round", "subject_id", "topic_id", "teachers_with_deficit")
KEY = ("school_id", "year", "round", "subject_id")
OPTIONAL = {"diagnostic_mean", "teachers_level_rose"}
# Counts that cannot exceed the number of teachers of the subject.
PART_OF_TOTAL = ("teachers_diagnosed", "teachers_with_route", "teachers_trained",
                 "teachers_in_consultations", "teachers_in_mentoring")

# Russian headers seen in regional forms -> column names.
ALIASES = {
    "код оо": "school_id", "код школы": "school_id", "год": "year", "этап": "round", "раунд": "round",
    "предмет": "subject_id", "код предмета": "subject_id", "всего учителей": "teachers_total",
    "учителей всего": "teachers_total", "прошли диагностику": "teachers_diagnosed",
    "средний балл диагностики": "diagnostic_mean", "уровень повысился": "teachers_level_rose",
    "с иом": "teachers_with_route", "с индивидуальным маршрутом": "teachers_with_route",
    "прошли курсы": "teachers_trained", "в консультациях": "teachers_in_consultations",
    "в наставничестве": "teachers_in_mentoring", "тема": "topic_id", "код темы": "topic_id",
    "учителей с дефицитом": "teachers_with_deficit",
}


def _normalise_headers(frame: pd.DataFrame) -> pd.DataFrame:
    renamed = {}
    for column in frame.columns:
        name = str(column).strip().lstrip("\ufeff")
        renamed[column] = ALIASES.get(name.lower(), name)
    return frame.rename(columns=renamed)


def _text(series: pd.Series) -> pd.Series:
    """Codes as text: keep leading zeros, drop a spreadsheet's trailing '.0'."""
    return series.map(lambda v: None if pd.isna(v) or str(v).strip() == "" else
                      str(v).strip().removesuffix(".0") if isinstance(v, float) else str(v).strip())


def _number(series: pd.Series) -> pd.Series:
    """Numbers from text with decimal commas and (non-breaking) spaces as thousands."""
    cleaned = series.map(lambda v: v if not isinstance(v, str) else
                         v.replace("\u00a0", "").replace(" ", "").replace(",", ".").strip() or None)
    return pd.to_numeric(cleaned, errors="coerce")


class _Checker:
    def __init__(self, frame: pd.DataFrame):
        self.frame = frame
        self.problems: list[dict] = []

    def add(self, mask: pd.Series, column: str, code: str) -> None:
        for index in self.frame.index[mask.fillna(False).to_numpy(dtype=bool)]:
            value = self.frame.at[index, column] if column in self.frame else None
            # Row numbers as in the file: header is line 1.
            self.problems.append(dict(row=int(index) + 2, column=column, problem=code,
                                      value=None if pd.isna(value) else str(value)))

    def integers(self, columns, raw: pd.DataFrame, optional=frozenset()) -> None:
        for column in columns:
            missing = raw[column].isna() | (raw[column].astype(str).str.strip() == "")
            number = _number(raw[column])
            if column not in optional:
                self.add(missing, column, "empty")
            self.add(~missing & (number.isna() | (number % 1 != 0)), column, "not_integer")
            self.add(number < 0, column, "negative")
            self.frame[column] = number.where(number % 1 == 0).astype("Int64")

    def result(self, columns) -> tuple[pd.DataFrame, pd.DataFrame]:
        problems = pd.DataFrame(self.problems, columns=["row", "column", "problem", "value"])
        bad_rows = set(problems["row"] - 2)
        clean = self.frame.loc[[i for i in self.frame.index if i not in bad_rows], list(columns)]
        return clean.reset_index(drop=True), problems.sort_values(["row", "column"]).reset_index(drop=True)


def _start(frame: pd.DataFrame, columns, optional=frozenset()) -> tuple[_Checker, pd.DataFrame] | None:
    raw = _normalise_headers(frame.reset_index(drop=True))
    missing = [c for c in columns if c not in raw.columns and c not in optional]
    checker = _Checker(raw.copy())
    if missing:
        checker.problems = [dict(row=1, column=c, problem="missing_column", value=None) for c in missing]
        return checker, raw
    for column in optional:
        if column not in raw.columns:
            raw[column] = None
            checker.frame[column] = None
    for column in ("school_id", "subject_id", "topic_id"):
        if column in raw.columns:
            checker.frame[column] = _text(raw[column])
            checker.add(checker.frame[column].isna(), column, "empty")
    return checker, raw


def parse_development(frame: pd.DataFrame, subjects: set[str] | None = None
                      ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Validate ``teacher_development`` records; returns (clean rows, problems).

    Problems: one row per (file row, column, problem code, value)."""
    checker, raw = _start(frame, DEVELOPMENT_COLUMNS, OPTIONAL)
    if checker.problems and checker.problems[0]["problem"] == "missing_column":
        return pd.DataFrame(columns=list(DEVELOPMENT_COLUMNS)), pd.DataFrame(checker.problems)
    counts = ["year", "round", "teachers_total", *PART_OF_TOTAL, "teachers_level_rose"]
    checker.integers(counts, raw, optional=OPTIONAL)
    f = checker.frame
    checker.add(~f["round"].isin([1, 2]) & f["round"].notna(), "round", "bad_round")
    checker.add((f["year"] < 2000) | (f["year"] > 2100), "year", "out_of_range")
    for column in PART_OF_TOTAL:
        checker.add(f[column] > f["teachers_total"], column, "exceeds_total")
    checker.add(f["teachers_level_rose"] > f["teachers_diagnosed"], "teachers_level_rose", "exceeds_diagnosed")
    mean_given = raw["diagnostic_mean"].notna() & (raw["diagnostic_mean"].astype(str).str.strip() != "")
    mean = _number(raw["diagnostic_mean"])
    checker.add(mean_given & mean.isna(), "diagnostic_mean", "not_number")
    checker.add((mean < 0) | (mean > 100), "diagnostic_mean", "out_of_range")
    f["diagnostic_mean"] = mean
    if subjects is not None:
        checker.add(f["subject_id"].notna() & ~f["subject_id"].isin(subjects), "subject_id", "unknown_subject")
    checker.add(f.duplicated(list(KEY), keep="first") & f[list(KEY)].notna().all(axis=1), "school_id", "duplicate")
    return checker.result(DEVELOPMENT_COLUMNS)


def parse_deficits(frame: pd.DataFrame, topics: pd.DataFrame | None = None,
                   development: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Validate ``teacher_deficits`` records against the topic catalogue (subject_id, topic_id)
    and, when given, the development rows of the same school × year × round × subject
    (no more teachers with a deficit than teachers diagnosed)."""
    checker, raw = _start(frame, DEFICIT_COLUMNS)
    if checker.problems and checker.problems[0]["problem"] == "missing_column":
        return pd.DataFrame(columns=list(DEFICIT_COLUMNS)), pd.DataFrame(checker.problems)
    checker.integers(["year", "round", "teachers_with_deficit"], raw)
    f = checker.frame
    checker.add(~f["round"].isin([1, 2]) & f["round"].notna(), "round", "bad_round")
    if topics is not None:
        known = set(zip(topics["subject_id"], topics["topic_id"]))
        unknown = pd.Series([(s, t) not in known for s, t in zip(f["subject_id"], f["topic_id"])], index=f.index)
        checker.add(unknown & f["topic_id"].notna(), "topic_id", "unknown_topic")
    if development is not None and not development.empty:
        diagnosed = development.set_index(list(KEY))["teachers_diagnosed"]
        keys = list(zip(f["school_id"], f["year"], f["round"], f["subject_id"]))
        limit = pd.Series([diagnosed.get(k, pd.NA) for k in keys], index=f.index, dtype="Int64")
        checker.add(f["teachers_with_deficit"] > limit, "teachers_with_deficit", "exceeds_diagnosed")
    checker.add(f.duplicated([*KEY, "topic_id"], keep="first") & f[[*KEY, "topic_id"]].notna().all(axis=1),
                "topic_id", "duplicate")
    return checker.result(DEFICIT_COLUMNS)
