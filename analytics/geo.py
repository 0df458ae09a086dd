"""Distances on the WGS84 ellipsoid (vectorised)."""
from __future__ import annotations

import numpy as np
from pyproj import Geod

_GEOD = Geod(ellps="WGS84")


def geodesic_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Ellipsoidal distance in km between paired points (arrays or scalars)."""
    lat1, lon1, lat2, lon2 = (np.asarray(a, dtype=float) for a in (lat1, lon1, lat2, lon2))
    _, _, metres = _GEOD.inv(lon1, lat1, lon2, lat2)
    return np.asarray(metres) / 1000.0


def geodesic_matrix_km(lat_a, lon_a, lat_b, lon_b) -> np.ndarray:
    """Distances in km from every point A (rows) to every point B (columns)."""
    lat_a, lon_a, lat_b, lon_b = (np.asarray(a, dtype=float) for a in (lat_a, lon_a, lat_b, lon_b))
    rows, cols = np.meshgrid(np.arange(lat_a.size), np.arange(lat_b.size), indexing="ij")
    return geodesic_km(lat_a[rows], lon_a[rows], lat_b[cols], lon_b[cols]).reshape(lat_a.size, lat_b.size)
