"""School map and mentor assignment: distances, solvers against brute force, offline map,
escaping, and the page under AppTest."""
import datetime as dt
import itertools

import numpy as np
import pandas as pd
import pytest

from analytics import mentoring, school_map
from analytics.query import Query
from analytics.geo import geodesic_km, geodesic_matrix_km
from analytics.store import insert_df
from tests.apptest_helpers import all_text, assert_no_exception, new_app
from presentation import map_assets
from presentation.figures.school_map import build_map, choropleth_bins, colour_for, distance_label, school_map_click

TEXTS = {"km_road": "{km} км", "km_straight": "≈ {km} км по прямой", "km_estimate": "≈ {km} км (оценка)",
         "category": "Категория", "municipality": "Муниципалитет", "vpr_participants": "Участников ВПР",
         "vpr_share2": "Доля «2»", "roadmap": "Дорожная карта",
         "categories": {c: c.upper() for c in ("low_results", "social_risk", "risk_zone", "resilient", "mentor",
                                               "biased", "other")},
         "area_value": lambda row: f"{row.listed} / {row.schools}"}


# -- distances -----------------------------------------------------------------------------------
def test_geodesic_known_values():
    # One degree of latitude at the equator on WGS84: 110.574 km; of longitude: 111.319 km.
    assert geodesic_km(0, 0, 1, 0) == pytest.approx(110.574, abs=0.001)
    assert geodesic_km(0, 0, 0, 1) == pytest.approx(111.319, abs=0.001)
    # Moscow (55.7558, 37.6173) – Saint Petersburg (59.9343, 30.3351): about 634 km on the ellipsoid.
    assert geodesic_km(55.7558, 37.6173, 59.9343, 30.3351) == pytest.approx(634.4, abs=1.0)
    matrix = geodesic_matrix_km([0, 55.7558], [0, 37.6173], [1, 59.9343, 0], [0, 30.3351, 0])
    assert matrix.shape == (2, 3)
    assert matrix[0, 0] == pytest.approx(110.574, abs=0.001) and matrix[0, 2] == 0
    assert matrix[1, 1] == pytest.approx(634.4, abs=1.0)


def test_distance_labels_say_what_they_are():
    assert distance_label(35, "road", TEXTS) == "35 км"
    assert distance_label(23.4, "straight", TEXTS) == "≈ 23 км по прямой"
    assert distance_label(1234.0, "estimate", TEXTS) == "≈ 1\u00a0234 км (оценка)"


# -- solvers against brute force ---------------------------------------------------------------
def _brute(cost, capacity, objective, limit=None):
    """Best (placed, key) over every assignment (mentor or none per mentee) within capacity."""
    n, m = cost.shape
    best = None
    for choice in itertools.product(range(-1, m), repeat=n):
        if any(choice.count(j) > capacity for j in range(m)):
            continue
        km = [cost[i, j] for i, j in enumerate(choice) if j >= 0]
        if any(not np.isfinite(k) or (limit is not None and k > limit) for k in km):
            continue
        key = (-len(km), max(km, default=0), sum(km)) if objective == "longest" else (-len(km), sum(km))
        best = key if best is None or key < best else best
    return best


def _key(cost, chosen, objective):
    km = [cost[i, j] for i, j in enumerate(chosen) if j >= 0]
    return (-len(km), max(km, default=0), sum(km)) if objective == "longest" else (-len(km), sum(km))


@pytest.mark.parametrize("seed", range(25))
@pytest.mark.parametrize("objective", ["total", "longest"])
def test_optimal_assignment_matches_brute_force(seed, objective):
    rng = np.random.default_rng(seed)
    n, m = rng.integers(1, 6), rng.integers(1, 4)
    cost = np.round(rng.uniform(1, 100, (n, m)), 1)
    cost[rng.uniform(size=(n, m)) < 0.25] = np.inf            # pairs not allowed
    capacity = int(rng.integers(1, 3))
    limit = float(rng.choice([np.inf, 60.0]))
    limit = None if np.isinf(limit) else limit
    chosen = mentoring.solve(cost, capacity, objective, limit)
    counts = np.bincount(chosen[chosen >= 0], minlength=m)
    assert (counts <= capacity).all()
    assert all(np.isfinite(cost[i, j]) and (limit is None or cost[i, j] <= limit)
               for i, j in enumerate(chosen) if j >= 0)
    assert _key(cost, chosen, objective) == pytest.approx(_brute(cost, capacity, objective, limit))


