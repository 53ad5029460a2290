"""The one export Chromium of this process: find, start, render through, kill, stop.

This is the only module that imports kaleido. It is safe to call from many threads
(Streamlit runs every session in its own thread):

* One Chromium per process, started lazily by the first :func:`calc` and stopped at
  interpreter exit (``atexit``) or by :func:`stop`.
* Every render is serialised behind one lock, and each render gets its own result
  future (``asyncio.run_coroutine_threadsafe``). kaleido's own ``GlobalKaleidoServer``
  shares one return queue between callers, so concurrent calls could receive each
  other's images (Kaleido #444); it also has no way to abandon a hung render. We
  therefore drive ``kaleido.Kaleido`` (the same class ``kaleido.start_sync_server``
  runs) on a private event-loop thread instead.
* The export page is reloaded every ``RELOAD_EVERY`` renders, after the image is returned
  (kaleido itself reloads after every render, before returning; see :func:`_kaleido_class`).
* Every render has a hard timeout. On timeout the Chromium process group is killed
  and a fresh one is started by the next call.

Offline: Chromium is launched with ``--proxy-server=127.0.0.1:9`` (a dead local proxy,
passed to choreographer as ``proxy_server``), MathJax disabled, and plotly.js loaded from
the plotly wheel, so an export makes no outside network lookups.

Importing this module changes no process-wide state (warnings, logging, environment).
Starting the first Chromium gives kaleido's and choreographer's loggers a
``NullHandler`` and registers the ``atexit`` hook.

Limitation: Chromium runs in its own session, so if this Python process is killed
with SIGKILL (no ``atexit``), Chromium is left running; a normal exit, Ctrl-C or a
SIGTERM that Streamlit turns into a normal shutdown stops it.
"""

from __future__ import annotations

import asyncio
import atexit
import functools
import logging
import os
import shutil
import signal
import threading
from collections.abc import Callable
from concurrent.futures import TimeoutError as _FutureTimeout
from pathlib import Path
from typing import Any

from dashboard.export.errors import ExportError, one_line

DEAD_PROXY = "127.0.0.1:9"
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome")
NO_BROWSER = "no Chrome/Chromium found: install Debian's chromium package or set BROWSER_PATH"
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0
QUIET_LOGGERS = ("kaleido", "choreographer")


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


RELOAD_EVERY = 10  # renders between two reloads of the export page


