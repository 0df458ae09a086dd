"""The DuckDB path's groups of raw texts → the results rows to store (the same rows the pandas path's
``aggregation.aggregate_students`` gives for the same file)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.importer.aggregation import combine_scores, finish_student_aggregate
from analytics.importer.stream_pass import KEYS


def aggregate_groups(kept: pd.DataFrame, maps: dict, raw: dict, present: dict, min_scores: dict[str, int],
                     minimums: list[int]) -> pd.DataFrame:
    """The groups kept (raw key texts, counts) → results rows: texts parsed through the value maps,
    marks and journal comparisons of odd texts counted per group, groups meaning the same key added up."""
    out = pd.DataFrame({name: maps[name].lookup(raw[name], "value") for name in KEYS})
    out["year"] = out["year"].astype("int64")
    out["grade"] = out["grade"].astype("int64")
    out["participants"] = kept["n"].astype("int64")
    has_mark = "mark" in present
    has_journal = "journal_mark" in present
    n = kept["n"]
    if has_mark:
        odd_mark = kept["om"].notna()
        mark = pd.to_numeric(maps["mark"].lookup(kept["om"], "value"), errors="coerce")
        for k in (2, 3, 4, 5):
            out[f"n{k}"] = np.where(odd_mark, n.where(mark.eq(k), 0), kept[f"m{k}"]).astype("int64")
    else:
        for k in (2, 3, 4, 5):
            out[f"n{k}"] = 0
    if has_journal:
        odd_journal = kept["oj"].notna()
        journal = pd.to_numeric(maps["journal_mark"].lookup(kept["oj"], "value"), errors="coerce")
        plain = {"n_lower": kept.get("j_lower", 0), "n_confirmed": kept.get("j_equal", 0),
                 "n_higher": kept.get("j_higher", 0)}
        if has_mark:
            histogram = np.stack([kept[f"m{k}"].to_numpy() for k in (2, 3, 4, 5)], axis=1)
            marks = np.array([2, 3, 4, 5])
            both_fixed = odd_mark.to_numpy()
        for name, test in (("n_lower", np.less), ("n_confirmed", np.equal), ("n_higher", np.greater)):
            if not has_mark:
                out[name] = 0
                continue
            # a fixed mark and journal mark (odd mark): every row of the group compares the same
            fixed = np.where(test(mark.to_numpy(), journal.to_numpy()), n.to_numpy(), 0)
            # plain marks against one odd journal mark: from the group's counts of marks 2–5
            against = (histogram * test(marks[None, :], journal.to_numpy()[:, None])).sum(axis=1)
            out[name] = np.where(both_fixed, fixed, np.where(odd_journal, against, plain[name])).astype("int64")
        vpr = out["procedure"].eq("VPR")
        for name in ("n_lower", "n_confirmed", "n_higher"):
            out[name] = out[name].where(vpr, 0)
        out["journal_known"] = out["n_lower"] + out["n_confirmed"] + out["n_higher"]
    _scores(out, kept, maps, present, min_scores, minimums)
    keys = list(KEYS)
    sums = [c for c in out.columns if c not in keys and not c.startswith("_")]
    if out.duplicated(keys).any():         # texts written differently meaning the same key: add up
        grouped = out.groupby(keys, sort=True)
        result = grouped[[c for c in sums if c not in ("mean_score", "score_sd")]].sum()
        if "_s_n" in out:
            result[["mean_score", "score_sd"]] = combine_scores(out, keys)
        else:
            result["mean_score"] = np.nan
            result["score_sd"] = np.nan
        result = result.reset_index()
    else:
        result = out.sort_values(keys, kind="stable").reset_index(drop=True)
        if "_s_n" in result:
            count = result["_s_n"].astype(float)
            result["mean_score"] = result["_s_sum"] / count.where(count > 0)
            result["score_sd"] = result["_s_sd"].where(count > 1)
        else:
            result["mean_score"] = np.nan
            result["score_sd"] = np.nan
    ordered = keys + ["participants", "n2", "n3", "n4", "n5", "mean_score", "score_sd", "n_below_min", "n_high"]
    if has_journal:
        ordered += ["n_lower", "n_confirmed", "n_higher", "journal_known"]
    return finish_student_aggregate(result[ordered])


def _scores(out: pd.DataFrame, kept: pd.DataFrame, maps: dict, present: dict, min_scores: dict[str, int],
            minimums: list[int]) -> None:
    """ЕГЭ columns of each group: below the subject's minimum, 81–100, and n / sum / SD of the scores."""
    minimum = out["subject_id"].map(min_scores)
    if "score" not in present:
        out["n_below_min"] = 0
        out["n_high"] = 0
        return
    odd = kept["os"].notna()
    value = pd.to_numeric(maps["score"].lookup(kept["os"], "value"), errors="coerce") if "score" in maps \
        else pd.Series(np.nan, index=kept.index)
    n = kept["n"]
    below_plain = pd.Series(0, index=kept.index)
    for q in minimums:
        below_plain = below_plain.where(minimum.ne(q), kept[f"s_below_{q}"])
    out["n_below_min"] = np.where(odd, n.where(value < minimum, 0), below_plain).astype("int64")
    out["n_high"] = np.where(odd, n.where(value >= 81, 0), kept["s_high"]).astype("int64")
    has_value = odd & value.notna()
    out["_s_n"] = np.where(odd, n.where(has_value, 0), kept["s_n"]).astype("int64")
    out["_s_sum"] = np.where(odd, (n * value).where(has_value, 0.0), kept["s_sum"].fillna(0.0))
    out["_s_sd"] = np.where(odd, np.where(has_value, 0.0, np.nan), kept["s_sd"])