def test_capacity_is_never_exceeded_and_nearest_reports_overload():
    # Five mentees all nearest to mentor 0, capacity 2.
    cost = np.array([[1, 10, 20], [2, 11, 21], [3, 12, 22], [4, 13, 23], [5, 14, 24]], dtype=float)
    optimal = mentoring.solve(cost, 2, "total")
    assert np.bincount(optimal, minlength=3).tolist() == [2, 2, 1]
    assert sum(cost[i, j] for i, j in enumerate(optimal)) == 1 + 2 + 12 + 13 + 24
    nearest = mentoring.solve(cost, 2, "nearest")
    assert nearest.tolist() == [0] * 5
    pairs = pd.DataFrame({"mentee_school_id": list("abcde"), "mentor_school_id": ["M"] * 5, "km": cost[:, 0]})
    assert mentoring.summarise(pairs, 5, mentoring.Rules(capacity=2))["mentors_over_capacity"] == 1


def test_longest_trip_variant_trades_total_for_the_worst_trip():
    cost = np.array([[1.0, 40.0], [20.0, 41.0]])
    assert mentoring.solve(cost, 1, "total").tolist() == [0, 1]      # 1 + 41 = 42 < 40 + 20 = 60
    assert mentoring.solve(cost, 1, "longest").tolist() == [1, 0]    # longest trip 40 < 41


def test_empty_and_unreachable_cases():
    assert mentoring.solve(np.zeros((0, 3)), 4, "total").tolist() == []
    assert mentoring.solve(np.zeros((2, 0)), 4, "longest").tolist() == [-1, -1]
    assert mentoring.solve(np.full((2, 2), np.inf), 4, "total").tolist() == [-1, -1]
    assert mentoring.solve(np.array([[70.0, 80.0]]), 4, "total", limit=60).tolist() == [-1]


# -- assignment on a hand-made store -------------------------------------------------------------
@pytest.fixture
def small_store(empty_store):
    """Region R, two municipalities. Mentees: A (ООШ, listed), B (СОШ, listed, far away),
    N (НОШ, listed). Mentors by results: M1 (СОШ), M2 (НОШ, may not mentor a СОШ/ООШ/НОШ)."""
    cur = empty_store.cursor()
    insert_df(cur, "regions", pd.DataFrame([{"region_id": "R", "name": "Р"}]))
    insert_df(cur, "municipalities", pd.DataFrame([
        {"municipality_id": "R-1", "region_id": "R", "name": "Первый", "kind": "district"},
        {"municipality_id": "R-2", "region_id": "R", "name": "Второй", "kind": "district"}]))
    schools = [("A", "R-1", "oosh", 56.0, 40.0), ("B", "R-2", "sosh", 58.0, 44.0), ("N", "R-1", "nosh", 56.0, 40.2),
               ("M1", "R-1", "sosh", 56.1, 40.0), ("M2", "R-1", "nosh", 56.0, 40.1),
               ("W", "R-1", "sosh", 56.0, 40.05)]
    insert_df(cur, "schools", pd.DataFrame([{"school_id": s, "municipality_id": m, "name": f"<b>{s}</b>", "short_name": s,
                                              "school_type": t, "is_rural": True, "lat": lat, "lon": lon}
                                             for s, m, t, lat, lon in schools]))
    # ВПР 2026: mentors have few «2», W many (not eligible).
    rows = [(s, n2) for s, n2 in (("A", 8), ("B", 9), ("N", 7), ("M1", 1), ("M2", 0), ("W", 9))]
    insert_df(cur, "results", pd.DataFrame([{"school_id": s, "year": 2026, "procedure": "VPR", "subject_id": "math",
                                              "grade": 5, "participants": 20, "n2": n2, "n3": 20 - n2, "n4": 0, "n5": 0}
                                             for s, n2 in rows]))
    insert_df(cur, "school_lists", pd.DataFrame([{"year": 2026, "category": "low_results", "school_id": s}
                                                  for s in ("A", "B", "N")]))
    insert_df(cur, "mentor_pairs", pd.DataFrame([{"year": 2026, "mentor_school_id": "W", "mentee_school_id": "A",
                                                   "straight_km": 3.1, "road_km": None, "source": "official"}]))
    return empty_store


