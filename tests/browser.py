"""Find a local Chromium and launch it for tests, offline, or say clearly why a test skips.

Used by every test that drives a browser (tests/e2e, export and load tests). Nothing here
downloads anything: Playwright's own browser builds are never installed or used; the
browser is Debian's chromium (or whatever BROWSER_PATH points at).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

ENV_VAR = "BROWSER_PATH"
CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
SKIP_REASON = "no Chromium: install Debian's chromium or set BROWSER_PATH"

# Headless, software GL, and every background service that could phone home switched off.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def find_chromium() -> str | None:
    """$BROWSER_PATH if it names an executable file, else the first candidate on PATH."""
    explicit = os.environ.get(ENV_VAR, "").strip()
    if explicit:
        path = Path(explicit).expanduser()
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
        found = shutil.which(explicit)
        return found  # a BROWSER_PATH that points nowhere is not silently replaced
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def require_chromium() -> str:
    """The browser's path, or skip the calling test with a reason that says what to do."""
    path = find_chromium()
    if path is None:
        pytest.skip(SKIP_REASON)
    return path


def launch(playwright, user_data_dir: str | os.PathLike | None = None, **kwargs):
    """Launch Chromium through Playwright with a fresh profile.

    Returns a persistent-profile-free ``Browser``: Playwright gives every context its own
    empty profile, and the launch itself gets a new temporary user-data-dir (removed by
    Playwright when the browser closes) unless ``user_data_dir`` is given, in which case a
    persistent ``BrowserContext`` is returned instead.
    """
    executable = require_chromium()
    options = dict(executable_path=executable, headless=True, args=list(CHROMIUM_ARGS))
    options.update(kwargs)
    if user_data_dir is not None:
        return playwright.chromium.launch_persistent_context(str(user_data_dir), **options)
    return playwright.chromium.launch(**options)


def fresh_profile_dir() -> str:
    """A new, empty directory for ``launch(..., user_data_dir=...)``; the caller removes it."""
    return tempfile.mkdtemp(prefix="chromium-profile-")
