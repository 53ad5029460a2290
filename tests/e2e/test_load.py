"""Load: 10 concurrent browser sessions for 3 cycles of open, interact, close (marked slow).

Each cycle opens 10 tabs on different views at once (each tab is its own Streamlit
session), waits until every one has drawn, changes a control in each, and closes them.
After each cycle the server's RSS is sampled; the pass condition is that it levels off
(cycle 3 within 10 % + 50 MB of cycle 1), not that it never grows, because the allocator
keeps freed memory. Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import time

import psutil
import pytest

from tests.e2e.conftest import external_requests, wait_for_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SESSIONS = 10
CYCLES = 3
VIEWS = ["/map", "/map?from=semnan", "/map?systems=SEJJIL", "/systems", "/sources",
         "/supply-chain", "/supply-chain?entity=C_LIMMT", "/map?claim=max", "/map?from=territory", "/systems"]


def rss_mb(proc: psutil.Process) -> float:
    return sum(p.memory_info().rss for p in [proc, *proc.children(recursive=True)]) / 2**20


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
        for page in pages:  # interact: open a deep link in the same session
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
