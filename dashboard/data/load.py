"""Load and validate the data package: every table typed, every reference resolved.

``check_package(dir)`` returns ``(package or None, problems)`` and never raises for bad
data; ``load_package(dir)`` raises DataError. Nothing here writes to the data folder.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from dashboard.data import checks
from dashboard.data.cells import parse_column
from dashboard.data.checks import Typed
from dashboard.data.csvread import RawTable, read_csv
from dashboard.data.gcpause import paused_gc
from dashboard.errors import DataError, Problem
from dashboard.data.schema import SCHEMA_FILE, Column, Schema, Table, load_schema

ENV_VAR = "DASHBOARD_DATA_DIR"
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "data"
COUNTRIES_FILE = "basemap/countries.geojson"


@dataclass(frozen=True)
class Package:
    """The validated tables. Treat every frame as read-only."""

    data_dir: Path
    tables: dict[str, pd.DataFrame]
    version: str        # short sha256 of every file of the package
    lines: dict[str, dict[str, int]]  # table -> primary key -> physical line
    vocab: dict[str, tuple[str, ...]] = field(default_factory=dict)  # schema.toml [vocabularies]

    def memo(self, key, compute):
        """``compute()`` once per package and key: for pure functions of the (read-only)
        package that a page asks for on every rerun (the default view, best claims)."""
        cache = self.__dict__.setdefault("_memo", {})
        if key not in cache:
            cache[key] = compute()
        return cache[key]

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)


def resolve_data_dir(explicit: str | os.PathLike | None = None) -> Path:
    """``--data`` if given, else $DASHBOARD_DATA_DIR, else the repository's data/."""
    chosen = explicit or os.environ.get(ENV_VAR) or DEFAULT_DATA_DIR
    return Path(chosen).expanduser().resolve()


def load_package(data_dir: str | os.PathLike) -> Package:
    package, problems = check_package(data_dir)
    if problems:
        raise DataError(problems)
    assert package is not None
    return package


def check_package(data_dir: str | os.PathLike) -> tuple[Package | None, list[Problem]]:
    """Validate everything and report all problems at once, sorted by file and line."""
    with paused_gc():
        return _check_package(Path(data_dir))


def _check_package(data_dir: Path) -> tuple[Package | None, list[Problem]]:
    if not data_dir.is_dir():
        return None, [Problem(str(data_dir), 0, 0, "", "not a folder: no data package here")]
    try:
        schema = load_schema(data_dir)
    except DataError as exc:
        return None, exc.problems
    problems: list[Problem] = []
    raws, typed = {}, {}
    for table in schema.tables.values():
        raw, found = read_csv(data_dir / table.file, table.file, schema.max_file_bytes)
        problems += found
        if raw is not None and not (found := _check_header(raw, table)):
            typed[table.name], found = _type_table(raw, table, schema)
            raws[table.name] = dataclasses.replace(raw, lines=[], rows=[])  # the cells are typed now: let them go
        problems += found
    countries_bytes, found = _check_countries(data_dir, schema.max_file_bytes)
    problems += found
    if len(typed) == len(schema.tables):  # cross-table checks need every table readable
        where = _locator(schema, raws)
        problems += _check_keys(typed, schema, where)
        problems += checks.domain_rules(typed, where, schema)
    if problems:
        return None, sorted(set(problems))
    return _package(data_dir, schema, raws, typed, countries_bytes), []


def _locator(schema: Schema, raws: dict[str, RawTable]) -> checks.Where:
    """(file, 1-based position of the column in that file's own header) for a table's column."""
    def where(table: str, column: str) -> tuple[str, int]:
        return schema.tables[table].file, raws[table].header.index(column) + 1
    return where


def _type_table(raw: RawTable, table: Table, schema: Schema) -> tuple[Typed, list[Problem]]:
    """Rows with the right number of cells, typed column by column (see cells.parse_column)."""
    width = len(raw.header)
    fits = [len(cells) == width for cells in raw.rows]
    problems = [Problem(raw.file, line, 0, "", f"expected {width} fields, found {len(cells)}")
                for line, cells, ok in zip(raw.lines, raw.rows, fits) if not ok]
    lines = [line for line, ok in zip(raw.lines, fits) if ok]
    rows = [cells for cells, ok in zip(raw.rows, fits) if ok]
    by_position = list(zip(*rows)) if rows else [()] * width
    columns = {}
    for col in table.columns:
        i = raw.header.index(col.name)
        columns[col.name], found = _type_column(raw.file, lines, by_position[i], i + 1, col, schema)
        problems += found
    if len(raw.rows) < table.min_rows:
        problems.append(Problem(raw.file, 0, 0, "", f"too few rows: {len(raw.rows)}, at least {table.min_rows} expected"))
    return Typed(lines, columns), problems


