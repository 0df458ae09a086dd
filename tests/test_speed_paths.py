"""The fast paths of issue #11 give what the straightforward computations give.

Each fast path (one SQL statement, integer codes instead of text keys, ranks taken from the
index) is compared with a plain reference — the pandas baselines of ``bench/``, the previous
per-group pandas code, or a pandas count — on a hand-made store with awkward rows and on the
demo region."""
import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analytics import composite, identification, indicators, risks
from analytics.query import Pooling, Query
from analytics import roadmaps as rm
from analytics.store import insert_df
from bench import baselines

TODAY = dt.date(2026, 11, 22)


def _two_regions(cur) -> None:
    """Regions 01 (municipalities A, B) and 02 (C); schools a1..a4 in A, b1..b3 in B, c1..c4 in C."""
    cur.execute("INSERT INTO regions VALUES ('01', 'Р1', TRUE, NULL), ('02', 'Р2', FALSE, NULL)")
    insert_df(cur, "municipalities", pd.DataFrame({"municipality_id": ["A", "B", "C"], "region_id": ["01", "01", "02"],
                                                   "name": ["Альфа", "Бета", "Гамма"], "kind": "district"}))
    schools = {"a1": "A", "a2": "A", "a3": "A", "a4": "A", "b1": "B", "b2": "B", "b3": "B",
               "c1": "C", "c2": "C", "c3": "C", "c4": "C"}
    insert_df(cur, "schools", pd.DataFrame({
        "school_id": list(schools), "municipality_id": list(schools.values()), "name": "школа",
        "short_name": list(schools), "school_type": "sosh", "is_rural": True,
        "social_index": [0.9, 0.2, 0.5, 0.7, 0.65, 0.3, 0.1, 0.8, 0.6, 0.4, 0.75]}))


