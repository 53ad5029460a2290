"""dashboard.geo.envelope: the territory envelope (all points within a range of a border).

Distances in km unless a name says metres; coordinates in degrees (lon, lat).
"""

from __future__ import annotations

import numpy as np
import pytest

from dashboard.geo import antimeridian, envelope, geodesic
from dashboard.geo.basemap import country_outline, load_countries
from tests.geocheck import BASEMAP, GEOD, GRID_LAT, GRID_LON, NORTH_POLE, SOUTH_POLE, assert_valid_geojson, polygons

IRAN_RANGES_KM = (1287, 1999, 1770, 1931)


def _nearest_km(points: np.ndarray, border: np.ndarray, cap: float = np.inf, chunk: int = 256) -> np.ndarray:
    """Geodesic distance (km) from each point to the nearest border point.

    A spherical first pass keeps every border point within 1% + 2 km of the nearest
    spherical distance (sphere and ellipsoid differ by well under 1%); the exact
    distance (pyproj inverse) is taken over those candidates. Points whose spherical
    distance exceeds ``cap`` keep that spherical distance (only "far" matters)."""
    out = np.empty(len(points))
    b = np.radians(border)[None, :, :]
    for start in range(0, len(points), chunk):
        pts = points[start : start + chunk]
        p = np.radians(pts)[:, None, :]
        h = np.sin((b[..., 1] - p[..., 1]) / 2) ** 2 + np.cos(p[..., 1]) * np.cos(b[..., 1]) * np.sin((b[..., 0] - p[..., 0]) / 2) ** 2
        sph = 2.0 * 6371.0088 * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
        nearest = sph.min(axis=1, keepdims=True)
        rows, cols = np.nonzero((sph <= nearest * 1.01 + 2.0) & (nearest <= cap))
        _, _, d = GEOD.inv(pts[rows, 0], pts[rows, 1], border[cols, 0], border[cols, 1])
        best = np.where(nearest[:, 0] <= cap, np.inf, nearest[:, 0])
        np.minimum.at(best, rows, np.asarray(d) / 1000.0)
        out[start : start + chunk] = best
    return out


def _densified_border(outline: dict, step_km: float) -> np.ndarray:
    pts = []
    for poly in polygons(outline):
        for ring in poly:
            r = np.asarray(ring, dtype=float)
            for a, b in zip(r[:-1], r[1:]):
                az, _, dist = GEOD.inv(a[0], a[1], b[0], b[1])
                n = max(1, int(np.ceil(dist / 1000.0 / step_km)))
                lo, la, _ = GEOD.fwd(np.full(n, a[0]), np.full(n, a[1]), np.full(n, az), dist * np.arange(n) / n)
                pts.append(np.column_stack((lo, la)))
    return np.vstack(pts)


def envelope_geojson(outline, range_km) -> dict:
    """GeoJSON of the territory envelope, as the app builds it (degrees, km)."""
    return antimeridian.polygons_geometry(envelope.envelope_polygons(outline, range_km))


@pytest.fixture(scope="module")
def iran() -> dict:
    return country_outline(load_countries(BASEMAP), "IRN")


@pytest.fixture(scope="module")
def iran_border(iran) -> np.ndarray:
    return _densified_border(iran, 5.0)  # 5 km apart: < 0.01 km error at >= 300 km


@pytest.mark.parametrize("range_km", IRAN_RANGES_KM)
def test_envelope_vertices_lie_at_range_from_the_border(iran, iran_border, range_km):
    parts = envelope.envelope_polygons(iran, range_km)
    assert len(parts) == 1 and parts[0][1] == []  # one part, no holes
    ext = parts[0][0]
    d = _nearest_km(ext, iran_border)
    assert np.abs(d - range_km).max() < 1.0
    assert_valid_geojson(envelope_geojson(iran, range_km))


@pytest.mark.parametrize("range_km", IRAN_RANGES_KM)
def test_envelope_contains_every_circle_around_border_vertices(iran, range_km):
    geom = envelope_geojson(iran, range_km)
    vertices = np.asarray(iran["coordinates"][0])[:-1]
    circles = np.vstack([geodesic.geodesic_ring(lon, lat, range_km - 1.0, 90) for lon, lat in vertices])
    assert antimeridian.contains(geom, circles[:, 0], circles[:, 1]).all()
    assert antimeridian.contains(geom, vertices[:, 0], vertices[:, 1]).all()


