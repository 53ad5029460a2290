"""Load: 10 concurrent browser sessions for 3 cycles of open, interact, close (marked slow).

Each cycle opens 10 tabs on different views at once (each tab is its own Streamlit
session), waits until every one has drawn, opens a panel in each (a rerun), follows a
deep link in each, and closes them.
After each cycle the server's RSS is sampled; the pass condition is that it levels off
(cycle 3 within 10 % + 50 MB of cycle 1), not that it never grows, because the allocator
keeps freed memory. Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import io
import time

import psutil
import pytest

from tests.e2e.conftest import download_pngs_at_once, external_requests, wait_for_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SESSIONS = 10
CYCLES = 3
VIEWS = ["/map", "/map?from=semnan", "/map?systems=SEJJIL", "/systems", "/sources",
         "/supply-chain", "/supply-chain?entity=C_LIMMT", "/map?claim=max", "/map?from=territory", "/systems"]


def rss_mb(proc: psutil.Process) -> float:
    return sum(p.memory_info().rss for p in [proc, *proc.children(recursive=True)]) / 2**20


def interact(page) -> None:
    """Open the share panel (opening it reruns the page; /sources has none: it is one table)."""
    share = page.get_by_text("Share, embed and export")
    if share.count():
        share.click(timeout=120_000)


@pytest.mark.timeout(1800)  # 3 cycles of 10 map-heavy sessions on software WebGL: minutes each
def test_ten_sessions_three_cycles_memory_levels_off(start_app, browser, page_log):
    server = start_app(extra_env={"STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": "5"})
    proc = psutil.Process(server.proc.pid)
    per_cycle = []
    for cycle in range(CYCLES):
        context = browser.new_context(viewport={"width": 1200, "height": 800})
        context.on("request", lambda r: page_log.requests.append(r.url))
        pages = []
        for i in range(SESSIONS):
            page = context.new_page()
            page.goto(server.url + VIEWS[i], wait_until="commit")
            pages.append(page)
        for page in pages:
            wait_for_app(page, timeout_ms=120_000)
            assert page.locator("h1").count() >= 1, f"cycle {cycle}: {page.url} drew no heading"
            assert page.get_by_test_id("stException").count() == 0
        for page in pages:  # interact: open a panel (a rerun on the server), then a deep link
            interact(page)
        for page in pages:
            wait_for_app(page, timeout_ms=120_000)
            assert page.get_by_test_id("stException").count() == 0
            page.goto(server.url + "/map?systems=GHADR1", wait_until="commit")
        for page in pages:
            wait_for_app(page, timeout_ms=120_000)
        context.close()
        time.sleep(6)  # past the 5 s disconnected-session TTL
        per_cycle.append(rss_mb(proc))
        print(f"cycle {cycle + 1}: server RSS {per_cycle[-1]:.0f} MB")
    assert server.healthy()
    assert "Traceback" not in server.log_text()
    assert per_cycle[-1] <= per_cycle[0] * 1.10 + 50, f"RSS per cycle (MB): {per_cycle}"
    assert external_requests(page_log) == []


EXPORT_VIEWS = ["", "from=semnan", "systems=SEJJIL", "systems=GHADR1&from=territory", "claim=max",
                "systems=SHAHAB3,SEJJIL", "from=chabahar", "systems=SHAHAB3_IMP&from=khorramabad"]


@pytest.mark.timeout(900)
def test_eight_concurrent_exports_each_equal_the_export_done_alone(start_app, browser, page_log):
    """8 sessions click "Download PNG" at once on 8 views; each file equals that view's lone render."""
    from PIL import Image

    from dashboard import export
    from dashboard.views.dashboard import Dashboard
    from dashboard.views.report import SIZES, today

    server = start_app()
    context = browser.new_context(viewport={"width": 1200, "height": 800}, accept_downloads=True)
    context.on("request", lambda r: page_log.requests.append(r.url))
    pages = [context.new_page() for _ in EXPORT_VIEWS]
    got = download_pngs_at_once(pages, server.url, EXPORT_VIEWS)
    context.close()

    dash = Dashboard.load(server.data_dir)
    width, height, scale = SIZES["report"]
    for page, query in zip(pages, EXPORT_VIEWS):
        alone = export.render(dash.figure(dash.parse(query), "map", date=today()),
                              "png", width, height, scale)
        assert got[page] == Image.open(io.BytesIO(alone)).convert("RGB").tobytes(), f"view {query!r} differs from its lone export"
    assert len(set(got.values())) == len(EXPORT_VIEWS)
    assert "Traceback" not in server.log_text()
    assert external_requests(page_log) == []
