"""Rings as flat-map GeoJSON: split at the antimeridian, closed at the poles (no Streamlit).

Units: longitude and latitude in degrees (WGS84). Rings are clockwise ``(n, 2)``
lon/lat arrays (the area on their right), as :mod:`dashboard.geo.geodesic` and
:mod:`dashboard.geo.envelope` make them.

One computed ring, two renderers
--------------------------------
* **plotly** (``Scattergeo``, the static exports): draw the raw ring, closed, in its
  clockwise order, with ``fill="toself"`` and ``line.width=0``; d3 clips it at the
  antimeridian and around the poles itself (:mod:`dashboard.geo.rings` hands the rings
  over as the features' ``rings`` member). Draw the outline as a separate line trace,
  because the fill's stroke would also trace the map's clip edge. Never feed plotly
  the GeoJSON from :func:`ring_polygon`: its pole-closing edges are meant for flat maps.
* **pydeck** (``PolygonLayer``/``GeoJsonLayer`` with ``filled=True,
  stroked=False``): use the GeoJSON geometry from :func:`ring_polygon` /
  :func:`polygons_geometry`. It is split at the antimeridian (RFC 7946 §3.1.9) and,
  when the ring encloses a pole, closed along the map edge at that pole (latitude
  exactly +-90; deck.gl clamps latitudes near the poles when projecting to Web
  Mercator, whose map ends at +-85.05, so the closing edge is never on screen). Draw
  outlines with a ``PathLayer`` over :func:`outline_paths`, which are split at the
  antimeridian and leave out the artificial seam and pole edges.
* point-in-polygon (:func:`contains`) works on the GeoJSON geometry, in plain
  lon/lat, because the split and pole-closing make it an ordinary planar polygon.

GeoJSON winding: exterior rings counter-clockwise, holes clockwise (RFC 7946
§3.1.6, planar lon/lat sense). Polygon edges are straight in lon/lat, so no edge may
be longer than ``MAX_SEGMENT_DEG`` in longitude or latitude. A circle comes from
``geodesic_ring(..., max_step_deg=MAX_SEGMENT_DEG)`` already that dense, with its own
vertices on the antimeridian: every vertex of the GeoJSON and of the outline paths is
then a ``Geod.fwd`` point of the circle, except the two corners ``(+-180, +-90)`` that
close a pole-enclosing polygon along the map edge. Any other ring (an envelope) gets
the missing points on the geodesic between its vertices, and its antimeridian
crossings by linear interpolation between two vertices at most ``MAX_SEGMENT_DEG``
apart.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import shapely
from shapely.geometry import Polygon, box, shape
from shapely.geometry.polygon import orient

from dashboard.geo.checks import check_geojson_polygons, check_lonlat_arrays, check_ring, wrap_lon
from dashboard.geo.geodesic import GEOD, ring_steps_deg

__all__ = [
    "MAX_SEGMENT_DEG",
    "POLE_EDGE_LAT",
    "contains",
    "outline_paths",
    "polygons_geometry",
    "polygons_of",
    "ring_polygon",
]

#: Latitude (degrees) of the map edge along which pole-enclosing polygons are closed.
POLE_EDGE_LAT = 90.0
#: Longest ring edge, in degrees of longitude or of latitude, kept as a straight
#: lon/lat edge in GeoJSON output; longer edges are densified along the geodesic.
MAX_SEGMENT_DEG = 1.0

_WORLD = box(-180.0, -POLE_EDGE_LAT, 180.0, POLE_EDGE_LAT)


def _densify_ring(ring: np.ndarray, max_deg: float = MAX_SEGMENT_DEG) -> np.ndarray:
    """Insert points so no edge spans more than ``max_deg`` in lon or lat.

    The points lie on the geodesic between the edge's two vertices (for a circle,
    inside it: give :func:`~dashboard.geo.geodesic.geodesic_ring` ``max_step_deg``
    instead, so that nothing is left to insert here).
    """
    lon1, lat1 = ring[:, 0], ring[:, 1]
    lon2, lat2 = np.roll(lon1, -1), np.roll(lat1, -1)
    span = ring_steps_deg(lon1, lat1)
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
    d = wrap_lon(np.diff(lon, append=lon[0]))
    total = float(d.sum())
    winding = int(round(total / 360.0))
    if abs(total - 360.0 * winding) > 1e-6:
        raise ValueError("ring longitudes do not close")  # pragma: no cover - arithmetic guard
    if abs(winding) > 1:
        raise ValueError("ring winds around a pole more than once; it is not a simple ring")
    x = lon[0] + np.concatenate(([0.0], np.cumsum(d)))
    on = np.flatnonzero(np.abs(lon) == 180.0)
    if len(on):  # a vertex on the antimeridian stays exactly on a seam, whatever the sum's rounding
        x[on] = lon[on] + 360.0 * np.round((x[on] - lon[on]) / 360.0)
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
        pieces.extend(polygons_of(part))
    return pieces


def polygons_of(geom) -> list[Polygon]:
    """The non-empty polygons of a shapely geometry (any kind), as a list."""
    if geom.is_empty:
        return []
    if isinstance(geom, Polygon):
        return [geom] if geom.area > 0 else []
    if hasattr(geom, "geoms"):
        return [p for g in geom.geoms for p in polygons_of(g)]
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
    polys = [orient(p, sign=1.0) for p in polygons_of(region)]
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
    region = _ring_region(check_ring(ring_lonlat))
    for i, hole in enumerate(holes):
        region = region.difference(_ring_region(check_ring(hole, name=f"holes[{i}]")))
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
        longer than ``MAX_SEGMENT_DEG`` are densified along the geodesic (none for
        a ring from ``geodesic_ring(..., max_step_deg=MAX_SEGMENT_DEG)``), and it is
        cut at every antimeridian crossing.

    Returns
    -------
    list of numpy.ndarray
        Each ``(m, 2)`` ``(lon, lat)`` degrees, lon in [-180, 180], no edge crossing
        the antimeridian. For a pydeck ``PathLayer`` (``get_path``) or plotly lines.
    """
    if isinstance(geometry_or_ring, dict):
        paths: list[np.ndarray] = []
        for poly in check_geojson_polygons(geometry_or_ring):
            for ring in poly:
                arr = np.asarray(ring, dtype=float)
                if arr.ndim != 2 or arr.shape[1] < 2 or len(arr) < 2:
                    raise ValueError("every ring must be a list of [lon, lat] positions")
                arr = arr[:, :2]
                if not (arr[0] == arr[-1]).all():
                    arr = np.vstack((arr, arr[:1]))
                paths.extend(_runs(arr))
        return paths
    x, y, winding = _unwrapped_path(_densify_ring(check_ring(geometry_or_ring)))
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
    polys = check_geojson_polygons(geometry)
    try:
        geom = shape({"type": "MultiPolygon", "coordinates": polys})
    except Exception as exc:  # shapely raises several types for malformed input
        raise ValueError(f"geometry coordinates are malformed: {exc}") from None
    lon, lat = check_lonlat_arrays(lon, lat)
    x = wrap_lon(lon)
    shapely.prepare(geom)
    inside = shapely.intersects_xy(geom, x, lat)
    seam = x == -180.0
    if seam.any():
        inside = inside | (seam & shapely.intersects_xy(geom, np.full(x.shape, 180.0), lat))
    return np.asarray(inside, dtype=bool)
