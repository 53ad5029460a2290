"""Questions asked of the graph: neighbourhoods, filters, name search, entity profiles,
which producer a recipient reaches (no Streamlit)."""

from __future__ import annotations

import heapq
import re
import unicodedata
from collections.abc import Iterable

import networkx as nx
import pandas as pd

from dashboard.data.load import Package

from dashboard.network.chains import _producers, _reached_by, build_chain
from dashboard.network.build import (
    SYSTEM_PREFIX, _cached, _edges_with, _in_edges, _label, _resolve, source_index, clean_text, system_node,
)

def _undirected_neighbours(g, node):
    return set(g.successors(node)) | set(g.predecessors(node))


def neighbourhood(g: nx.MultiDiGraph, node_ids: Iterable[str], radius: int = 1, max_nodes: int = 300) -> nx.MultiDiGraph:
    """The nodes within ``radius`` links (either direction) of ``node_ids``, at most ``max_nodes``.

    Breadth first, and within one ring in sorted order, so the cut is deterministic.
    ``result.graph["truncated"]`` says whether nodes were left out, and
    ``result.graph["available"]`` how many were within reach when it stopped.
    """
    present = {n for n in node_ids if n in g}
    keep = heapq.nsmallest(max_nodes, present)  # sorted, without sorting every node
    chosen = set(keep)
    truncated = len(present) > max_nodes
    frontier = keep
    for _ in range(max(radius, 0)):
        if truncated:
            break
        ring = set()
        for node in frontier:
            ring |= _undirected_neighbours(g, node)
        ring = sorted(ring - chosen)
        room = max_nodes - len(chosen)
        if len(ring) > room:
            ring, truncated = ring[:room], True
        chosen.update(ring)
        frontier = ring
    sub = g.subgraph(sorted(chosen)).copy()
    sub.graph["truncated"] = truncated
    return sub


def _chain_nodes(g, system_id: str) -> frozenset[str]:
    """The nodes of a system's chain, cached per graph: the chain is the same for every
    filter change (at 100,000 entities it has tens of thousands of nodes, ~0.5 s to walk)."""
    return _cached(g, ("chain nodes", system_id),
                   lambda: frozenset(n["id"] for n in build_chain(g, system_id, with_gaps=False)["nodes"]))


def _countries(data) -> set[str]:
    return {c.strip().casefold() for c in data.get("country", "").split(";") if c.strip()}


def filter_graph(g: nx.MultiDiGraph, systems=(), networks=(), kinds=(), countries=(), confidence=()) -> nx.MultiDiGraph:
    """The part of ``g`` that passes every non-empty filter (filters are ANDed).

    * ``systems``: the nodes of those systems' chains (:func:`chain_for_system`).
    * ``networks``: those network nodes and their members (``member_of``).
    * ``kinds``: nodes of those kinds (person, company, ..., system, goods).
    * ``countries``: entities in those countries (case-insensitive; a network's
      "Iran; China" matches either); a goods or system node passes when a node it is
      linked to passes.
    * ``confidence``: only edges of those confidences, and the nodes they join.
    Returns a read-only subgraph view; no filter returns ``g`` itself.
    """
    keep: set[str] | None = None

    def narrow(nodes):
        nonlocal keep
        keep = set(nodes) if keep is None else keep & set(nodes)

    if systems:
        found = set()
        for sid in systems:
            if system_node(sid) in g:
                found.update(_chain_nodes(g, sid))
        narrow(found)
    if networks:
        found = set()
        for net in networks:
            if net in g:
                found.add(net)
                found.update(m for m, _, _ in _in_edges(g, net, ("member_of",)))
        narrow(found)
    if kinds:
        wanted = set(kinds)
        narrow(n for n, d in g.nodes(data=True) if d.get("kind") in wanted)
    if countries:
        wanted = {c.casefold() for c in countries}
        direct = {n for n, d in g.nodes(data=True) if _countries(d) & wanted}
        linked = {n for n, d in g.nodes(data=True) if d.get("kind") in ("goods", "system") and _undirected_neighbours(g, n) & direct}
        narrow(direct | linked)
    if confidence:
        wanted = set(confidence)
        pool = keep if keep is not None else None
        edges = [(u, v, k) for u, v, k, _ in _edges_with(g, "confidence", sorted(wanted))
                 if pool is None or (u in pool and v in pool)]
        return g.edge_subgraph(edges)
    if keep is None:
        return g
    return g.subgraph(keep)


_APOSTROPHES = re.compile("['\u2018\u2019\u02bc`\u00b4]")
_NON_WORD = re.compile(r"[\W_]+")