def _results(cur) -> None:
    """Several years of core and other subjects; awkward rows: a ВПР row without marks, an ЕГЭ row
    without «below the minimum», a row with no participants, a school missing from ``schools``."""
    rng = np.random.default_rng(11)
    rows = []
    schools = ["a1", "a2", "a3", "a4", "b1", "b2", "b3", "c1", "c2", "c3", "c4", "zz"]
    for year in range(2020, 2027):
        for k, school in enumerate(schools):
            for procedure, subject, grade in (("VPR", "rus", 5), ("VPR", "math", 5), ("VPR", "bio", 6),
                                              ("OGE", "rus", 9), ("OGE", "math", 9), ("EGE", "rus", 11),
                                              ("EGE", "math_prof", 11), ("EGE", "phys", 11)):
                n = int(rng.integers(3, 40)) if school != "b3" else 2   # b3: too small to be indexed
                if procedure == "EGE":
                    below = int(rng.integers(0, n // 3 + 1))
                    rows.append(dict(school_id=school, year=year, procedure=procedure, subject_id=subject, grade=grade,
                                     participants=n, mean_score=float(rng.uniform(40, 80)),
                                     score_sd=float(rng.uniform(5, 15)), n_below_min=below,
                                     n_high=int(rng.integers(0, n - below + 1))))
                else:
                    marks = rng.multinomial(n, [0.05 + 0.02 * k, 0.35, 0.3, 0.3 - 0.02 * k])
                    higher = int(rng.integers(0, n // 2 + 1))
                    rows.append(dict(school_id=school, year=year, procedure=procedure, subject_id=subject, grade=grade,
                                     participants=n, n2=int(marks[0]), n3=int(marks[1]), n4=int(marks[2]),
                                     n5=int(marks[3]), n_lower=0 if procedure == "VPR" else None,
                                     n_higher=higher if procedure == "VPR" else None,
                                     n_confirmed=n - higher if procedure == "VPR" else None))
    frame = pd.DataFrame(rows)
    frame.loc[(frame["school_id"] == "a2") & (frame["year"] == 2024) & (frame["subject_id"] == "math")
              & (frame["procedure"] == "VPR"), ["n2", "n3", "n4", "n5"]] = None
    frame.loc[(frame["school_id"] == "c2") & (frame["procedure"] == "EGE") & (frame["year"] == 2025), "n_below_min"] = None
    frame.loc[(frame["school_id"] == "a3") & (frame["year"] == 2023), "participants"] = 0
    for column in ("n2", "n3", "n4", "n5", "n_below_min", "n_high", "n_lower", "n_higher", "n_confirmed"):
        frame[column] = frame[column].astype("Int64")
    insert_df(cur, "results", frame)


@pytest.fixture
def store(empty_store):
    cur = empty_store.cursor()
    _two_regions(cur)
    _results(cur)
    return empty_store


def _same(fast: pd.DataFrame, reference: pd.DataFrame, columns) -> None:
    for column in columns:
        a, b = fast[column], reference[column]
        if a.dtype.kind in "fiu" or b.dtype.kind in "fiu" or column == "rank_from_bottom":
            np.testing.assert_allclose(a.to_numpy(dtype=float, na_value=np.nan), b.to_numpy(dtype=float, na_value=np.nan),
                                       rtol=1e-12, atol=1e-12, err_msg=column)
        else:
            assert a.astype(object).tolist() == b.astype(object).tolist(), column


# The SQL path is compared with the pandas baseline of the raw index (before shrinkage).
RAW = {"composite": {"shrinkage": "none"}}
COMMON = ["school_id", "year", "region_id", "municipality_id", "n_core", "vpr_n", "vpr_share2", "oge_n", "oge_share2",
          "ege_n", "z_vpr_share2", "z_vpr_sou", "z_oge_share2", "z_ege_below", "composite", "rank_from_bottom",
          "n_ranked"]


@pytest.mark.parametrize("overrides", [{}, {"composite": {"weights": {"vpr_sou": 0.0, "ege_below": 2.0},
                                                          "min_component_n": 12, "min_participants": 40}}])
def test_composite_index_matches_the_pandas_computation(store, overrides):
    params = identification._merge(identification.load_params(RAW, override_file=None), overrides)
    fast = composite.composite_index(store, None, 2020, 2026, params)
    reference = baselines.composite_index(store.cursor(), 2020, 2026, params)
    assert len(fast) == len(reference) and "zz" not in set(fast["school_id"])   # not in `schools`: left out
    assert fast["composite"].notna().sum() > 40 and fast["composite"].isna().any()
    _same(fast, reference, COMMON)
    one = composite.composite_index(store, "02", 2020, 2026, params)
    _same(one, reference[reference["region_id"] == "02"].reset_index(drop=True), COMMON)


def test_composite_index_of_the_demo_region(demo_store):
    params = identification.load_params(RAW, override_file=None)
    fast = composite.composite_index(demo_store, None, 2021, 2025, params)
    _same(fast, baselines.composite_index(demo_store.cursor(), 2021, 2025, params), COMMON)


@pytest.mark.parametrize("share", [0.0, 0.1, 0.25, 0.5, 1.0])
def test_cut_from_the_index_ranks_is_the_sorted_cut(store, demo_store, share):
    params = identification.load_params(override_file=None)
    for st in (store, demo_store):
        index = composite.composite_index(st, None, 2020, 2026, params)
        pd.testing.assert_series_equal(identification._ranked_cut(index, share),
                                       identification._cut_from_bottom(index, share))


def _context_regression_per_group(latest: pd.DataFrame) -> pd.DataFrame:
    """The previous implementation (a pandas loop over regions)."""
    out = []
    for _, group in latest.dropna(subset=["composite", "social_index"]).groupby("region_id", sort=True):
        group = group.copy()
        if len(group) >= 3 and group["social_index"].var() > 0:
            slope, intercept = np.polyfit(group["social_index"], group["composite"], 1)
            group["expected"] = intercept + slope * group["social_index"]
            resid = group["composite"] - group["expected"]
            sd = math.sqrt(float((resid ** 2).sum()) / (len(group) - 2)) if len(group) > 2 else float("nan")
            group["residual_z"] = resid / sd if sd > 0 else np.nan
        else:
            group["expected"], group["residual_z"] = np.nan, np.nan
        out.append(group)
    return pd.concat(out)


def test_context_regression_matches_the_loop_over_regions(store, demo_store):
    params = identification.load_params(override_file=None)
    for st in (store, demo_store):
        index = composite.composite_index(st, None, 2025, 2025, params)
        latest = index.merge(identification.schools_of_region(st, None)[["school_id", "social_index"]], on="school_id")
        latest = pd.concat([latest, latest.head(2).assign(region_id="99")])   # a region too small to fit
        pd.testing.assert_frame_equal(identification.context_regression(latest),
                                      _context_regression_per_group(latest), check_exact=True)


def _trends_by_text_keys(index: pd.DataFrame, last: int, params: dict) -> pd.DataFrame:
    """The previous implementation (grouped by the school id text)."""
    settings = params["risk_zone"]
    window = index[(index["year"] > last - int(settings["window_years"])) & (index["year"] <= last)]
    window = window.dropna(subset=["composite"])
    g = window.assign(x=window["year"].astype(float), y=window["composite"]).groupby("school_id", sort=True)
    n = g["x"].size()
    mean_x, mean_y = g["x"].mean(), g["y"].mean()
    dx = window["year"].astype(float) - window["school_id"].map(mean_x)
    dy = window["composite"] - window["school_id"].map(mean_y)
    sxx = (dx ** 2).groupby(window["school_id"]).sum()
    sxy = (dx * dy).groupby(window["school_id"]).sum()
    syy = (dy ** 2).groupby(window["school_id"]).sum()
    frame = pd.DataFrame({"n_years": n, "sxx": sxx, "sxy": sxy, "syy": syy, "mean_x": mean_x, "mean_y": mean_y})
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
    frame["first_year"] = g["x"].min().astype(int)
    frame["last_year"] = last
    return frame.reset_index()


def test_index_trends_match_grouping_by_text(store, demo_store):
    params = identification.load_params({"risk_zone": {"min_years": 3}}, override_file=None)
    for st in (store, demo_store):
        index = composite.composite_index(st, None, 2020, 2025, params)
        fast = identification.trends(index, 2025, params)
        assert len(fast) > 5
        pd.testing.assert_frame_equal(fast, _trends_by_text_keys(index, 2025, params), check_exact=True)


def test_lookup_is_map():
    keys = pd.Series(["b", "x", "a", "b", None], dtype="str")
    table = pd.Series([1.5, 2.5, np.nan], index=pd.Index(["a", "b", "c"], dtype="str"))
    np.testing.assert_array_equal(identification._lookup(keys, table), keys.map(table).to_numpy(dtype=float))
    assert len(identification._lookup(keys.iloc[0:0], table)) == 0


def test_identification_of_two_regions_is_each_region_on_its_own(store):
    params = identification.load_params({"low_results": {"bottom_share": 0.3}, "risk_zone": {"margin": 5.0},
                                         "biased": {"max_higher_share": 0.2}}, override_file=None)
    both = identification.identify(store, None, 2026, params)
    assert set(both["category"]) >= {"low_results", "social_risk", "biased"}
    one = pd.concat([identification.identify(store, r, 2026, params) for r in ("01", "02")], ignore_index=True)
    order = {c: k for k, c in enumerate(identification.CATEGORIES)}
    one = one.assign(o=one["category"].map(order)).sort_values(["o", "school_id"], kind="stable").drop(columns="o")
    pd.testing.assert_frame_equal(both, one.reset_index(drop=True))


# -- indicators: the scope filter after the sums, the order ---------------------------------------
KEYS = ["unit_id", "procedure", "indicator", "year", "subject_id", "grade"]


@pytest.mark.parametrize("pooled", [True, False])
def test_school_indicators_of_a_scope_are_those_schools_rows(store, pooled):
    everyone = indicators.aggregate(store, Query(year_from=2024, year_to=2026), pooling=Pooling(pooled, pooled))
    assert "zz" not in set(everyone["unit_id"])          # results of a school not in `schools`
    for region, municipality, schools in (("01", None, "ab"), ("02", None, "c"), ("01", "B", "b")):
        part = indicators.aggregate(store, Query.of(region, municipality, year_from=2024, year_to=2026),
                                    pooling=Pooling(pooled, pooled))
        expected = everyone[everyone["unit_id"].str[0].isin(list(schools))].reset_index(drop=True)
        pd.testing.assert_frame_equal(part, expected)


@pytest.mark.parametrize("query, pooling", [
    (Query(year_from=2026, year_to=2026), Pooling(grades=True, subjects=True)),
    (Query(year_from=2026, year_to=2026, procedure="VPR", subject_id="rus", grade=5), Pooling()),
    (Query(year_from=2024, year_to=2026), Pooling(grades=True)),
    (Query(year_from=2026, year_to=2026, procedure="OGE"), Pooling(years=2))])
def test_indicator_rows_are_in_key_order(store, query, pooling):
    frame = indicators.aggregate(store, query, pooling=pooling)
    assert len(frame) > 20
    ordered = frame.sort_values(KEYS, na_position="first", kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(frame, ordered)


# -- roadmap completion and risk level counts -------------------------------------------------------
def test_completion_counts_with_and_without_the_municipality_join(demo_store):
    for year, as_of in ((2026, TODAY), (2026, dt.date(2026, 6, 30)), (2025, dt.date(2025, 12, 31))):
        flt = rm.RoadmapFilter("01", year=year)
        units = rm.units(demo_store, flt, as_of)
        expected = rm.summarise(units, as_of)
        row = rm.completion(demo_store, flt, as_of).iloc[0]
        for key in ("planned", "done", "done_on_time", "done_late", "due", "overdue", "in_progress", "not_started"):
            assert row[key] == expected[key], key
        everywhere = rm.completion(demo_store, flt._replace(region_id=None), as_of)
        pd.testing.assert_frame_equal(everywhere, rm.completion(demo_store, flt, as_of))   # one region only
        by_municipality = sum(rm.completion(demo_store, flt._replace(municipality_id=m), as_of).iloc[0]["units"]
                              for m in units["municipality_id"].dropna().unique())
        assert by_municipality == row["units"] - int(units["municipality_id"].isna().sum())


def test_level_counts_count_what_the_profiles_hold(demo_store, empty_store):
    cur = empty_store.cursor()
    _two_regions(cur)
    insert_df(cur, "risk_levels", pd.DataFrame({"level": ["high", "medium", "low"], "score": [3, 2, 1]}))
    cur.execute("INSERT INTO risk_catalogues VALUES ('c', 'К', TRUE), ('d', 'Д', FALSE)")
    insert_df(cur, "risk_factors", pd.DataFrame({"catalogue_id": ["c", "c", "c", "d"], "factor_id": ["f2", "f1", "f3", "f1"],
                                                 "position": [2, 1, 3, 1], "group_name": [None, "G", None, None],
                                                 "name_ru": ["Ф2", "Ф1", "Ф3", "Д1"], "name_en": ["F2", "F1", "F3", "D1"]}))
    rows = [("a1", "f1", "high"), ("a2", "f1", "high"), ("b1", "f1", "low"), ("c1", "f1", "medium"),
            ("a1", "f2", "medium"), ("zz", "f1", "high"),            # zz: not in `schools`
            ("a3", "f9", "high"),                                     # f9: not in the catalogue
            ("a4", "f2", "extreme")]                                  # a level not in risk_levels
    insert_df(cur, "risk_profiles", pd.DataFrame(rows, columns=["school_id", "factor_id", "level"]).assign(
        year=2026, catalogue_id="c"))
    insert_df(cur, "risk_profiles", pd.DataFrame({"school_id": ["a1"], "factor_id": ["f1"], "level": ["low"],
                                                  "year": 2026, "catalogue_id": "d"}))
    insert_df(cur, "school_lists", pd.DataFrame({"year": 2026, "category": "low_results", "school_id": ["a1", "c1"]}))
    table = risks.level_counts(empty_store, None, None, 2026, "c")
    assert table["factor_id"].tolist() == ["f1", "f2", "f3"]
    assert table[["high", "medium", "low", "schools"]].to_numpy().tolist() == [[2, 1, 1, 4], [0, 1, 0, 1], [0, 0, 0, 0]]
    assert table["high_share"].iloc[0] == 0.5 and np.isnan(table["high_share"].iloc[2])
    assert table["group_name"].tolist()[0] == "G"
    for st, region, municipality, category in ((empty_store, None, None, None), (empty_store, "01", None, None),
                                               (empty_store, "01", "A", None), (empty_store, None, None, "low_results"),
                                               (demo_store, "01", None, None), (demo_store, "01", "01-03", "low_results")):
        catalogue = risks.default_catalogue(st)
        year = risks.profile_year(st, catalogue, 2026)
        profiles = risks.profiles(st, region, municipality, year, catalogue, category)
        expected = risks._per_factor(st, catalogue, profiles, "level", risks.LEVELS)
        expected["high_share"] = (expected["high"] / expected["schools"]).where(expected["schools"] > 0)
        pd.testing.assert_frame_equal(risks.level_counts(st, region, municipality, year, catalogue, category), expected)
