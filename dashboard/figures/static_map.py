"""The report (static) map: countries, range rings and a caption, as a plotly figure.

Everything is drawn from GeoJSON as ``Scattergeo`` traces. Every built-in plotly geo
layer (``layout.geo.show*``) is off, and no trace uses ``locationmode``, so plotly.js
never fetches its CDN topojson: the figure renders the same offline, in the browser
and in kaleido (``dashboard.export``).

Filled areas on a plotly geo map follow d3's spherical winding: a ring traversed
clockwise encloses the area on its right; the same ring reversed encloses the rest
of the globe. Hence: countries use exterior rings only (holes would flood the globe)
and skip Antarctica; every filled ring is checked to be clockwise (enclosing less
than a hemisphere, or more for a range ring larger than a hemisphere) and reversed
if it is not. Outlines are drawn as separate line traces; fill traces have no line.

The report map (:func:`report_map_figure`, what ``dashboard export --figure map`` and the
download buttons render) builds on :func:`static_map_figure`: it fits the projection to
the rings so the map fills the canvas (:func:`fit_to_rings`), gives each ring's range in
the legend as the source stated it with the other unit rounded honestly
(:func:`dashboard.data.units.as_published`), labels each ring and the capitals inside
the largest one with a greedy pass over label boxes in frame pixels (no label over
another, or over a ring line where it can be avoided), and keeps every text at 24 px:
7 pt when the 1600 px layout prints 6.5 inches wide.

All data text goes through :func:`dashboard.figures.text.plain_text`.
"""

from __future__ import annotations

import datetime as _dt
import math
import textwrap
from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from dashboard.figures import style
from dashboard.figures.text import plain_text

__all__ = ["DASHES", "GEO_LAYERS", "caption_lines", "fit_to_rings", "report_map_figure", "static_map_figure", "text_box_px"]

GEO_LAYERS = ("showland", "showocean", "showlakes", "showrivers", "showcountries", "showcoastlines", "showsubunits", "showframe")
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")  # plotly's named dashes
PROJECTIONS = ("natural earth", "azimuthal equidistant")

COUNTRY_FILL = style.LAND
COUNTRY_LINE = style.BORDER
COUNTRY_LINE_WIDTH = 0.5
TEXT_COLOR = "#222222"
FONT_FAMILY = "DejaVu Sans, Arial, sans-serif"
CAPTION_FONT_SIZE = 12
CAPTION_LINE_PX = 16
MAP_WIDTH = 0.8  # share of the figure width for the map; the legend sits to its right

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


def _orient(ring: np.ndarray, *, larger_than_hemisphere: bool = False) -> np.ndarray:
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


def _polygons(geometry: dict | None) -> list[list[np.ndarray]]:
    """Polygons of a GeoJSON Polygon/MultiPolygon, each a list of rings (exterior first)."""
    if not geometry:
        return []
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "Polygon":
        polys = [coords]
    elif kind == "MultiPolygon":
        polys = coords
    else:
        raise ValueError(f"unsupported geometry type {kind!r}: expected Polygon or MultiPolygon")
    out = []
    for poly in polys:
        rings = [r for r in (_clean_ring(ring) for ring in poly) if len(r) >= 3]
        if rings:
            out.append(rings)
    return out


_GAP = np.full((1, 2), np.nan)  # plotly draws NaN (JSON null) as a gap between rings


def _batched(rings: Sequence[np.ndarray], *, close: bool) -> tuple[np.ndarray, np.ndarray]:
    """All rings in one lon array and one lat array, separated by NaN gaps."""
    parts: list[np.ndarray] = []
    for ring in rings:
        if parts:
            parts.append(_GAP)
        parts.append(np.vstack([ring, ring[:1]]) if close else ring)
    both = np.vstack(parts) if parts else np.empty((0, 2))
    return both[:, 0].copy(), both[:, 1].copy()


def _rgba(color: str, opacity: float) -> str:
    text = str(color).strip().lstrip("#")
    if len(text) == 3:
        text = "".join(c * 2 for c in text)
    try:
        r, g, b = (int(text[i : i + 2], 16) for i in (0, 2, 4))
    except ValueError:
        raise ValueError(f"colour must be #rrggbb, got {color!r}") from None
    return f"rgba({r},{g},{b},{max(0.0, min(1.0, float(opacity))):g})"


def _hex(color: str) -> str:
    _rgba(color, 1)  # validates
    text = str(color).strip().lstrip("#")
    return "#" + ("".join(c * 2 for c in text) if len(text) == 3 else text).lower()


def _keyhole(outer: np.ndarray, inner: np.ndarray) -> np.ndarray:
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


