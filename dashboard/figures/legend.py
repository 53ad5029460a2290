"""The map's legend as a small SVG picture, in the rings' own colours and dash styles.

Streamlit shows an SVG given to ``st.image`` as an ``<img>`` (a data URL): nothing in it
runs, nothing is fetched, and every data string is XML-escaped here. One item per ring:
a line sample, then "Sejjil · 1,200 mi ≈ 1,930 km" as the map labels it; a shaded swatch
when bands are drawn.
"""

from __future__ import annotations

import base64
from xml.sax.saxutils import escape

from dashboard.figures.labels import text_width_px
from dashboard.figures.style import DASH_PATTERN, FONT



def dasharray(dash: str, width: float) -> str:
    """SVG ``stroke-dasharray`` for a dash name at line ``width`` px (as the map draws it)."""
    on, off = DASH_PATTERN.get(dash, (0, 0))
    return f"{on * width:g} {off * width:g}" if on else ""


def legend_items(features: list[dict], bands: bool = False) -> list[dict]:
    """What the legend lists: one item per ring (label, colour, dash, width), then, with
    ``bands``, one for the shaded bands (the page says it in words instead, to keep the
    legend on one line)."""
    items = [{"kind": "ring", "label": p["label"], "color": p["color"], "dash": p["dash"], "width": p["width"]}
             for p in (f["properties"] for f in features) if p["kind"] == "ring"]
    shaded = [f["properties"] for f in features if f["properties"]["kind"] == "band"]
    if bands and shaded:
        items.append({"kind": "band", "label": "shaded: spread of published maximum ranges", "color": shaded[0]["color"],
                      "dash": "solid", "width": 0})
    return items


def _flow(items: list[dict], width_px: int, font_px: int) -> tuple[list[tuple[float, int, float]], int]:
    """Each item's (x, y, width) as the items flow left to right and wrap at ``width_px``,
    and the legend's height, px."""
    sample, gap, line_h = round(3.3 * font_px), round(font_px * 0.6), round(font_px * 1.6)
    x, y, boxes = 0.0, 0, []
    for item in items:
        w = sample + 6 + text_width_px(item["label"], font_px)
        if x > 0 and x + w > width_px:
            x, y = 0.0, y + line_h
        boxes.append((x, y, w))
        x += w + 2 * gap
    return boxes, y + line_h


def legend_height(features: list[dict], width_px: int = 1200, font_px: int = 13, bands: bool = False) -> int:
    """The height (px) of :func:`legend_svg` for the same arguments."""
    return _flow(legend_items(features, bands), width_px, font_px)[1]


def legend_svg(features: list[dict], width_px: int = 1200, font_px: int = 13, bands: bool = False) -> str:
    """The legend as SVG markup: items flow left to right and wrap to new lines."""
    items = legend_items(features, bands)
    sample, line_h = round(3.3 * font_px), round(font_px * 1.6)
    boxes, height = _flow(items, width_px, font_px)
    parts = []
    for item, (x, y, _w) in zip(items, boxes):
        mid = y + line_h / 2
        if item["kind"] == "band":
            parts.append(f'<rect x="{x:.0f}" y="{mid - font_px / 2:.0f}" width="{sample}" height="{font_px}" '
                         f'fill="{escape(item["color"])}" fill-opacity="0.3"/>')
        else:
            dashes = dasharray(item["dash"], item["width"])
            parts.append(f'<line x1="{x:.0f}" y1="{mid:.1f}" x2="{x + sample:.0f}" y2="{mid:.1f}" '
                         f'stroke="{escape(item["color"])}" stroke-width="{item["width"]:g}"'
                         + (f' stroke-dasharray="{dashes}"' if dashes else "") + "/>")
        parts.append(f'<text x="{x + sample + 6:.0f}" y="{mid:.1f}" dominant-baseline="central" '
                     f'font-family="{FONT}" font-size="{font_px}" fill="#111111">{escape(item["label"])}</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width_px}" height="{height}" '
            f'viewBox="0 0 {width_px} {height}">' + "".join(parts) + "</svg>")


def data_url(svg: str) -> str:
    """The SVG as a ``data:`` URL: shown by the browser without any request."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
