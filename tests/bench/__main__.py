"""`make bench`: one table of every benchmark (ratios are measured against a baseline taken
in the same run, since these machines are noisy; nothing here is a pass/fail test)."""

from __future__ import annotations

import importlib
import sys
import traceback

import pytest

MODULES = ["tests.bench.bench_geodesy", "tests.bench.bench_app", "tests.bench.bench_graph", "tests.bench.bench_export",
           "tests.bench.bench_browser"]


def main() -> int:
    rows = []
    for name in MODULES:
        try:
            rows += importlib.import_module(name).run()
        except ModuleNotFoundError as exc:
            rows.append({"name": f"{name}: not available ({exc.name})", "value": float("nan"), "unit": "", "goal": ""})
        except (Exception, pytest.fail.Exception) as exc:  # a broken benchmark must not hide the others
            traceback.print_exc(file=sys.stderr)
            rows.append({"name": f"{name}: failed ({type(exc).__name__})", "value": float("nan"), "unit": "", "goal": ""})
    width = max(len(r["name"]) for r in rows)
    print(f"| {'benchmark':<{width}} | value | unit | goal |")
    print(f"|{'-' * (width + 2)}|------:|------|------|")
    for r in rows:
        value = f"{r['value']:.3g}" if isinstance(r["value"], (int, float)) else str(r["value"])
        print(f"| {r['name']:<{width}} | {value} | {r['unit']} | {r['goal'] or ''} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
