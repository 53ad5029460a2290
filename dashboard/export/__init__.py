"""Static export of plotly figures to PNG, SVG and PDF through one headless Chromium.

This is the only module that imports kaleido. It is safe to call from many threads
(Streamlit runs every session in its own thread):

* One Chromium per process, started lazily on the first export and stopped at
  interpreter exit (``atexit``) or by :func:`stop`.
* Every render is serialised behind one lock, and each render gets its own result
  future (``asyncio.run_coroutine_threadsafe``). kaleido's own ``GlobalKaleidoServer``
  shares one return queue between callers, so concurrent calls could receive each
  other's images (Kaleido #444); it also has no way to abandon a hung render. We
  therefore drive ``kaleido.Kaleido`` (the same class ``kaleido.start_sync_server``
  runs) on a private event-loop thread instead.
* Every render has a hard timeout. On timeout the Chromium process group is killed
  and a fresh one is started by the next call.
* Every result is checked to be the requested format and size before it is returned.

Offline: Chromium is started with ``--proxy-server=127.0.0.1:9`` (a dead local
proxy; also exported as ``CHOREO_PROXY_SERVER``), MathJax disabled, and plotly.js
loaded from the plotly wheel, so an export makes no outside network lookups.
Figures must therefore not rely on plotly's CDN topojson: any ``layout.geo.show*``
layer or a trace ``locationmode`` (``go.Choropleth`` included) makes plotly.js fetch
``world_110m.json`` from the CDN, which fails here (``ExportError`` saying so).
Draw base maps from our own GeoJSON (see ``dashboard.figures.static_map``).

Limitation: Chromium runs in its own session, so if this Python process is killed
with SIGKILL (no ``atexit``), Chromium is left running; a normal exit, Ctrl-C or a
SIGTERM that Streamlit turns into a normal shutdown stops it.
"""

from __future__ import annotations

import asyncio
import atexit
import glob
import logging
import math
import os
import re
import shutil
import signal
import struct
import tempfile
import threading
import warnings
from concurrent.futures import TimeoutError as _FutureTimeout
from pathlib import Path
from typing import Any

__all__ = ["ExportError", "FORMATS", "export", "find_browser", "render", "stop", "write_atomic"]

FORMATS = ("png", "svg", "pdf")
DEAD_PROXY = "127.0.0.1:9"
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome")
NO_BROWSER = "no Chrome/Chromium found: install Debian's chromium package or set BROWSER_PATH"
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0

# plotly 7 warns on every write_image/to_image while a kaleido server runs.
warnings.filterwarnings("ignore", message="The kopts argument is ignored", category=UserWarning)
# kaleido/choreographer log warnings (e.g. "Browser is being closed by watchdog" after a
# timeout kill) that would otherwise go to stderr through logging's last-resort handler.
# Handlers the application configures still receive them.
for _name in ("kaleido", "choreographer"):
    logging.getLogger(_name).addHandler(logging.NullHandler())


class ExportError(Exception):
    """An export failed. The message is one line, fit to show to a user."""


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "..."


# --------------------------------------------------------------------------- browser


def find_browser() -> str:
    """Return the Chrome/Chromium executable: ``BROWSER_PATH`` if set, else PATH."""
    env = os.environ.get("BROWSER_PATH", "").strip()
    if env:
        found = shutil.which(env)
        if found:
            return found
        raise ExportError(f"no Chrome/Chromium found at BROWSER_PATH={env!r}: install Debian's chromium package or set BROWSER_PATH")
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise ExportError(NO_BROWSER)


def _plotly_js() -> Path:
    import plotly

    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not path.is_file():  # kaleido would silently fall back to the CDN
        raise ExportError(f"plotly.min.js missing from the plotly package ({path})")
    return path


