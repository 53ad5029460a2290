"""The app runs on a read-only data folder and changes nothing in it (reliability.md 5.6).

The copy is made read-only with ``chmod -R a-w``. Tests may run as root, for whom that
stops no write, so the proof does not rely on permissions: a manifest of every path
(size, mtime, mode, sha256) before and after a full browse must be identical, the
server's open files never include a data file opened for writing, and the server log
has no PermissionError or traceback.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import psutil
import pytest

from tests.e2e.conftest import (
    PAGES,
    copy_data,
    default_data_dir,
    exercise,
    external_requests,
    save_screenshot,
    settle_network,
    open_spec,
)

pytestmark = pytest.mark.browser

WRITE_BITS = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH


def manifest(folder: Path) -> dict[str, tuple]:
    """path -> (kind, size, mtime_ns, mode, sha256) for the folder and everything in it."""
    out = {}
    for path in [folder, *sorted(folder.rglob("*"))]:
        st = path.lstat()
        rel = str(path.relative_to(folder)) or "."
        if path.is_file():
            out[rel] = ("file", st.st_size, st.st_mtime_ns, stat.S_IMODE(st.st_mode),
                        hashlib.sha256(path.read_bytes()).hexdigest())
        else:
            out[rel] = ("dir", 0, st.st_mtime_ns, stat.S_IMODE(st.st_mode), "")
    return out


def set_writable(folder: Path, writable: bool) -> None:
    for path in [*sorted(folder.rglob("*"), reverse=True), folder]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        path.chmod(mode | stat.S_IWUSR if writable else mode & ~WRITE_BITS)


def writes_into(pid: int, folder: Path) -> list[str]:
    """Files under ``folder`` the process (or its children) holds open for writing now."""
    found = []
    try:
        procs = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        return found
    for proc in procs:
        try:
            for f in proc.open_files():
                if Path(f.path).is_relative_to(folder) and getattr(f, "mode", "r") != "r":
                    found.append(f"{f.path} ({f.mode})")
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return found


def test_read_only_data_is_never_written(start_app, tmp_path, page, page_log):
    folder = copy_data(default_data_dir(), tmp_path / "readonly" / "data")
    set_writable(folder, False)
    try:
        before = manifest(folder)
        assert all(not (mode & WRITE_BITS) for _, _, _, mode, _ in before.values()), "chmod a-w did not apply"
        server = start_app(folder)
        writes: list[str] = []
        try:
            visited, clicked = [], {}
            for spec in PAGES:
                page_log.clear()
                open_spec(page, server.url, spec, page_log)  # a missing page fails
                exercise(page, hover_grid=None)  # opens expanders, where download buttons may be
                for button in page.get_by_test_id("stDownloadButton").locator("button").all():
                    label = button.inner_text().strip()
                    if label in clicked or "SVG" in label or "PDF" in label:
                        continue  # one of each kind is enough; PNG stands for every figure export
                    with page.expect_download(timeout=60_000) as info:
                        button.click()
                    clicked[label] = info.value.suggested_filename
                    assert Path(info.value.path()).stat().st_size > 0, f"empty download {clicked[label]}"
                settle_network(page, page_log)
                writes += writes_into(server.proc.pid, folder)
                visited.append(spec.path)
                assert page.get_by_test_id("stException").count() == 0, f"{spec.path}: exception box"
                assert external_requests(page_log) == [], external_requests(page_log)
            save_screenshot(page, "readonly_last_page")
            assert visited, "no page was visited"
        finally:
            server.stop()  # anything written at shutdown shows in the manifest too
        after = manifest(folder)
        log = server.log_text()
    finally:
        set_writable(folder, True)  # so tmp_path can be cleaned up by a non-root user
    assert writes == [], f"data files opened for writing: {writes}"
    added = sorted(set(after) - set(before))
    removed = sorted(set(before) - set(after))
    changed = sorted(k for k in set(before) & set(after) if before[k] != after[k])
    assert (added, removed, changed) == ([], [], []), f"added {added}, removed {removed}, changed {changed}"
    for words in ("PermissionError", "Read-only file system", "Traceback"):
        assert words not in log, f"{words!r} in the server log:\n{log[-3000:]}"
    assert os.access(folder, os.R_OK)
