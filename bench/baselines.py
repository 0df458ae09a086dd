"""Pandas baselines: what a competent analyst would write for the same results — read the
needed columns into pandas through Arrow, then vectorised groupby (no Python loops over rows). They return the same figures as the project's
functions (checked by ``bench.analytics_ops`` on every run)."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from analytics.indicators import INDICATORS, VARIANCE_NOISE, Z95
from bench.expert import arrow_frame

COUNTS = ["n2", "n3", "n4", "n5", "n_below_min", "n_high", "n_lower", "n_confirmed", "n_higher"]


def _wilson(value, n, z=Z95):
    centre = value + z * z / (2 * n)
    half = z * np.sqrt(value * (1 - value) / n + z * z / (4 * n * n))
    return (centre - half) / (1 + z * z / n), (centre + half) / (1 + z * z / n)


def _indicator_rows(sums: pd.DataFrame, keys: list[str], codes=None) -> pd.DataFrame:
    """From summed count columns (plus n_<presence> and ЕГЭ moments) to one row per indicator."""
    parts = []
    for ind in INDICATORS:
        if codes is not None and ind.code not in codes:
            continue
        rows = sums[sums["procedure"].isin(ind.procedures)]
        if ind.code == "ege_mean":
            n, s1, s2 = rows["n_mean_score"], rows["ege_s1"], rows["ege_s2"]
        else:
            n = rows["n_" + ind.weights[0][0]]
            s1 = sum(wt * rows[col] for col, wt in ind.weights)
            s2 = sum(wt * wt * rows[col] for col, wt in ind.weights)
        part = rows[keys].assign(indicator=ind.code, kind=ind.kind, n=n, s1=s1, s2=s2)
        parts.append(part[part["n"] > 0])
    frame = pd.concat(parts, ignore_index=True)
    frame["value"] = frame["s1"] / frame["n"]
    spread = frame["s2"] - frame["s1"] ** 2 / frame["n"]
    variance = spread.where(spread > VARIANCE_NOISE * frame["s2"], 0.0) / (frame["n"] - 1)
    share = frame["kind"] == "share"
    frame["se"] = np.where(share, np.sqrt(frame["value"] * (1 - frame["value"]) / frame["n"]),
                           np.sqrt(variance / frame["n"]))
    low, high = _wilson(frame["value"], frame["n"])
    frame["ci_low"] = np.where(share, low, frame["value"] - Z95 * np.sqrt(variance / frame["n"]))
    frame["ci_high"] = np.where(share, high, frame["value"] + Z95 * np.sqrt(variance / frame["n"]))
    frame["enough"] = frame["n"] >= 10
    return frame


def _with_presence(rows: pd.DataFrame) -> pd.DataFrame:
    for col in COUNTS + ["mean_score"]:
        rows["n_" + col] = rows["participants"].where(rows[col].notna())
    rows["ege_s1"] = rows["mean_score"] * rows["participants"]
    rows["ege_s2"] = ((rows["participants"] - 1) * rows["score_sd"].fillna(0) ** 2
                      + rows["participants"] * rows["mean_score"] ** 2)
    return rows


def school_indicators(con, year: int) -> pd.DataFrame:
    rows = arrow_frame(con, "SELECT school_id, procedure, participants, mean_score, score_sd, "
                       + ", ".join(COUNTS) + " FROM results WHERE year = ? AND participants > 0", [year])
    rows = _with_presence(rows)
    sums = rows.drop(columns=["mean_score", "score_sd"]).groupby(["school_id", "procedure"], as_index=False).sum(
        min_count=1)
    return _indicator_rows(sums, ["school_id", "procedure"]).sort_values(["school_id", "procedure", "indicator"])


def _quality_by_school_year(con, first: int, last: int) -> pd.DataFrame:
    rows = arrow_frame(con, "SELECT school_id, year, participants, n4, n5 FROM results "
                       "WHERE procedure = 'VPR' AND year BETWEEN ? AND ? AND participants > 0", [first, last])
    g = rows.assign(s1=rows["n4"] + rows["n5"]).groupby(["school_id", "year"], as_index=False)[
        ["participants", "s1"]].sum()
    g = g.rename(columns={"participants": "n"})
    g["value"] = g["s1"] / g["n"]
    g["ci_low"], g["ci_high"] = _wilson(g["value"], g["n"])
    return g


def quality_changes(con, year: int) -> pd.DataFrame:
    g = _quality_by_school_year(con, year - 1, year)
    cur, prev = g[g["year"] == year], g[g["year"] == year - 1]
    m = cur.merge(prev, on="school_id", how="left", suffixes=("", "_prev"))
    m["delta"] = m["value"] - m["value_prev"]
    m["delta_low"] = m["delta"] - np.sqrt((m["value"] - m["ci_low"]) ** 2 + (m["ci_high_prev"] - m["value_prev"]) ** 2)
    m["delta_high"] = m["delta"] + np.sqrt((m["ci_high"] - m["value"]) ** 2 + (m["value_prev"] - m["ci_low_prev"]) ** 2)
    enough = (m["n"] >= 10) & (m["n_prev"] >= 10)
    m["change_verdict"] = np.select([~enough | m["delta_low"].isna(), m["delta_low"] > 0, m["delta_high"] < 0],
                                    ["insufficient", "improved", "declined"], "no_change")
    # Small numbers: no value below 10 participants, no change unless both sides have 10.
    m["value"] = m["value"].where(m["n"] >= 10)
    m["delta"] = m["delta"].where(enough)
    return m


def quality_trends(con, first: int, last: int) -> pd.DataFrame:
    g = _quality_by_school_year(con, first, last)
    g = g[g["n"] >= 10]
    p = (g["s1"] + 2) / (g["n"] + 4)
    g = g.assign(x=g["year"] - 2000.0, y=g["value"], w=1.0 / (p * (1 - p) / (g["n"] + 4)))
    g = g.assign(wx=g["w"] * g["x"], wy=g["w"] * g["y"], wxx=g["w"] * g["x"] ** 2, wxy=g["w"] * g["x"] * g["y"],
                 wyy=g["w"] * g["y"] ** 2)
    s = g.groupby("school_id").agg(years=("x", "size"), sw=("w", "sum"), sx=("wx", "sum"), sy=("wy", "sum"),
                                    sxx=("wxx", "sum"), sxy=("wxy", "sum"), syy=("wyy", "sum"))
    s = s[s["years"] >= 3]
    sxx = s["sxx"] - s["sx"] ** 2 / s["sw"]
    sxy = s["sxy"] - s["sx"] * s["sy"] / s["sw"]
    syy = s["syy"] - s["sy"] ** 2 / s["sw"]
    s = s[sxx > 0].assign(slope=sxy / sxx)
    phi = np.maximum(1.0, (syy - sxy ** 2 / sxx).clip(lower=0) / (s["years"] - 2))
    s["slope_se"] = np.sqrt(phi / sxx)
    return s.reset_index()


def composite_index(con, year_from: int, year_to: int, params: dict) -> pd.DataFrame:
    """The results index per school × year (same definition as analytics.composite)."""
    c = params["composite"]
    rows = arrow_frame(con, "SELECT school_id, year, procedure, subject_id, participants, n2, n3, n4, n5, n_below_min "
                       "FROM results WHERE year BETWEEN ? AND ? AND participants > 0", [year_from, year_to])
    schools = arrow_frame(con, "SELECT s.school_id, s.municipality_id, m.region_id FROM schools s "
                          "JOIN municipalities m USING (municipality_id)")
    core = ((rows["procedure"] == "VPR") & rows["subject_id"].isin(c["vpr_subjects"])) | \
           ((rows["procedure"] == "OGE") & rows["subject_id"].isin(c["oge_subjects"])) | \
           ((rows["procedure"] == "EGE") & rows["subject_id"].isin(c["ege_subjects"]))
    rows = rows[core]
    vpr, oge, ege = (rows["procedure"] == p for p in ("VPR", "OGE", "EGE"))
    rows = rows.assign(vpr_n=rows["participants"].where(vpr), vpr_n2=rows["n2"].where(vpr),
                       vpr_sou_sum=(rows["n5"] + 0.64 * rows["n4"] + 0.36 * rows["n3"] + 0.16 * rows["n2"]).where(vpr),
                       vpr_sou_sq=(rows["n5"] + 0.4096 * rows["n4"] + 0.1296 * rows["n3"]
                                   + 0.0256 * rows["n2"]).where(vpr),
                       oge_n=rows["participants"].where(oge), oge_n2=rows["n2"].where(oge),
                       ege_n=rows["participants"].where(ege), ege_below_n=rows["n_below_min"].where(ege))
    per = rows.groupby(["school_id", "year"], as_index=False)[
        ["participants", "vpr_n", "vpr_n2", "vpr_sou_sum", "vpr_sou_sq", "oge_n", "oge_n2", "ege_n",
         "ege_below_n"]].sum(min_count=1)
    per = per.rename(columns={"participants": "n_core"}).merge(schools, on="school_id")
    comps = {"vpr_share2": ("vpr_n", -per["vpr_n2"] / per["vpr_n"]), "vpr_sou": ("vpr_n", per["vpr_sou_sum"] / per["vpr_n"]),
             "oge_share2": ("oge_n", -per["oge_n2"] / per["oge_n"]),
             "ege_below": ("ege_n", -per["ege_below_n"] / per["ege_n"])}
    weights, min_n = c["weights"], int(c["min_component_n"])
    zsum = pd.Series(0.0, index=per.index)
    wsum = pd.Series(0.0, index=per.index)
    for name, (n_col, value) in comps.items():
        ok = per[n_col] >= min_n
        if name == "ege_below":
            ok &= per["ege_below_n"].notna()
        part = pd.DataFrame({"region_id": per["region_id"], "year": per["year"], "n": per[n_col], "v": value})[ok]
        part["nv"] = part["n"] * part["v"]
        grp = part.groupby(["region_id", "year"])
        mu = grp["nv"].transform("sum") / grp["n"].transform("sum")
        part["d2"] = part["n"] * (part["v"] - mu) ** 2
        sd = np.sqrt(part.groupby(["region_id", "year"])["d2"].transform("sum") / grp["n"].transform("sum"))
        z = ((part["v"] - mu) / sd).where(sd > 0)
        per["z_" + name] = z
        w = float(weights.get(name, 0.0))
        if w > 0:
            zsum = zsum.add((w * z).fillna(0), fill_value=0)
            wsum = wsum.add(z.notna().astype(float) * w, fill_value=0)
    per["composite"] = (zsum / wsum.replace(0, np.nan)).where(per["n_core"] >= int(c["min_participants"]))
    per = per.sort_values(["region_id", "year", "composite", "school_id"])
    per["rank_from_bottom"] = per.groupby(["region_id", "year"]).cumcount() + 1
    per["rank_from_bottom"] = per["rank_from_bottom"].where(per["composite"].notna())
    per["n_ranked"] = per.groupby(["region_id", "year"])["composite"].transform("count")
    per["vpr_share2"] = per["vpr_n2"] / per["vpr_n"]
    per["oge_share2"] = per["oge_n2"] / per["oge_n"]
    per["vpr_sou"] = per["vpr_sou_sum"] / per["vpr_n"]
    per["vpr_sou_sq"] = per["vpr_sou_sq"] / per["vpr_n"]
    per["ege_below_share"] = per["ege_below_n"] / per["ege_n"]
    per = per.sort_values(["region_id", "year", "school_id"]).reset_index(drop=True)
    if c.get("shrinkage", "none") == "empirical_bayes":
        # The shrinkage step is pandas in the product too (analytics/shrinkage.py): its own function.
        from analytics import shrinkage
        per = shrinkage.apply(per, params)
    return per


def vpr_higher(con, year: int) -> pd.DataFrame:
    rows = arrow_frame(con, "SELECT school_id, participants, n_higher FROM results "
                       "WHERE year = ? AND procedure = 'VPR' AND n_higher IS NOT NULL", [year])
    return rows.groupby("school_id", as_index=False).agg(vpr_all_n=("participants", "sum"),
                                                         n_higher=("n_higher", "sum"))


def roadmap_completion(con, year: int, as_of: dt.date) -> dict:
    u = arrow_frame(con, """SELECT u.due_date, u.status, u.completed_on, u.updated_at, r.period_end
                       FROM measure_status u JOIN measures USING (measure_id) JOIN roadmaps r USING (roadmap_id)""")
    due = u["due_date"].fillna(u["period_end"])
    u = u[pd.to_datetime(due).dt.year == year].assign(due=pd.to_datetime(due))
    done_on = pd.to_datetime(u["completed_on"]).fillna(pd.to_datetime(u["updated_at"]).dt.normalize()).fillna(u["due"])
    done_on = done_on.where(u["status"] == "done")
    at = pd.Timestamp(as_of)
    na = u["status"] == "not_applicable"
    done = ~na & (done_on <= at)
    planned = int((~na).sum())
    due_n = int((~na & (u["due"] <= at)).sum())
    return {"planned": planned, "done": int(done.sum()), "done_on_time": int((done & (done_on <= u["due"])).sum()),
            "due": due_n, "overdue": int((~na & ~done & (u["due"] < at)).sum()),
            "share_of_plan": done.sum() / planned if planned else float("nan")}


def risk_level_counts(con, year: int, catalogue_id: str) -> pd.DataFrame:
    p = arrow_frame(con, "SELECT factor_id, level FROM risk_profiles WHERE year = ? AND catalogue_id = ?",
                    [year, catalogue_id])
    table = p.groupby(["factor_id", "level"]).size().unstack(fill_value=0)
    table["schools"] = table.sum(axis=1)
    table["high_share"] = table["high"] / table["schools"]
    return table.reset_index()
