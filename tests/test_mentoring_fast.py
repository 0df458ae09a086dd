"""The fast mentor proposal (one eligibility query, exact geodesics only for the pairs that can
matter, solver per part on the same matrix) against the previous computation
(tests/mentoring_reference.py): identical pairs, distances, unplaced schools, comparison and
figures — ties included — on a hand-made region and on the demo region."""
import numpy as np
import pandas as pd
import pytest

from analytics import mentoring
from analytics.geo import geodesic_km
from analytics.store import Store, insert_df
from tests import mentoring_reference as reference

# School, municipality, type, lat, lon. Insertion order is the schools' storage order, which
# orders the assignment's rows and columns (and so decides ties).
SCHOOLS = [
    ("K", "R-1", "oosh", 56.0, 39.9),      # official mentor; an ООШ may mentor a СОШ only
    ("M1", "R-1", "sosh", 56.0, 40.1),     # official mentor, as far from A/B as K (mirror image)
    ("M2", "R-2", "sosh", 56.2, 40.0),     # mentor by results
    ("W", "R-1", "sosh", 56.05, 40.0),     # many «2»: not a mentor
    ("X", "R-2", "lyceum", 56.3, 40.3),    # mentor by results
    ("A", "R-1", "oosh", 56.0, 40.0),      # mentees (low results) ...
    ("B", "R-1", "sosh", 56.0, 40.0),
    ("C", "R-2", "sosh", 56.2, 40.2),
    ("N", "R-1", "nosh", 56.0, 40.0),
    ("F", "R-2", "sosh", 60.0, 45.0),      # ~400 km away: beyond the limit
    ("G", "Q-1", "oosh", 50.0, 50.0),      # region Q has no mentor at all
    ("H", "Q-1", "sosh", 50.1, 50.0),      # not listed, few participants: no mentor either
    ("P1", "P-1", "nosh", 45.0, 40.0),     # region P: a НОШ mentee and an ООШ mentor (not allowed)
    ("P2", "P-1", "oosh", 45.0, 40.1),
]
N2 = {"K": 1, "M1": 5, "M2": 0, "W": 10, "X": 1, "A": 9, "B": 9, "C": 8, "N": 9, "F": 9, "G": 9, "H": 0,
      "P1": 9, "P2": 0}
RULES = dict(capacity=4, max_km=60.0, mentor_quantile=0.5, min_participants=10)


def _build(store):
    cur = store.cursor()
    insert_df(cur, "regions", pd.DataFrame([{"region_id": r, "name": r} for r in "RQP"]))
    insert_df(cur, "municipalities", pd.DataFrame([
        {"municipality_id": m, "region_id": m[0], "name": m, "kind": "district"}
        for m in ("R-1", "R-2", "Q-1", "P-1")]))
    insert_df(cur, "schools", pd.DataFrame([{"school_id": s, "municipality_id": m, "name": s, "short_name": f"Ш {s}",
                                              "school_type": t, "is_rural": True, "lat": lat, "lon": lon}
                                             for s, m, t, lat, lon in SCHOOLS]))
    insert_df(cur, "results", pd.DataFrame([
        {"school_id": s, "year": year, "procedure": "VPR", "subject_id": "math", "grade": 5,
         "participants": 4 if s == "H" else 10, "n2": n2, "n3": 10 - n2 if s != "H" else 4, "n4": 0, "n5": 0}
        for s, n2 in N2.items() for year in (2025, 2026)]))
    insert_df(cur, "school_lists", pd.DataFrame(
        [{"year": 2026, "category": "low_results", "school_id": s} for s in ("A", "B", "C", "N", "F", "G", "P1")]
        + [{"year": 2026, "category": "mentor", "school_id": s} for s in ("K", "M1", "P2")]))
    # Road km: C–M2 recorded both ways with different km (both imported at the same time),
    # A–M1 on pairs of two years with different km; the current pairs of 2026.
    insert_df(cur, "road_distances", pd.DataFrame([
        {"mentor_school_id": "M2", "mentee_school_id": "C", "road_km": 9.0, "imported_at": pd.Timestamp("2026-01-01")},
        {"mentor_school_id": "C", "mentee_school_id": "M2", "road_km": 12.0, "imported_at": pd.Timestamp("2026-01-01")},
        {"mentor_school_id": "X", "mentee_school_id": "B", "road_km": 7.0, "imported_at": pd.Timestamp("2026-01-01")}]))
    insert_df(cur, "mentor_pairs", pd.DataFrame([
        {"year": 2025, "mentor_school_id": "M1", "mentee_school_id": "A", "straight_km": 6.2, "road_km": 8.0,
         "source": "official"},
        {"year": 2026, "mentor_school_id": "M1", "mentee_school_id": "A", "straight_km": 6.2, "road_km": 8.5,
         "source": "official"},
        {"year": 2026, "mentor_school_id": "W", "mentee_school_id": "B", "straight_km": 5.6, "road_km": None,
         "source": "official"}]))


