"""Load and validate the data package: every table typed, every reference resolved.

``check_package(dir)`` returns ``(package or None, problems)`` and never raises for bad
data; ``load_package(dir)`` raises DataError. Nothing here writes to the data folder.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from dashboard.data import checks
from dashboard.data.cells import empty_value, parse_cell
from dashboard.data.csvread import RawTable, read_csv
from dashboard.data.gcpause import paused_gc
from dashboard.errors import DataError, Problem
from dashboard.data.schema import SCHEMA_FILE, Schema, Table, load_schema

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
            raws[table.name] = raw
            typed[table.name], found = _type_table(raw, table, schema)
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


Rows = list[tuple[int, dict]]  # (line, typed row)


def _locator(schema: Schema, raws: dict[str, RawTable]) -> checks.Where:
    """(file, 1-based position of the column in that file's own header) for a table's column."""
    def where(table: str, column: str) -> tuple[str, int]:
        return schema.tables[table].file, raws[table].header.index(column) + 1
    return where


def _type_table(raw: RawTable, table: Table, schema: Schema) -> tuple[Rows, list[Problem]]:
    problems: list[Problem] = []
    position = {name: i for i, name in enumerate(raw.header)}
    rows: Rows = []
    for line, cells in raw.rows:
        if len(cells) != len(raw.header):
            problems.append(Problem(raw.file, line, 0, "", f"expected {len(raw.header)} fields, found {len(cells)}"))
            continue
        row, found = _type_row(raw.file, line, cells, position, table, schema)
        problems += found
        rows.append((line, row))
    if len(raw.rows) < table.min_rows:
        problems.append(Problem(raw.file, 0, 0, "", f"too few rows: {len(raw.rows)}, at least {table.min_rows} expected"))
    return rows, problems


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


def _type_row(file, line, cells, position, table: Table, schema: Schema) -> tuple[dict, list[Problem]]:
    row, problems = {}, []
    for col in table.columns:
        i = position[col.name]
        raw = cells[i]
        if raw == "":
            if col.required:
                problems.append(Problem(file, line, i + 1, col.name, "required value is empty"))
            row[col.name] = empty_value(col)
            continue
        value, error = parse_cell(raw, col, schema.max_cell_chars)
        if error:
            problems.append(Problem(file, line, i + 1, col.name, error))
        row[col.name] = value if not error else empty_value(col)
    return row, problems


def _check_keys(typed: dict[str, Rows], schema: Schema, where: checks.Where) -> list[Problem]:
    """Unique primary keys (also unique ignoring case), and every reference resolves."""
    problems, keys = [], {}
    for name, rows in typed.items():
        table = schema.tables[name]
        keys[name] = set()
        first: dict[str, int] = {}
        _, col_no = where(name, table.primary_key)
        for line, row in rows:
            key = row[table.primary_key]
            norm = str(key).strip().casefold()
            if norm in first:
                problems.append(Problem(table.file, line, col_no, table.primary_key, f"duplicate id {key!r}: already used on line {first[norm]}"))
            else:
                first[norm] = line
            keys[name].add(key)
    for name, rows in typed.items():
        problems += _check_references(schema.tables[name], rows, keys, where)
    return problems


def _check_references(table: Table, rows: Rows, keys: dict[str, set], where: checks.Where) -> list[Problem]:
    problems = []
    for col in table.columns:
        if not col.references:
            continue
        target = keys.get(col.references, set())
        _, col_no = where(table.name, col.name)
        for line, row in rows:
            values = row[col.name] if col.type == "list" else (row[col.name],)
            for value in values:
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


def _package(data_dir: Path, schema: Schema, raws: dict[str, RawTable], typed: dict[str, Rows], countries: bytes) -> Package:
    digest = hashlib.sha256((data_dir / SCHEMA_FILE).read_bytes())
    for name in sorted(raws):
        digest.update(name.encode() + b"\0" + raws[name].data)
    digest.update(countries)
    tables, lines = {}, {}
    for name, rows in typed.items():
        table = schema.tables[name]
        frame = pd.DataFrame([row for _, row in rows], columns=table.column_names)
        tables[name] = _typed_frame(frame, table)
        lines[name] = {row[table.primary_key]: line for line, row in rows}
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
