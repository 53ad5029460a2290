"""/supply-chain in Chromium: the entity profile first, one chain per shared producer, offers
drawn apart from deliveries, and no classification mark or street address on any page.
"""

from __future__ import annotations

import re

import pytest

from dashboard.data.checks import CLASSIFICATION_MARK, STREET_ADDRESS
from tests.e2e.conftest import BY_PATH, PLOTLY_SVG, open_spec, settle_network, wait_for_app

pytestmark = pytest.mark.browser

FIRST_SCREEN = {"width": 1366, "height": 768}
SANCTIONS_BOX = ".st-key-sanctions_box"
CHART = "[data-testid='stPlotlyChart']"


def _chart_titles(page) -> list[str]:
    return [t.strip() for t in page.locator(f"{PLOTLY_SVG} .gtitle").all_text_contents()]


def _wait_for_charts(page, count: int, timeout_ms: int = 30_000) -> None:
    page.wait_for_function(
        "n => document.querySelectorAll(\"[data-testid='stPlotlyChart'] .js-plotly-plot .main-svg .gtitle, "
        "[data-testid='stPlotlyChart'] .js-plotly-plot .main-svg .legendtext\").length >= n",
        arg=count, timeout=timeout_ms)


def test_entity_profile_with_sanctions_box_is_in_the_first_screen(app_server, page, page_log):
    page.set_viewport_size(FIRST_SCREEN)
    open_spec(page, app_server.url, BY_PATH["/supply-chain"], page_log, "?entity=C_NINGBO")
    box = page.locator(SANCTIONS_BOX)
    box.wait_for(state="visible", timeout=30_000)
    text = box.inner_text()
    assert "2017-02-03" in text and "US Treasury OFAC" in text and "designated" in text
    assert "tags as of 2022-01-31" in text
    page.evaluate("window.scrollTo(0, 0)")
    bounds = box.bounding_box()
    assert bounds is not None
    assert bounds["y"] >= 0 and bounds["y"] + bounds["height"] <= FIRST_SCREEN["height"], bounds
    assert bounds["x"] >= 0 and bounds["x"] + bounds["width"] <= FIRST_SCREEN["width"], bounds
    # The profile comes before the chains.
    chart = page.locator(CHART).first
    chart.wait_for(state="attached", timeout=30_000)
    assert chart.bounding_box()["y"] > bounds["y"] + bounds["height"]
    assert page.get_by_text("Profile: NINGBO NEW CENTURY", exact=False).count() == 1


@pytest.mark.parametrize("query", ["", "?briefing=1"])
def test_the_first_chain_is_whole_in_the_first_screen(app_server, page, page_log, query):
    """At 1366x768 the controls take one row, so the marking line and every node of the first
    chain are on screen."""
    page.set_viewport_size(FIRST_SCREEN)
    open_spec(page, app_server.url, BY_PATH["/supply-chain"], page_log, query)
    _wait_for_charts(page, 2)
    page.evaluate("window.scrollTo(0, 0)")
    nodes = page.locator(CHART).first.locator(".sankey-node rect.node-rect")
    assert nodes.count() >= 5
    boxes = [nodes.nth(i).bounding_box() for i in range(nodes.count())]
    bottom = max(b["y"] + b["height"] for b in boxes)
    assert min(b["y"] for b in boxes) > 0 and bottom <= FIRST_SCREEN["height"], bottom
    marking = page.get_by_text("not an official assessment").first.bounding_box()
    assert 0 < marking["y"] < min(b["y"] for b in boxes), marking  # the marking comes first
    if not query:  # the three controls share one row
        tops = [page.get_by_label(name).first.bounding_box()["y"]
                for name in ("Search a name or alias", "Entity profile")]
        assert abs(tops[0] - tops[1]) < 8 and max(tops) < 200, tops


