"""Territory envelope: every point within a range of a country's outline (no Streamlit).

Units: longitude and latitude in degrees (WGS84), distances in kilometres (``*_km``)
unless a name says metres (``*_m``). The result is clockwise rings, as
:mod:`dashboard.geo.antimeridian` takes them for GeoJSON.
"""

from __future__ import annotations

import math

import numpy as np
import shapely
from shapely.geometry import Polygon
from shapely.geometry.polygon import orient

from dashboard.geo.antimeridian import polygons_of
from dashboard.geo.checks import check_geojson_polygons, check_n_points, check_range_km, check_real, wrap_lon
from dashboard.geo.geodesic import GEOD, geodesic_distance_km

__all__ = ["ENVELOPE_ARC_TOLERANCE_KM", "ENVELOPE_MAX_RANGE_KM", "ENVELOPE_MAX_REACH_KM", "envelope_polygons"]

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
        return wrap_lon(np.degrees(lon)), np.degrees(lat)


def _outline_rings(outline) -> list[tuple[np.ndarray, bool]]:
    rings = []
    for poly in check_geojson_polygons(outline):
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
    return pts, wrap_lon(az_out), wrap_lon(az_in)


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
        order :func:`~dashboard.geo.antimeridian.ring_polygon` and
        :func:`~dashboard.geo.antimeridian.polygons_geometry` take.

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
    r_km = check_range_km(range_km, ENVELOPE_MAX_RANGE_KM)
    step_km = check_real("densify_km", densify_km)
    if step_km <= 0:
        raise ValueError(f"densify_km must be > 0, got {densify_km!r}")
    n = check_n_points(n_points)
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
        turn = wrap_lon(az_out - az_in)  # < 0: left turn = convex corner
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
    for poly in polygons_of(everything_union):
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
