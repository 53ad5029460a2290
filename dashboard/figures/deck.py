"""The interactive map as a pydeck Deck (no Streamlit), drawn from the shared ring features.

No tiles and no CDN: ``map_provider=None`` (``map_style=None`` alone still makes the
Streamlit frontend fetch a Carto style), countries from the shipped GeoJSON. Tooltips
use deck.gl's ``text`` mode, which sets innerText: data never becomes HTML.

Sized for the browser: coordinates are rounded to :data:`SCREEN_DECIMALS` (below a pixel at
the deepest zoom), bands are one layer, the launch point and city dots another, and the
countries can be a URL the browser fetches once and caches instead of riding in every
deck. Each layer adds software-WebGL work to first paint (the README's first-paint notes),
so no layer is added for something another can draw.
"""

from __future__ import annotations

import math

import pydeck as pdk

from dashboard.geo.checks import check_geojson_polygons
from dashboard.figures.style import BORDER, DASH_PATTERN, FONT, LAND, OCEAN, ORIGIN, rgba
from dashboard.geo.places import IRAN_CENTRE, IRAN_ZOOM
from dashboard.geo.ranges import Origin

#: Hover text in a box fixed to the map's lower right corner, not at the pointer: deck.gl
#: puts its tooltip's corner at the pointer and never keeps it inside the map, so near the
#: right edge of an 800×600 frame a ring's source ran off the page. Text only (innerText).
TOOLTIP = {"text": "{tooltip}", "style": {
    "transform": "none", "top": "auto", "left": "auto", "right": "8px", "bottom": "8px",
    "maxWidth": "min(420px, 55%)", "maxHeight": "calc(100% - 16px)", "overflow": "hidden",
    "fontSize": "13px", "lineHeight": "1.35", "color": "#f4f6f8", "backgroundColor": "rgba(41, 50, 60, 0.95)",
    "borderRadius": "4px", "padding": "8px 10px"}}
OCEAN_POLYGON = [[[-180, -85], [180, -85], [180, 85], [-180, 85], [-180, -85]]]
#: Decimals of a degree kept in ring and band vertices: 0.001° is 111 m, under one pixel
#: at MAX_ZOOM (a pixel is 360° / (512 · 2**9) = 0.0014° there).
SCREEN_DECIMALS = 3
MAX_ZOOM = 9
#: The legend's dashes (in line widths) on the rings; the borders share the shader, solid.
DASHED = {"@@type": "PathStyleExtension", "dash": True, "highPrecisionDash": True}
HALO_WIDTH = 14  # white outline around text, in SDF atlas pixels (fontSize 64): ~3 px at 13 px text


def screen_coords(path) -> list[list[float]]:
    """``path``'s vertices rounded to :data:`SCREEN_DECIMALS` (degrees)."""
    return [[round(x, SCREEN_DECIMALS), round(y, SCREEN_DECIMALS)] for x, y in path]


def map_deck(countries: dict | str, features: list[dict], origin: Origin, *, arcs: list[dict] | None = None,
             view: tuple[float, float, float] = (*IRAN_CENTRE, IRAN_ZOOM), height: int = 640,
             labels: list[dict] | None = None, font_px: int = 13) -> pdk.Deck:
    """Deck with base map, band fills, ring outlines, the launch point, optional arcs, and
    ``labels`` (dicts with kind, text, position, color, size, anchor) drawn as text.
    ``countries`` is the base map's GeoJSON, or a URL the browser fetches it from.

    ``view`` is (longitude, latitude, zoom) of the initial view. The mouse wheel scrolls
    the page, not the map (zoom with double-click, the keyboard's +/- or a pinch), so a
    briefer scrolling past the map is never caught by it.
    """
    layers = [_ocean(), _countries(countries)]
    bands = [f for f in features if f["properties"]["kind"] == "band"]
    if bands:
        layers.append(_bands(bands))
    layers.append(_outlines(features))
    if arcs:
        layers.append(_arcs(arcs))
    text = _labels(origin, labels or [])
    if text:
        layers.append(text)
    lon, lat, zoom = view
    return pdk.Deck(
        layers=layers,
        initial_view_state=pdk.ViewState(longitude=lon, latitude=lat, zoom=zoom, min_zoom=0.5, max_zoom=MAX_ZOOM),
        map_provider=None,
        # world copies across the date line; no scroll-wheel zoom (see above)
        views=[pdk.View(type="MapView", controller={"scrollZoom": False, "keyboard": True, "doubleClickZoom": True,
                                                     "dragPan": True, "touchZoom": True}, repeat=True)],
        tooltip=TOOLTIP,
        height=height,
    )


def _ocean() -> pdk.Layer:
    return pdk.Layer("SolidPolygonLayer", data=[{"polygon": OCEAN_POLYGON[0]}], get_polygon="polygon",
                     get_fill_color=rgba(OCEAN), pickable=False, id="ocean")


