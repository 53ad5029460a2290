"""Fixtures for the browser tests: the app server, Chromium, and a recorded page.

- ``app_server`` (session): one ``streamlit run dashboard/serve.py`` started the way the
  Makefile does (``.venv/bin/streamlit run dashboard/serve.py --server.port P``, cwd = the
  repository root so ``.streamlit/config.toml`` applies) on a free port, reading the real
  ``data/``. ``start_app(data_dir, extra_env)`` starts another one for tests that need
  their own data (XSS corpus, read-only copy, broken CSV). Every server is stopped at the
  end (terminate, then kill) and must leave no process behind.
- ``browser`` (session) and ``page`` (function): a fresh context per test that records
  every request and websocket URL, failed request, console error, page error and dialog
  (``page_log``). ``external_requests(page_log)`` lists what left the machine.
- ``wait_for_app(page_or_frame)`` waits the way Streamlit's own e2e suite does.
- A failed test leaves ``artifacts/e2e/<test>.png`` (artifacts/ is gitignored).

E2E_DATA_DIR overrides the default data folder (a developer convenience while data/ is
incomplete); tests that need special data always pass their own folder.
"""

from __future__ import annotations

import http.server

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import psutil
import pytest

from tests.browser import require_chromium

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data"
ARTIFACTS = REPO / "artifacts" / "e2e"
HEALTH_TIMEOUT_S = 60
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
LOCAL_SCHEMES = {"data", "blob", "about"}
VIEWPORT = {"width": 1280, "height": 900}
# Variables that change what the app reads or accepts: never inherited from the shell.
APP_ENV_VARS = ("DASHBOARD_DATA_DIR",)


def default_data_dir() -> Path:
    override = os.environ.get("E2E_DATA_DIR")
    return Path(override).resolve() if override else DATA


def streamlit_executable() -> str:
    """The Makefile's ``.venv/bin/streamlit``, else the one next to this interpreter."""
    for candidate in (REPO / ".venv" / "bin" / "streamlit", Path(sys.executable).parent / "streamlit"):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    pytest.fail("no streamlit executable: run `make run` once to create .venv")


def free_port() -> int:
    # Streamlit (no server.address set) listens on every interface, so probe the same way.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("", 0))
        return s.getsockname()[1]


# ------------------------------------------------------------------------------ servers


@dataclass
class AppServer:
    """One running ``streamlit run`` process and its log."""

    port: int
    data_dir: Path
    log_path: Path
    proc: subprocess.Popen
    env: dict[str, str]
    _family: dict[int, psutil.Process] = field(default_factory=dict)
    _stopped: bool = False

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}"

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/_stcore/health", timeout=2) as r:
                return r.status == 200 and r.read().decode().strip() == "ok"
        except (OSError, urllib.error.URLError):
            return False

    def remember_children(self) -> None:
        """Note every descendant and every member of the server's process group (its session)."""
        try:
            found = psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            found = []
        for proc in psutil.process_iter():
            try:
                if proc.pid != self.proc.pid and os.getpgid(proc.pid) == self.proc.pid:
                    found.append(proc)
            except (ProcessLookupError, psutil.Error):
                pass
        for proc in found:
            self._family.setdefault(proc.pid, proc)  # Process objects: safe against PID reuse

    def stop(self) -> None:
        """Terminate, then kill, the server and anything it started; assert none survive."""
        if self._stopped:
            return
        self._stopped = True
        if self.proc.poll() is None:
            self.remember_children()
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        survivors = [p for p in self._family.values() if _alive(p)]
        for child in survivors:
            try:
                child.terminate()
            except psutil.NoSuchProcess:
                pass
        _, alive = psutil.wait_procs(survivors, timeout=5)
        for child in alive:
            try:
                child.kill()
            except psutil.NoSuchProcess:
                pass
        if self.log_path.exists():  # keep the server log next to the screenshots
            (ARTIFACTS / "logs").mkdir(parents=True, exist_ok=True)
            shutil.copyfile(self.log_path, ARTIFACTS / "logs" / self.log_path.name)
        assert not survivors, f"server on port {self.port} left orphans: {[p.pid for p in survivors]}"


