"""Read one CSV file into rows that remember their physical line numbers.

Nothing here interprets cell values: the file is checked for size, encoding and shape
only. The size cap is applied before a single byte is read.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from dashboard.errors import Problem


@dataclass(frozen=True)
class RawTable:
    file: str                       # name relative to the data folder, used in messages
    header: list[str]
    lines: list[int]                # physical line of each row's first line
    rows: list[list[str]]           # the cells of each row
    data: bytes                     # the file's bytes, for the package version hash


def read_csv(path: Path, label: str, max_bytes: int) -> tuple[RawTable | None, list[Problem]]:
    """Read ``path``; return the raw table, or None and the problems that stop reading."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return None, [Problem(label, 0, 0, "", "missing: the file does not exist")]
    if size > max_bytes:
        return None, [Problem(label, 0, 0, "", f"too large: {size:,} bytes, the limit is {max_bytes:,}")]
    data = path.read_bytes()
    text, problem = _decode(data, label)
    if problem:
        return None, [problem]
    if not text.strip():
        return None, [Problem(label, 1, 0, "", "empty: the file has no header and no rows")]
    return _parse(text, label, data)


def _decode(data: bytes, label: str) -> tuple[str, Problem | None]:
    if b"\x00" in data:
        line, col = _position(data, data.index(b"\x00"))
        return "", Problem(label, line, col, "", "NUL byte: the file is binary or not UTF-8 text")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        start = exc.start + (3 if data.startswith(b"\xef\xbb\xbf") else 0)
        line, col = _position(data, min(start, len(data) - 1))
        return "", Problem(label, line, col, "", f"not UTF-8: byte 0x{data[start]:02x} cannot be decoded; save the file as UTF-8")


def _position(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    return line, offset - (data.rfind(b"\n", 0, offset) + 1) + 1


def _parse(text: str, label: str, data: bytes) -> tuple[RawTable | None, list[Problem]]:
    reader = csv.reader(text.splitlines(keepends=True), strict=True)
    problems: list[Problem] = []
    lines: list[int] = []
    rows: list[list[str]] = []
    header: list[str] | None = None
    last = 0
    try:
        for cells in reader:
            start, last = last + 1, reader.line_num
            if header is None:
                header = cells
            elif not any(map(str.strip, cells)):
                problems.append(Problem(label, start, 0, "", "blank row: remove the empty line"))
            else:
                lines.append(start)
                rows.append(cells)
    except csv.Error as exc:
        problems.append(Problem(label, last + 1, 0, "", f"malformed CSV: {exc} (an unclosed quote?)"))
        return None, problems
    return RawTable(label, header or [], lines, rows, data), problems
