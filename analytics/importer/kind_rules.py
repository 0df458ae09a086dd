"""Each kind's own rules (spec.toml kinds): what a file of that kind must satisfy beyond the
declared types and ranges, and what it computes before storing (shares → counts, student rows →
results, distances of mentor pairs, the scale of targets)."""
from __future__ import annotations

import importlib

import numpy as np
import pandas as pd

from analytics.config import load_settings
from analytics.importer.aggregation import aggregate_students, shares_to_counts
from analytics.importer.validation import check_years, row_rule


SHARE_TOLERANCE = 0.02        # shares of one group must sum to 1 within ±2 p.p. (rounded files)



def _normalise_shares(typed: pd.DataFrame, group_columns: list[str], percent: dict[str, pd.Series]) -> str:
    """Detect 0–1 or 0–100 for a group of share columns (any value above 1 or a % sign → 0–100)."""
    values = typed[group_columns]
    as_percent = bool((values > 1).any().any()) or any(bool(percent[c].any()) for c in group_columns if c in percent)
    if as_percent:
        typed[group_columns] = values / 100
    return "0–100" if as_percent else "0–1"


def _results_rules(prepared, spec, typed, header, context, issues, percent) -> pd.DataFrame | None:
    frame = typed
    check_years(frame, header, issues)
    marked = frame["procedure"].isin(["VPR", "OGE"]).fillna(False).astype(bool)
    ege = frame["procedure"].eq("EGE").fillna(False).astype(bool)
    # Shares → counts, per group.
    for group, counts in (("marks", ["n2", "n3", "n4", "n5"]), ("journal", ["n_lower", "n_confirmed", "n_higher"])):
        share_columns = [c.name for c in spec.columns if c.group == group and c.name in frame]
        if not share_columns:
            continue
        present_counts = [c for c in counts if c in frame]
        if present_counts:
            issues.add_file("shares_and_counts", columns=", ".join(header.titles[c] for c in share_columns))
            return None
        if len(share_columns) != len(counts):
            have = {spec.column(c).share_of for c in share_columns}
            for c in counts:
                if c not in have:
                    issues.add_file("missing_column", column=spec.column(c).title,
                                    synonyms=", ".join(spec.column(s.name).title for s in spec.columns
                                                       if s.share_of == c))
            return None
        prepared.share_scales[group] = _normalise_shares(frame, share_columns, percent)
        sums = frame[share_columns].sum(axis=1, min_count=len(share_columns))
        off = sums.notna() & ((sums - 1).abs() > SHARE_TOLERANCE)
        first = header.titles[share_columns[0]]
        if off.any():
            issues.add(off.index[off], first, (sums[off] * 100).round(1).tolist(), "shares_sum")
        out = frame[share_columns].lt(0).any(axis=1) | frame[share_columns].gt(1).any(axis=1)
        row_rule(issues, frame, out, header, share_columns[0], "share_range")
        ok = sums.notna() & ~off & ~out & frame["participants"].notna()
        counts_frame = shares_to_counts(frame.loc[ok, share_columns], frame.loc[ok, "participants"])
        for share_name, count_name in zip(share_columns, counts):
            column = pd.Series(pd.NA, index=frame.index, dtype="Int64")
            column.loc[ok] = counts_frame[share_name].to_numpy()
            frame[count_name] = column
            header.titles.setdefault(count_name, header.titles[share_name])
    marks = ["n2", "n3", "n4", "n5"]
    if marked.any() and not all(m in frame for m in marks):
        for m in marks:
            if m not in frame:
                issues.add_file("missing_column", column=spec.column(m).title,
                                synonyms=", ".join(spec.column(m).synonyms[:2]))
        return None
    if ege.any() and "mean_score" not in frame:
        issues.add_file("missing_column", column=spec.column("mean_score").title,
                        synonyms=", ".join(spec.column("mean_score").synonyms[:3]))
        return None
    if marked.any():
        empty = marked & frame[marks].isna().any(axis=1) & frame[marks].notna().any(axis=1)
        row_rule(issues, frame, empty, header, marks[0], "required_empty")
        no_marks = marked & frame[marks].isna().all(axis=1)
        row_rule(issues, frame, no_marks, header, marks[0], "required_empty")
        total = frame[marks].sum(axis=1, min_count=4)
        wrong = marked & total.notna() & frame["participants"].notna() & (total != frame["participants"])
        frame["_marks_total"] = total
        row_rule(issues, frame, wrong, header, "participants", "marks_sum", value_column="participants",
                  total=None)
        if wrong.any():
            issues.frames[-1]["params"] = [{"total": int(t)} for t in total[wrong]]
        del frame["_marks_total"]
    if ege.any():
        row_rule(issues, frame, ege & frame["mean_score"].isna(), header, "mean_score", "required_empty")
    for part in ("n_below_min", "n_high"):
        if part in frame:
            row_rule(issues, frame, frame[part] > frame["participants"], header, part, "exceeds_participants")
    journal = [c for c in ("n_lower", "n_confirmed", "n_higher") if c in frame]
    if journal:
        total = frame[journal].sum(axis=1, min_count=1)
        row_rule(issues, frame, total > frame["participants"], header, journal[0], "exceeds_participants")
    # Mark counts belong to ВПР/ОГЭ only, scores to ЕГЭ only.
    for m in marks:
        if m in frame:
            frame.loc[ege, m] = pd.NA
    for c in ("mean_score", "score_sd", "n_below_min", "n_high"):
        if c in frame:
            frame.loc[marked, c] = pd.NA
    return frame


