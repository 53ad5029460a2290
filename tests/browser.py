"""The browser for tests: the export finder's Chromium, launched offline through Playwright.

Used by every test that drives a browser (tests/e2e, export and load tests). The browser
is the one ``dashboard.export.find_browser`` finds (BROWSER_PATH, then PATH), so tests and
the app's exports use the same executable. Nothing here downloads anything: Playwright's
own browser builds are never installed or used.

Without a browser a test skips with the finder's reason, except under ``CI=true``, where a
missing browser is a failure: CI must not pass by skipping.
"""

from __future__ import annotations

import os

import pytest

from dashboard.export import ExportError, find_browser

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


def in_ci() -> bool:
    """True when the environment says this is a CI run (``CI=true``, as CI services set it)."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1")


def require_chromium() -> str:
    """The browser's path; else skip the calling test, or fail it under ``CI=true``."""
    try:
        return find_browser()
    except ExportError as exc:
        reason = str(exc)
    if in_ci():
        pytest.fail(f"CI=true: a browser test cannot run and must not skip: {reason}", pytrace=False)
    pytest.skip(reason)


def launch(playwright, **kwargs):
    """Launch Chromium through Playwright (headless, offline flags above).

    Playwright gives the launch a new temporary user-data-dir, removed when the browser
    closes, and every context its own empty profile.
    """
    options = dict(executable_path=require_chromium(), headless=True, args=list(CHROMIUM_ARGS))
    options.update(kwargs)
    return playwright.chromium.launch(**options)
