"""Synthetic regions, municipalities (Voronoi cells in an outline) and schools."""
from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPoint, Point, Polygon, mapping
from shapely.ops import voronoi_diagram

from analytics.demo import names

SCHOOL_TYPES_WITH_GRADE_11 = ("sosh", "gymnasium", "lyceum", "edu_center")


@dataclass(frozen=True)
class RegionSpec:
    region_id: str
    name: str
    center_lat: float
    center_lon: float
    radius_deg: float          # rough half-width in latitude degrees
    n_municipalities: int
    n_schools: int


def _outline(spec: RegionSpec, rng: np.random.Generator) -> Polygon:
    """A lumpy closed blob: a circle whose radius wobbles by a few harmonics."""
    angles = np.linspace(0, 2 * np.pi, 72, endpoint=False)
    radius = np.ones_like(angles)
    for harmonic in (2, 3, 5):
        radius += rng.uniform(0.04, 0.12) * np.sin(harmonic * angles + rng.uniform(0, 2 * np.pi))
    lat_scale = spec.radius_deg
    lon_scale = spec.radius_deg * 1.6 / np.cos(np.radians(spec.center_lat))
    lat = spec.center_lat + lat_scale * radius * np.sin(angles)
    lon = spec.center_lon + lon_scale * radius * np.cos(angles)
    return Polygon(np.column_stack([lon, lat])).buffer(0)


def _random_points_in(polygon, count: int, rng: np.random.Generator) -> np.ndarray:
    """Uniform points inside ``polygon`` by vectorised rejection sampling (lon, lat)."""
    minx, miny, maxx, maxy = polygon.bounds
    accepted = np.empty((0, 2))
    shapely.prepare(polygon)
    while len(accepted) < count:
        batch = max(64, 3 * (count - len(accepted)))
        xs = rng.uniform(minx, maxx, batch)
        ys = rng.uniform(miny, maxy, batch)
        inside = shapely.contains_xy(polygon, xs, ys)
        accepted = np.vstack([accepted, np.column_stack([xs[inside], ys[inside]])])
    return accepted[:count]


