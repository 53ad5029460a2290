"""The `dashboard` command line. Each command parses options and calls one library function."""

from __future__ import annotations

import argparse
import json
import sys

from dashboard.errors import DataError
from dashboard.data.load import check_package, load_package, resolve_data_dir
from dashboard.formats.cli import add_commands as add_format_commands

EXIT_BAD_INPUT = 2


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"dashboard: error: {exc}", file=sys.stderr)
    except BrokenPipeError:  # e.g. piped into `head`
        return 0
    except DataError as exc:
        print(f"dashboard: the data package is invalid ({len(exc.problems)} problems); run `dashboard validate`", file=sys.stderr)
        for problem in exc.problems[:20]:
            print(problem, file=sys.stderr)
    return EXIT_BAD_INPUT


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dashboard", description=__doc__)
    parser.add_argument("--data", help="data folder (default: $DASHBOARD_DATA_DIR, else the repository's data/)")
    sub = parser.add_subparsers(required=True, metavar="COMMAND")
    validate = sub.add_parser("validate", help="check the data package; print every problem as FILE:LINE:COLUMN")
    validate.set_defaults(func=cmd_validate)
    rings = sub.add_parser("rings", help="range rings as a GeoJSON FeatureCollection on stdout")
    _ring_options(rings)
    rings.add_argument("--points", type=int, default=360, help="vertices per ring (default 360)")
    rings.add_argument("--band", action="store_true", help="also the band between the smallest and largest claims")
    rings.set_defaults(func=cmd_rings)
    reach = sub.add_parser("reach", help="capitals and major cities within range, as CSV on stdout")
    _ring_options(reach)
    reach.set_defaults(func=cmd_reach)
    export = sub.add_parser("export", help="render what /?QUERY shows as PNG, SVG or PDF (kaleido + Chromium)")
    export.add_argument("--view", default="", help='the URL query, e.g. "systems=SEJJIL&from=territory"')
    export.add_argument("--figure", default="map", help="map (default), ranges, chain or network")
    export.add_argument("--out", help="output file: .png, .svg or .pdf")
    export.add_argument("--all", action="store_true", help="write the standard report set into --out-dir")
    export.add_argument("--out-dir", help="folder for --all")
    export.add_argument("--width", type=int, default=1600)
    export.add_argument("--height", type=int, default=900)
    export.add_argument("--scale", type=float, default=2.0)
    export.set_defaults(func=cmd_export)
    add_format_commands(sub)  # rings --format, entities, sqlite, datapackage (dashboard/formats/cli.py)
    return parser


def _ring_options(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--system", default="all", help="system id, comma-separated ids, or all (default)")
    cmd.add_argument("--claim", default="seed", help="seed (default), min, max, or a claim id")
    cmd.add_argument("--from", dest="origin", default=None, help="place id (default: the first place, Tehran), LAT,LON, or territory")


class UsageError(Exception):
    """A bad argument: one line, exit 2."""


def _rings_for(args, n_points: int = 360, band: bool = False):
    from dashboard.geo.basemap import load_countries
    from dashboard.geo.ranges import default_origin, parse_origin, parse_systems
    from dashboard.geo.rings import ring_features

    folder = resolve_data_dir(args.data)
    pkg = load_package(folder)
    countries = load_countries(folder / "basemap")
    try:
        systems = parse_systems(args.system, pkg)
        origin = parse_origin(args.origin, pkg) if args.origin else default_origin(pkg)
        return pkg, countries, origin, ring_features(pkg, countries, systems, args.claim, origin, band=band, n_points=n_points)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def cmd_rings(args) -> int:
    from dashboard.geo.rings import to_geojson

    _, _, _, features = _rings_for(args, n_points=args.points, band=args.band)
    json.dump(to_geojson(features), sys.stdout)
    sys.stdout.write("\n")
    return 0


def cmd_reach(args) -> int:
    from dashboard.geo.basemap import country_outline, load_cities
    from dashboard.geo.reach import csv_safe, reach_table

    pkg, countries, origin, features = _rings_for(args)
    cities = load_cities(pkg.data_dir / "basemap")
    outline = country_outline(countries, "IRN") if origin.kind == "territory" else None
    sys.stdout.write(csv_safe(reach_table(features, cities, origin, outline)).decode("utf-8"))
    return 0


def cmd_validate(args) -> int:
    package, problems = check_package(resolve_data_dir(args.data))
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) found", file=sys.stderr)
        return EXIT_BAD_INPUT
    sizes = ", ".join(f"{len(frame)} {name}" for name, frame in package.tables.items())
    print(f"ok: {sizes}; data version {package.version}")
    return 0


STANDARD_SET = [  # (file name, figure, query) for `dashboard export --all`
    ("map-tehran.png", "map", ""),
    ("map-territory.png", "map", "from=territory"),
    ("ranges.png", "ranges", ""),
    *[(f"chain-{sid.lower()}.png", "chain", f"systems={sid}") for sid in ("SHAHAB3", "SHAHAB3_IMP", "GHADR1", "SEJJIL")],
    ("network.png", "network", ""),
]


def cmd_export(args) -> int:
    from pathlib import Path

    from dashboard import export
    from dashboard.geo.basemap import load_countries
    from dashboard.views.report import FIGURES, report_figure
    from dashboard.views.view import parse_view

    if args.all == bool(args.out) or (args.all and not args.out_dir):
        raise UsageError("give either --out FILE, or --all with --out-dir DIR")
    if args.figure not in FIGURES:
        raise UsageError(f"unknown figure {args.figure[:30]!r}: use one of {', '.join(FIGURES)}")
    folder = resolve_data_dir(args.data)
    pkg = load_package(folder)
    countries = load_countries(folder / "basemap")
    jobs = [(Path(args.out_dir) / name, fig, q) for name, fig, q in STANDARD_SET] if args.all else [(Path(args.out), args.figure, args.view)]
    try:
        for path, figure, query in jobs:
            view = parse_view(query, pkg)
            if view.notes:
                raise UsageError(" ".join(view.notes))
            path.parent.mkdir(parents=True, exist_ok=True)
            export.export(report_figure(pkg, countries, view, figure), path, width=args.width, height=args.height, scale=args.scale)
            print(path)
    except export.ExportError as exc:
        raise UsageError(str(exc)) from None
    finally:
        export.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