@pytest.fixture(scope="module")
def tie_store(tmp_path_factory):
    """The hand-made regions, built once (the tests below only read them, except one that
    works on its own copy: ``tie_store_copy``)."""
    store = Store(tmp_path_factory.mktemp("ties") / "ties.duckdb")
    store.migrate()
    _build(store)
    yield store
    store.close()


@pytest.fixture
def tie_store_copy(empty_store):
    _build(empty_store)
    return empty_store


VARIANTS = [
    {},
    {"capacity": 1},
    {"capacity": 2, "max_km": 20.0},
    {"max_km": None},
    {"max_km": 5.0},
    {"max_km": 0.5},                         # every pair beyond the limit
    {"same_municipality": True},
    {"capacity": 1, "same_municipality": True, "road_factor": 1.0},
]


@pytest.mark.parametrize("method", mentoring.METHODS)
@pytest.mark.parametrize("variant", VARIANTS, ids=[str(v) for v in VARIANTS])
def test_fast_proposal_is_the_previous_one(tie_store, method, variant):
    rules = {**RULES, **variant}
    new = mentoring.propose(tie_store, None, None, 2026, 2026, method, **rules)
    old = reference.propose(tie_store, None, None, 2026, 2026, method, **rules)
    reference.assert_same_proposal(new, old)


# A municipality; a region whose mentee has no mentor pool; one whose pool allows none of its
# mentees; a municipality without mentees (empty frames keep the previous column types).
@pytest.mark.parametrize("method", mentoring.METHODS)
@pytest.mark.parametrize("scope", [("R", "R-2"), ("Q", None), ("P", None), ("R", "R-9")])
def test_fast_proposal_is_the_previous_one_in_small_scopes(tie_store, method, scope):
    for variant in ({}, {"capacity": 1, "same_municipality": True}):
        new = mentoring.propose(tie_store, *scope, 2026, 2026, method, **{**RULES, **variant})
        old = reference.propose(tie_store, *scope, 2026, 2026, method, **{**RULES, **variant})
        reference.assert_same_proposal(new, old)


@pytest.mark.parametrize("method", mentoring.METHODS)
@pytest.mark.parametrize("variant", [{}, {"capacity": 1}, {"capacity": 2, "same_municipality": True},
                                     {"max_km": 15.0}, {"max_km": None, "mentor_quantile": 0.2}])
def test_fast_proposal_is_the_previous_one_on_the_demo_region(demo_store, method, variant):
    new = mentoring.propose(demo_store, "01", None, 2026, 2026, method, **variant)
    old = reference.propose(demo_store, "01", None, 2026, 2026, method, **variant)
    reference.assert_same_proposal(new, old)
    assert len(new["pairs"]) > 0


def test_plan_is_assign_over_every_candidate(tie_store):
    rules = mentoring.Rules(**RULES)
    mentees, mentors = mentoring.mentees_and_mentors(tie_store, None, None, 2026, 2026, rules)
    road = mentoring.known_road_km(tie_store)
    candidates = mentoring.candidate_pairs(mentees, mentors, road, rules)
    for method in mentoring.METHODS:
        pairs, unassigned = mentoring.plan(mentees, mentors, road, rules, method)
        old_pairs, old_unassigned = mentoring.assign(mentees, mentors, candidates, rules, method)
        pd.testing.assert_frame_equal(pairs, old_pairs, check_exact=True)
        pd.testing.assert_frame_equal(unassigned, old_unassigned, check_exact=True)


