"""Indicators, intervals, dynamics and the status × change grid on hand-made fixtures."""
import math

import numpy as np
import pandas as pd
import pytest

from analytics import comparison, dynamics, indicators, performance_grid
from analytics.query import Pooling, Query
from analytics.store import insert_df

Z = 1.959963984540054
MARK_COLUMNS = ["n2", "n3", "n4", "n5"]


def wilson(k, n, z=Z):
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


@pytest.fixture
def geo(empty_store):
    cur = empty_store.cursor()
    cur.execute("INSERT INTO regions VALUES ('R', 'Регион', TRUE, NULL), ('Q', 'Другой', TRUE, NULL)")
    insert_df(cur, "municipalities", pd.DataFrame({
        "municipality_id": ["A", "B", "C"], "region_id": ["R", "R", "Q"], "name": ["Альфа", "Бета", "Гамма"],
        "kind": "district"}))
    insert_df(cur, "schools", pd.DataFrame({
        "school_id": ["s1", "s2", "s3", "s4", "s5"], "municipality_id": ["A", "A", "B", "B", "C"],
        "name": "школа", "short_name": ["Ш1", "Ш2", "Ш3", "Ш4", "Ш5"],
        "school_type": ["sosh", "sosh", "sosh", "oosh", "sosh"], "is_rural": [False, False, False, True, False],
        "social_index": [0.1, 0.15, 0.3, 0.9, 0.1]}))
    return empty_store


def add_marks(store, rows):
    """rows: (school, year, procedure, subject, grade, n2, n3, n4, n5[, lower, confirmed, higher])."""
    records = []
    for row in rows:
        school, year, procedure, subject, grade, n2, n3, n4, n5, *vpr = row
        record = dict(school_id=school, year=year, procedure=procedure, subject_id=subject, grade=grade,
                      participants=n2 + n3 + n4 + n5, n2=n2, n3=n3, n4=n4, n5=n5)
        if vpr:
            record.update(n_lower=vpr[0], n_confirmed=vpr[1], n_higher=vpr[2])
        records.append(record)
    insert_df(store.cursor(), "results", pd.DataFrame(records))


def one(frame, **match):
    for key, value in match.items():
        frame = frame[frame[key] == value]
    assert len(frame) == 1, frame
    return frame.iloc[0]


def test_mark_indicators_by_hand(geo):
    # 20 participants: 2×«2», 6×«3», 8×«4», 4×«5»; ВПР vs journal 5 / 13 / 2
    add_marks(geo, [("s1", 2026, "VPR", "math", 5, 2, 6, 8, 4, 5, 13, 2)])
    frame = indicators.school_indicators(geo, Query.of("R"), min_n=10)
    got = {r.indicator: r for r in frame.itertuples()}
    assert got["success"].value == pytest.approx(18 / 20)
    assert got["quality"].value == pytest.approx(12 / 20)
    assert got["share2"].value == pytest.approx(2 / 20)
    assert got["mean_mark"].value == pytest.approx((4 + 18 + 32 + 20) / 20)          # 3.7
    assert got["sou"].value == pytest.approx((4 + 0.64 * 8 + 0.36 * 6 + 0.16 * 2) / 20)  # 0.58
    assert got["vpr_lower"].value == pytest.approx(0.25)
    assert got["vpr_confirmed"].value == pytest.approx(0.65)
    assert got["vpr_higher"].value == pytest.approx(0.10)
    assert set(got) == {"success", "quality", "share2", "mean_mark", "sou", "vpr_lower", "vpr_confirmed",
                        "vpr_higher"}
    # Wilson 95 % for 12 / 20: 0.3866 … 0.7812 (hand-checked)
    assert (got["quality"].ci_low, got["quality"].ci_high) == pytest.approx(wilson(12, 20))
    assert got["quality"].ci_low == pytest.approx(0.38658, abs=1e-4)
    assert got["quality"].ci_high == pytest.approx(0.78119, abs=1e-4)
    # mean mark: Σx² = 4·2 + 9·6 + 16·8 + 25·4 = 290; var = (290 − 74²/20)/19 = 0.85263
    var = (290 - 74 ** 2 / 20) / 19
    assert var == pytest.approx(0.852632, abs=1e-6)
    half = Z * math.sqrt(var / 20)
    assert (got["mean_mark"].ci_low, got["mean_mark"].ci_high) == pytest.approx((3.7 - half, 3.7 + half))
    assert all(r.enough for r in got.values())


