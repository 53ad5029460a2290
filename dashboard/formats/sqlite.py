"""The data package as one SQLite file for Datasette (or any SQL tool), plus metadata.json.

- One table per schema table (``data/*.csv``, and ``basemap/cities.csv``), same name,
  same columns in the same order, with SQL types from the schema's column types (number
  -> REAL, integer and bool -> INTEGER 0/1, everything else TEXT), ``PRIMARY KEY`` on the
  declared key, ``CHECK`` on enums and bools, ``NOT NULL`` on required columns, and
  ``REFERENCES`` on single-id foreign keys. An empty cell ("no source states it") is NULL.
- A ``list`` column (``a; b``) keeps its text, and when it points to another table it
  also gets a link table ``<table>_<column>`` (``<table>_id``, ``value``, ``position``) with
  both foreign keys, so Datasette can facet and join on it (e.g. ``entities_sources``).
- FTS5 full-text search (external-content tables ``<table>_fts``, as ``sqlite-utils
  enable-fts`` makes them, which Datasette detects) on names, aliases, titles, items and
  evidence.
- ``package_info`` (key, value): data version, date and marking inside the file itself.
- ``metadata.json`` in Datasette's metadata format: title, description (with the data
  version, date and marking), license, source, and each table's and column's description
  from ``schema.toml``.

The file is built in memory and written atomically (``dashboard.export.write_atomic``);
``PRAGMA foreign_key_check`` must come back empty before anything is written.
"""

from __future__ import annotations

import json
import math
import sqlite3
from pathlib import Path

from dashboard.data.schema import Table, load_schema

SQL_TYPES = {"number": "REAL", "integer": "INTEGER", "bool": "INTEGER"}
FTS_COLUMNS = ("name", "aliases", "title", "item", "evidence", "claimant", "excerpt")
LICENSE = "Public sources, cited per row; see sources.csv for each document's publisher"
PROJECT = "Missile ranges and the supply chains behind them"


def _q(name: str) -> str:
    """Quote an identifier ("from" and "to" are SQL keywords)."""
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _column_sql(schema, table: Table, col) -> str:
    parts = [_q(col.name), SQL_TYPES.get(col.type, "TEXT")]
    if col.name == table.primary_key:
        parts.append("PRIMARY KEY")
    if col.required:
        parts.append("NOT NULL")
    if col.type == "enum":
        parts.append(f"CHECK ({_q(col.name)} IN ({', '.join(_literal(v) for v in col.values)}))")
    if col.type == "bool":
        parts.append(f"CHECK ({_q(col.name)} IN (0, 1))")
    if col.references and col.type != "list":
        parts.append(f"REFERENCES {_q(col.references)}({_q(_pk(schema, col.references))})")
    return " ".join(parts)


def _pk(schema, table_name: str) -> str:
    return schema.tables[table_name].primary_key


def _value(col, value):
    if col.type == "list":
        return "; ".join(value) if value else None
    if col.type == "bool":
        return int(bool(value))
    if col.type == "number":
        return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)
    if col.type == "integer":
        return None if value is None or str(value) == "<NA>" else int(value)
    return value if value != "" else None


def link_tables(table: Table) -> list[tuple[str, object]]:
    """``(link table name, column)`` for each list column that references a table."""
    return [(f"{table.name}_{col.name}", col) for col in table.columns if col.type == "list" and col.references]


def fts_columns(table: Table) -> list[str]:
    return [c.name for c in table.columns if c.name in FTS_COLUMNS]


INFO_TABLE = "package_info"