def _country_trace(countries: dict) -> go.Scattergeo:
    rings = []
    for feature in countries.get("features") or []:
        props = feature.get("properties") or {}
        if str(props.get("iso_a3", "")).upper() == "ATA" or str(props.get("name", "")).lower() == "antarctica":
            continue  # its polygon circles the pole and floods the map when filled
        for poly in _polygons(feature.get("geometry")):
            rings.append(_orient(poly[0]))  # exterior ring only: holes flood the globe
    lons, lats = _batched(rings, close=True)
    return go.Scattergeo(
        lon=lons,
        lat=lats,
        mode="lines",
        fill="toself",
        fillcolor=COUNTRY_FILL,
        line={"color": COUNTRY_LINE, "width": COUNTRY_LINE_WIDTH},
        hoverinfo="skip",
        showlegend=False,
        name="countries",
        meta={"role": "countries"},
    )


def _ring_props(feature: dict) -> dict:
    props = dict(feature.get("properties") or {})
    dash = props.get("dash") or "solid"
    if dash not in DASHES:
        raise ValueError(f"dash must be one of {DASHES}, got {dash!r}")
    kind = props.get("kind") or "ring"
    if kind not in ("ring", "band"):
        raise ValueError(f"kind must be 'ring' or 'band', got {kind!r}")
    range_km = props.get("range_km")
    range_km = float(range_km) if range_km is not None else None
    if range_km is not None and not math.isfinite(range_km):
        range_km = None
    system = str(props.get("system") or "")
    return {
        "system": system,
        "name": str(props.get("system_name") or system),
        "label": str(props.get("label") or ""),
        "tooltip": props.get("tooltip"),
        "range_km": range_km,
        "color": _hex(props.get("color") or "#333333"),
        "dash": dash,
        "width": float(props.get("width") or 2.0),
        "fill_opacity": float(props.get("fill_opacity") or 0.0),
        "kind": kind,
    }


def _feature_rings(feature: dict, range_km: float | None) -> list[tuple[np.ndarray, list[np.ndarray]]]:
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
    polys = _polygons(feature.get("geometry"))
    geometry_holes = [_orient(h, larger_than_hemisphere=True) for poly in polys for h in poly[1:]]
    given = feature.get("ring")
    if given is not None:
        ring = _clean_ring(given)
        if len(ring) >= 3:
            return [(ring, geometry_holes)]
    big = range_km is not None and range_km > _HEMISPHERE_KM
    ambiguous = range_km is not None and abs(range_km - _HEMISPHERE_KM) < _AMBIGUOUS_KM
    return [
        (poly[0] if ambiguous else _orient(poly[0], larger_than_hemisphere=big), [_orient(h, larger_than_hemisphere=True) for h in poly[1:]])
        for poly in polys
    ]


def _hover(p: dict) -> str:
    """Hover text: the feature's tooltip (one line per row) or system · label · range."""
    if p["tooltip"]:
        rows = str(p["tooltip"]).splitlines()
    else:
        km = f"{p['range_km']:,.0f} km" if p["range_km"] is not None else ""
        rows = [" · ".join(x for x in (p["name"], p["label"], km) if x)]
    return "<br>".join(plain_text(row) for row in rows)


def _ring_traces(rings: Sequence[dict]) -> list[go.Scattergeo]:
    """Fill traces (``fill_opacity`` > 0) under outline traces (kind ``ring``).

    As on the interactive map, a band is a fill only; a band with no fill is outlined.
    One legend entry per system: on its first ring outline, else its first band.
    """
    props_list = [_ring_props(f) for f in rings]
    systems = list(dict.fromkeys(p["system"] for p in props_list))
    group_of = {system: f"system-{k}" for k, system in enumerate(systems)}

    def outlined(p: dict) -> bool:
        return p["kind"] == "ring" or p["fill_opacity"] <= 0

    legend_at: dict[str, tuple[int, str]] = {}
    for i, p in enumerate(props_list):
        role = "ring" if outlined(p) else "ring-fill"
        if p["system"] not in legend_at or (role == "ring" and legend_at[p["system"]][1] != "ring"):
            legend_at[p["system"]] = (i, role)

    fills: list[go.Scattergeo] = []
    lines: list[go.Scattergeo] = []
    for i, (feature, p) in enumerate(zip(rings, props_list)):
        parts = _feature_rings(feature, p["range_km"])
        if not parts:
            raise ValueError(f"ring {i} ({p['system']!r}) has no coordinates")
        name = plain_text(p["name"])
        group = group_of[p["system"]]
        if p["fill_opacity"] > 0:
            fill_rings = [_keyhole(ext, holes[0]) if p["kind"] == "band" and holes else ext for ext, holes in parts]
            lons, lats = _batched(fill_rings, close=False)
            fills.append(
                go.Scattergeo(
                    lon=lons,
                    lat=lats,
                    mode="lines",
                    fill="toself",
                    fillcolor=_rgba(p["color"], p["fill_opacity"]),
                    line={"width": 0, "color": _rgba(p["color"], 0)},
                    hoverinfo="skip",  # scattergeo hovers points, not fills
                    name=name,
                    legendgroup=group,
                    showlegend=legend_at[p["system"]] == (i, "ring-fill"),
                    legendrank=100 + systems.index(p["system"]),
                    meta={"role": "ring-fill", "index": i},
                )
            )
        if outlined(p):
            lons, lats = _batched([r for ext, holes in parts for r in (ext, *holes)], close=True)
            lines.append(
                go.Scattergeo(
                    lon=lons,
                    lat=lats,
                    mode="lines",
                    line={"color": p["color"], "dash": p["dash"], "width": p["width"]},
                    name=name,
                    legendgroup=group,
                    showlegend=legend_at[p["system"]] == (i, "ring"),
                    legendrank=100 + systems.index(p["system"]),
                    text=_hover(p),
                    hovertemplate="%{text}<extra></extra>",
                    meta={"role": "ring", "index": i},
                )
            )
    return fills + lines  # fills underneath every outline


