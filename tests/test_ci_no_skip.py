"""Under CI=true a missing browser fails the run; elsewhere it only skips the browser tests.

Both halves are simulated deterministically, as a non-root user with no browser: a PATH
holding only a fake ``id`` (uid 1000), so neither Chromium nor apt-get can be found.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ENSURE = REPO / ".ci" / "ensure-chromium"

TINY_TESTS = textwrap.dedent(
    """
    import pytest
    from tests.browser import require_chromium

    @pytest.mark.browser
    def test_needs_a_browser():
        require_chromium()

    @pytest.mark.export
    def test_skips_by_itself():
        pytest.skip("no browser here")
    """
)


def no_browser_path(tmp_path: Path) -> str:
    """A PATH with nothing on it but an ``id`` that says uid 1000."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake_id = bin_dir / "id"
    fake_id.write_text("#!/bin/sh\necho 1000\n")
    fake_id.chmod(0o755)
    return str(bin_dir)


def run_ensure(path: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(["/bin/sh", str(ENSURE)], env={"PATH": path, **env}, capture_output=True, text=True, timeout=30)


def test_ensure_chromium_fails_under_ci_without_a_browser(tmp_path):
    path = no_browser_path(tmp_path)
    for env in ({"BROWSER_PATH": "/nonexistent"}, {}):
        ci = run_ensure(path, CI="true", **env)
        assert ci.returncode == 1, ci.stderr
        assert "CI=true: cannot provide Chromium" in ci.stderr
        local = run_ensure(path, **env)
        assert local.returncode == 0 and "will be skipped" in local.stderr, local.stderr
    assert "No Chromium at BROWSER_PATH=/nonexistent" in run_ensure(path, CI="true", BROWSER_PATH="/nonexistent").stderr


def test_ensure_chromium_accepts_the_browser_it_finds(tmp_path):
    path = no_browser_path(tmp_path)
    fake = Path(path) / "chromium"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    assert run_ensure(path, CI="true").returncode == 0
    assert run_ensure(path, CI="true", BROWSER_PATH=str(fake)).returncode == 0


def run_tiny_suite(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    test_file = tmp_path / "test_tiny.py"
    test_file.write_text(TINY_TESTS)
    cmd = [sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider", "-c", str(REPO / "pyproject.toml"), "-p", "tests.conftest", str(test_file)]
    full_env = {"PYTHONPATH": str(REPO), "PATH": "/nonexistent", "BROWSER_PATH": "/nonexistent", "HOME": str(tmp_path), **env}
    return subprocess.run(cmd, cwd=tmp_path, env=full_env, capture_output=True, text=True, timeout=120)


def test_browser_tests_fail_under_ci_without_a_browser(tmp_path):
    ci = run_tiny_suite(tmp_path, CI="true")
    assert ci.returncode == 1, ci.stdout + ci.stderr
    assert "2 failed" in ci.stdout, ci.stdout
    assert "CI=true: a browser test cannot run and must not skip" in ci.stdout
    assert "CI=true: a browser/export test must not skip (no browser here)" in ci.stdout


def test_browser_tests_skip_without_a_browser_outside_ci(tmp_path):
    local = run_tiny_suite(tmp_path)
    assert local.returncode == 0, local.stdout + local.stderr
    assert "2 skipped" in local.stdout and "BROWSER_PATH='/nonexistent'" in local.stdout