def _cluster_centres(polygon, count: int, rng: np.random.Generator) -> np.ndarray:
    """Well-spread seed points: a few k-means iterations over random interior points."""
    cloud = _random_points_in(polygon, 1500, rng)
    centres = cloud[rng.choice(len(cloud), count, replace=False)]
    for _ in range(12):
        d = ((cloud[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
        nearest = d.argmin(axis=1)
        for k in range(count):
            members = cloud[nearest == k]
            if len(members):
                centres[k] = members.mean(axis=0)
    return centres


def _largest_part(geometry):
    if geometry.geom_type == "MultiPolygon":
        return max(geometry.geoms, key=lambda g: g.area)
    return geometry


def build_region(spec: RegionSpec, rng: np.random.Generator, name_pool: names.NamePool):
    """Returns (region row, municipalities frame, schools frame) for one region."""
    outline = _outline(spec, rng)
    city_centre = outline.centroid
    city_radius = spec.radius_deg * 0.10
    city = Point(city_centre.x, city_centre.y).buffer(city_radius * 1.6, quad_segs=8)
    city = shapely.affinity.scale(city, xfact=1.0, yfact=1 / 1.6)
    rural_area = outline.difference(city)

    n_districts = spec.n_municipalities - 1
    seeds = _cluster_centres(rural_area, n_districts, rng)
    cells = voronoi_diagram(MultiPoint([tuple(p) for p in seeds]), envelope=outline.envelope.buffer(1))
    district_shapes = []
    for seed in seeds:
        cell = next(c for c in cells.geoms if c.contains(Point(seed)))
        district_shapes.append(_largest_part(cell.intersection(rural_area)))

    municipality_rows = []
    city_name = name_pool.city_name()
    city_id = f"{spec.region_id}-01"
    municipality_rows.append(
        dict(municipality_id=city_id, region_id=spec.region_id, name=f"городской округ {city_name}",
             kind="city", center_lat=city_centre.y, center_lon=city_centre.x,
             boundary_geojson=json.dumps(mapping(city.simplify(0.002)))
             , _shape=city, _town=city_name)
    )
    for k, shape in enumerate(district_shapes, start=2):
        district_name = name_pool.district_name()
        town = name_pool.town_for(district_name)
        centre = shape.representative_point()
        municipality_rows.append(
            dict(municipality_id=f"{spec.region_id}-{k:02d}", region_id=spec.region_id,
                 name=f"{district_name} муниципальный район", kind="district",
                 center_lat=centre.y, center_lon=centre.x,
                 boundary_geojson=json.dumps(mapping(shape.simplify(0.003))), _shape=shape, _town=town)
        )
    municipalities = pd.DataFrame(municipality_rows)

    schools = _place_schools(spec, municipalities, rng, name_pool)
    region_row = dict(region_id=spec.region_id, name=spec.name, is_synthetic=True,
                      boundary_geojson=json.dumps(mapping(outline.simplify(0.003))))
    return region_row, municipalities.drop(columns=["_shape", "_town"]), schools


def _place_schools(spec, municipalities, rng, name_pool) -> pd.DataFrame:
    n_city = int(round(spec.n_schools * 0.17))
    n_rest = spec.n_schools - n_city
    n_districts = len(municipalities) - 1
    weights = rng.uniform(0.7, 1.3, n_districts)
    per_district = np.floor(weights / weights.sum() * n_rest).astype(int)
    per_district[: n_rest - per_district.sum()] += 1

    frames = []
    city = municipalities.iloc[0]
    frames.append(_schools_in(city, n_city, "city", rng))
    for (_, district), count in zip(municipalities.iloc[1:].iterrows(), per_district):
        n_town = max(2, int(round(count * 0.22)))
        frames.append(_schools_in(district, n_town, "town", rng))
        frames.append(_schools_in(district, count - n_town, "rural", rng))
    schools = pd.concat(frames, ignore_index=True)
    schools = _attributes(schools, rng)
    schools["school_id"] = [f"{spec.region_id}{i:05d}" for i in range(1, len(schools) + 1)]
    labels = name_pool.school_names(schools, rng)
    schools["name"] = labels["name"].to_numpy()
    schools["short_name"] = labels["short_name"].to_numpy()
    return schools[[
        "school_id", "municipality_id", "name", "short_name", "school_type", "is_rural",
        "students", "teachers", "lat", "lon", "social_index", "settlement",
    ]]


def _schools_in(municipality, count: int, setting: str, rng) -> pd.DataFrame:
    shape = municipality["_shape"]
    if setting == "rural":
        points = _random_points_in(shape, count, rng)
    else:
        spread = 0.035 if setting == "city" else 0.02
        centre = np.array([municipality["center_lon"], municipality["center_lat"]])
        points = centre + rng.normal(0, spread, (count, 2)) * np.array([1.6, 1.0])
        inside = shapely.contains_xy(shape, points[:, 0], points[:, 1])
        points[~inside] = centre  # keep every school inside its municipality
        points[~inside] += rng.normal(0, 0.002, (int((~inside).sum()), 2))
        still_out = ~shapely.contains_xy(shape, points[:, 0], points[:, 1])
        points[still_out] = np.array([shape.representative_point().x, shape.representative_point().y])
    return pd.DataFrame({
        "municipality_id": municipality["municipality_id"],
        "setting": setting,
        "settlement": municipality["_town"],
        "lon": points[:, 0],
        "lat": points[:, 1],
    })


def _attributes(schools: pd.DataFrame, rng) -> pd.DataFrame:
    n = len(schools)
    setting = schools["setting"].to_numpy()
    is_city, is_town, is_rural = setting == "city", setting == "town", setting == "rural"

    students = np.where(
        is_city, rng.integers(400, 1500, n),
        np.where(is_town, rng.integers(180, 900, n),
                 np.clip(np.round(rng.lognormal(np.log(85), 0.7, n)), 10, 450)),
    ).astype(int)

    u = rng.uniform(size=n)
    school_type = np.full(n, "sosh", dtype=object)
    school_type[is_city & (u < 0.09)] = "gymnasium"
    school_type[is_city & (u >= 0.09) & (u < 0.15)] = "lyceum"
    school_type[(is_city | is_town) & (u >= 0.15) & (u < 0.19)] = "edu_center"
    school_type[is_town & (u < 0.05)] = "gymnasium"
    school_type[is_rural & (students < 40) & (u < 0.6)] = "nosh"
    school_type[is_rural & (students >= 40) & (students < 130) & (u < 0.45)] = "oosh"
    school_type[is_rural & (u > 0.97)] = "edu_center"

    social = np.where(is_city, rng.beta(2, 6, n), np.where(is_town, rng.beta(3, 5, n), rng.beta(5, 3, n)))
    teachers = np.maximum(5, np.round(students / rng.uniform(9, 13, n) + 4)).astype(int)
    schools = schools.assign(
        students=students, teachers=teachers, school_type=school_type,
        is_rural=is_rural, social_index=np.round(social, 3),
    )
    return schools


def national_specs(rng: np.random.Generator, n_regions: int = 85, schools_total: int = 40_000):
    """Regions laid on a grid over a Russia-sized box; sizes vary like real regions."""
    sizes = rng.lognormal(0, 0.45, n_regions)
    counts = np.maximum(80, np.round(sizes / sizes.sum() * schools_total)).astype(int)
    counts[0] += schools_total - counts.sum()
    specs = []
    cols = 10
    for i in range(n_regions):
        row, col = divmod(i, cols)
        lat = 46 + row * 2.4
        lon = 30 + col * 9.5
        specs.append(RegionSpec(
            region_id=f"{i + 1:02d}", name=f"Демонстрационный регион № {i + 1}",
            center_lat=lat, center_lon=lon, radius_deg=0.9,
            n_municipalities=int(np.clip(counts[i] // 30, 8, 40)), n_schools=int(counts[i]),
        ))
    return specs


REGION_SPEC = RegionSpec(
    region_id="01", name="Демонстрационная область", center_lat=56.6, center_lon=42.4,
    radius_deg=1.25, n_municipalities=12, n_schools=400,
)
