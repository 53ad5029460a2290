"""Nothing lost: an export killed midway leaves only complete files at its destinations."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from dashboard import cli
from dashboard.data.load import load_package
from tests.browser import require_chromium

REPO = Path(__file__).resolve().parent.parent
COMPLETE = {  # how each format's file ends when it was written whole
    ".png": lambda d: d.startswith(b"\x89PNG") and d.endswith(b"IEND\xaeB`\x82"),
    ".svg": lambda d: d.lstrip().startswith(b"<svg") and d.rstrip().endswith(b"</svg>"),
    ".pdf": lambda d: d.startswith(b"%PDF") and b"%%EOF" in d[-1024:],
}


def standard_names() -> list[str]:
    """The file names `dashboard export --all` writes, in order, from the CLI's own list."""
    return [name for name, _figure, _query in cli.standard_set(load_package(REPO / "data"))]


@pytest.mark.export
def test_export_killed_midway_leaves_no_partial_file(tmp_path):
    require_chromium()
    names = standard_names()
    assert len(names) >= 2, "--all must write at least two files for a kill between them"
    proc = subprocess.Popen([sys.executable, "-m", "dashboard.cli", "export", "--all", "--out-dir", str(tmp_path)],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True)
    first = proc.stdout.readline().decode().strip()  # the first figure is written; the second is being rendered
    assert first == str(tmp_path / names[0])
    time.sleep(0.5)
    family = psutil.Process(proc.pid).children(recursive=True)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    for child in family:  # kaleido's Chromium runs in its own session: SIGKILL of the parent orphans it
        try:
            child.kill()
        except psutil.NoSuchProcess:
            pass
    files = {p.name for p in tmp_path.iterdir() if not p.name.startswith(".")}  # hidden: temp .part files
    written = [n for n in names if n in files]
    assert files == set(written), f"files --all does not write: {sorted(files - set(names))}"
    assert written == names[: len(written)], "--all writes in its list's order"
    assert 1 <= len(written) < len(names), "it really was killed midway"
    for name in written:
        assert COMPLETE[Path(name).suffix]((tmp_path / name).read_bytes()), f"{name} is truncated"
    assert all(p.name.endswith(".part") for p in tmp_path.iterdir() if p.name.startswith("."))