RULES = dict(capacity=4, max_km=60.0, mentor_quantile=0.5, min_participants=10)


def test_eligibility_levels_and_unreachable_schools_are_reported(small_store):
    result = mentoring.propose(small_store, "R", None, 2026, 2026, "total", **RULES)
    pairs = result["pairs"].set_index("mentee_school_id")
    # A and N get M1 (a НОШ may not mentor them); B is ~300 km away: beyond the limit.
    assert pairs.loc["A", "mentor_school_id"] == "M1" and pairs.loc["N", "mentor_school_id"] == "M1"
    assert pairs.loc["A", "km_kind"] == "estimate"
    assert pairs.loc["A", "km"] == pytest.approx(geodesic_km(56.0, 40.0, 56.1, 40.0) * 1.3)
    unassigned = result["unassigned"].set_index("mentee_school_id")
    assert unassigned.loc["B", "reason"] == "beyond_limit"
    assert result["summary"]["assigned"] == 2 and result["summary"]["unassigned"] == 1
    same = mentoring.propose(small_store, "R", None, 2026, 2026, "total", same_municipality=True, **RULES)
    assert same["unassigned"].set_index("mentee_school_id").loc["B", "reason"] == "no_candidate"
    comparison = result["comparison"].set_index("mentee_school_id")
    assert comparison.loc["A", "mentor_school_id_current"] == "W" and comparison.loc["A", "changed"]


def test_road_distances_import_and_preference(small_store):
    content = "Код наставника;Код школы;Расстояние, км\nM1;A;17,5\nM1;ZZZ;3\nM1;N;abc\n".encode("utf-8-sig")
    stored, rejected = mentoring.import_road_distances(small_store, content, "Иванова", "roads.csv")
    assert stored == 1
    assert sorted(rejected["problem"]) == ["bad_value", "unknown_school"]
    pairs = mentoring.propose(small_store, "R", None, 2026, 2026, "total", **RULES)["pairs"].set_index("mentee_school_id")
    assert pairs.loc["A", "km"] == 17.5 and pairs.loc["A", "km_kind"] == "road"
    assert small_store.scalar("SELECT count(*) FROM import_log WHERE kind = 'road_distances'") == 1


def test_manual_override_records_who_and_when(small_store):
    when = dt.datetime(2026, 11, 22, 10, 30)
    version = small_store.data_version()
    mentoring.set_pair(small_store, 2026, "A", "M1", "Петров", road_km=12.0, reason="договор", now=when)
    rows = small_store.query_rows("SELECT mentor_school_id, source, created_by, road_km FROM mentor_pairs "
                                  "WHERE year = 2026 AND mentee_school_id = 'A'")
    assert rows == [("M1", "manual", "Петров", 12.0)]
    log = mentoring.changes(small_store, 2026)
    assert log.loc[0, ["old_mentor_school_id", "new_mentor_school_id", "changed_by"]].tolist() == ["W", "M1", "Петров"]
    assert small_store.data_version() != version
    with pytest.raises(ValueError):
        mentoring.set_pair(small_store, 2026, "A", "M1", "  ")


