"""dashboard.geo.geodesic and antimeridian: geodesic rings and their GeoJSON form.

Distances in km unless a name says metres; coordinates in degrees (lon, lat).
"""

from __future__ import annotations

import numpy as np
import pytest

from dashboard.geo import antimeridian, geodesic
from tests.geocheck import (
    GEOD,
    GRID_LAT,
    GRID_LON,
    NORTH_POLE,
    SOUTH_POLE,
    TEHRAN,
    assert_valid_geojson,
    geojson_vertices,
    polygons,
)

NEAR_ANTIMERIDIAN_EAST = (179.5, 0.0)
NEAR_ANTIMERIDIAN_WEST = (-179.9, 10.0)
NEAR_NORTH_POLE = (0.0, 89.5)
NEAR_SOUTH_POLE = (-120.0, -89.5)
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


def disc(centre, range_km) -> dict:
    """GeoJSON of the geodesic disc, as the app builds it (degrees, km)."""
    return antimeridian.ring_polygon(dense_ring(centre, range_km))


def dense_ring(centre, range_km, n_points: int = 360) -> np.ndarray:
    """The ring as the app computes it: densified on the circle (degrees, km)."""
    return geodesic.geodesic_ring(*centre, range_km, n_points, max_step_deg=antimeridian.MAX_SEGMENT_DEG)


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
    polys = polygons(geom)
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
    east, west = sorted(polygons(geom), key=lambda p: -np.asarray(p[0])[:, 0].max())
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
        assert max_error_m(centre, range_km, pts) < TOLERANCE_M


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


def max_error_m(centre, range_km, pts) -> float:
    """Largest |geodesic distance - range| over the points, metres (Geod.inv)."""
    pts = np.asarray(pts, dtype=float)
    _, _, dist = GEOD.inv(np.full(len(pts), centre[0]), np.full(len(pts), centre[1]), pts[:, 0], pts[:, 1])
    return float(np.abs(np.asarray(dist) - range_km * 1000.0).max())


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
    assert max_error_m(centre, range_km, pts[~closure]) < TOLERANCE_M
    paths = antimeridian.outline_paths(ring) + antimeridian.outline_paths(geom)
    assert max_error_m(centre, range_km, np.vstack(paths)) < TOLERANCE_M


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
    assert max_error_m(NEAR_ANTIMERIDIAN_EAST, 1000, on_seam) < 0.001


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
