"""Geodesic range rings and territory envelopes on the WGS84 ellipsoid.

No Streamlit here. Units everywhere: longitude and latitude in degrees (WGS84),
distances in kilometres (``*_km``) unless a name says metres (``*_m``).

One computed ring, two renderers
--------------------------------
A *ring* is an ``(n, 2)`` array of ``(lon, lat)`` vertices, not closed (the first
vertex is not repeated), in **clockwise** order: the area it encloses lies on its
right-hand side, as seen from above the ellipsoid. :func:`geodesic_ring` returns the
vertices in increasing-azimuth order, which is exactly that. The same convention is
used by d3 and therefore by plotly's geo traces, where it is the only unambiguous way
to say which side of a ring on a sphere is "inside".

From that one ring:

* **plotly** (``Scattergeo``, the static exports): draw the raw ring, closed, in its
  clockwise order, with ``fill="toself"`` and ``line.width=0``; d3 clips it at the
  antimeridian and around the poles itself (:mod:`dashboard.geo.rings` hands the rings
  over as the features' ``rings`` member). Draw the outline as a separate line trace,
  because the fill's stroke would also trace the map's clip edge. Never feed plotly
  the GeoJSON from :func:`ring_polygon`: its pole-closing edges are meant for flat maps.
* **pydeck** (``PolygonLayer``/``GeoJsonLayer`` with ``filled=True,
  stroked=False``): use the GeoJSON geometry from :func:`ring_polygon` /
  :func:`polygons_geometry`. It is split at the
  antimeridian (RFC 7946 §3.1.9) and, when the ring encloses a pole, closed along
  the map edge at that pole (latitude exactly +-90; deck.gl clamps latitudes near the
  poles when projecting to Web Mercator, whose map ends at +-85.05, so the closing
  edge is never on screen). Draw outlines with a ``PathLayer`` over
  :func:`outline_paths`, which are split at the antimeridian and leave out the
  artificial seam and pole edges.
* point-in-polygon (:func:`contains`) works on the GeoJSON geometry, in plain
  lon/lat, because the split and pole-closing make it an ordinary planar polygon.

GeoJSON winding: exterior rings counter-clockwise, holes clockwise (RFC 7946
§3.1.6, planar lon/lat sense). Polygon edges are straight in lon/lat; before building
the GeoJSON, ring edges longer than ``MAX_SEGMENT_DEG`` in longitude or latitude are
densified along the geodesic so that straight lon/lat edges stay close to it (this
matters only near the poles).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import pyproj
import shapely
from shapely.geometry import Polygon, box, shape
from shapely.geometry.polygon import orient

__all__ = [
    "ENVELOPE_MAX_RANGE_KM",
    "ENVELOPE_MAX_REACH_KM",
    "MAX_RANGE_KM",
    "MAX_SEGMENT_DEG",
    "MIN_RING_POINTS",
    "POLE_EDGE_LAT",
    "contains",
    "envelope_polygons",
    "geodesic_distance_km",
    "geodesic_ring",
    "outline_paths",
    "polygons_geometry",
    "ring_polygon",
]

GEOD = pyproj.Geod(ellps="WGS84")

#: Largest accepted ring radius, km: half the WGS84 equatorial circumference
#: (pi * 6378.137 km = 20,037.508 km), rounded down. No two points on the ellipsoid
#: are farther apart along the shortest geodesic (the meridional maximum is
#: 20,003.93 km); a radius above a centre's actual maximum still yields a ring (the
#: points pyproj reaches along each azimuth), but it is no longer an equidistant set.
MAX_RANGE_KM = 20037.5
#: Fewest vertices accepted for a ring.
MIN_RING_POINTS = 8
#: Latitude (degrees) of the map edge along which pole-enclosing polygons are closed.
POLE_EDGE_LAT = 90.0
#: Longest ring edge, in degrees of longitude or of latitude, kept as a straight
#: lon/lat edge in GeoJSON output; longer edges are densified along the geodesic.
MAX_SEGMENT_DEG = 1.0
#: Limit for :func:`envelope_polygons`: the farthest border vertex from the outline's
#: centre plus ``range_km`` must not exceed this (km), so that the union is done well
#: away from the antipode of the projection centre.
ENVELOPE_MAX_REACH_KM = 15000.0
#: Limit for :func:`envelope_polygons`' ``range_km`` (km): perpendiculars to a
#: geodesic meet about a quarter meridian (~10,000 km) away.
ENVELOPE_MAX_RANGE_KM = 9000.0
#: Largest chord error (km) allowed on the arcs around outline corners in the envelope.
ENVELOPE_ARC_TOLERANCE_KM = 0.1

_SPHERE_RADIUS_M = 6371008.8  # mean Earth radius, only for the envelope's working plane
_WORLD = box(-180.0, -POLE_EDGE_LAT, 180.0, POLE_EDGE_LAT)


# --------------------------------------------------------------------------- validation


def _real(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    x = float(value)
    if not math.isfinite(x):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return x


def _lon_lat(lon, lat) -> tuple[float, float]:
    lon = _real("lon", lon)
    lat = _real("lat", lat)
    if not -180.0 <= lon <= 180.0:
        raise ValueError(f"lon must be within [-180, 180] degrees, got {lon!r}")
    if not -90.0 <= lat <= 90.0:
        raise ValueError(f"lat must be within [-90, 90] degrees, got {lat!r}")
    return lon, lat


def _range_km(range_km, upper: float = MAX_RANGE_KM) -> float:
    r = _real("range_km", range_km)
    if not 0.0 < r <= upper:
        raise ValueError(f"range_km must be > 0 and <= {upper:,} km, got {range_km!r}")
    return r


def _n_points(n_points) -> int:
    if isinstance(n_points, bool) or not isinstance(n_points, numbers.Integral):
        raise ValueError(f"n_points must be an integer, got {n_points!r}")
    n = int(n_points)
    if n < MIN_RING_POINTS:
        raise ValueError(f"n_points must be >= {MIN_RING_POINTS}, got {n}")
    return n


def _as_ring(ring_lonlat, name: str = "ring") -> np.ndarray:
    """Validated float copy of a ring, without a repeated closing vertex."""
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


def _lonlat_arrays(lon, lat) -> tuple[np.ndarray, np.ndarray]:
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


def _wrap(lon):
    """Longitude(s) wrapped into [-180, 180) degrees."""
    return (np.asarray(lon, dtype=float) + 180.0) % 360.0 - 180.0


# --------------------------------------------------------------------------- rings


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
    lon, lat = _lon_lat(lon, lat)
    r_m = _range_km(range_km) * 1000.0
    n = _n_points(n_points)
    # inplace: the arrays are ours, so pyproj writes into them instead of copying four in
    # and three out (a third of the time of a 360-point ring).
    lons, lats = np.full(n, lon), np.full(n, lat)
    GEOD.fwd(lons, lats, _azimuths(n).copy(), np.full(n, r_m), inplace=True)
    return np.column_stack((lons, lats))


# --------------------------------------------------------------------------- ring -> GeoJSON


def _densify_ring(ring: np.ndarray, max_deg: float = MAX_SEGMENT_DEG) -> np.ndarray:
    """Insert geodesic points so no edge spans more than ``max_deg`` in lon or lat."""
    lon1, lat1 = ring[:, 0], ring[:, 1]
    lon2, lat2 = np.roll(lon1, -1), np.roll(lat1, -1)
    span = np.maximum(np.abs(_wrap(lon2 - lon1)), np.abs(lat2 - lat1))
    k = np.maximum(1, np.ceil(span / max_deg - 1e-9)).astype(np.int64)
    extra = k - 1
    if not extra.any():
        return ring
    sel = np.flatnonzero(extra)
    az, _, dist = GEOD.inv(lon1[sel], lat1[sel], lon2[sel], lat2[sel])
    az, dist = np.asarray(az), np.asarray(dist)
    counts = extra[sel]
    seg = np.repeat(np.arange(len(sel)), counts)
    step = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts) + 1
    frac = step / k[sel][seg]
    ins_lon, ins_lat, _ = GEOD.fwd(lon1[sel][seg], lat1[sel][seg], az[seg], dist[seg] * frac)
    start = np.arange(len(ring)) + np.concatenate(([0], np.cumsum(extra)[:-1]))
    out = np.empty((len(ring) + int(extra.sum()), 2))
    out[start] = ring
    pos = start[sel][seg] + step
    out[pos, 0] = ins_lon
    out[pos, 1] = ins_lat
    return out


def _unwrapped_path(ring: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Closed path with continuous longitudes, antimeridian crossings inserted.

    Returns ``x, y, winding``: ``x`` may leave [-180, 180]; ``x[-1] = x[0] + 360 *
    winding``; every crossing of a seam ``x = 180 + 360 k`` is a vertex exactly on it.
    """
    lon, lat = ring[:, 0], ring[:, 1]
    d = _wrap(np.diff(lon, append=lon[0]))
    total = float(d.sum())
    winding = int(round(total / 360.0))
    if abs(total - 360.0 * winding) > 1e-6:
        raise ValueError("ring longitudes do not close")  # pragma: no cover - arithmetic guard
    if abs(winding) > 1:
        raise ValueError("ring winds around a pole more than once; it is not a simple ring")
    x = lon[0] + np.concatenate(([0.0], np.cumsum(d)))
    x[-1] = x[0] + 360.0 * winding  # exact
    y = np.append(lat, lat[0])
    strip = np.floor((x + 180.0) / 360.0)
    cross = np.flatnonzero(strip[1:] != strip[:-1])
    if len(cross):
        seam = -180.0 + 360.0 * np.maximum(strip[cross], strip[cross + 1])
        xa, xb, ya, yb = x[cross], x[cross + 1], y[cross], y[cross + 1]
        inner = (seam != xa) & (seam != xb)
        cross, seam = cross[inner], seam[inner]
        xa, xb, ya, yb = xa[inner], xb[inner], ya[inner], yb[inner]
        ys = ya + (yb - ya) * (seam - xa) / (xb - xa)
        x = np.insert(x, cross + 1, seam)
        y = np.insert(y, cross + 1, ys)
    return x, y, winding


