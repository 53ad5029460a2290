"""The interactive map's deck: the same polygons as the core, text-only tooltips, supply arcs."""

from __future__ import annotations

import json

import pytest

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


def test_deck_draws_exactly_the_core_polygons(package, basemap):
    result = build(package, basemap, "from=territory")
    spec, by_id = layers(result)
    for feature in result.features:
        p = feature["properties"]
        if p["kind"] == "band":
            drawn = by_id[f"band-{p['system']}"]["data"]["features"][0]["geometry"]
            assert drawn == json.loads(json.dumps(feature["geometry"]))
    paths = by_id["rings"]["data"]
    core = [[round(x, 5), round(y, 5)] for f in result.features if f["properties"]["kind"] == "ring" for p in f["paths"] for x, y in p]
    assert [pt for row in paths for pt in row["path"]] == core


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
    assert result.deck._tooltip == {"text": "{tooltip}"}  # deck.gl sets innerText, never innerHTML
