"""The one exception type for bad data: every problem names file, line and column."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the data package.

    ``line`` is the physical line in the file (the header is line 1), 0 when the
    problem concerns the whole file. ``column`` is the 1-based position of the column in
    the file's own header (not the schema's order), 0 when the problem concerns the whole
    row or file; ``field`` is the column name.
    """

    file: str
    line: int
    column: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class DataError(Exception):
    """The data package is invalid. ``problems`` lists every problem found, in file order."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
