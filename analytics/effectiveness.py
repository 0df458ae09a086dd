"""Did the support work? List dynamics against the programme's targets, and effect estimates.

Outcome of every estimate: the share of «2» in ВПР in the core subjects (Russian and
mathematics, all grades) of a school in a year — counts summed, a school-year with fewer
than ``min_n`` participants has none. Lower is better: an effect of −2 п.п. means two
percentage points fewer «2».

* **List dynamics** (:func:`list_dynamics`): per year listed / left / stayed / entered
  (:mod:`analytics.flows`), the list's reduction against «−25–30 % a year» and the share of
  last year's list that left against «≥ 60 %», each with a 95 % Wilson interval — a share of
  a dozen schools is uncertain and is shown so.
* **Regression discontinuity** (:func:`rd_estimate`): schools just below the identification
  cut-off (listed, supported) against those just above (not listed). Running variable: the
  worse of the school's percentile ranks (composite index, from the bottom) over the results
  years a list is built from — the identification rule «bottom share in each year» —
  centred at the cut that reproduces the list's size; each list year's first-time
  candidates (schools never listed before) pooled; outcome: the change from the year before the list to the year after.
  Listing does not follow the computed index exactly (the official list is the region's),
  so the design is fuzzy: ``rdrobust`` (local linear, MSE-optimal bandwidth, robust
  bias-corrected 95 % interval, errors clustered by school).
* **Difference-in-differences / event study** (:func:`did_estimate`): schools first listed
  in year Y against up to three never-listed schools of the same setting (town/village)
  and context band (social index tercile) nearest in the pre-list index, stacked by Y;
  OLS with school × stack and year × stack fixed effects (``statsmodels``), errors
  clustered by school; the average effect in the years after the list year, and
  coefficients by years since listing with a joint test of the pre-list years.
* **Dose–response** (:func:`dose_response`): among listed schools, the change against
  mentor pairing and roadmap execution — an association, not an effect.

Which estimators are shown is decided by their validation on the demo (coverage of the
true effect over several seeds, ``analytics/reference/effectiveness.toml``): an
estimator whose intervals cover the truth too rarely is not shown.
"""
from __future__ import annotations

import datetime as dt
import math
import tomllib
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from analytics import flows
from analytics.composite import composite_index
from analytics.identification import load_params, results_years
from analytics.store import Store
from analytics.teachers import wilson_interval
from analytics.query import MunicipalityId, RegionId

SETTINGS_FILE = Path(__file__).resolve().parent / "reference" / "effectiveness.toml"
CATEGORY = "low_results"
OUTCOME_SUBJECTS = ("rus", "math")
EVENT_WINDOW = (-3, 3)
REFERENCE_EVENT = -1
MATCHES = 3

OUTCOME = """
SELECT r.school_id, r.year, sum(r.participants)::DOUBLE AS participants, sum(r.n2)::DOUBLE AS n2
FROM results r JOIN schools s USING (school_id) JOIN municipalities m USING (municipality_id)
WHERE m.region_id = $region_id AND r.procedure = 'VPR' AND list_contains($subjects, r.subject_id)
GROUP BY ALL
"""
SCHOOLS = """
SELECT s.school_id, s.municipality_id, s.is_rural, s.school_type, s.social_index
FROM schools s JOIN municipalities m USING (municipality_id) WHERE m.region_id = $region_id
"""
LISTS = """
SELECT l.year, l.school_id FROM school_lists l JOIN schools s USING (school_id)
JOIN municipalities m USING (municipality_id)
WHERE m.region_id = $region_id AND l.category = $category
"""
MENTORED = "SELECT DISTINCT year, mentee_school_id AS school_id FROM mentor_pairs"


def load_config() -> dict:
    return tomllib.loads(SETTINGS_FILE.read_text(encoding="utf-8"))


def shown_estimators(config: dict | None = None) -> dict[str, bool]:
    """Estimator → shown? (validated coverage at least ``validation.min_coverage`` and median
    interval width at most ``validation.max_width``)."""
    config = config or load_config()
    validation = config["validation"]
    minimum, widest = float(validation["min_coverage"]), float(validation["max_width"])
    return {name: float(validation["coverage"].get(name, 0.0)) >= minimum
            and float(validation["median_width"].get(name, math.inf)) <= widest for name in ("rd", "did")}


