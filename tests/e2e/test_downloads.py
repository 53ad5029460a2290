"""The app's open-format downloads (issue #15), clicked in Chromium: the data package zip on
/sources and the map view's rings as KML and GeoJSON, each equal to what the command line
writes for the same data and view."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from dashboard.cli import main
from tests.e2e.conftest import external_requests, wait_for_app

pytestmark = pytest.mark.browser
KML = "{http://www.opengis.net/kml/2.2}"


def click_download(page, name: str) -> tuple[str, bytes]:
    with page.expect_download(timeout=120_000) as info:
        page.get_by_role("button", name=name).click(timeout=60_000)
    return info.value.suggested_filename, Path(info.value.path()).read_bytes()


def test_sources_page_offers_the_data_package(browser, app_server, page_log):
    from dashboard.data.load import load_package

    context = browser.new_context(viewport={"width": 1366, "height": 768}, accept_downloads=True)
    context.on("request", lambda r: page_log.requests.append(r.url))
    page = context.new_page()
    page.goto(app_server.url + "/sources")
    wait_for_app(page, timeout_ms=60_000)
    name, data = click_download(page, "Download the data package (zip: CSV, schema.toml, datapackage.json)")
    context.close()
    version = load_package(app_server.data_dir).version
    assert name == f"missile-data-{version}.zip"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        package = json.loads(archive.read(f"missile-data-{version}/datapackage.json"))
        assert version.encode() in archive.comment  # the provenance line
    assert {f"missile-data-{version}/{f}" for f in ("systems.csv", "schema.toml", "designations.csv")} <= names
    assert {r["name"] for r in package["resources"]} >= {"systems", "range_claims", "entities", "designations"}
    assert external_requests(page_log) == []


def test_map_share_panel_offers_the_views_rings_as_kml_and_geojson(browser, app_server, page_log, capsysbinary):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, accept_downloads=True)
    context.on("request", lambda r: page_log.requests.append(r.url))
    page = context.new_page()
    page.goto(app_server.url + "/?systems=SEJJIL&from=semnan&overlay=band")
    wait_for_app(page, timeout_ms=60_000)
    page.get_by_text("Share, embed and export").click()
    kml_name, kml = click_download(page, "Download KML")
    geojson_name, geojson = click_download(page, "Download GeoJSON")
    context.close()
    assert kml_name.endswith(".kml") and geojson_name.endswith(".geojson")
    root = ET.fromstring(kml)
    assert len(root.findall(f"{KML}Document/{KML}Placemark")) == 2  # Sejjil's ring and its band
    doc = json.loads(geojson)
    assert [f["properties"]["kind"] for f in doc["features"]] == ["band", "ring"]
    argv = ["--data", str(app_server.data_dir), "rings", "--system", "SEJJIL", "--from=semnan", "--band"]
    assert main(argv) == 0
    assert json.loads(capsysbinary.readouterr().out) == doc  # the same rings as the command line's
    assert external_requests(page_log) == []