def _on_seam(x: np.ndarray) -> np.ndarray:
    return np.mod(x + 180.0, 360.0) == 0.0


def _fold(region) -> list[Polygon]:
    """Cut a planar region (lon may leave [-180, 180]) into pieces inside the map."""
    minx, _, maxx, _ = region.bounds
    pieces: list[Polygon] = []
    for k in range(int(math.floor((minx + 180.0) / 360.0)), int(math.floor((maxx + 180.0) / 360.0)) + 1):
        part = region.intersection(box(-180.0 + 360.0 * k, -POLE_EDGE_LAT, 180.0 + 360.0 * k, POLE_EDGE_LAT))
        if k:
            part = shapely.transform(part, lambda c, dx=-360.0 * k: c + (dx, 0.0))
        pieces.extend(_polygons_of(part))
    return pieces


def _polygons_of(geom) -> list[Polygon]:
    if geom.is_empty:
        return []
    if isinstance(geom, Polygon):
        return [geom] if geom.area > 0 else []
    if hasattr(geom, "geoms"):
        return [p for g in geom.geoms for p in _polygons_of(g)]
    return []


def _valid(poly: Polygon):
    return poly if poly.is_valid else shapely.make_valid(poly)


def _ring_region(ring: np.ndarray):
    """Planar lon/lat region (shapely) on the right of a clockwise ring."""
    x, y, winding = _unwrapped_path(_densify_ring(ring))
    if winding:
        # Encloses one pole. Start at a seam vertex, run once around (360 degrees of
        # longitude) from +180 to -180 (westward: north pole) or from -180 to +180
        # (eastward: south pole), then close along the map edge at that pole.
        first = int(np.flatnonzero(_on_seam(x))[0])
        xs = np.concatenate((x[first:], x[1 : first + 1] + 360.0 * winding))
        ys = np.concatenate((y[first:], y[1 : first + 1]))
        start = -180.0 if winding > 0 else 180.0
        xs = xs + (start - xs[0])
        xs[0], xs[-1] = start, -start
        edge = -POLE_EDGE_LAT if winding > 0 else POLE_EDGE_LAT
        xs = np.append(xs, [-start, start])
        ys = np.append(ys, [edge, edge])
        return shapely.union_all(_fold(_valid(Polygon(np.column_stack((xs, ys))))))
    shoelace = float(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1]))
    pieces = _fold(_valid(Polygon(np.column_stack((x, y)))))
    if shoelace < 0:  # clockwise in the plane: the region it bounds
        return shapely.union_all(pieces)
    # Counter-clockwise in the plane with no pole inside: the area on its right is
    # the rest of the globe (the ring encloses both poles), e.g. a radius beyond
    # about 10,000 km from a mid-latitude centre.
    return _WORLD.difference(shapely.union_all(pieces))


