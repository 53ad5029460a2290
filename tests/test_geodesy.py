"""dashboard.geo geodesic, antimeridian, envelope: rings, their GeoJSON form, the territory envelope.

Distances in km unless a name says metres; coordinates in degrees (lon, lat).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyproj
import pytest
from shapely.geometry import shape

from dashboard.geo import antimeridian, envelope, geodesic
from dashboard.geo.basemap import country_outline, load_countries

BASEMAP = Path(__file__).resolve().parent.parent / "data" / "basemap"
GEOD = pyproj.Geod(ellps="WGS84")

TEHRAN = (51.42151, 35.69439)
NEAR_ANTIMERIDIAN_EAST = (179.5, 0.0)
NEAR_ANTIMERIDIAN_WEST = (-179.9, 10.0)
NEAR_NORTH_POLE = (0.0, 89.5)
NEAR_SOUTH_POLE = (-120.0, -89.5)
NORTH_POLE = (0.0, 90.0)
SOUTH_POLE = (0.0, -90.0)
IRAN_RANGES_KM = (1287, 1999, 1770, 1931)
TOLERANCE_M = 1.0  # the README's promise: every ring vertex within 1 m of the range

# GeographicLib's published examples (README of the geographiclib-geodesic package by
# C. F. F. Karney; WGS84): Wellington, NZ (41.32S, 174.81E) to Salamanca, Spain
# (40.96N, 5.50W) is 19,959,679.267 m; 20,000 km from Perth (32.06S, 115.74E) at
# azimuth 225 lands at (32.11195529N, 63.95925278W).
WELLINGTON = (174.81, -41.32)
SALAMANCA = (-5.50, 40.96)
WELLINGTON_SALAMANCA_M = 19959679.267
PERTH = (115.74, -32.06)
PERTH_SW_20000KM = (-63.95925278, 32.11195529)

CENTRES = {
    "tehran": TEHRAN,
    "antimeridian_east": NEAR_ANTIMERIDIAN_EAST,
    "antimeridian_west": NEAR_ANTIMERIDIAN_WEST,
    "north_pole": NEAR_NORTH_POLE,
    "south_pole": NEAR_SOUTH_POLE,
}
RANGES_KM = (100, 1000, 2000, 5000, 10000, 15000, 19000)


def _global_grid() -> tuple[np.ndarray, np.ndarray]:
    lon, lat = np.meshgrid(np.arange(-177.5, 180.0, 5.0), np.arange(-87.5, 90.0, 5.0))
    extra_lon = np.array([180.0, -180.0, 179.99, -179.99, 0.0, 90.0, 179.0, -179.0, 45.0, -135.0])
    extra_lat = np.array([0.0, 10.0, -5.0, 5.0, 89.9, 89.99, -89.9, -89.99, 89.7, -89.7])
    return np.concatenate((lon.ravel(), extra_lon)), np.concatenate((lat.ravel(), extra_lat))


GRID_LON, GRID_LAT = _global_grid()


def _polygons(geom: dict) -> list:
    return [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]


def _signed_area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * float(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1]))


def assert_valid_geojson(geom: dict) -> None:
    """RFC 7946 polygon checks: closed rings, bounds, no antimeridian crossing, winding."""
    assert geom["type"] in ("Polygon", "MultiPolygon")
    for poly in _polygons(geom):
        for i, ring in enumerate(poly):
            r = np.asarray(ring, dtype=float)
            assert r.shape[1] == 2 and len(r) >= 4
            assert (r[0] == r[-1]).all(), "ring not closed"
            assert (np.abs(r[:, 0]) <= 180.0).all() and (np.abs(r[:, 1]) <= 90.0).all()
            # edges along the pole edge (lat +-90: one point on the globe) may span the map
            on_pole_edge = (np.abs(r[:-1, 1]) == 90.0) & (r[:-1, 1] == r[1:, 1])
            assert ((np.abs(np.diff(r[:, 0])) < 180.0) | on_pole_edge).all(), "an edge crosses the antimeridian"
            area = _signed_area(r)
            assert area > 0 if i == 0 else area < 0, "exterior must be CCW, holes CW"
    assert shape(geom).is_valid


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
    for poly in _polygons(outline):
        for ring in poly:
            r = np.asarray(ring, dtype=float)
            for a, b in zip(r[:-1], r[1:]):
                az, _, dist = GEOD.inv(a[0], a[1], b[0], b[1])
                n = max(1, int(np.ceil(dist / 1000.0 / step_km)))
                lo, la, _ = GEOD.fwd(np.full(n, a[0]), np.full(n, a[1]), np.full(n, az), dist * np.arange(n) / n)
                pts.append(np.column_stack((lo, la)))
    return np.vstack(pts)


def disc(centre, range_km) -> dict:
    """GeoJSON of the geodesic disc, as the app builds it (degrees, km)."""
    return antimeridian.ring_polygon(dense_ring(centre, range_km))


def dense_ring(centre, range_km, n_points: int = 360) -> np.ndarray:
    """The ring as the app computes it: densified on the circle (degrees, km)."""
    return geodesic.geodesic_ring(*centre, range_km, n_points, max_step_deg=antimeridian.MAX_SEGMENT_DEG)


def envelope_geojson(outline, range_km) -> dict:
    """GeoJSON of the territory envelope, as the app builds it (degrees, km)."""
    return antimeridian.polygons_geometry(envelope.envelope_polygons(outline, range_km))


@pytest.fixture(scope="module")
def iran() -> dict:
    return country_outline(load_countries(BASEMAP), "IRN")


@pytest.fixture(scope="module")
def iran_border(iran) -> np.ndarray:
    return _densified_border(iran, 5.0)  # 5 km apart: < 0.01 km error at >= 300 km


# --------------------------------------------------------------------------- rings


@pytest.mark.parametrize("range_km", RANGES_KM)
@pytest.mark.parametrize("centre", CENTRES.values(), ids=CENTRES.keys())
def test_ring_vertices_lie_at_the_requested_distance(centre, range_km):
    ring = geodesic.geodesic_ring(*centre, range_km)
    assert ring.shape == (360, 2)
    assert (np.abs(ring[:, 0]) <= 180.0).all() and (np.abs(ring[:, 1]) <= 90.0).all()
    az, _, dist_m = GEOD.inv(np.full(360, centre[0]), np.full(360, centre[1]), ring[:, 0], ring[:, 1])
    assert np.abs(np.asarray(dist_m) - range_km * 1000.0).max() < 1.0
    # increasing azimuth, one degree apart: clockwise around the centre
    step = (np.diff(np.asarray(az)) + 180.0) % 360.0 - 180.0
    assert np.allclose(step, 1.0, atol=1e-6)


@pytest.mark.parametrize("n_points", [8, 90, 361])
def test_ring_vertex_count(n_points):
    assert geodesic.geodesic_ring(*TEHRAN, 1000, n_points).shape == (n_points, 2)


def test_direct_problem_matches_geographiclib_reference():
    ring = geodesic.geodesic_ring(*PERTH, 20000, n_points=8)  # vertex 5 is azimuth 225
    assert np.allclose(ring[5], PERTH_SW_20000KM, atol=5e-9)


def test_distance_matches_geographiclib_reference():
    km = geodesic.geodesic_distance_km(*WELLINGTON, *SALAMANCA)
    assert isinstance(km, float)
    assert abs(km * 1000.0 - WELLINGTON_SALAMANCA_M) < 0.001


def test_distance_is_vectorised_and_broadcast():
    lon = np.array([[0.0, 10.0, 20.0]])
    out = geodesic.geodesic_distance_km(*TEHRAN, lon, np.zeros((2, 1)))
    assert out.shape == (2, 3)
    assert out[0, 0] == pytest.approx(geodesic.geodesic_distance_km(*TEHRAN, 0.0, 0.0))
    assert geodesic.geodesic_distance_km(0.0, 0.0, 0.0, 0.0) == 0.0


@pytest.mark.parametrize(
    "args",
    [
        (float("nan"), 35.0, 1000),
        (51.0, float("inf"), 1000),
        (180.5, 35.0, 1000),
        (-181.0, 35.0, 1000),
        (51.0, 90.0001, 1000),
        (51.0, -91.0, 1000),
        (51.0, 35.0, 0),
        (51.0, 35.0, -5),
        (51.0, 35.0, 20037.6),
        (51.0, 35.0, float("nan")),
        ("51", 35.0, 1000),
        (True, 35.0, 1000),
        (None, 35.0, 1000),
        (51.0, 35.0, 1000, 7),
        (51.0, 35.0, 1000, 8.0),
        (51.0, 35.0, 1000, True),
    ],
)
def test_ring_rejects_invalid_input(args):
    with pytest.raises(ValueError):
        geodesic.geodesic_ring(*args)


@pytest.mark.parametrize(
    "centre, range_km",
    [((180.0, 0.0), 1000), ((-180.0, 90.0), 500), ((0.0, -90.0), 20037.5), ((0.0, 0.0), 20037.5), (TEHRAN, 20003.0)],
)
def test_extreme_but_valid_inputs_work(centre, range_km):
    ring = geodesic.geodesic_ring(*centre, range_km, n_points=8)
    assert np.isfinite(ring).all()
    assert_valid_geojson(disc(centre, range_km))


@pytest.mark.parametrize(
    "bad",
    [np.zeros((5, 3)), [[0, 0], [1, 1]], [[0, 0], [1, float("nan")], [2, 0]], [[0, 0], [1, 91], [2, 0]], "ring", [[0, 0], [0, 0], [0, 0], [1, 1]]],
)
def test_ring_polygon_rejects_malformed_rings(bad):
    with pytest.raises(ValueError):
        antimeridian.ring_polygon(bad)


# --------------------------------------------------------------------------- GeoJSON form


@pytest.mark.parametrize("range_km", RANGES_KM)
@pytest.mark.parametrize("centre", CENTRES.values(), ids=CENTRES.keys())
def test_disc_geometry_is_valid_geojson(centre, range_km):
    assert_valid_geojson(disc(centre, range_km))


@pytest.mark.parametrize("range_km", RANGES_KM)
@pytest.mark.parametrize("centre", CENTRES.values(), ids=CENTRES.keys())
def test_contains_agrees_with_geodesic_distance_on_a_global_grid(centre, range_km):
    geom = disc(centre, range_km)
    inside = antimeridian.contains(geom, GRID_LON, GRID_LAT)
    dist = geodesic.geodesic_distance_km(*centre, GRID_LON, GRID_LAT)
    clear = np.abs(dist - range_km) > 5.0  # skip points within 5 km of the circle
    assert clear.sum() > 0.95 * len(dist)
    wrong = clear & (inside != (dist < range_km))
    assert not wrong.any(), list(zip(GRID_LON[wrong], GRID_LAT[wrong], dist[wrong]))


@pytest.mark.parametrize(
    "centre, range_km, kind, parts, holes, north_pole, south_pole",
    [
        (TEHRAN, 2000, "Polygon", 1, 0, False, False),
        (TEHRAN, 10000, "Polygon", 1, 0, True, False),  # around the north pole, across the antimeridian
        (TEHRAN, 15000, "Polygon", 1, 0, True, True),  # both poles; the excluded cap crosses the antimeridian
        (TEHRAN, 19000, "Polygon", 1, 1, True, True),  # both poles; a hole around the antipode
        (NEAR_ANTIMERIDIAN_EAST, 1000, "MultiPolygon", 2, 0, False, False),
        (NEAR_ANTIMERIDIAN_WEST, 100, "MultiPolygon", 2, 0, False, False),
        (NEAR_NORTH_POLE, 100, "Polygon", 1, 0, True, False),  # 55.6 km from the pole
        (NEAR_NORTH_POLE, 30, "Polygon", 1, 0, False, False),  # near the pole, not around it
        ((179.5, 89.5), 30, "MultiPolygon", 2, 0, False, False),  # near the pole, across the antimeridian
        (NEAR_SOUTH_POLE, 500, "Polygon", 1, 0, False, True),
    ],
)
def test_pole_and_antimeridian_cases_have_the_right_parts(centre, range_km, kind, parts, holes, north_pole, south_pole):
    geom = disc(centre, range_km)
    assert geom["type"] == kind
    polys = _polygons(geom)
    assert len(polys) == parts
    assert sum(len(p) - 1 for p in polys) == holes
    assert antimeridian.contains(geom, *NORTH_POLE).item() == north_pole
    assert antimeridian.contains(geom, *SOUTH_POLE).item() == south_pole


def test_pole_enclosing_polygon_is_closed_along_the_pole_edge():
    geom = disc(TEHRAN, 10000)
    ring = np.asarray(geom["coordinates"][0])
    assert (ring[:, 1] == antimeridian.POLE_EDGE_LAT).sum() >= 2
    assert ring[:, 0].min() == -180.0 and ring[:, 0].max() == 180.0


def test_split_parts_meet_exactly_on_the_antimeridian():
    geom = disc(NEAR_ANTIMERIDIAN_EAST, 1000)
    east, west = sorted(_polygons(geom), key=lambda p: -np.asarray(p[0])[:, 0].max())
    east_seam = {tuple(p) for p in np.asarray(east[0]) if p[0] == 180.0}
    west_seam = {tuple(p) for p in np.asarray(west[0]) if p[0] == -180.0}
    assert {y for _, y in east_seam} == {y for _, y in west_seam} and len(east_seam) == 2


def test_ring_polygon_holes_are_cut_out():
    outer = geodesic.geodesic_ring(*TEHRAN, 2000)
    inner = geodesic.geodesic_ring(*TEHRAN, 1000)
    band = antimeridian.ring_polygon(outer, [inner])
    assert_valid_geojson(band)
    assert len(band["coordinates"]) == 2
    lon = np.array([TEHRAN[0], TEHRAN[0], TEHRAN[0]])
    lat = np.array([TEHRAN[1], TEHRAN[1] + 13.5, TEHRAN[1] + 20.0])  # centre, ~1500 km N, ~2200 km N
    assert antimeridian.contains(band, lon, lat).tolist() == [False, True, False]


@pytest.mark.parametrize("centre, range_km", [(TEHRAN, 10000), (NEAR_ANTIMERIDIAN_EAST, 1000), (TEHRAN, 2000), (NEAR_NORTH_POLE, 100)])
def test_outline_paths_are_split_at_the_antimeridian(centre, range_km):
    ring = dense_ring(centre, range_km)
    for source in (ring, antimeridian.ring_polygon(ring)):
        paths = antimeridian.outline_paths(source)
        assert paths
        for p in paths:
            assert (np.abs(p[:, 0]) <= 180.0).all()
            assert (np.abs(np.diff(p[:, 0])) < 180.0).all()
        pts = np.vstack(paths)
        # no artificial edges: every vertex is on the circle
        assert np_max_error_m(centre, range_km, pts) < TOLERANCE_M


# --------------------------------------------------------------------------- exact dense rings

POLAR_CENTRES = {
    "80N_0E": (0.0, 80.0),
    "80N_179.5E": (179.5, 80.0),
    "80N_180": (180.0, 80.0),
    "80N_179.9W": (-179.9, 80.0),
    "85S_120W": (-120.0, -85.0),
    "85S_179.5E": (179.5, -85.0),
    "85S_180W": (-180.0, -85.0),
}
POLAR_RANGES_KM = (1300, 2000, 5000)


def np_max_error_m(centre, range_km, pts) -> float:
    """Largest |geodesic distance - range| over the points, metres (Geod.inv)."""
    pts = np.asarray(pts, dtype=float)
    _, _, dist = GEOD.inv(np.full(len(pts), centre[0]), np.full(len(pts), centre[1]), pts[:, 0], pts[:, 1])
    return float(np.abs(np.asarray(dist) - range_km * 1000.0).max())


def geojson_vertices(geom: dict) -> np.ndarray:
    return np.array([pt for poly in _polygons(geom) for ring in poly for pt in ring], dtype=float)


@pytest.mark.parametrize("n_points", [360, 90])
@pytest.mark.parametrize("range_km", POLAR_RANGES_KM)
@pytest.mark.parametrize("centre", POLAR_CENTRES.values(), ids=POLAR_CENTRES.keys())
def test_every_geojson_vertex_of_a_polar_ring_is_on_the_circle(centre, range_km, n_points):
    ring = dense_ring(centre, range_km, n_points)
    geom = antimeridian.ring_polygon(ring)
    assert_valid_geojson(geom)
    pts = geojson_vertices(geom)
    # the only vertices not on the circle: the corners that close a pole-enclosing
    # polygon along the map edge, (+-180, +-POLE_EDGE_LAT)
    closure = np.abs(pts[:, 1]) == antimeridian.POLE_EDGE_LAT
    assert (np.abs(pts[closure, 0]) == 180.0).all()
    assert np_max_error_m(centre, range_km, pts[~closure]) < TOLERANCE_M
    paths = antimeridian.outline_paths(ring) + antimeridian.outline_paths(geom)
    assert np_max_error_m(centre, range_km, np.vstack(paths)) < TOLERANCE_M


@pytest.mark.parametrize("range_km", POLAR_RANGES_KM)
@pytest.mark.parametrize("centre", POLAR_CENTRES.values(), ids=POLAR_CENTRES.keys())
def test_dense_ring_steps_stay_within_the_limit(centre, range_km):
    ring = dense_ring(centre, range_km)
    steps = geodesic.ring_steps_deg(ring[:, 0], ring[:, 1])
    assert steps.max() <= antimeridian.MAX_SEGMENT_DEG + 1e-9
    assert len(ring) > 360  # near a pole the 1-degree azimuth steps are too long in longitude
    # the 360 computed vertices are all there, in order, and nothing else moved
    base = geodesic.geodesic_ring(*centre, range_km)
    at = np.flatnonzero(np.isin(ring[:, 0], base[:, 0]) & np.isin(ring[:, 1], base[:, 1]))
    assert np.array_equal(ring[at], base)


def test_dense_ring_puts_a_vertex_exactly_on_the_antimeridian():
    ring = dense_ring(NEAR_ANTIMERIDIAN_EAST, 1000)
    on_seam = ring[np.abs(ring[:, 0]) == 180.0]
    assert len(on_seam) == 2  # one crossing northwards of the centre, one southwards
    assert np_max_error_m(NEAR_ANTIMERIDIAN_EAST, 1000, on_seam) < 0.001


def test_dense_ring_away_from_the_poles_is_the_plain_ring():
    assert np.array_equal(dense_ring(TEHRAN, 2000), geodesic.geodesic_ring(*TEHRAN, 2000))


@pytest.mark.parametrize("max_step_deg", [0.0, -1.0, float("nan"), "1"])
def test_dense_ring_rejects_a_bad_step(max_step_deg):
    with pytest.raises(ValueError):
        geodesic.geodesic_ring(*TEHRAN, 1000, max_step_deg=max_step_deg)


def test_contains_handles_the_seam_and_validates():
    geom = disc(NEAR_ANTIMERIDIAN_EAST, 1000)
    assert antimeridian.contains(geom, [180.0, -180.0, 540.0], [0.0, 0.0, 0.0]).all()
    with pytest.raises(ValueError):
        antimeridian.contains(geom, 0.0, 95.0)
    with pytest.raises(ValueError):
        antimeridian.contains({"type": "Point", "coordinates": [0, 0]}, 0.0, 0.0)


# --------------------------------------------------------------------------- envelope


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
