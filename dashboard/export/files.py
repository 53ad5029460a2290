"""Atomic file writes for exports: never a partial file at the destination."""

from __future__ import annotations

import glob
import os
import re
import tempfile
from pathlib import Path

from dashboard.export.errors import ExportError, one_line


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
        raise ExportError(f"cannot write {path}: {exc.strerror or one_line(exc)}") from exc
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
            raise ExportError(f"cannot write {path}: {exc.strerror or one_line(exc)}") from exc
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