def _alive(proc: psutil.Process) -> bool:
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _spawn(data_dir: Path, extra_env: dict[str, str] | None, log_dir: Path,
           script: str = "dashboard/serve.py", allow_markup: bool = False) -> AppServer:
    """Start ``streamlit run <script>`` from the repository root and wait until healthy.

    ``allow_markup``: through tests/e2e/allow_markup_app.py, which lets markup past the
    validator in that server process only."""
    streamlit = streamlit_executable()
    command = [str(Path(streamlit).with_name("python")), "-m", "tests.e2e.allow_markup_app"] if allow_markup else [streamlit]
    env = {k: v for k, v in os.environ.items() if k not in APP_ENV_VARS}
    env.update({"DASHBOARD_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"})
    env.update(extra_env or {})
    log_text = ""
    for _attempt in range(3):  # like Streamlit's own e2e: a port taken meanwhile gets a retry
        port = free_port()
        log_path = log_dir / f"streamlit-{port}.log"
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                [*command, "run", script, "--server.port", str(port)],
                cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        server = AppServer(port, data_dir, log_path, proc, env)
        deadline = time.monotonic() + HEALTH_TIMEOUT_S
        while time.monotonic() < deadline and proc.poll() is None:
            if server.healthy():
                server.remember_children()
                return server
            time.sleep(0.2)
        exited = proc.poll() is not None
        log_text = server.log_text()
        server.stop()
        if not exited:
            break  # alive but never healthy: a retry would not help
    pytest.fail(f"streamlit did not report healthy within {HEALTH_TIMEOUT_S} s; log:\n{log_text[-3000:]}")


@pytest.fixture(scope="session")
def _server_registry(tmp_path_factory):
    servers: list[AppServer] = []
    log_dir = tmp_path_factory.mktemp("streamlit-logs")
    yield servers, log_dir
    problems = []
    for server in servers:
        try:
            server.stop()
        except AssertionError as exc:
            problems.append(str(exc))
    assert not problems, problems


@pytest.fixture(scope="session")
def start_app(_server_registry):
    """Factory: ``start_app(data_dir=None, extra_env=None, allow_markup=False) -> AppServer`` (healthy).

    Call ``server.stop()`` when done; anything still running is stopped at session end.
    """
    require_chromium()  # no point starting servers for tests that will skip (or fail under CI)
    servers, log_dir = _server_registry

    def start(data_dir: str | os.PathLike | None = None, extra_env: dict[str, str] | None = None,
              allow_markup: bool = False) -> AppServer:
        server = _spawn(Path(data_dir) if data_dir else default_data_dir(), extra_env, log_dir, allow_markup=allow_markup)
        servers.append(server)
        return server

    return start


@pytest.fixture(scope="session")
def app_server(start_app):
    """The app on the real data/ (or $E2E_DATA_DIR), shared by the whole session."""
    server = start_app()
    yield server
    server.stop()


# ------------------------------------------------------------------------------ browser


# ``playwright_instance`` and ``browser`` (session) live in tests/conftest.py: one Playwright per run.


@dataclass
class PageLog:
    """Everything a page did that a test may want to assert on."""

    requests: list[str] = field(default_factory=list)      # every HTTP(S) request URL
    websockets: list[str] = field(default_factory=list)    # every websocket URL
    failed: list[tuple[str, str]] = field(default_factory=list)          # (url, failure)
    console_errors: list[tuple[str, str]] = field(default_factory=list)  # (text, source url)
    page_errors: list[str] = field(default_factory=list)  # uncaught exceptions
    dialogs: list[tuple[str, str]] = field(default_factory=list)         # (type, message)

    def clear(self) -> None:
        for name in ("requests", "websockets", "failed", "console_errors", "page_errors", "dialogs"):
            getattr(self, name).clear()


def _on_dialog(log: PageLog):
    def handle(dialog):
        log.dialogs.append((dialog.type, dialog.message))
        try:
            dialog.dismiss()
        except Exception:  # the page may already be gone
            pass
    return handle


def _record(log: PageLog, page) -> None:
    page.on("websocket", lambda ws: log.websockets.append(ws.url))
    page.on("pageerror", lambda exc: log.page_errors.append(str(exc)))


@pytest.fixture
def page_log() -> PageLog:
    return PageLog()


