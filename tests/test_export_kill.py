"""Nothing lost: an export killed midway leaves no file at its destination."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from tests.browser import require_chromium

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.export
def test_export_killed_midway_leaves_no_partial_file(tmp_path):
    require_chromium()
    out = tmp_path / "map.png"
    proc = subprocess.Popen([sys.executable, "-m", "dashboard.cli", "export", "--all", "--out-dir", str(tmp_path)],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True)
    first = proc.stdout.readline().decode()  # the first figure is written; the second is being rendered
    assert first.strip().endswith(".png")
    time.sleep(0.5)
    family = psutil.Process(proc.pid).children(recursive=True)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    for child in family:  # kaleido's Chromium runs in its own session: SIGKILL of the parent orphans it
        try:
            child.kill()
        except psutil.NoSuchProcess:
            pass
    written = sorted(p.name for p in tmp_path.iterdir())
    for name in written:
        data = (tmp_path / name).read_bytes()
        if name.endswith(".png"):
            assert data.startswith(b"\x89PNG") and data.rstrip(b"\x00").endswith(b"IEND\xaeB`\x82"), f"{name} is truncated"
    assert not out.exists() or out.read_bytes().startswith(b"\x89PNG")
    assert len([n for n in written if n.endswith(".png")]) < 8  # it really was killed midway