@pytest.mark.parametrize("range_km", [300, 1999, 8000])
def test_envelope_agrees_with_border_distance_on_a_global_grid(iran, iran_border, range_km):
    geom = envelope_geojson(iran, range_km)
    assert_valid_geojson(geom)
    inside_iran = antimeridian.contains(iran, GRID_LON, GRID_LAT)
    far = range_km * 1.02 + 10.0  # beyond this the spherical distance is decisive
    d = np.where(inside_iran, 0.0, _nearest_km(np.column_stack((GRID_LON, GRID_LAT)), iran_border, cap=far))
    clear = np.abs(d - range_km) > 1.0
    got = antimeridian.contains(geom, GRID_LON, GRID_LAT)
    wrong = clear & (got != (d < range_km))
    assert not wrong.any(), list(zip(GRID_LON[wrong], GRID_LAT[wrong], d[wrong]))


def test_large_envelope_encloses_the_pole_and_crosses_the_antimeridian(iran, iran_border):
    parts = envelope.envelope_polygons(iran, 8000)
    ext = parts[0][0]
    assert np.abs(_nearest_km(ext, iran_border) - 8000).max() < 1.0
    geom = envelope_geojson(iran, 8000)
    assert geom["type"] == "Polygon"
    assert antimeridian.contains(geom, *NORTH_POLE).item() and not antimeridian.contains(geom, *SOUTH_POLE).item()


def test_envelope_of_an_outline_across_the_antimeridian():
    fiji = country_outline(load_countries(BASEMAP), "FJI")
    geom = envelope_geojson(fiji, 500)
    assert_valid_geojson(geom)
    assert geom["type"] == "MultiPolygon" and len(geom["coordinates"]) == 2
    # Viti Levu's west coast is at 177.3E: 174E is ~350 km away, 170E ~770 km
    assert antimeridian.contains(geom, [179.0, -179.0, 174.0, 170.0], [-17.0, -17.0, -17.0, -17.0]).tolist() == [True, True, True, False]


def test_envelope_keeps_out_of_range_pockets_as_holes():
    # a C-shaped outline (degrees) whose bay is ~600 km wide: at 100 km the bay's
    # middle is out of range, and the envelope has a hole there
    c_shape = {"type": "Polygon", "coordinates": [[[0, 0], [12, 0], [12, 2], [2, 2], [2, 10], [12, 10], [12, 12], [0, 12], [0, 0]]]}
    parts = envelope.envelope_polygons(c_shape, 100)
    assert len(parts) == 1
    geom = envelope_geojson(c_shape, 100)
    assert not antimeridian.contains(geom, 8.0, 6.0).item()  # bay middle, > 300 km from the border
    assert antimeridian.contains(geom, 8.0, 2.5).item()  # just off the bay's shore
    assert antimeridian.contains(geom, 1.0, 6.0).item()  # inside the outline


@pytest.mark.parametrize(
    "kwargs",
    [
        {"range_km": 0},
        {"range_km": 9001},
        {"range_km": float("nan")},
        {"range_km": 1000, "densify_km": 0},
        {"range_km": 1000, "n_points": 4},
        {"range_km": 1000, "outline": {"type": "Point", "coordinates": [0, 0]}},
        {"range_km": 1000, "outline": {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [0, 0]]]}},
        {"range_km": 1000, "outline": {"type": "Polygon", "coordinates": [[[0, 0], [1, 200], [2, 0], [0, 0]]]}},
        {"range_km": 1000, "outline": "IRN"},
    ],
)
def test_envelope_rejects_invalid_input(iran, kwargs):
    kwargs = {"outline": iran} | kwargs
    with pytest.raises(ValueError):
        envelope.envelope_polygons(**kwargs)


def test_envelope_rejects_reach_beyond_the_supported_limit():
    # two small islands 120 degrees apart: their centre is ~6,700 km from each
    islands = {
        "type": "MultiPolygon",
        "coordinates": [[[[0, 0], [1, 0], [1, 1], [0, 0]]], [[[120, 0], [121, 0], [121, 1], [120, 0]]]],
    }
    envelope.envelope_polygons(islands, 8000)
    with pytest.raises(ValueError, match="at most"):
        envelope.envelope_polygons(islands, 9000)