def build(pkg, prov=None) -> sqlite3.Connection:
    """An in-memory database with every table of ``pkg`` (raises if a foreign key dangles),
    and, given ``prov``, a ``package_info`` table (key, value) with the data version, date
    and marking, so the file names its provenance even without metadata.json."""
    schema = load_schema(pkg.data_dir)
    db = sqlite3.connect(":memory:")
    db.execute("PRAGMA foreign_keys = OFF")  # rows go in table by table; checked below
    if prov is not None:
        db.execute(f"CREATE TABLE {INFO_TABLE} (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.executemany(f"INSERT INTO {INFO_TABLE} VALUES (?, ?)", [
            ("title", PROJECT), ("data_version", prov.version), ("generated", prov.date),
            ("marking", prov.marking), ("schema", "schema.toml of the data package; see metadata.json")])
    for table in schema.tables.values():
        db.execute(f"CREATE TABLE {_q(table.name)} ({', '.join(_column_sql(schema, table, c) for c in table.columns)})")
        frame = pkg.tables[table.name]
        rows = [tuple(_value(c, row[c.name]) for c in table.columns) for row in frame.to_dict("records")]
        marks = ", ".join("?" for _ in table.columns)
        db.executemany(f"INSERT INTO {_q(table.name)} VALUES ({marks})", rows)
        for link, col in link_tables(table):
            owner = f"{table.name}_id"
            db.execute(
                f"CREATE TABLE {_q(link)} ({_q(owner)} TEXT NOT NULL REFERENCES {_q(table.name)}({_q(table.primary_key)}), "
                f"value TEXT NOT NULL REFERENCES {_q(col.references)}({_q(_pk(schema, col.references))}), "
                f"position INTEGER NOT NULL, PRIMARY KEY ({_q(owner)}, position))")
            db.executemany(f"INSERT INTO {_q(link)} VALUES (?, ?, ?)",
                           [(row[table.primary_key], value, i) for row in frame.to_dict("records")
                            for i, value in enumerate(row[col.name])])
            db.execute(f"CREATE INDEX {_q(link + '_value')} ON {_q(link)}(value)")
        for col in table.columns:
            if col.references and col.type != "list":
                db.execute(f"CREATE INDEX {_q(f'{table.name}_{col.name}')} ON {_q(table.name)}({_q(col.name)})")
        if cols := fts_columns(table):
            fts = f"{table.name}_fts"
            db.execute(f"CREATE VIRTUAL TABLE {_q(fts)} USING fts5({', '.join(_q(c) for c in cols)}, "
                       f"content={_q(table.name)})")
            db.execute(f"INSERT INTO {_q(fts)} (rowid, {', '.join(_q(c) for c in cols)}) "
                       f"SELECT rowid, {', '.join(_q(c) for c in cols)} FROM {_q(table.name)}")
    db.commit()
    dangling = db.execute("PRAGMA foreign_key_check").fetchall()
    if dangling:
        raise ValueError(f"foreign key check failed: {dangling[:5]}")
    return db


def metadata(pkg, prov) -> dict:
    """Datasette metadata: title, description, license, source, per-table descriptions."""
    schema = load_schema(pkg.data_dir)
    tables = {}
    for table in schema.tables.values():
        entry = {"description": table.description,
                 "columns": {c.name: c.description + (f" Unit: {c.unit}." if c.unit else "") for c in table.columns}}
        if fts_columns(table):
            entry["fts_table"] = f"{table.name}_fts"
            entry["fts_pk"] = "rowid"
            entry["searchmode"] = "raw"
        tables[table.name] = entry
        for link, col in link_tables(table):
            tables[link] = {"description": f"One row per value of {table.name}.{col.name} (a list column): "
                                           f"{table.name}_id -> value, a {col.references} id, in the order written."}
    tables[INFO_TABLE] = {"description": "Provenance of this file: data version, generation date and marking."}
    return {
        "title": f"{PROJECT} — data version {prov.version}",
        "description": (f"{prov.marking}. The cited data package (data/*.csv, schema in data/schema.toml) "
                        f"as SQLite: data version {prov.version}, generated {prov.date}. An empty cell (NULL) "
                        "means no source we hold states it; every row cites sources.csv."),
        "license": LICENSE,
        "source": f"{PROJECT}, data package version {prov.version}",
        "databases": {"package": {"tables": tables}},
    }


def write(pkg, prov, out: str | Path) -> tuple[Path, Path]:
    """Write ``out`` (the database) and ``metadata.json`` next to it, each atomically.

    Datasette names the database after the file, so the metadata's database key is the
    file's stem.
    """
    from dashboard.export import write_atomic

    out = Path(out)
    db = build(pkg, prov)
    try:
        data = db.serialize()
    finally:
        db.close()
    meta = metadata(pkg, prov)
    meta["databases"] = {out.stem: meta["databases"]["package"]}
    write_atomic(out, bytes(data))
    meta_path = out.with_name("metadata.json")
    write_atomic(meta_path, (json.dumps(meta, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    return out, meta_path
