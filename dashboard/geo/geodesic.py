"""The numeric core on WGS84: geodesic circles and distances (no Streamlit).

Units: longitude and latitude in degrees (WGS84), distances in kilometres
(``*_km``) unless a name says metres (``*_m``). Every position and distance comes
from vectorised ``pyproj.Geod(ellps="WGS84")`` calls (Karney's algorithm, as in
GeographicLib), exact to well under a millimetre.

A *ring* is an ``(n, 2)`` array of ``(lon, lat)`` vertices, not closed (the first
vertex is not repeated), in **clockwise** order: the area it encloses lies on its
right-hand side, as seen from above the ellipsoid. :func:`geodesic_ring` returns the
vertices in increasing-azimuth order, which is exactly that. The same convention is
used by d3 and therefore by plotly's geo traces, where it is the only unambiguous way
to say which side of a ring on a sphere is "inside".
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pyproj

from dashboard.geo.checks import (
    MAX_RANGE_KM,
    MIN_RING_POINTS,
    check_lon_lat,
    check_lonlat_arrays,
    check_n_points,
    check_range_km,
    check_real,
    wrap_lon,
)

__all__ = ["GEOD", "MAX_RANGE_KM", "MIN_RING_POINTS", "geodesic_distance_km", "geodesic_ring", "ring_steps_deg"]

GEOD = pyproj.Geod(ellps="WGS84")

_MAX_ROUNDS = 64  # bound on refinement and root-finding rounds (a few are ever used)
_MIN_AZ_GAP_DEG = 1e-9  # azimuth steps this small are not split further
_SEAM_TOL_DEG = 1e-10  # longitude tolerance of a seam vertex (~0.01 mm at the equator)


@lru_cache(maxsize=32)
def _azimuths(n: int) -> np.ndarray:
    az = np.arange(n, dtype=float) * (360.0 / n)
    az.flags.writeable = False
    return az


def geodesic_ring(lon, lat, range_km, n_points: int = 360, max_step_deg: float | None = None) -> np.ndarray:
    """Vertices of the geodesic circle of radius ``range_km`` around a centre.

    Parameters
    ----------
    lon, lat : float
        Centre, degrees (WGS84); ``-180 <= lon <= 180``, ``-90 <= lat <= 90``.
    range_km : float
        Geodesic radius in kilometres, ``0 < range_km <= MAX_RANGE_KM`` (20,037.5 km,
        half the equatorial circumference: the largest geodesic distance there is).
    n_points : int, optional
        Number of vertices, ``>= MIN_RING_POINTS`` (8). Default 360 (one per degree
        of azimuth).
    max_step_deg : float, optional
        When given (``> 0``, degrees), more vertices are computed at intermediate
        azimuths, as many as needed so that no step between consecutive vertices
        exceeds ``max_step_deg`` in longitude (the shorter way) or in latitude, and
        one more vertex lies exactly on the antimeridian (lon +-180) wherever the
        ring crosses it. Every added vertex is again a ``Geod.fwd`` point at
        ``range_km``: the ring is densified on the circle itself, never by
        interpolation. Default None: exactly ``n_points`` vertices.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_points, 2)`` (more rows with ``max_step_deg``): ``(lon, lat)`` in
        degrees, lon in [-180, 180]. Vertex ``i`` lies at azimuth ``i * 360 /
        n_points`` degrees (clockwise from north; with ``max_step_deg``, the added
        vertices sit between them in increasing azimuth) and at exactly ``range_km``
        along the geodesic from the centre, so the ring runs clockwise around the
        centre. Not closed.

    Raises
    ------
    ValueError
        For a non-finite or out-of-range centre, radius or vertex count.

    Notes
    -----
    One vectorised ``pyproj.Geod(ellps="WGS84").fwd`` call (Karney's algorithm, as
    in GeographicLib); the positions are exact to well under a millimetre. With
    ``max_step_deg``, a few more ``fwd`` calls on the added azimuths only: one check
    of the steps when none is too long (the usual case away from the poles and for
    radii up to a few thousand km).
    """
    lon, lat = check_lon_lat(lon, lat)
    r_m = check_range_km(range_km) * 1000.0
    n = check_n_points(n_points)
    step = None if max_step_deg is None else check_real("max_step_deg", max_step_deg)
    if step is not None and step <= 0.0:
        raise ValueError(f"max_step_deg must be > 0, got {max_step_deg!r}")
    lons, lats = _fwd(lon, lat, _azimuths(n).copy(), r_m)
    if step is None:
        return np.column_stack((lons, lats))
    return _densified((lon, lat), r_m, _azimuths(n), lons, lats, step)


def _fwd(lon: float, lat: float, az: np.ndarray, r_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Points at ``r_m`` metres from (lon, lat) along azimuths ``az`` (degrees); ``az``
    is overwritten."""
    # inplace: the arrays are ours, so pyproj writes into them instead of copying four in
    # and three out (a third of the time of a 360-point ring).
    n = len(az)
    lons, lats = np.full(n, lon), np.full(n, lat)
    GEOD.fwd(lons, lats, az, np.full(n, r_m), inplace=True)
    return lons, lats