def test_ege_indicators_and_pooled_sd(geo):
    insert_df(geo.cursor(), "results", pd.DataFrame({
        "school_id": ["s1", "s2"], "year": 2026, "procedure": "EGE", "subject_id": "rus", "grade": 11,
        "participants": [10, 30], "mean_score": [60.0, 80.0], "score_sd": [10.0, 5.0],
        "n_below_min": [1, 0], "n_high": [0, 12]}))
    region = indicators.aggregate(geo, Query.of("R", level="region"), min_n=10)
    mean = one(region, indicator="ege_mean")
    assert mean.value == pytest.approx((600 + 2400) / 40)   # 75, participant-weighted
    # pooled SD: within 9·100 + 29·25 = 1625, between 10·15² + 30·5² = 3000 -> var = 4625/39
    assert mean.se == pytest.approx(math.sqrt(4625 / 39 / 40))
    assert one(region, indicator="below_min").value == pytest.approx(1 / 40)
    assert one(region, indicator="high_score").value == pytest.approx(12 / 40)
    assert set(region["indicator"]) == {"ege_mean", "below_min", "high_score"}


def test_all_one_mark_zero_and_small_n(geo):
    add_marks(geo, [("s1", 2026, "OGE", "rus", 9, 0, 0, 0, 12),   # everyone «5»
                    ("s2", 2026, "OGE", "rus", 9, 1, 2, 1, 0)])   # N = 4 < min_n
    insert_df(geo.cursor(), "results", pd.DataFrame({
        "school_id": ["s3"], "year": [2026], "procedure": ["OGE"], "subject_id": ["rus"], "grade": [9],
        "participants": [0], "n2": [0], "n3": [0], "n4": [0], "n5": [0]}))
    frame = indicators.school_indicators(geo, Query.of("R"), min_n=10)
    assert "s3" not in set(frame["school_id"])          # N = 0: no value at all, no division by zero
    s1 = frame[frame["school_id"] == "s1"].set_index("indicator")
    assert s1.loc["quality", "value"] == 1.0 and s1.loc["share2", "value"] == 0.0
    assert s1.loc["quality", "ci_low"] == pytest.approx(wilson(12, 12)[0])     # 0.7575
    assert s1.loc["quality", "ci_low"] == pytest.approx(0.7575, abs=1e-4)
    assert s1.loc["quality", "ci_high"] == pytest.approx(1.0)
    assert s1.loc["share2", "ci_high"] == pytest.approx(1 - 0.7575, abs=1e-4)
    assert s1.loc["mean_mark", "value"] == 5.0
    assert (s1.loc["mean_mark", "ci_low"], s1.loc["mean_mark", "ci_high"]) == (5.0, 5.0)  # no spread
    s2 = frame[frame["school_id"] == "s2"].set_index("indicator")
    assert not s2["enough"].any()
    assert s2.loc["quality", "value"] == pytest.approx(0.25)


def test_no_spread_is_a_zero_width_interval_not_rounding_noise(geo):
    # 12 participants all «4»: СОУ = 0.64 for everyone, so Σx² − (Σx)²/n = 12·0.4096 − 7.68²/12 = 0
    # by hand, but 8.9e-16 in floating point, which made SE ≈ 2.5e-9 and the interval ±5e-9 wide.
    # ЕГЭ: 12 participants, mean 61.3, SD 0: Σx² − (Σx)²/n = 12·61.3² − 735.6²/12 = 0 (7.3e-12 in floats).
    add_marks(geo, [("s1", 2026, "OGE", "rus", 9, 0, 0, 12, 0)])
    insert_df(geo.cursor(), "results", pd.DataFrame({
        "school_id": ["s2"], "year": [2026], "procedure": ["EGE"], "subject_id": ["rus"], "grade": [11],
        "participants": [12], "mean_score": [61.3], "score_sd": [0.0]}))
    frame = indicators.school_indicators(geo, Query.of("R"), min_n=10)
    sou = one(frame, school_id="s1", indicator="sou")
    ege = one(frame, school_id="s2", indicator="ege_mean")
    assert sou.value == pytest.approx(0.64) and ege.value == pytest.approx(61.3)
    for row in (sou, ege):
        assert row.se == 0.0
        assert row.ci_low == row.value == row.ci_high
    # a real spread of one mark in 12 stays: «3» once, «4» eleven times
    add_marks(geo, [("s3", 2026, "OGE", "rus", 9, 0, 1, 11, 0)])
    spread = one(indicators.school_indicators(geo, Query.of("R"), min_n=10), school_id="s3", indicator="sou")
    s1, s2 = 0.36 + 11 * 0.64, 0.36 ** 2 + 11 * 0.64 ** 2
    assert spread.se == pytest.approx(math.sqrt((s2 - s1 * s1 / 12) / 11 / 12))   # 0.0233
    assert spread.se == pytest.approx(0.02333, abs=1e-5)


