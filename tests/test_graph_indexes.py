"""The per-graph indexes behind the fast chain and filter paths (dashboard.network.build):
what build_graph fills in as it adds the edges is what a walk over the graph finds, and a
subgraph view gets its own, never its parent's."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard import network as G
from dashboard.data.load import load_package
from dashboard.network import build as B
from dashboard.network import chains as C

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(scope="module")
def g():
    return G.build_graph(load_package(DATA))


def walked(graph, attr: str, value: str) -> list[tuple]:
    return sorted((u, v, k) for u, v, k, d in graph.edges(keys=True, data=True) if d.get(attr) == value)


@pytest.mark.parametrize("attr", ["kind", "confidence"])
def test_edges_filled_by_build_graph_are_the_edges_a_walk_finds(g, attr):
    values = {d.get(attr) for _, _, d in g.edges(data=True)}
    for value in values:
        assert sorted((u, v, k) for u, v, k, _ in B._edges_with(g, attr, [value])) == walked(g, attr, value)
        assert all(d is g.edges[u, v, k] for u, v, k, d in B._edges_with(g, attr, [value]))
    assert list(B._edges_with(g, attr, ["no such value"])) == []


def test_a_subgraph_view_groups_its_own_edges(g):
    sub = g.subgraph([n for n in g if n.startswith("C_")] + ["O_SBIG", "O_SHIG"])
    assert sorted((u, v, k) for u, v, k, _ in B._edges_with(sub, "kind", ["associated_with"])) == walked(sub, "kind", "associated_with")
    stated = G.filter_graph(sub, confidence=("stated",))
    assert set(stated.edges(keys=True)) == set(walked(sub, "confidence", "stated"))


def test_in_index_lists_the_in_edges_of_those_kinds(g):
    kinds = ("associated_with", "subordinate_to")
    index = B._in_index(g, kinds)
    for node in g:
        expected = sorted((u, k) for u, _, k, d in g.in_edges(node, keys=True, data=True) if d["kind"] in kinds)
        assert sorted((u, k) for u, k, _ in index.get(node, ())) == expected


def test_system_filter_is_the_chain_nodes_also_when_cached(g):
    chain_nodes = {n["id"] for n in C.build_chain(g, "SEJJIL", with_gaps=False)["nodes"]}
    assert set(G.filter_graph(g, systems=("SEJJIL",)).nodes) == chain_nodes
    assert set(G.filter_graph(g, systems=("SEJJIL",)).nodes) == chain_nodes  # from the per-graph cache


def test_neighbourhood_keeps_the_first_nodes_in_sorted_order(g):
    view = G.neighbourhood(g, g.nodes, radius=1, max_nodes=10)
    assert sorted(view.nodes) == sorted(g.nodes)[:10] and view.graph["truncated"]
