"""The static map: countries, range rings and an origin from GeoJSON, as a plotly geo figure.

Everything is drawn from GeoJSON as ``Scattergeo`` traces. Every built-in plotly geo
layer (``layout.geo.show*``) is off, and no trace uses ``locationmode``, so plotly.js
never fetches its CDN topojson: the figure renders the same offline, in the browser
and in kaleido (``dashboard.export``).

Filled areas follow d3's spherical winding (see :mod:`dashboard.figures.winding`):
countries use exterior rings only (holes would flood the globe) and skip Antarctica;
every filled ring is oriented to enclose the intended side. Outlines are drawn as
separate line traces; fill traces have no line.

The report map (:mod:`dashboard.figures.report_map`) builds on :func:`static_map_figure`.

All data text goes through :func:`dashboard.figures.text.plain_text`.
"""

from __future__ import annotations

import datetime as _dt
import math
import textwrap
from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go

from dashboard.figures import style
from dashboard.figures.text import plain_text
from dashboard.figures.winding import batched, feature_rings, keyhole, orient, polygons

__all__ = ["DASHES", "GEO_LAYERS", "caption_lines", "ring_props", "static_map_figure"]

GEO_LAYERS = ("showland", "showocean", "showlakes", "showrivers", "showcountries", "showcoastlines", "showsubunits", "showframe")
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")  # plotly's named dashes
PROJECTIONS = ("natural earth", "azimuthal equidistant")

COUNTRY_FILL = style.LAND
COUNTRY_LINE = style.BORDER
COUNTRY_LINE_WIDTH = 0.5
TEXT_COLOR = "#222222"
FONT_FAMILY = style.FONT
CAPTION_FONT_SIZE = 12
CAPTION_LINE_PX = 16
MAP_WIDTH = 0.8  # share of the figure width for the map; the legend sits to its right


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



def _country_trace(countries: dict) -> go.Scattergeo:
    rings = []
    for feature in countries.get("features") or []:
        props = feature.get("properties") or {}
        if str(props.get("iso_a3", "")).upper() == "ATA" or str(props.get("name", "")).lower() == "antarctica":
            continue  # its polygon circles the pole and floods the map when filled
        for poly in polygons(feature.get("geometry")):
            rings.append(orient(poly[0]))  # exterior ring only: holes flood the globe
    lons, lats = batched(rings, close=True)
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


def ring_props(feature: dict) -> dict:
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
    props_list = [ring_props(f) for f in rings]
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
        parts = feature_rings(feature, p["range_km"])
        if not parts:
            raise ValueError(f"ring {i} ({p['system']!r}) has no coordinates")
        name = plain_text(p["name"])
        group = group_of[p["system"]]
        if p["fill_opacity"] > 0:
            fill_rings = [keyhole(ext, holes[0]) if p["kind"] == "band" and holes else ext for ext, holes in parts]
            lons, lats = batched(fill_rings, close=False)
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
            lons, lats = batched([r for ext, holes in parts for r in (ext, *holes)], close=True)
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
