"""A synthetic basemap for a generated region: settlements where its schools are and roads
between them. Drawn from its own random stream, so adding it changes no other demo table."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
from scipy.sparse.csgraph import minimum_spanning_tree

KM_PER_DEGREE_LAT = 111.0


def village_name(short_name: str) -> str:
    """«Берёзовская СОШ № 2» → «Берёзовское»: the village a rural school is named after."""
    adjective = short_name.split(" ")[0]
    return adjective[:-2] + "ое" if adjective.endswith("ая") else adjective


def _km_matrix(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Planar distances in km (fine within a region: only used to choose which places to link)."""
    y = lat * KM_PER_DEGREE_LAT
    x = lon * KM_PER_DEGREE_LAT * np.cos(np.radians(lat.mean()))
    return np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])


def _spanning_edges(lat: np.ndarray, lon: np.ndarray) -> list[tuple[int, int]]:
    if len(lat) < 2:
        return []
    # A tiny offset keeps coincident places linked (a zero weight means "no edge" to scipy).
    tree = minimum_spanning_tree(_km_matrix(lat, lon) + 1e-6).tocoo()
    return list(zip(tree.row.tolist(), tree.col.tolist()))


def _road(a: tuple[float, float], b: tuple[float, float], rng: np.random.Generator, bends: int) -> dict:
    """A LineString from a to b (lon, lat) with a few gentle bends across its direction."""
    start, end = np.array(a), np.array(b)
    direction = end - start
    normal = np.array([-direction[1], direction[0]])
    steps = np.linspace(0, 1, bends + 2)
    offsets = np.concatenate([[0], rng.normal(0, 0.06, bends), [0]])
    points = start + np.outer(steps, direction) + np.outer(offsets, normal)
    return {"type": "LineString", "coordinates": [[round(float(x), 5), round(float(y), 5)] for x, y in points]}


def features(region_id: str, municipalities: pd.DataFrame, schools: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Rows of ``basemap_features`` for one region. ``municipalities``: municipality_id, kind,
    center_lat, center_lon; ``schools``: municipality_id, settlement, short_name, is_rural, lat, lon."""
    rng = np.random.default_rng([seed, int(region_id), 16])
    rows: list[dict] = []

    def place(kind, name, lat, lon):
        rows.append({"region_id": region_id, "layer": "place", "kind": kind, "name": name,
                     "geometry_json": json.dumps({"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]},
                                                 ensure_ascii=False)})

    def road(kind, geometry):
        rows.append({"region_id": region_id, "layer": "road", "kind": kind, "name": None,
                     "geometry_json": json.dumps(geometry)})

    towns = []
    for m in municipalities.itertuples():
        own = schools[schools["municipality_id"] == m.municipality_id]
        urban = own[~own["is_rural"]]
        name = str(urban["settlement"].iloc[0] if len(urban) else own["settlement"].iloc[0])
        place("city" if m.kind == "city" else "town", name, float(m.center_lat), float(m.center_lon))
        towns.append((float(m.center_lon), float(m.center_lat)))
        rural = own[own["is_rural"]]
        for s in rural.itertuples():
            place("village", village_name(s.short_name), float(s.lat), float(s.lon))
        # Local roads: the town and its villages, linked by the shortest network that reaches all.
        lon = np.concatenate([[m.center_lon], rural["lon"].to_numpy(float)])
        lat = np.concatenate([[m.center_lat], rural["lat"].to_numpy(float)])
        for i, j in _spanning_edges(lat, lon):
            road("local", _road((lon[i], lat[i]), (lon[j], lat[j]), rng, bends=1))

    # Main roads: from the regional centre to every district town, and between neighbouring towns.
    lon = np.array([p[0] for p in towns])
    lat = np.array([p[1] for p in towns])
    edges = {(0, k) for k in range(1, len(towns))} | {tuple(sorted(e)) for e in _spanning_edges(lat, lon)}
    for i, j in sorted(edges):
        road("main", _road(towns[i], towns[j], rng, bends=3))
    return pd.DataFrame(rows, columns=["region_id", "layer", "kind", "name", "geometry_json"])