@pytest.fixture
def context(browser, page_log):
    ctx = browser.new_context(viewport=VIEWPORT)
    ctx.on("request", lambda r: log_request(page_log, r))
    ctx.on("requestfailed", lambda r: page_log.failed.append((r.url, r.failure or "")))
    ctx.on("console", lambda m: page_log.console_errors.append((m.text, (m.location or {}).get("url", "")))
           if m.type == "error" else None)
    ctx.on("dialog", _on_dialog(page_log))
    ctx.on("page", lambda p: _record(page_log, p))
    yield ctx
    ctx.close()


def log_request(log: PageLog, request) -> None:
    log.requests.append(request.url)


@pytest.fixture
def page(context, request):
    p = context.new_page()
    yield p
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        save_screenshot(p, request.node.name)


def save_screenshot(page, name: str) -> Path | None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / (re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_")[:120] + ".png")
    try:
        page.screenshot(path=str(path), full_page=True)
    except Exception:  # a crashed page must not hide the real failure
        return None
    return path


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


# ------------------------------------------------------------------------------ helpers


def wait_for_app(target, timeout_ms: float = 30_000, settle_ms: int = 300) -> None:
    """Wait for a Streamlit app (in a Page or a Frame) to be connected and idle.

    Modelled on Streamlit's e2e ``wait_for_app_loaded``/``wait_for_app_run``: the view
    container is attached, the app is CONNECTED, the script is notRunning, no skeleton
    is left, then a short settle delay (pydeck debounces by 200 ms).
    """
    from playwright.sync_api import expect

    target.wait_for_selector("[data-testid='stAppViewContainer']", state="attached", timeout=timeout_ms)
    target.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']",
                             state="attached", timeout=timeout_ms)
    target.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']",
                             state="attached", timeout=timeout_ms)
    expect(target.get_by_test_id("stSkeleton")).to_have_count(0, timeout=timeout_ms)
    target.wait_for_timeout(settle_ms)


def settle_network(page, log: PageLog, quiet_ms: int = 400, max_ms: int = 5000) -> None:
    """Wait until no new request has been logged for ``quiet_ms`` (late favicons, chunks)."""
    waited, seen = 0, -1
    while waited < max_ms:
        count = len(log.requests) + len(log.failed)
        if count == seen:
            return
        seen = count
        page.wait_for_timeout(quiet_ms)
        waited += quiet_ms


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return True
    return (parts.hostname or "") in LOCAL_HOSTS


def external_requests(log: PageLog) -> list[str]:
    """Every request or websocket that went (or tried to go) off the machine."""
    return [url for url in [*log.requests, *log.websockets, *(u for u, _ in log.failed)] if not is_local(url)]


# Streamlit's frontend first probes <page path>/_stcore/{health,host-config} on a deep
# link (in case the app is served under a path prefix), gets 404, then uses the root.
# That browser-logged 404 is framework behaviour, not an app error.
_PROBE_404 = re.compile(r"^https?://[^/]+/.+/_stcore/(health|host-config)$")


def console_errors(log: PageLog) -> list[tuple[str, str]]:
    """Console errors and uncaught page errors, minus Streamlit's deep-link probe 404s."""
    errors = [
        (text, url) for text, url in log.console_errors
        if not (text.startswith("Failed to load resource: the server responded with a status of 404")
                and _PROBE_404.match(url))
    ]
    return errors + [(text, "pageerror") for text in log.page_errors]


def copy_data(src: Path, dest: Path) -> Path:
    """A private copy of a data package (no Python files or caches)."""
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return dest


# ------------------------------------------------------------------------------ pages
# The app's pages as the browser tests know them: extend PAGES when a page is added. A
# page listed here but not yet in the app (Streamlit shows "Page not found" and runs the
# main page) makes its tests skip at run time; once it exists they run.


@dataclass(frozen=True)
class PageSpec:
    path: str                  # URL path, e.g. "/systems"
    title: str                 # regex the page's first heading (st.title) must match
    deck: bool = False         # page draws a pydeck map (a deck.gl canvas)
    plotly: bool = False       # page draws at least one plotly chart
    default_rank: int | None = None  # which page "/" shows: lowest rank among pages that exist

    @property
    def slug(self) -> str:
        return self.path.strip("/") or "root"

    def heading_matches(self, text: str) -> bool:
        return re.search(self.title, text, flags=re.IGNORECASE) is not None


