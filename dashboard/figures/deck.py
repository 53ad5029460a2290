"""The interactive map as a pydeck Deck (no Streamlit), drawn from the shared ring features.

No tiles and no CDN: ``map_provider=None`` (``map_style=None`` alone still makes the
Streamlit frontend fetch a Carto style), countries from the shipped GeoJSON. Tooltips
use deck.gl's ``text`` mode, which sets innerText: data never becomes HTML.

Sized for the browser: coordinates are rounded to :data:`SCREEN_DECIMALS` (below a pixel at
the deepest zoom), bands are one layer, the launch point and city dots another, and the
countries can be a URL the browser fetches once and caches instead of riding in every
deck. Each distinct layer type costs a shader compile on first paint (seconds under
software WebGL), so no layer type is added for something another can draw.
"""

from __future__ import annotations

import math

import pydeck as pdk

from dashboard.figures.style import BORDER, DASH_PATTERN, FONT, LAND, OCEAN, ORIGIN, rgba
from dashboard.geo.places import IRAN_CENTRE, IRAN_ZOOM
from dashboard.geo.ranges import Origin

TOOLTIP = {"text": "{tooltip}"}
OCEAN_POLYGON = [[[-180, -85], [180, -85], [180, 85], [-180, 85], [-180, -85]]]
#: Decimals of a degree kept in ring and band vertices: 0.001° is 111 m, under one pixel
#: at MAX_ZOOM (a pixel is 360° / (512 · 2**9) = 0.0014° there).
SCREEN_DECIMALS = 3
MAX_ZOOM = 9


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
    dots = _dots(origin, labels or [])
    if dots:
        layers.append(dots)
    if labels:
        layers.append(_labels(labels))
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


def _countries(countries: dict) -> pdk.Layer:
    return pdk.Layer("GeoJsonLayer", data=countries, id="countries", stroked=True, filled=True,
                     get_fill_color=rgba(LAND), get_line_color=rgba(BORDER), line_width_min_pixels=0.6,
                     pickable=False)


def _bands(bands: list[dict]) -> pdk.Layer:
    """Every band in one layer, each in its system's colour and opacity."""
    data = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": _screen_geometry(f["geometry"]),
         "properties": {"tooltip": f["properties"]["tooltip"],
                        "fill": rgba(f["properties"]["color"], f["properties"]["fill_opacity"])}}
        for f in bands]}
    return pdk.Layer("GeoJsonLayer", data=data, id="bands", filled=True, stroked=False,
                     get_fill_color="properties.fill", pickable=True)


def _screen_geometry(geometry: dict) -> dict:
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    rounded = [[screen_coords(ring) for ring in polygon] for polygon in polygons]
    return {"type": geometry["type"], "coordinates": rounded[0] if geometry["type"] == "Polygon" else rounded}


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
                     extensions=[{"@@type": "PathStyleExtension", "dash": True, "highPrecisionDash": True}])  # the legend's dashes (in line widths)


def _dots(origin: Origin, labels: list[dict]) -> pdk.Layer | None:
    """The launch point (ringed in white) and the labelled cities' dots, in one layer; a
    dot's tooltip is its place's name."""
    rows = [{"position": l["position"], "fill": [40, 40, 40, 230], "line": [0, 0, 0, 0], "r": 2.5, "tooltip": l["text"]}
            for l in labels if l["kind"] in ("capital", "city")]
    if origin.kind != "territory":
        assert math.isfinite(origin.lon) and math.isfinite(origin.lat)
        rows.append({"position": [origin.lon, origin.lat], "fill": rgba(ORIGIN), "line": [255, 255, 255, 255], "r": 5,
                     "tooltip": origin.caption})
    if not rows:
        return None
    return pdk.Layer("ScatterplotLayer", data=rows, id="points", get_position="position", get_fill_color="fill",
                     get_line_color="line", stroked=True, line_width_min_pixels=1.5, get_radius="r",
                     radius_units=pdk.types.String("pixels"), pickable=True)


def _labels(labels: list[dict]) -> pdk.Layer:
    """Every label as text on a white halo (not pickable: tooltips stay on the rings and
    dots). ``character_set="auto"`` so that '≈', '·' and accented names draw."""
    rows = [{"text": l["text"], "position": l["position"], "color": rgba(l["color"]), "size": l["size"],
             "anchor": l.get("anchor", "middle"), "dx": 7 if l.get("anchor") == "start" else 0} for l in labels]
    return pdk.Layer("TextLayer", data=rows, id="labels", get_position="position", get_text="text",
                     get_color="color", get_size="size", size_units=pdk.types.String("pixels"),
                     get_text_anchor="anchor", get_alignment_baseline=pdk.types.String("center"),
                     get_pixel_offset="[dx, 0]", character_set=pdk.types.String("auto"),
                     font_family=pdk.types.String(FONT), font_weight=600, background=True,
                     get_background_color=[255, 255, 255, 215], background_padding=[3, 1],
                     pickable=False)


def _arcs(arcs: list[dict]) -> pdk.Layer:
    """Supply routes: each dict has source/target [lon, lat], color [r,g,b,a], tooltip text."""
    return pdk.Layer("ArcLayer", data=arcs, id="arcs", get_source_position="source", get_target_position="target",
                     get_source_color="color", get_target_color="color", get_width=2.5, width_units=pdk.types.String("pixels"),
                     great_circle=True, pickable=True)


class FrozenDeck(pdk.Deck):
    """A Deck whose JSON is computed once, compactly (pydeck's own to_json walks every
    object and pretty-prints on each call: ~1 s and 1.5 MB for the map). Safe to cache."""

    def freeze(self) -> "FrozenDeck":
        import json

        self._frozen_json = json.dumps(json.loads(super().to_json()), separators=(",", ":"))
        return self

    def to_json(self) -> str:
        return getattr(self, "_frozen_json", None) or super().to_json()


def frozen(deck: pdk.Deck) -> FrozenDeck:
    deck.__class__ = FrozenDeck
    return deck.freeze()
