"""The report map's layout: the static map fitted to its rings, with labels and legend, for print.

:func:`report_map_figure` (what ``dashboard export --figure map`` and the download buttons
render) builds on :func:`dashboard.figures.static_map.static_map_figure`: it fits the
projection to the rings so the map fills the canvas (:func:`fit_to_rings`), gives each
ring's range in the legend as the source stated it with the other unit rounded honestly
(:func:`dashboard.data.units.as_published`), labels each ring and the capitals inside the
largest one with a greedy pass over label boxes in frame pixels
(:class:`dashboard.figures.labels.LabelBoxes`: no label over another, or over a ring line
where it can be avoided), and keeps every text at 24 px: 7 pt when the 1600 px layout
prints 6.5 inches wide.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from dashboard.figures.labels import LINE_EM, LabelBoxes, text_box_px
from dashboard.figures.static_map import FONT_FAMILY, TEXT_COLOR, ring_props, static_map_figure
from dashboard.figures.text import plain_text
from dashboard.figures.winding import feature_rings, polygons

__all__ = ["fit_to_rings", "report_map_figure"]


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
    pts = [np.asarray(r, dtype=float) for f in rings for ext, holes in feature_rings(f, ring_props(f)["range_km"]) for r in (ext,)]
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


def _stated(props: dict) -> tuple[float, str] | None:
    """(value, unit) of a ring's figure as its source stated it (``"1,200 mi"``), if known."""
    text = str(props.get("stated") or "").replace(",", "").split()
    if len(text) != 2 or text[1] not in ("km", "mi"):
        return None
    try:
        return float(text[0]), text[1]
    except ValueError:
        return None


#: Countries farther than this beyond the frame's corner are left out of the report map: an
#: edge of the 1:110m base map is far shorter, so none that could cross the frame is dropped.
VISIBLE_MARGIN_DEG = 10.0


def visible_countries(countries: dict, lon0: float, lat0: float, radius: float) -> dict:
    """The features of ``countries`` that can show in a frame reaching ``radius`` (radians
    of arc) from (lon0, lat0): those with a vertex within ``radius`` + VISIBLE_MARGIN_DEG,
    or containing the centre. Plotly projects (and d3 resamples) every vertex it is given,
    visible or not; the PNG is pixel-identical without the others (tests/test_export.py)."""
    from shapely.geometry import Point, shape

    reach = radius + math.radians(VISIBLE_MARGIN_DEG)
    centre = Point(lon0, lat0)
    kept = []
    for feature in countries.get("features") or []:
        geometry = feature.get("geometry")
        rings = [ring for polygon in polygons(geometry) for ring in polygon]
        if not rings:
            continue
        points = np.concatenate(rings)
        x, y = aeqd(points[:, 0], points[:, 1], lon0, lat0)
        if np.hypot(x, y).min() <= reach or shape(geometry).contains(centre):
            kept.append(feature)
    return {**countries, "features": kept}


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
    lines = [plain_text(line) for line in caption_lines]
    line_px = LINE_HEIGHT * font_px
    top, side = int(REPORT_TITLE_PX * 2), 20
    bottom = int(16 + line_px * len(lines)) if lines else 16
    frame_w, frame_h = width - 2 * side, height - top - bottom
    fit = fit_to_rings(rings, center, (frame_w, frame_h))
    zoom, lon0, lat0 = fit["zoom"], float(center[0]), float(center[1])
    shown = visible_countries(countries, lon0, lat0, math.hypot(frame_w, frame_h) / 2 / zoom)
    fig = static_map_figure(shown, rings, origin=origin, title=title, center=center,
                            projection="azimuthal equidistant")

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
    props = [ring_props(f) for f in rings]
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
            for ext, holes in feature_rings(f, p["range_km"]):
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
        exteriors = [ext for ext, _ in feature_rings(rings[i], p["range_km"])]
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
