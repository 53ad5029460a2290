"""Benchmarks for loading, validating, the graph and the network figure at scale (no timed
assertions; see ``run``).

Run alone: ``.venv/bin/python -m tests.bench.bench_graph`` (add ``--1m`` to also measure the
1,000,000-entity / 5,000,000-link package). Synthetic packages come from tests/synth.py and
are written to a temporary folder.

The target size is 100,000 entities and 500,000 relationships (issue #14: "10x the data").
A cost curve (real data, 10k/50k, 100k/500k, optionally 1M/5M) shows how each cost grows.
RSS is measured in a fresh subprocess that only loads the package and builds the graph.
"""

from __future__ import annotations

import json
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from dashboard import network as G
from dashboard.network import build as B
from dashboard.data.load import load_package
from dashboard.figures.network import network_figure
from dashboard.views.mapview import DEFAULT_SIZE
from tests.synth import make_synthetic_package

DATA = Path(__file__).resolve().parents[2] / "data"
REPEATS = 3
MAX_NODES = 300
TARGET = (100_000, 500_000)
SMALL = (10_000, 50_000)
BIG = (1_000_000, 5_000_000)
BIG_BUDGET_S = 180     # write + load + build of the 1M package must fit in this to be run
BIG_MEMORY_SHARE = 0.5  # ... and its RSS in this share of the memory available now
# Filter changes a reader makes: (name, filter_graph keyword arguments)
SCENARIOS = [
    ("system SEJJIL", {"systems": ("SEJJIL",)}),
    ("country China + kind company", {"countries": ("China",), "kinds": ("company",)}),
    ("confidence stated", {"confidence": ("stated",)}),
]
GOALS = {"load": "< 15 s", "build": "< 10 s", "filter": "< 1 s", "json": "< 5 MB", "rss": "< 1.5 GB",
         "chain": "< 1 s", "search": "< 0.5 s"}


def _row(name: str, value, unit: str, goal: str = "informational") -> dict:
    return {"name": name, "value": value, "unit": unit, "goal": goal}


def _best(fn, repeats: int = REPEATS):
    """(fastest wall time in seconds of ``repeats`` calls, the last result)."""
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def filter_change(g, kwargs: dict) -> str:
    """What one filter change costs: filter, cap to a neighbourhood, lay out, draw with its
    labels placed for the page's default width (as the Supply chain page does), serialise."""
    sub = G.filter_graph(g, **kwargs)
    view = G.neighbourhood(sub, sub.nodes, radius=1, max_nodes=MAX_NODES)
    return network_figure(view, G.layout(view), width_px=DEFAULT_SIZE[0]).to_json()


def load_and_build(folder: Path):
    """(load+validate seconds, build seconds, package, graph)."""
    start = time.perf_counter()
    pkg = load_package(folder)
    loaded = time.perf_counter()
    g = G.build_graph(pkg)
    return loaded - start, time.perf_counter() - loaded, pkg, g


def rss_after_load_and_build(folder: Path) -> dict:
    """Load + build in a fresh interpreter; its RSS and peak RSS afterwards (bytes)."""
    code = "import sys; from tests.bench.bench_graph import _rss_child; _rss_child(sys.argv[1])"
    out = subprocess.run([sys.executable, "-c", code, str(folder)], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[2])
    return json.loads(out.stdout.strip().splitlines()[-1])