def test_aggregation_from_counts_matches_pandas_oracle(geo):
    rng = np.random.default_rng(7)
    rows = []
    for school in ("s1", "s2", "s3", "s4"):
        for year in (2024, 2025, 2026):
            for subject in ("math", "rus"):
                for grade in (5, 6):
                    n2, n3, n4, n5 = rng.integers(0, 15, 4)
                    lower, higher = rng.integers(0, 3, 2)
                    total = n2 + n3 + n4 + n5
                    rows.append((school, year, "VPR", subject, grade, int(n2), int(n3), int(n4), int(n5),
                                 int(min(lower, total)), int(total - min(lower, total) - min(higher, total - min(lower, total))),
                                 int(min(higher, total - min(lower, total)))))
    add_marks(geo, rows)
    raw = pd.DataFrame(rows, columns=["school", "year", "procedure", "subject", "grade", *MARK_COLUMNS,
                                      "lower", "confirmed", "higher"])
    raw["municipality"] = raw["school"].map({"s1": "A", "s2": "A", "s3": "B", "s4": "B"})
    # brute force: expand every row into one value per student, then average
    marks = raw.loc[raw.index.repeat(raw[MARK_COLUMNS].sum(axis=1))].copy()
    marks["mark"] = np.concatenate([np.repeat([2, 3, 4, 5], r[MARK_COLUMNS].to_numpy(int)) for _, r in raw.iterrows()])
    oracle = marks.groupby(["municipality", "year", "subject"]).agg(
        quality=("mark", lambda m: (m >= 4).mean()), mean_mark=("mark", "mean"),
        sou=("mark", lambda m: m.map({2: 0.16, 3: 0.36, 4: 0.64, 5: 1.0}).mean()),
        sd=("mark", lambda m: m.std(ddof=1)), n=("mark", "size"))
    got = indicators.aggregate(geo, Query.of("R", level="municipality"), pooling=Pooling(grades=True), min_n=1)
    for (municipality, year, subject), expected in oracle.iterrows():
        part = got[(got["unit_id"] == municipality) & (got["year"] == year) & (got["subject_id"] == subject)]
        values = part.set_index("indicator")
        assert values.loc["quality", "value"] == pytest.approx(expected["quality"])
        assert values.loc["mean_mark", "value"] == pytest.approx(expected["mean_mark"])
        assert values.loc["sou", "value"] == pytest.approx(expected["sou"])
        assert values.loc["mean_mark", "se"] == pytest.approx(expected["sd"] / math.sqrt(expected["n"]))
        assert values.loc["quality", "n"] == expected["n"]
    # the averaged percentage differs from the count-based value in general
    per_row = raw.assign(q=(raw["n4"] + raw["n5"]) / raw[MARK_COLUMNS].sum(axis=1))
    mean_of_shares = per_row[(per_row["municipality"] == "A") & (per_row["year"] == 2026)
                             & (per_row["subject"] == "math")]["q"].mean()
    a = one(got, unit_id="A", year=2026, subject_id="math", indicator="quality")
    assert a.value == pytest.approx(oracle.loc[("A", 2026, "math"), "quality"])
    assert a.value != pytest.approx(mean_of_shares)
    # region = everything in R; Q's school never leaks in; pooled subjects too
    region = indicators.aggregate(geo, Query.of("R", level="region"), pooling=Pooling(grades=True, subjects=True),
                                  min_n=1)
    r = one(region, year=2025, indicator="vpr_higher")
    sub = raw[raw["year"] == 2025]
    assert r.value == pytest.approx(sub["higher"].sum() / sub[MARK_COLUMNS].sum().sum())


