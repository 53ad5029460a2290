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
    de-duplicated) links in sorted order, so insertion order does not matter. Separate
    groups of linked nodes (components) each get their own side-by-side column, as wide as
    their share of the nodes (stray nodes and pairs share the last one), instead of being
    pushed into opposite corners. Larger graphs get a layered layout (columns by kind,
    rows sorted by label, id).
    """
    nodes = sorted(g.nodes)
    if not nodes:
        return {}
    if len(nodes) > SPRING_MAX_NODES:
        return _layered(g, nodes)
    simple = _sorted_graph(nodes, g.edges())
    groups = sorted((sorted(c) for c in nx.connected_components(simple)), key=lambda c: (-len(c), c[0]))
    big = [c for c in groups if len(c) >= MIN_COLUMN_NODES]
    small = [n for c in groups if len(c) < MIN_COLUMN_NODES for n in c]
    columns = big + ([small] if small else [])
    if len(columns) == 1:
        return _spring(simple, nodes, (-1.0, 1.0))
    total = sum(len(c) for c in columns)
    pos, left = {}, -1.0
    for members in columns:
        right = left + 2.0 * len(members) / total
        gap = COLUMN_GAP * (right - left)
        pos.update(_spring(_induced(simple, members), members, (left + gap, right - gap)))
        left = right
    return pos


MIN_COLUMN_NODES = 3  # components this big get a column of their own
COLUMN_GAP = 0.08     # share of a column left empty on each side


def _sorted_graph(nodes: list[str], edges) -> nx.Graph:
    """``nodes`` (sorted) and the undirected, de-duplicated ``edges`` among them, in sorted
    order, so that the seeded spring layout sees the same graph whatever the input order."""
    inside = set(nodes)
    simple = nx.Graph()
    simple.add_nodes_from(nodes)
    simple.add_edges_from(sorted({(min(u, v), max(u, v)) for u, v in edges if u != v and u in inside and v in inside}))
    return simple


def _induced(simple: nx.Graph, members: list[str]) -> nx.Graph:
    """The links among ``members`` as a new sorted graph. Not ``simple.subgraph(members)``:
    a view of fewer than half the nodes iterates the members as a set, in an order that
    changes with each process's string hashing, and the layout then changes every run."""
    return _sorted_graph(members, simple.edges(members))


def _spring(simple: nx.Graph, nodes: list[str], x_range: tuple[float, float]) -> dict[str, tuple[float, float]]:
    """A seeded spring layout of ``simple`` (whose nodes are ``nodes``, sorted) stretched
    over ``x_range`` × [-1, 1]."""
    if len(nodes) == 1:
        return {nodes[0]: (round((x_range[0] + x_range[1]) / 2, 4), 0.0)}
    k = 2.5 / math.sqrt(len(nodes))
    raw = nx.spring_layout(simple, seed=LAYOUT_SEED, iterations=50, k=k, scale=1.0)
    xs, ys = [float(raw[n][0]) for n in nodes], [float(raw[n][1]) for n in nodes]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)

    def stretch(v: float, lo: float, hi: float, a: float, b: float) -> float:
        return (a + b) / 2 if hi - lo < 1e-9 else a + (v - lo) / (hi - lo) * (b - a)

    return {n: (round(stretch(x, x0, x1, *x_range), 4), round(stretch(y, y0, y1, -1.0, 1.0), 4))
            for n, x, y in zip(nodes, xs, ys)}


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

