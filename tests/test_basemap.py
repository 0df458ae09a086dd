"""The offline basemap: settlements and roads generated with the demo region, loaded from a
region's GeoJSON file, and drawn under the schools with labels that do not collide."""
import json
import re

import pandas as pd
import pytest

from analytics import basemap, school_map
from analytics.demo.basemap import village_name
from tests.test_map import TEXTS, _areas, _pairs, _schools
from presentation.figures.school_map import PANES, build_map, pair_label_points, place_labels


# -- the demo region's basemap ---------------------------------------------------------------------
def test_every_rural_school_sits_in_a_named_village(demo_store):
    places = basemap.places(demo_store, "01")
    rural = demo_store.query_df("SELECT short_name, lat, lon FROM schools WHERE is_rural")
    villages = places[places["kind"] == "village"]
    assert len(villages) == len(rural)
    merged = rural.assign(name=rural["short_name"].map(village_name)).merge(
        villages, on="name", suffixes=("", "_v"))
    at_school = merged[(merged["lat"].round(5) == merged["lat_v"].round(5))
                       & (merged["lon"].round(5) == merged["lon_v"].round(5))]
    assert len(at_school) == len(rural)
    municipalities = demo_store.scalar("SELECT count(*) FROM municipalities")
    assert (places["kind"] == "city").sum() == 1
    assert (places["kind"] == "town").sum() == municipalities - 1


def test_roads_link_every_settlement(demo_store):
    roads = basemap.roads(demo_store, "01")
    places = basemap.places(demo_store, "01")
    municipalities = demo_store.scalar("SELECT count(*) FROM municipalities")
    # Local roads: a spanning tree per municipality over its town and its villages.
    assert (roads["kind"] == "local").sum() == (places["kind"] == "village").sum()
    # Main roads: at least the regional centre to every district town.
    assert (roads["kind"] == "main").sum() >= municipalities - 1
    for text in roads["geometry_json"]:
        geometry = json.loads(text)
        assert geometry["type"] == "LineString" and len(geometry["coordinates"]) >= 2


def test_whole_country_has_no_basemap(demo_store):
    assert basemap.places(demo_store, None).empty and basemap.roads(demo_store, None).empty


@pytest.mark.parametrize("short_name, village", [
    ("Берёзовская СОШ", "Берёзовское"), ("Никольская ООШ № 2", "Никольское"), ("Школа", "Школа"),
])
def test_village_names(short_name, village):
    assert village_name(short_name) == village


# -- loading a region's own basemap ----------------------------------------------------------------
def _collection(*features):
    return {"type": "FeatureCollection", "features": list(features)}


def _place(name="Озёрное", kind="village", lon=42.0, lat=56.5):
    return {"type": "Feature", "properties": {"layer": "place", "kind": kind, "name": name},
            "geometry": {"type": "Point", "coordinates": [lon, lat]}}


def _road(kind="main"):
    return {"type": "Feature", "properties": {"layer": "road", "kind": kind},
            "geometry": {"type": "LineString", "coordinates": [[42.0, 56.5], [42.2, 56.6]]}}


def _checksum(store, region_id):
    return store.query_rows("SELECT count(*), sum(hash(layer, kind, name, geometry_json)) FROM basemap_features "
                            "WHERE region_id = ?", [region_id])[0]


def test_a_region_file_replaces_that_region_only(writable_db_path, tmp_path):
    from analytics.store import open_store
    store = open_store(writable_db_path)
    with store.transaction() as cur:
        cur.execute("INSERT INTO regions (region_id, name, is_synthetic) VALUES ('02', 'Соседний', true)")
        basemap.replace_region(store, "02", pd.DataFrame([{"layer": "place", "kind": "town", "name": "Соседск",
                                                           "geometry_json": '{"type": "Point", "coordinates": [40, 55]}'}]),
                               cursor=cur)
    neighbour = _checksum(store, "02")
    path = tmp_path / "basemap.geojson"
    path.write_text(json.dumps(_collection(_place(), _place("Город", "city"), _road(), _road("local")),
                               ensure_ascii=False), encoding="utf-8")
    assert basemap.load_geojson(store, "01", path) == {"place": 2, "road": 2}
    assert sorted(basemap.places(store, "01")["name"]) == ["Город", "Озёрное"]
    assert len(basemap.roads(store, "01")) == 2
    assert _checksum(store, "02") == neighbour
    store.close()


@pytest.mark.parametrize("feature, message", [
    (dict(_place(), properties={"layer": "river", "kind": "main"}), r"объект № 2: свойство layer"),
    (dict(_place(), properties={"layer": "place", "kind": "hamlet", "name": "Х"}), r"объект № 2: свойство kind"),
    (dict(_place(), properties={"layer": "place", "kind": "village", "name": " "}), r"объект № 2: у населённого пункта нет названия"),
    (dict(_road(), geometry={"type": "Point", "coordinates": [42, 56]}), r"объект № 2: геометрия 'Point'"),
    (_place(lon=420.0), r"объект № 2: координаты вне диапазона"),
])
def test_a_bad_file_names_the_feature_and_changes_nothing(writable_db_path, tmp_path, feature, message):
    from analytics.store import open_store
    store = open_store(writable_db_path)
    before = _checksum(store, "01")
    path = tmp_path / "bad.geojson"
    path.write_text(json.dumps(_collection(_place(), feature), ensure_ascii=False), encoding="utf-8")
    with pytest.raises(basemap.BasemapError, match=message) as error:
        basemap.load_geojson(store, "01", path)
    assert "bad.geojson" in str(error.value)
    assert _checksum(store, "01") == before
    store.close()


