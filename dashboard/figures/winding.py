"""Ring geometry in d3's winding: GeoJSON polygons and range rings as lon/lat arrays plotly fills as intended.

Filled areas on a plotly geo map follow d3's spherical winding: a ring traversed
clockwise encloses the area on its right; the same ring reversed encloses the rest
of the globe. Every filled ring is checked to be clockwise (enclosing less than a
hemisphere, or more for a range ring larger than a hemisphere) and reversed if it is
not (:func:`orient`); :func:`feature_rings` gives a range ring's exteriors and holes in
that order; :func:`batched` joins rings into one trace's arrays; :func:`keyhole` turns
a band (an outer ring and a hole) into one fillable ring.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from dashboard.geo.checks import check_geojson_polygons

# A ring of this radius bounds a hemisphere (quarter meridian, WGS84). Near it the
# enclosed area alone cannot tell a ring's intended side, so orientation is trusted.
_HEMISPHERE_KM = 10_002.0
_AMBIGUOUS_KM = 50.0

_geod = None


def _signed_area(ring: np.ndarray) -> float:
    """Geodesic signed area in m² (WGS84): negative when clockwise (d3's exterior)."""
    global _geod
    if _geod is None:
        from pyproj import Geod

        _geod = Geod(ellps="WGS84")
    area, _ = _geod.polygon_area_perimeter(ring[:, 0], ring[:, 1])
    return area


def orient(ring: np.ndarray, *, larger_than_hemisphere: bool = False) -> np.ndarray:
    """Return ``ring`` in the order d3 fills as intended (see module doc)."""
    if len(ring) < 3:
        return ring
    area = _signed_area(ring)
    want_negative = not larger_than_hemisphere
    if area != 0 and (area < 0) != want_negative:
        return ring[::-1]
    return ring


def _clean_ring(coords: Any) -> np.ndarray:
    """``(n, 2)`` float array of finite lon/lat, without a repeated closing vertex."""
    ring = np.asarray(coords, dtype=float)
    if ring.ndim != 2 or ring.shape[0] == 0 or ring.shape[1] < 2:
        return np.empty((0, 2))
    ring = ring[:, :2]
    ring = ring[np.isfinite(ring).all(axis=1)]
    if len(ring) > 1 and (ring[0] == ring[-1]).all():
        ring = ring[:-1]  # plotly closes filled rings itself; outlines re-close below
    return ring


def polygons(geometry: dict | None) -> list[list[np.ndarray]]:
    """Polygons of a GeoJSON Polygon/MultiPolygon, each a list of rings (exterior first)."""
    if not geometry:
        return []
    polys = check_geojson_polygons(geometry)
    out = []
    for poly in polys:
        rings = [r for r in (_clean_ring(ring) for ring in poly) if len(r) >= 3]
        if rings:
            out.append(rings)
    return out


_GAP = np.full((1, 2), np.nan)  # plotly draws NaN (JSON null) as a gap between rings


def batched(rings: Sequence[np.ndarray], *, close: bool) -> tuple[np.ndarray, np.ndarray]:
    """All rings in one lon array and one lat array, separated by NaN gaps."""
    parts: list[np.ndarray] = []
    for ring in rings:
        if parts:
            parts.append(_GAP)
        parts.append(np.vstack([ring, ring[:1]]) if close else ring)
    both = np.vstack(parts) if parts else np.empty((0, 2))
    return both[:, 0].copy(), both[:, 1].copy()



def keyhole(outer: np.ndarray, inner: np.ndarray) -> np.ndarray:
    """One ring enclosing the band between ``outer`` (clockwise) and ``inner`` (anticlockwise).

    The rings are joined by a narrow strip one outer vertex wide, traversed twice:
    out along the outer ring past its start to ``outer[1]``, in to the inner vertex
    nearest it, once round the inner ring and one vertex further, then back out to
    ``outer[0]``. The strip is inside the band, so it is filled like the rest of it;
    a zero-width cut instead would show as a light hairline (anti-aliasing).
    """
    j = int(np.argmin(((inner - outer[1]) ** 2).sum(axis=1)))
    inner = np.roll(inner, -j, axis=0)
    return np.vstack([outer, outer[:2], inner, inner[: min(2, len(inner))]])



def feature_rings(feature: dict, range_km: float | None) -> list[tuple[np.ndarray, list[np.ndarray]]]:
    """``[(exterior, holes), ...]``: exteriors clockwise, holes anticlockwise (d3's order).

    Sources, in order of preference: ``rings`` (``[(exterior, holes), ...]``, every
    ring clockwise, as :mod:`dashboard.geo.rings` makes them), ``ring`` (one clockwise
    exterior; holes, if any, from the geometry), else the GeoJSON geometry, whose
    winding is not trusted (RFC 7946 stores exteriors anticlockwise): each exterior
    is turned to enclose less than a hemisphere, or more when ``range_km`` is larger
    than a hemisphere's radius.
    """

    def clockwise_hole(ring: np.ndarray) -> np.ndarray:  # a clockwise ring of an inner disc, reversed
        return ring[::-1]

    if feature.get("rings") is not None and len(feature["rings"]):
        out = []
        for exterior, holes in feature["rings"]:
            ext = _clean_ring(exterior)
            if len(ext) >= 3:
                out.append((ext, [clockwise_hole(h) for h in (_clean_ring(h) for h in holes) if len(h) >= 3]))
        return out
    polys = polygons(feature.get("geometry"))
    geometry_holes = [orient(h, larger_than_hemisphere=True) for poly in polys for h in poly[1:]]
    given = feature.get("ring")
    if given is not None:
        ring = _clean_ring(given)
        if len(ring) >= 3:
            return [(ring, geometry_holes)]
    big = range_km is not None and range_km > _HEMISPHERE_KM
    ambiguous = range_km is not None and abs(range_km - _HEMISPHERE_KM) < _AMBIGUOUS_KM
    return [
        (poly[0] if ambiguous else orient(poly[0], larger_than_hemisphere=big), [orient(h, larger_than_hemisphere=True) for h in poly[1:]])
        for poly in polys
    ]