def test_road_km_recorded_more_than_once_by_rule(tie_store_copy):
    """Imported before recorded on a pair, the newest first, and at equal rank the record in the
    asked direction: C–M2 imported both ways at the same time (9 km M2→C, 12 km C→M2), A–M1 on
    the pairs of 2025 (8 km) and 2026 (8.5 km)."""
    road = mentoring.known_road_km(tie_store_copy).set_index(["mentor_school_id", "mentee_school_id"])["road_km"]
    assert road[("M2", "C")] == 9.0 and road[("C", "M2")] == 12.0
    assert road[("M1", "A")] == 8.5 and road[("A", "M1")] == 8.5
    assert road[("X", "B")] == road[("B", "X")] == 7.0
    # the proposal reads the same km (C's nearest is M2 by road, 9 km)
    got = mentoring.propose(tie_store_copy, None, None, 2026, 2026, "nearest", **RULES)["pairs"]
    assert got.set_index("mentee_school_id").loc["C", ["mentor_school_id", "km"]].tolist() == ["M2", 9.0]
    # an imported distance beats a newer one recorded on a pair
    with tie_store_copy.transaction() as cur:
        cur.execute("INSERT INTO road_distances (mentor_school_id, mentee_school_id, road_km, imported_at) "
                    "VALUES ('A', 'M1', 11.0, TIMESTAMP '2020-01-01')")
    road = mentoring.known_road_km(tie_store_copy).set_index(["mentor_school_id", "mentee_school_id"])["road_km"]
    assert road[("M1", "A")] == 11.0 and road[("A", "M1")] == 11.0


def test_hand_computed_pairs_and_ties(tie_store_copy):
    tie_store = tie_store_copy
    # Road km recorded twice with different values: test_road_km_recorded_more_than_once_by_rule;
    # here only unambiguous ones are kept.
    with tie_store.transaction() as cur:
        cur.execute("DELETE FROM road_distances WHERE mentor_school_id = 'C'")
        cur.execute("DELETE FROM mentor_pairs WHERE year = 2025")
    straight = {(e, m): float(geodesic_km(*next(s[3:] for s in SCHOOLS if s[0] == e),
                                          *next(s[3:] for s in SCHOOLS if s[0] == m)))
                for e in "ABCNF" for m in ("K", "M1", "M2", "X")}
    # B is as far from K as from M1 (mirror images).
    assert straight[("B", "K")] == straight[("B", "M1")]
    mentees, mentors = mentoring.mentees_and_mentors(tie_store, None, None, 2026, 2026, mentoring.Rules(**RULES))
    assert mentees["school_id"].tolist() == ["A", "B", "C", "N", "F", "G", "P1"]
    # Threshold of R: pooled shares of «2» of the 10 measured schools (H has too few
    # participants) 0 .1 .1 .5 .8 .9 .9 .9 .9 1.0; median at 4.5: .8 + (.9 - .8) x .5 = .85.
    assert mentors["school_id"].tolist() == ["K", "M1", "M2", "X", "P2"]
    assert mentors["threshold"].tolist()[:4] == pytest.approx([0.85] * 4)
    assert mentors["basis"].tolist() == ["official", "official", "results", "results", "official"]

    nearest = mentoring.propose(tie_store, None, None, 2026, 2026, "nearest", **RULES)
    got = nearest["pairs"].set_index("mentee_school_id")
    # A: M1 by road (8.5 km, on its current pair) — M2 at 22.3 km x 1.3 = 29 km is farther.
    assert got.loc["A", ["mentor_school_id", "km", "km_kind"]].tolist() == ["M1", 8.5, "road"]
    # B: X by road 7 km beats the 6.24 x 1.3 = 8.11 km estimates of K and M1.
    assert got.loc["B", ["mentor_school_id", "km"]].tolist() == ["X", 7.0]
    # C: M2 by road, 9 km.
    assert got.loc["C", ["mentor_school_id", "km"]].tolist() == ["M2", 9.0]
    # N (НОШ): M1 at 6.24 x 1.3; F: its nearest, far beyond the limit (reported, not refused).
    assert got.loc["N", "mentor_school_id"] == "M1"
    assert got.loc["N", "km"] == straight[("N", "M1")] * 1.3
    assert got.loc["F", "mentor_school_id"] == min(("K", "M1", "M2", "X"), key=lambda m: straight[("F", m)])
    assert got.loc["F", "beyond_limit"] and got.loc["F", "km"] > 400
    assert nearest["unassigned"].set_index("mentee_school_id")["reason"].to_dict() == {
        "G": "no_candidate", "P1": "no_candidate"}

    # Without its road km B's tie K / M1 goes to the mentor met first: M1, allowed to A (the
    # first mentee); K (an ООШ) only comes in with B — although K is first in storage order.
    with tie_store.transaction() as cur:
        cur.execute("DELETE FROM road_distances WHERE mentee_school_id = 'B'")
    again = mentoring.propose(tie_store, None, None, 2026, 2026, "nearest", **RULES)["pairs"]
    again = again.set_index("mentee_school_id")
    assert again.loc["B", ["mentor_school_id", "straight_km"]].tolist() == ["M1", straight[("B", "M1")]]

    # Least total with one place per mentor (A, B, N stand on one point; K may take B or C
    # only; N only M1, M2, X): N–M1 8.11 + B–K 8.11 + C–X 16.57 + A–M2 28.95 = 61.74 km beats
    # A–M1 8.5 + B–K + C–X + N–M2 (62.13) and every plan giving C its 9 km to M2 (then A or
    # N needs X, 49.7 km). F is beyond the limit.
    total = mentoring.propose(tie_store, None, None, 2026, 2026, "total", **{**RULES, "capacity": 1})
    assert total["pairs"].set_index("mentee_school_id")["mentor_school_id"].to_dict() == {
        "A": "M2", "B": "K", "C": "X", "N": "M1"}
    assert total["summary"]["total_km"] == pytest.approx(61.74, abs=0.01)
    assert total["unassigned"].set_index("mentee_school_id")["reason"].to_dict() == {
        "F": "beyond_limit", "G": "no_candidate", "P1": "no_candidate"}