def _origin_trace(origin: dict) -> go.Scattergeo | None:
    label = str(origin.get("label") or "")
    lon, lat = float(origin["lon"]), float(origin["lat"])
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return None  # e.g. a territory envelope: no single point; the caption names it
    return go.Scattergeo(
        lon=[lon],
        lat=[lat],
        mode="markers+text",
        marker={"symbol": "circle", "size": 9, "color": style.ORIGIN, "line": {"color": "#ffffff", "width": 1.5}},
        text=[plain_text(label)],
        textposition="bottom right",
        textfont={"size": 13, "color": TEXT_COLOR},
        name=plain_text(f"range measured from {label}" if label else "range origin"),
        hovertemplate="%{text}<extra></extra>",
        showlegend=True,
        legendrank=10_000,
        meta={"role": "origin"},
    )


def static_map_figure(
    countries: dict,
    rings: Sequence[dict],
    *,
    origin: dict | None = None,
    title: str = "",
    caption_lines: Sequence[str] = (),
    center: tuple[float, float] | None = None,
    projection: str = "natural earth",
    lon_range: tuple[float, float] | None = None,
    lat_range: tuple[float, float] | None = None,
    projection_scale: float | None = None,
    height: int = 900,
) -> go.Figure:
    """Build the report map.

    ``countries`` is a GeoJSON FeatureCollection (properties name, iso_a3). ``rings``
    are features ``{"geometry", "ring"?, "properties": {system, label, range_km,
    color, dash, width, fill_opacity, kind}}``; ``ring`` (clockwise, i.e. increasing
    azimuth) is preferred to the geometry's exterior rings when given. ``origin`` is
    ``{"lon", "lat", "label"}``. ``center`` is ``(lon, lat)`` and defaults to the
    origin. ``lon_range``/``lat_range`` (degrees, as plotly's ``lonaxis``/``lataxis``
    ranges) or ``projection_scale`` set the extent. ``caption_lines`` are plain text
    (see :func:`caption_lines`); they are escaped here and joined with ``<br>``.
    ``height`` is the layout height the caption margin is sized for.
    """
    if projection not in PROJECTIONS:
        raise ValueError(f"projection must be one of {PROJECTIONS}, got {projection!r}")
    if center is None:
        center = (0.0, 0.0)
        if origin and math.isfinite(float(origin["lon"])) and math.isfinite(float(origin["lat"])):
            center = (float(origin["lon"]), float(origin["lat"]))
    c_lon, c_lat = float(center[0]), float(center[1])

    traces: list[go.Scattergeo] = [_country_trace(countries)]
    traces += _ring_traces(list(rings))
    marker = _origin_trace(origin) if origin else None
    if marker is not None:
        traces.append(marker)
    fig = go.Figure(data=traces)

    projection_layout: dict[str, Any] = {"type": projection}
    if projection == "azimuthal equidistant":
        projection_layout["rotation"] = {"lon": c_lon, "lat": c_lat, "roll": 0}
    else:
        projection_layout["rotation"] = {"lon": c_lon, "lat": 0, "roll": 0}
    if projection_scale is not None:
        projection_layout["scale"] = float(projection_scale)
    geo: dict[str, Any] = {
        "projection": projection_layout,
        "center": {"lon": c_lon, "lat": c_lat},
        "fitbounds": False,
        "bgcolor": "#ffffff",
        "domain": {"x": [0, MAP_WIDTH], "y": [0, 1]},
        **{flag: False for flag in GEO_LAYERS},
    }
    if lon_range is not None:
        geo["lonaxis"] = {"range": [float(lon_range[0]), float(lon_range[1])]}
    if lat_range is not None:
        geo["lataxis"] = {"range": [float(lat_range[0]), float(lat_range[1])]}

    lines = [plain_text(line) for line in caption_lines]
    bottom = 24 + CAPTION_LINE_PX * len(lines)
    annotations = []
    if lines:
        annotations.append(
            {
                "text": "<br>".join(lines),
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": 0,
                "xanchor": "left",
                "yanchor": "top",
                "yshift": -10,
                "align": "left",
                "showarrow": False,
                "font": {"size": CAPTION_FONT_SIZE, "color": "#444444", "family": FONT_FAMILY},
            }
        )
    fig.update_layout(
        geo=geo,
        title={
            "text": plain_text(title),
            "x": 0.01,
            "xanchor": "left",
            "y": 0.985,
            "yanchor": "top",
            "font": {"size": 22, "color": TEXT_COLOR, "family": FONT_FAMILY},
        },
        annotations=annotations,
        margin={"l": 20, "r": 20, "t": 60, "b": bottom, "autoexpand": True},
        paper_bgcolor="#ffffff",
        plot_bgcolor="#ffffff",
        font={"family": FONT_FAMILY, "color": TEXT_COLOR, "size": 13},
        legend={
            "title": {"text": "Systems"},
            "x": MAP_WIDTH + 0.01,
            "xanchor": "left",
            "y": 1,
            "yanchor": "top",
            "bgcolor": "rgba(255,255,255,0.85)",
            "bordercolor": "#bbbbbb",
            "borderwidth": 1,
            "font": {"size": 14},
            "itemwidth": 40,
        },
        height=height,
        showlegend=True,
    )
    return fig