def ring_steps_deg(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Step from each vertex to the next (cyclic), degrees: the larger of the
    longitude step (the shorter way round) and the latitude step."""
    dlon = np.abs(_cyclic_diff(lon))
    return np.maximum(np.minimum(dlon, 360.0 - dlon), np.abs(_cyclic_diff(lat)))


def _cyclic_diff(a: np.ndarray) -> np.ndarray:
    """``a[i + 1] - a[i]`` along the first axis, the last row wrapping to the first."""
    d = np.empty_like(a)
    np.subtract(a[1:], a[:-1], out=d[:-1])
    d[-1] = a[0] - a[-1]
    return d


def _densified(centre, r_m: float, az, lons, lats, max_step: float) -> np.ndarray:
    """The ring with vertices added by :func:`_refine` and :func:`_seam_vertices`.

    The usual ring needs neither, and costs only the one check that says so.
    """
    ring = np.column_stack((lons, lats))
    d = np.abs(_cyclic_diff(ring))
    step = float(d.max())
    long_step = step > max_step * (1.0 + 1e-9)
    if long_step:  # perhaps only a longitude step the long way round: measure the short way
        np.minimum(d[:, 0], 360.0 - d[:, 0], out=d[:, 0])
        step = float(d.max())  # = ring_steps_deg(lons, lats).max()
        long_step = step > max_step * (1.0 + 1e-9)
    if not long_step and np.abs(lons).max() + step < 180.0:  # no step can cross the antimeridian
        return ring
    if long_step:
        az, lons, lats, step = _refine(centre, r_m, az, lons, lats, max_step)
    if np.abs(lons).max() + step >= 180.0:
        lons, lats = _seam_vertices(centre, r_m, az, lons, lats)
    return np.column_stack((lons, lats))


def _refine(centre, r_m: float, az, lons, lats, max_step: float):
    """Add ring vertices at intermediate azimuths until no step exceeds ``max_step``.

    Each round splits every long step evenly in azimuth, in as many parts as its
    length asks for; a step whose azimuth gap is already below ``_MIN_AZ_GAP_DEG``
    (its ends are within millimetres: the ring grazes a pole) is left as it is.
    Returns ``az, lons, lats`` in increasing azimuth and the longest step left.
    """
    for _ in range(_MAX_ROUNDS):
        gap = np.diff(az, append=az[0] + 360.0)
        steps = ring_steps_deg(lons, lats)
        parts = np.ceil(steps / max_step - 1e-9)
        sel = np.flatnonzero((parts > 1.0) & (gap > _MIN_AZ_GAP_DEG))
        if not len(sel):
            break
        extra = parts[sel].astype(np.int64) - 1
        seg = np.repeat(sel, extra)
        j = np.arange(int(extra.sum())) - np.repeat(np.cumsum(extra) - extra, extra) + 1
        new_az = az[seg] + gap[seg] * j / parts[seg]
        new_lon, new_lat = _fwd(*centre, new_az.copy(), r_m)
        az, lons, lats = (np.insert(a, seg + 1, v) for a, v in ((az, new_az), (lons, new_lon), (lats, new_lat)))
    return az, lons, lats, float(steps.max())


def _seam_vertices(centre, r_m: float, az, lons, lats):
    """Insert a ring vertex exactly on lon = +-180 inside every step that crosses it.

    The crossing azimuth is found by the secant method on ``Geod.fwd`` (kept inside
    the step, bisecting when a secant leaves it) to ``_SEAM_TOL_DEG`` in longitude, so
    the vertex, put exactly on the seam, is within a millimetre of the circle.
    """
    x_next = lons + wrap_lon(np.roll(lons, -1) - lons)  # next vertex, continuous lon
    east, west = (x_next > 180.0) & (lons < 180.0), (x_next < -180.0) & (lons > -180.0)
    sel = np.flatnonzero(east | west)
    if not len(sel):
        return lons, lats
    seam = np.where(east[sel], 180.0, -180.0)
    lo = az[sel]
    hi = lo + np.diff(az, append=az[0] + 360.0)[sel]
    a0, f0, a1, f1 = lo, lons[sel] - seam, hi, x_next[sel] - seam
    for _ in range(_MAX_ROUNDS):
        ok = (f1 != f0) & (a1 != a0)
        a = a1 - f1 * np.where(ok, a1 - a0, 0.0) / np.where(ok, f1 - f0, 1.0)  # secant step
        a = np.where((a > lo) & (a < hi), a, 0.5 * (lo + hi))
        lon_a, lat_a = _fwd(*centre, a.copy(), r_m)
        f = lons[sel] + wrap_lon(lon_a - lons[sel]) - seam
        if (np.abs(f) < _SEAM_TOL_DEG).all():
            break
        below = np.sign(f) == np.sign(lons[sel] - seam)  # still on the start's side
        lo, hi = np.where(below, a, lo), np.where(below, hi, a)
        a0, f0, a1, f1 = a1, f1, a, f
    return np.insert(lons, sel + 1, seam), np.insert(lats, sel + 1, lat_a)


def geodesic_distance_km(lon1, lat1, lon2, lat2):
    """Geodesic distance on WGS84, vectorised.

    Parameters
    ----------
    lon1, lat1, lon2, lat2 : float or array_like
        Degrees; broadcast against each other. Latitudes within [-90, 90].

    Returns
    -------
    float or numpy.ndarray
        Kilometres, with the broadcast shape (a float for scalar inputs).
    """
    lon1, lat1 = check_lonlat_arrays(lon1, lat1)
    lon2, lat2 = check_lonlat_arrays(lon2, lat2)
    try:
        arrays = np.broadcast_arrays(lon1, lat1, lon2, lat2)
    except ValueError:
        raise ValueError("the two point sets have shapes that do not broadcast") from None
    shp = arrays[0].shape
    flat = [np.ascontiguousarray(a, dtype=float).ravel() for a in arrays]
    _, _, dist = GEOD.inv(*flat)
    km = np.asarray(dist, dtype=float).reshape(shp) / 1000.0
    return float(km) if km.ndim == 0 else km