def test_change_with_newcombe_and_mean_intervals(geo):
    add_marks(geo, [("s1", 2025, "VPR", "math", 5, 10, 20, 15, 5),    # quality 20/50
                    ("s1", 2026, "VPR", "math", 5, 5, 15, 20, 10),    # quality 30/50
                    ("s2", 2025, "VPR", "math", 5, 1, 2, 2, 1),       # N = 6
                    ("s2", 2026, "VPR", "math", 5, 0, 2, 5, 5),
                    ("s3", 2025, "VPR", "math", 5, 20, 20, 10, 0),    # «2»: 40 %
                    ("s3", 2026, "VPR", "math", 5, 5, 25, 20, 0)])    # «2»: 10 %
    frame = dynamics.changes(geo, Query.of("R", year_to=2026, procedure="VPR"), min_n=10)
    q = one(frame, unit_id="s1", indicator="quality")
    l1, u1 = wilson(30, 50)
    l0, u0 = wilson(20, 50)
    assert q.delta == pytest.approx(0.2)
    assert q.delta_low == pytest.approx(0.2 - math.sqrt((0.6 - l1) ** 2 + (u0 - 0.4) ** 2))
    assert q.delta_high == pytest.approx(0.2 + math.sqrt((u1 - 0.6) ** 2 + (0.4 - l0) ** 2))
    assert q.delta_low == pytest.approx(0.0050, abs=2e-3)   # just above zero
    assert q.change_verdict == "improved"
    small_fall = one(frame, unit_id="s1", indicator="share2")       # 20 % -> 10 % of 50: not significant
    assert small_fall.delta == pytest.approx(-0.1) and small_fall.change_verdict == "no_change"
    assert one(frame, unit_id="s3", indicator="share2").change_verdict == "improved"   # lower is better
    assert one(frame, unit_id="s3", indicator="success").change_verdict == "improved"
    m = one(frame, unit_id="s1", indicator="mean_mark")
    assert m.delta_high - m.delta == pytest.approx(Z * math.sqrt(m.se ** 2 + m.prev_se ** 2))
    assert one(frame, unit_id="s2", indicator="quality").change_verdict == "insufficient"


def test_change_without_previous_year_and_pooled_years(geo):
    add_marks(geo, [("s1", y, "VPR", "math", 5, 1, 2, 2, 1) for y in (2023, 2024, 2025, 2026)])
    plain = dynamics.changes(geo, Query.of("R", year_to=2026, procedure="VPR"), min_n=10)
    assert set(plain["change_verdict"]) == {"insufficient"}
    pooled = dynamics.changes(geo, Query.of("R", year_to=2026, procedure="VPR"), pooling=Pooling(years=2), min_n=10)
    q = one(pooled, unit_id="s1", indicator="quality")
    assert (q.n, q.prev_n, q.prev_year) == (12, 12, 2024)   # 2025+2026 vs 2023+2024
    assert q.enough and q.value == pytest.approx(0.5)
    assert q.change_verdict == "no_change"


def test_trend_wls_slope(geo):
    # quality 40 %, 50 %, 60 % with N = 100 -> slope 0.10 a year, residuals zero
    add_marks(geo, [("s1", 2024, "VPR", "math", 5, 10, 50, 30, 10), ("s1", 2025, "VPR", "math", 5, 10, 40, 40, 10),
                    ("s1", 2026, "VPR", "math", 5, 10, 30, 50, 10),
                    ("s2", 2025, "VPR", "math", 5, 10, 30, 50, 10), ("s2", 2026, "VPR", "math", 5, 10, 30, 50, 10)])
    frame = dynamics.trends(geo, Query.of("R", year_from=2024, year_to=2026, procedure="VPR"), min_n=10)
    q = one(frame, unit_id="s1", indicator="quality")
    assert q.slope == pytest.approx(0.10)
    weights = []
    for k in (40, 50, 60):
        p = (k + 2) / 104
        weights.append(104 / (p * (1 - p)))
    w = np.array(weights)
    x = np.array([24.0, 25.0, 26.0])
    sxx = (w * (x - (w * x).sum() / w.sum()) ** 2).sum()
    assert q.slope_se == pytest.approx(math.sqrt(1 / sxx))   # φ = max(1, 0) = 1
    assert q.trend_verdict == "improved"
    assert "s2" not in set(frame["unit_id"])   # only two years


@pytest.mark.parametrize("value, expected", [
    (0.099, 1), (0.10, 2), (0.1999, 2), (0.20, 3), (0.30, 4), (0.40, 5), (0.95, 5)])
def test_status_band_boundaries(value, expected):
    assert performance_grid.band([value], (0.1, 0.2, 0.3, 0.4), 1)[0] == expected