# -- list dynamics --------------------------------------------------------------------------------
def list_dynamics(store: Store, region_id: RegionId, municipality_id: MunicipalityId | None, year: int) -> pd.DataFrame:
    """Per year up to ``year``: listed, entered, stayed, left (official list), the reduction
    of the list (1 − listed / listed the year before) and the share of last year's list that
    left, each with a 95 % Wilson interval, and whether each meets its target."""
    members = flows.membership(store, region_id, municipality_id, CATEGORY, "official",
                               tuple(range(int(year) - 6, int(year) + 1)))
    years = flows.flow_years(members, int(year))
    if not years:
        return pd.DataFrame(columns=["year", "listed", "entered", "stayed", "left", "previous", "reduction",
                                     "reduction_low", "reduction_high", "left_share", "left_low", "left_high",
                                     "reduction_target", "left_target", "reduction_met", "left_met", "small"])
    table = flows.flow_table(members, years)
    table["previous"] = table["listed"].shift(1)
    targets = _targets(store, region_id, tuple(int(y) for y in table["year"]))
    previous = table["previous"].fillna(0).to_numpy()
    left = table["left"].fillna(0).to_numpy()
    entered = table["entered"].fillna(0).to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        table["left_share"] = np.where(previous > 0, left / np.where(previous > 0, previous, 1), np.nan)
        table["reduction"] = np.where(previous > 0, 1 - table["listed"].to_numpy() / np.where(previous > 0, previous, 1),
                                      np.nan)
    low, high = wilson_interval(left, previous)
    table["left_low"], table["left_high"] = np.where(previous > 0, low, np.nan), np.where(previous > 0, high, np.nan)
    # The reduction is (left − entered) / previous: its uncertainty is that of the leavers'
    # share, shifted by the entrants (treated as known) — a Wilson interval on left, minus entered.
    shift = np.where(previous > 0, entered / np.where(previous > 0, previous, 1), np.nan)
    table["reduction_low"], table["reduction_high"] = table["left_low"] - shift, table["left_high"] - shift
    table["reduction_target"] = [targets.get(("list_reduction", int(y)), 0.25) for y in table["year"]]
    table["left_target"] = [targets.get(("leave_list", int(y)), 0.60) for y in table["year"]]
    table["reduction_met"] = np.where(table["reduction"].notna(), table["reduction"] >= table["reduction_target"], None)
    table["left_met"] = np.where(table["left_share"].notna(), table["left_share"] >= table["left_target"], None)
    table["small"] = previous < 10
    return table


def _targets(store: Store, region_id: str, years: tuple[int, ...]) -> dict:
    rows = store.query_rows(
        "SELECT target_id, year, target_low FROM kpi_targets WHERE scope_level = 'region' AND scope_id = ? "
        "AND target_id IN ('list_reduction', 'leave_list')", [region_id])
    return {(t, int(y)): float(v) for t, y, v in rows}


# -- data for the estimates -------------------------------------------------------------------------------
def outcome_panel(store: Store, region_id: RegionId, min_n: int = 10) -> pd.DataFrame:
    """school_id, year, participants, share2 (NaN below ``min_n`` participants)."""
    frame = store.query_df(OUTCOME, dict(region_id=region_id, subjects=list(OUTCOME_SUBJECTS)))
    frame["year"] = frame["year"].astype(int)
    frame["share2"] = np.where(frame["participants"] >= min_n, frame["n2"] / frame["participants"], np.nan)
    return frame[["school_id", "year", "participants", "share2"]]


def _lists(store: Store, region_id: str) -> pd.DataFrame:
    frame = store.query_df(LISTS, dict(region_id=region_id, category=CATEGORY))
    frame["year"] = frame["year"].astype(int)
    return frame