def caption_lines(
    *,
    systems: Sequence[str],
    origin_label: str,
    sources: Sequence[str],
    data_version: str,
    date: str | _dt.date | _dt.datetime,
    marking: str = "",
    width: int = 170,
) -> list[str]:
    """The standard report caption as plain-text lines (escaped later by the figure).

    Lines: the marking banner (if any); what the rings show; the sources, numbered
    and wrapped at ``width`` characters; the data version and date.
    """
    out: list[str] = []
    if marking:
        out.append(str(marking).strip())
    names = ", ".join(str(s) for s in systems) or "none"
    out.extend(textwrap.wrap(
        f"Rings: range of {names} as geodesic distance on the WGS84 ellipsoid, measured from {origin_label}. "
        "A ring shows distance only: not a launch site, trajectory or target.",
        width=width, subsequent_indent="    ", break_on_hyphens=False))
    if sources:
        text = "Sources: " + "; ".join(f"[{i}] {str(s).strip()}" for i, s in enumerate(sources, 1)) + "."
        out.extend(textwrap.wrap(text, width=width, subsequent_indent="    ", break_on_hyphens=False, break_long_words=True))
    when = date.isoformat() if isinstance(date, (_dt.date, _dt.datetime)) else str(date)
    out.append(f"Data version {data_version} · generated {when}.")
    return out


# ---------------------------------------------------------------- fitted report layout
#
# plotly.js fits a geo subplot in two steps (src/plots/geo/geo.js, updateProjection): it
# fits the "range box" (the lon/lat rectangle of ``lonaxis.range`` x ``lataxis.range``,
# edges as great-circle arcs through plotly's 11 box points) into the domain with d3's
# fitExtent, which fixes the frame (the box's projected bounds, so a square box gives a
# square frame and an empty half on a wide canvas) and a fit scale s; then it zooms by
# ``projection.scale`` and puts ``center`` in the frame's middle. We choose a range box
# whose projected aspect is the domain's (the frame fills the domain) and the zoom that
# makes the rings' projected extent fit the frame with a margin. The projection
# (azimuthal equidistant on the unit sphere, rotated to the centre) is d3's, so pixel
# positions computed here are where plotly draws; map labels are placed with them.

FIT_MARGIN_PX = 24
CHAR_EM = 0.62  # DejaVu Sans: a generous mean advance per character, in em (boxes err large)
LINE_EM = 1.25
LABEL_PAD_PX = 3


def aeqd(lon, lat, lon0: float, lat0: float) -> tuple[np.ndarray, np.ndarray]:
    """Azimuthal equidistant on the unit sphere centred at (lon0, lat0): x east, y north (radians)."""
    lam = np.radians(np.asarray(lon, dtype=float) - lon0)
    phi, phi0 = np.radians(np.asarray(lat, dtype=float)), math.radians(lat0)
    cos_c = np.clip(math.sin(phi0) * np.sin(phi) + math.cos(phi0) * np.cos(phi) * np.cos(lam), -1.0, 1.0)
    c = np.arccos(cos_c)
    k = np.where(c < 1e-12, 1.0, c / np.where(c < 1e-12, 1.0, np.sin(c)))
    x = k * np.cos(phi) * np.sin(lam)
    y = k * (math.cos(phi0) * np.sin(phi) - math.sin(phi0) * np.cos(phi) * np.cos(lam))
    return x, y


