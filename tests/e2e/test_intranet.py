"""The intranet deployment (deploy/intranet.py = `make intranet`): replicas behind nginx at /dashboard/.

One stack (2 replicas, nginx on a free port, frame-ancestors = one host-page origin) is
started by the real runner for the whole module and shared; a second, one-replica stack
with basic auth on runs the auth and error-page checks. The browser talks to
http://localhost:PORT/dashboard/ while the host pages are on http://127.0.0.1:H (another
origin and another site, as an intranet page framing the dashboard would be).

Needs Debian's nginx (`.ci/ensure-nginx` installs it as root). Without it the module skips,
except under CI=true, where a missing nginx is a failure.
"""

from __future__ import annotations

from datetime import date

import base64
import hashlib
import http.server
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    APP_ENV_VARS,
    free_port,
    download_pngs_at_once,
    ARTIFACTS,
    BY_PATH,
    DECK_CANVAS,
    REPO,
    VIEWPORT,
    PageLog,
    canvas_drawn,
    console_errors,
    default_data_dir,
    external_requests,
    heading_text,
    not_found_shown,
    settle_network,
    streamlit_executable,
    wait_for_app,
)
from tests.e2e.test_load import EXPORT_VIEWS

pytestmark = [pytest.mark.browser, pytest.mark.intranet]

START_TIMEOUT_S = 120
ROUTE_COOKIE = "dashboard_route"


def nginx_binary() -> str:
    """$INTRANET_NGINX, else nginx on PATH or Debian's /usr/sbin/nginx (as the runner looks);
    skip when missing, fail under CI=true."""
    explicit = os.environ.get("INTRANET_NGINX", "").strip()
    if explicit:
        found = explicit if os.path.isfile(explicit) and os.access(explicit, os.X_OK) else None
    else:
        found = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)
    if found:
        return found
    message = "no nginx: install Debian's nginx (as root: sh .ci/ensure-nginx)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + " -- CI must run the intranet tests")
    pytest.skip(message)


# ------------------------------------------------------------------------------ the stack


@dataclass
class Stack:
    proc: subprocess.Popen
    port: int
    state_dir: Path
    output: Path

    @property
    def url(self) -> str:
        """Base URL as the browser uses it (localhost: another site than the 127.0.0.1 hosts)."""
        return f"http://localhost:{self.port}/dashboard"

    def state(self) -> dict:
        return json.loads((self.state_dir / "state.json").read_text())

    def access_log(self) -> list[str]:
        path = self.state_dir / "logs" / "access.log"
        return path.read_text(errors="replace").splitlines() if path.exists() else []

    def replica_logs(self) -> str:
        return "\n".join(Path(r["log"]).read_text(errors="replace") for r in self.state()["replicas"]
                         if Path(r["log"]).exists())

    def all_pids(self) -> list[int]:
        state = self.state()
        return [state["nginx_pid"], *(r["pid"] for r in state["replicas"])]

    def stop(self) -> None:
        """SIGTERM to the runner (what Ctrl-C/systemd do); it must stop everything it started."""
        if self.proc.poll() is None:
            pids = self.all_pids() if (self.state_dir / "state.json").exists() else []
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
                pytest.fail(f"the runner did not stop within 40 s:\n{self.output.read_text()[-2000:]}")
            assert self.proc.returncode == 0, self.output.read_text()[-2000:]
            left = [pid for pid in pids if _running(pid)]
            assert not left, f"processes left behind: {left}"
        (ARTIFACTS / "logs").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.output, ARTIFACTS / "logs" / f"intranet-{self.port}.out")
        for name in ("error.log", "access.log"):  # nginx's logs next to the runner's output
            if (self.state_dir / "logs" / name).exists():
                shutil.copyfile(self.state_dir / "logs" / name, ARTIFACTS / "logs" / f"intranet-{self.port}-nginx-{name}")


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def start_stack(workdir: Path, **env_extra: str) -> Stack:
    nginx = nginx_binary()
    port = free_port()
    state_dir = workdir / f"stack-{port}"
    state_dir.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if k not in APP_ENV_VARS and not k.startswith("INTRANET_")}
    env.update(DASHBOARD_DATA_DIR=str(default_data_dir()), INTRANET_PORT=str(port),
               INTRANET_STATE_DIR=str(state_dir), INTRANET_NGINX=nginx, PYTHONUNBUFFERED="1")
    env.update(env_extra)
    output = workdir / f"intranet-{port}.out"
    python = Path(streamlit_executable()).parent / "python"  # the runner runs as `make intranet` does
    with open(output, "wb") as out:
        proc = subprocess.Popen([str(python), "deploy/intranet.py"], cwd=REPO, env=env, stdin=subprocess.DEVNULL,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    stack = Stack(proc, port, state_dir, output)
    deadline = time.monotonic() + START_TIMEOUT_S
    while not (state_dir / "state.json").exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            text = output.read_text(errors="replace")
            if proc.poll() is None:
                stack.stop()
            pytest.fail(f"the intranet runner did not become ready:\n{text[-4000:]}")
        time.sleep(0.3)
    return stack


class _HostHandler(http.server.BaseHTTPRequestHandler):
    """An intranet page that frames the dashboard's map (the body is filled in later)."""

    def __init__(self, *args, pages: dict, **kwargs):
        self.pages = pages
        super().__init__(*args, **kwargs)

    def do_GET(self):  # noqa: N802
        body = self.pages.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def hosts():
    """Two host pages on 127.0.0.1: 'allowed' (named in frame-ancestors) and 'other'."""
    started = {}
    for name in ("allowed", "other"):
        pages: dict = {}
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(_HostHandler, pages=pages))
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        started[name] = (server, thread, pages)
    yield {name: (f"http://127.0.0.1:{server.server_address[1]}", pages) for name, (server, _, pages) in started.items()}
    for server, thread, _ in started.values():
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def stack(tmp_path_factory, hosts):
    allowed_origin = hosts["allowed"][0]
    s = start_stack(tmp_path_factory.mktemp("intranet"), INTRANET_REPLICAS="2",
                    INTRANET_FRAME_ANCESTORS=f"'self' {allowed_origin}")
    yield s
    s.stop()
    assert "Traceback" not in s.replica_logs()