def rd_sample(store: Store, region_id: RegionId, params: dict | None = None, min_n: int = 10) -> pd.DataFrame:
    """One row per list year Y × school not listed before Y with an index and the outcome in
    Y − 1 and Y + 1: x (cut − percentile rank: positive on the listed side), listed, change."""
    params = params or load_params()
    lists = _lists(store, region_id)
    if lists.empty:
        return pd.DataFrame(columns=["year", "school_id", "x", "listed", "change"])
    panel = outcome_panel(store, region_id, min_n).set_index(["school_id", "year"])["share2"]
    list_years = sorted(lists["year"].unique())
    last_results = int(panel.index.get_level_values("year").max()) if len(panel) else 0
    index = composite_index(store, region_id, min(list_years) - 3, max(list_years), params)
    first = lists.groupby("school_id")["year"].min()
    rows = []
    for year in list_years:
        if year + 1 > last_results:
            continue
        window = results_years(params, year)
        # The project's rule: bottom share of the region in each results year, i.e. the worst
        # (highest) of the school's percentile ranks from the bottom over the window.
        ranks = index[index["year"].isin(window)].assign(rank=lambda f: f["rank_from_bottom"] / f["n_ranked"])
        scores = ranks.groupby("school_id")["rank"].agg(lambda r: r.max() if r.notna().all() else np.nan).dropna()
        listed_now = set(lists.loc[lists["year"] == year, "school_id"])
        ranked = scores.sort_values()
        k = sum(1 for s in ranked.index if s in listed_now)
        if k == 0 or k >= len(ranked):
            continue
        cut = (ranked.iloc[k - 1] + ranked.iloc[k]) / 2
        fresh = [s for s in ranked.index if not (s in first.index and first[s] < year)]
        frame = pd.DataFrame({"year": year, "school_id": fresh, "x": cut - ranked[fresh].to_numpy(),
                              "listed": [s in listed_now for s in fresh]})
        before = panel.reindex(list(zip(frame["school_id"], [year - 1] * len(frame)))).to_numpy()
        after = panel.reindex(list(zip(frame["school_id"], [year + 1] * len(frame)))).to_numpy()
        frame["change"] = after - before
        rows.append(frame.dropna(subset=["change"]))
    if not rows:
        return pd.DataFrame(columns=["year", "school_id", "x", "listed", "change"])
    return pd.concat(rows, ignore_index=True)


def rd_estimate(sample: pd.DataFrame) -> dict:
    """Fuzzy RD at x = 0 with ``rdrobust``: the effect of being listed on the change of the
    share of «2» (robust bias-corrected 95 % interval), N within the bandwidth on each side."""
    empty = dict(estimate=math.nan, ci_low=math.nan, ci_high=math.nan, n=len(sample), n_left=0, n_right=0,
                 bandwidth=math.nan, first_stage=math.nan, ok=False)
    if len(sample) < 40 or sample["listed"].sum() < 10 or (~sample["listed"]).sum() < 10:
        return empty
    from rdrobust import rdrobust   # imported on use: slow to import (plotting libraries)

    try:
        fit = rdrobust(sample["change"].to_numpy(float), sample["x"].to_numpy(float), c=0.0,
                       fuzzy=sample["listed"].to_numpy(float), cluster=sample["school_id"].astype("category").cat.codes.to_numpy(),
                       kernel="triangular", bwselect="mserd")
    except Exception:   # rdrobust raises bare errors on degenerate samples (too few distinct values)
        return empty
    bandwidth = float(fit.bws.loc["h", "left"])
    near = sample[sample["x"].abs() <= bandwidth]
    first_stage = float(near.loc[near["x"] >= 0, "listed"].mean() - near.loc[near["x"] < 0, "listed"].mean())
    return dict(estimate=float(fit.coef.loc["Conventional"].iloc[0]), ci_low=float(fit.ci.loc["Robust"].iloc[0]),
                ci_high=float(fit.ci.loc["Robust"].iloc[1]), n=len(sample), n_left=int(fit.N_h[0]),
                n_right=int(fit.N_h[1]), bandwidth=bandwidth, first_stage=first_stage, ok=True)