def aeqd_inverse(x: float, y: float, lon0: float, lat0: float) -> tuple[float, float]:
    c = math.hypot(x, y)
    if c < 1e-12:
        return lon0, lat0
    phi0 = math.radians(lat0)
    phi = math.asin(max(-1.0, min(1.0, math.cos(c) * math.sin(phi0) + y * math.sin(c) * math.cos(phi0) / c)))
    lam = math.atan2(x * math.sin(c), c * math.cos(phi0) * math.cos(c) - y * math.sin(phi0) * math.sin(c))
    lon = (lon0 + math.degrees(lam) + 180.0) % 360.0 - 180.0
    return lon, math.degrees(phi)


def _unit(lon, lat) -> np.ndarray:
    lam, phi = np.radians(lon), np.radians(lat)
    return np.stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)], axis=-1)


def _range_box(lon_range, lat_range, per_edge: int = 24) -> tuple[np.ndarray, np.ndarray]:
    """plotly's range box (11 points), each edge densified along its great-circle arc."""
    pad = 1e-3
    lon0, lon1, lat0, lat1 = lon_range[0] + pad, lon_range[1] - pad, lat_range[0] + pad, lat_range[1] - pad
    d = (lon1 - lon0) / 4
    pts = [(lon0, lat0), (lon0, lat1), (lon0 + d, lat1), (lon0 + 2 * d, lat1), (lon0 + 3 * d, lat1), (lon1, lat1),
           (lon1, lat0), (lon1 - d, lat0), (lon1 - 2 * d, lat0), (lon1 - 3 * d, lat0), (lon0, lat0)]
    vecs = _unit(np.array([p[0] for p in pts]), np.array([p[1] for p in pts]))
    out = []
    for a, b in zip(vecs[:-1], vecs[1:]):
        t = np.linspace(0, 1, per_edge, endpoint=False)[:, None]
        v = a * (1 - t) + b * t
        out.append(v / np.linalg.norm(v, axis=1, keepdims=True))
    v = np.vstack(out)
    return np.degrees(np.arctan2(v[:, 1], v[:, 0])), np.degrees(np.arcsin(np.clip(v[:, 2], -1, 1)))


def _box_size(lon_range, lat_range, lon0, lat0) -> tuple[float, float]:
    x, y = aeqd(*_range_box(lon_range, lat_range), lon0, lat0)
    return float(x.max() - x.min()), float(y.max() - y.min())


def fit_to_rings(rings: Sequence[dict], center: tuple[float, float], frame_px: tuple[float, float],
                 margin_px: float = FIT_MARGIN_PX) -> dict:
    """Range box, ``projection.scale`` and zoom (px per radian) that fit ``rings`` into a frame
    of ``frame_px`` (width, height) filling it, centred on ``center``."""
    lon0, lat0 = center
    pts = [np.asarray(r, dtype=float) for f in rings for ext, holes in _feature_rings(f, _ring_props(f)["range_km"]) for r in (ext,)]
    xs, ys = aeqd(np.concatenate([p[:, 0] for p in pts]), np.concatenate([p[:, 1] for p in pts]), lon0, lat0)
    w, h = frame_px
    half_x, half_y = max(float(np.abs(xs).max()), 1e-6), max(float(np.abs(ys).max()), 1e-6)
    zoom = min((w / 2 - margin_px) / half_x, (h / 2 - margin_px) / half_y)
    lat_half = 10.0
    lat_range = (max(-89.0, lat0 - lat_half), min(89.0, lat0 + lat_half))
    target = w / h

    def aspect(half: float) -> float:
        bx, by = _box_size((lon0 - half, lon0 + half), lat_range, lon0, lat0)
        return bx / by

    # The aspect grows with the lon span up to a wide box, then falls as the box wraps the
    # globe: scan for the first span wide enough, then bisect within that step.
    spans = np.arange(1.0, 121.0, 1.0)
    aspects = np.array([aspect(a) for a in spans])
    k = int(np.argmax(aspects >= target)) if (aspects >= target).any() else int(np.argmax(aspects))
    lo, hi = (spans[k - 1], spans[k]) if k > 0 and aspects[k] >= target else (spans[k], spans[k])
    for _ in range(30):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if aspect(mid) < target else (lo, mid)
    lon_range = (lon0 - hi, lon0 + hi)
    bx, by = _box_size(lon_range, lat_range, lon0, lat0)
    fit_scale = min(w / bx, h / by)
    return {"lon_range": lon_range, "lat_range": lat_range, "scale": zoom / fit_scale, "zoom": zoom}


