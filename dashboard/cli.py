"""The `dashboard` command line. Each command parses options and calls one library function."""

from __future__ import annotations

import argparse
import sys

from dashboard.load import check_package, resolve_data_dir

EXIT_BAD_INPUT = 2


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    return args.func(args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dashboard", description=__doc__)
    parser.add_argument("--data", help="data folder (default: $DASHBOARD_DATA_DIR, else the repository's data/)")
    sub = parser.add_subparsers(required=True, metavar="COMMAND")
    validate = sub.add_parser("validate", help="check the data package; print every problem as FILE:LINE:COLUMN")
    validate.set_defaults(func=cmd_validate)
    return parser


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


if __name__ == "__main__":
    sys.exit(main())