@pytest.mark.parametrize("width", [1366, 1920])
def test_no_network_label_covers_another_on_screen(app_server, page, page_log, width):
    """The network's node labels are placed for the page's width (figures.network_labels):
    in Chromium their drawn boxes do not overlap, and most nodes keep a label."""
    page.set_viewport_size({"width": width, "height": 900})
    open_spec(page, app_server.url, BY_PATH["/supply-chain"], page_log)
    network = page.locator("[data-testid='stPlotlyChart'][aria-label^='Network of']")
    network.locator(".textpoint text").first.wait_for(state="attached", timeout=30_000)
    network.scroll_into_view_if_needed()
    texts = network.locator(".textpoint text")
    boxes = [b for b in (texts.nth(i).bounding_box() for i in range(texts.count())) if b and b["width"] > 0]
    assert len(boxes) >= 15, len(boxes)  # the default network has 19 nodes
    overlaps = [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:]
                if a["x"] + a["width"] - 1 > b["x"] and b["x"] + b["width"] - 1 > a["x"]
                and a["y"] + a["height"] - 1 > b["y"] and b["y"] + b["height"] - 1 > a["y"]]
    assert overlaps == [], overlaps[:3]


@pytest.mark.parametrize("path, query", [("/", ""), ("/supply-chain", ""), ("/supply-chain", "?entity=C_LIMMT"),
                                         ("/supply-chain", "?entity=O_SHIG"), ("/systems", ""), ("/sources", "")])
def test_no_classification_mark_or_street_address_on_any_page(app_server, page, page_log, path, query):
    if path == "/":
        page.goto(app_server.url + "/" + query)
        wait_for_app(page)
    else:
        open_spec(page, app_server.url, BY_PATH[path], page_log, query)
    settle_network(page, page_log)
    main = page.locator("[data-testid='stMain']")
    # Page text, plotly SVG text, and the cells the data grids expose (the rows on screen).
    texts = [main.inner_text()] + page.locator(f"{PLOTLY_SVG} text").all_text_contents() \
        + page.locator("[data-testid='stDataFrame'] [role='gridcell']").all_text_contents()
    assert len(" ".join(texts)) > 500  # the page did render text to scan
    if path == "/systems":  # systems.caveat is shown next to the table
        assert "may be one missile" in texts[0]
    marks = [m.group(0) for t in texts for m in CLASSIFICATION_MARK.finditer(t)]
    addresses = [m.group(0) for t in texts for m in STREET_ADDRESS.finditer(t)]
    assert marks == [] and addresses == []


def test_shahab_family_is_one_chain_and_offers_are_not_deliveries(app_server, page, page_log):
    open_spec(page, app_server.url, BY_PATH["/supply-chain"], page_log)
    _wait_for_charts(page, 2)
    titles = [t for t in _chart_titles(page) if t.startswith("Supply chain:")]
    assert titles == ["Supply chain: Shahab-3 / Shahab-3 (improved) / Ghadr-1", "Supply chain: Sejjil"]
    chart = page.locator(CHART).first  # both of plotly's SVG layers (the legend is in the top one)
    legend = [" ".join(t.split()) for t in chart.locator(".legendtext").all_text_contents()]
    assert "delivered (supplied): solid flow" in legend
    assert "offered, not delivered: pale, dotted" in legend and "ordered, not delivered: pale, dotted" in legend
    assert any(t.startswith("flow: supplier → goods → producer → system") for t in chart.locator(".legendtitletext").all_text_contents())
    labels = " ".join(chart.locator(".sankey .node-label").all_text_contents())
    assert "(offered - not" in labels and "(ordered - not" in labels
    assert "U.S.-origin integrated" in labels
    # Links: the delivery is opaque, the offers and orders pale.
    opacities = {float(x) for x in re.findall(r"fill-opacity:\s*([0-9.]+)",
                                               " ".join(chart.locator(".sankey-link").evaluate_all(
                                                   "els => els.map(e => e.getAttribute('style') || '')")))}
    assert 0.85 in opacities and 0.22 in opacities, opacities
    # At most three lines of gaps under the chart; the expander holds them all.
    note = chart.locator(".annotation-text").first.text_content()
    assert note.startswith("What the sources do not support (") and "more, listed on the Supply chain page under the chart." in note
    assert page.get_by_text(re.compile(r"^What the sources do not support \(\d+\): Shahab-3")).count() == 1
