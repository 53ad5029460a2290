"""The report map: built from GeoJSON only, no plotly topojson, rings as given, text escaped."""

from __future__ import annotations

import io
import json
import math
import re

import pytest

from dashboard.figures.static_map import GEO_LAYERS, caption_lines, static_map_figure
from dashboard.figures.text import plain_text

TEHRAN = (51.389, 35.689)
HOSTILE_LABEL = "<img src=x onerror=alert(1)>"
HOSTILE_TEX = "$\\href{javascript:alert(1)}{x}$"


# ---------------------------------------------------------------- fixtures


def square(lon0, lat0, size, clockwise=True):
    """A closed square ring; clockwise (as the shapefile writes exteriors) by default."""
    ring = [[lon0, lat0], [lon0, lat0 + size], [lon0 + size, lat0 + size], [lon0 + size, lat0], [lon0, lat0]]
    return ring if clockwise else ring[::-1]


def country(name, iso, geometry):
    return {"type": "Feature", "properties": {"name": name, "iso_a3": iso, "continent": "Asia"}, "geometry": geometry}


def tiny_countries():
    return {
        "type": "FeatureCollection",
        "features": [
            # a polygon with a hole: only the exterior may be drawn
            country("Holey", "HOL", {"type": "Polygon", "coordinates": [square(40, 30, 10), square(43, 33, 2, clockwise=False)]}),
            country("Islands", "ISL", {"type": "MultiPolygon", "coordinates": [[square(60, 20, 3)], [square(65, 20, 2)]]}),
            country("Antarctica", "ATA", {"type": "Polygon", "coordinates": [[[-180, -90], [-180, -63], [180, -63], [180, -90], [-180, -90]]]}),
        ],
    }


def circle(center, radius_km, n=180):
    """A geodesic circle in increasing-azimuth (clockwise) order, open."""
    from pyproj import Geod

    lons, lats, _ = Geod(ellps="WGS84").fwd([center[0]] * n, [center[1]] * n, [360 * i / n for i in range(n)], [radius_km * 1000] * n)
    return [[float(a), float(b)] for a, b in zip(lons, lats)]


def ring_feature(system, km, color, dash="solid", *, width=2.5, fill=0.1, kind="ring", label=None, with_ring=True, inner_km=None):
    ring = circle(TEHRAN, km)
    rings = [ring[::-1] + [ring[-1]]]  # geometry in RFC 7946 (anticlockwise) order on purpose
    if inner_km:
        inner = circle(TEHRAN, inner_km)
        rings.append(inner + [inner[0]])
    feature = {
        "geometry": {"type": "Polygon", "coordinates": rings},
        "properties": {"system": system, "label": label or f"{km:,} km", "range_km": km, "color": color, "dash": dash, "width": width, "fill_opacity": fill, "kind": kind},
    }
    if with_ring:
        feature["ring"] = ring
    return feature


RINGS = [
    ring_feature("Shahab-3", 1300, "#0072B2", "solid"),
    ring_feature("Ghadr-1", 1600, "#D55E00", "dash", width=3.0, with_ring=False),
    ring_feature("Ghadr-1", 1950, "#D55E00", "dot", fill=0.0, label="1,950 km (estimate)"),
    ring_feature("Khorramshahr", 2000, "#CC79A7", "dashdot", width=4.0, kind="band", inner_km=1000, fill=0.18, with_ring=False),
]


def build(rings=RINGS, **kwargs):
    kwargs.setdefault("origin", {"lon": TEHRAN[0], "lat": TEHRAN[1], "label": "Tehran"})
    kwargs.setdefault("title", "Ranges")
    kwargs.setdefault("caption_lines", ["UNCLASSIFIED", "Sources: [1] test."])
    return static_map_figure(tiny_countries(), rings, **kwargs)


def role(fig, name):
    return [t for t in fig.data if (t.meta or {}).get("role") == name]


def segments(lons, lats):
    """Split gap-separated (NaN or None) coordinate arrays into rings of [lon, lat] floats."""
    out, cur = [], []
    for lon, lat in zip(lons, lats):
        if lon is None or math.isnan(lon):
            out.append(cur)
            cur = []
        else:
            cur.append([float(lon), float(lat)])
    out.append(cur)
    return [s for s in out if s]