FONT_FILES = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/dejavu/DejaVuSans.ttf",
              "/usr/share/fonts/TTF/DejaVuSans.ttf")


@__import__("functools").lru_cache(maxsize=16)
def _font(size: int):
    """DejaVu Sans (the first font of FONT_FAMILY, the one the export's Chromium draws with)
    at ``size`` px, through Pillow; None when either is missing."""
    try:
        from PIL import ImageFont
    except ImportError:
        return None
    for path in FONT_FILES:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return None


def text_width_px(line: str, font_px: float) -> float:
    """The advance width of one line of plain text in DejaVu Sans, 3 % + 2 px generous;
    without the font file, ``CHAR_EM`` em a character (DejaVu Sans averages 0.55)."""
    font = _font(int(round(font_px)))
    if font is None:
        return len(line) * CHAR_EM * font_px
    return font.getlength(line) * font_px / int(round(font_px)) * 1.03 + 2


def text_box_px(text: str, font_px: float) -> tuple[float, float]:
    """A text's (width, height) in px, lines split at ``<br>``, entities decoded."""
    lines = str(text).split("<br>")
    return max(text_width_px(_unescape(line), font_px) for line in lines), len(lines) * LINE_EM * font_px


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


class LabelBoxes:
    """Greedy label placement: a box is taken only if it is inside the frame and clear of
    every box taken before (all in frame pixels, y down)."""

    def __init__(self, width: float, height: float, pad: float = LABEL_PAD_PX):
        self.width, self.height, self.pad, self.boxes = width, height, pad, []

    def free(self, box) -> bool:
        x0, y0, x1, y1 = box
        if x0 < 0 or y0 < 0 or x1 > self.width or y1 > self.height:
            return False
        p = self.pad
        return all(x1 + p <= a or b + p <= x0 or y1 + p <= c or d + p <= y0 for a, c, b, d in self.boxes)

    def take(self, box) -> bool:
        if self.free(box):
            self.boxes.append(tuple(box))
            return True
        return False

    def block(self, box) -> None:
        self.boxes.append(tuple(box))


def _stated(props: dict) -> tuple[float, str] | None:
    """(value, unit) of a ring's figure as its source stated it (``"1,200 mi"``), if known."""
    text = str(props.get("stated") or "").replace(",", "").split()
    if len(text) != 2 or text[1] not in ("km", "mi"):
        return None
    try:
        return float(text[0]), text[1]
    except ValueError:
        return None


REPORT_FONT_PX = 24   # 7 pt when 1600 layout px print 6.5 in wide (tests/test_export_layout.py)
REPORT_TITLE_PX = 32
LINE_HEIGHT = 1.3     # plotly's line spacing for multi-line text
RING_LABEL_ANGLES = (0, 180, 20, -20, 160, -160, 40, -40, 140, -140, 60, -60, 120, -120, 90, -90, 10, -10, 170, -170,
                     30, -30, 150, -150, 50, -50, 130, -130, 70, -70, 110, -110, 80, -80, 100, -100)


