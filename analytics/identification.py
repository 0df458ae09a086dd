"""Identification of school categories from results and context, with a reason per flag.

Rules (parameters in ``analytics/reference/identification.toml``, overridable in
``data/identification.toml`` and per call): see docs/methodology/identification.md. The list of year
Y is built from results up to ``Y - results_lag``. Output rows carry a ``reason_key`` and
``reason_params``; the UI turns them into text (``identification.reason.<key>``).

Determinism: every step sorts on values and then on ``school_id``; ties at a cut-off are
all included (a cut at the k-th school takes every school whose index equals the k-th).
"""
from __future__ import annotations

import copy
import math
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from analytics.composite import composite_index
from analytics.config import PROJECT_ROOT
from analytics.store import Store
from analytics.reads import reads
from analytics.query import MunicipalityId, RegionId, SchoolId
from analytics.shared_results import key_of, shared

DEFAULTS_FILE = Path(__file__).resolve().parent / "reference" / "identification.toml"
OVERRIDE_FILE = PROJECT_ROOT / "data" / "identification.toml"
CATEGORIES = ("low_results", "social_risk", "resilient", "risk_zone", "biased")
FLAG_COLUMNS = ["school_id", "category", "reason_key", "reason_params"]

SCHOOLS_OF_REGION = """
SELECT s.school_id, s.municipality_id, s.short_name, s.name, s.school_type, s.is_rural, s.students,
       s.social_index, m.name AS municipality
FROM schools s JOIN municipalities m USING (municipality_id)
WHERE ($region_id IS NULL OR m.region_id = $region_id)
ORDER BY s.school_id
"""

VPR_HIGHER = """
SELECT r.school_id, sum(r.participants)::BIGINT AS vpr_all_n, sum(r.n_higher)::BIGINT AS n_higher
FROM results r
WHERE r.school_id IN (SELECT s.school_id FROM schools s JOIN municipalities m USING (municipality_id)
                      WHERE $region_id IS NULL OR m.region_id = $region_id)
  AND r.year = $year AND r.procedure = 'VPR' AND r.n_higher IS NOT NULL
GROUP BY r.school_id
ORDER BY r.school_id
"""

OFFICIAL_LISTS = """
SELECT l.year, l.category, l.school_id
FROM school_lists l JOIN schools s USING (school_id) JOIN municipalities m USING (municipality_id)
WHERE m.region_id = $region_id AND ($municipality_id IS NULL OR s.municipality_id = $municipality_id)
ORDER BY l.year, l.category, l.school_id
"""