def _rss_child(folder: str) -> None:
    import psutil

    base = psutil.Process().memory_info().rss  # the interpreter and its imports
    pkg = load_package(folder)
    g = G.build_graph(pkg)
    rss = psutil.Process().memory_info().rss
    print(json.dumps({"rss": rss, "base": base, "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                      "nodes": g.number_of_nodes(), "edges": len(pkg.relationships)}))


def _label(n_entities: int, n_links: int) -> str:
    def short(n):
        return f"{n // 1_000_000}M" if n >= 1_000_000 and n % 1_000_000 == 0 else f"{n // 1000}k" if n >= 1000 else str(n)
    return f"{short(n_entities)}/{short(n_links)}"


def _curve_rows(label: str, point: dict) -> list[dict]:
    return [
        _row(f"curve[{label}] load_validate", round(point["load"], 3), "s"),
        _row(f"curve[{label}] build_graph", round(point["build"], 3), "s"),
        _row(f"curve[{label}] filter_change[{SCENARIOS[0][0]}]", round(point["filter"], 3), "s"),
    ]


def _measure_point(folder: Path) -> tuple[dict, object]:
    """Load, build and one filter change (best of 3, warmed once) at one size."""
    t_load, t_build, pkg, g = load_and_build(folder)
    t_first, _ = _best(lambda: filter_change(g, SCENARIOS[0][1]), 1)  # also fills the per-graph caches
    t_filter, _ = _best(lambda: filter_change(g, SCENARIOS[0][1]))
    return {"load": t_load, "build": t_build, "filter": t_filter, "filter_first": t_first, "entities": len(pkg.entities),
            "links": len(pkg.relationships)}, g


def _target_rows(folder: Path, point: dict, g, label: str) -> list[dict]:
    rows = [
        _row(f"synthetic_{label} load_validate", round(point["load"], 2), "s", GOALS["load"]),
        _row(f"synthetic_{label} build_graph", round(point["build"], 2), "s", GOALS["build"]),
        _row(f"synthetic_{label} load_and_build", round(point["load"] + point["build"], 2), "s", "< 25 s (sum of both goals)"),
        _row(f"synthetic_{label} graph_size", f"{g.number_of_nodes()} nodes / {g.number_of_edges()} edges", ""),
        _row(f"synthetic_{label} first filter_change[{SCENARIOS[0][0]}] after build", round(point["filter_first"], 3), "s",
             "informational (fills the per-graph caches; the first full GC pass over the new graph lands here)"),
    ]
    for name, kwargs in SCENARIOS:
        filter_change(g, kwargs)  # warm caches once (the app caches per graph too)
        t, js = _best(lambda: filter_change(g, kwargs))
        rows.append(_row(f"synthetic_{label} filter_change[{name}]", round(t, 3), "s", GOALS["filter"]))
        rows.append(_row(f"synthetic_{label} network_json[{name}]", round(len(js.encode()) / 1e6, 3), "MB", GOALS["json"]))
    t_chain, _ = _best(lambda: _chain_first_call(g, "SEJJIL"))
    rows.append(_row(f"synthetic_{label} chain_for_system first call (gaps uncached, best of 3)", round(t_chain, 3), "s", GOALS["chain"]))
    t_search, _ = _best(lambda: G.search(g, "societe"))
    rows.append(_row(f"synthetic_{label} search", round(t_search, 3), "s", GOALS["search"]))
    return rows


def _chain_first_call(g, system_id: str) -> dict:
    """``chain_for_system`` as its first call on ``g`` costs it: the graph-wide gaps (cached
    per graph after the first call) are dropped first, so best-of-3 measures the cold path."""
    B._CACHE.get(g, {}).pop("unattached", None)
    return G.chain_for_system(g, system_id)


def _rss_rows(folder: Path, label: str) -> tuple[list[dict], dict]:
    rss = rss_after_load_and_build(folder)
    return [
        _row(f"synthetic_{label} RSS after load+build (fresh process)", round(rss["rss"] / 1e9, 3), "GB", GOALS["rss"]),
        _row(f"synthetic_{label} peak RSS during load+build", round(rss["peak"] / 1e9, 3), "GB"),
    ], rss


def _projection(small: dict, target: dict, factor: float) -> dict:
    """Each cost of the next size up, extrapolated from its growth between the two sizes
    measured (a power law through both points, at least linear: a noisy small point must not
    make the big one look cheap; RSS above the interpreter's own)."""
    out = {}
    for key in ("write", "load", "build", "rss"):
        a, b = small[key], target[key]
        exponent = math.log(b / a) / math.log(factor) if a > 0 and b > 0 else 1.0
        out[key] = b * factor ** max(exponent, 1.0)  # no cost here grows slower than the data
    out["rss"] += target["rss_base"]
    return out


def _available_memory() -> int:
    import psutil

    return psutil.virtual_memory().available


def run(n_entities: int = TARGET[0], n_relationships: int = TARGET[1], big: bool | None = None) -> list[dict]:
    """Measure; returns rows ``{"name", "value", "unit", "goal"}``.

    * ``synthetic_<size> ...`` at the target size (100k entities / 500k links): load +
      validate, build, each filter change (``filter_graph`` + ``neighbourhood`` <= 300
      nodes + ``layout`` + ``network_figure`` + ``to_json``, best of 3 after one warm-up),
      its JSON size, ``chain_for_system`` (first call), ``search``, and RSS after load +
      build in a fresh process.
    * ``curve[...]``: load + validate, build and one filter change at the real data, the
      10k/50k package, the target and, with ``big`` (or BENCH_GRAPH_1M=1), 1M/5M; without
      it, a row with the 1M costs projected from the curve and why it was not run.
    * ``real_whole_network_json``: the whole real network as one figure.
    """
    big = os.environ.get("BENCH_GRAPH_1M") == "1" if big is None else big
    rows, curve = [], []
    real_point, real = _measure_point(DATA)
    curve += _curve_rows(_label(real_point["entities"], real_point["links"]) + " real", real_point)
    tmp = Path(tempfile.mkdtemp(prefix="bench_graph_"))
    try:
        points = {}
        for size in (SMALL, (n_entities, n_relationships)):
            label = _label(*size)
            start = time.perf_counter()
            folder = make_synthetic_package(tmp / label.replace("/", "_"), *size)
            write = time.perf_counter() - start
            point, g = _measure_point(folder)
            point["write"] = write
            curve += _curve_rows(label, point)
            if size != SMALL:
                rows.append(_row(f"synthetic_{label} package_write", round(write, 2), "s", "informational (tests/synth.py)"))
                rows += _target_rows(folder, point, g, label)
            del g
            rss_rows, rss = _rss_rows(folder, label)
            point["rss"], point["rss_base"] = rss["rss"] - rss["base"], rss["base"]
            if size != SMALL:
                rows += rss_rows
            points[size] = point
            shutil.rmtree(folder, ignore_errors=True)
        curve += _big_rows(tmp, points[SMALL], points[(n_entities, n_relationships)],
                           n_entities / SMALL[0], big)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    whole = network_figure(real, G.layout(real)).to_json()
    rows.append(_row("real_whole_network_json", round(len(whole.encode()) / 1e6, 3), "MB", "< 1 MB"))
    return rows + curve


def _big_rows(tmp: Path, small: dict, target: dict, factor: float, big: bool) -> list[dict]:
    """The 1M/5M point: measured if asked for and the projection fits here, else the projection and why not."""
    label = _label(*BIG)
    guess = _projection(small, target, factor)
    seconds = guess["write"] + guess["load"] + guess["build"]
    memory = _available_memory()
    fits = seconds < BIG_BUDGET_S and guess["rss"] < BIG_MEMORY_SHARE * memory
    if big and fits:
        start = time.perf_counter()
        folder = make_synthetic_package(tmp / "big", *BIG)
        write = time.perf_counter() - start
        point, g = _measure_point(folder)
        del g
        rss = rss_after_load_and_build(folder)["rss"]
        return _curve_rows(label, point) + [
            _row(f"curve[{label}] package_write", round(write, 1), "s"),
            _row(f"curve[{label}] RSS after load+build (fresh process)", round(rss / 1e9, 2), "GB"),
        ]
    why = ("not asked for (BENCH_GRAPH_1M=1 or --1m runs it)" if fits else
           f"projected over the budget here ({BIG_BUDGET_S} s, {BIG_MEMORY_SHARE:.0%} of "
           f"{memory / 1e9:.1f} GB available)")
    return [_row(f"curve[{label}] not run: {why}",
                 f"~{guess['load']:.0f} s load, ~{guess['build']:.0f} s build, ~{guess['rss'] / 1e9:.1f} GB RSS",
                 "projected", f"from the 10k->100k curve; write ~{guess['write']:.0f} s")]


if __name__ == "__main__":
    for row in run(big=True if "--1m" in sys.argv[1:] else None):
        print(f"{row['name']:<64} {row['value']!s:>28} {row['unit']:<10} goal: {row['goal']}")