def new_context(browser, log: PageLog, **kwargs):
    """A browser context (its own cookie jar: its own session and route) that logs like conftest's."""
    kwargs.setdefault("viewport", VIEWPORT)
    ctx = browser.new_context(**kwargs)
    ctx.on("request", lambda r: log.requests.append(r.url))
    ctx.on("requestfailed", lambda r: log.failed.append((r.url, r.failure or "")))
    ctx.on("console", lambda m: log.console_errors.append((m.text, (m.location or {}).get("url", "")))
           if m.type == "error" else None)
    ctx.on("page", lambda p: (p.on("websocket", lambda ws: log.websockets.append(ws.url)),
                              p.on("pageerror", lambda exc: log.page_errors.append(str(exc)))))
    return ctx


def open_view(page, url: str, log: PageLog | None = None) -> str:
    page.goto(url)
    wait_for_app(page, timeout_ms=90_000)
    assert not not_found_shown(page, log), f"{url}: Streamlit says the page does not exist"
    assert page.get_by_test_id("stException").count() == 0
    return heading_text(page)


def main_text(page) -> str:
    return page.locator("[data-testid='stMain']").inner_text()


# ------------------------------------------------------------------------------ headers


def test_proxy_headers_cookie_and_redirects(stack, hosts):
    with urllib.request.urlopen(stack.url + "/") as r:
        csp = r.headers["Content-Security-Policy"]
        cookie = r.headers["Set-Cookie"]
        assert r.status == 200
    assert csp == f"frame-ancestors 'self' {hosts['allowed'][0]}"
    assert re.fullmatch(rf"{ROUTE_COOKIE}=[0-9a-f]{{32}}; Path=/dashboard/; HttpOnly; SameSite=Lax", cookie), cookie
    # a browser that has the cookie keeps it (no new one)
    req = urllib.request.Request(stack.url + "/", headers={"Cookie": f"{ROUTE_COOKIE}=abc"})
    with urllib.request.urlopen(req) as r:
        assert r.headers["Set-Cookie"] is None
    # / and /dashboard lead to /dashboard/; anything else is a plain 404
    opener = urllib.request.build_opener(type("NoRedirect", (urllib.request.HTTPRedirectHandler,),
                                              {"redirect_request": lambda *a, **k: None}))
    for path, target in (("/", "/dashboard/"), ("/dashboard", "/dashboard/")):
        with pytest.raises(urllib.error.HTTPError) as err:
            opener.open(f"http://127.0.0.1:{stack.port}{path}")
        assert err.value.code in (301, 302) and err.value.headers["Location"].endswith(target)
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(f"http://127.0.0.1:{stack.port}/etc/passwd")
    assert err.value.code == 404
    conf = (stack.state_dir / "nginx.conf").read_text()
    assert 'proxy_set_header Authorization "";' in conf  # the app never sees passwords


