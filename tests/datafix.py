"""Small helpers that edit a copy of the data package, one CSV cell or line at a time.

They work on the file's text so that a test can say exactly which physical line it broke.
"""

from __future__ import annotations

import csv
import io
from contextlib import contextmanager
from pathlib import Path

from dashboard.data import cells


def line_of(folder: Path, file: str, key: str) -> int:
    """Physical line (header = 1) of the first row whose ``id`` field is ``key``."""
    rows = _rows(folder / file)
    at = rows[0].index("id")
    for number, cells in enumerate(rows[1:], start=2):
        if cells and cells[at] == key:
            return number
    raise KeyError(f"{key} not in {file}")


def _rows(path: Path) -> list[list[str]]:
    """Every line as cells (the package has no multi-line cells, so row i is line i + 1)."""
    return [next(csv.reader([line]), []) for line in path.read_text(encoding="utf-8").splitlines()]


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
    lines[number - 1] = _csv_line(cells)
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


def append_row(folder: Path, file: str, values: dict[str, str]) -> int:
    """Append a row given by column name, in the file's own column order; return its line."""
    header = _rows(folder / file)[0]
    return append_line(folder, file, _csv_line([values.get(name, "") for name in header]).rstrip("\n"))


def _csv_line(cells: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(cells)
    return out.getvalue()


def rotate_columns(folder: Path) -> None:
    """Move the first column of every CSV file to the end: no column keeps its schema position."""
    for path in folder.rglob("*.csv"):
        rows = _rows(path)
        path.write_text("".join(_csv_line(cells[1:] + cells[:1]) for cells in rows), encoding="utf-8")


def copy_row(folder: Path, file: str, key: str) -> int:
    """Append an exact copy of row ``key``; return the new line number."""
    line = (folder / file).read_text(encoding="utf-8").splitlines()[line_of(folder, file, key) - 1]
    return append_line(folder, file, line)


@contextmanager
def markup_allowed():
    """Test-only: let markup, TeX and outer spaces past validation (cells.check_plain) in
    this process, so a test can prove that every renderer escapes them anyway."""
    original = cells.check_plain
    cells.check_plain = lambda raw: ""
    try:
        yield
    finally:
        cells.check_plain = original
