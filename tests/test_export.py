"""Figure export: formats and sizes, atomic writes, thread safety, timeouts, no leftover Chromium."""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import plotly.graph_objects as go
import psutil
import pytest

from dashboard import export
from dashboard.export import ExportError
from dashboard.export import browser as export_browser
from tests.browser import require_chromium

REPO = Path(__file__).resolve().parent.parent
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PROXY_ENV_AT_START = os.environ.get("CHOREO_PROXY_SERVER")
COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]


def figure(i: int = 0) -> go.Figure:
    fig = go.Figure(go.Scatter(x=[0, 1, 2, 3], y=[i, (i * 7) % 5, 2, 4 - i % 3], mode="lines+markers", line={"color": COLOURS[i % 8], "width": 4}))
    fig.update_layout(title=f"Figure number {i}", paper_bgcolor="white", plot_bgcolor=["#ffffff", "#f0f0f0"][i % 2], showlegend=False)
    return fig


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE and data[12:16] == b"IHDR"
    assert data[-8:-4] == b"IEND"
    return struct.unpack(">II", data[16:24])


def chromium_descendants(pid: int | None = None) -> list[psutil.Process]:
    try:
        kids = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    return [p for p in kids if _is_browser(p)]


def _is_browser(proc: psutil.Process) -> bool:
    """A Chromium process of this process's exports: not the browser tests' own (they have
    a playwright ancestor) nor one an app server of the browser tests started for a
    download (it has a streamlit ancestor; that server stops it when it stops)."""
    try:
        is_chromium = "chrom" in proc.name().lower() or any("chrom" in part.lower() for part in proc.cmdline()[:3])
        others = ("playwright", "streamlit")
        return is_chromium and not any(o in " ".join(a.cmdline()) for a in proc.parents() for o in others)
    except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
        return False


def alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def no_part_files(folder: Path) -> bool:
    return not [p for p in folder.iterdir() if p.name.endswith(".part")]


@pytest.fixture(scope="module")
def browser():
    """A running export server for this module; stopped at the end, leaving no Chromium."""
    require_chromium()
    export.render(figure(), "png", width=200, height=100, scale=1)  # start it once
    yield
    export.stop()
    assert chromium_descendants() == []


# ---------------------------------------------------------------- no browser needed


def test_unknown_suffix_is_an_export_error_and_writes_nothing(tmp_path):
    for name in ("map.jpg", "map.html", "map", "map.png.bak"):
        with pytest.raises(ExportError) as err:
            export.export(figure(), tmp_path / name)
        assert "use .png, .svg or .pdf" in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(ExportError):
        export.render(figure(), "jpeg")
    assert list(tmp_path.iterdir()) == []


def test_missing_browser_gives_a_clear_one_line_error(monkeypatch):
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(ExportError) as err:
        export.find_browser()
    assert str(err.value) == "no Chrome/Chromium found: install Debian's chromium package or set BROWSER_PATH"
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chrome")
    with pytest.raises(ExportError) as err:
        export.find_browser()
    assert "BROWSER_PATH='/nonexistent/chrome'" in str(err.value) and "install Debian's chromium" in str(err.value)
    monkeypatch.setattr(export_browser, "_server", None)  # as if no export had run yet in this process
    with pytest.raises(ExportError) as err:
        export.render(figure(), "png")
    assert "no Chrome/Chromium found" in str(err.value)


def test_write_atomic_writes_and_replaces(tmp_path):
    target = tmp_path / "out.png"
    assert export.write_atomic(target, b"first") == target
    assert target.read_bytes() == b"first"
    assert (target.stat().st_mode & 0o777) == 0o644
    target.chmod(0o600)
    export.write_atomic(target, b"second")
    assert target.read_bytes() == b"second" and (target.stat().st_mode & 0o777) == 0o600
    assert no_part_files(tmp_path)


def test_write_atomic_removes_temp_files_of_killed_writers_only(tmp_path):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # a writer that died mid-write left its temp file behind
    stale = tmp_path / f".out.png.{gone.pid}.k1ll3d.part"
    live = tmp_path / f".out.png.{os.getpid()}.busy.part"  # a writer still at work
    other = tmp_path / f".other.png.{gone.pid}.k1ll3d.part"  # another file's: not ours to judge
    for part in (stale, live, other):
        part.write_bytes(b"half a png")
    export.write_atomic(tmp_path / "out.png", b"whole")
    assert not stale.exists() and live.exists() and other.exists()
    assert (tmp_path / "out.png").read_bytes() == b"whole"