def normalise(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form used by :func:`search`."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    bare = _APOSTROPHES.sub("", bare.casefold())
    return " ".join(_NON_WORD.sub(" ", bare).split())


def _search_index(g) -> list[tuple[str, str, tuple[str, ...]]]:
    """Normalised names per node, cached per graph object."""
    def compute():
        rows = []
        for node, data in g.nodes(data=True):
            names = (data.get("label", ""),) + tuple(data.get("aliases", ()))
            rows.append((node, data.get("label", ""), tuple(normalise(n) for n in names if n)))
        return rows
    return _cached(g, "search", compute)


def search(g: nx.MultiDiGraph, text: str) -> list[str]:
    """Node ids whose name or an alias contains ``text`` (case/accent/punctuation-insensitive).

    Exact matches first, then prefix matches, then other matches; ties by label, then id.
    A node id typed exactly (e.g. ``C_LIMMT``) also matches.
    """
    query = normalise(text)
    if not query:
        return []
    hits = []
    for node, label, names in _search_index(g):
        if node == text.strip():
            hits.append((0, label, node))
            continue
        ranks = [0 if n == query else 1 if n.startswith(query) else 2 for n in names if query in n]
        if ranks:
            hits.append((min(ranks), label.casefold(), node))
    return [node for _, _, node in sorted(hits)]


# --------------------------------------------------------------------------- profile

def profile(g: nx.MultiDiGraph, pkg: Package, entity_id: str) -> dict:
    """Everything the data says about one entity, every statement with its sources resolved."""
    if entity_id not in g or g.nodes[entity_id].get("kind") in ("system", "goods"):
        raise KeyError(f"unknown entity {entity_id!r}")
    d = g.nodes[entity_id]
    row = pkg.entities[pkg.entities["id"] == entity_id].iloc[0]
    sources = source_index(pkg)
    relationships, supplied, received = [], [], []
    for direction, edges in (("out", g.out_edges(entity_id, keys=True, data=True)), ("in", g.in_edges(entity_id, keys=True, data=True))):
        for u, v, key, data in edges:
            other = v if direction == "out" else u
            od = g.nodes[other]
            if od.get("kind") == "goods":
                goods = {"id": data.get("goods_id", other), "item": data.get("item") or od["label"], "category": od.get("category", ""),
                         "status": data.get("status", ""), "evidence": data["evidence"], "confidence": data["confidence"],
                         "date": data["date"], "sources": _resolve(sources, data["sources"])}
                if direction == "out":
                    rec = data.get("recipient", "")
                    supplied.append({**goods, "recipient": rec, "recipient_name": _label(g, rec) if rec else ""})
                else:
                    sup = data.get("supplier", "")
                    received.append({**goods, "supplier": sup, "supplier_name": _label(g, sup)})
                continue
            relationships.append({
                "direction": direction, "kind": data["kind"], "other": other.removeprefix(SYSTEM_PREFIX),
                "other_name": od.get("label", other), "other_kind": od.get("kind", ""), "id": key,
                "evidence": data["evidence"], "confidence": data["confidence"], "date": data["date"],
                "sources": _resolve(sources, data["sources"]),
            })
    relationships.sort(key=lambda r: (r["direction"] != "out", r["kind"], r["other_name"], r["id"]))
    supplied.sort(key=lambda r: r["id"])
    received.sort(key=lambda r: r["id"])
    members = sorted((m for m, _, _ in _in_edges(g, entity_id, ("member_of",))), key=lambda m: _label(g, m))
    sdn = row["sdn_uid"]
    table = pkg.tables.get("designations")
    acts = table[table["entity"] == entity_id] if table is not None and len(table) else pd.DataFrame()
    designations = [{
        "id": a["id"], "date": clean_text(a["date"]), "authority": clean_text(a["authority"]), "action": clean_text(a["action"]),
        "programs": list(a["programs"]), "snapshot": clean_text(a["snapshot"]), "confidence": clean_text(a["confidence"]),
        "notes": clean_text(a["notes"]), "sources": _resolve(sources, _as_ids(a["source"])),
    } for a in acts.to_dict("records")]
    designations.sort(key=lambda d: (d["date"], d["id"]))
    return {
        "id": entity_id, "name": d["label"], "aliases": list(d["aliases"]), "kind": d["kind"],
        "country": d["country"], "city": d["city"], "lat": d["lat"], "lon": d["lon"],
        "programs": list(d["programs"]), "programs_as_of": clean_text(row["programs_as_of"]),
        "designation_date": d["designation_date"], "designations": designations,
        "sdn_uid": None if pd.isna(sdn) else int(sdn), "role": d["role"], "notes": clean_text(row["notes"]),
        "confidence": d["confidence"],
        "network": {"id": d["network"], "name": _label(g, d["network"]), "confidence": clean_text(row["network_confidence"])} if d["network"] else None,
        "members": [{"id": m, "name": _label(g, m)} for m in members],
        "sources": _resolve(sources, d["sources"]),
        "goods_supplied": supplied, "goods_received": received, "relationships": relationships,
    }




def _as_ids(value) -> tuple[str, ...]:
    if isinstance(value, (list, tuple)):
        return tuple(value)
    text = clean_text(value)
    return (text,) if text else ()


def producer_reached(g: nx.MultiDiGraph, recipient: str) -> str:
    """The producer (SHIG, SBIG) or parent (AIO) the recipient is, or reaches by
    associated_with / subordinate_to links (nearest first, then by id); '' when the data
    does not link it to one."""
    if not recipient or recipient not in g:
        return ""
    hits = [(len(path), producer) for producer in _producers(g)
            if (path := _reached_by(g, producer).get(recipient)) is not None]
    return min(hits)[1] if hits else ""


def network_subgraph(g: nx.MultiDiGraph, view, max_nodes: int = 300) -> nx.MultiDiGraph:
    """The network filtered by the view's filters: around the selected entity if any, else
    the selected systems'.

    At most ``max_nodes`` nodes (the neighbourhood of the selection, not the whole hairball).
    """
    networks, kinds, countries, confidence = view.networks, view.kinds, view.countries, view.confidence
    by_system = not (view.entity or networks or kinds or countries)  # other filters span all systems
    filtered = filter_graph(g, systems=view.systems if by_system else (), networks=networks,
                            kinds=kinds, countries=countries, confidence=confidence)
    if view.entity:
        base = filtered if view.entity in filtered else g
        return neighbourhood(base, [view.entity], radius=2, max_nodes=max_nodes)
    if filtered.number_of_nodes() > max_nodes:
        return neighbourhood(filtered, sorted(filtered.nodes)[:max_nodes], radius=0, max_nodes=max_nodes)
    return filtered