PAGES: list[PageSpec] = [
    PageSpec("/map", r"map|range|reach", deck=True, default_rank=0),
    PageSpec("/systems", r"^Systems$", default_rank=1),
    PageSpec("/sources", r"^Sources$"),
    PageSpec("/supply-chain", r"supply", plotly=True),
]
BY_PATH = {p.path: p for p in PAGES}

NOT_FOUND_TEXT = "does not seem to exist"
HEADING = "[data-testid='stMain'] h1"

_defaults: dict[str, PageSpec] = {}  # base URL -> the PAGES entry "/" shows


def heading_text(page, polls: int = 8) -> str:
    """Text of the page's first h1, or "" when there is none.

    Call after wait_for_app: by then the script has sent every element. Polls with
    count() rather than a timed wait: a renderer busy drawing a map delays each call
    but cannot make it time out, so a slow machine gives no false "no heading".
    """
    heading = page.locator(HEADING)
    for _ in range(polls):
        if heading.count():
            return heading.first.inner_text().strip()
        page.wait_for_timeout(250)
    return ""


def not_found_shown(page, log: "PageLog | None" = None) -> bool:
    """True when Streamlit says the requested page does not exist."""
    if log is not None and any(NOT_FOUND_TEXT in text for text, _ in log.console_errors):
        return True
    return page.get_by_text(NOT_FOUND_TEXT).count() > 0


def open_page(page, url: str, log: "PageLog | None" = None) -> str:
    """Go to ``url``, wait for the app, fail if Streamlit says "Page not found"; return the heading."""
    page.goto(url)
    wait_for_app(page)
    assert not not_found_shown(page, log), f"{url}: Streamlit says the page does not exist"
    return heading_text(page)


def default_page(page, base_url: str) -> PageSpec:
    """The PAGES entry "/" shows: the best-ranked default candidate matching its heading."""
    if base_url not in _defaults:
        heading = open_page(page, base_url + "/")
        candidates = sorted((p for p in PAGES if p.default_rank is not None), key=lambda p: p.default_rank)
        found = next((spec for spec in candidates if spec.heading_matches(heading)), None)
        if found is None:
            alerts = " | ".join(page.get_by_test_id("stAlert").all_inner_texts())
            pytest.fail(f"'/' shows heading {heading!r}, which matches no default candidate in PAGES; alerts: {alerts[:800]!r}")
        _defaults[base_url] = found
    return _defaults[base_url]


def try_open(page, base_url: str, spec: PageSpec, log: "PageLog | None" = None, query: str = "") -> str | None:
    """Open ``spec``'s page; return its heading, or None when the app does not have it.

    Streamlit answers the default page's url_path with "Page not found" and serves it at
    "/" only (unless the app adds an alias), so a default candidate is also tried at "/".
    """
    page.goto(base_url + spec.path + query)
    wait_for_app(page)
    if not not_found_shown(page, log):
        return heading_text(page)
    if spec.default_rank is None or default_page(page, base_url) != spec:
        return None
    if log is not None:
        log.clear()  # the not-found detour is not this page's doing
    return open_page(page, base_url + "/" + query, log)


def open_spec(page, base_url: str, spec: PageSpec, log: "PageLog | None" = None, query: str = "") -> str:
    """Open ``spec``'s page and return its heading; fail the test if the app lacks the page."""
    heading = try_open(page, base_url, spec, log, query)
    if heading is None:
        pytest.fail(f"{spec.path}: the app has no such page (Streamlit: page not found)", pytrace=False)
    return heading


# ------------------------------------------------------------------------------ charts

DECK_CANVAS = "[data-testid='stDeckGlJsonChart'] canvas"
PLOTLY_SVG = "[data-testid='stPlotlyChart'] .js-plotly-plot .main-svg"


def canvas_drawn(page, selector: str = DECK_CANVAS, timeout_s: float = 20.0, min_colours: int = 4) -> bool:
    """True once the first canvas matching ``selector`` shows more than a blank fill.

    deck.gl draws through WebGL (SwiftShader here) after loading its chunk, so poll a
    screenshot of the element until it has a few distinct colours.
    """
    import io

    from PIL import Image

    canvas = page.locator(selector).first
    canvas.wait_for(state="visible", timeout=timeout_s * 1000)
    deadline = time.monotonic() + timeout_s
    while True:
        shot = Image.open(io.BytesIO(canvas.screenshot())).convert("RGB").resize((160, 120), Image.NEAREST)
        if len(shot.getcolors(maxcolors=160 * 120) or ()) >= min_colours:
            return True
        if time.monotonic() > deadline:
            return False
        page.wait_for_timeout(500)


