"""The grain an import stores: student rows → one results row per school × year × procedure ×
subject × grade (both paths finish with ``finish_student_aggregate``), shares → counts, and the
mean and SD of groups combined from their parts (the DuckDB path's raw-text groups)."""
from __future__ import annotations

import numpy as np
import pandas as pd


def aggregate_students(frame: pd.DataFrame, min_scores: dict[str, int]) -> pd.DataFrame:
    """Student rows → one results row per school × year × procedure × subject × grade.

    Counts of marks 2–5 (ВПР, ОГЭ); ЕГЭ mean, sample SD (n ≥ 2), below the subject's
    minimum and 81–100; ВПР mark vs journal mark (lower / equal / higher)."""
    keys = ["school_id", "year", "procedure", "subject_id", "grade"]
    work = pd.DataFrame({k: frame[k] for k in keys})
    mark = frame["mark"] if "mark" in frame else pd.Series(pd.NA, index=frame.index, dtype="Int64")
    score = frame["score"].astype("Float64") if "score" in frame else pd.Series(pd.NA, index=frame.index, dtype="Float64")
    is_ege = frame["procedure"].eq("EGE")
    for k in (2, 3, 4, 5):
        work[f"n{k}"] = (mark == k).fillna(False).astype(int)
    work["score"] = score.where(is_ege)
    minimum = frame["subject_id"].map(min_scores).astype("Float64")
    work["below"] = ((score < minimum) & is_ege).fillna(False).astype(int)
    work["high"] = ((score >= 81) & is_ege).fillna(False).astype(int)
    if "journal_mark" in frame:
        journal = frame["journal_mark"]
        known = journal.notna() & mark.notna() & frame["procedure"].eq("VPR")
        work["lower"] = (known & (mark < journal)).fillna(False).astype(int)
        work["confirmed"] = (known & (mark == journal)).fillna(False).astype(int)
        work["higher"] = (known & (mark > journal)).fillna(False).astype(int)
        work["journal_known"] = known.astype(int)
    grouped = work.groupby(keys, sort=True, observed=True, dropna=False)
    out = grouped.agg(participants=("n2", "size"), n2=("n2", "sum"), n3=("n3", "sum"), n4=("n4", "sum"),
                      n5=("n5", "sum"), mean_score=("score", "mean"), score_sd=("score", "std"),
                      n_below_min=("below", "sum"), n_high=("high", "sum"))
    if "journal_mark" in frame:
        journal_sums = grouped.agg(n_lower=("lower", "sum"), n_confirmed=("confirmed", "sum"),
                                   n_higher=("higher", "sum"), journal_known=("journal_known", "sum"))
        out = out.join(journal_sums)
    return finish_student_aggregate(out.reset_index())


def finish_student_aggregate(out: pd.DataFrame) -> pd.DataFrame:
    """Group sums → stored values: marks only for ВПР/ОГЭ, scores only for ЕГЭ (1 decimal),
    journal comparisons only where some journal mark was known."""
    ege = out["procedure"].eq("EGE")
    for k in ("n2", "n3", "n4", "n5"):
        out[k] = out[k].astype("Int64").mask(ege)
    for k in ("n_below_min", "n_high"):
        out[k] = out[k].astype("Int64").mask(~ege)
    out["mean_score"] = out["mean_score"].astype("Float64").round(1).mask(~ege)
    out["score_sd"] = out["score_sd"].astype("Float64").round(1).mask(~ege)
    if "journal_known" in out:
        none = out["journal_known"].eq(0)
        for k in ("n_lower", "n_confirmed", "n_higher"):
            out[k] = out[k].astype("Int64").mask(none)
        out = out.drop(columns="journal_known")
    return out


def shares_to_counts(shares: pd.DataFrame, total: pd.Series) -> pd.DataFrame:
    """Counts from shares by the largest remainder, so the counts sum exactly to ``total``."""
    exact = shares.to_numpy(dtype=float, na_value=0.0) * total.to_numpy(dtype=float, na_value=0.0)[:, None]
    floor = np.floor(exact)
    remainder = exact - floor
    missing = (total.to_numpy(dtype=float, na_value=0.0) - floor.sum(axis=1)).round().astype(int)
    order = np.argsort(-remainder, axis=1, kind="stable")
    add = np.zeros_like(floor)
    for k in range(shares.shape[1]):
        take = missing > k
        add[np.arange(len(floor))[take], order[take, k]] += 1
    return pd.DataFrame((floor + add).astype(int), index=shares.index, columns=shares.columns)


def combine_scores(out: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Mean and sample SD of each final group from its raw-text groups (n, sum, SD each); a final
    group of one raw group keeps DuckDB's own SD."""
    n, total, sd = out["_s_n"].astype(float), out["_s_sum"].astype(float), out["_s_sd"].astype(float)
    mean_i = total / n.where(n > 0)
    m2_i = (sd.fillna(0.0) ** 2) * (n - 1).clip(lower=0)
    frame = pd.DataFrame({k: out[k] for k in keys})
    frame["n"], frame["total"], frame["m2"], frame["mean_i"], frame["sd"] = n, total, m2_i, mean_i, sd
    grouped = frame.groupby(keys, sort=True)
    count = grouped["n"].sum()
    mean = grouped["total"].sum() / count.where(count > 0)
    frame["mean"] = grouped["total"].transform("sum") / grouped["n"].transform("sum").where(lambda x: x > 0)
    frame["spread"] = frame["m2"] + frame["n"] * (frame["mean_i"] - frame["mean"]) ** 2
    spread = frame.groupby(keys, sort=True)["spread"].sum(min_count=1)
    parts = grouped.size()
    single_sd = grouped["sd"].first()
    sd_out = np.sqrt(spread / (count - 1).where(count > 1))
    sd_out = sd_out.where(parts > 1, single_sd.where(count > 1))
    return pd.DataFrame({"mean_score": mean, "score_sd": sd_out})