class _Server:
    """One Chromium (via ``kaleido.Kaleido``) driven from a private event-loop thread."""

    def __init__(self, browser: str):
        self.loop = asyncio.new_event_loop()
        self.k: Any = None
        self._dead = False
        self._dead_lock = threading.Lock()
        self.thread = threading.Thread(target=self._run_loop, name="export-chromium", daemon=True)
        self.thread.start()
        fut = asyncio.run_coroutine_threadsafe(self._open(browser), self.loop)
        try:
            fut.result(START_TIMEOUT_S)
        except _FutureTimeout:
            fut.cancel()
            self.kill()
            raise ExportError(f"Chromium did not start within {START_TIMEOUT_S:g} s") from None
        except Exception as exc:
            self.kill()
            raise ExportError(f"Chromium failed to start: {_one_line(exc)}") from exc

    def _run_loop(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    async def _open(self, browser: str) -> None:
        import kaleido

        self.k = kaleido.Kaleido(
            n=1,
            timeout=None,  # the hard timeout is ours (render); kaleido's only covers part of a render
            mathjax=False,  # else MathJax comes from cdnjs
            plotlyjs=_plotly_js(),
            path=browser,
            proxy_server=DEAD_PROXY,
        )
        await self.k.open()

    @property
    def process(self):
        return getattr(self.k, "subprocess", None)

    def alive(self) -> bool:
        proc = self.process
        return not self._dead and self.thread.is_alive() and proc is not None and proc.poll() is None

    def calc(self, spec: dict, opts: dict, timeout_s: float) -> bytes:
        """Render one figure; raise ``TimeoutError`` after ``timeout_s``."""
        fut = asyncio.run_coroutine_threadsafe(self.k.calc_fig(spec, opts=opts), self.loop)
        try:
            return fut.result(timeout_s)
        except _FutureTimeout:
            fut.cancel()
            raise TimeoutError from None

    def _kill_group(self) -> None:
        """SIGKILL the browser's process group: choreographer's wrapper starts it in a
        new session, so the group is the wrapper, Chromium and all of Chromium's helpers
        (even when the wrapper itself has already exited)."""
        proc = self.process
        if proc is None:
            return
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        except PermissionError:
            if proc.poll() is None:
                proc.kill()
        try:
            proc.wait(5)
        except Exception:  # noqa: BLE001
            pass

    def _finish_loop(self, graceful: bool) -> None:
        if self.k is not None and self.thread.is_alive():
            # Lets kaleido/choreographer close channels and remove their temp dirs;
            # after a kill this returns at once.
            fut = asyncio.run_coroutine_threadsafe(self.k.close(), self.loop)
            try:
                fut.result(STOP_TIMEOUT_S if graceful else 5.0)
            except Exception:  # noqa: BLE001
                fut.cancel()
        self._kill_group()
        if self.thread.is_alive():
            fut = asyncio.run_coroutine_threadsafe(_cancel_other_tasks(), self.loop)
            try:
                fut.result(5.0)
            except Exception:  # noqa: BLE001
                pass
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(5)
        if not self.thread.is_alive() and not self.loop.is_closed():
            self.loop.close()

    def _shutdown(self, graceful: bool) -> None:
        with self._dead_lock:
            if self._dead:
                return
            self._dead = True
        if not graceful:
            self._kill_group()
        self._finish_loop(graceful)

    def close(self) -> None:
        """Close Chromium cleanly (kill it if that fails) and end the loop thread."""
        self._shutdown(graceful=True)

    def kill(self) -> None:
        """Kill Chromium's process group at once and end the loop thread."""
        self._shutdown(graceful=False)


async def _cancel_other_tasks() -> None:
    """Cancel and await every other task on this loop (choreographer's watchdog etc.)."""
    me = asyncio.current_task()
    tasks = [t for t in asyncio.all_tasks() if t is not me and not t.done()]
    for task in tasks:
        task.cancel()
    if tasks:
        await asyncio.wait(tasks, timeout=4.0)


_render_lock = threading.Lock()  # one render at a time: kaleido is not thread-safe
_server: _Server | None = None
_atexit_registered = False


def _ensure_server() -> _Server:
    """Return the running server, starting one if needed. Caller holds ``_render_lock``."""
    global _server, _atexit_registered
    if _server is not None and not _server.alive():
        _server.kill()
        _server = None
    if _server is None:
        browser = find_browser()
        os.environ["CHOREO_PROXY_SERVER"] = DEAD_PROXY  # before start: no outside lookups
        _server = _Server(browser)
        if not _atexit_registered:
            # Registered after the first start on purpose: atexit runs hooks last-in
            # first-out, and starting Chromium registers weakref's finalizer hook, which
            # deletes Chromium's temporary profile. Chromium must be stopped before that.
            atexit.register(stop)
            _atexit_registered = True
    return _server


def _discard(server: _Server) -> None:
    """Kill ``server`` and forget it, so the next call starts a fresh Chromium."""
    global _server
    if _server is server:
        _server = None
    server.kill()


def stop() -> None:
    """Shut the export browser down. The next export starts a new one."""
    global _server
    got = _render_lock.acquire(timeout=STOP_TIMEOUT_S)
    try:
        server, _server = _server, None
        if server is not None:
            if got:
                server.close()
            else:  # a render is stuck holding the lock: do not wait for it
                server.kill()
    finally:
        if got:
            _render_lock.release()


# --------------------------------------------------------------------------- render


def _check_format(fmt: str) -> str:
    fmt = str(fmt).lower().lstrip(".")
    if fmt not in FORMATS:
        raise ExportError(f"unsupported export format {fmt!r}: use png, svg or pdf")
    return fmt


def _figure_dict(fig: Any) -> dict:
    if hasattr(fig, "to_dict"):
        return fig.to_dict()
    if isinstance(fig, dict) and "data" in fig:
        import copy

        return copy.deepcopy(fig)
    raise ExportError(f"not a plotly figure: {type(fig).__name__}")


def _positive(name: str, value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float("nan")
    if not math.isfinite(number) or number <= 0:
        raise ExportError(f"{name} must be a positive number, got {value!r}")
    return number


def _verify(data: Any, fmt: str, width: float, height: float, scale: float) -> None:
    """Raise ExportError unless ``data`` is the requested format and size."""
    if not isinstance(data, (bytes, bytearray)) or not data:
        raise ExportError("export result does not match its request: empty or not bytes")
    if fmt == "png":
        if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR" or data[-8:-4] != b"IEND":
            raise ExportError("export result does not match its request: not a complete PNG")
        got = struct.unpack(">II", data[16:24])
        if not (_near(got[0], width * scale, 1) and _near(got[1], height * scale, 1)):
            want = png_size(width, height, scale)
            raise ExportError(f"export result does not match its request: PNG is {got[0]}x{got[1]} px, expected {want[0]}x{want[1]}")
    elif fmt == "svg":
        head = bytes(data[:2000]).decode("utf-8", "replace").lstrip()
        tag = head[: head.find(">") + 1]
        if not head.startswith("<svg") or not tag:
            raise ExportError("export result does not match its request: not an SVG")
        attrs = dict(re.findall(r'\s([\w:-]+)="([^"]*)"', tag))
        try:
            ok = (
                _near(float(attrs["width"]), width * scale, 0.01)
                and _near(float(attrs["height"]), height * scale, 0.01)
                and [float(v) for v in attrs["viewBox"].split()] == [0, 0, width, height]
            )
        except (KeyError, ValueError):
            ok = False
        if not ok:
            raise ExportError(f"export result does not match its request: SVG is not {width:g}x{height:g}")
    elif fmt == "pdf":
        if not data.startswith(b"%PDF") or b"%%EOF" not in data[-1024:]:
            raise ExportError("export result does not match its request: not a complete PDF")
        box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", data)
        # Chromium prints at 96 px per inch: 1 px = 0.75 pt, rounded to its own grid
        want_w, want_h = width * scale * 0.75, height * scale * 0.75
        if not box or not (_near(float(box[1]), want_w, 1 + 0.01 * want_w) and _near(float(box[2]), want_h, 1 + 0.01 * want_h)):
            raise ExportError(f"export result does not match its request: PDF page is not {width:g}x{height:g}")


def _near(value: float, target: float, tolerance: float) -> bool:
    return abs(value - target) < tolerance


def png_size(width: float, height: float, scale: float) -> tuple[int, int]:
    """Pixel size of a PNG export (Chromium truncates fractional sizes)."""
    return math.floor(width * scale + 1e-9), math.floor(height * scale + 1e-9)


def render(fig: Any, fmt: str = "png", width: float = 1600, height: float = 900, scale: float = 2.0, timeout_s: float = 60) -> bytes:
    """Render ``fig`` (a plotly Figure or figure dict) to PNG/SVG/PDF bytes.

    ``width``/``height`` are layout pixels; a PNG is ``round(width*scale)`` x
    ``round(height*scale)`` pixels (``scale`` does not change SVG/PDF geometry).
    Waiting for another export and the render itself are each bounded by
    ``timeout_s``; starting Chromium (first call, after a timeout) is bounded by
    ``START_TIMEOUT_S``. Raises :class:`ExportError` on any failure.
    """
    fmt = _check_format(fmt)
    width = _positive("width", width)
    height = _positive("height", height)
    scale = _positive("scale", scale)
    timeout_s = _positive("timeout_s", timeout_s)
    spec = _figure_dict(fig)  # snapshot in the caller's thread
    opts = {"format": fmt, "width": width, "height": height, "scale": scale}

    if not _render_lock.acquire(timeout=timeout_s):
        raise ExportError(f"export timed out after {timeout_s:g} s (waiting for another export)")
    try:
        server = _ensure_server()
        try:
            data = server.calc(spec, opts, timeout_s)
        except TimeoutError:
            _discard(server)
            raise ExportError(f"export timed out after {timeout_s:g} s") from None
        except Exception as exc:
            if not server.alive():
                _discard(server)
            if "topojson" in str(exc):
                raise ExportError(
                    "export failed: the figure needs plotly's online topojson (a layout.geo show* layer "
                    "or a locationmode); draw the base map from GeoJSON instead"
                ) from exc
            raise ExportError(f"export failed: {_one_line(exc)}") from exc
        try:
            _verify(data, fmt, width, height, scale)
        except ExportError:
            _discard(server)  # never reuse a browser that returned a wrong result
            raise
        return bytes(data)
    finally:
        _render_lock.release()


# --------------------------------------------------------------------------- files


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        return True
    return True


def _remove_stale_parts(directory: Path, name: str) -> None:
    """Delete temp files of earlier writes to ``name`` whose writing process is gone."""
    pattern = re.compile(rf"\.{re.escape(name)}\.(\d+)\.[^/]*\.part")
    for candidate in directory.glob(f".{glob.escape(name)}.*.part"):
        match = pattern.fullmatch(candidate.name)
        if match and not _pid_alive(int(match[1])):
            try:
                candidate.unlink()
            except OSError:
                pass


def write_atomic(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; never leaves a partial file at ``path``.

    The bytes go to a hidden ``.<name>.<pid>.<random>.part`` temp file in the same
    directory, are flushed and fsynced, then ``os.replace``-d over ``path``. The temp file
    is removed on any failure; one left by a process that was killed while writing is
    removed by the next write to the same name. A new file gets mode 0644, a replaced file
    keeps its mode.
    """
    path = Path(path)
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"data must be bytes, not {type(data).__name__}")
    directory = path.parent
    try:
        mode = path.stat().st_mode & 0o7777
    except OSError:
        mode = 0o644
    _remove_stale_parts(directory, path.name)
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.{os.getpid()}.", suffix=".part")
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or _one_line(exc)}") from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise ExportError(f"cannot write {path}: {exc.strerror or _one_line(exc)}") from exc
        raise
    try:  # make the rename itself durable
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass
    return path


def export(fig: Any, path: str | os.PathLike, width: float = 1600, height: float = 900, scale: float = 2.0, timeout_s: float = 60) -> Path:
    """Render ``fig`` in the format named by ``path``'s suffix and write it atomically."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in {f".{f}" for f in FORMATS}:
        raise ExportError(f"unsupported export file type {suffix or path.name!r}: use .png, .svg or .pdf")
    if not path.parent.is_dir():
        raise ExportError(f"cannot write {path}: directory does not exist")
    data = render(fig, suffix[1:], width=width, height=height, scale=scale, timeout_s=timeout_s)
    return write_atomic(path, data)
