"""An offline basemap for the school map: settlements with names and roads, per region.

Stored in ``basemap_features`` (migration 016); the demo generator fills it with its
region, a deployment loads its own layer from a GeoJSON file (for example an extract of
OpenStreetMap converted once). Loading one region's file replaces that region's basemap
only and nothing else. No tiles, no network.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analytics.store import Store
from analytics.reads import reads
from analytics.query import RegionId

PLACE_KINDS = ("city", "town", "village")     # order = label priority on the map
ROAD_KINDS = ("main", "local")
GEOMETRY_OF_LAYER = {"place": ("Point",), "road": ("LineString", "MultiLineString")}
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_FEATURES = 200_000

FEATURES = """
SELECT kind, name, geometry_json FROM basemap_features
WHERE region_id = $region_id AND layer = $layer
ORDER BY kind, name
"""
DELETE_REGION = "DELETE FROM basemap_features WHERE region_id = $region_id"
INSERT = "INSERT INTO basemap_features VALUES ($region_id, $layer, $kind, $name, $geometry_json)"


@reads("basemap_features")
def places(store: Store, region_id: RegionId | None) -> pd.DataFrame:
    """Settlements of a region: kind, name, lat, lon (empty for the whole country)."""
    if region_id is None:
        return pd.DataFrame(columns=["kind", "name", "lat", "lon"])
    frame = store.query_df(FEATURES, {"region_id": region_id, "layer": "place"})
    coordinates = [json.loads(text)["coordinates"] for text in frame["geometry_json"]]
    return pd.DataFrame({"kind": frame["kind"], "name": frame["name"],
                         "lat": [c[1] for c in coordinates], "lon": [c[0] for c in coordinates]})


@reads("basemap_features")
def roads(store: Store, region_id: RegionId | None) -> pd.DataFrame:
    """Roads of a region: kind and GeoJSON geometry text (empty for the whole country)."""
    if region_id is None:
        return pd.DataFrame(columns=["kind", "name", "geometry_json"])
    return store.query_df(FEATURES, {"region_id": region_id, "layer": "road"})


@dataclass(frozen=True)
class BasemapError(Exception):
    """A Russian message naming the file and the feature at fault."""
    message: str

    def __str__(self) -> str:
        return self.message


def _feature_rows(collection: dict, file_name: str) -> list[dict]:
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        raise BasemapError(f"Файл {file_name}: ожидается GeoJSON FeatureCollection.")
    features = collection.get("features") or []
    if len(features) > MAX_FEATURES:
        raise BasemapError(f"Файл {file_name}: объектов {len(features)}, допускается не более {MAX_FEATURES}.")
    rows = []
    for number, feature in enumerate(features, start=1):
        properties = (feature or {}).get("properties") or {}
        geometry = (feature or {}).get("geometry") or {}
        layer, kind = properties.get("layer"), properties.get("kind")
        where = f"Файл {file_name}, объект № {number}"
        if layer not in GEOMETRY_OF_LAYER:
            raise BasemapError(f"{where}: свойство layer должно быть place или road, а не {layer!r}.")
        kinds = PLACE_KINDS if layer == "place" else ROAD_KINDS
        if kind not in kinds:
            raise BasemapError(f"{where}: свойство kind для слоя {layer} — одно из {', '.join(kinds)}, а не {kind!r}.")
        if geometry.get("type") not in GEOMETRY_OF_LAYER[layer]:
            raise BasemapError(f"{where}: геометрия {geometry.get('type')!r} не подходит для слоя {layer}.")
        name = properties.get("name")
        if layer == "place" and not (isinstance(name, str) and name.strip()):
            raise BasemapError(f"{where}: у населённого пункта нет названия (свойство name).")
        if not _coordinates_valid(geometry["coordinates"]):
            raise BasemapError(f"{where}: координаты вне диапазона (долгота −180…180, широта −90…90).")
        rows.append({"layer": layer, "kind": kind, "name": name.strip() if isinstance(name, str) else None,
                     "geometry_json": json.dumps(geometry, ensure_ascii=False)})
    return rows


def _coordinates_valid(value) -> bool:
    if isinstance(value, (list, tuple)) and len(value) >= 2 and all(isinstance(v, (int, float)) for v in value[:2]):
        return -180 <= value[0] <= 180 and -90 <= value[1] <= 90
    return isinstance(value, (list, tuple)) and len(value) > 0 and all(_coordinates_valid(v) for v in value)


def load_geojson(store: Store, region_id: str, path: Path) -> dict[str, int]:
    """Replace one region's basemap with the features of a GeoJSON file; returns counts per layer.
    A file with any error changes nothing."""
    path = Path(path)
    if path.stat().st_size > MAX_FILE_BYTES:
        raise BasemapError(f"Файл {path.name}: больше {MAX_FILE_BYTES // (1024 * 1024)} МБ.")
    try:
        collection = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BasemapError(f"Файл {path.name}: не читается как GeoJSON в UTF-8 ({error}).") from None
    rows = _feature_rows(collection, path.name)
    if store.scalar("SELECT count(*) FROM regions WHERE region_id = $region_id", {"region_id": region_id}) == 0:
        raise BasemapError(f"Регион {region_id!r} не найден в реестре.")
    return replace_region(store, region_id, pd.DataFrame(rows, columns=["layer", "kind", "name", "geometry_json"]))


def replace_region(store: Store, region_id: str, features: pd.DataFrame, cursor=None) -> dict[str, int]:
    """Replace one region's basemap (in the caller's transaction when ``cursor`` is given)."""
    def write(cur):
        cur.execute(DELETE_REGION, {"region_id": region_id})
        if len(features):
            cur.executemany(INSERT, [{"region_id": region_id, **row} for row in features.to_dict("records")])
        store.bump_data_version(cur, tables=["basemap_features"])
    if cursor is not None:
        write(cursor)
    else:
        with store.transaction() as cur:
            write(cur)
    return {layer: int((features["layer"] == layer).sum()) for layer in GEOMETRY_OF_LAYER}


def main(argv: list[str] | None = None) -> int:
    """``python -m analytics.basemap FILE.geojson --region ID``: replace one region's basemap."""
    import argparse

    from analytics.config import load_settings
    from analytics.store import open_store

    parser = argparse.ArgumentParser(prog="python -m analytics.basemap", description=main.__doc__)
    parser.add_argument("file", type=Path, help="GeoJSON FeatureCollection (свойства layer, kind, name)")
    parser.add_argument("--region", required=True, help="код региона, чью подложку заменяет файл")
    parser.add_argument("--db", help="файл DuckDB (по умолчанию — из настроек / SHNOR_DB)")
    args = parser.parse_args(argv)
    store = open_store(args.db or load_settings().db_path)
    try:
        counts = load_geojson(store, args.region, args.file)
    except BasemapError as error:
        print(error)
        return 1
    finally:
        store.close()
    print(f"Подложка региона {args.region} заменена: населённых пунктов {counts['place']}, дорог {counts['road']}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
