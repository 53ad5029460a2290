"""Input checks shared by the geo modules (geodesic, antimeridian, envelope), and longitude wrapping (no Streamlit).

Every check raises ``ValueError`` with a one-line message naming the bad input.
Units: degrees for longitude and latitude, kilometres for ``range_km``.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

#: Largest accepted ring radius, km: half the WGS84 equatorial circumference
#: (pi * 6378.137 km = 20,037.508 km), rounded down. No two points on the ellipsoid
#: are farther apart along the shortest geodesic (the meridional maximum is
#: 20,003.93 km); a radius above a centre's actual maximum still yields a ring (the
#: points pyproj reaches along each azimuth), but it is no longer an equidistant set.
MAX_RANGE_KM = 20037.5
#: Fewest vertices accepted for a ring.
MIN_RING_POINTS = 8


def wrap_lon(lon):
    """Longitude(s), degrees, wrapped into [-180, 180)."""
    return (np.asarray(lon, dtype=float) + 180.0) % 360.0 - 180.0


def check_real(name: str, value) -> float:
    """``value`` as a finite float (bools and strings refused)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    x = float(value)
    if not math.isfinite(x):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return x


def check_lon_lat(lon, lat) -> tuple[float, float]:
    """A point, degrees: ``-180 <= lon <= 180``, ``-90 <= lat <= 90``."""
    lon = check_real("lon", lon)
    lat = check_real("lat", lat)
    if not -180.0 <= lon <= 180.0:
        raise ValueError(f"lon must be within [-180, 180] degrees, got {lon!r}")
    if not -90.0 <= lat <= 90.0:
        raise ValueError(f"lat must be within [-90, 90] degrees, got {lat!r}")
    return lon, lat


def check_range_km(range_km, upper: float = MAX_RANGE_KM) -> float:
    """A radius in km, ``0 < range_km <= upper``."""
    r = check_real("range_km", range_km)
    if not 0.0 < r <= upper:
        raise ValueError(f"range_km must be > 0 and <= {upper:,} km, got {range_km!r}")
    return r


def check_n_points(n_points) -> int:
    """A vertex count, an integer ``>= MIN_RING_POINTS``."""
    if isinstance(n_points, bool) or not isinstance(n_points, numbers.Integral):
        raise ValueError(f"n_points must be an integer, got {n_points!r}")
    n = int(n_points)
    if n < MIN_RING_POINTS:
        raise ValueError(f"n_points must be >= {MIN_RING_POINTS}, got {n}")
    return n


def check_ring(ring_lonlat, name: str = "ring") -> np.ndarray:
    """Float copy of an ``(n, 2)`` lon/lat ring (degrees), without a repeated closing
    vertex or repeated consecutive vertices; at least 3 distinct vertices."""
    try:
        ring = np.array(ring_lonlat, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an (n, 2) array of lon/lat numbers") from None
    if ring.ndim != 2 or ring.shape[1] != 2:
        raise ValueError(f"{name} must have shape (n, 2), got {ring.shape}")
    if not np.isfinite(ring).all():
        raise ValueError(f"{name} has non-finite coordinates")
    if (np.abs(ring[:, 0]) > 180.0).any() or (np.abs(ring[:, 1]) > 90.0).any():
        raise ValueError(f"{name} has lon outside [-180, 180] or lat outside [-90, 90]")
    if len(ring) > 1 and (ring[0] == ring[-1]).all():
        ring = ring[:-1]
    keep = np.ones(len(ring), dtype=bool)
    keep[1:] = (np.diff(ring, axis=0) != 0).any(axis=1)
    ring = ring[keep]
    if len(ring) < 3:
        raise ValueError(f"{name} needs at least 3 distinct vertices, got {len(ring)}")
    return ring


def check_lonlat_arrays(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Points, degrees, as broadcast float arrays; finite, ``|lat| <= 90``."""
    try:
        lon = np.asarray(lon, dtype=float)
        lat = np.asarray(lat, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("lon and lat must be numbers or arrays of numbers") from None
    try:
        lon, lat = np.broadcast_arrays(lon, lat)
    except ValueError:
        raise ValueError(f"lon and lat shapes do not match: {lon.shape} vs {lat.shape}") from None
    if not (np.isfinite(lon).all() and np.isfinite(lat).all()):
        raise ValueError("lon and lat must be finite")
    if (np.abs(lat) > 90.0).any():
        raise ValueError("lat must be within [-90, 90] degrees")
    return lon, lat


def check_geojson_polygons(geometry) -> list[list]:
    """The polygons (each a list of rings) of a GeoJSON Polygon/MultiPolygon dict."""
    if not isinstance(geometry, dict):
        raise ValueError("geometry must be a GeoJSON geometry dict")
    kind = geometry.get("type")
    coords = geometry.get("coordinates")
    if kind == "Polygon":
        polys = [coords]
    elif kind == "MultiPolygon":
        polys = coords
    else:
        raise ValueError(f"geometry must be a GeoJSON Polygon or MultiPolygon, got {kind!r}")
    if not isinstance(polys, list) or not all(isinstance(p, list) and p for p in polys):
        raise ValueError("geometry coordinates must be non-empty lists of rings")
    return polys
