"""Small helpers that edit a copy of the data package, one CSV cell or line at a time.

They work on the file's text so that a test can say exactly which physical line it broke.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path


def line_of(folder: Path, file: str, key: str) -> int:
    """Physical line (header = 1) of the row whose first field is ``key``."""
    for number, line in enumerate((folder / file).read_text(encoding="utf-8").splitlines(), start=1):
        if line.split(",", 1)[0] == key:
            return number
    raise KeyError(f"{key} not in {file}")


def column_of(folder: Path, file: str, name: str) -> int:
    """1-based position of column ``name`` in the header."""
    header = next(csv.reader(io.StringIO((folder / file).read_text(encoding="utf-8"))))
    return header.index(name) + 1


def set_cell(folder: Path, file: str, key: str, column: str, value: str) -> tuple[int, int]:
    """Set one cell of the row ``key``; return (line, column) of the edited cell."""
    path = folder / file
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    number, col = line_of(folder, file, key), column_of(folder, file, column)
    cells = next(csv.reader([lines[number - 1]]))
    cells[col - 1] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(cells)
    lines[number - 1] = out.getvalue()
    path.write_text("".join(lines), encoding="utf-8")
    return number, col


def append_line(folder: Path, file: str, text: str) -> int:
    """Append a raw line; return its physical line number."""
    path = folder / file
    body = path.read_text(encoding="utf-8")
    if not body.endswith("\n"):
        body += "\n"
    path.write_text(body + text + "\n", encoding="utf-8")
    return body.count("\n") + 1


def copy_row(folder: Path, file: str, key: str) -> int:
    """Append an exact copy of row ``key``; return the new line number."""
    line = (folder / file).read_text(encoding="utf-8").splitlines()[line_of(folder, file, key) - 1]
    return append_line(folder, file, line)