def did_sample(store: Store, region_id: RegionId, params: dict | None = None, min_n: int = 10,
               window: tuple[int, int] = EVENT_WINDOW) -> pd.DataFrame:
    """Stacked panel: for each cohort Y (schools first listed in Y), the cohort and its matched
    never-listed controls over Y + window; columns stack, school_id, year, event, treated, share2."""
    params = params or load_params()
    lists = _lists(store, region_id)
    panel = outcome_panel(store, region_id, min_n)
    if lists.empty or panel.empty:
        return pd.DataFrame(columns=["stack", "school_id", "year", "event", "treated", "share2"])
    schools = store.query_df(SCHOOLS, dict(region_id=region_id))
    schools["band"] = pd.qcut(schools["social_index"].rank(method="first"), 3, labels=False)
    first = lists.groupby("school_id")["year"].min()
    never = schools[~schools["school_id"].isin(first.index)]
    index = composite_index(store, region_id, int(panel["year"].min()), int(panel["year"].max()), params)
    years = sorted(panel["year"].unique())
    frames = []
    for cohort in sorted(first.unique()):
        pre = index[index["year"].isin(results_years(params, int(cohort)))].groupby("school_id")["composite"].mean()
        treated = schools[schools["school_id"].isin(first[first == cohort].index)].assign(pre=lambda f: f["school_id"].map(pre))
        pool = never.assign(pre=never["school_id"].map(pre)).dropna(subset=["pre"])
        chosen = []
        for row in treated.dropna(subset=["pre"]).itertuples():
            cell = pool[(pool["is_rural"] == row.is_rural) & (pool["band"] == row.band)]
            if cell.empty:
                continue
            nearest = cell.iloc[np.argsort(np.abs(cell["pre"].to_numpy() - row.pre), kind="stable")[:MATCHES]]
            chosen.extend(nearest["school_id"])
        units = pd.DataFrame({"school_id": list(treated["school_id"]) + chosen,
                              "treated": [True] * len(treated) + [False] * len(chosen)}).drop_duplicates("school_id")
        span = [y for y in years if window[0] <= y - cohort <= window[1]]
        stacked = units.merge(panel[panel["year"].isin(span)], on="school_id")
        stacked["stack"] = int(cohort)
        stacked["event"] = stacked["year"] - int(cohort)
        frames.append(stacked)
    out = pd.concat(frames, ignore_index=True).dropna(subset=["share2"])
    # A cohort needs the year before the list (the reference) and a year after it.
    keep = out.groupby("stack")["event"].agg(lambda e: (REFERENCE_EVENT in set(e)) and (e >= 1).any())
    return out[out["stack"].isin(keep[keep].index)].reset_index(drop=True)


def did_estimate(sample: pd.DataFrame) -> dict:
    """ATT (years 1+ after the list year) and event-study coefficients with 95 % intervals,
    the joint test of the pre-list years (p-value), N of treated and control schools."""
    empty = dict(estimate=math.nan, ci_low=math.nan, ci_high=math.nan, n_treated=0, n_control=0, rows=len(sample),
                 pretrend_p=math.nan, events=pd.DataFrame(columns=["event", "estimate", "ci_low", "ci_high"]), ok=False)
    if sample.empty or sample["treated"].sum() == 0 or (~sample["treated"]).sum() == 0:
        return empty
    data = sample.assign(unit=sample["stack"].astype(str) + ":" + sample["school_id"].astype(str),
                         period=sample["stack"].astype(str) + ":" + sample["year"].astype(str),
                         post=((sample["event"] >= 1) & sample["treated"]).astype(float),
                         now=((sample["event"] == 0) & sample["treated"]).astype(float)).reset_index(drop=True)
    groups = data["school_id"].astype("category").cat.codes.to_numpy()
    # Year × stack fixed effects as dummy columns; school × stack effects absorbed by demeaning
    # within each school × stack (Frisch–Waugh–Lovell: the same coefficients as with their dummies).
    fixed = pd.get_dummies(data["period"], prefix="period", dtype=float)
    first_periods = data.groupby("stack")["period"].min()
    fixed = fixed.drop(columns=[f"period_{p}" for p in first_periods])      # one reference year per stack
    events = sorted(int(e) for e in data["event"].unique() if e != REFERENCE_EVENT)
    terms = {e: ((data["event"] == e) & data["treated"]).astype(float).rename(f"event_{e}") for e in events}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")     # (a cohort's dummies may overlap: the treatment terms stay identified)
        att = _ols(data["share2"], pd.concat([data[["post", "now"]], fixed], axis=1), data["unit"], groups)
        study = _ols(data["share2"], pd.concat([*terms.values(), fixed], axis=1), data["unit"], groups)
    low, high = att.conf_int().loc["post"]
    intervals = study.conf_int()
    rows = [dict(event=e, estimate=float(study.params[f"event_{e}"]), ci_low=float(intervals.loc[f"event_{e}", 0]),
                 ci_high=float(intervals.loc[f"event_{e}", 1])) for e in events]
    rows.append(dict(event=REFERENCE_EVENT, estimate=0.0, ci_low=0.0, ci_high=0.0))
    pre = [f"event_{e}" for e in events if e < REFERENCE_EVENT]
    pretrend_p = math.nan
    if pre:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pretrend_p = float(study.wald_test(", ".join(f"{n} = 0" for n in pre), scalar=True).pvalue)
    return dict(estimate=float(att.params["post"]), ci_low=float(low), ci_high=float(high),
                n_treated=int(data.loc[data["treated"], "unit"].nunique()),
                n_control=int(data.loc[~data["treated"], "unit"].nunique()), rows=len(data),
                pretrend_p=pretrend_p, events=pd.DataFrame(rows).sort_values("event").reset_index(drop=True), ok=True)


