"""The `dashboard` command line. Each command parses options and calls one library function.

The data layer (pandas) is imported by the commands that need it, not here: `export`
starts its Chromium before that import, so the two overlap."""

from __future__ import annotations

import argparse
import json
import re
import sys

from dashboard.errors import DataError
from dashboard.formats.cli import add_commands as add_format_commands
from dashboard.formats.cli import emit

EXIT_BAD_INPUT = 2
# `--from -40,179.5`: argparse would take a value starting with "-" for an option.
NEGATIVE_VALUE = re.compile(r"^-\d")


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(_attach_negative_values(sys.argv[1:] if argv is None else argv))
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


def _attach_negative_values(argv: list[str]) -> list[str]:
    """Turn `--from -40,179.5` into `--from=-40,179.5`, the one form argparse accepts."""
    out: list[str] = []
    for arg in argv:
        if out and out[-1] == "--from" and NEGATIVE_VALUE.match(arg):
            out[-1] = f"--from={arg}"
        else:
            out.append(arg)
    return out


DATA_HELP = "data folder (default: $DASHBOARD_DATA_DIR, else the repository's data/)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dashboard", description=__doc__)
    parser.add_argument("--data", help=DATA_HELP)
    # --data also after the command; SUPPRESS keeps a value given before the command.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data", default=argparse.SUPPRESS, help=DATA_HELP)
    sub = parser.add_subparsers(required=True, metavar="COMMAND")
    validate = sub.add_parser("validate", parents=[common], help="check the data package; print every problem as FILE:LINE:COLUMN")
    validate.set_defaults(func=cmd_validate)
    rings = sub.add_parser("rings", parents=[common], help="range rings as a GeoJSON FeatureCollection on stdout")
    _ring_options(rings)
    rings.add_argument("--points", type=int, default=360, help="vertices per ring (default 360)")
    rings.add_argument("--band", action="store_true", help="also the band between the smallest and largest claims")
    rings.add_argument("--format", choices=("geojson", "kml"), default="geojson",
                       help="geojson (default, RFC 7946) or kml (KML 2.2, for Google Earth)")
    rings.add_argument("--out", help="write to this file (atomically) instead of stdout")
    rings.set_defaults(func=cmd_rings)
    reach = sub.add_parser("reach", parents=[common], help="capitals and major cities within range, as CSV on stdout")
    _ring_options(reach)
    reach.set_defaults(func=cmd_reach)
    export = sub.add_parser("export", parents=[common], help="render what /?QUERY shows as PNG, SVG or PDF (kaleido + Chromium)")
    export.add_argument("--view", default="", help='the URL query, e.g. "systems=SEJJIL&from=territory"')
    export.add_argument("--figure", default="map", help="map (default), ranges, chain or network")
    export.add_argument("--out", help="output file: .png, .svg or .pdf")
    export.add_argument("--all", action="store_true", help="write the report set (standard_set) into --out-dir")
    export.add_argument("--out-dir", help="folder for --all")
    export.add_argument("--width", type=int, default=1600)
    export.add_argument("--height", type=int, default=900)
    export.add_argument("--scale", type=float, default=2.0)
    export.set_defaults(func=cmd_export)
    add_format_commands(sub)  # entities, sqlite, datapackage (dashboard/formats/cli.py)
    return parser


def _ring_options(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--system", default="all", help="system id, comma-separated ids, or all (default)")
    cmd.add_argument("--claim", default="best", help="best (default: the best-supported figure), seed (the seed article's), min, max, or a claim id")
    cmd.add_argument("--from", dest="origin", default=None, help="place id (default: the first place, Tehran), LAT,LON, or territory")


class UsageError(Exception):
    """A bad argument: one line, exit 2."""


def _dashboard(args):
    from dashboard.views.dashboard import Dashboard
    from dashboard.data.load import resolve_data_dir

    return Dashboard.load(resolve_data_dir(args.data))


def _ring_view(dash, args):
    """The View the ring options describe (the same View a URL would give)."""
    from dashboard.geo.ranges import default_origin, parse_origin, parse_systems
    from dashboard.views.view import make_view

    pkg = dash.package
    try:
        systems = parse_systems(args.system, pkg)
        origin = parse_origin(args.origin, pkg) if args.origin else default_origin(pkg)
        return make_view(pkg, systems, origin, args.claim, overlays=("band",) if getattr(args, "band", False) else ())
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def cmd_rings(args) -> int:
    from dashboard.geo.rings import ring_features, to_geojson

    dash = _dashboard(args)
    view = _ring_view(dash, args)
    try:
        features = ring_features(dash.package, dash.countries, view.systems, view.claims, view.origin,
                                 band=view.band, n_points=args.points)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.format == "kml":
        from dashboard.formats import provenance
        from dashboard.formats.kml import to_kml
        return emit(args, to_kml(features, provenance(dash.package)))
    return emit(args, (json.dumps(to_geojson(features)) + "\n").encode("utf-8"))


def cmd_reach(args) -> int:
    from dashboard.geo.reach import csv_safe

    dash = _dashboard(args)
    view = _ring_view(dash, args)
    table = dash.reach(view)
    sys.stdout.write(csv_safe(table).decode("utf-8"))
    return 0


def cmd_validate(args) -> int:
    from dashboard.data.load import check_package, resolve_data_dir

    package, problems = check_package(resolve_data_dir(args.data))
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) found", file=sys.stderr)
        return EXIT_BAD_INPUT
    sizes = ", ".join(f"{len(frame)} {name}" for name, frame in package.tables.items())
    print(f"ok: {sizes}; data version {package.version}")
    return 0


def standard_set(pkg) -> list[tuple[str, str, str]]:
    """(file name, figure, query) for `dashboard export --all`: the all-systems maps and
    range chart, one supply chain per system in systems.csv, the network."""
    return [
        ("map-tehran.png", "map", ""),
        ("map-territory.png", "map", "from=territory"),
        ("ranges.png", "ranges", ""),
        *[(f"chain-{sid.lower()}.png", "chain", f"systems={sid}") for sid in pkg.systems["id"]],
        ("network.png", "network", ""),
    ]


def cmd_export(args) -> int:
    from concurrent.futures import ThreadPoolExecutor
    from pathlib import Path

    from dashboard import export

    if args.all == bool(args.out) or (args.all and not args.out_dir):
        raise UsageError("give either --out FILE, or --all with --out-dir DIR")
    export.warm()  # Chromium starts while the data layer is imported, validated and drawn

    from dashboard.views.report import FIGURES

    if args.figure not in FIGURES:
        raise UsageError(f"unknown figure {args.figure[:30]!r}: use one of {', '.join(FIGURES)}")
    dash = _dashboard(args)
    jobs = [(Path(args.out_dir) / name, fig, q) for name, fig, q in standard_set(dash.package)] if args.all else [(Path(args.out), args.figure, args.view)]
    size = {"width": args.width, "height": args.height, "scale": args.scale}
    try:
        with ThreadPoolExecutor(max_workers=1) as renderer:  # one figure renders while the next is built
            written = []
            for path, figure, query in jobs:
                view = dash.parse(query)
                if view.notes:
                    raise UsageError(" ".join(view.notes))
                path.parent.mkdir(parents=True, exist_ok=True)
                written.append(renderer.submit(export.export, dash.figure(view, figure), path, **size))
            for done in written:
                print(done.result())
    except export.ExportError as exc:
        raise UsageError(str(exc)) from None
    finally:
        export.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