def _countries(countries: dict | str) -> pdk.Layer:
    """Land and borders; the borders use the rings' dashed-path shader, solid (a plain path
    for them measured no faster: README, first paint)."""
    return pdk.Layer("GeoJsonLayer", data=countries, id="countries", stroked=True, filled=True,
                     get_fill_color=rgba(LAND), get_line_color=rgba(BORDER), line_width_min_pixels=0.6,
                     pickable=False, get_dash_array=[0, 0], dash_justified=False, extensions=[DASHED])


def _bands(bands: list[dict]) -> pdk.Layer:
    """Every band in one layer (the ocean's layer type), each in its system's colour."""
    rows = []
    for f in bands:
        g, p = f["geometry"], f["properties"]
        for polygon in check_geojson_polygons(g):
            rows.append({"polygon": [screen_coords(ring) for ring in polygon], "tooltip": p["tooltip"],
                         "fill": rgba(p["color"], p["fill_opacity"])})
    return pdk.Layer("SolidPolygonLayer", data=rows, id="bands", get_polygon="polygon", get_fill_color="fill",
                     pickable=True)


def _outlines(features: list[dict]) -> pdk.Layer:
    rows = []
    for f in features:
        p = f["properties"]
        if p["kind"] != "ring":
            continue
        for path in f["paths"]:
            rows.append({"path": screen_coords(path), "color": rgba(p["color"]),
                         "width": p["width"], "dash": list(DASH_PATTERN.get(p["dash"], (0, 0))), "tooltip": p["tooltip"]})
    return pdk.Layer("PathLayer", data=rows, id="rings", get_path="path", get_color="color",
                     get_width="width", width_units=pdk.types.String("pixels"), width_min_pixels=1, pickable=True,
                     wrap_longitude=True, joint_rounded=False, get_dash_array="dash", dash_justified=False,
                     extensions=[DASHED])


def _labels(origin: Origin, labels: list[dict]) -> pdk.Layer | None:
    """Every label, the launch point and the cities' dots as text with a white halo (a dot
    is the glyph ●): one layer type for all three. Hovering one shows its tooltip (the
    ring's claimant and source, the place's name). ``character_set="auto"`` so that '≈',
    '·' and accented names draw."""
    def row(text, position, color, size, tooltip, anchor="middle"):
        return {"text": text, "position": position, "color": color, "size": size, "anchor": anchor,
                "dx": 7 if anchor == "start" else 0, "tooltip": tooltip}

    rows = [row("●", l["position"], [40, 40, 40, 230], 7, l.get("tooltip", l["text"]))
            for l in labels if l["kind"] in ("capital", "city")]
    if origin.kind != "territory":
        assert math.isfinite(origin.lon) and math.isfinite(origin.lat)
        rows.append(row("●", [origin.lon, origin.lat], rgba(ORIGIN), 14, origin.caption))
    rows += [row(l["text"], l["position"], rgba(l["color"]), l["size"], l.get("tooltip", l["text"]), l.get("anchor", "middle"))
             for l in labels]
    if not rows:
        return None
    return pdk.Layer("TextLayer", data=rows, id="labels", get_position="position", get_text="text",
                     get_color="color", get_size="size", size_units=pdk.types.String("pixels"),
                     get_text_anchor="anchor", get_alignment_baseline=pdk.types.String("center"),
                     get_pixel_offset="[dx, 0]", character_set=pdk.types.String("auto"),
                     font_family=pdk.types.String(FONT), font_weight=600,
                     # the halo is the glyphs' own outline (signed-distance font), not a second layer type
                     font_settings={"sdf": True, "fontSize": 64, "buffer": 12, "radius": 24},
                     outline_width=HALO_WIDTH, outline_color=[255, 255, 255, 235], pickable=True)


def _arcs(arcs: list[dict]) -> pdk.Layer:
    """Supply routes: each dict has source/target [lon, lat], color [r,g,b,a], tooltip text."""
    return pdk.Layer("ArcLayer", data=arcs, id="arcs", get_source_position="source", get_target_position="target",
                     get_source_color="color", get_target_color="color", get_width=2.5, width_units=pdk.types.String("pixels"),
                     great_circle=True, pickable=True)


class FrozenDeck(pdk.Deck):
    """A Deck whose JSON is computed once, compactly (pydeck's own to_json walks every
    object and pretty-prints on each call), and which then drops its layer objects: the
    JSON is all that is drawn, so the rows are not kept twice. Safe to cache."""

    def freeze(self) -> "FrozenDeck":
        import json

        from pydeck.bindings.json_tools import default_serialize

        self._frozen_json = json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"))
        self.layers = []
        return self

    def to_json(self) -> str:
        return self._frozen_json


def frozen(deck: pdk.Deck) -> FrozenDeck:
    deck.__class__ = FrozenDeck
    return deck.freeze()