def _type_column(file: str, lines: list[int], cells, position: int, col: Column, schema: Schema) -> tuple[list, list[Problem]]:
    """One column's typed values and its problems (``position``: 1-based, in the file's header)."""
    values, errors = parse_column(cells, col, schema.max_cell_chars)
    problems = [Problem(file, lines[i], position, col.name, message) for i, message in errors.items()]
    if col.required and "" in cells:
        problems += [Problem(file, lines[i], position, col.name, "required value is empty")
                     for i, raw in enumerate(cells) if raw == ""]
    return values, problems


def _check_header(raw: RawTable, table: Table) -> list[Problem]:
    problems = []
    seen: set[str] = set()
    for i, name in enumerate(raw.header, start=1):
        if name in seen:
            problems.append(Problem(raw.file, 1, i, name, "duplicate column name"))
        elif name not in table.column_names:
            problems.append(Problem(raw.file, 1, i, name, f"unknown column; expected: {', '.join(table.column_names)}"))
        seen.add(name)
    for name in table.column_names:
        if name not in seen:
            problems.append(Problem(raw.file, 1, 0, name, "missing column"))
    return problems


def _check_keys(typed: dict[str, Typed], schema: Schema, where: checks.Where) -> list[Problem]:
    """Unique primary keys (also unique ignoring case), and every reference resolves."""
    problems, keys = [], {}
    for name, rows in typed.items():
        table = schema.tables[name]
        ids = rows.columns[table.primary_key]
        keys[name] = set(ids)
        norms = list(map(str.casefold, map(str.strip, map(str, ids))))
        if len(set(norms)) != len(norms):
            problems += _duplicate_keys(table, rows.lines, ids, norms, where(name, table.primary_key)[1])
    for name, rows in typed.items():
        problems += _check_references(schema.tables[name], rows, keys, where)
    return problems


def _duplicate_keys(table: Table, lines: list[int], ids: list, norms: list[str], col_no: int) -> list[Problem]:
    problems, first = [], {}
    for line, key, norm in zip(lines, ids, norms):
        if norm in first:
            problems.append(Problem(table.file, line, col_no, table.primary_key, f"duplicate id {key!r}: already used on line {first[norm]}"))
        else:
            first[norm] = line
    return problems


def _check_references(table: Table, rows: Typed, keys: dict[str, set], where: checks.Where) -> list[Problem]:
    problems = []
    for col in table.columns:
        if not col.references:
            continue
        target = keys.get(col.references, set())
        values = rows.columns[col.name]
        distinct = set(values)
        if col.type == "list":
            distinct = set().union(*distinct)
        if not any(value and value not in target for value in distinct):
            continue
        _, col_no = where(table.name, col.name)
        for line, cell in zip(rows.lines, values):
            for value in (cell if col.type == "list" else (cell,)):
                if value and value not in target:
                    problems.append(Problem(table.file, line, col_no, col.name, f"unknown {col.references} id {value!r}"))
    return problems


def _check_countries(data_dir: Path, max_bytes: int) -> tuple[bytes, list[Problem]]:
    path = data_dir / COUNTRIES_FILE
    if not path.exists():
        return b"", [Problem(COUNTRIES_FILE, 0, 0, "", "missing: the offline base map is required")]
    if path.stat().st_size > max_bytes:
        return b"", [Problem(COUNTRIES_FILE, 0, 0, "", f"too large: the limit is {max_bytes:,} bytes")]
    data = path.read_bytes()
    try:
        doc = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        return b"", [Problem(COUNTRIES_FILE, 0, 0, "", "not UTF-8")]
    except json.JSONDecodeError as exc:
        return b"", [Problem(COUNTRIES_FILE, exc.lineno, exc.colno, "", f"not valid JSON: {exc.msg}")]
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not doc.get("features"):
        return b"", [Problem(COUNTRIES_FILE, 1, 1, "", "not a GeoJSON FeatureCollection with features")]
    return data, []


def _package(data_dir: Path, schema: Schema, raws: dict[str, RawTable], typed: dict[str, Typed], countries: bytes) -> Package:
    digest = hashlib.sha256((data_dir / SCHEMA_FILE).read_bytes())
    for name in sorted(raws):
        digest.update(name.encode() + b"\0" + raws[name].data)
    digest.update(countries)
    tables, lines = {}, {}
    for name, rows in typed.items():
        table = schema.tables[name]
        frame = pd.DataFrame(rows.columns, columns=table.column_names) if rows.lines else pd.DataFrame([], columns=table.column_names)
        tables[name] = _typed_frame(frame, table)
        lines[name] = dict(zip(rows.columns[table.primary_key], rows.lines))
    return Package(data_dir, tables, digest.hexdigest()[:12], lines, schema.vocabularies)


def _typed_frame(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    for col in table.columns:
        if col.type == "number":
            frame[col.name] = frame[col.name].astype("float64")
        elif col.type == "integer":
            frame[col.name] = frame[col.name].astype("Int64")
        elif col.type == "bool":
            frame[col.name] = frame[col.name].astype(bool)
    return frame
