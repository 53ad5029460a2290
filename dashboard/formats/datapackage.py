"""The data package as a Frictionless Data Package: ``datapackage.json`` generated from
``schema.toml``, and a zip of the data folder with it (``missile-data-<version>.zip``).

``datapackage.json`` (Tabular Data Package, v1 profile names, so frictionless and other
readers need no network to look them up): one resource per schema table with its
description, and per column the Frictionless type, description, unit and constraints
(required, enum, minimum/maximum, maxLength), the primary key, and a foreign key for
every single-id reference (``""`` for a reference to the same table). How our types map:

- id, text, enum, url, list -> string (enum with an ``enum`` constraint; a ``list`` cell
  holds several values separated by "; ", so its references cannot be a Frictionless
  foreign key and are named in the description instead);
- date -> string with a pattern: dates are ISO 8601 and may be partial (YYYY, YYYY-MM);
- number -> number, integer -> integer, bool -> boolean written "yes"/"no";
- an empty cell is missing (``missingValues: [""]``): the string "NA" stays text.

The zip holds every file of the data folder (CSV, schema.toml, the base map and its
script) under one folder ``missile-data-<version>/``, plus the generated
``datapackage.json``; its comment is the provenance line (marking, version, date).
"""

from __future__ import annotations

import json
import zipfile
from io import BytesIO
from pathlib import Path

from dashboard.data.schema import SCHEMA_FILE, load_schema

NAME = "missile-data"
DATE_PATTERN = r"\d{4}(-\d{2}(-\d{2})?)?"
TYPES = {"number": "number", "integer": "integer", "bool": "boolean"}
SKIP_PARTS = ("__pycache__",)


def zip_name(version: str) -> str:
    return f"{NAME}-{version}.zip"


def _field(col) -> dict:
    field = {"name": col.name, "type": TYPES.get(col.type, "string"), "description": col.description}
    constraints: dict = {}
    if col.required:
        constraints["required"] = True
    if col.type == "enum":
        constraints["enum"] = list(col.values)
    if col.type == "date":
        constraints["pattern"] = DATE_PATTERN
        field["description"] += " ISO 8601 date, possibly partial (YYYY or YYYY-MM)."
    if col.type == "url":
        field["format"] = "uri"
    if col.type == "list":
        field["description"] += ' Several values separated by "; ".'
        if col.references:
            field["description"] += f" Each value is a {col.references} id."
    if col.type == "bool":
        field["trueValues"], field["falseValues"] = ["yes"], ["no"]
    if col.type in ("number", "integer"):
        if col.min is not None:
            constraints["minimum"] = col.min
        if col.max is not None:
            constraints["maximum"] = col.max
        if col.exclusive_min is not None:
            field["description"] += f" Greater than {col.exclusive_min:g}."
    if col.max_length:
        constraints["maxLength"] = col.max_length
    if col.unit:
        field["description"] += f" Unit: {col.unit}."
    if constraints:
        field["constraints"] = constraints
    return field


def descriptor(data_dir: str | Path, prov) -> dict:
    """The ``datapackage.json`` content for the package in ``data_dir``."""
    schema = load_schema(Path(data_dir))
    resources = []
    for table in schema.tables.values():
        foreign = [{"fields": [c.name], "reference": {"resource": "" if c.references == table.name else c.references,
                                                     "fields": [schema.tables[c.references].primary_key]}}
                   for c in table.columns if c.references and c.type != "list"]
        table_schema = {"fields": [_field(c) for c in table.columns], "primaryKey": [table.primary_key],
                        "missingValues": [""]}
        if foreign:
            table_schema["foreignKeys"] = foreign
        resources.append({
            "name": table.name, "path": table.file, "profile": "tabular-data-resource",
            "title": table.name.replace("_", " "), "description": table.description,
            "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
            "schema": table_schema,
        })
    return {
        "profile": "tabular-data-package",
        "name": NAME,
        "title": "Missile ranges and the supply chains behind them: the cited data package",
        "description": (f"{prov.marking}. Data version {prov.version}, generated {prov.date}. Generated from "
                        f"{SCHEMA_FILE}, which stays the authority (its comments explain the conventions). "
                        "Every row cites sources.csv; an empty cell means no source we hold states it."),
        "version": prov.version,
        "created": f"{prov.date}T00:00:00Z",
        "keywords": ["ballistic missiles", "range rings", "sanctions", "supply chain", "Iran"],
        "sources": [{"title": "Public sources cited per row: see sources.csv", "path": "sources.csv"}],
        "resources": resources,
    }


def descriptor_json(data_dir: str | Path, prov) -> bytes:
    return (json.dumps(descriptor(data_dir, prov), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _files(data_dir: Path) -> list[Path]:
    return sorted(p for p in data_dir.rglob("*")
                  if p.is_file() and not any(part.startswith(".") or part in SKIP_PARTS
                                             for part in p.relative_to(data_dir).parts))


def to_zip(data_dir: str | Path, prov) -> bytes:
    """The zip (bytes): the data folder's files and ``datapackage.json`` under
    ``missile-data-<version>/``, the provenance line as the zip comment."""
    data_dir = Path(data_dir)
    folder = zip_name(prov.version)[:-4]
    year, month, day = (int(x) for x in prov.date.split("-"))
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        def add(name: str, data: bytes) -> None:
            info = zipfile.ZipInfo(f"{folder}/{name}", date_time=(year, month, day, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)

        add("datapackage.json", descriptor_json(data_dir, prov))
        for path in _files(data_dir):
            if path.name != "datapackage.json":  # ours is generated, never a stale copy
                add(path.relative_to(data_dir).as_posix(), path.read_bytes())
        zf.comment = prov.line().encode("utf-8")[:65535]
    return buffer.getvalue()
