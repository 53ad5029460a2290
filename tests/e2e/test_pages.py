"""Every page and a few deep links render in Chromium, offline, and inside a cross-origin iframe.

For each page: the expected heading, no console error, no request off the machine, and a
drawn deck.gl canvas where the page has a map. Screenshots go to artifacts/e2e/.
Pages listed in conftest.PAGES that the app does not have yet are skipped at run time.
"""

from __future__ import annotations

from datetime import date

import http.server
import re
import threading
from functools import partial

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    ARTIFACTS,
    HostHandler,
    DECK_CANVAS,
    PLOTLY_SVG,
    BY_PATH,
    PAGES,
    canvas_drawn,
    console_errors,
    default_page,
    external_requests,
    heading_text,
    not_found_shown,
    open_page,
    open_spec,
    settle_network,
    try_open,
    wait_for_app,
)

pytestmark = pytest.mark.browser

# Deep links: (page path, query, text the page must then show); "/" is the default page.
DEEP_LINKS = [
    ("/", "?embed=true", None),
    ("/", "?systems=SHAHAB3,SEJJIL&from=semnan&claim=max", "measured from Semnan"),
    ("/systems", "?embed=true", None),
    ("/sources", "?embed=true&embed_options=show_toolbar", None),
    ("/supply-chain", "?embed=true", None),
    ("/supply-chain", "?systems=SEJJIL&kind=company&country=China", None),
]


def _shot_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_") or "root"


