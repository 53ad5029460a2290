"""Range rings as KML 2.2, for Google Earth (and QGIS, which reads KML too).

Built from the same features as ``dashboard rings`` (``dashboard.geo.rings.ring_features``):
one Placemark per ring and per band, named like the map's legend, with the claim's
system, figure, claimant, date, source, confidence and launch model in its description,
and the system's colour and line width in its Style.

Antimeridian: every polygon is written with exactly the GeoJSON's coordinates, i.e. the
parts split at +-180 degrees (KML, like RFC 7946, keeps longitudes in [-180, 180]; Google
Earth would draw an edge from 179 to -179 the short way, but an unsplit ring that encloses
a pole or wraps the globe is ambiguous to it). The split parts meet exactly on the
meridian, so the ring shows whole; their fill is drawn without outline, and the outline is
written as separate LineStrings (``geodesy.outline_paths`` of the same geometry), which
leave out the artificial edges along the cut and the pole, as the app's PathLayer does.
So there is no seam line, and every coordinate in the file is one of the GeoJSON's.

KML has no dashed lines: the dash style the app uses for each system is named in the
description instead.

Text: Google Earth renders a ``description`` as HTML, so each line of it is HTML-escaped
(``html.escape``) and the lines are joined with ``<br>``; ElementTree then escapes the
whole for XML. Nothing from the data can become markup in the balloon. The same fields
are in ``ExtendedData`` as plain values, for QGIS and scripts.
"""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET

from dashboard.geo.antimeridian import outline_paths

NS = "http://www.opengis.net/kml/2.2"
ET.register_namespace("", NS)


def _el(parent, tag: str, text: str | None = None, **attrs) -> ET.Element:
    node = ET.SubElement(parent, f"{{{NS}}}{tag}", attrs)
    if text is not None:
        node.text = text
    return node


def kml_colour(hex_colour: str, opacity: float = 1.0) -> str:
    """'#rrggbb' and an opacity in 0..1 -> KML's 'aabbggrr'."""
    h = hex_colour.lstrip("#").lower()
    if len(h) != 6:
        raise ValueError(f"not a #rrggbb colour: {hex_colour!r}")
    alpha = max(0, min(255, round(opacity * 255)))
    return f"{alpha:02x}{h[4:6]}{h[2:4]}{h[0:2]}"


def _coords(ring) -> str:
    # repr: the shortest text that reads back as the same float, so KML == GeoJSON exactly
    return " ".join(f"{float(lon)!r},{float(lat)!r}" for lon, lat, *_ in ring)


def _polygons(geometry: dict) -> list[list]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        return list(geometry["coordinates"])
    raise ValueError(f"unexpected geometry type {geometry['type']!r}")


def balloon(lines: list[str]) -> str:
    """Lines of plain text as the HTML Google Earth shows: each escaped, joined by <br>."""
    return "<br>".join(html.escape(line, quote=True) for line in lines)


def description(props: dict) -> str:
    """Description of one feature (plain text lines): what it is and where it comes from."""
    if props.get("kind") == "band":
        lines = [
            f"System: {props['system_name']} ({props['system']})",
            f"Band of published maximum ranges: {props['range_low_km']:,}–{props['range_km']:,} km "
            f"({props['range_low_mi']:,}–{props['range_mi']:,} mi), from the smallest to the largest ring-eligible claim",
        ]
    else:
        lines = [
            f"System: {props['system_name']} ({props['system']})",
            f"Range: {props['range_km']:,} km ({props['range_mi']:,} mi); the source's figure: {props['stated']}",
            f"Claim: {props['claim']}{' (the seed article’s figure)' if props.get('seed') else ''}",
            f"Claimant: {props['claimant']}",
            f"Date: {props['date'] or 'not stated'}",
            f"Source: {props['source_title']} ({props['source_publisher']}) [{props['source']}]",
            f"Confidence: {props['confidence']}",
        ]
    lines.append(f"Launch model: range measured from {props['origin']}, geodesic on the WGS84 ellipsoid")
    if props.get("dash") and props["dash"] != "solid":
        lines.append(f"Line style in the dashboard: {props['dash']} (KML has no dashed lines)")
    return "\n".join(lines)


def to_kml(features: list[dict], prov, title: str = "Missile range rings") -> bytes:
    """A KML 2.2 document (UTF-8 bytes): one Placemark per feature of ``ring_features``.

    ``prov`` is a :class:`dashboard.formats.Provenance`: the document's name carries the
    data version, its description the marking, the date and the version.
    """
    root = ET.Element(f"{{{NS}}}kml")
    doc = _el(root, "Document")
    _el(doc, "name", f"{title} — data version {prov.version}")
    _el(doc, "description", balloon([
        prov.marking, f"Data version {prov.version}, generated {prov.date}.",
        "Ranges as publicly claimed, each with its source; rings measured on the WGS84 ellipsoid. "
        "Launch points are reference models, not verified launch sites."]))
    for i, feature in enumerate(features):
        props = feature["properties"]
        style = _el(doc, "Style", id=f"style-{i}")
        line = _el(style, "LineStyle")
        _el(line, "color", kml_colour(props["color"]))
        _el(line, "width", f"{float(props['width']):g}")
        poly_style = _el(style, "PolyStyle")
        _el(poly_style, "color", kml_colour(props["color"], props.get("fill_opacity", 0.0)))
        _el(poly_style, "fill", "1" if props.get("fill_opacity", 0.0) > 0 else "0")
        _el(poly_style, "outline", "0")  # the outline is the LineStrings below (no seam)
    for i, feature in enumerate(features):
        props = feature["properties"]
        mark = _el(doc, "Placemark", id=f"{props['kind']}-{props.get('claim') or props['system']}-{i}")
        _el(mark, "name", props["label"])
        _el(mark, "description", balloon(description(props).split("\n")))
        _el(mark, "styleUrl", f"#style-{i}")
        data = _el(mark, "ExtendedData")
        for key in ("system", "kind", "range_km", "range_low_km", "claim", "claimant", "date", "source",
                    "confidence", "origin"):
            if key in props:
                item = _el(data, "Data", name=key)
                _el(item, "value", str(props[key]))
        multi = _el(mark, "MultiGeometry")
        for polygon in _polygons(feature["geometry"]):
            poly = _el(multi, "Polygon")
            _el(poly, "tessellate", "1")
            for j, ring in enumerate(polygon):
                boundary = _el(poly, "outerBoundaryIs" if j == 0 else "innerBoundaryIs")
                linear = _el(boundary, "LinearRing")
                _el(linear, "coordinates", _coords(ring))
        for path in outline_paths(feature["geometry"]):
            ls = _el(multi, "LineString")
            _el(ls, "tessellate", "1")
            _el(ls, "coordinates", _coords(path))
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
