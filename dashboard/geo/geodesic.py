"""The numeric core on WGS84: geodesic circles and distances (no Streamlit).

Units: longitude and latitude in degrees (WGS84), distances in kilometres
(``*_km``) unless a name says metres (``*_m``). Everything here is one vectorised
``pyproj.Geod(ellps="WGS84")`` call (Karney's algorithm, as in GeographicLib), exact
to well under a millimetre.

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
)

__all__ = ["GEOD", "MAX_RANGE_KM", "MIN_RING_POINTS", "geodesic_distance_km", "geodesic_ring"]

GEOD = pyproj.Geod(ellps="WGS84")


@lru_cache(maxsize=32)
def _azimuths(n: int) -> np.ndarray:
    az = np.arange(n, dtype=float) * (360.0 / n)
    az.flags.writeable = False
    return az


def geodesic_ring(lon, lat, range_km, n_points: int = 360) -> np.ndarray:
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

    Returns
    -------
    numpy.ndarray
        Shape ``(n_points, 2)``: ``(lon, lat)`` in degrees, lon in [-180, 180]. Vertex
        ``i`` lies at azimuth ``i * 360 / n_points`` degrees (clockwise from north)
        and at exactly ``range_km`` along the geodesic from the centre, so the ring
        runs clockwise around the centre. Not closed.

    Raises
    ------
    ValueError
        For a non-finite or out-of-range centre, radius or vertex count.

    Notes
    -----
    One vectorised ``pyproj.Geod(ellps="WGS84").fwd`` call (Karney's algorithm, as
    in GeographicLib); the positions are exact to well under a millimetre.
    """
    lon, lat = check_lon_lat(lon, lat)
    r_m = check_range_km(range_km) * 1000.0
    n = check_n_points(n_points)
    # inplace: the arrays are ours, so pyproj writes into them instead of copying four in
    # and three out (a third of the time of a 360-point ring).
    lons, lats = np.full(n, lon), np.full(n, lat)
    GEOD.fwd(lons, lats, _azimuths(n).copy(), np.full(n, r_m), inplace=True)
    return np.column_stack((lons, lats))


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