@pytest.mark.parametrize("failing", ["replace", "fsync", "write"])
def test_write_atomic_failure_leaves_no_partial_file(tmp_path, monkeypatch, failing):
    target = tmp_path / "report.pdf"
    target.write_bytes(b"old complete file")
    fresh = tmp_path / "new.pdf"

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    if failing == "write":
        real_fdopen = os.fdopen

        class HalfWriter:
            def __init__(self, fd, mode):
                self.f = real_fdopen(fd, mode)

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.f.close()

            def fileno(self):
                return self.f.fileno()

            def write(self, data):
                self.f.write(data[: len(data) // 2])
                self.f.flush()
                raise OSError(28, "No space left on device")

        monkeypatch.setattr(os, "fdopen", HalfWriter)
    else:
        monkeypatch.setattr(os, failing, boom)
    for path in (target, fresh):
        with pytest.raises(ExportError) as err:
            export.write_atomic(path, b"new content " * 1000)
        assert "No space left on device" in str(err.value)
    monkeypatch.undo()
    assert target.read_bytes() == b"old complete file"
    assert not fresh.exists()
    assert no_part_files(tmp_path)


def test_write_atomic_interrupted_removes_temp_and_reraises(tmp_path, monkeypatch):
    def interrupt(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupt)
    with pytest.raises(KeyboardInterrupt):
        export.write_atomic(tmp_path / "x.svg", b"<svg/>")
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []


def test_write_atomic_into_missing_folder_is_an_export_error(tmp_path):
    with pytest.raises(ExportError):
        export.write_atomic(tmp_path / "nope" / "x.png", b"x")
    with pytest.raises(ExportError):
        export.export(figure(), tmp_path / "nope" / "x.png")


# ---------------------------------------------------------------- with Chromium


@pytest.mark.export
def test_png_svg_pdf_have_their_signatures_and_sizes(browser, tmp_path):
    png = export.render(figure(1), "png", width=1600, height=900, scale=2.0)
    assert png_size(png) == (3200, 1800)
    assert png_size(export.render(figure(1), "png", width=400, height=300, scale=1)) == (400, 300)
    svg = export.render(figure(1), "svg", width=640, height=480)
    assert svg.lstrip().startswith(b"<svg") and b'viewBox="0 0 640 480"' in svg[:1000]
    assert b"Figure number 1" in svg
    pdf = export.render(figure(1), "pdf", width=640, height=480, scale=1)
    assert pdf.startswith(b"%PDF") and b"%%EOF" in pdf[-64:]
    for suffix, start in ((".png", PNG_SIGNATURE), (".svg", b"<svg"), (".PDF", b"%PDF")):
        path = export.export(figure(2), tmp_path / f"fig{suffix}", width=400, height=300, scale=1)
        assert path == tmp_path / f"fig{suffix}" and path.read_bytes().startswith(start)
    assert no_part_files(tmp_path)


@pytest.mark.parametrize("asked, drawn", [
    ((1600, 900, 2.0), (1600, 900, 2.0)),   # the report size itself
    ((800, 450, 2.0), (1600, 900, 1.0)),    # half the width: same layout, half the scale
    ((1200, 675, 1.0), (1600, 900, 0.75)),
    ((1000, 563, 2.0), (1600, 900, 1.25)),  # 562.5 rounded: within 1 px of the ratio
])
def test_a_report_figure_keeps_its_layout_at_any_width_of_its_ratio(asked, drawn):
    spec = {"data": [], "layout": {"width": 1600, "height": 900}}
    assert export.fit_layout(spec, *asked) == drawn
    assert export.fit_layout({"data": [], "layout": {}}, *asked) == asked  # no size of its own: drawn as asked


@pytest.mark.parametrize("width, height, fits", [(400, 300, 225), (800, 1600, 450), (1600, 1000, 900)])
def test_another_aspect_ratio_is_an_error_naming_the_height_that_fits(width, height, fits):
    with pytest.raises(ExportError, match=f"laid out at 1600x900 px .*for a width of {width} give a height of {fits}$"):
        export.fit_layout({"data": [], "layout": {"width": 1600, "height": 900}}, width, height, 2.0)


@pytest.mark.export
def test_a_smaller_report_png_is_the_same_drawing_scaled(browser, dash):
    """--width 800 --height 450 --scale 2 is the report layout drawn at scale 1: the same
    pixels as 1600 x 900 at scale 1 (before, the layout was squeezed into 800 x 450 and its
    text overlapped)."""
    fig = dash.figure(dash.default_view(), "chain")
    small = export.render(fig, "png", width=800, height=450, scale=2)
    assert png_size(small) == (1600, 900)
    assert small == export.render(fig, "png", width=1600, height=900, scale=1)


@pytest.mark.export
def test_browser_is_offline_and_mathjax_free(browser):
    [server] = [export_browser._server]
    cmdline = " ".join(psutil.Process(server.process.pid).cmdline())
    assert "--proxy-server=127.0.0.1:9" in cmdline and "--headless" in cmdline
    assert os.environ.get("CHOREO_PROXY_SERVER") == PROXY_ENV_AT_START  # passed to the launch, not via the environment
    # kaleido's page loads plotly.js from the wheel and no MathJax
    page = Path(server.k._index.removeprefix("file://")).read_text()
    assert "mathjax" not in page.lower() and "https://" not in page


@pytest.mark.export
def test_concurrent_exports_each_get_their_own_image(browser):
    """8 threads, 8 different figures, 2 rounds each: every result equals that figure's lone export."""
    from PIL import Image

    size = {"width": 400, "height": 250, "scale": 1}
    alone = [export.render(figure(i), "png", **size) for i in range(8)]
    assert len(set(alone)) == 8
    results: dict[int, list[bytes]] = {i: [] for i in range(8)}
    errors: list[BaseException] = []
    durations: list[float] = []
    barrier = threading.Barrier(8)

    def worker(i: int) -> None:
        try:
            barrier.wait()
            for _ in range(2):
                start = time.perf_counter()
                results[i].append(export.render(figure(i), "png", timeout_s=30, **size))
                durations.append(time.perf_counter() - start)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    assert max(durations) < 30
    for i in range(8):
        assert len(results[i]) == 2
        for data in results[i]:
            assert png_size(data) == (400, 250)
            if data != alone[i]:  # same pixels is enough if the encoder differs
                assert Image.open(io.BytesIO(data)).tobytes() == Image.open(io.BytesIO(alone[i])).tobytes(), f"figure {i} got another image"


@pytest.mark.export
def test_a_figure_renders_the_same_bytes_with_or_without_a_reload_before_it(browser, monkeypatch, dash):
    """The export page is reloaded only every RELOAD_EVERY renders: the report figures (geo,
    Sankey, network) leave nothing on the page that changes the next one's pixels."""
    view = dash.default_view()
    figures = {name: dash.figure(view, name) for name in ("map", "chain", "network", "ranges")}
    size = {"width": 800, "height": 450, "scale": 1}

    def render_all(order):
        export.stop()
        return {name: export.render(figures[name], "png", **size) for name in order}

    monkeypatch.setattr(export_browser, "RELOAD_EVERY", 1000)
    no_reloads = render_all(["map", "chain", "network", "ranges"])
    assert render_all(["ranges", "network", "chain", "map"]) == no_reloads
    monkeypatch.setattr(export_browser, "RELOAD_EVERY", 1)
    assert render_all(["map", "chain", "network", "ranges"]) == no_reloads


@pytest.mark.export
def test_a_failed_reload_hands_the_next_exports_a_fresh_browser(browser, monkeypatch):
    from kaleido._kaleido_tab._tab import _KaleidoTab

    async def broken_reload(self):
        raise RuntimeError("reload failed")

    monkeypatch.setattr(export_browser, "RELOAD_EVERY", 1)
    monkeypatch.setattr(_KaleidoTab, "reload", broken_reload)
    export.stop()
    assert png_size(export.render(figure(1), "png", width=300, height=200, scale=1)) == (300, 200)
    first = export_browser._server
    for i in range(2, 5):  # the reload after each render fails; no export does
        assert png_size(export.render(figure(i), "png", width=300, height=200, scale=1)) == (300, 200)
    assert export_browser._server is not first


@pytest.mark.export
def test_timeout_raises_and_the_next_export_uses_a_fresh_browser(browser):
    old = export_browser._server
    old_pids = [old.process.pid] + [p.pid for p in psutil.Process(old.process.pid).children(recursive=True)]
    start = time.perf_counter()
    with pytest.raises(ExportError) as err:
        export.render(figure(3), "png", width=1600, height=900, scale=2, timeout_s=0.01)
    assert str(err.value) == "export timed out after 0.01 s"
    assert time.perf_counter() - start < 15
    assert not [pid for pid in old_pids if alive(pid)]
    assert png_size(export.render(figure(3), "png", width=300, height=200, scale=1)) == (300, 200)
    assert export_browser._server is not old


@pytest.mark.export
def test_no_chromium_survives_a_process_that_exported_and_exited(browser, tmp_path):
    script = textwrap.dedent(
        """
        import json, sys, psutil, plotly.graph_objects as go
        from dashboard import export
        fig = go.Figure(go.Bar(y=[1, 3, 2]))
        for suffix in (".svg", ".pdf"):
            export.export(fig, sys.argv[1] + suffix, width=300, height=200, scale=1)
        export.export(fig, sys.argv[1], width=300, height=200, scale=1)
        kids = psutil.Process().children(recursive=True)
        print(json.dumps([p.pid for p in kids]))
        # no explicit export.stop(): the atexit hook must clean up
        """
    )
    out = tmp_path / "sub.png"
    proc = subprocess.run([sys.executable, "-c", script, str(out)], capture_output=True, text=True, timeout=90, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    pids = json.loads(proc.stdout.strip().splitlines()[-1])
    assert pids, "the subprocess started no browser"
    assert png_size(out.read_bytes()) == (300, 200)
    deadline = time.monotonic() + 5
    while [pid for pid in pids if alive(pid)] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [pid for pid in pids if alive(pid)] == []
    assert "Traceback" not in proc.stderr


IMPORT_STATE = """
import json, logging, os, sys, warnings
def state():
    loggers = {n: [type(h).__name__ for h in logging.getLogger(n).handlers] for n in ("", "kaleido", "choreographer")}
    return {"filters": [repr(f) for f in warnings.filters], "loggers": loggers, "environ": dict(os.environ)}
before = state()
import dashboard.export
after = state()
print(json.dumps({"changed": [k for k in before if before[k] != after[k]], "loaded": "kaleido" in sys.modules}))
"""


def test_import_changes_no_process_wide_state():
    """Importing dashboard.export (fresh interpreter) leaves warnings filters, kaleido's and
    choreographer's logging handlers and os.environ as they were, and loads no kaleido."""
    proc = subprocess.run([sys.executable, "-c", IMPORT_STATE], capture_output=True, text=True, timeout=60, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"changed": [], "loaded": False}


def test_first_start_quiets_kaleido_logs_once(monkeypatch):
    """The logging setup the import no longer does happens when Chromium is started."""
    import logging

    monkeypatch.setattr(export_browser, "_logs_quieted", False)
    loggers = [logging.getLogger(n) for n in export_browser.QUIET_LOGGERS]
    for logger in loggers:
        monkeypatch.setattr(logger, "handlers", [])
    export_browser._quiet_logs()
    export_browser._quiet_logs()
    assert [[type(h) for h in lg.handlers] for lg in loggers] == [[logging.NullHandler]] * len(loggers)


@pytest.mark.export
def test_figure_needing_plotly_topojson_fails_fast_with_a_clear_error(browser):
    fig = go.Figure(go.Scattergeo(lon=[51.4], lat=[35.7]))  # default geo layers need the CDN topojson
    start = time.perf_counter()
    with pytest.raises(ExportError) as err:
        export.render(fig, "png", width=300, height=200, scale=1, timeout_s=30)
    assert "topojson" in str(err.value) and "GeoJSON" in str(err.value)
    assert time.perf_counter() - start < 15
    assert png_size(export.render(figure(5), "png", width=300, height=200, scale=1)) == (300, 200)  # still healthy


@pytest.mark.parametrize("query", ["", "from=territory", "from=-40,179.5", "from=80,60&systems=SEJJIL"])
def test_leaving_out_countries_outside_the_frame_changes_no_pixel(browser, monkeypatch, query):
    """The report map leaves out countries that cannot show in its frame (figures.report_map
    .visible_countries); the PNG is byte-identical to one drawn with every country."""
    from dashboard.data.load import DEFAULT_DATA_DIR
    from dashboard.figures import report_map
    from dashboard.views.dashboard import Dashboard

    dash = Dashboard.load(DEFAULT_DATA_DIR)
    view = dash.parse(query)
    kept = []
    clip = report_map.visible_countries

    def counted(countries, *args):
        shown = clip(countries, *args)
        kept.append(len(shown["features"]))
        return shown

    monkeypatch.setattr(report_map, "visible_countries", counted)
    clipped = export.render(dash.figure(view, "map"), "png")
    monkeypatch.setattr(report_map, "visible_countries", lambda c, *a: c)
    whole = export.render(dash.figure(view, "map"), "png")
    assert kept and kept[0] < len(dash.countries["features"])  # something was left out
    assert clipped == whole
