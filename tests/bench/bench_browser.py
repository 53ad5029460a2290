"""Cold start until the rings are drawn in Chromium, and server memory at 1 and 10 sessions.

Cold start: from launching ``streamlit run`` (the way the Makefile does) to the first
screenshot of the deck.gl canvas that shows the first system's ring colour, in a fresh
browser context (empty cache) of an already running Chromium. The baseline is the same
measurement for a bare Streamlit page with one pydeck chart (tests/bench/bare_pydeck_page.py),
taken in the same run, alternating app and baseline so machine noise hits both alike;
medians of ``REPEATS`` runs.

Memory: resident set of the server process tree after one session has drawn the map, and
after ten concurrent sessions (the load suite's ten views) have finished their runs.
"""

from __future__ import annotations

import io
import statistics
import tempfile
import time
from pathlib import Path

import psutil

from tests.browser import launch
from tests.e2e.conftest import DATA, DECK_CANVAS, _spawn, is_local, wait_for_app
from tests.e2e.test_load import VIEWS

APP, BARE = "dashboard/app.py", "tests/bench/bare_pydeck_page.py"
REPEATS = 3
RING_RGB = (0, 114, 178)   # SYSTEM_STYLES[0], also the bare page's path colour
MIN_RING_PIXELS = 40       # of a 320x240 downscale: a drawn ring, not a stray pixel
TIMEOUT_S = 180


def ring_pixels(page) -> int:
    """Pixels of the deck canvas within 40 per channel of the first ring colour."""
    from PIL import Image

    shot = Image.open(io.BytesIO(page.locator(DECK_CANVAS).first.screenshot())).convert("RGB")
    shot = shot.resize((320, 240), Image.NEAREST)
    return sum(n for n, rgb in shot.getcolors(320 * 240) if all(abs(a - b) <= 40 for a, b in zip(rgb, RING_RGB)))


def wait_for_rings(page) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    page.locator(DECK_CANVAS).first.wait_for(state="visible", timeout=TIMEOUT_S * 1000)
    while ring_pixels(page) < MIN_RING_PIXELS:
        if time.monotonic() > deadline:
            raise TimeoutError("no ring drawn within the timeout")
        page.wait_for_timeout(100)


def rss_mb(pid: int) -> float:
    proc = psutil.Process(pid)
    return sum(p.memory_info().rss for p in [proc, *proc.children(recursive=True)]) / 2**20


def cold_start(browser, script: str, log_dir: Path) -> float:
    """Seconds from spawning the server to the first ring on screen."""
    t0 = time.perf_counter()
    server = _spawn(DATA, None, log_dir, script)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    off_machine: list[str] = []
    context.on("request", lambda r: None if is_local(r.url) else off_machine.append(r.url))
    try:
        page = context.new_page()
        page.goto(server.url + "/")
        wait_for_rings(page)
        elapsed = time.perf_counter() - t0
        assert not off_machine, f"{script} requested {off_machine}: not a fair (offline) comparison"
        return elapsed
    finally:
        context.close()
        server.stop()


def memory(browser, script: str, log_dir: Path, views: list[str]) -> tuple[float, float]:
    """Server RSS (MB) with one session that has drawn its map, then with len(views) sessions."""
    server = _spawn(DATA, None, log_dir, script)
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    try:
        first = context.new_page()
        first.goto(server.url + views[0])
        wait_for_rings(first)
        wait_for_app(first)
        one = rss_mb(server.proc.pid)
        pages = []
        for view in views[1:]:
            page = context.new_page()
            page.goto(server.url + view, wait_until="commit")
            pages.append(page)
        for page in pages:
            wait_for_app(page, timeout_ms=TIMEOUT_S * 1000)
        time.sleep(1)
        return one, rss_mb(server.proc.pid)
    finally:
        context.close()
        server.stop()


def run() -> list[dict]:
    from playwright.sync_api import sync_playwright

    log_dir = Path(tempfile.mkdtemp(prefix="bench-logs-"))
    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            times = {APP: [], BARE: []}
            for _ in range(REPEATS):
                for script in (BARE, APP):
                    times[script].append(cold_start(browser, script, log_dir))
            app_1, app_10 = memory(browser, APP, log_dir, VIEWS)
            bare_1, bare_10 = memory(browser, BARE, log_dir, ["/"] * len(VIEWS))
        finally:
            browser.close()
    t_app, t_bare = statistics.median(times[APP]), statistics.median(times[BARE])
    return [
        {"name": "cold start until rings drawn in Chromium (median of 3)", "value": t_app, "unit": "s", "goal": ""},
        {"name": "  bare Streamlit page with one pydeck chart, same measurement", "value": t_bare, "unit": "s", "goal": ""},
        {"name": "  ratio app / bare page", "value": t_app / t_bare, "unit": "x", "goal": ""},
        {"name": "server memory, 1 session (map drawn)", "value": app_1, "unit": "MB", "goal": ""},
        {"name": "server memory, 10 concurrent sessions (load-suite views)", "value": app_10, "unit": "MB", "goal": ""},
        {"name": "  per extra session", "value": (app_10 - app_1) / (len(VIEWS) - 1), "unit": "MB", "goal": ""},
        {"name": "  bare pydeck page: 1 / 10 sessions", "value": f"{bare_1:.0f} / {bare_10:.0f}", "unit": "MB", "goal": ""},
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
