"""Fixture strategy.

- The real data package in data/ is the main fixture: tests read it, never write it. A
  session-wide guard hashes every file under data/ before the run and checks the hashes
  again after it, so any test (or app code) that writes there fails the run.
- A test that needs broken or unusual data gets its own copy of the package in tmp_path
  (`data_copy`) and edits only that copy, with the small helpers in tests/datafix.py.
- Browser and export tests need Chromium; `tests/browser.py` finds it with
  `dashboard.export.find_browser` (BROWSER_PATH, then PATH) and those tests skip with a
  clear reason when there is none. Under CI=true they fail instead: a skipped test
  marked `browser` or `export` is reported as a failure (hook below), so CI cannot pass
  by skipping.
- No network: everything a test serves listens on 127.0.0.1. The dependency audit, which
  asks pypi.org, is not a test: it runs as `make audit` (tests/audit.py).
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from tests.browser import in_ci

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"


def _manifest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI=true, a skipped `browser` or `export` test is a failure, with its reason."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and not hasattr(report, "wasxfail") and in_ci():
        if item.get_closest_marker("browser") or item.get_closest_marker("export"):
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
            reason = reason.removeprefix("Skipped: ")
            report.outcome = "failed"
            report.longrepr = f"CI=true: a browser/export test must not skip ({reason})"


@pytest.fixture(scope="session", autouse=True)
def data_folder_untouched():
    """Fail the session if anything under data/ was added, removed or changed."""
    before = _manifest(DATA)
    yield
    assert _manifest(DATA) == before, "the test run modified data/"


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A private, writable copy of the real data package."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return target


@pytest.fixture(scope="session")
def dash():
    """The real data as the application object (package, base map, cities, graph), loaded once."""
    from dashboard.views.dashboard import Dashboard

    return Dashboard.load(DATA)


@pytest.fixture(scope="session")
def package():
    """The real data package, loaded once."""
    from dashboard.data.load import load_package

    return load_package(DATA)


# One Playwright (sync API) and one Chromium per test session, shared by the browser tests
# (tests/e2e) and the export layout tests: a second sync Playwright in the same process
# fails ("Sync API inside the asyncio loop").
@pytest.fixture(scope="session")
def playwright_instance():
    from tests.browser import require_chromium

    require_chromium()
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    yield pw
    pw.stop()


@pytest.fixture(scope="session")
def browser(playwright_instance):
    from tests.browser import launch

    b = launch(playwright_instance)
    yield b
    b.close()