def _ols(y: pd.Series, columns: pd.DataFrame, unit: pd.Series, groups: np.ndarray):
    """statsmodels OLS of ``y`` on ``columns`` with ``unit`` fixed effects (absorbed by
    demeaning within unit) and errors clustered by ``groups`` (units are nested in them)."""
    import statsmodels.api as sm
    frame = pd.concat([y.rename("_y").astype(float), columns], axis=1)
    within = frame - frame.groupby(unit.to_numpy()).transform("mean")
    within = within.loc[:, (within.abs() > 1e-12).any()]     # a column constant within every unit drops out
    return sm.OLS(within["_y"], within.drop(columns="_y")).fit(cov_type="cluster", cov_kwds={"groups": groups})


def dose_response(store: Store, region_id: RegionId, min_n: int = 10) -> pd.DataFrame:
    """Association, not effect: among schools on the list of year Y with the outcome in Y − 1
    and Y + 1, the change by mentor pairing (difference of means, Welch 95 % interval) and by
    the share of the year's roadmap units done by 31 December (OLS slope per 10 п.п.)."""
    from analytics import roadmaps as rm
    from analytics.risks import welch_interval

    lists = _lists(store, region_id)
    panel = outcome_panel(store, region_id, min_n).set_index(["school_id", "year"])["share2"]
    mentored = store.query_df(MENTORED)
    mentored = set(zip(mentored["year"].astype(int), mentored["school_id"]))
    rows = []
    frame = lists.assign(
        before=panel.reindex(list(zip(lists["school_id"], lists["year"] - 1))).to_numpy(),
        after=panel.reindex(list(zip(lists["school_id"], lists["year"] + 1))).to_numpy())
    frame["change"] = frame["after"] - frame["before"]
    frame = frame.dropna(subset=["change"])
    frame["mentor"] = [(int(y), s) in mentored for y, s in zip(frame["year"], frame["school_id"])]
    paired, unpaired = frame.loc[frame["mentor"], "change"].to_numpy(), frame.loc[~frame["mentor"], "change"].to_numpy()
    enough = len(paired) >= 5 and len(unpaired) >= 5
    difference, low, high = welch_interval(paired, unpaired) if enough else (math.nan, math.nan, math.nan)
    rows.append(dict(dose="mentor", n=len(frame), n_with=len(paired), n_without=len(unpaired), estimate=difference,
                     ci_low=low, ci_high=high, enough=enough))
    shares = []
    for year in sorted(frame["year"].unique()):
        units = rm.units(store, rm.RoadmapFilter(region_id, None, int(year)), dt.date(int(year), 12, 31))
        units = units[(units["state"] != "not_applicable") & units["school_id"].notna()]
        if units.empty:
            continue
        done = units.assign(done=units["state"].isin(["done", "done_late"])).groupby("school_id")["done"].mean()
        shares.append(pd.DataFrame({"year": int(year), "school_id": done.index, "execution": done.to_numpy()}))
    execution = frame.merge(pd.concat(shares), on=["year", "school_id"]) if shares else frame.iloc[0:0]
    slope = dict(dose="execution", n=len(execution), n_with=len(execution), n_without=0, estimate=math.nan,
                 ci_low=math.nan, ci_high=math.nan, enough=len(execution) >= 10)
    if slope["enough"]:
        import statsmodels.api as sm
        fit = sm.OLS(execution["change"].to_numpy(float), sm.add_constant(execution["execution"].to_numpy(float) * 10)).fit(
            cov_type="HC1")
        low, high = fit.conf_int()[1]
        slope.update(estimate=float(fit.params[1]), ci_low=float(low), ci_high=float(high))
    rows.append(slope)
    return pd.DataFrame(rows)


def estimates(store: Store, region_id: RegionId, min_n: int = 10) -> dict:
    """Everything the page, the slide and the report show: RD, DiD, dose–response, and
    which estimators passed validation."""
    rd = rd_estimate(rd_sample(store, region_id, min_n=min_n))
    did = did_estimate(did_sample(store, region_id, min_n=min_n))
    return dict(rd=rd, did=did, dose=dose_response(store, region_id, min_n), shown=shown_estimators(),
                validation=load_config()["validation"])
