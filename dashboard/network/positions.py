"""Deterministic positions for the network picture (no Streamlit)."""

from __future__ import annotations

import math
from collections import defaultdict

import networkx as nx


LAYOUT_SEED = 20170203
SPRING_MAX_NODES = 600  # above this, layout() uses the cheap layered layout

LAYER_OF_KIND = {"system": 0, "government": 1, "goods": 2, "company": 3, "group": 3, "person": 4, "network": 5}


def layout(g: nx.MultiDiGraph) -> dict[str, tuple[float, float]]:
    """Deterministic positions in [-1, 1]²: the same graph gives the same picture every run.

    Up to SPRING_MAX_NODES nodes: a seeded spring layout over the nodes and (undirected,
    de-duplicated) links in sorted order, so insertion order does not matter. Larger
    graphs get a layered layout (columns by kind, rows sorted by label, id).
    """
    nodes = sorted(g.nodes)
    if not nodes:
        return {}
    if len(nodes) > SPRING_MAX_NODES:
        return _layered(g, nodes)
    simple = nx.Graph()
    simple.add_nodes_from(nodes)
    simple.add_edges_from(sorted({(min(u, v), max(u, v)) for u, v in g.edges() if u != v}))
    if len(nodes) == 1:
        return {nodes[0]: (0.0, 0.0)}
    k = 2.5 / math.sqrt(len(nodes))
    pos = nx.spring_layout(simple, seed=LAYOUT_SEED, iterations=50, k=k, scale=1.0)
    return {n: (round(float(pos[n][0]), 4), round(float(pos[n][1]), 4)) for n in nodes}


def _layered(g, nodes) -> dict[str, tuple[float, float]]:
    columns: dict[int, list[str]] = defaultdict(list)
    for n in nodes:
        columns[LAYER_OF_KIND.get(g.nodes[n].get("kind"), 6)].append(n)
    width = max(columns) or 1
    pos = {}
    for col, members in columns.items():
        members.sort(key=lambda n: (g.nodes[n].get("label", ""), n))
        count = len(members)
        for i, n in enumerate(members):
            y = 0.0 if count == 1 else 1 - 2 * i / (count - 1)
            pos[n] = (round(-1 + 2 * col / width, 4), round(y, 4))
    return pos