def report_map_figure(
    countries: dict,
    rings: Sequence[dict],
    *,
    center: tuple[float, float],
    origin: dict | None = None,
    title: str = "",
    caption_lines: Sequence[str] = (),
    cities: Sequence[dict] = (),
    width: int = 1600,
    height: int = 900,
    font_px: int = REPORT_FONT_PX,
) -> go.Figure:
    """The report map at ``width`` x ``height``: azimuthal equidistant, zoomed to fill the
    canvas with the rings (:func:`fit_to_rings`), every text at least ``font_px``.

    The legend gives each system's ring in its colour and dash with its range as the source
    stated it and the other unit (:func:`dashboard.data.units.as_published`); each ring is
    labelled on the map (system and stated range), off the other rings' lines where a
    bearing allows; ``cities`` (dicts with name, lon, lat) inside the largest ring are
    labelled where their label collides with no other text and crosses no ring line
    (greedy, nearest the centre first). The origin, if any, is marked and labelled.
    """
    from dashboard.data.units import as_published

    rings = list(rings)
    fig = static_map_figure(countries, rings, origin=origin, title=title, center=center,
                            projection="azimuthal equidistant")
    lines = [plain_text(line) for line in caption_lines]
    line_px = LINE_HEIGHT * font_px
    top, side = int(REPORT_TITLE_PX * 2), 20
    bottom = int(16 + line_px * len(lines)) if lines else 16
    frame_w, frame_h = width - 2 * side, height - top - bottom
    fit = fit_to_rings(rings, center, (frame_w, frame_h))
    zoom, lon0, lat0 = fit["zoom"], float(center[0]), float(center[1])

    def to_px(lon, lat):
        x, y = aeqd(lon, lat, lon0, lat0)
        return frame_w / 2 + zoom * x, frame_h / 2 - zoom * y

    def to_lonlat(px, py):
        return aeqd_inverse((px - frame_w / 2) / zoom, (frame_h / 2 - py) / zoom, lon0, lat0)

    boxes = LabelBoxes(frame_w, frame_h)
    label_text, label_lon, label_lat, label_colour = [], [], [], []

    def put(text: str, box, colour: str) -> None:
        lon, lat = to_lonlat((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
        label_text.append(text)
        label_lon.append(round(lon, 5))
        label_lat.append(round(lat, 5))
        label_colour.append(colour)

    # Legend: one entry per system (its ring), two lines: name, range as stated ≈ other unit.
    props = [_ring_props(f) for f in rings]
    entries = []
    for trace in fig.data:
        meta = trace.meta or {}
        if meta.get("role") == "ring" and trace.showlegend:
            raw = rings[meta["index"]].get("properties") or {}
            stated = _stated(raw)
            if stated:
                trace.name = f"{plain_text(props[meta['index']]['name'])}<br>{plain_text(as_published(*stated))}"
        if meta.get("role") == "ring":  # hover (SVG title): the same honest figures as the legend
            stated = _stated(rings[meta["index"]].get("properties") or {})
            if stated:
                trace.text = plain_text(f"{props[meta['index']]['name']} · {as_published(*stated)}")
            entries.append(trace.name)
        elif meta.get("role") == "origin":
            trace.mode = "markers"
            trace.name = plain_text("range measured") + "<br>" + plain_text(f"from {origin.get('label', '')}"[:40])
            entries.append(trace.name)
        elif meta.get("role") == "ring-fill" and trace.showlegend:
            entries.append(trace.name)
    legend_title = "Range (as stated ≈ converted)"
    legend_w = max([text_box_px(e, font_px)[0] for e in entries] + [text_box_px(legend_title, font_px)[0]]) + 70
    legend_h = sum(text_box_px(e, font_px)[1] + 8 for e in entries) + LINE_EM * font_px + 24
    boxes.block((frame_w - legend_w, 0, frame_w, legend_h))

    # Ring outlines in frame px: labels keep off them where they can (text over a dashed
    # line is hard to read), and must where a label is optional (capitals).
    from shapely.geometry import LineString
    from shapely.geometry import box as _box
    from shapely.ops import unary_union as _union

    outline_parts = []
    for f, p in zip(rings, props):
        if p["kind"] == "ring":
            for ext, holes in _feature_rings(f, p["range_km"]):
                for r in (ext, *holes):
                    x, y = to_px(r[:, 0], r[:, 1])
                    outline_parts.append(LineString(np.column_stack([np.append(x, x[0]), np.append(y, y[0])])))
    outlines = _union(outline_parts) if outline_parts else None

    def off_lines(box) -> bool:
        return outlines is None or not outlines.intersects(_box(box[0] + 1, box[1] + 1, box[2] - 1, box[3] - 1))

    # The origin's label, right of its marker (else left, above, below).
    if origin is not None and math.isfinite(float(origin["lon"])) and math.isfinite(float(origin["lat"])):
        ox, oy = (float(v) for v in to_px(float(origin["lon"]), float(origin["lat"])))
        boxes.block((ox - 7, oy - 7, ox + 7, oy + 7))
        text = plain_text(str(origin.get("label") or ""))[:40]
        if text:
            w, h = text_box_px(text, font_px)
            g = 12  # clear of the marker's box and the padding
            spots = ((ox + g, oy - h / 2, ox + g + w, oy + h / 2), (ox - g - w, oy - h / 2, ox - g, oy + h / 2),
                     (ox - w / 2, oy - g - h, ox + w / 2, oy - g), (ox - w / 2, oy + g, ox + w / 2, oy + g + h))
            for box in [b for b in spots if off_lines(b)] + list(spots):  # off the ring lines if possible
                if boxes.take(box):
                    put(text, box, TEXT_COLOR)
                    break

    # Ring labels, largest ring first, just outside the ring at the first free bearing.
    opx, opy = to_px(lon0, lat0)
    order = sorted(range(len(rings)), key=lambda i: -(props[i]["range_km"] or 0))
    largest = []
    for i in order:
        p = props[i]
        if p["kind"] != "ring":
            continue
        exteriors = [ext for ext, _ in _feature_rings(rings[i], p["range_km"])]
        if not largest:
            largest = exteriors
        pts = np.vstack(exteriors)
        xs, ys = to_px(pts[:, 0], pts[:, 1])
        bearing = np.degrees(np.arctan2(xs - opx, -(ys - opy)))
        stated = _stated(rings[i].get("properties") or {})
        figure = f"{stated[0]:,.0f} {stated[1]}" if stated else (f"{p['range_km']:,.0f} km" if p["range_km"] else "")
        text = plain_text(f"{p['name']} {figure}".strip())
        w, h = text_box_px(text, font_px)
        spots = []
        for angle in RING_LABEL_ANGLES:
            j = int(np.argmin(np.abs((bearing - angle + 180) % 360 - 180)))
            ux, uy = math.sin(math.radians(angle)), -math.cos(math.radians(angle))
            reach = abs(ux) * w / 2 + abs(uy) * h / 2 + 4
            cx, cy = xs[j] + ux * reach, ys[j] + uy * reach
            spots.append((cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2))
        for box in [b for b in spots if off_lines(b)] + spots:  # first the bearings where no ring line crosses it
            if boxes.take(box):
                put(text, box, p["color"])
                break

    # Capitals inside the largest ring, nearest the centre first; a label only where it fits.
    city_lon, city_lat = [], []
    if cities and largest:
        from shapely.geometry import Point, Polygon
        from shapely.ops import unary_union

        area = unary_union([Polygon(np.column_stack(to_px(e[:, 0], e[:, 1]))) for e in largest]).buffer(0)
        placed = []
        for city in cities:
            cx, cy = (float(v) for v in to_px(float(city["lon"]), float(city["lat"])))
            if area.contains(Point(cx, cy)):
                placed.append((math.hypot(cx - opx, cy - opy), cx, cy, city))
        for _, cx, cy, city in sorted(placed, key=lambda t: t[0]):
            text = plain_text(str(city["name"]))[:30]
            if origin is not None and text == plain_text(str(origin.get("label") or ""))[:40]:
                continue
            dot = (cx - 4, cy - 4, cx + 4, cy + 4)
            if not boxes.free(dot):
                continue
            w, h = text_box_px(text, font_px)
            g = 8  # the dot's half size plus the padding, and one px more
            for box in ((cx + g, cy - h / 2, cx + g + w, cy + h / 2), (cx - g - w, cy - h / 2, cx - g, cy + h / 2),
                        (cx - w / 2, cy - g - h, cx + w / 2, cy - g), (cx - w / 2, cy + g, cx + w / 2, cy + g + h)):
                if boxes.free(box) and off_lines(box):
                    boxes.block(dot)
                    boxes.block(box)
                    put(text, box, "#444444")
                    city_lon.append(float(city["lon"]))
                    city_lat.append(float(city["lat"]))
                    break
    if city_lon:
        fig.add_trace(go.Scattergeo(lon=city_lon, lat=city_lat, mode="markers", hoverinfo="skip", showlegend=False,
                                    marker={"size": 6, "color": "#555555", "line": {"width": 0}},
                                    name="capitals", meta={"role": "cities"}))
    if label_text:
        fig.add_trace(go.Scattergeo(lon=label_lon, lat=label_lat, text=label_text, mode="text", hoverinfo="skip",
                                    showlegend=False, textposition="middle center",
                                    textfont={"size": font_px, "color": label_colour, "family": FONT_FAMILY},
                                    name="labels", meta={"role": "labels"}))

    annotations = []
    if lines:
        annotations.append({
            "text": "<br>".join(lines), "xref": "paper", "yref": "paper", "x": 0, "y": 0, "xanchor": "left",
            "yanchor": "top", "yshift": -8, "align": "left", "showarrow": False,
            "font": {"size": font_px, "color": "#333333", "family": FONT_FAMILY},
        })
    projection = dict(fig.layout.geo.projection.to_plotly_json())
    projection["scale"] = fit["scale"]
    fig.update_layout(
        width=width, height=height,
        margin={"l": side, "r": side, "t": top, "b": bottom, "autoexpand": False},
        geo={"domain": {"x": [0, 1], "y": [0, 1]}, "projection": projection,
             "lonaxis": {"range": list(fit["lon_range"])}, "lataxis": {"range": list(fit["lat_range"])}},
        title={"font": {"size": REPORT_TITLE_PX}, "y": 1 - 12 / height, "yanchor": "top"},
        font={"size": font_px},
        legend={"x": 1, "xanchor": "right", "y": 1, "yanchor": "top", "font": {"size": font_px},
                "title": {"text": plain_text(legend_title), "font": {"size": font_px}}, "itemwidth": 60,
                "tracegroupgap": 6, "bgcolor": "rgba(255,255,255,0.9)"},
        annotations=annotations,
    )
    return fig
