"""First paint in Chromium on / and /supply-chain, and server memory at 1 and 10 sessions.

First paint: from launching ``streamlit run`` (the way the Makefile does) to the first
screenshot that shows the page's figure drawn, in a fresh browser context (empty cache) of
an already running Chromium: on / the deck.gl canvas showing the first system's ring
colour, on /supply-chain a drawn Sankey node. Each baseline is the same measurement for a
bare Streamlit page with one chart of the same kind and size (tests/bench/bare_pydeck_page.py,
bare_plotly_page.py), taken in the same run, alternating page and baseline so machine noise
hits both alike; medians of ``REPEATS`` runs. A third page on / draws the map page's own deck
JSON and nothing else (bare_deck_page.py): it splits the map's ratio into what the deck's
content costs the browser and what the app adds around it.

Memory: resident set of the server process tree after one session has drawn the map, and
after ten concurrent sessions (the load suite's ten views) have finished their runs.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

import psutil

from tests.browser import launch
from tests.e2e.conftest import DATA, DECK_CANVAS, _spawn, colour_share, is_local, wait_for_app
from tests.e2e.test_load import VIEWS

APP, BARE, BARE_PLOTLY = "dashboard/serve.py", "tests/bench/bare_pydeck_page.py", "tests/bench/bare_plotly_page.py"
BARE_DECK = "tests/bench/bare_deck_page.py"
REPEATS = 5
SANKEY_NODE = "[data-testid='stPlotlyChart'] .sankey-node"
RING_RGB = (0, 114, 178)   # SYSTEM_STYLES[0], also the bare page's path colour
MIN_RING_SHARE = 40 / (320 * 240)  # 40 pixels of a 320x240 downscale: a drawn ring, not a stray pixel
TIMEOUT_S = 180


def wait_for_rings(page) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    page.locator(DECK_CANVAS).first.wait_for(state="visible", timeout=TIMEOUT_S * 1000)
    while colour_share(page, RING_RGB, tolerance=40) < MIN_RING_SHARE:
        if time.monotonic() > deadline:
            raise TimeoutError("no ring drawn within the timeout")
        page.wait_for_timeout(100)


def wait_for_sankey(page) -> None:
    page.locator(SANKEY_NODE).first.wait_for(state="visible", timeout=TIMEOUT_S * 1000)


def rss_mb(pid: int) -> float:
    proc = psutil.Process(pid)
    return sum(p.memory_info().rss for p in [proc, *proc.children(recursive=True)]) / 2**20


def cold_start(browser, script: str, log_dir: Path, path: str = "/", drawn=wait_for_rings, env: dict | None = None) -> float:
    """Seconds from spawning the server to ``drawn(page)`` returning for ``path``."""
    t0 = time.perf_counter()
    server = _spawn(DATA, env, log_dir, script)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    off_machine: list[str] = []
    context.on("request", lambda r: None if is_local(r.url) else off_machine.append(r.url))
    try:
        page = context.new_page()
        page.goto(server.url + path)
        drawn(page)
        elapsed = time.perf_counter() - t0
        assert not off_machine, f"{script} requested {off_machine}: not a fair (offline) comparison"
        return elapsed
    finally:
        context.close()
        server.stop()


def memory(browser, script: str, log_dir: Path, views: list[str]) -> tuple[float, float, float]:
    """Server RSS (MB) with one session that has drawn its map, with len(views) sessions,
    then with len(views) more sessions of the same views (every page and view already drawn
    once, so the growth is what a session itself costs)."""
    server = _spawn(DATA, None, log_dir, script)
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    try:
        first = context.new_page()
        first.goto(server.url + views[0])
        wait_for_rings(first)
        wait_for_app(first)
        one = rss_mb(server.proc.pid)
        rss = []
        for batch in (views[1:], views):
            pages = []
            for view in batch:
                page = context.new_page()
                page.goto(server.url + view, wait_until="commit")
                pages.append(page)
            for page in pages:
                wait_for_app(page, timeout_ms=TIMEOUT_S * 1000)
            time.sleep(1)
            rss.append(rss_mb(server.proc.pid))
        return one, rss[0], rss[1]
    finally:
        context.close()
        server.stop()


def saved_deck(folder: Path) -> Path:
    """The default map's deck JSON and tooltip, as the map page sends them, in a file in
    ``folder`` (for bare_deck_page.py)."""
    from dashboard.ui.state import basemap_url
    from dashboard.views.dashboard import Dashboard
    from dashboard.views.mapview import DEFAULT_SIZE

    dash, problems = Dashboard.check(DATA, basemap_url(DATA))
    assert dash is not None, problems[:3]
    deck = dash.map(dash.default_view(), DEFAULT_SIZE, 13).deck
    path = folder / "deck.json"
    path.write_text(json.dumps({"spec": deck.to_json(), "tooltip": deck._tooltip}), encoding="utf-8")
    return path


def run() -> list[dict]:
    from playwright.sync_api import sync_playwright

    log_dir = Path(tempfile.mkdtemp(prefix="bench-logs-"))
    deck_env = {"BENCH_DECK_JSON": str(saved_deck(log_dir))}
    runs = {  # name: (script, path, drawn, extra environment)
        "map": (APP, "/", wait_for_rings, None), "bare map": (BARE, "/", wait_for_rings, None),
        "bare deck": (BARE_DECK, "/", wait_for_rings, deck_env),
        "chain": (APP, "/supply-chain", wait_for_sankey, None), "bare chain": (BARE_PLOTLY, "/", wait_for_sankey, None),
    }
    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            times = {name: [] for name in runs}
            for _ in range(REPEATS):
                for name, (script, path, drawn, env) in runs.items():
                    times[name].append(cold_start(browser, script, log_dir, path, drawn, env))
            app_1, app_10, app_20 = memory(browser, APP, log_dir, VIEWS)
            bare_1, bare_10, bare_20 = memory(browser, BARE, log_dir, ["/"] * len(VIEWS))
        finally:
            browser.close()
    t = {name: statistics.median(values) for name, values in times.items()}
    spread = {name: f"{min(v):.1f}–{max(v):.1f}" for name, v in times.items()}
    per_session, bare_per_session = (app_20 - app_10) / len(VIEWS), (bare_20 - bare_10) / len(VIEWS)
    return [
        {"name": f"first paint /: rings drawn in Chromium (median of {REPEATS}; range {spread['map']} s)", "value": t["map"], "unit": "s", "goal": ""},
        {"name": f"  bare page, one pydeck chart of the same size (range {spread['bare map']} s)", "value": t["bare map"], "unit": "s", "goal": ""},
        {"name": "  ratio / to its bare page", "value": t["map"] / t["bare map"], "unit": "x", "goal": "<= 1.2"},
        {"name": f"  bare page drawing the map page's own deck JSON (range {spread['bare deck']} s)", "value": t["bare deck"], "unit": "s", "goal": ""},
        {"name": "  ratio of that deck page to the one-path page: what the deck's content costs", "value": t["bare deck"] / t["bare map"], "unit": "x", "goal": "informational"},
        {"name": "  ratio / to the deck page: what the app adds around the same deck", "value": t["map"] / t["bare deck"], "unit": "x", "goal": "informational"},
        {"name": f"first paint /supply-chain: Sankey drawn (median of {REPEATS}; range {spread['chain']} s)", "value": t["chain"], "unit": "s", "goal": ""},
        {"name": f"  bare page, one plotly Sankey (range {spread['bare chain']} s)", "value": t["bare chain"], "unit": "s", "goal": ""},
        {"name": "  ratio /supply-chain to its bare page", "value": t["chain"] / t["bare chain"], "unit": "x", "goal": "<= 1.2"},
        {"name": "server memory, 1 session (map drawn)", "value": app_1, "unit": "MB", "goal": ""},
        {"name": "  bare pydeck page, 1 session", "value": bare_1, "unit": "MB", "goal": ""},
        {"name": "  ratio to the bare page", "value": app_1 / bare_1, "unit": "x", "goal": "<= 1.15"},
        {"name": "server memory, 10 concurrent sessions (load-suite views: first visit of each page and view)", "value": app_10, "unit": "MB", "goal": ""},
        {"name": "  growth per session over the first 10 (pages' modules, graph and views computed once)", "value": (app_10 - app_1) / (len(VIEWS) - 1), "unit": "MB", "goal": "informational"},
        {"name": "server memory, 20 sessions (the same 10 views again)", "value": app_20, "unit": "MB", "goal": ""},
        {"name": "  per extra session (sessions 11-20)", "value": per_session, "unit": "MB", "goal": "<= 2"},
        {"name": "  bare pydeck page: per extra session (sessions 11-20)", "value": bare_per_session, "unit": "MB", "goal": ""},
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