def all_strings(obj):
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from all_strings(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from all_strings(v)


# ---------------------------------------------------------------- no topojson


def test_every_plotly_geo_layer_is_off_and_nothing_needs_topojson():
    fig = build()
    geo = fig.layout.geo
    for flag in GEO_LAYERS + ("showland", "showocean", "showlakes", "showrivers", "showcountries", "showcoastlines", "showsubunits"):
        assert getattr(geo, flag) is False, flag
    assert geo.fitbounds is False
    assert fig.layout.paper_bgcolor.lower() in ("#ffffff", "white")
    for trace in fig.data:
        assert trace.type == "scattergeo"
        assert trace.locationmode is None and trace.locations is None
        assert "geojson" not in trace.to_plotly_json()
    text = fig.to_json()
    assert "topojson" not in text and "cdn.plot.ly" not in text and "http" not in text


def test_countries_are_one_filled_trace_of_exterior_rings_without_antarctica():
    fig = build()
    [countries] = role(fig, "countries")
    assert countries.fill == "toself"
    assert countries.showlegend is False
    parts = segments(countries.lon, countries.lat)
    assert len(parts) == 3  # Holey's exterior + two islands; no hole, no Antarctica
    assert min(lat for part in parts for _, lat in part) >= 20
    # the file's (clockwise) orientation is kept, ring closed
    assert parts[0] == [[40, 30], [40, 40], [50, 40], [50, 30], [40, 30]]


def test_country_ring_in_the_wrong_order_is_reversed_not_flooding():
    fc = tiny_countries()
    fc["features"][0]["geometry"]["coordinates"][0] = square(40, 30, 10, clockwise=False)
    fig = static_map_figure(fc, [], origin=None, title="t", caption_lines=[])
    [countries] = role(fig, "countries")
    ring = segments(countries.lon, countries.lat)[0]
    assert ring[0] == ring[-1] and _same_cycle(ring[:-1], [[40, 30], [40, 40], [50, 40], [50, 30]])


# ---------------------------------------------------------------- rings


def test_ring_traces_match_the_input_in_number_colour_dash_and_width():
    fig = build()
    lines = role(fig, "ring")
    outlined = [f for f in RINGS if f["properties"]["kind"] == "ring"]  # a filled band has no outline, as on the interactive map
    assert len(lines) == len(outlined) == 3
    assert [t.meta["index"] for t in lines] == [0, 1, 2]
    for trace, feature in zip(lines, outlined):
        p = feature["properties"]
        assert trace.mode == "lines"
        assert trace.line.color.lower() == p["color"].lower()
        assert trace.line.dash == p["dash"]
        assert trace.line.width == p["width"]
        assert trace.fill in (None, "none")
    fills = role(fig, "ring-fill")
    assert [t.meta["index"] for t in fills] == [i for i, f in enumerate(RINGS) if f["properties"]["fill_opacity"] > 0]
    for trace in fills:
        p = RINGS[trace.meta["index"]]["properties"]
        r, g, b = (int(p["color"][i : i + 2], 16) for i in (1, 3, 5))
        assert trace.fillcolor == f"rgba({r},{g},{b},{p['fill_opacity']:g})"
        assert trace.line.width == 0 and trace.fill == "toself"
        assert trace.showlegend is (trace.meta["index"] == 3)  # only a band-only system's legend sits on its fill
    # fills are drawn under every outline
    order = [(t.meta or {}).get("role") for t in fig.data]
    assert max(i for i, r in enumerate(order) if r == "ring-fill") < min(i for i, r in enumerate(order) if r == "ring")


def test_one_readable_legend_entry_per_system_and_one_for_the_origin():
    fig = build()
    shown = [t for t in fig.data if t.showlegend is not False and (t.meta or {}).get("role") != "countries"]
    entries = [t.name for t in sorted(shown, key=lambda t: t.legendrank)]
    assert entries == ["Shahab-3", "Ghadr-1", "Khorramshahr", "range measured from Tehran"]
    assert [t.meta["role"] for t in shown].count("ring-fill") == 1  # Khorramshahr has only a band
    ghadr = [t for t in role(fig, "ring") if t.name == "Ghadr-1"]
    assert [t.showlegend for t in ghadr] == [True, False]  # no solid ring: the first carries the entry
    assert len({t.legendgroup for t in ghadr}) == 1
    [origin] = role(fig, "origin")
    assert list(origin.lon) == [TEHRAN[0]] and list(origin.text) == ["Tehran"]


def test_the_given_clockwise_ring_is_drawn_as_given():
    fig = build()
    shahab_line = role(fig, "ring")[0]
    ring = RINGS[0]["ring"]
    assert [list(p) for p in zip(shahab_line.lon, shahab_line.lat)] == ring + [ring[0]]
    shahab_fill = [t for t in role(fig, "ring-fill") if t.meta["index"] == 0][0]
    assert [list(p) for p in zip(shahab_fill.lon, shahab_fill.lat)] == ring


def test_an_anticlockwise_geometry_is_filled_clockwise():
    fig = build()
    ghadr_fill = [t for t in role(fig, "ring-fill") if t.meta["index"] == 1][0]
    assert _same_cycle(list(zip(ghadr_fill.lon, ghadr_fill.lat)), circle(TEHRAN, 1600))


def _same_cycle(a, b):
    a, b = [tuple(p) for p in a], [tuple(p) for p in b]
    if len(a) != len(b):
        return False
    k = a.index(b[0])
    return a[k:] + a[:k] == b


def test_ring_larger_than_a_hemisphere_keeps_the_side_that_holds_its_centre():
    big = circle(TEHRAN, 12000)
    feature = {"geometry": {"type": "Polygon", "coordinates": [big[::-1] + [big[-1]]]}, "properties": {"system": "X", "label": "12,000 km", "range_km": 12000, "color": "#000000", "dash": "solid", "width": 2, "fill_opacity": 0.1, "kind": "ring"}}
    fig = build([feature])
    [fill] = role(fig, "ring-fill")
    assert _same_cycle(list(zip(fill.lon, fill.lat)), big)  # clockwise around Tehran again
    with_ring = dict(feature, ring=big)
    [fill] = role(build([with_ring]), "ring-fill")
    assert [list(p) for p in zip(fill.lon, fill.lat)] == big


def test_band_fill_covers_only_the_band():
    fig = build()
    band = [t for t in role(fig, "ring-fill") if t.meta["index"] == 3][0]
    lats = [lat for lat in band.lat if lat is not None]
    assert not any(math.isnan(x) for x in band.lon)  # one ring: outer clockwise + inner anticlockwise, joined
    assert min(lats) < TEHRAN[1] - 15 and max(lats) > TEHRAN[1] + 15  # the 2,000 km outer ring
    # the 1,000 km inner edge is in the same ring
    from pyproj import Geod

    _, _, dist = Geod(ellps="WGS84").inv([TEHRAN[0]] * len(lats), [TEHRAN[1]] * len(lats), [x for x in band.lon], lats)
    assert min(dist) == pytest.approx(1_000_000, rel=1e-3) and max(dist) == pytest.approx(2_000_000, rel=1e-3)
    assert [t for t in role(fig, "ring") if t.meta["index"] == 3] == []  # a filled band has no outline
    unfilled = ring_feature("K", 2000, "#000000", kind="band", inner_km=1000, fill=0.0, with_ring=False)
    [outline] = role(build([unfilled]), "ring")
    assert len(segments(outline.lon, outline.lat)) == 2  # without a fill, both edges are outlined


def test_features_from_dashboard_rings_are_drawn_from_their_clockwise_rings():
    """``rings`` = [(exterior, holes)] numpy arrays, all clockwise; names, tooltips as given."""
    import numpy as np

    outer, inner = np.array(circle(TEHRAN, 2000)), np.array(circle(TEHRAN, 1200))
    band = {"geometry": {"type": "Polygon", "coordinates": []}, "rings": [(outer, [inner])], "paths": [],
            "properties": {"system": "shahab3", "system_name": "Shahab-3", "kind": "band", "range_km": 2000, "range_low_km": 1200, "color": "#0072B2", "dash": "solid", "width": 2.5, "fill_opacity": 0.18, "label": "band", "tooltip": "Shahab-3: spread\nRange measured from Tehran"}}
    ring = {"geometry": {"type": "Polygon", "coordinates": []}, "rings": [(outer[:: 2], [])], "paths": [],
            "properties": {"system": "shahab3", "system_name": "Shahab-3", "kind": "ring", "range_km": 1300, "color": "#0072B2", "dash": "solid", "width": 2.5, "fill_opacity": 0.0, "label": "x", "tooltip": "Shahab-3: 1,300 km <b>\nSource: $x$"}}
    fig = build([band, ring])
    [fill] = role(fig, "ring-fill")
    assert [fill.lon[0], fill.lat[0]] == outer[0].tolist() and fill.lon[len(outer) - 1] == outer[-1][0]
    inner_part = list(zip(fill.lon, fill.lat))[len(outer) + 2 :]
    assert _same_cycle(inner_part[:-2], [tuple(p) for p in inner[::-1].tolist()])  # the hole runs anticlockwise
    [line] = role(fig, "ring")
    assert list(line.lon) == outer[::2, 0].tolist() + [outer[0, 0]]
    assert line.name == "Shahab-3" and line.showlegend and not fill.showlegend
    assert line.text == "Shahab-3: 1,300 km &lt;b&gt;<br>Source: &#36;x&#36;"


def test_bad_ring_properties_are_rejected_with_one_line_messages():
    for key, value in (("dash", "wiggly"), ("kind", "cone"), ("color", "#zzzzzz")):
        feature = ring_feature("A", 1000, "#000000")
        feature["properties"][key] = value
        with pytest.raises(ValueError) as err:
            build([feature])
        assert "\n" not in str(err.value)


def test_origin_without_a_point_draws_no_marker():
    fig = build(origin={"lon": math.nan, "lat": math.nan, "label": "anywhere in Iran"}, center=TEHRAN)
    assert role(fig, "origin") == []
    assert fig.layout.geo.center.lon == TEHRAN[0]


def test_extent_and_projection_options_reach_the_layout():
    fig = build(projection="azimuthal equidistant", projection_scale=3.0)
    assert fig.layout.geo.projection.type == "azimuthal equidistant"
    assert fig.layout.geo.projection.scale == 3.0
    assert (fig.layout.geo.projection.rotation.lon, fig.layout.geo.projection.rotation.lat) == TEHRAN
    fig = build(lon_range=(-40, 40), lat_range=(5, 65))
    assert tuple(fig.layout.geo.lonaxis.range) == (-40, 40) and tuple(fig.layout.geo.lataxis.range) == (5, 65)
    with pytest.raises(ValueError):
        build(projection="mercator-ish")


# ---------------------------------------------------------------- caption and text safety


def test_caption_is_a_bottom_left_paper_annotation_with_room_for_it():
    lines = ["UNCLASSIFIED", "Sources: [1] a.", "Data version 1 · generated 2026-01-01."]
    fig = build(caption_lines=lines)
    [note] = fig.layout.annotations
    assert note.text == "<br>".join(lines)
    assert (note.xref, note.yref, note.x, note.xanchor, note.yanchor, note.align) == ("paper", "paper", 0, "left", "top", "left")
    assert note.font.size <= 12
    assert fig.layout.margin.b >= 16 * len(lines)
    assert fig.layout.title.text == "Ranges"


def test_caption_lines_helper_wraps_sources_and_names_everything():
    sources = [f"Source {i}: a long citation of a think-tank fact sheet, with a URL https://example.org/{i}" for i in range(8)]
    lines = caption_lines(systems=["Shahab-3", "Ghadr-1"], origin_label="Tehran", sources=sources, data_version="2026.11.1", date="2026-11-29", marking="UNCLASSIFIED // open sources")
    assert lines[0] == "UNCLASSIFIED // open sources"
    assert "Shahab-3, Ghadr-1" in lines[1] and "measured from Tehran" in lines[1]
    assert all(len(line) <= 170 for line in lines)
    joined = " ".join(line.strip() for line in lines)
    assert all(f"[{i + 1}] Source {i}" in joined for i in range(8))
    assert lines[-1] == "Data version 2026.11.1 · generated 2026-11-29."
    import datetime

    assert caption_lines(systems=[], origin_label="x", sources=[], data_version="v", date=datetime.date(2026, 1, 2), marking="")[-1].endswith("2026-01-02.")


def test_plain_text_escapes_markup_and_tex():
    assert plain_text(HOSTILE_LABEL) == "&lt;img src=x onerror=alert(1)&gt;"
    assert plain_text(HOSTILE_TEX) == "&#36;\\href{javascript:alert(1)}{x}&#36;"
    assert plain_text("a &amp; b<br>c") == "a &amp;amp; b&lt;br&gt;c"
    assert plain_text("line\nbreak\ttab") == "line break tab"
    assert plain_text(None) == "" and plain_text(1300) == "1300"


def test_hostile_text_survives_as_literal_text_in_the_figure_json():
    rings = [ring_feature(HOSTILE_LABEL, 1300, "#0072B2", label=HOSTILE_TEX), ring_feature(HOSTILE_TEX, 2000, "#D55E00", "dash", label=HOSTILE_LABEL)]
    fig = build(
        rings,
        origin={"lon": TEHRAN[0], "lat": TEHRAN[1], "label": HOSTILE_LABEL},
        title=HOSTILE_TEX + HOSTILE_LABEL,
        caption_lines=[HOSTILE_LABEL, HOSTILE_TEX, "<a href='javascript:alert(1)'>x</a>"],
    )
    text = fig.to_json()
    raw = json.loads(text)
    strings = list(all_strings(raw))
    for s in strings:
        assert "<img" not in s and "$\\href" not in s and "<a " not in s
        # the only markup left is our own
        assert set(re.findall(r"<[^>]*>", s)) <= {"<br>", "<extra>", "</extra>"}, s
    assert "<img" not in text and "$\\\\href" not in text and "$\\href" not in text
    names = [t.name for t in role(fig, "ring")]
    assert names == ["&lt;img src=x onerror=alert(1)&gt;", "&#36;\\href{javascript:alert(1)}{x}&#36;"]
    assert role(fig, "origin")[0].text == ("&lt;img src=x onerror=alert(1)&gt;",)
    assert role(fig, "origin")[0].name == "range measured from &lt;img src=x onerror=alert(1)&gt;"
    assert "&lt;img src=x onerror=alert(1)&gt;" in role(fig, "ring")[1].text
    assert fig.layout.title.text == "&#36;\\href{javascript:alert(1)}{x}&#36;&lt;img src=x onerror=alert(1)&gt;"


# ---------------------------------------------------------------- the picture


@pytest.mark.export
def test_rendered_map_is_not_flooded():
    """Outside every country and ring the map stays white; inside a ring it is tinted."""
    from dashboard import export

    try:
        export.find_browser()
    except export.ExportError as exc:
        pytest.skip(str(exc))
    from PIL import Image

    far = circle(TEHRAN, 1000)
    feature = {"geometry": {"type": "Polygon", "coordinates": [far[::-1] + [far[-1]]]}, "ring": far, "properties": {"system": "A", "label": "1,000 km", "range_km": 1000, "color": "#0000ff", "dash": "solid", "width": 2, "fill_opacity": 0.5, "kind": "ring"}}
    fig = build([feature], origin=None, caption_lines=[], lon_range=(-60, 60), lat_range=(-50, 80))
    fig.update_layout(showlegend=False, margin={"l": 0, "r": 0, "t": 0, "b": 0}, title=None)
    png = export.render(fig, "png", width=600, height=400, scale=1)
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.size == (600, 400)
    colours = image.getcolors(600 * 400)
    white = sum(n for n, rgb in colours if rgb == (255, 255, 255))
    bluish = sum(n for n, (r, g, b) in colours if b > r + 40 and b > g + 40)
    print(f"white {white / 600 / 400:.3f} bluish {bluish / 600 / 400:.3f}")
    assert white > 0.5 * 600 * 400  # no flooded globe
    assert 0.005 * 600 * 400 < bluish < 0.1 * 600 * 400  # the ring's fill is drawn, and only inside it
