"""Read data/schema.toml: the declared tables, their columns and what each column means.

This module only interprets the schema file; the rules live in the file, with comments.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from dashboard.errors import DataError, Problem

SCHEMA_FILE = "schema.toml"
TYPES = {"id", "text", "number", "integer", "date", "enum", "list", "bool", "url"}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool
    description: str
    unit: str = ""
    values: tuple[str, ...] = ()
    references: str = ""
    min: float | None = None
    max: float | None = None
    exclusive_min: float | None = None
    max_length: int | None = None


@dataclass(frozen=True)
class Table:
    name: str
    file: str
    description: str
    primary_key: str
    min_rows: int
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


@dataclass(frozen=True)
class Schema:
    tables: dict[str, Table]
    max_file_bytes: int
    max_cell_chars: int
    vocabularies: dict[str, tuple[str, ...]] = field(default_factory=dict)


def load_schema(data_dir: Path) -> Schema:
    """Parse ``data_dir/schema.toml``; raise DataError naming the line of a broken schema."""
    path = Path(data_dir) / SCHEMA_FILE
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError([Problem(SCHEMA_FILE, 0, 0, "", f"missing: no schema file in {data_dir}")]) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        line = getattr(exc, "lineno", 0) or 0
        raise DataError([Problem(SCHEMA_FILE, line, 0, "", f"not valid TOML: {exc}")]) from None
    try:
        return _build(raw)
    except (KeyError, TypeError, ValueError) as exc:
        raise DataError([Problem(SCHEMA_FILE, 0, 0, "", f"invalid schema: {exc}")]) from None


def _build(raw: dict) -> Schema:
    vocab = {k: tuple(v) for k, v in raw.get("vocabularies", {}).items()}
    if not set(vocab.get("weak_confidence", ())) <= set(vocab.get("confidence", ())):
        raise ValueError("vocabularies: weak_confidence must be a subset of confidence")
    tables = {name: _table(name, spec, vocab) for name, spec in raw["tables"].items()}
    limits = raw.get("limits", {})
    return Schema(
        tables=tables,
        max_file_bytes=int(limits.get("max_file_bytes", 5_000_000)),
        max_cell_chars=int(limits.get("max_cell_chars", 4000)),
        vocabularies=vocab,
    )


def _table(name: str, spec: dict, vocab: dict[str, tuple[str, ...]]) -> Table:
    columns = tuple(_column(c, vocab) for c in spec["columns"])
    pk = spec["primary_key"]
    if pk not in [c.name for c in columns]:
        raise ValueError(f"table {name}: primary key {pk!r} is not a column")
    return Table(name, spec["file"], spec.get("description", ""), pk, int(spec.get("min_rows", 0)), columns)


def _column(spec: dict, vocab: dict[str, tuple[str, ...]]) -> Column:
    kind = spec["type"]
    if kind not in TYPES:
        raise ValueError(f"column {spec['name']}: unknown type {kind!r}")
    values = tuple(spec.get("values", ())) or vocab.get(spec.get("values_from", ""), ())
    if kind == "enum" and not values:
        raise ValueError(f"column {spec['name']}: enum without values")
    return Column(
        name=spec["name"],
        type=kind,
        required=bool(spec.get("required", False)),
        description=spec.get("description", ""),
        unit=spec.get("unit", ""),
        values=values,
        references=spec.get("references", ""),
        min=spec.get("min"),
        max=spec.get("max"),
        exclusive_min=spec.get("exclusive_min"),
        max_length=spec.get("max_length"),
    )