# -- parameters -----------------------------------------------------------------------------
def _merge(base: dict, extra: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in (extra or {}).items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def load_params(overrides: dict | None = None, override_file: Path | None = OVERRIDE_FILE) -> dict:
    """Defaults, then the deployment's file (if any), then ``overrides`` (what-if)."""
    params = tomllib.loads(DEFAULTS_FILE.read_text(encoding="utf-8"))
    if override_file is not None and Path(override_file).exists():
        params = _merge(params, tomllib.loads(Path(override_file).read_text(encoding="utf-8")))
    return _merge(params, overrides or {})


def results_years(params: dict, year: int) -> list[int]:
    """Results years the low-results rule looks at for the list of ``year`` (oldest first)."""
    last = year - int(params["lists"]["results_lag"])
    return list(range(last - int(params["low_results"]["consecutive_years"]) + 1, last + 1))


# -- helpers ----------------------------------------------------------------------------------
def _cut_from_bottom(frame: pd.DataFrame, share: float) -> pd.Series:
    """Per region-year: the index of the k-th school from the bottom, k = ceil(share × ranked)."""
    ranked = frame.dropna(subset=["composite"]).sort_values(["region_id", "year", "composite", "school_id"])
    ranked["k"] = np.ceil(share * ranked.groupby(["region_id", "year"])["school_id"].transform("size") - 1e-9)
    ranked["pos"] = ranked.groupby(["region_id", "year"]).cumcount() + 1
    cuts = ranked[ranked["pos"] == ranked["k"].clip(lower=1)]
    return cuts.set_index(["region_id", "year"])["composite"]


def _ranked_cut(index: pd.DataFrame, share: float) -> pd.Series:
    """:func:`_cut_from_bottom` for a results index that carries its ranks (``rank_from_bottom``
    by index then school, ``n_ranked`` per region-year): the school at k = ceil(share × ranked)."""
    k = np.ceil(share * index["n_ranked"].to_numpy(dtype=float) - 1e-9).clip(min=1)
    at_k = index[index["rank_from_bottom"].to_numpy(dtype=float, na_value=np.nan) == k]
    return at_k.set_index(["region_id", "year"])["composite"]


def _lookup(keys: pd.Series, table: pd.Series) -> np.ndarray:
    """``keys.map(table)`` as float values (NaN where absent) for text keys: both key columns
    are hashed once together, which is several times cheaper than pandas' map on Arrow text.
    ``table`` must have a unique index."""
    codes, _ = pd.factorize(pd.concat([pd.Series(keys.to_numpy(dtype=object)),
                                       pd.Series(table.index.to_numpy(dtype=object))], ignore_index=True))
    by_code = np.full(len(codes) + 1, np.nan)
    by_code[codes[len(keys):]] = table.to_numpy(dtype=float)
    return by_code[codes[:len(keys)]]


def _flags(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=FLAG_COLUMNS)


def _r(value: float, digits: int = 2) -> float:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else round(float(value), digits)


# -- the rules --------------------------------------------------------------------------------
_COMPUTE = object()


def rule_low_results(index: pd.DataFrame, params: dict, year: int, *,
                     probability: pd.Series | None | object = _COMPUTE) -> tuple[pd.DataFrame, pd.Series]:
    """Bottom ``bottom_share`` of the region in each of the ``consecutive_years`` results years.
    ``probability``: :func:`bottom_probability` of ``index`` when the caller has it already."""
    share = float(params["low_results"]["bottom_share"])
    years = results_years(params, year)
    window = index.loc[index["year"].isin(years), ["school_id", "region_id", "year", "composite", "rank_from_bottom",
                                                    "n_ranked"]]
    cuts = _ranked_cut(window, share)
    window = window.dropna(subset=["composite"]).join(cuts.rename("cut"), on=["region_id", "year"])
    bottom = window[window["composite"] <= window["cut"] + 1e-12]
    counts = bottom.groupby("school_id")["year"].nunique()
    chosen = sorted(counts[counts == len(years)].index)
    if probability is _COMPUTE:
        probability = bottom_probability(index, params, year)
    threshold = float(params["low_results"].get("min_probability", 0.0))
    if threshold > 0 and probability is not None:
        chosen = [s for s in chosen if probability.get(s, 0.0) >= threshold - 1e-12]
    rows = []
    bottom = bottom.loc[bottom["school_id"].isin(chosen), ["school_id", "year", "composite", "cut", "rank_from_bottom",
                                                            "n_ranked"]]
    for row in bottom.sort_values(["school_id", "year"]).itertuples(index=False):
        reason = dict(year=int(row.year), value=_r(row.composite), cut=_r(row.cut),
                      rank=int(row.rank_from_bottom), ranked=int(row.n_ranked), share=share)
        if probability is not None:
            reason["probability"] = round(float(probability.get(row.school_id, 0.0)), 3)
        rows.append(dict(school_id=row.school_id, category="low_results", reason_key="low_results",
                         reason_params=reason))
    return _flags(rows), cuts


def bottom_probability(index: pd.DataFrame, params: dict, year: int) -> pd.Series | None:
    """Per school: the probability of being in the bottom share in every results year of the
    rule for the list of ``year`` (analytics/shrinkage.py); None when the index is not shrunk."""
    if params["composite"].get("shrinkage", "none") != "empirical_bayes":
        return None
    from analytics import shrinkage
    return shrinkage.bottom_probability(index, params, results_years(params, year),
                                        float(params["low_results"]["bottom_share"]),
                                        int(params["low_results"].get("bootstrap_replicates", 200)))


def rule_social_risk(schools: pd.DataFrame, params: dict) -> pd.DataFrame:
    threshold = float(params["social_risk"]["min_social_index"])
    chosen = schools[schools["social_index"] >= threshold].sort_values("school_id")
    return _flags([dict(school_id=s, category="social_risk", reason_key="social_risk",
                        reason_params=dict(value=_r(v), threshold=threshold))
                   for s, v in zip(chosen["school_id"], chosen["social_index"])])


def context_regression(latest: pd.DataFrame) -> pd.DataFrame:
    """Adds expected (OLS of the index on the social index, per region) and residual_z.

    Rows with both values, grouped by region (regions in order, rows in their order within it)."""
    data = latest.dropna(subset=["composite", "social_index"])
    data = data.iloc[np.argsort(data["region_id"].to_numpy(dtype=object), kind="stable")]
    if data.empty:
        return latest.assign(expected=np.nan, residual_z=np.nan).iloc[0:0]
    social = data["social_index"].to_numpy(dtype=float)
    composite = data["composite"].to_numpy(dtype=float)
    expected = np.full(len(data), np.nan)
    residual_z = np.full(len(data), np.nan)
    regions = data["region_id"].to_numpy(dtype=object)
    starts = np.flatnonzero(np.r_[True, regions[1:] != regions[:-1]])
    for start, stop in zip(starts, np.r_[starts[1:], len(data)]):
        x, y = social[start:stop], composite[start:stop]
        if len(x) >= 3 and pd.Series(x).var() > 0:
            slope, intercept = np.polyfit(x, y, 1)
            fitted = intercept + slope * x
            resid = y - fitted
            sd = math.sqrt(float(np.sum(resid ** 2)) / (len(x) - 2))
            expected[start:stop] = fitted
            if sd > 0:
                residual_z[start:stop] = resid / sd
    return data.assign(expected=expected, residual_z=residual_z)


def rule_resilient(index: pd.DataFrame, schools: pd.DataFrame, params: dict, year: int) -> pd.DataFrame:
    settings = params["resilient"]
    last = year - int(params["lists"]["results_lag"])
    latest = index.loc[index["year"] == last, ["school_id", "year", "region_id", "composite"]].merge(
        schools[["school_id", "social_index"]], on="school_id")
    latest = context_regression(latest)
    if latest.empty:
        return _flags([])
    top_share = float(settings["top_share"])
    # Top cut: the k-th from the top, ties included (mirror of the bottom cut).
    mirrored = latest.assign(composite=-latest["composite"])
    top_cut = -_cut_from_bottom(mirrored, top_share)
    latest = latest.join(top_cut.rename("top_cut"), on=["region_id", "year"])
    min_residual = float(settings["min_residual"])
    latest = latest.assign(is_top=latest["composite"] >= latest["top_cut"] - 1e-12,
                           is_residual=latest["residual_z"].notna() & (latest["residual_z"] >= min_residual))
    chosen = latest[(latest["social_index"] >= float(settings["min_social_index"]))
                    & (latest["is_top"] | latest["is_residual"])]
    rows = []
    columns = ["school_id", "composite", "top_cut", "social_index", "residual_z", "expected", "is_top", "is_residual"]
    for row in chosen[columns].sort_values("school_id").itertuples(index=False):
        if row.is_top:
            rows.append(dict(school_id=row.school_id, category="resilient", reason_key="resilient_top",
                             reason_params=dict(year=last, social=_r(row.social_index), value=_r(row.composite),
                                                share=top_share, cut=_r(row.top_cut))))
        if row.is_residual:
            rows.append(dict(school_id=row.school_id, category="resilient", reason_key="resilient_residual",
                             reason_params=dict(year=last, social=_r(row.social_index), value=_r(row.composite),
                                                expected=_r(row.expected), residual=_r(row.residual_z),
                                                threshold=float(settings["min_residual"]))))
    return _flags(rows)


def trends(index: pd.DataFrame, last: int, params: dict) -> pd.DataFrame:
    """OLS trend of the index over the window ending at ``last`` and a forecast for ``last + 1``."""
    settings = params["risk_zone"]
    window = index.loc[(index["year"] > last - int(settings["window_years"])) & (index["year"] <= last)
                       & index["composite"].notna(), ["school_id", "year", "composite"]]
    # Grouped by integer codes of the (sorted) school ids: the same group kernels as grouping by
    # the ids themselves, without hashing the text five times.
    codes, school_ids = pd.factorize(window["school_id"], sort=True)
    xy = pd.DataFrame({"x": window["year"].to_numpy(dtype=float), "y": window["composite"].to_numpy(dtype=float)})
    g = xy.groupby(codes, sort=True)
    n = g["x"].size()
    mean_x, mean_y = g["x"].mean(), g["y"].mean()
    dx = xy["x"] - g["x"].transform("mean")
    dy = xy["y"] - g["y"].transform("mean")
    parts = pd.DataFrame({"sxx": dx ** 2, "sxy": dx * dy, "syy": dy ** 2}).groupby(codes, sort=True).sum()
    frame = pd.DataFrame({"n_years": n, "sxx": parts["sxx"], "sxy": parts["sxy"], "syy": parts["syy"],
                          "mean_x": mean_x, "mean_y": mean_y})
    first_year = g["x"].min().astype(int)
    frame.index = pd.Index(np.asarray(school_ids, dtype=object)[frame.index], name="school_id").astype(
        window["school_id"].dtype)
    first_year.index = frame.index
    frame = frame[(frame["n_years"] >= max(3, int(settings["min_years"]))) & (frame["sxx"] > 0)]
    frame["slope"] = frame["sxy"] / frame["sxx"]
    dof = frame["n_years"] - 2
    s2 = ((frame["syy"] - frame["sxy"] ** 2 / frame["sxx"]).clip(lower=0)) / dof
    tcrit = stats.t.ppf(0.5 + float(settings["confidence"]) / 2, dof)
    se_slope = np.sqrt(s2 / frame["sxx"])
    frame["slope_low"], frame["slope_high"] = frame["slope"] - tcrit * se_slope, frame["slope"] + tcrit * se_slope
    x0 = last + 1
    frame["forecast"] = frame["mean_y"] + frame["slope"] * (x0 - frame["mean_x"])
    se_pred = np.sqrt(s2 * (1 + 1 / frame["n_years"] + (x0 - frame["mean_x"]) ** 2 / frame["sxx"]))
    frame["forecast_low"], frame["forecast_high"] = frame["forecast"] - tcrit * se_pred, frame["forecast"] + tcrit * se_pred
    frame["first_year"] = first_year
    frame["last_year"] = last
    return frame.reset_index()


def rule_risk_zone(index: pd.DataFrame, params: dict, year: int, cuts: pd.Series,
                   low: pd.DataFrame) -> pd.DataFrame:
    settings = params["risk_zone"]
    last = year - int(params["lists"]["results_lag"])
    frame = trends(index, last, params)
    # The cut of the school's region (its first row in the index) in the last results year.
    first_rows = index.drop_duplicates("school_id")
    last_cuts = cuts[cuts.index.get_level_values("year") == last].droplevel("year")
    cut_of_school = pd.Series(_lookup(first_rows["region_id"], last_cuts), index=first_rows["school_id"].to_numpy())
    frame["cut"] = _lookup(frame["school_id"], cut_of_school)
    listed = _lookup(frame["school_id"], pd.Series(1.0, index=low["school_id"].drop_duplicates().to_numpy())) == 1.0
    margin = float(settings["margin"])
    chosen = frame[(frame["slope_high"] < 0) & (frame["forecast"] <= frame["cut"] + margin)
                   & ~listed].sort_values("school_id")
    rows = []
    for row in chosen.itertuples():
        rows.append(dict(school_id=row.school_id, category="risk_zone", reason_key="risk_zone_trend",
                         reason_params=dict(first=int(row.first_year), last=last, slope=_r(row.slope),
                                            low=_r(row.slope_low), high=_r(row.slope_high),
                                            confidence=float(settings["confidence"]))))
        rows.append(dict(school_id=row.school_id, category="risk_zone", reason_key="risk_zone_forecast",
                         reason_params=dict(year=last + 1, forecast=_r(row.forecast), low=_r(row.forecast_low),
                                            high=_r(row.forecast_high), cut=_r(row.cut), margin=margin)))
    return _flags(rows)


def rule_biased(store: Store, index: pd.DataFrame, region_id: RegionId | None, params: dict, year: int) -> pd.DataFrame:
    last = year - int(params["lists"]["results_lag"])
    higher = store.query_frame(VPR_HIGHER, {"region_id": region_id, "year": last})
    return biased_flags(index, higher, params, year)


def biased_flags(index: pd.DataFrame, higher: pd.DataFrame, params: dict, year: int) -> pd.DataFrame:
    """Signs of biased ВПР results per school (vectorised; per school in the order
    «повысили» share, ВПР–ОГЭ gap, ВПР jump)."""
    settings = params["biased"]
    last = year - int(params["lists"]["results_lag"])
    min_n = int(settings["min_vpr_participants"])
    max_share, max_gap, max_jump = (float(settings[k]) for k in ("max_higher_share", "max_vpr_oge_gap", "max_jump"))
    rows = []
    n_all = higher["vpr_all_n"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        higher = higher.assign(share=np.where(n_all != 0, higher["n_higher"].to_numpy(dtype=float) / n_all, np.nan))
    hit = higher[(higher["vpr_all_n"] >= min_n) & (higher["share"] > max_share)]
    for row in hit.itertuples():
        rows.append((row.school_id, 0, dict(
            reason_key="biased_higher", reason_params=dict(
                year=last, share=_r(row.share, 4), count=int(row.n_higher), n=int(row.vpr_all_n),
                threshold=max_share))))
    vpr = index[["school_id", "year", "vpr_n", "oge_n", "z_vpr_share2", "z_vpr_sou", "z_oge_share2"]]
    vpr = vpr.assign(z_vpr=vpr[["z_vpr_share2", "z_vpr_sou"]].mean(axis=1, skipna=False))
    now = vpr[(vpr["year"] == last) & (vpr["vpr_n"] >= min_n)]
    before = vpr[vpr["year"] == last - 1].drop_duplicates("school_id").set_index("school_id")["z_vpr"]
    now = now.assign(gap=now["z_vpr"] - now["z_oge_share2"], previous=_lookup(now["school_id"], before))
    now = now.assign(jump=now["z_vpr"] - now["previous"])
    gaps = now[(now["oge_n"] >= int(settings["min_oge_participants"])) & (now["gap"] > max_gap)]
    for row in gaps.itertuples():
        rows.append((row.school_id, 1, dict(
            reason_key="biased_gap", reason_params=dict(year=last, vpr=_r(row.z_vpr), oge=_r(row.z_oge_share2),
                                                        gap=_r(row.gap), threshold=max_gap))))
    for row in now[now["jump"] > max_jump].itertuples():
        rows.append((row.school_id, 2, dict(
            reason_key="biased_jump", reason_params=dict(first=last - 1, last=last, before=_r(row.previous),
                                                         after=_r(row.z_vpr), jump=_r(row.jump),
                                                         threshold=max_jump))))
    counts: dict[str, int] = {}
    for school_id, _, _ in rows:
        counts[school_id] = counts.get(school_id, 0) + 1
    rows.sort(key=lambda r: (r[0], r[1]))
    return _flags([dict(school_id=s, category="biased", **sign) for s, _, sign in rows
                   if counts[s] >= int(settings["min_signs"])])


# -- entry points -------------------------------------------------------------------------------
INDEX_READS = ("municipalities", "results", "schools")


def index_for(store: Store, region_id: RegionId | None, year: int, params: dict) -> pd.DataFrame:
    """The composite index of every year the rules for the list of ``year`` look at."""
    last = year - int(params["lists"]["results_lag"])
    first = min(results_years(params, year)[0], last - int(params["risk_zone"]["window_years"]) + 1, last - 1)
    return shared(store, INDEX_READS, ("index_for", region_id, first, last, key_of(params)),
                  lambda: composite_index(store, region_id, first, last, params))


def probability_for(store: Store, region_id: RegionId | None, year: int, params: dict) -> pd.Series | None:
    """:func:`bottom_probability` of the index for the list of ``year`` (a bootstrap: the
    slowest part of the lists, shared by the lists, the school table and the passport)."""
    return shared(store, INDEX_READS, ("probability_for", region_id, year, key_of(params)),
                  lambda: bottom_probability(index_for(store, region_id, year, params), params, year))


@reads("municipalities", "results", "schools")
def identify(store: Store, region_id: RegionId, year: int, params: dict | None = None, *,
             municipality_id: MunicipalityId | None = None) -> pd.DataFrame:
    """Every flag for the list of ``year``: school_id, category, reason_key, reason_params (dict).
    The rules run on the whole region (cuts are the region's); ``municipality_id`` keeps the
    flags of that municipality's schools (what access narrows a district head's call to).

    Sorted by category (fixed order), school and reason, so equal inputs give equal output.
    """
    params = params or load_params()
    flags = shared(store, INDEX_READS, ("identify", region_id, year, key_of(params)),
                   lambda: _identify(store, region_id, year, params))
    if municipality_id is not None:
        schools = store.query_frame(SCHOOLS_OF_REGION, {"region_id": region_id})
        own = schools["school_id"][schools["municipality_id"].astype(str) == str(municipality_id)]
        flags = flags[flags["school_id"].isin(set(own))].reset_index(drop=True)
    return flags


def _identify(store: Store, region_id: str | None, year: int, params: dict) -> pd.DataFrame:
    index = index_for(store, region_id, year, params)
    schools = store.query_frame(SCHOOLS_OF_REGION, {"region_id": region_id})
    low, cuts = rule_low_results(index, params, year, probability=probability_for(store, region_id, year, params))
    parts = [low, rule_social_risk(schools, params), rule_resilient(index, schools, params, year),
             rule_risk_zone(index, params, year, cuts, low), rule_biased(store, index, region_id, params, year)]
    flags = pd.concat([p for p in parts if not p.empty] or [_flags([])], ignore_index=True)
    flags["order"] = flags["category"].map({c: k for k, c in enumerate(CATEGORIES)})
    flags = flags.reset_index().sort_values(["order", "school_id", "index"], kind="stable")
    return flags[FLAG_COLUMNS].reset_index(drop=True)


def computed_lists(store: Store, region_id: RegionId, years: tuple[int, ...], params: dict | None = None) -> pd.DataFrame:
    """year, category, school_id of the computed lists for several years."""
    params = params or load_params()
    frames = [identify(store, region_id, int(y), params)[["category", "school_id"]].drop_duplicates().assign(year=int(y))
              for y in years]
    return pd.concat(frames, ignore_index=True)[["year", "category", "school_id"]]


def official_lists(store: Store, region_id: RegionId, municipality_id: MunicipalityId | None = None) -> pd.DataFrame:
    return store.query_df(OFFICIAL_LISTS, {"region_id": region_id, "municipality_id": municipality_id})


def schools_of_region(store: Store, region_id: RegionId) -> pd.DataFrame:
    return store.query_df(SCHOOLS_OF_REGION, {"region_id": region_id})


@reads("municipalities", "results", "school_lists", "schools")
def compare_with_official(store: Store, region_id: RegionId, municipality_id: MunicipalityId | None, year: int,
                          category: str, params: dict | None = None) -> pd.DataFrame:
    """Schools on either list: status both | official_only | computed_only, with reasons."""
    flags = identify(store, region_id, year, params)
    computed = set(flags.loc[flags["category"] == category, "school_id"])
    official = official_lists(store, region_id, municipality_id)
    official = set(official.loc[(official["year"] == year) & (official["category"] == category), "school_id"])
    schools = schools_of_region(store, region_id)
    if municipality_id is not None:
        schools = schools[schools["municipality_id"] == municipality_id]
    table = schools[schools["school_id"].isin(computed | official)].copy()
    table["in_official"] = table["school_id"].isin(official)
    table["in_computed"] = table["school_id"].isin(computed)
    table["status"] = np.select([table["in_official"] & table["in_computed"], table["in_official"]],
                                ["both", "official_only"], "computed_only")
    order = {"both": 0, "official_only": 1, "computed_only": 2}
    table = table.sort_values(["status", "school_id"], key=lambda c: c.map(order) if c.name == "status" else c)
    return table.reset_index(drop=True)


@reads("municipalities", "results", "schools")
def what_if(store: Store, region_id: RegionId, municipality_id: MunicipalityId | None, year: int, category: str,
            overrides: dict) -> pd.DataFrame:
    """Schools whose membership of ``category`` differs between defaults and ``overrides``:
    school_id, change = entered | left | stayed."""
    base = identify(store, region_id, year, load_params())
    changed = identify(store, region_id, year, load_params(overrides))
    before = set(base.loc[base["category"] == category, "school_id"])
    after = set(changed.loc[changed["category"] == category, "school_id"])
    schools = schools_of_region(store, region_id)
    if municipality_id is not None:
        schools = schools[schools["municipality_id"] == municipality_id]
    table = schools[schools["school_id"].isin(before | after)].copy()
    table["change"] = np.select([table["school_id"].isin(after - before), table["school_id"].isin(before - after)],
                                ["entered", "left"], "stayed")
    order = {"entered": 0, "left": 1, "stayed": 2}
    return table.sort_values(["change", "school_id"], key=lambda c: c.map(order) if c.name == "change" else c
                             ).reset_index(drop=True)


def bottom_cuts(index: pd.DataFrame, share: float) -> pd.DataFrame:
    """region_id, year, cut: the bottom-share boundary of the index per region and year."""
    return _cut_from_bottom(index, share).rename("cut").reset_index()


@reads("municipalities", "results", "school_lists", "schools")
def school_table(store: Store, region_id: RegionId, municipality_id: MunicipalityId | None, year: int,
                 params: dict | None = None) -> pd.DataFrame:
    """Schools of the scope with the latest index used for the list of ``year``, computed
    categories (in CATEGORIES order) and official categories of ``year``."""
    params = params or load_params()
    last = year - int(params["lists"]["results_lag"])
    schools = schools_of_region(store, region_id)
    if municipality_id is not None:
        schools = schools[schools["municipality_id"] == municipality_id]
    index = composite_index(store, region_id, last, last, params)
    flags = identify(store, region_id, year, params)
    order = {c: k for k, c in enumerate(CATEGORIES)}
    computed = flags.drop_duplicates(["school_id", "category"]).groupby("school_id")["category"].agg(
        lambda c: tuple(sorted(c, key=order.get)))
    official = official_lists(store, region_id, municipality_id)
    official = official[official["year"] == year].groupby("school_id")["category"].agg(lambda c: tuple(sorted(c)))
    table = schools.merge(index[["school_id", "composite", "rank_from_bottom", "n_ranked", "n_core"]],
                          on="school_id", how="left")
    table["computed"] = table["school_id"].map(computed).apply(lambda v: v if isinstance(v, tuple) else ())
    table["official"] = table["school_id"].map(official).apply(lambda v: v if isinstance(v, tuple) else ())
    probability = probability_for(store, region_id, year, params)
    table["bottom_probability"] = table["school_id"].map(probability) if probability is not None else float("nan")
    return table.sort_values("school_id").reset_index(drop=True)


@reads("municipalities", "results", "schools")
def school_history(store: Store, region_id: RegionId, school_id: SchoolId, year_from: int, year_to: int,
                   params: dict | None = None) -> pd.DataFrame:
    """year, composite (NaN: too little data), cut (the region's bottom-share boundary)."""
    params = params or load_params()
    index = composite_index(store, region_id, year_from, year_to, params)
    cuts = bottom_cuts(index, float(params["low_results"]["bottom_share"]))
    own = index[index["school_id"] == school_id][["year", "composite"]]
    return cuts[["year", "cut"]].merge(own, on="year", how="left").sort_values("year").reset_index(drop=True)