# ------------------------------------------------------------------------------ pages


PAGE_URLS = [  # (path and query under /dashboard, PAGES entry, text the page must show)
    ("/", "/map", None),
    ("/map", "/map", None),
    ("/supply-chain", "/supply-chain", None),
    ("/systems", "/systems", None),
    ("/sources", "/sources", None),
    ("/map?systems=SEJJIL&from=territory", "/map", None),
    ("/map?systems=SHAHAB3,SEJJIL&from=semnan&claim=max", "/map", "measured from Semnan"),
    ("/systems?embed=true", "/systems", None),
]


def test_every_page_and_deep_link_renders_through_the_proxy(stack, browser):
    log = PageLog()
    ctx = new_context(browser, log)
    page = ctx.new_page()
    try:
        for path, spec_path, shows in PAGE_URLS:
            spec = BY_PATH[spec_path]
            heading = open_view(page, stack.url + path, log)
            assert spec.heading_matches(heading), f"{path}: heading {heading!r}"
            if shows:
                assert shows in main_text(page), f"{path}: does not say {shows!r}"
            if spec.deck and path in ("/", "/map?systems=SEJJIL&from=territory"):
                assert canvas_drawn(page), f"{path}: the deck.gl canvas stayed blank"
            if "embed=true" in path:
                assert page.get_by_test_id("stMainMenu").count() == 0
        settle_network(page, log)
    except Exception:
        page.screenshot(path=str(_shot("intranet_pages")))
        raise
    finally:
        ctx.close()
    ws = f"ws://localhost:{stack.port}/dashboard/_stcore/stream"
    assert log.websockets and all(url == ws for url in log.websockets), log.websockets
    assert console_errors(log) == [], console_errors(log)
    assert external_requests(log) == [], external_requests(log)


