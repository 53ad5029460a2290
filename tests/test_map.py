"""The interactive map's deck: the same polygons as the core, text-only tooltips, supply arcs."""

from __future__ import annotations

import json

import pytest

from dashboard.figures import deck
from dashboard.views import mapview
from dashboard.geo.basemap import load_cities, load_countries
from dashboard.data.load import check_package
from dashboard.views.dashboard import Dashboard
from tests.conftest import DATA
from tests.datafix import set_cell


@pytest.fixture(scope="module")
def basemap():
    return load_countries(DATA / "basemap"), load_cities(DATA / "basemap")


def build(pkg, basemap, query):
    dash = Dashboard(pkg, *basemap)
    return mapview.build(dash, dash.parse(query))


def layers(result) -> dict:
    spec = json.loads(result.deck.to_json())
    return spec, {layer["id"]: layer for layer in spec["layers"]}


def _vertices(geometry: dict) -> list:
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    return [pt for polygon in polygons for ring in polygon for pt in ring]


@pytest.mark.parametrize("query", ["from=territory&overlay=band", "overlay=band&from=-40,179.5"])
def test_deck_draws_the_core_polygons_to_a_pixel_at_the_deepest_zoom(package, basemap, query):
    """Every band and ring vertex is the core's, rounded to 3 decimals: within 0.0005°, a
    third of a pixel at zoom 9 (0.0014°/px)."""
    result = build(package, basemap, query)
    _, by_id = layers(result)
    pixel = 360 / (512 * 2 ** deck.MAX_ZOOM)
    bands = [f for f in result.features if f["properties"]["kind"] == "band"]
    core = [pt for f in bands for pt in _vertices(f["geometry"])]
    shown = [pt for row in by_id["bands"]["data"] for ring in row["polygon"] for pt in ring]
    assert bands and len(core) == len(shown)
    assert max(abs(a - b) for p, q in zip(core, shown) for a, b in zip(p, q)) <= 0.5e-3 < pixel / 2
    core = [pt for f in result.features if f["properties"]["kind"] == "ring" for p in f["paths"] for pt in p]
    shown = [pt for row in by_id["rings"]["data"] for pt in row["path"]]
    assert len(core) == len(shown)
    assert max(abs(a - b) for p, q in zip(core, shown) for a, b in zip(p, q)) <= 0.5e-3 + 1e-12


def test_the_base_map_is_a_url_when_the_browser_can_fetch_it(package, basemap):
    """Served from the app's static route, the countries leave the deck (181 KB of it) and
    the address names the data version, so a cached copy is never stale."""
    dash = Dashboard(package, *basemap, basemap_url="app/static/countries.geojson")
    spec = json.loads(mapview.build(dash, dash.default_view()).deck.to_json())
    countries = {layer["id"]: layer for layer in spec["layers"]}["countries"]
    assert countries["data"] == f"app/static/countries.geojson?v={package.version}"
    inline = json.loads(mapview.build(Dashboard(package, *basemap), dash.default_view()).deck.to_json())
    assert {layer["id"]: layer for layer in inline["layers"]}["countries"]["data"] == json.loads(json.dumps(basemap[0]))
    assert len(json.dumps(spec)) < len(json.dumps(inline)) - 150_000


def test_no_tiles_and_text_tooltips_only(package, basemap):
    spec, _ = layers(build(package, basemap, ""))
    assert spec.get("mapProvider") in (None, "") and spec.get("mapStyle") in (None, "", "__MAP_STYLE__")
    assert spec["views"][0]["repeat"] is True


def test_arcs_start_at_supplier_cities(package, basemap):
    result = build(package, basemap, "overlay=arcs")
    _, by_id = layers(result)
    arcs = by_id["arcs"]["data"]
    starts = {tuple(a["source"]) for a in arcs}
    cities = package.entities.set_index("name")
    for company in ("NINGBO NEW CENTURY IMPORT AND EXPORT COMPANY, LTD.", "COSAILING BUSINESS TRADING COMPANY LIMITED",
                    "LIMMT ECONOMIC AND TRADE COMPANY, LTD."):
        assert (cities.loc[company, "lon"], cities.loc[company, "lat"]) in starts
    assert all("Source: " in a["tooltip"] and "Confidence: " in a["tooltip"] for a in arcs)


def test_hostile_names_stay_text_in_tooltips(data_copy, basemap, monkeypatch):
    monkeypatch.setattr("dashboard.data.cells.check_plain", lambda raw: "")  # markup past validation
    payload = "<img src=x onerror=alert(1)>"
    set_cell(data_copy, "entities.csv", "C_LIMMT", "name", payload)
    set_cell(data_copy, "sources.csv", "SRC_SEED", "title", payload)
    pkg, problems = check_package(data_copy)
    assert problems == []
    spec, by_id = layers(build(pkg, basemap, "overlay=arcs,band&claim=seed"))
    assert any(payload in a["tooltip"] for a in by_id["arcs"]["data"])
    assert any(payload in row["tooltip"] for row in by_id["rings"]["data"])
    result = build(pkg, basemap, "")
    assert result.deck._tooltip["text"] == "{tooltip}" and set(result.deck._tooltip) == {"text", "style"}  # deck.gl sets innerText, never innerHTML