def test_not_geojson_is_refused_in_russian(writable_db_path, tmp_path):
    from analytics.store import open_store
    store = open_store(writable_db_path)
    path = tmp_path / "notes.geojson"
    path.write_bytes("привет".encode("cp1251"))
    with pytest.raises(basemap.BasemapError, match="не читается как GeoJSON"):
        basemap.load_geojson(store, "01", path)
    path.write_text('{"type": "Feature"}', encoding="utf-8")
    with pytest.raises(basemap.BasemapError, match="FeatureCollection"):
        basemap.load_geojson(store, "01", path)
    store.close()


# -- drawing -----------------------------------------------------------------------------------------
def _basemap_frames():
    places = pd.DataFrame([{"kind": "village", "name": "<b>Ая</b>", "lat": 56.1, "lon": 40.1},
                           {"kind": "city", "name": "Город", "lat": 56.05, "lon": 40.2},
                           {"kind": "town", "name": "Посёлок", "lat": 56.15, "lon": 40.25}])
    roads = pd.DataFrame([{"kind": "main", "name": None,
                           "geometry_json": '{"type": "LineString", "coordinates": [[40.0, 56.0], [40.3, 56.2]]}'}])
    return places, roads


def test_place_labels_by_priority_escaped_with_their_zoom():
    places, _ = _basemap_frames()
    labels = place_labels(places)
    assert [label["kind"] for label in labels] == ["city", "town", "village"]
    assert labels[2]["html"] == "&lt;b&gt;Ая&lt;/b&gt;"
    assert labels[0]["min_zoom"] < labels[1]["min_zoom"] < labels[2]["min_zoom"]


def test_pair_labels_longest_trip_first():
    pairs = pd.concat([_pairs(), _pairs().assign(km=40.0, km_kind="road", mentee_lat=56.3)], ignore_index=True)
    labels = pair_label_points(pairs, TEXTS)
    assert [label["html"] for label in labels] == ["40 км", "≈ 23 км по прямой"]
    assert labels[0]["from"] == [56.2, 40.3] and labels[0]["to"] == [56.3, 40.0]


def test_schools_are_drawn_above_lines_and_names_below_both():
    places, roads = _basemap_frames()
    rendered = build_map(_schools(), _areas(), _pairs(), TEXTS, places=places, roads=roads).get_root().render()
    z = {name: int(re.search(rf'createPane\(\s*"{name}"[^;]*;\s*\S+\.style\.zIndex = (\d+)', rendered).group(1))
         for name, _ in PANES.values()}
    assert z["shnorPlaces"] < z["shnorLines"] < z["shnorSchools"]
    assert re.search(r'L\.circleMarker\([^;]*"pane": "shnorSchools"', rendered, re.S)
    assert re.search(r'L\.polyline\([^;]*"pane": "shnorLines"', rendered, re.S)
    assert '"interactive": false' in rendered            # roads take no clicks
    assert "Город" in rendered and "&lt;b&gt;Ая&lt;/b&gt;" in rendered and "<b>Ая" not in rendered


def test_scale_is_metric_in_the_users_language_and_no_focus_box():
    rendered = build_map(_schools(), _areas(), _pairs(), dict(TEXTS, scale_m="м", scale_km="км")).get_root().render()
    assert "L.control.scale()" not in rendered          # Leaflet's default shows miles too
    assert "imperial: false" in rendered and '["м", "км"]' in rendered
    assert "leaflet-interactive:focus{outline:none}" in rendered


def test_mentors_of_drawn_pairs_take_the_mentor_colour():
    schools = pd.DataFrame({"school_id": ["a", "b", "c", "d"],
                            "category": ["resilient", "social_risk", "low_results", "other"]})
    pairs = pd.DataFrame({"mentor_school_id": ["a", "b", "c"], "mentee_school_id": ["x", "y", "z"]})
    shown = school_map.with_pair_roles(schools, pairs)
    assert shown["category"].tolist() == ["mentor", "mentor", "low_results", "other"]
    assert school_map.with_pair_roles(schools, pairs.iloc[:0])["category"].tolist() == schools["category"].tolist()


def test_command_line_loads_a_region_and_reports_errors_in_russian(writable_db_path, tmp_path, capsys):
    good = tmp_path / "ok.geojson"
    good.write_text(json.dumps(_collection(_place(), _road()), ensure_ascii=False), encoding="utf-8")
    assert basemap.main([str(good), "--region", "01", "--db", str(writable_db_path)]) == 0
    assert "населённых пунктов 1, дорог 1" in capsys.readouterr().out
    assert basemap.main([str(good), "--region", "99", "--db", str(writable_db_path)]) == 1
    assert "Регион '99' не найден" in capsys.readouterr().out