def _shot(name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / f"{name}.png"


def test_share_link_and_snippet_are_absolute_and_png_downloads(stack, browser):
    log = PageLog()
    ctx = new_context(browser, log, accept_downloads=True)
    page = ctx.new_page()
    try:
        open_view(page, stack.url + "/map?systems=SEJJIL&from=semnan", log)
        page.get_by_text("Share, embed and export").click()
        codes = page.get_by_test_id("stCode")
        expect(codes.first).to_contain_text("systems=SEJJIL", timeout=60_000)
        wait_for_app(page)
        link, snippet = (c.strip() for c in codes.all_inner_texts()[:2])
        assert link.startswith(f"{stack.url}/map?") and "from=semnan" in link, link
        assert f'src="{stack.url}/map?embed=true&' in snippet, snippet
        with page.expect_download(timeout=120_000) as download:
            page.get_by_role("button", name="Download PNG").click()
        assert download.value.suggested_filename == f"map-sejjil-semnan-{date.today().isoformat()}.png"  # the view and the date
        assert open(download.value.path(), "rb").read(8) == b"\x89PNG\r\n\x1a\n"
        heading = open_view(page, link, log)  # the link, followed, reopens the view
        assert BY_PATH["/map"].heading_matches(heading)
        assert "measured from Semnan" in main_text(page)
        # on the default page the link is the prefix itself
        open_view(page, stack.url + "/?systems=GHADR1", log)
        page.get_by_text("Share, embed and export").click()
        expect(codes.first).to_contain_text(f"{stack.url}/?", timeout=60_000)
    except Exception:
        page.screenshot(path=str(_shot("intranet_share")))
        raise
    finally:
        ctx.close()
    assert external_requests(log) == [], external_requests(log)


# ------------------------------------------------------------------------------ framing


def _host_page(hosts, name: str, src: str) -> str:
    origin, pages = hosts[name]
    pages["/host.html"] = (
        "<!doctype html><html><head><meta charset='utf-8'><link rel='icon' href='data:,'><title>Host</title></head>"
        f"<body><h1 id='host'>Intranet host page</h1><iframe id='app' src='{src}' width='1200' height='800'></iframe>"
        "</body></html>").encode()
    return origin + "/host.html"


def test_allowed_origin_frames_the_map_and_another_origin_is_refused(stack, browser, hosts):
    log = PageLog()
    ctx = new_context(browser, log)
    page = ctx.new_page()
    src = stack.url + "/map?embed=true&systems=SEJJIL"
    try:
        page.goto(_host_page(hosts, "allowed", src))
        frame = page.wait_for_selector("iframe#app").content_frame()
        wait_for_app(frame, timeout_ms=90_000)
        app = page.frame_locator("iframe#app")
        expect(app.locator(DECK_CANVAS).first).to_be_visible(timeout=30_000)
        assert canvas_drawn(frame), "the deck.gl canvas stayed blank inside the allowed iframe"
        assert frame.get_by_test_id("stException").count() == 0
        page.screenshot(path=str(_shot("intranet_iframe_allowed")))
        settle_network(page, log)
        assert console_errors(log) == [], console_errors(log)

        log.clear()
        page.goto(_host_page(hosts, "other", src))
        page.wait_for_selector("iframe#app")
        page.wait_for_timeout(1500)
        frame = page.query_selector("iframe#app").content_frame()
        refused = [text for text, _ in log.console_errors if "frame-ancestors" in text]
        assert refused, f"no CSP refusal logged: {log.console_errors}"
        assert frame is None or frame.query_selector("[data-testid='stApp']") is None
        page.screenshot(path=str(_shot("intranet_iframe_refused")))
    finally:
        ctx.close()
    assert external_requests(log) == [], external_requests(log)


# ------------------------------------------------------------------------------ load


@pytest.mark.timeout(600)
def test_eight_sessions_download_pngs_through_the_proxy_each_equal_to_a_lone_export(stack, browser):
    """8 browser sessions, 4 routed to each replica, click "Download PNG" at once.

    Two browser contexts, one route cookie each (one per replica): the tabs of a context
    share its HTTP cache, which halves the JavaScript the busy 2-core machine loads.
    """
    from PIL import Image

    from dashboard import export
    from dashboard.views.dashboard import Dashboard
    from dashboard.views.report import SIZES, today

    log = PageLog()
    routes = route_for_each_replica(stack)
    # A small window: eight deck.gl maps on software WebGL are the slow part on 2 cores.
    contexts = [new_context(browser, log, accept_downloads=True, viewport={"width": 800, "height": 600})
                for _ in routes]
    for ctx, value in zip(contexts, routes.values()):
        ctx.add_cookies([{"name": ROUTE_COOKIE, "value": value, "domain": "localhost", "path": "/dashboard/"}])
    pages = [contexts[i % len(contexts)].new_page() for i in range(len(EXPORT_VIEWS))]
    try:
        got = download_pngs_at_once(pages, stack.url, EXPORT_VIEWS)
    finally:
        for ctx in contexts:
            ctx.close()

    dash = Dashboard.load(default_data_dir())
    width, height, scale = SIZES["report"]
    for page, query in zip(pages, EXPORT_VIEWS):
        alone = export.render(dash.figure(dash.parse(query), "map", date=today()),
                              "png", width, height, scale)
        assert got[page] == Image.open(io.BytesIO(alone)).convert("RGB").tobytes(), f"view {query!r} differs from its lone export"
    # Affinity: every route key went to exactly one replica; the sessions used both replicas.
    by_route: dict[str, set] = {}
    for line in stack.access_log():
        m = re.search(r"upstream=(\S+) .*route=(\S+)", line)
        if m and m.group(1) != "-" and "," not in m.group(1):
            by_route.setdefault(m.group(2), set()).add(m.group(1))
    assert all(len(v) == 1 for v in by_route.values()), {k: v for k, v in by_route.items() if len(v) > 1}
    streams = {m.group(1) for line in stack.access_log() if "/_stcore/stream" in line
               and (m := re.search(r"upstream=(\S+)", line))}
    assert len(streams) == 2, f"sessions used replicas {streams}"
    assert external_requests(log) == [], external_requests(log)


# ------------------------------------------------------------------------------ failover


def route_for_each_replica(stack) -> dict[int, str]:
    """A route cookie value per replica port, found by asking nginx and reading its log."""
    found: dict[int, str] = {}
    ports = {r["port"] for r in stack.state()["replicas"]}
    for i in range(64):
        value = f"probe{i}"
        req = urllib.request.Request(stack.url + "/_stcore/health", headers={"Cookie": f"{ROUTE_COOKIE}={value}"})
        urllib.request.urlopen(req).read()
        for _ in range(20):
            line = next((line for line in reversed(stack.access_log()) if f"route={value} " in line), None)
            if line:
                break
            time.sleep(0.05)
        port = int(re.search(r"upstream=127\.0\.0\.1:(\d+)", line).group(1))
        found.setdefault(port, value)
        if set(found) == ports:
            return found
    pytest.fail(f"no route found for every replica: {found}")


@pytest.mark.timeout(300)
def test_a_replica_dies_mid_briefing(stack, browser):
    """Sessions on the other replica keep working; a reload of an affected one recovers its view."""
    routes = route_for_each_replica(stack)
    replicas = stack.state()["replicas"]
    victim, survivor = replicas[0], replicas[1]
    log = PageLog()
    cookie = {"name": ROUTE_COOKIE, "domain": "localhost", "path": "/dashboard/"}
    hit = new_context(browser, log)
    hit.add_cookies([{**cookie, "value": routes[victim["port"]]}])
    safe = new_context(browser, log)
    safe.add_cookies([{**cookie, "value": routes[survivor["port"]]}])
    a, b = hit.new_page(), safe.new_page()
    try:
        open_view(a, stack.url + "/map?systems=SHAHAB3,SEJJIL&from=semnan&claim=max", log)
        open_view(b, stack.url + "/supply-chain?systems=SEJJIL&entity=C_LIMMT", log)
        os.kill(victim["pid"], signal.SIGKILL)
        deadline = time.monotonic() + 10
        while _running(victim["pid"]) and time.monotonic() < deadline:
            time.sleep(0.1)
        # the unaffected session reruns as usual (opening the panel is a rerun on the server)
        b.get_by_text("Share, embed and export").click()
        expect(b.get_by_test_id("stCode").first).to_contain_text("entity=C_LIMMT", timeout=60_000)
        wait_for_app(b)
        assert b.get_by_test_id("stException").count() == 0
        # the affected one: a reload lands on a live replica with the same view
        heading = open_view(a, a.url, log)
        assert BY_PATH["/map"].heading_matches(heading)
        assert "measured from Semnan" in main_text(a)
        assert canvas_drawn(a)
    except Exception:
        a.screenshot(path=str(_shot("intranet_failover_a")))
        b.screenshot(path=str(_shot("intranet_failover_b")))
        raise
    finally:
        hit.close()
        safe.close()
    assert "exited with" in stack.output.read_text()
    assert external_requests(log) == [], external_requests(log)


# ------------------------------------------------------------------------------ basic auth


def ssha(password: str) -> str:
    salt = os.urandom(8)
    return "{SSHA}" + base64.b64encode(hashlib.sha1(password.encode() + salt).digest() + salt).decode()


@pytest.mark.timeout(300)
def test_basic_auth_and_the_error_page(tmp_path_factory, browser):
    """INTRANET_HTPASSWD: 401 without credentials, the app with them; no replica: the plain error page."""
    workdir = tmp_path_factory.mktemp("intranet-auth")
    htpasswd = workdir / "htpasswd"
    htpasswd.write_text(f"analyst:{ssha('s3cret pass')}\n")
    s = start_stack(workdir, INTRANET_REPLICAS="1", INTRANET_HTPASSWD=str(htpasswd), INTRANET_RESTART_DELAY="600")
    try:
        for headers in ({}, {"Authorization": "Basic " + base64.b64encode(b"analyst:wrong").decode()}):
            with pytest.raises(urllib.error.HTTPError) as err:
                urllib.request.urlopen(urllib.request.Request(s.url + "/", headers=headers))
            assert err.value.code == 401 and err.value.headers["WWW-Authenticate"].startswith("Basic")
        good = {"Authorization": "Basic " + base64.b64encode(b"analyst:s3cret pass").decode()}
        with urllib.request.urlopen(urllib.request.Request(s.url + "/", headers=good)) as r:
            assert r.status == 200 and b"<noscript>" in r.read()

        log = PageLog()
        ctx = new_context(browser, log, http_credentials={"username": "analyst", "password": "s3cret pass"})
        page = ctx.new_page()
        try:
            heading = open_view(page, s.url + "/systems", log)
            assert BY_PATH["/systems"].heading_matches(heading)
        finally:
            ctx.close()
        assert external_requests(log) == [], external_requests(log)

        replica = s.state()["replicas"][0]
        os.kill(replica["pid"], signal.SIGKILL)
        while _running(replica["pid"]):
            time.sleep(0.1)
        started = time.monotonic()
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(urllib.request.Request(s.url + "/map", headers=good), timeout=30)
        assert time.monotonic() - started < 10, "the proxy hung instead of answering"
        body = err.value.read().decode()
        assert err.value.code == 502 and "not available" in body
        assert "nginx" not in body.lower() and "127.0.0.1" not in body and str(replica["port"]) not in body
    finally:
        s.stop()


# ------------------------------------------------------------------------------ what the app is told


class _EchoHeaders(http.server.BaseHTTPRequestHandler):
    """A stand-in replica that records the headers nginx sends it."""

    seen: list = []

    def do_GET(self):  # noqa: N802
        _EchoHeaders.seen.append(dict(self.headers.items()))
        body = b"ok"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_replicas_never_see_passwords_and_get_the_forwarded_headers(tmp_path):
    """The rendered config with auth on, in front of a header-recording stand-in replica."""
    import importlib.util

    nginx = nginx_binary()
    spec = importlib.util.spec_from_file_location("intranet_runner", REPO / "deploy" / "intranet.py")
    runner_mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = runner_mod  # dataclasses look their module up there
    spec.loader.exec_module(runner_mod)
    htpasswd = tmp_path / "htpasswd"
    htpasswd.write_text(f"analyst:{ssha('pw')}\n")
    port = free_port()
    settings = runner_mod.Settings.from_env({"INTRANET_PORT": str(port), "INTRANET_HTPASSWD": str(htpasswd),
                                             "INTRANET_STATE_DIR": str(tmp_path / "state")})
    runner = runner_mod.Runner(settings)
    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _EchoHeaders)
    thread = threading.Thread(target=upstream.serve_forever, daemon=True)
    thread.start()
    proc = None
    try:
        user = runner_mod.worker_user()
        runner.prepare_dirs(user)
        conf = runner.state_dir / "nginx.conf"
        conf.write_text(runner_mod.render(settings, runner.state_dir, runner.worker_dir, [upstream.server_address[1]], user))
        proc = subprocess.Popen([nginx, "-p", str(runner.state_dir), "-c", str(conf), "-e", str(runner.state_dir / "logs" / "error.log")],
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
        url = f"http://127.0.0.1:{port}/dashboard/_stcore/host-config"
        auth = {"Authorization": "Basic " + base64.b64encode(b"analyst:pw").decode(),
                "X-Forwarded-Host": "evil.example", "X-Forwarded-Prefix": "/elsewhere"}
        deadline = time.monotonic() + 10
        while True:
            try:
                with urllib.request.urlopen(urllib.request.Request(url, headers=auth), timeout=2) as r:
                    assert r.read() == b"ok"
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        seen = {k.lower(): v for k, v in _EchoHeaders.seen[-1].items()}
        assert "authorization" not in seen or seen["authorization"] == "", seen
        assert seen["x-forwarded-host"] == f"127.0.0.1:{port}"  # the client's own value is replaced
        assert seen["x-forwarded-prefix"] == "/dashboard" and seen["x-forwarded-proto"] == "http"
        assert seen["host"] == f"127.0.0.1:{port}"
    finally:
        if proc is not None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)
        upstream.shutdown()
        upstream.server_close()
        shutil.rmtree(runner.worker_dir, ignore_errors=True)