def test_quantile_in_sql_is_pandas_quantile(empty_store):
    """The threshold query interpolates exactly as ``groupby(...).quantile`` (DuckDB's own
    ``quantile_cont`` differs in the last bits)."""
    rng = np.random.default_rng(7)
    frame = pd.DataFrame({"g": rng.integers(0, 150, 3000),
                          "x": rng.integers(0, 40, 3000) / rng.integers(10, 300, 3000)})
    con = empty_store.cursor()
    con.register("sample", frame)
    sql = mentoring.MENTEES_AND_MENTORS
    ranked = sql[sql.index("ranked AS (") + len("ranked AS ("):sql.index("), threshold AS")]
    threshold = sql[sql.index("threshold AS (") + len("threshold AS ("):sql.index("), flagged AS")]
    ranked = ranked.replace("region_id", "g").replace("share2", "x").replace(
        "FROM strength WHERE measured AND x IS NOT NULL", "FROM sample")
    query = f"WITH ranked AS ({ranked}) {threshold.replace('region_id', 'g')} ORDER BY g"
    for q in (0.35, 0.1, 0.5, 1 / 3, 0.0, 1.0):
        got = con.execute(query, {"quantile": q}).df().set_index("g")["threshold"]
        want = frame.groupby("g")["x"].quantile(q)
        assert (got.to_numpy() == want.to_numpy()).all(), q


def test_sphere_bounds_of_the_geodesic():
    """The pre-selection relies on geodesic / great-circle (R = 6371 km) within
    [0.99441, 1.00449]; checked on random pairs anywhere, short and long."""
    rng = np.random.default_rng(3)
    lat1, lon1 = rng.uniform(-89.9, 89.9, 5000), rng.uniform(-180, 180, 5000)
    near = rng.uniform(size=5000) < 0.5
    lat2 = np.where(near, np.clip(lat1 + rng.normal(0, 0.3, 5000), -89.9, 89.9), rng.uniform(-89.9, 89.9, 5000))
    lon2 = np.where(near, lon1 + rng.normal(0, 0.3, 5000), rng.uniform(-180, 180, 5000))
    a = mentoring._unit_vectors(pd.DataFrame({"lat": lat1, "lon": lon1}))
    b = mentoring._unit_vectors(pd.DataFrame({"lat": lat2, "lon": lon2}))
    chord = np.sqrt(np.maximum(2.0 - 2.0 * (a * b).sum(axis=1), 0.0))
    sphere = 2 * mentoring._EARTH_KM * np.arcsin(np.minimum(chord / 2, 1.0))
    ratio = geodesic_km(lat1, lon1, lat2, lon2) / sphere
    assert ratio.min() >= 0.99441 and ratio.max() <= 1.00449
    assert mentoring._SPHERE_LOW < 0.99441 and mentoring._SPHERE_HIGH > 1.00449
