"""Benchmarks for dashboard.network and the network figure (no timed assertions; see ``run``).

Run alone: ``.venv/bin/python -m tests.bench.bench_graph``. Builds a synthetic package
(10,000 extra entities, 50,000 extra relationships; tests/synth.py) in a temporary folder.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from dashboard import network as G
from dashboard.figures.network import network_figure
from dashboard.data.load import load_package
from tests.synth import make_synthetic_package

DATA = Path(__file__).resolve().parents[2] / "data"
REPEATS = 3
MAX_NODES = 300
# Filter changes a reader makes: (name, filter_graph keyword arguments)
SCENARIOS = [
    ("system SEJJIL", {"systems": ("SEJJIL",)}),
    ("country China + kind company", {"countries": ("China",), "kinds": ("company",)}),
    ("confidence stated", {"confidence": ("stated",)}),
]


def _best(fn, repeats: int = REPEATS):
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def filter_change(g, kwargs: dict) -> str:
    """What one filter change costs: filter, cap to a neighbourhood, lay out, draw, serialise."""
    sub = G.filter_graph(g, **kwargs)
    view = G.neighbourhood(sub, sub.nodes, radius=1, max_nodes=MAX_NODES)
    return network_figure(view, G.layout(view)).to_json()


def run(n_entities: int = 10_000, n_relationships: int = 50_000) -> list[dict]:
    """Measure; returns rows ``{"name", "value", "unit", "goal"}`` (best of 3 for filter changes).

    * ``synthetic_load_and_build``: ``load_package`` (validation included) + ``build_graph``.
    * ``filter_change[...]``: ``filter_graph`` + ``neighbourhood`` (<= 300 nodes) +
      ``layout`` + ``network_figure`` + ``to_json`` on the synthetic graph, and its ratio
      to the same change on the real data.
    * ``network_json[...]``: size of that figure's JSON.
    """
    rows = []
    tmp = Path(tempfile.mkdtemp(prefix="bench_graph_"))
    try:
        start = time.perf_counter()
        folder = make_synthetic_package(tmp / "syn", n_entities, n_relationships)
        rows.append({"name": "synthetic_package_write", "value": round(time.perf_counter() - start, 2), "unit": "s",
                     "goal": "informational"})

        start = time.perf_counter()
        syn_pkg = load_package(folder)
        loaded = time.perf_counter()
        syn = G.build_graph(syn_pkg)
        built = time.perf_counter()
        rows.append({"name": "synthetic_load_validate", "value": round(loaded - start, 2), "unit": "s", "goal": "informational (dashboard.data.load)"})
        rows.append({"name": "synthetic_build_graph", "value": round(built - loaded, 2), "unit": "s", "goal": "< 3 s (once per data version)"})
        rows.append({"name": "synthetic_load_and_build", "value": round(built - start, 2), "unit": "s", "goal": "< 15 s (once per data version)"})
        rows.append({"name": "synthetic_graph_size", "value": f"{syn.number_of_nodes()} nodes / {syn.number_of_edges()} edges",
                     "unit": "", "goal": "informational"})

        real = G.build_graph(load_package(DATA))
        for name, kwargs in SCENARIOS:
            filter_change(syn, kwargs)  # warm caches once (the app caches per graph too)
            filter_change(real, kwargs)
            t_syn, js = _best(lambda: filter_change(syn, kwargs))
            t_real, _ = _best(lambda: filter_change(real, kwargs))
            rows.append({"name": f"filter_change[{name}]_synthetic", "value": round(t_syn, 3), "unit": "s", "goal": "< 1 s"})
            rows.append({"name": f"filter_change[{name}]_real", "value": round(t_real, 3), "unit": "s", "goal": "informational"})
            rows.append({"name": f"filter_change[{name}]_ratio", "value": round(t_syn / t_real, 1), "unit": "x synthetic/real",
                         "goal": "informational (selection capped at 300 nodes)"})
            rows.append({"name": f"network_json[{name}]", "value": round(len(js.encode()) / 1e6, 3), "unit": "MB", "goal": "< 5 MB"})

        t_chain, _ = _best(lambda: G.chain_for_system(syn, "SEJJIL"), 1)
        rows.append({"name": "synthetic_chain_for_system_first_call", "value": round(t_chain, 3), "unit": "s", "goal": "< 1 s"})
        t_search, _ = _best(lambda: G.search(syn, "societe"))
        rows.append({"name": "synthetic_search", "value": round(t_search, 3), "unit": "s", "goal": "< 0.5 s"})
        whole = network_figure(real, G.layout(real)).to_json()
        rows.append({"name": "real_whole_network_json", "value": round(len(whole.encode()) / 1e6, 3), "unit": "MB", "goal": "< 1 MB"})
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return rows


if __name__ == "__main__":
    for row in run():
        print(f"{row['name']:<55} {row['value']!s:>28} {row['unit']:<18} goal: {row['goal']}")