def _student_rules(prepared, spec, typed, header, context, issues, percent) -> pd.DataFrame | None:
    frame = typed
    check_years(frame, header, issues)
    marked = frame["procedure"].isin(["VPR", "OGE"]).fillna(False).astype(bool)
    ege = frame["procedure"].eq("EGE").fillna(False).astype(bool)
    if marked.any() and "mark" not in frame:
        issues.add_file("missing_column", column=spec.column("mark").title,
                        synonyms=", ".join(spec.column("mark").synonyms[:3]))
    if ege.any() and "score" not in frame:
        issues.add_file("missing_column", column=spec.column("score").title,
                        synonyms=", ".join(spec.column("score").synonyms[:3]))
    if issues:
        return None
    if marked.any():
        row_rule(issues, frame, marked & frame["mark"].isna(), header, "mark", "required_empty")
    if ege.any():
        row_rule(issues, frame, ege & frame["score"].isna(), header, "score", "required_empty")
    if "student_id" in frame:
        keys = ["student_id", "year", "procedure", "subject_id"]
        dup = frame["student_id"].notna() & frame.duplicated(keys, keep="first")
        if dup.any():
            issues.add(dup.index[dup], header.titles["student_id"], "•••", "duplicate_student")
    # Unknown schools are checked on student rows (so the report points at the file's rows).
    if "school_id" in frame:
        unknown = frame["school_id"].notna() & ~frame["school_id"].isin(context.school_ids())
        if unknown.any():
            issues.add(unknown.index[unknown], header.titles["school_id"], frame.loc[unknown, "school_id"].tolist(),
                       "unknown_school")
            issues.frames[-1]["params"] = [{"hint": context.leading_zero_hint(v)}
                                           for v in issues.frames[-1]["value"]]
    if issues:
        return None
    return aggregate_students(frame, context.min_scores())


def _lists_rules(prepared, spec, typed, header, context, issues, percent):
    return typed


def _risk_rules(prepared, spec, typed, header, context, issues, percent):
    typed["catalogue_id"] = context.catalogue_id
    return typed


def _mentor_rules(prepared, spec, typed, header, context, issues, percent):
    same = typed["mentor_school_id"].eq(typed["mentee_school_id"]).fillna(False)
    row_rule(issues, typed, same, header, "mentee_school_id", "mentor_is_mentee")
    if "agreement_date" in typed:
        today = load_settings().today
        future = pd.to_datetime(typed["agreement_date"], errors="coerce") > pd.Timestamp(today)
        row_rule(issues, typed, future, header, "agreement_date", "date_future", today=today.strftime("%d.%m.%Y"))
    coords = context.school_coords()
    a = typed[["mentor_school_id"]].merge(coords, left_on="mentor_school_id", right_index=True, how="left")
    b = typed[["mentee_school_id"]].merge(coords, left_on="mentee_school_id", right_index=True, how="left")
    computed = pd.Series(haversine_km(a["lat"], a["lon"], b["lat"], b["lon"]), index=typed.index).round(1)
    if "straight_km" not in typed:
        typed["straight_km"] = pd.Series(pd.NA, index=typed.index, dtype="Float64")
    typed["straight_km"] = typed["straight_km"].astype("Float64").fillna(computed.astype("Float64"))
    if "road_km" in typed:
        shorter = typed["road_km"] < typed["straight_km"] * 0.95
        row_rule(issues, typed, shorter, header, "road_km", "road_shorter")
    return typed


def haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    lat1, lon1, lat2, lon2 = (np.radians(pd.to_numeric(x, errors="coerce").to_numpy(dtype=float))
                              for x in (lat1, lon1, lat2, lon2))
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.sqrt(h))


def _kpi_rules(prepared, spec, typed, header, context, issues, percent):
    count_targets = set(spec.extra.get("count_targets", ()))
    if "direction" not in typed:
        typed["direction"] = "at_least"
    typed["direction"] = typed["direction"].fillna("at_least")
    if "target_high" not in typed:
        typed["target_high"] = pd.Series(pd.NA, index=typed.index, dtype="Float64")
    share = ~typed["target_id"].isin(count_targets).fillna(False)
    values = typed.loc[share, ["target_low", "target_high"]]
    as_percent = bool((values > 1).any().any())
    prepared.share_scales["target"] = "0–100" if as_percent else "0–1"
    if as_percent:
        typed.loc[share, ["target_low", "target_high"]] = values / 100
    out = share & ((typed["target_low"] < 0) | (typed["target_low"] > 1) | (typed["target_high"] > 1))
    row_rule(issues, typed, out, header, "target_low", "share_range")
    row_rule(issues, typed, typed["target_low"] < 0, header, "target_low", "negative")
    row_rule(issues, typed, typed["target_high"] < typed["target_low"], header, "target_high", "high_below_low")
    known = context.scope_ids()
    unknown = ~pd.Series([(lvl, sid) in known for lvl, sid in zip(typed["scope_level"], typed["scope_id"])],
                         index=typed.index)
    row_rule(issues, typed, unknown & typed["scope_level"].notna(), header, "scope_id", "unknown_scope")
    return typed


def _teacher_rules(prepared, spec, typed, header, context, issues, percent):
    total = typed["teachers_total"]
    for part in ("teachers_diagnosed", "teachers_with_route", "teachers_trained", "teachers_in_consultations",
                 "teachers_in_mentoring"):
        row_rule(issues, typed, typed[part] > total, header, part, "exceeds_total")
    if "teachers_level_rose" in typed:
        row_rule(issues, typed, typed["teachers_level_rose"] > typed["teachers_diagnosed"], header,
                  "teachers_level_rose", "exceeds_diagnosed")
    return typed


def _schools_rules(prepared, spec, typed, header, context, issues, percent):
    if "short_name" not in typed:
        typed["short_name"] = typed["name"]
    typed["short_name"] = typed["short_name"].fillna(typed["name"])
    if "lat" in typed or "lon" in typed:
        for name in ("lat", "lon"):
            if name not in typed:
                typed[name] = pd.Series(pd.NA, index=typed.index, dtype="Float64")
        half = typed["lat"].isna() != typed["lon"].isna()
        present = "lat" if typed["lat"].notna().any() else "lon"
        row_rule(issues, typed, half, header, present, "coords_pair")
    return typed


# Rules of a kind that belongs to a computation above the importer are named, not imported: the
# importer (files and storage) does not depend on the computations that use its data.
RULES_ELSEWHERE = {"engagement_reviews": "analytics.engagement_reviews:import_rules"}

KIND_RULES = {
    "results": _results_rules, "student_results": _student_rules, "school_lists": _lists_rules,
    "risk_profiles": _risk_rules, "mentor_pairs": _mentor_rules, "kpi_targets": _kpi_rules,
    "teacher_development": _teacher_rules, "schools": _schools_rules,
}


def rules_of(kind: str):
    """The kind's own row rules: (prepared, spec, typed, header, context, issues, percent signs) →
    the frame to store, or None when a file-level problem was found; None for a kind without rules."""
    if kind in RULES_ELSEWHERE:
        module, _, name = RULES_ELSEWHERE[kind].partition(":")
        return getattr(importlib.import_module(module), name)
    return KIND_RULES.get(kind)