def test_primary_category_priority():
    entries = pd.DataFrame({"school_id": ["1", "1", "2", "3"], "category": ["social_risk", "low_results", "mentor", "biased"]})
    assert school_map.primary_category(entries, ["1", "2", "3", "4"]).tolist() == ["low_results", "mentor", "other", "other"]


# -- the map --------------------------------------------------------------------------------------
def _schools():
    return pd.DataFrame([
        {"school_id": "1", "name": '<script>alert("x")</script> СОШ', "short_name": "<img src=x onerror=alert(1)>",
         "lat": 56.0, "lon": 40.0, "category": "low_results", "municipality": "<b>М</b>", "vpr_participants": 20,
         "vpr_share2": 0.25, "units_done": 3, "units_planned": 4, "roadmap_share": 0.75, "region_id": "R"},
        {"school_id": "2", "name": "Школа 2", "short_name": "Школа 2", "lat": 56.2, "lon": 40.3, "category": "other",
         "municipality": "М", "vpr_participants": 0, "vpr_share2": np.nan, "units_done": 0, "units_planned": 0,
         "roadmap_share": np.nan, "region_id": "R"}])


def _areas():
    square = '{"type": "Polygon", "coordinates": [[[39.9, 55.9], [40.4, 55.9], [40.4, 56.3], [39.9, 56.3], [39.9, 55.9]]]}'
    return pd.DataFrame([{"area_id": "R-1", "name": "<i>Area</i>", "boundary_geojson": square, "schools": 2,
                          "listed": 1, "listed_share": 0.5, "vpr_share2": 0.25}])


def _pairs():
    return pd.DataFrame([{"mentor_name": "Школа 2", "mentee_name": "<img src=x>", "mentor_lat": 56.2, "mentor_lon": 40.3,
                          "mentee_lat": 56.0, "mentee_lon": 40.0, "km": 23.4, "km_kind": "straight"}])


@pytest.mark.parametrize("mode", ["schools", "choropleth"])
def test_built_map_references_no_external_url(mode):
    folium_map = build_map(_schools(), _areas(), _pairs(), TEXTS, mode=mode)
    assert map_assets.external_urls(folium_map) == []
    rendered = folium_map.get_root().render()
    assert "/app/static/vendor/leaflet-1.9.3/leaflet.js" in rendered


def test_clustered_map_references_no_external_url_and_stays_small():
    rng = np.random.default_rng(1)
    many = pd.concat([_schools()] * 1000, ignore_index=True)
    many["school_id"] = many.index.astype(str)
    many["lat"] += rng.uniform(-2, 2, len(many))
    folium_map = build_map(many, _areas(), _pairs(), TEXTS, cluster_above=500)
    assert map_assets.external_urls(folium_map) == []
    assert "MarkerCluster" in folium_map.get_root().render()


def test_view_is_fitted_before_the_clustered_layer_is_added():
    """markercluster 1.1 throws on a zoom change while it still loads its points in chunks; the
    thrown error left the whole-country map blank (frame never sized). Fit first, then add layers."""
    script = build_map(_schools(), _areas(), _pairs(), TEXTS, cluster_above=1).get_root().render()
    assert 0 < script.index(".fitBounds(") < script.index("L.markerClusterGroup(")


def test_unmapped_asset_fails_loudly(monkeypatch):
    import folium
    monkeypatch.setattr(folium.Map, "default_js", [("x", "https://cdn.example.org/x.js")])
    with pytest.raises(RuntimeError, match="no local copy"):
        map_assets._localise(folium.Map.default_js, "")


def test_popups_and_tooltips_escape_data_text():
    rendered = build_map(_schools(), _areas(), _pairs(), TEXTS).get_root().render()
    assert "<script>alert" not in rendered and "<img src=x" not in rendered
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; СОШ" in rendered
    assert "&lt;img src=x onerror=alert(1)&gt;" in rendered
    assert "≈ 23 км по прямой" in rendered
    choropleth = build_map(_schools(), _areas(), _pairs(), TEXTS, mode="choropleth").get_root().render()
    # GeoJSON properties are embedded as JSON (\u0026 = "&"): the browser gets "&lt;i&gt;Area".
    assert "<i>Area" not in choropleth and "\\u0026lt;i\\u0026gt;Area" in choropleth