def _to_geojson(region) -> dict:
    polys = [orient(p, sign=1.0) for p in _polygons_of(region)]
    if not polys:
        raise ValueError("the ring encloses no area")

    def coords(p: Polygon) -> list:
        return [np.asarray(p.exterior.coords).tolist()] + [np.asarray(h.coords).tolist() for h in p.interiors]

    if len(polys) == 1:
        return {"type": "Polygon", "coordinates": coords(polys[0])}
    return {"type": "MultiPolygon", "coordinates": [coords(p) for p in polys]}


def ring_polygon(ring_lonlat, holes: Sequence = ()) -> dict:
    """GeoJSON geometry (RFC 7946) of the area enclosed by a clockwise ring.

    Parameters
    ----------
    ring_lonlat : array_like, shape (n, 2)
        ``(lon, lat)`` vertices in degrees, clockwise around the area (the area is on
        the right of the path; :func:`geodesic_ring` output is in this order).
        Closed or not. Consecutive vertices are joined by the shorter way around in
        longitude (edges never span 180 degrees or more).
    holes : sequence of array_like, optional
        Rings, each clockwise around an area to cut out.

    Returns
    -------
    dict
        ``{"type": "Polygon" | "MultiPolygon", "coordinates": ...}`` in degrees:

        * lon in [-180, 180], lat in [-90, 90]; every ring closed;
        * split at the antimeridian (RFC 7946 §3.1.9): no edge crosses it, the cut
          lies exactly on lon = +-180, one part per side;
        * a ring around a pole is closed along lat = +-``POLE_EDGE_LAT`` (90), the
          map edge at that pole, giving one polygon spanning all longitudes;
        * a ring that encloses both poles (the area to its right contains them)
          becomes the whole map minus the part outside the ring;
        * exterior rings counter-clockwise and holes clockwise in the lon/lat plane
          (RFC 7946 §3.1.6).

    Raises
    ------
    ValueError
        If a ring is malformed (shape, non-finite, out of range, fewer than 3
        distinct vertices, winding more than once around a pole).
    """
    region = _ring_region(_as_ring(ring_lonlat))
    for i, hole in enumerate(holes):
        region = region.difference(_ring_region(_as_ring(hole, name=f"holes[{i}]")))
    return _to_geojson(region)


