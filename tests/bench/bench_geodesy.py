"""Benchmarks for dashboard.geo.geodesic, antimeridian and envelope (no timed assertions; see ``run``).

Run alone: ``.venv/bin/python -m tests.bench.bench_geodesy``.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pyproj

from dashboard.geo import antimeridian, envelope, geodesic
from dashboard.geo.antimeridian import MAX_SEGMENT_DEG
from dashboard.geo.basemap import country_outline, load_countries

BASEMAP = Path(__file__).resolve().parents[2] / "data" / "basemap"
RINGS = 1000
RING_POINTS = 360
IRAN_RANGES_KM = (1287, 1999, 1770, 1931)
REPEATS = 5


def _best(fn, repeats: int = REPEATS) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def run() -> list[dict]:
    """Measure; returns rows ``{"name", "value", "unit", "goal"}`` (best of 5).

    * ``rings_vs_bare_fwd``: 1,000 rings x 360 points through ``geodesic_ring``, as a
      ratio to one bare vectorised ``Geod.fwd`` over the same 360,000 points.
    * ``dense_common_rings_vs_bare_fwd``: the app's path, ``geodesic_ring(...,
      max_step_deg=MAX_SEGMENT_DEG)``, for 1,000 rings clear of the poles and the
      antimeridian (centres at latitudes within +-45 and longitudes within +-150
      degrees, 100-2,500 km: no vertex to add, only the checks), as a ratio to one
      bare ``Geod.fwd`` over their 360,000 points.
    * ``dense_random_rings_1000``: the same path for the random rings of the first
      row (many near a pole or larger than 5,000 km, where vertices are added),
      seconds; for information.
    * ``iran_envelopes_4_ranges``: the GeoJSON envelope of Iran (``envelope_polygons``
      then ``polygons_geometry``) at 1287, 1999, 1770
      and 1931 km, seconds in total.
    """
    rng = np.random.default_rng(20170129)
    lons = rng.uniform(-180.0, 180.0, RINGS).tolist()
    lats = rng.uniform(-89.0, 89.0, RINGS).tolist()
    ranges = rng.uniform(100.0, 19000.0, RINGS).tolist()
    geod = pyproj.Geod(ellps="WGS84")
    all_lon = np.repeat(lons, RING_POINTS)
    all_lat = np.repeat(lats, RING_POINTS)
    all_az = np.tile(np.arange(RING_POINTS) * (360.0 / RING_POINTS), RINGS)
    all_dist = np.repeat(np.asarray(ranges) * 1000.0, RING_POINTS)

    def bare():
        geod.fwd(all_lon, all_lat, all_az, all_dist)

    def rings():
        for lon, lat, r in zip(lons, lats, ranges):
            geodesic.geodesic_ring(lon, lat, r, RING_POINTS)

    def dense_random():
        for lon, lat, r in zip(lons, lats, ranges):
            geodesic.geodesic_ring(lon, lat, r, RING_POINTS, max_step_deg=MAX_SEGMENT_DEG)

    c_lons = rng.uniform(-150.0, 150.0, RINGS).tolist()
    c_lats = rng.uniform(-45.0, 45.0, RINGS).tolist()
    c_ranges = rng.uniform(100.0, 2500.0, RINGS).tolist()
    c_all = [np.repeat(c_lons, RING_POINTS), np.repeat(c_lats, RING_POINTS), all_az.copy(),
             np.repeat(np.asarray(c_ranges) * 1000.0, RING_POINTS)]

    def bare_common():
        geod.fwd(*c_all)

    def dense_common():
        for lon, lat, r in zip(c_lons, c_lats, c_ranges):
            geodesic.geodesic_ring(lon, lat, r, RING_POINTS, max_step_deg=MAX_SEGMENT_DEG)

    iran = country_outline(load_countries(BASEMAP), "IRN")

    def envelopes():
        for r in IRAN_RANGES_KM:
            antimeridian.polygons_geometry(envelope.envelope_polygons(iran, r))

    # interleaved, so that both sides of the ratio see the same machine load
    t_bare = t_rings = float("inf")
    for _ in range(REPEATS):
        t_bare = min(t_bare, _best(bare, 1))
        t_rings = min(t_rings, _best(rings, 1))
    t_bare_c = t_dense_c = float("inf")
    for _ in range(REPEATS):
        t_bare_c = min(t_bare_c, _best(bare_common, 1))
        t_dense_c = min(t_dense_c, _best(dense_common, 1))
    t_dense_r = _best(dense_random)
    t_env = _best(envelopes)
    return [
        {"name": "bare_fwd_360k_points", "value": round(t_bare, 4), "unit": "s", "goal": None},
        {"name": "rings_1000x360", "value": round(t_rings, 4), "unit": "s", "goal": None},
        {"name": "rings_vs_bare_fwd", "value": round(t_rings / t_bare, 3), "unit": "ratio", "goal": "<= 1.2"},
        {"name": "dense_common_rings_vs_bare_fwd", "value": round(t_dense_c / t_bare_c, 3), "unit": "ratio", "goal": "<= 1.2"},
        {"name": "dense_random_rings_1000", "value": round(t_dense_r, 4), "unit": "s", "goal": None},
        {"name": "iran_envelopes_4_ranges", "value": round(t_env, 4), "unit": "s", "goal": "< 0.5"},
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