def test_choropleth_colours_are_computed_not_branca():
    bins = choropleth_bins(pd.Series([0.0, 0.5, 1.0, np.nan]))
    assert len(bins) == 5 and bins[0][0] == 0.0 and bins[-1][1] == 1.0
    assert colour_for(0.05, bins) == bins[0][2] and colour_for(1.0, bins) == bins[-1][2]
    assert colour_for(float("nan"), bins) != bins[0][2]


def test_click_selects_by_code_in_tooltip_or_nearest_cluster_point():
    schools = _schools()
    assert school_map_click({"last_object_clicked_tooltip": "Школа 2 [2] · OTHER"}, schools, {"OTHER"}) == "2"
    assert school_map_click({"last_object_clicked": {"lat": 56.001, "lng": 40.0},
                             "last_object_clicked_tooltip": "LOW_RESULTS"}, schools, {"LOW_RESULTS"}) == "1"
    assert school_map_click({"last_object_clicked": {"lat": 56.0, "lng": 40.0},
                             "last_object_clicked_tooltip": "Район"}, schools, {"LOW_RESULTS"}) is None
    assert school_map_click(None, schools, set()) is None


def test_map_data_of_the_demo_region(demo_store):
    schools = school_map.schools_for_map(demo_store, Query.of("01", year=2026), list_year=2026,
                                         as_of=dt.date(2026, 11, 22))
    assert len(schools) == demo_store.scalar("SELECT count(*) FROM schools")
    listed = demo_store.scalar("SELECT count(*) FROM school_lists WHERE year = 2026 AND category = 'low_results'")
    assert (schools["category"] == "low_results").sum() == listed
    areas = school_map.areas_for_map(demo_store, "01", 2026, 2026, dt.date(2026, 11, 22))
    assert areas["schools"].sum() == len(schools) and areas["listed"].sum() == listed
    pairs = school_map.current_pairs(demo_store, "01", None, 2026)
    assert set(pairs["km_kind"]) <= {"road", "straight"} and len(pairs) > 0


# -- the page -------------------------------------------------------------------------------------
def _map_page(query: dict):
    app = new_app(query, timeout=90)
    app.run()
    app.switch_page("pages/map.py")
    app.run()
    assert_no_exception(app)
    return app


def test_map_page_renders_with_card_and_assignment(app_env, demo_store):
    school = demo_store.scalar("SELECT min(school_id) FROM school_lists WHERE year = 2026 AND category = 'low_results'")
    name = demo_store.scalar("SELECT short_name FROM schools WHERE school_id = ?", [school])
    app = _map_page({"school": school})
    text = all_text(app)
    assert app.title[0].value == "Карта школ и наставники"
    assert name in [s.value for s in app.subheader]
    assert "Низкие результаты (ШНОР): " in text
    assert "Назначение наставников: минимум суммарного пути" in text
    labels = [m.label for m in app.metric]
    assert "Суммарный путь, км" in labels and "Наставников сверх нагрузки" in labels
    assert len(app.dataframe) >= 1          # the proposed pairs (the other tables: when their tab is open)


def test_map_page_choropleth_mode_from_the_url(app_env):
    app = _map_page({"map_mode": "choropleth", "map_indicator": "vpr_share2"})
    assert app.selectbox(key="map_indicator").value == "vpr_share2"
    assert "нет данных" in all_text(app)


def test_attribution_only_when_a_tile_layer_needs_it():
    plain = build_map(_schools(), _areas(), _pairs(), TEXTS).get_root().render()
    assert '"attributionControl": false' in plain
    tiled = build_map(_schools(), _areas(), _pairs(), TEXTS, tiles_url="http://127.0.0.1/{z}/{x}/{y}.png",
                      tiles_attribution="local basemap").get_root().render()
    assert "\"attributionControl\": true" in tiled and "local basemap" in tiled