@pytest.mark.parametrize("value, expected", [
    (0.45, 1), (0.40, 2), (0.31, 2), (0.30, 3), (0.20, 4), (0.10, 5), (0.0, 5)])
def test_status_band_boundaries_lower_is_better(value, expected):
    assert performance_grid.band([value], (0.1, 0.2, 0.3, 0.4), -1)[0] == expected


def test_grid_levels_and_classify():
    assert performance_grid.level([1, 5, 3, 5, 1], [1, 5, 3, 1, 5]).tolist() == [1, 5, 3, 3, 2]
    frame = pd.DataFrame({
        "value": [0.05, 0.15, 0.25, 0.35, 0.45, 0.35, np.nan],
        "delta": [-0.1, -0.05, 0.0, 0.05, 0.1, 0.02, 0.0],
        "enough": [True, True, True, True, True, False, False],
        "prev_enough": [True, True, True, True, True, True, False]})
    graded = performance_grid.classify(frame, "quality", (0.1, 0.2, 0.3, 0.4), (-0.06, -0.02, 0.02, 0.06))
    assert graded["status_band"].tolist()[:5] == [1, 2, 3, 4, 5]
    assert graded["change_band"].tolist()[:5] == [1, 2, 3, 4, 5]
    assert graded["level"].tolist()[:5] == [1, 2, 3, 4, 5]
    assert graded["level"].isna().tolist()[5:] == [True, True]
    # for share2 (lower is better) a fall of 10 pp is the best change band
    flipped = performance_grid.classify(frame, "share2", (0.1, 0.2, 0.3, 0.4), (-0.06, -0.02, 0.02, 0.06))
    assert flipped["change_band"].tolist()[:5] == [5, 4, 3, 2, 1]
    assert flipped["status_band"].tolist()[:5] == [5, 4, 3, 2, 1]
    with pytest.raises(ValueError):
        performance_grid.orientation("vpr_lower")


def test_default_cuts_are_quantiles():
    frame = pd.DataFrame({"value": np.linspace(0, 1, 11), "delta": np.linspace(-0.5, 0.5, 11),
                          "enough": True, "prev_enough": True})
    status, change = performance_grid.default_cuts(frame, "quality")
    assert status == pytest.approx((0.2, 0.4, 0.6, 0.8))
    assert change == pytest.approx((-0.4, -0.2, 0.2, 0.4))   # |Δ| quantiles 0.4 -> 0.2, 0.8 -> 0.4


def test_school_levels_and_comparison(geo):
    rows = []
    for school, (q25, q26) in {"s1": (20, 30), "s2": (30, 30), "s3": (40, 35), "s4": (25, 20)}.items():
        rows += [(school, 2025, "VPR", "math", 5, 5, 45 - q25, q25, 0), (school, 2026, "VPR", "math", 5, 5, 45 - q26, q26, 0)]
    rows.append(("s5", 2026, "VPR", "math", 5, 0, 0, 50, 0))   # another region
    add_marks(geo, rows)
    levels = performance_grid.school_levels(geo, Query.of("R", year_to=2026, procedure="VPR", subject_id="math"), "quality",
                                            min_n=10)
    assert set(levels["school_id"]) == {"s1", "s2", "s3", "s4"}
    assert levels["level"].notna().all()
    only_a = performance_grid.school_levels(geo, Query.of("R", "A", year_to=2026, procedure="VPR", subject_id="math"),
                                            "quality", min_n=10)
    assert set(only_a["school_id"]) == {"s1", "s2"}
    assert only_a.attrs["status_cuts"] == levels.attrs["status_cuts"]   # cut points from the whole region
    compared = comparison.compare_school(geo, Query.of(school_id="s1", year=2026, procedure="VPR", subject_id="math"),
                                         "quality", min_n=10).set_index("who")
    assert compared.loc["school", "value"] == pytest.approx(30 / 50)
    assert compared.loc["municipality", "value"] == pytest.approx(60 / 100)
    assert compared.loc["region", "value"] == pytest.approx((30 + 30 + 35 + 20) / 200)
    assert compared.loc["similar", "value"] == pytest.approx(60 / 100)   # s1, s2: urban sosh, index band 0
    series = comparison.series(geo, Query.of(school_id="s1", procedure="VPR", subject_id="math"), "quality", min_n=10)
    assert set(series["who"]) == {"school", "municipality", "similar", "region"}
    assert len(series[series["who"] == "region"]) == 2