def polygons_geometry(parts) -> dict:
    """One GeoJSON geometry for several ``(exterior, holes)`` parts.

    Parameters
    ----------
    parts : sequence of (array_like, sequence of array_like)
        Clockwise rings in degrees, as :func:`geodesic_ring` (one part, no holes) or
        :func:`envelope_polygons` return them.

    Returns
    -------
    dict
        :func:`ring_polygon` of the one part, or a ``MultiPolygon`` of every part's
        polygons (the parts are disjoint).
    """
    geoms = [ring_polygon(ext, holes) for ext, holes in parts]
    if len(geoms) == 1:
        return geoms[0]
    polys = []
    for geom in geoms:
        polys += [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
    return {"type": "MultiPolygon", "coordinates": polys}


# --------------------------------------------------------------------------- outlines


def _geometry_polygons(geometry) -> list[list]:
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


def _artificial(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Edges lying on the antimeridian seam or along a pole edge."""
    seam = (np.abs(a[:, 0]) == 180.0) & (a[:, 0] == b[:, 0])
    pole = (np.abs(a[:, 1]) == POLE_EDGE_LAT) & (a[:, 1] == b[:, 1])
    return seam | pole


def _runs(ring: np.ndarray) -> list[np.ndarray]:
    """Closed ring (first == last) minus its artificial edges, as line strings."""
    a, b = ring[:-1], ring[1:]
    art = _artificial(a, b)
    if not art.any():
        return [ring]
    first = int(np.flatnonzero(art)[0])
    order = (np.arange(len(a)) + first + 1) % len(a)  # start right after an artificial edge
    paths, current = [], []
    for i in order:
        if art[i]:
            if len(current) >= 2:
                paths.append(np.array(current))
            current = []
            continue
        if not current:
            current.append(a[i])
        current.append(b[i])
    if len(current) >= 2:
        paths.append(np.array(current))
    return paths


def outline_paths(geometry_or_ring) -> list[np.ndarray]:
    """Line strings for drawing an outline, split at the antimeridian.

    Parameters
    ----------
    geometry_or_ring : dict or array_like
        Either a GeoJSON Polygon/MultiPolygon (e.g. from :func:`ring_polygon`): every
        ring's edges except the artificial ones (on the lon = +-180 seam or along the
        pole edge) are returned; or a ring, ``(n, 2)`` degrees: it is closed, edges
        longer than ``MAX_SEGMENT_DEG`` are densified along the geodesic, and it is
        cut at every antimeridian crossing.

    Returns
    -------
    list of numpy.ndarray
        Each ``(m, 2)`` ``(lon, lat)`` degrees, lon in [-180, 180], no edge crossing
        the antimeridian. For a pydeck ``PathLayer`` (``get_path``) or plotly lines.
    """
    if isinstance(geometry_or_ring, dict):
        paths: list[np.ndarray] = []
        for poly in _geometry_polygons(geometry_or_ring):
            for ring in poly:
                arr = np.asarray(ring, dtype=float)
                if arr.ndim != 2 or arr.shape[1] < 2 or len(arr) < 2:
                    raise ValueError("every ring must be a list of [lon, lat] positions")
                arr = arr[:, :2]
                if not (arr[0] == arr[-1]).all():
                    arr = np.vstack((arr, arr[:1]))
                paths.extend(_runs(arr))
        return paths
    x, y, winding = _unwrapped_path(_densify_ring(_as_ring(geometry_or_ring)))
    pts = np.column_stack((x, y))
    cuts = np.flatnonzero(_on_seam(x))
    if len(cuts) and cuts[0] == 0:  # starts (and so ends) on the seam
        pieces = [pts[a : b + 1] for a, b in zip(cuts[:-1], cuts[1:])]
    elif len(cuts):
        pieces = [pts[a : b + 1] for a, b in zip(cuts[:-1], cuts[1:])]
        tail = pts[cuts[-1] :]
        head = pts[: cuts[0] + 1] + (360.0 * winding, 0.0)
        pieces.append(np.vstack((tail, head[1:])))
    else:
        pieces = [pts]
    out = []
    for piece in pieces:
        k = math.floor((0.5 * (piece[:, 0].min() + piece[:, 0].max()) + 180.0) / 360.0)
        shifted = piece - (360.0 * k, 0.0)
        shifted[:, 0] = np.clip(shifted[:, 0], -180.0, 180.0)
        out.append(shifted)
    return out


# --------------------------------------------------------------------------- distances


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
    lon1, lat1 = _lonlat_arrays(lon1, lat1)
    lon2, lat2 = _lonlat_arrays(lon2, lat2)
    try:
        arrays = np.broadcast_arrays(lon1, lat1, lon2, lat2)
    except ValueError:
        raise ValueError("the two point sets have shapes that do not broadcast") from None
    shp = arrays[0].shape
    flat = [np.ascontiguousarray(a, dtype=float).ravel() for a in arrays]
    _, _, dist = GEOD.inv(*flat)
    km = np.asarray(dist, dtype=float).reshape(shp) / 1000.0
    return float(km) if km.ndim == 0 else km


def contains(geometry: dict, lon, lat) -> np.ndarray:
    """Which points lie inside a GeoJSON Polygon/MultiPolygon (boundary counts).

    Parameters
    ----------
    geometry : dict
        GeoJSON ``Polygon`` or ``MultiPolygon`` in degrees, as made by
        :func:`ring_polygon` (split at the antimeridian, pole-closed) or any
        ordinary lon/lat polygon such as a country.
    lon, lat : float or array_like
        Points, degrees; broadcast. Longitudes are wrapped into [-180, 180]; a point
        on lon = +-180 is tested on both sides of the seam.

    Returns
    -------
    numpy.ndarray of bool
        The broadcast shape of ``lon`` and ``lat``.
    """
    polys = _geometry_polygons(geometry)
    try:
        geom = shape({"type": "MultiPolygon", "coordinates": polys})
    except Exception as exc:  # shapely raises several types for malformed input
        raise ValueError(f"geometry coordinates are malformed: {exc}") from None
    lon, lat = _lonlat_arrays(lon, lat)
    x = _wrap(lon)
    shapely.prepare(geom)
    inside = shapely.intersects_xy(geom, x, lat)
    seam = x == -180.0
    if seam.any():
        inside = inside | (seam & shapely.intersects_xy(geom, np.full(x.shape, 180.0), lat))
    return np.asarray(inside, dtype=bool)


# --------------------------------------------------------------------------- envelope


class _Plane:
    """Spherical azimuthal equidistant map centred on (lon0, lat0), metres.

    Only a working plane for the planar union: every output vertex is computed on
    the ellipsoid first and mapped back exactly (forward and inverse are inverse to
    each other to ~1e-9 m), so the sphere's approximation never reaches the result.
    """

    def __init__(self, lon0: float, lat0: float):
        self.l0 = math.radians(lon0)
        self.p0 = math.radians(lat0)
        self.s0, self.c0 = math.sin(self.p0), math.cos(self.p0)

    def forward(self, lon, lat):
        p, dl = np.radians(lat), np.radians(lon) - self.l0
        sp, cp, cdl = np.sin(p), np.cos(p), np.cos(dl)
        east = cp * np.sin(dl)
        north = self.c0 * sp - self.s0 * cp * cdl
        sin_c = np.hypot(east, north)
        c = np.arctan2(sin_c, self.s0 * sp + self.c0 * cp * cdl)
        scale = _SPHERE_RADIUS_M * np.where(sin_c > 1e-15, c / np.maximum(sin_c, 1e-300), 1.0)
        return scale * east, scale * north

    def inverse(self, x, y):
        c = np.hypot(x, y) / _SPHERE_RADIUS_M
        az = np.arctan2(x, y)
        sc, cc = np.sin(c), np.cos(c)
        lat = np.arcsin(np.clip(self.s0 * cc + self.c0 * sc * np.cos(az), -1.0, 1.0))
        lon = self.l0 + np.arctan2(np.sin(az) * sc * self.c0, cc - self.s0 * np.sin(lat))
        return _wrap(np.degrees(lon)), np.degrees(lat)


def _outline_rings(outline) -> list[tuple[np.ndarray, bool]]:
    rings = []
    for poly in _geometry_polygons(outline):
        for i, ring in enumerate(poly):
            arr = np.asarray(ring, dtype=float)
            if arr.ndim != 2 or arr.shape[1] < 2:
                raise ValueError("every outline ring must be a list of [lon, lat] positions")
            arr = arr[:, :2]
            if not np.isfinite(arr).all() or (np.abs(arr[:, 0]) > 180).any() or (np.abs(arr[:, 1]) > 90).any():
                raise ValueError("outline coordinates must be finite lon in [-180, 180], lat in [-90, 90]")
            if len(arr) > 1 and (arr[0] == arr[-1]).all():
                arr = arr[:-1]
            keep = np.ones(len(arr), dtype=bool)
            keep[1:] = (np.diff(arr, axis=0) != 0).any(axis=1)
            arr = arr[keep]
            if len(arr) >= 3:
                rings.append((arr, i > 0))
    if not rings:
        raise ValueError("outline has no ring with 3 or more distinct vertices")
    return rings


def _centre(points: np.ndarray) -> tuple[float, float]:
    lon, lat = np.radians(points[:, 0]), np.radians(points[:, 1])
    v = np.column_stack((np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat))).mean(axis=0)
    if np.linalg.norm(v) < 1e-9:
        raise ValueError("outline has no well-defined centre (it surrounds the globe)")
    return math.degrees(math.atan2(v[1], v[0])), math.degrees(math.atan2(v[2], math.hypot(v[0], v[1])))


def _densify_border(ring: np.ndarray, step_m: float):
    """Border points along geodesic edges, with the azimuth leaving and reaching each.

    Returns ``pts (m, 2), az_out (m,), az_in (m,)``: ``az_out[i]`` is the forward
    azimuth at ``pts[i]`` towards ``pts[i+1]``, ``az_in[i]`` the forward azimuth at
    ``pts[i]`` on arrival from ``pts[i-1]`` (cyclic), degrees.
    """
    a = ring
    b = np.roll(ring, -1, axis=0)
    az12, az21, dist = GEOD.inv(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
    az12, az21, dist = np.asarray(az12), np.asarray(az21), np.asarray(dist)
    k = np.maximum(1, np.ceil(dist / step_m)).astype(np.int64)
    seg = np.repeat(np.arange(len(a)), k)
    j = np.arange(int(k.sum())) - np.repeat(np.cumsum(k) - k, k)  # 0..k-1 within an edge
    # points j = 1..k along each edge (j = k is the next vertex), with their back azimuths
    lon_j, lat_j, back_j = GEOD.fwd(a[seg, 0], a[seg, 1], az12[seg], dist[seg] * (j + 1) / k[seg])
    fwd_at_next = np.asarray(back_j) + 180.0  # forward azimuth on arrival at point j+1
    pts = a[seg].copy()
    interior = j > 0
    pts[interior, 0] = np.asarray(lon_j)[np.flatnonzero(interior) - 1]
    pts[interior, 1] = np.asarray(lat_j)[np.flatnonzero(interior) - 1]
    az_out = np.where(interior, np.roll(fwd_at_next, 1), az12[seg])
    is_last = j == k[seg] - 1
    arrive = np.where(is_last, az21[seg] + 180.0, fwd_at_next)  # arrival az at the next point
    az_in = np.roll(arrive, 1)
    return pts, _wrap(az_out), _wrap(az_in)


def envelope_polygons(outline: dict, range_km, densify_km=10, n_points: int = 90) -> list[tuple[np.ndarray, list[np.ndarray]]]:
    """Rings of the territory envelope: all points within ``range_km`` of the outline.

    Parameters
    ----------
    outline : dict
        GeoJSON ``Polygon`` or ``MultiPolygon`` in degrees (e.g. a country, see
        :func:`dashboard.geo.basemap.country_outline`). Its edges are taken as geodesics.
    range_km : float
        Geodesic distance, km; ``0 < range_km <= 9,000`` and the outline's farthest
        vertex from its centre plus ``range_km`` at most ``ENVELOPE_MAX_REACH_KM``.
    densify_km : float, optional
        Spacing (km) of the points placed along the border. Default 10.
    n_points : int, optional
        Fewest vertices per full turn on the arcs around convex corners (>= 8); more
        are used when needed to keep each arc chord within
        ``ENVELOPE_ARC_TOLERANCE_KM`` (100 m) of the true arc. Default 90.

    Returns
    -------
    list of (numpy.ndarray, list of numpy.ndarray)
        One ``(exterior, holes)`` pair per separate part. Every ring is ``(n, 2)``
        ``(lon, lat)`` degrees, not closed, **clockwise around the area it encloses**
        (exteriors around the envelope, holes around the out-of-range pockets), the
        order :func:`ring_polygon` and :func:`polygons_geometry` take.

    Notes
    -----
    The envelope is the union of the geodesic circles of radius ``range_km`` around
    every border point, together with the outline. Each point outside the outline
    belongs to the circle of its nearest border point, and lies either on the
    geodesic perpendicular to a border edge or, for a convex corner, within the fan
    between the two edges' perpendiculars. So the union is built from exactly those
    parts of the circles: for every border segment (the border densified every
    ``densify_km``), the quadrilateral spanned by the segment and its two endpoints
    moved ``range_km`` along the outward perpendicular (``Geod.fwd``); for every
    convex corner, the arc fan between the two perpendiculars. The pieces and the
    outline are unioned with shapely in an azimuthal equidistant plane centred on
    the outline; every vertex of the result is either an exact ``Geod.fwd`` point at
    ``range_km`` from its border point or a crossing of two such chords, within
    about 0.1 km of the true boundary for ``densify_km <= 10``.
    """
    r_km = _range_km(range_km, ENVELOPE_MAX_RANGE_KM)
    step_km = _real("densify_km", densify_km)
    if step_km <= 0:
        raise ValueError(f"densify_km must be > 0, got {densify_km!r}")
    n = _n_points(n_points)
    rings = _outline_rings(outline)
    everything = np.vstack([r for r, _ in rings])
    lon0, lat0 = _centre(everything)
    reach = float(np.max(geodesic_distance_km(lon0, lat0, everything[:, 0], everything[:, 1]))) + r_km
    if reach > ENVELOPE_MAX_REACH_KM:
        raise ValueError(
            f"outline radius plus range_km is {reach:,.0f} km; at most {ENVELOPE_MAX_REACH_KM:,.0f} km is supported"
        )
    plane = _Plane(lon0, lat0)
    r_m = r_km * 1000.0
    arc_step = min(360.0 / n, 2.0 * math.degrees(math.acos(max(-1.0, 1.0 - ENVELOPE_ARC_TOLERANCE_KM / r_km))))

    bases, azims, plans = [], [], []
    count = 0
    for ring, is_hole in rings:
        px, py = plane.forward(ring[:, 0], ring[:, 1])
        area = float(np.dot(px, np.roll(py, -1)) - np.dot(np.roll(px, -1), py))
        # the outline's inside must be on the left: exteriors CCW, holes CW (plane)
        if (area < 0) != is_hole:
            ring = ring[::-1]
        pts, az_out, az_in = _densify_border(ring, step_km * 1000.0)
        m = len(pts)
        turn = _wrap(az_out - az_in)  # < 0: left turn = convex corner
        corners = np.flatnonzero(np.abs(turn) > 1e-7)
        if not len(corners):
            corners = np.array([0])
        # offsets to the right (outward): along the outgoing perpendicular at every
        # point, and along the incoming one at corners
        out_idx = count + np.arange(m)
        bases.append(pts)
        azims.append(az_out + 90.0)
        count += m
        in_idx = out_idx.copy()
        in_idx[corners] = count + np.arange(len(corners))
        bases.append(pts[corners])
        azims.append(az_in[corners] + 90.0)
        count += len(corners)
        # fans on convex corners, from the incoming to the outgoing perpendicular
        fans = []
        for c in np.flatnonzero(turn < -1e-7):
            steps = int(math.ceil(-turn[c] / arc_step))
            mids = []
            if steps > 1:
                bases.append(np.repeat(pts[c : c + 1], steps - 1, axis=0))
                azims.append(az_in[c] + 90.0 + turn[c] * np.arange(1, steps) / steps)
                mids = list(range(count, count + steps - 1))
                count += steps - 1
            fans.append((c, [in_idx[c], *mids, out_idx[c]]))
        plans.append((pts, corners, out_idx, in_idx, fans, is_hole))

    base = np.vstack(bases)
    lon_o, lat_o, _ = GEOD.fwd(base[:, 0], base[:, 1], np.concatenate(azims), np.full(len(base), r_m))
    ox, oy = plane.forward(np.asarray(lon_o), np.asarray(lat_o))
    off = np.column_stack((ox, oy))

    pieces, shells, holes = [], [], []
    for pts, corners, out_idx, in_idx, fans, is_hole in plans:
        bx, by = plane.forward(pts[:, 0], pts[:, 1])
        b = np.column_stack((bx, by))
        m = len(b)
        # one strip per run of border between two corners: the border points, then
        # their offsets back (the outline's border is straight there: one geodesic)
        for k, c0 in enumerate(corners):
            c1 = corners[(k + 1) % len(corners)]
            run = np.arange(c0, c0 + ((c1 - c0) % m or m) + 1) % m
            outer = np.append(out_idx[run[:-1]], in_idx[run[-1]])
            pieces.append(Polygon(np.vstack((b[run], off[outer[::-1]]))))
        pieces.extend(Polygon(np.vstack((b[c], off[idx]))) for c, idx in fans)
        # the outline itself, through the same border points as the strips' inner edges
        (holes if is_hole else shells).append(Polygon(b))
    body = shapely.union_all(shells)
    if holes:
        body = body.difference(shapely.union_all(holes))
    pieces = np.array([*pieces, body], dtype=object)
    bad = ~shapely.is_valid(pieces)
    if bad.any():
        pieces[bad] = shapely.make_valid(pieces[bad])
    everything_union = shapely.union_all(pieces)

    out = []
    for poly in _polygons_of(everything_union):
        # drop slivers (< 1 km2) left where piece edges run along each other
        poly = Polygon(poly.exterior, [h for h in poly.interiors if Polygon(h).area > 1e6])
        poly = orient(poly, sign=-1.0)  # exterior clockwise, holes counter-clockwise
        ext = np.asarray(poly.exterior.coords)[:-1]
        lon_e, lat_e = plane.inverse(ext[:, 0], ext[:, 1])
        hole_rings = []
        for h in poly.interiors:
            hc = np.asarray(h.coords)[:-1][::-1]  # clockwise around the hole
            lon_h, lat_h = plane.inverse(hc[:, 0], hc[:, 1])
            hole_rings.append(np.column_stack((lon_h, lat_h)))
        out.append((np.column_stack((lon_e, lat_e)), hole_rings))
    return out
