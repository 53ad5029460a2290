"""Report figures: captions cite their sources, and the app and the CLI render the same image.

The app's download buttons call ``ui.state.export_bytes`` -> ``report.report_figure`` ->
``export.render`` with ``report.SIZES["report"]``; ``dashboard export`` calls the same two
functions with the same defaults. These tests pin that shared path.
"""

from __future__ import annotations

import io
import json
import threading

import pytest

from dashboard import export
from dashboard.geo.basemap import load_countries
from dashboard.cli import main
from dashboard.views.report import SIZES, marking
from tests.conftest import DATA

DATE = "2026-11-29"


@pytest.fixture(scope="module")
def countries():
    return load_countries(DATA / "basemap")


def _caption(fig) -> str:
    return " ".join(a.text for a in fig.layout.annotations)


@pytest.mark.parametrize("figure, query", [("map", ""), ("map", "from=territory&systems=SEJJIL"), ("ranges", ""),
                                           ("chain", "systems=SEJJIL"), ("network", "entity=C_COSAILING")])
def test_every_report_figure_carries_caption_marking_and_version(dash, package, figure, query):
    fig = dash.figure(dash.parse(query), figure, date=DATE)
    text = _caption(fig)
    assert marking() in text and package.version in text and DATE in text and "Sources:" in text
    spec = json.dumps(fig.to_plotly_json(), default=str)
    assert "cdn.plot.ly" not in spec


def test_map_caption_names_the_launch_model(dash, package):
    fig = dash.figure(dash.parse("from=territory"), "map", date=DATE)
    assert "anywhere in Iran" in _caption(fig)


def test_network_report_applies_the_views_filters(dash, package):
    """`dashboard export --figure network --view "kind=company&country=China"` = the filtered page."""
    def shown(query):
        fig = dash.figure(dash.parse(query), "network", date=DATE)
        return json.dumps(fig.to_plotly_json(), default=str)

    everything, chinese = shown(""), shown("kind=company&country=China")
    assert "SHAHID HEMMAT" in everything and "SHAHID HEMMAT" not in chinese
    assert "COSAILING" in chinese.upper()


def _pixels(data: bytes):
    from PIL import Image
    return Image.open(io.BytesIO(data)).convert("RGB").tobytes()


@pytest.mark.export
def test_cli_png_matches_the_apps_render(dash, package, tmp_path, monkeypatch):
    monkeypatch.setattr("dashboard.views.report.today", lambda: DATE)
    query = "systems=SEJJIL,GHADR1&from=semnan"
    width, height, scale = SIZES["report"]
    app_png = export.render(dash.figure(dash.parse(query), "map"), "png", width, height, scale)
    out = tmp_path / "cli.png"
    assert main(["export", "--view", query, "--out", str(out)]) == 0
    assert _pixels(out.read_bytes()) == _pixels(app_png)


@pytest.mark.export
def test_four_concurrent_exports_each_get_their_own_image(dash, package):
    queries = ["", "from=territory", "systems=SEJJIL", "systems=SHAHAB3&claim=max"]
    figs = [dash.figure(dash.parse(q), "map", date=DATE) for q in queries]
    alone = [_pixels(export.render(f, "png", 800, 450, 1)) for f in figs]
    assert len(set(alone)) == 4
    results = [None] * 4

    def work(i):
        results[i] = _pixels(export.render(figs[i], "png", 800, 450, 1))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert results == alone