@functools.cache
def _kaleido_class():
    """``kaleido.Kaleido`` reloading its page every RELOAD_EVERY renders, after the image is back.

    kaleido reloads the page (plotly.js and all) after every render, before it returns the
    image: 0.1 s of each export, 0.8 s of ``export --all``. plotly.js removes each figure
    after rendering it, and the same figures render to the same bytes with or without the
    reloads between them (tests/test_export.py), so the reload only bounds the page's memory:
    every 10th render is enough, and it runs while the caller writes its file.
    Overrides kaleido 1.5's private ``_return_kaleido_tab`` (kaleido is pinned in pyproject).
    """
    import kaleido

    class Kaleido(kaleido.Kaleido):
        renders = 0
        broken = False  # a reload failed: _Server.alive() is False from then on

        async def _return_kaleido_tab(self, tab) -> None:
            self.renders += 1
            if self.renders % RELOAD_EVERY:
                await self.tabs_ready.put(tab)
            else:
                asyncio.ensure_future(self._reload(tab))

        async def _reload(self, tab) -> None:
            try:
                await super()._return_kaleido_tab(tab)
            except Exception:  # noqa: BLE001 - the next export starts a fresh Chromium
                self.broken = True
                await self.tabs_ready.put(tab)

    return Kaleido


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
            raise ExportError(f"Chromium failed to start: {one_line(exc)}") from exc

    def _run_loop(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    async def _open(self, browser: str) -> None:
        self.k = _kaleido_class()(
            n=1,
            timeout=None,  # the hard timeout is ours (calc); kaleido's only covers part of a render
            mathjax=False,  # else MathJax comes from cdnjs
            plotlyjs=_plotly_js(),
            path=browser,
            proxy_server=DEAD_PROXY,  # choreographer puts it on Chromium's command line
        )
        await self.k.open()

    @property
    def process(self):
        return getattr(self.k, "subprocess", None)

    def alive(self) -> bool:
        proc = self.process
        return (proc is not None and not self._dead and not self.k.broken and self.thread.is_alive()
                and proc.poll() is None)

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


_lock = threading.Lock()  # one render at a time: kaleido is not thread-safe
_server: _Server | None = None
_logs_quieted = False
_stop_registered = False


def _quiet_logs() -> None:
    """Give kaleido's and choreographer's loggers a ``NullHandler`` (once).

    They log warnings (e.g. "Browser is being closed by watchdog" after a timeout kill)
    that would otherwise reach stderr through logging's last-resort handler; handlers
    the application configures still receive them.
    """
    global _logs_quieted
    if not _logs_quieted:
        _logs_quieted = True
        for name in QUIET_LOGGERS:
            logging.getLogger(name).addHandler(logging.NullHandler())


def _register_stop() -> None:
    """Stop Chromium at interpreter exit (registered once, after the first start).

    After the start on purpose: atexit runs hooks last-in first-out, and starting
    Chromium registers weakref's finalizer hook, which deletes Chromium's temporary
    profile; Chromium must be stopped before that.
    """
    global _stop_registered
    if not _stop_registered:
        _stop_registered = True
        atexit.register(stop)


def _ensure_server() -> _Server:
    """Return the running server, starting one if needed. Caller holds ``_lock``."""
    global _server
    if _server is not None and not _server.alive():
        _server.kill()
        _server = None
    if _server is None:
        browser = find_browser()
        _quiet_logs()
        _server = _Server(browser)
        _register_stop()
    return _server


def _discard(server: _Server) -> None:
    """Kill ``server`` and forget it, so the next call starts a fresh Chromium."""
    global _server
    if _server is server:
        _server = None
    server.kill()


def calc(spec: dict, opts: dict, timeout_s: float, check: Callable[[bytes], None]) -> bytes:
    """Render ``spec`` with kaleido ``opts`` in the export Chromium, starting it if needed.

    Waiting for another render and the render itself are each bounded by ``timeout_s``
    (``ExportError`` on either; a timed-out Chromium is killed). ``check(data)`` runs
    before the lock is released; if it raises, this Chromium is never used again. Any
    other exception from kaleido is re-raised as it is, after a dead Chromium is dropped.
    """
    if not _lock.acquire(timeout=timeout_s):
        raise ExportError(f"export timed out after {timeout_s:g} s (waiting for another export)")
    try:
        server = _ensure_server()
        try:
            data = server.calc(spec, opts, timeout_s)
        except TimeoutError:
            _discard(server)
            raise ExportError(f"export timed out after {timeout_s:g} s") from None
        except Exception:
            if not server.alive():
                _discard(server)
            raise
        try:
            check(data)
        except Exception:
            _discard(server)  # never reuse a browser that returned a wrong result
            raise
        return data
    finally:
        _lock.release()


def warm() -> None:
    """Start the export Chromium in a background thread, so that it starts while the caller
    prepares its first figure. A start that fails is retried, and reported, by the first
    render."""
    def start() -> None:
        with _lock:
            try:
                _ensure_server()
            except Exception:  # noqa: BLE001 - calc() starts it again and raises ExportError
                pass

    threading.Thread(target=start, name="export-warm", daemon=True).start()


def stop() -> None:
    """Shut the export browser down. The next export starts a new one."""
    global _server
    got = _lock.acquire(timeout=STOP_TIMEOUT_S)
    try:
        server, _server = _server, None
        if server is not None:
            if got:
                server.close()
            else:  # a render is stuck holding the lock: do not wait for it
                server.kill()
    finally:
        if got:
            _lock.release()
