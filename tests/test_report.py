"""Report figures: captions cite their sources, and the app and the CLI render the same image.

The app's download buttons call ``ui.state.export_bytes`` -> ``report.report_figure`` ->
``export.render`` with ``report.SIZES["report"]``; ``dashboard export`` calls the same two
functions with the same defaults. These tests pin that shared path.
"""

from __future__ import annotations

import io
import re
import json
import threading

import pytest

from dashboard import export
from dashboard.geo.basemap import load_countries
from dashboard.cli import main
from dashboard.views.marking import marking
from dashboard.views.report import SIZES
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


# ---------------------------------------------------------------- captions name what is drawn

def _sankey_labels(fig) -> str:
    sankey = [t for t in fig.data if t.type == "sankey"][0]
    return " ".join(sankey.node.label) + " " + " ".join(a.text for a in fig.layout.annotations)


def test_chain_caption_names_exactly_the_systems_its_chain_heads(dash, package):
    """The default view selects four systems; the chain drawn is the first system's, headed
    by the systems that share it: the caption names those, and says which are not drawn."""
    fig = dash.figure(dash.parse(""), "chain", date=DATE)
    text = _caption(fig)
    assert "Supply chain of Shahab-3, Shahab-3 (improved), Ghadr-1:" in text
    assert "Not drawn here: the chain of Sejjil" in text
    one = _caption(dash.figure(dash.parse("systems=SEJJIL"), "chain", date=DATE))
    assert "Supply chain of Sejjil:" in one and "Not drawn here" not in one and "Shahab" not in one.split("Sources:")[0]


def test_every_numbered_source_is_cited_by_what_is_drawn(dash, package):
    from dashboard import network as graph

    fig = dash.figure(dash.parse("systems=SEJJIL"), "chain", date=DATE)
    chain = graph.chains_for_systems(dash.graph, ("SEJJIL",))[0]
    ids = {s for link in chain["links"] for s in link.get("sources", ())}
    cited = [a.text for a in fig.layout.annotations if a.name == "sources"]
    numbers = re.findall(r"\[(\d+)\]", " ".join(cited))
    assert sorted(map(int, numbers)) == list(range(1, len(ids) + 1))


def test_map_legend_gives_each_ring_as_stated_and_converted(dash, package):
    fig = dash.figure(dash.parse("claim=seed"), "map", date=DATE)  # the seed article's figures, as printed
    legend = [t.name for t in fig.data if t.showlegend and (t.meta or {}).get("role") == "ring"]
    assert legend == ["Shahab-3<br>800 mi ≈ 1,290 km", "Shahab-3 (improved)<br>1,242 mi ≈ 2,000 km",
                      "Ghadr-1<br>1,100 mi ≈ 1,770 km", "Sejjil<br>1,200 mi ≈ 1,930 km"]
    labels = [t for t in fig.data if (t.meta or {}).get("role") == "labels"][0].text
    for ring in ("Shahab-3 800 mi", "Shahab-3 (improved) 1,242 mi", "Ghadr-1 1,100 mi", "Sejjil 1,200 mi"):
        assert ring in labels
    assert "Tehran" in labels and "Baghdad" in labels  # the origin, and a capital inside the largest ring
    assert "1,999" not in json.dumps(fig.to_plotly_json(), default=str)


@pytest.mark.parametrize("query", ["", "systems=SEJJIL&from=territory", "from=semnan&claim=max"])
def test_every_ring_is_labelled_on_the_map_with_some_capitals(dash, package, query):
    fig = dash.figure(dash.parse(query), "map", date=DATE)
    labels = list([t for t in fig.data if (t.meta or {}).get("role") == "labels"][0].text)
    rings = [f["properties"] for f in dash.rings(dash.parse(query)) if f["properties"]["kind"] == "ring"]
    for p in rings:
        assert f"{p['system_name']} {p['stated']}" in labels
    assert len(labels) >= len(rings) + 5  # the overlap check itself is the Chromium test (test_export_layout)


def test_report_figures_keep_their_caption_under_the_plot(dash, package):
    """No caption annotation starts inside the plot area (paper y in 0..1)."""
    for figure, query in (("map", ""), ("ranges", ""), ("chain", ""), ("network", "")):
        fig = dash.figure(dash.parse(query), figure, date=DATE)
        for a in fig.layout.annotations:
            if a.name in ("caption", "sources"):
                assert a.y <= 0 and a.yanchor == "top"


def test_a_figure_citing_nothing_says_so(dash, package):
    fig = dash.figure(dash.parse("kind=company&country=China"), "network", date=DATE)
    assert "Sources: none" in _caption(fig)
