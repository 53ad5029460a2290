"""The open-format commands, added to the `dashboard` parser by one call (``add_commands``).

- ``dashboard rings ... --format geojson|kml``: the same rings as GeoJSON (default) or KML;
- ``dashboard entities --format ftm``: FollowTheMoney entities, one JSON object a line;
- ``dashboard sqlite --out package.db``: SQLite for Datasette, with metadata.json next to it;
- ``dashboard datapackage --out missile-data.zip``: the data folder with datapackage.json.

Output goes to stdout, or with ``--out FILE`` to a file written atomically.
"""

from __future__ import annotations

import sys
from pathlib import Path


def add_commands(sub) -> None:
    """Add the ``entities``, ``sqlite`` and ``datapackage`` commands."""
    entities = sub.add_parser("entities", help="entities, designations and links as FollowTheMoney JSON lines on stdout")
    entities.add_argument("--format", choices=("ftm",), default="ftm", help="ftm (default): one FtM entity per line")
    entities.add_argument("--out", help="write to this file (atomically) instead of stdout")
    entities.set_defaults(func=cmd_entities)

    sqlite = sub.add_parser("sqlite", help="the data package as a SQLite file for Datasette, with metadata.json next to it")
    sqlite.add_argument("--out", required=True, help="the database file, e.g. package.db")
    sqlite.set_defaults(func=cmd_sqlite)

    package = sub.add_parser("datapackage", help="zip of the data folder with a Frictionless datapackage.json")
    package.add_argument("--out", required=True, help="the zip file, e.g. missile-data.zip")
    package.set_defaults(func=cmd_datapackage)


def _usage(message: str):
    from dashboard.cli import UsageError
    return UsageError(message)


def emit(args, data: bytes) -> int:
    """Write ``data`` to ``--out`` (atomically) when given, else to stdout."""
    if getattr(args, "out", None):
        _write(Path(args.out), data)
        print(args.out)
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0


def _write(path: Path, data: bytes) -> None:
    from dashboard.export import ExportError, write_atomic
    if not path.parent.is_dir():
        raise _usage(f"cannot write {path}: directory does not exist")
    try:
        write_atomic(path, data)
    except ExportError as exc:
        raise _usage(str(exc)) from None


def _package(args):
    from dashboard.data.load import load_package, resolve_data_dir
    return load_package(resolve_data_dir(args.data))


def cmd_entities(args) -> int:
    from dashboard.formats import ftm, provenance
    pkg = _package(args)
    return emit(args, ftm.to_ftm(pkg, provenance(pkg)))


def cmd_sqlite(args) -> int:
    from dashboard.formats import provenance, sqlite
    out = Path(args.out)
    if not out.parent.is_dir():
        raise _usage(f"cannot write {out}: directory does not exist")
    pkg = _package(args)
    from dashboard.export import ExportError
    try:
        db, meta = sqlite.write(pkg, provenance(pkg), out)
    except ExportError as exc:
        raise _usage(str(exc)) from None
    print(db)
    print(meta)
    return 0


def cmd_datapackage(args) -> int:
    from dashboard.formats import datapackage, provenance
    pkg = _package(args)
    return emit(args, datapackage.to_zip(pkg.data_dir, provenance(pkg)))

