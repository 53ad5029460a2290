"""Shared helpers of the geo tests: reference points, a global grid, GeoJSON checks.

Distances in km unless a name says metres; coordinates in degrees (lon, lat).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyproj
from shapely.geometry import shape

BASEMAP = Path(__file__).resolve().parent.parent / "data" / "basemap"
GEOD = pyproj.Geod(ellps="WGS84")

TEHRAN = (51.42151, 35.69439)
NORTH_POLE = (0.0, 90.0)
SOUTH_POLE = (0.0, -90.0)


def _global_grid() -> tuple[np.ndarray, np.ndarray]:
    lon, lat = np.meshgrid(np.arange(-177.5, 180.0, 5.0), np.arange(-87.5, 90.0, 5.0))
    extra_lon = np.array([180.0, -180.0, 179.99, -179.99, 0.0, 90.0, 179.0, -179.0, 45.0, -135.0])
    extra_lat = np.array([0.0, 10.0, -5.0, 5.0, 89.9, 89.99, -89.9, -89.99, 89.7, -89.7])
    return np.concatenate((lon.ravel(), extra_lon)), np.concatenate((lat.ravel(), extra_lat))


GRID_LON, GRID_LAT = _global_grid()


def polygons(geom: dict) -> list:
    return [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]


def signed_area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * float(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1]))


def assert_valid_geojson(geom: dict) -> None:
    """RFC 7946 polygon checks: closed rings, bounds, no antimeridian crossing, winding."""
    assert geom["type"] in ("Polygon", "MultiPolygon")
    for poly in polygons(geom):
        for i, ring in enumerate(poly):
            r = np.asarray(ring, dtype=float)
            assert r.shape[1] == 2 and len(r) >= 4
            assert (r[0] == r[-1]).all(), "ring not closed"
            assert (np.abs(r[:, 0]) <= 180.0).all() and (np.abs(r[:, 1]) <= 90.0).all()
            # edges along the pole edge (lat +-90: one point on the globe) may span the map
            on_pole_edge = (np.abs(r[:-1, 1]) == 90.0) & (r[:-1, 1] == r[1:, 1])
            assert ((np.abs(np.diff(r[:, 0])) < 180.0) | on_pole_edge).all(), "an edge crosses the antimeridian"
            area = signed_area(r)
            assert area > 0 if i == 0 else area < 0, "exterior must be CCW, holes CW"
    assert shape(geom).is_valid


def geojson_vertices(geom: dict) -> np.ndarray:
    """Every position of a GeoJSON Polygon/MultiPolygon, ``(m, 2)`` degrees."""
    return np.array([pt for poly in polygons(geom) for ring in poly for pt in ring], dtype=float)