def colour_share(page, rgb: tuple[int, int, int], tolerance: int = 8, selector: str = DECK_CANVAS) -> float:
    """Share of the canvas's pixels within ``tolerance`` per channel of ``rgb``."""
    import io

    from PIL import Image

    shot = Image.open(io.BytesIO(page.locator(selector).first.screenshot())).convert("RGB").resize((320, 240), Image.NEAREST)
    near = sum(n for n, c in shot.getcolors(320 * 240) if all(abs(a - b) <= tolerance for a, b in zip(c, rgb)))
    return near / (320 * 240)


def exercise(page, hover_grid: tuple[int, int] | None = (5, 3), on_hover=None, sweep: int = 30) -> None:
    """Open every expander, then hover and scroll every table and chart on the page.

    ``on_hover(page)`` is called after each hover (e.g. to read a tooltip). With
    ``hover_grid=None`` only the expanders are opened.
    """
    for details in page.locator("[data-testid='stExpander'] details").all():
        if not details.evaluate("d => d.open"):
            summary = details.locator("summary").first
            summary.scroll_into_view_if_needed()
            summary.click()
    if page.locator("[data-testid='stExpander']").count():
        wait_for_app(page, settle_ms=200)
    if hover_grid is None:
        return
    charts = "[data-testid='stDeckGlJsonChart'], [data-testid='stPlotlyChart'], [data-testid='stVegaLiteChart']"
    for element in [*page.get_by_test_id("stDataFrame").all(), *page.locator(charts).all()]:
        element.scroll_into_view_if_needed()
        box = element.bounding_box()
        if not box or box["width"] < 4 or box["height"] < 4:
            continue
        cols, rows = hover_grid
        points = [(box["width"] * (i + 0.5) / cols, box["height"] * (j + 0.5) / rows)
                  for i in range(cols) for j in range(rows)]
        if element.get_attribute("data-testid") == "stDeckGlJsonChart":  # maps: also sweep the middle line
            points += [(box["width"] * (k + 0.5) / sweep, box["height"] / 2) for k in range(sweep)]
        for x, y in points:
            page.mouse.move(box["x"] + x, box["y"] + y)
            page.wait_for_timeout(60)
            if on_hover is not None:
                on_hover(page)
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.wheel(0, 300)
        page.wait_for_timeout(100)
    page.mouse.move(1, 1)


class HostHandler(http.server.BaseHTTPRequestHandler):
    """Serves one page (``body``) at / and /host.html, e.g. an intranet page framing the app."""

    def __init__(self, *args, body: bytes, **kwargs):
        self.body = body
        super().__init__(*args, **kwargs)

    def do_GET(self):  # noqa: N802 (http.server API)
        if self.path not in ("/", "/host.html"):
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


def download_pngs_at_once(pages: list, base_url: str, queries: list[str]) -> dict:
    """Open each query in its page, open the share panels, then click every "Download PNG"
    at once; returns {page: RGB pixel bytes of its download}."""
    from PIL import Image

    for page, query in zip(pages, queries):
        page.goto(f"{base_url}/?{query}", wait_until="commit")
    for page in pages:
        wait_for_app(page, timeout_ms=150_000)
        page.get_by_text("Share, embed and export").click(timeout=120_000)
    buttons = [page.get_by_role("button", name="Download PNG") for page in pages]
    for button in buttons:
        button.wait_for(timeout=120_000)
    downloads = []
    for page, button in zip(pages, buttons):
        page.once("download", lambda d: downloads.append(d))
        button.click(timeout=120_000)
    deadline = time.monotonic() + 300
    while len(downloads) < len(queries) and time.monotonic() < deadline:
        pages[0].wait_for_timeout(500)
    assert len(downloads) == len(queries), f"{len(downloads)} of {len(queries)} downloads arrived"
    return {d.page: Image.open(d.path()).convert("RGB").tobytes() for d in downloads}