def _check_page(page, page_log, spec, heading: str, shot_name: str, embedded: bool = False) -> None:
    """Heading (optional when embedded: a page may lead with its figure), map drawn, clean logs."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    alerts = " | ".join(page.get_by_test_id("stAlert").all_inner_texts())[:500]
    if heading or not embedded:
        assert spec.heading_matches(heading), f"{spec.path}: heading {heading!r} does not match {spec.title!r}; alerts: {alerts!r}"
    else:
        assert spec.deck, f"{spec.path}: embedded page shows no heading and no map; alerts: {alerts!r}"
    if spec.deck:
        assert canvas_drawn(page), f"{spec.path}: the deck.gl canvas stayed blank"
    if spec.plotly:
        expect(page.locator(PLOTLY_SVG).first).to_be_visible(timeout=20_000)
    # Every map and chart has an accessible name that says what it shows.
    figures = page.locator("[data-testid='stDeckGlJsonChart'], [data-testid='stPlotlyChart']")
    names = [figures.nth(i).get_attribute("aria-label") or "" for i in range(figures.count())]
    assert len(names) >= spec.deck + spec.plotly, f"{spec.path}: figures missing: {names}"
    assert all(len(n) > 40 for n in names), f"{spec.path}: a figure without an accessible name: {names}"
    if spec.deck:
        assert "Map of geodesic range rings, range measured from" in names[0] and "km" in names[0], names[0]
    page.locator("[data-testid='stMain']").evaluate("e => e.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / f"{shot_name}.png"), full_page=True)
    settle_network(page, page_log)
    assert page.get_by_test_id("stException").count() == 0, "an exception box is shown"
    assert not page_log.dialogs, page_log.dialogs
    assert console_errors(page_log) == [], console_errors(page_log)
    assert external_requests(page_log) == [], external_requests(page_log)


@pytest.mark.parametrize("spec", PAGES, ids=lambda s: s.slug)
def test_page(page, page_log, app_server, spec):
    heading = open_spec(page, app_server.url, spec, page_log)
    _check_page(page, page_log, spec, heading, f"page_{spec.slug}")


def test_root_shows_default_page(page, page_log, app_server):
    """"/" shows the best-ranked default candidate the app has."""
    page_log.clear()
    spec = default_page(page, app_server.url)  # loads "/" unless another test already did
    if page.url.rstrip("/") != app_server.url:
        heading = open_page(page, app_server.url + "/", page_log)
    else:
        heading = heading_text(page)
    _check_page(page, page_log, spec, heading, "page_root")
    for better in PAGES:
        if better.default_rank is not None and better.default_rank < spec.default_rank:
            assert try_open(page, app_server.url, better) is None, f"'/' shows {spec.path}, but {better.path} exists and ranks first"


@pytest.mark.parametrize("path, query, shows", DEEP_LINKS, ids=[p + q for p, q, _ in DEEP_LINKS])
def test_deep_link(page, page_log, app_server, path, query, shows):
    if path == "/":
        spec = default_page(page, app_server.url)
        page_log.clear()
        heading = open_page(page, app_server.url + "/" + query, page_log)
    else:
        spec = BY_PATH[path]
        heading = open_spec(page, app_server.url, spec, page_log, query)
    if "embed=true" in query:
        # Embedded: no toolbar / main menu (unless embed_options asks for the toolbar).
        menus = page.get_by_test_id("stMainMenu").count()
        assert menus == (1 if "show_toolbar" in query else 0), f"{menus} main menu(s) in embed mode"
    if shows:
        assert shows in page.locator("[data-testid='stMain']").inner_text(), f"the page does not say {shows!r}"
    _check_page(page, page_log, spec, heading, f"deeplink_{_shot_name((path if path != '/' else 'root') + query)}", embedded="embed=true" in query)


# ------------------------------------------------------------------------------ iframe


@pytest.fixture
def host_page(app_server):
    """Factory: host_page(path) -> http://127.0.0.1:H/host.html framing localhost:APP<path>?embed=true.

    The host is another origin (127.0.0.1 vs localhost, other port), as an intranet page is.
    """
    servers = []

    def start(path: str) -> str:
        body = (
            "<!doctype html><html><head><meta charset='utf-8'><link rel='icon' href='data:,'><title>Host</title></head><body>"
            "<h1 id='host'>Intranet host page</h1>"
            f"<iframe id='app' src='{app_server.url}{path}?embed=true' width='1200' height='800'></iframe>"
            "</body></html>"
        ).encode()
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(HostHandler, body=body))
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        servers.append((server, thread))
        return f"http://127.0.0.1:{server.server_address[1]}/host.html"

    yield start
    for server, thread in servers:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.mark.parametrize("spec", PAGES, ids=lambda s: s.slug)
def test_page_renders_in_cross_origin_iframe(page, page_log, app_server, host_page, spec):
    page_log.clear()
    page.goto(host_page(spec.path))
    frame = page.wait_for_selector("iframe#app").content_frame()
    assert frame is not None
    wait_for_app(frame)
    # The frame's content, through a frame locator: the page title, or (a page that leads
    # with its map when embedded) a drawn deck.gl canvas.
    app = page.frame_locator("iframe#app")
    expect(app.get_by_test_id("stMain")).to_be_attached(timeout=15_000)
    assert not not_found_shown(frame), f"{spec.path}: Streamlit says the page does not exist"
    headings = app.locator("[data-testid='stMain'] h1")
    if headings.count():
        title = headings.first.inner_text().strip()
        assert spec.heading_matches(title), title
    else:
        assert spec.deck, "the framed app shows neither a title nor a map"
    if spec.deck:
        expect(app.locator(DECK_CANVAS).first).to_be_visible(timeout=15_000)
        assert canvas_drawn(frame), "the deck.gl canvas stayed blank inside the iframe"
    if spec.plotly:
        expect(app.locator(PLOTLY_SVG).first).to_be_visible(timeout=20_000)
    assert frame.get_by_test_id("stException").count() == 0
    assert app.get_by_test_id("stMainMenu").count() == 0  # embed mode: no app menu
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"iframe_cross_origin_{spec.slug}.png"))
    assert page.locator("#host").inner_text() == "Intranet host page"
    settle_network(page, page_log)
    # The app talked to its own origin (localhost) from inside the 127.0.0.1 page.
    assert any(url.startswith(app_server.url.replace("http", "ws")) for url in page_log.websockets), page_log.websockets
    assert not page_log.dialogs, page_log.dialogs
    assert console_errors(page_log) == [], console_errors(page_log)
    assert external_requests(page_log) == [], external_requests(page_log)


# ------------------------------------------------------------------------------ share panel


def test_share_panel_link_reopens_the_view_and_png_downloads(page, page_log, app_server):
    """Open the panel as a user does, follow its link, and download the report PNG."""
    spec = default_page(page, app_server.url)
    page_log.clear()
    open_page(page, app_server.url + "/?systems=SEJJIL&from=semnan", page_log)
    assert page.get_by_test_id("stCode").count() == 0  # nothing sent until the panel opens
    page.get_by_text("Share, embed and export").click()
    link = page.get_by_test_id("stCode").first
    expect(link).to_contain_text("systems=SEJJIL", timeout=30_000)
    wait_for_app(page)
    href = link.inner_text().strip()
    assert href.startswith(app_server.url + "/?") and "from=semnan" in href  # absolute: the browser's address
    with page.expect_download(timeout=120_000) as download:
        page.get_by_role("button", name="Download PNG").click()
    path = download.value.path()
    assert download.value.suggested_filename == f"map-sejjil-semnan-{date.today().isoformat()}.png"  # the view and the date
    assert open(path, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    heading = open_page(page, href, page_log)
    assert "measured from Semnan" in page.locator("[data-testid='stMain']").inner_text()
    _check_page(page, page_log, spec, heading, "share_link_followed")
