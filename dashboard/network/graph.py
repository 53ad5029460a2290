"""The supply-chain graph: entities, systems and goods as one typed, cited network.

No Streamlit here. Everything is a pure function of the validated package.

Nodes (``networkx.MultiDiGraph``)
    * every entity, keyed by its id (``P_``, ``C_``, ``O_``, ``N_``, ``G_``);
    * every system, keyed ``system:<id>`` (``kind="system"``);
    * every goods row, keyed ``goods:<id>`` (``kind="goods"``).
    Every node has the same attributes (:data:`NODE_ATTRS`); ``label`` is the name.

Edges, each with ``kind``, ``evidence``, ``sources`` (tuple of source ids), ``date``,
``confidence`` and ``ref`` (the row it comes from); the edge key is unique:
    * every relationship row, ``from -kind-> to`` (key = row id);
    * ``member -member_of-> network`` for ``entities.network``: confidence is
      ``network_confidence``, evidence the network's role plus "membership basis: "
      and the network's notes, sources the network's sources;
    * ``producer -produces-> system``: confidence ``producer_confidence``, evidence
      ``producer_basis``, sources the system's sources;
    * per goods row, ``supplier -<status>-> goods`` (status: supplied, offered, sought,
      ordered) and, when a recipient is named, ``goods -<RECIPIENT_KIND[status]>->
      recipient`` (received, offered_to, sought_by, ordered_by). A goods row without a
      recipient stops at the goods node.

Nothing is invented: a link the sources do not make is not drawn, and
:func:`chain_for_system` says so in words (its ``gaps``).
"""

from __future__ import annotations

import math
import re
import unicodedata
import weakref
from collections import defaultdict
from collections.abc import Iterable

import networkx as nx
import pandas as pd

from dashboard.data.load import Package

__all__ = [
    "CHAIN_LAYERS", "NODE_ATTRS", "RECIPIENT_KIND", "SUPPLY_KINDS", "weak_labels",
    "build_graph", "chain_for_system", "chains_for_systems", "filter_graph", "goods_node", "layout", "neighbourhood", "normalise",
    "producer_reached", "profile", "search", "supply_table", "system_node", "timeline",
]

SYSTEM_PREFIX = "system:"
GOODS_PREFIX = "goods:"
NODE_ATTRS = (
    "label", "kind", "country", "city", "lat", "lon", "network", "aliases", "programs",
    "designation_date", "role", "sources", "confidence",
)
# goods.status -> kind of the goods -> recipient edge
RECIPIENT_KIND = {"supplied": "received", "offered": "offered_to", "sought": "sought_by", "ordered": "ordered_by"}
GOODS_EDGE_KINDS = frozenset(RECIPIENT_KIND) | frozenset(RECIPIENT_KIND.values())
# Relationship kinds that move goods or help a programme (supplier -> recipient).
SUPPLY_KINDS = ("supplied", "offered_to", "procured_for", "assisted")
# Followed from a recipient up to a producer ("associated with SHIG", "subordinate to SBIG").
UPWARD_KINDS = ("associated_with", "subordinate_to")
UPWARD_DEPTH = 3
# Layers of a chain, in flow order (left to right in the chain figure).
CHAIN_LAYERS = ("people/networks", "supplier", "goods", "intermediary", "producer", "system")
LAYOUT_SEED = 20170203
SPRING_MAX_NODES = 600  # above this, layout() uses the cheap layered layout
LIST_LIMIT = 8  # names listed in one gap sentence before "and N more"


def system_node(system_id: str) -> str:
    return system_id if system_id.startswith(SYSTEM_PREFIX) else SYSTEM_PREFIX + system_id


def goods_node(goods_id: str) -> str:
    return goods_id if goods_id.startswith(GOODS_PREFIX) else GOODS_PREFIX + goods_id


# --------------------------------------------------------------------------- building

def _text(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _tuple(value) -> tuple:
    if isinstance(value, (tuple, list)):
        return tuple(value)
    text = _text(value)
    return (text,) if text else ()


def _node(label: str, kind: str, **attrs) -> dict:
    base = {
        "label": label, "kind": kind, "country": "", "city": "", "lat": math.nan, "lon": math.nan,
        "network": "", "aliases": (), "programs": (), "designation_date": "", "role": "",
        "sources": (), "confidence": "",
    }
    base.update(attrs)
    return base


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts, built column by column (much faster than ``to_dict("records")``
    on Arrow-backed string columns)."""
    columns = {c: frame[c].tolist() for c in frame.columns}
    return [dict(zip(columns, values)) for values in zip(*columns.values())]


def weak_labels(g) -> tuple[str, ...]:
    """The confidence labels no source states outright (schema.toml ``weak_confidence``)."""
    return g.graph["vocab"]["weak_confidence"]


def build_graph(pkg: Package) -> nx.MultiDiGraph:
    """The whole package as one graph (see the module docstring for nodes and edges)."""
    g = nx.MultiDiGraph(vocab=pkg.vocab)
    entities = _records(pkg.entities)
    systems = _records(pkg.systems)
    goods = _records(pkg.goods)
    by_id = {e["id"]: e for e in entities}
    g.add_nodes_from((e["id"], _node(
        _text(e["name"]), _text(e["kind"]),
        country=_text(e["country"]), city=_text(e["city"]),
        lat=float(e["lat"]), lon=float(e["lon"]), network=_text(e["network"]),
        aliases=_tuple(e["aliases"]), programs=_tuple(e["programs"]),
        designation_date=_text(e["designation_date"]), role=_text(e["role"]),
        sources=_tuple(e["sources"]), confidence=_text(e["confidence"]),
    )) for e in entities)
    g.add_nodes_from((system_node(s["id"]), _node(
        _text(s["name"]), "system", aliases=_tuple(s["aliases"]), sources=_tuple(s["sources"]),
        role=f"{_text(s['class'])}, {_text(s['propellant'])} propellant",
        system_id=s["id"], propellant=_text(s["propellant"]), system_class=_text(s["class"]),
    )) for s in systems)
    g.add_nodes_from((goods_node(gd["id"]), _node(
        _text(gd["item"]), "goods", sources=_tuple(gd["source"]), confidence=_text(gd["confidence"]),
        role=_text(gd["evidence"]), goods_id=gd["id"], category=_text(gd["category"]),
        status=_text(gd["status"]), supplier=_text(gd["supplier"]), recipient=_text(gd["recipient"]),
        date=_text(gd["date"]),
    )) for gd in goods)

    g.add_edges_from(
        (r["from"], r["to"], r["id"], {"kind": _text(r["kind"]), "evidence": _text(r["evidence"]),
                                       "sources": _tuple(r["sources"]), "date": _text(r["date"]),
                                       "confidence": _text(r["confidence"]), "ref": r["id"]})
        for r in _records(pkg.relationships)
    )
    members = []
    for e in entities:
        net = _text(e["network"])
        if not net:
            continue
        network = by_id.get(net, {})
        basis = _text(network.get("notes")) or "not stated"
        evidence = f"{_text(network.get('role'))} membership basis: {basis}".strip()
        members.append((e["id"], net, f"member:{e['id']}", {
            "kind": "member_of", "evidence": evidence, "sources": _tuple(network.get("sources")),
            "date": _text(e["designation_date"]), "confidence": _text(e["network_confidence"]) or "unverified", "ref": e["id"]}))
    g.add_edges_from(members)
    g.add_edges_from(
        (s["producer"], system_node(s["id"]), f"produces:{s['id']}", {
            "kind": "produces", "evidence": _text(s["producer_basis"]), "sources": _tuple(s["sources"]), "date": "",
            "confidence": _text(s["producer_confidence"]) or "unverified", "ref": s["id"]})
        for s in systems if _text(s["producer"])
    )
    goods_edges = []
    for gd in goods:
        node, status = goods_node(gd["id"]), _text(gd["status"])
        common = {"evidence": _text(gd["evidence"]), "sources": _tuple(gd["source"]), "date": _text(gd["date"]),
                  "confidence": _text(gd["confidence"]), "ref": gd["id"]}
        goods_edges.append((gd["supplier"], node, f"{gd['id']}:supplier", {"kind": status, **common}))
        if _text(gd["recipient"]):
            goods_edges.append((node, gd["recipient"], f"{gd['id']}:recipient",
                                {"kind": RECIPIENT_KIND.get(status, "received"), **common}))
    g.add_edges_from(goods_edges)
    return g


# --------------------------------------------------------------------------- chains

_CACHE: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _cached(g, name: str, compute):
    """Per-graph memo (weakly keyed; recomputed when the graph's size changes)."""
    stamp = (g.number_of_nodes(), g.number_of_edges())
    entry = _CACHE.get(g)
    if entry is None or entry[0] != stamp:
        entry = (stamp, {})
        _CACHE[g] = entry
    if name not in entry[1]:
        entry[1][name] = compute()
    return entry[1][name]


def _label(g, node) -> str:
    return g.nodes[node].get("label", node) if node in g else node


def _names(g, nodes: Iterable[str], limit: int = LIST_LIMIT) -> str:
    labels = sorted({_label(g, n) for n in nodes})
    if len(labels) > limit:
        return ", ".join(labels[:limit]) + f" and {len(labels) - limit} more"
    return ", ".join(labels)


def _out_edges(g, node, kinds):
    for _, target, key, data in g.out_edges(node, keys=True, data=True):
        if data.get("kind") in kinds:
            yield target, key, data


def _in_edges(g, node, kinds):
    for source, _, key, data in g.in_edges(node, keys=True, data=True):
        if data.get("kind") in kinds:
            yield source, key, data


def _is_entity(g, node) -> bool:
    return g.nodes[node].get("kind") not in ("goods", "system")


def _producers(g) -> set[str]:
    """Every entity that produces a system, plus what those are subordinate to (AIO)."""
    def compute():
        found = set()
        for node, data in g.nodes(data=True):
            if data.get("kind") == "system":
                found.update(source for source, _, _ in _in_edges(g, node, ("produces",)))
        parents = {t for p in found for t, _, _ in _out_edges(g, p, ("subordinate_to",))}
        return frozenset(found | parents)
    return _cached(g, "producers", compute)


def _reached_by(g, producer: str) -> dict[str, list[tuple]]:
    """Entities that reach ``producer`` by associated_with / subordinate_to links (at most
    UPWARD_DEPTH), itself included, each with its path of edges up to the producer."""
    result = {producer: []}
    frontier = [producer]
    for _ in range(UPWARD_DEPTH):
        nxt = []
        for node in frontier:
            for source, key, data in sorted(_in_edges(g, node, UPWARD_KINDS), key=lambda t: (t[0], t[1])):
                if source in result:
                    continue
                result[source] = [(source, node, key, data)] + result[node]
                nxt.append(source)
        frontier = nxt
    return result


def _reaching_producers(g) -> frozenset[str]:
    """Every node that is, or reaches, a producer (or AIO) upward."""
    def compute():
        found = set()
        for producer in _producers(g):
            found.update(_reached_by(g, producer))
        return frozenset(found)
    return _cached(g, "reaching", compute)


def _edge_record(u, v, key, data, source=None, target=None) -> dict:
    """A chain link: graph direction in from/to, flow direction in source/target."""
    return {
        "source": source if source is not None else u, "target": target if target is not None else v,
        "from": u, "to": v, "key": key, "kind": data.get("kind", ""), "confidence": data.get("confidence", ""),
        "evidence": data.get("evidence", ""), "sources": tuple(data.get("sources", ())), "date": data.get("date", ""),
    }


def _more(items: list[str], limit: int = LIST_LIMIT) -> str:
    shown = "; ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


class _Chain:
    """Collects the nodes and links of one chain, keeping flow order left to right."""

    def __init__(self, g):
        self.g, self.nodes, self.links, self.seen = g, {}, [], set()

    def node(self, node, layer):
        if node not in self.nodes:
            d = self.g.nodes[node]
            self.nodes[node] = {"id": node, "label": d.get("label", node), "kind": d.get("kind", ""), "layer": layer,
                                "confidence": d.get("confidence", ""), "country": d.get("country", "")}

    def link(self, record):
        ident = (record["key"], record["source"], record["target"])
        order = CHAIN_LAYERS.index
        if ident not in self.seen and order(self.nodes[record["source"]]["layer"]) <= order(self.nodes[record["target"]]["layer"]):
            self.seen.add(ident)
            self.links.append(record)

    def path(self, path):
        """Intermediary -> ... -> producer links (associated_with / subordinate_to)."""
        for u, v, key, data in path:
            self.node(u, "intermediary")
            self.node(v, "intermediary")
            self.link(_edge_record(u, v, key, data))


def chain_for_system(g: nx.MultiDiGraph, system_id: str) -> dict:
    """The layered chain system <- producer <- [intermediary] <- goods <- supplier <- people/networks.

    Returns ``{"system", "system_node", "system_label", "producers", "nodes", "links",
    "goods", "suppliers", "people", "gaps", "layers"}``. ``nodes`` are dicts (id,
    label, kind, layer, confidence, country); ``links`` are dicts in flow order
    (``source`` -> ``target``, left to right) that also keep the graph edge (``from``,
    ``to``, ``key``) with its kind, confidence, evidence, sources and date. ``goods``
    lists the goods rows in the chain with their confidence and sources. ``gaps`` are
    plain sentences naming what the sources do not support, so the UI can say it
    instead of drawing a guess.

    Intermediaries are recipients that reach the producer by associated_with /
    subordinate_to links (e.g. Ecxir "associated with SHIG"). People and networks are
    those tied to a supplier by a relationship or by network membership.
    """
    return _chain(g, system_id, with_gaps=True)


def chains_for_systems(g: nx.MultiDiGraph, system_ids) -> list[dict]:
    """The chains of ``system_ids``, one per distinct chain: systems whose chains differ only
    in the system itself (e.g. three systems credited to one producer) share one chain headed
    by all of them, so one body of evidence is never drawn as several.

    Each chain is as :func:`chain_for_system` returns it, with ``systems`` (ids) and a
    ``system_label`` naming every system it heads.
    """
    groups: dict[tuple, dict] = {}
    for sid in system_ids:
        chain = chain_for_system(g, sid)
        snode = chain["system_node"]
        body = tuple(sorted((l["source"], l["target"], l["kind"]) for l in chain["links"] if l["target"] != snode))
        key = (tuple(sorted(chain["producers"])), body)
        if key not in groups:
            groups[key] = dict(chain, systems=[chain["system"]])
            continue
        head = groups[key]
        head["systems"].append(chain["system"])
        head["system_label"] += f" / {chain['system_label']}"
        head["nodes"] = head["nodes"] + [n for n in chain["nodes"] if n["id"] == snode]
        head["links"] = head["links"] + [l for l in chain["links"] if l["target"] == snode]
        head["gaps"] = list(dict.fromkeys(head["gaps"] + chain["gaps"]))
    return list(groups.values())


def _chain(g, system_id: str, with_gaps: bool) -> dict:
    snode = system_node(system_id)
    if snode not in g:
        raise KeyError(f"unknown system {system_id!r}")
    sdata = g.nodes[snode]
    sname = sdata["label"]
    ch = _Chain(g)
    gaps: list[str] = []
    ch.node(snode, "system")
    produced_by = sorted(_in_edges(g, snode, ("produces",)), key=lambda t: t[0])
    if not produced_by:
        gaps.append(f"No source in the data names the producer of the {sname}, so no supply chain can be drawn for it.")
    goods_rows, suppliers, people = [], [], []
    for producer, key, data in produced_by:
        ch.node(producer, "producer")
        ch.link(_edge_record(producer, snode, key, data))
        pname = _label(g, producer)
        conf = data.get("confidence", "")
        if conf in weak_labels(g) or conf == "seed-only":
            how = {"inferred": "our inference", "unverified": "unverified", "seed-only": "supported only by the seed article"}[conf]
            basis = data.get("evidence", "").strip() or "no basis recorded"
            gaps.append(f"The producer link {pname} -> {sname} is {how} ({conf}), not stated by a source: {basis}")
        reached = _reached_by(g, producer)
        supplier_goods: dict[str, list[str]] = {}
        intermediaries: set[str] = set()
        for recipient in sorted(reached):
            layer = "producer" if recipient == producer else "intermediary"
            for gnode, gkey, gdata in sorted(_in_edges(g, recipient, GOODS_EDGE_KINDS), key=lambda t: (t[0], t[1])):
                if g.nodes[gnode].get("kind") != "goods":
                    continue
                ch.node(recipient, layer)
                ch.path(reached[recipient])
                ch.node(gnode, "goods")
                ch.link(_edge_record(gnode, recipient, gkey, gdata))
                gd = g.nodes[gnode]
                goods_rows.append({"id": gd.get("goods_id", gnode), "node": gnode, "item": gd["label"],
                                   "status": gd.get("status", ""), "supplier": gd.get("supplier", ""),
                                   "recipient": recipient, "confidence": gdata.get("confidence", ""),
                                   "sources": tuple(gdata.get("sources", ())), "date": gdata.get("date", ""),
                                   "evidence": gdata.get("evidence", "")})
                if recipient != producer:
                    intermediaries.add(recipient)
                for supplier, skey, sdata2 in sorted(_in_edges(g, gnode, set(RECIPIENT_KIND)), key=lambda t: (t[0], t[1])):
                    ch.node(supplier, "supplier")
                    ch.link(_edge_record(supplier, gnode, skey, sdata2))
                    supplier_goods.setdefault(supplier, []).append(gnode)
        # Supply relationships without goods rows (e.g. "assisted"), from suppliers not already shown.
        for recipient in sorted(reached):
            layer = "producer" if recipient == producer else "intermediary"
            for supplier, rkey, rdata in sorted(_in_edges(g, recipient, SUPPLY_KINDS), key=lambda t: (t[0], t[1])):
                if not _is_entity(g, supplier) or supplier in supplier_goods \
                        or (supplier in ch.nodes and ch.nodes[supplier]["layer"] != "supplier"):
                    continue
                ch.node(recipient, layer)
                ch.path(reached[recipient])
                ch.node(supplier, "supplier")
                ch.link(_edge_record(supplier, recipient, rkey, rdata))
                supplier_goods.setdefault(supplier, [])
                if recipient != producer:
                    intermediaries.add(recipient)
        no_people, groups = [], []
        for supplier in sorted(supplier_goods):
            suppliers.append(supplier)
            found = _attach_people(g, supplier, ch)
            people.extend(found)
            if g.nodes[supplier].get("kind") == "group":
                groups.append(supplier)
            elif not found:
                no_people.append(supplier)
        if not with_gaps:
            continue
        inter = sorted(intermediaries, key=lambda n: _label(g, n))
        if 0 < len(inter) <= 3:
            for node in inter:
                steps = "; ".join(f"{_label(g, u)} {d.get('kind')} {_label(g, v)} ({d.get('confidence')})" for u, v, _, d in reached[node])
                gaps.append(f"The goods went to {_label(g, node)}, which a source links to {pname} ({steps}); "
                            f"no source says the goods themselves reached {pname}.")
        elif inter:
            gaps.append(f"The goods went to {len(inter)} entities that sources link to {pname} ({_names(g, inter)}); "
                        f"no source says the goods themselves reached {pname}.")
        if supplier_goods:
            gaps.append(f"No source names goods or suppliers for the {sname} itself: what is shown went to "
                        f"{pname} or entities linked to it, and reaches the {sname} only through the {conf} producer link.")
        else:
            programme = f"'s {sdata.get('propellant')}-propellant programme" if sdata.get("propellant") not in ("", "not stated") else ""
            gaps.append(f"No source names the goods or suppliers of {pname}{programme}, so none are shown for the {sname}.")
        if groups:
            gaps.append(f"Unnamed group{'s' if len(groups) > 1 else ''} ({_names(g, groups)}): the source names no company or person.")
        if no_people:
            gaps.append(f"No source in the data links a person or network to the supplier{'s' if len(no_people) > 1 else ''} {_names(g, no_people)}.")
    if with_gaps:
        gaps.extend(_goods_gaps(g, goods_rows))
        gaps.extend(_unattached_gaps(g))
    return {
        "system": system_id.removeprefix(SYSTEM_PREFIX), "system_node": snode, "system_label": sname,
        "producers": [p for p, _, _ in produced_by], "nodes": list(ch.nodes.values()), "links": ch.links,
        "goods": goods_rows, "suppliers": suppliers, "people": sorted(set(people)), "gaps": gaps,
        "layers": CHAIN_LAYERS, "weak": weak_labels(g),
    }


def _goods_gaps(g, goods_rows: list[dict]) -> list[str]:
    """Weakly supported and undelivered goods, said in words."""
    gaps = []
    words = {"seed-only": "Supported only by the seed article", "unverified": "Unverified (a single weak source, or sources conflict)",
             "inferred": "Inferred, not stated by a source"}
    for conf, text in words.items():
        rows = [r for r in goods_rows if r["confidence"] == conf]
        if rows:
            listed = _more([f"{r['item']} from {_label(g, r['supplier'])}" for r in rows])
            gaps.append(f"{text}: {listed}.")
    pending = [f"{r['item']} ({r['status']})" for r in goods_rows if r["status"] != "supplied"]
    if pending:
        gaps.append(f"Not reported as delivered: {_more(pending)}.")
    return gaps


def _attach_people(g, supplier, ch: _Chain) -> list[str]:
    """People and networks tied to a supplier by a relationship or by membership."""
    found = []
    for _, other, key, data in sorted(g.out_edges(supplier, keys=True, data=True), key=lambda t: (t[1], t[2])):
        if g.nodes[other].get("kind") in ("person", "network") and data.get("kind") not in SUPPLY_KINDS:
            ch.node(other, "people/networks")
            ch.link(_edge_record(supplier, other, key, data, source=other, target=supplier))
            found.append(other)
    for other, _, key, data in sorted(g.in_edges(supplier, keys=True, data=True), key=lambda t: (t[0], t[2])):
        if g.nodes[other].get("kind") in ("person", "network") and data.get("kind") not in SUPPLY_KINDS:
            ch.node(other, "people/networks")
            ch.link(_edge_record(other, supplier, key, data))
            found.append(other)
    return found


def _unattached_gaps(g) -> list[str]:
    """Goods and supply links that reach no producer: said, not drawn (cached per graph)."""
    return list(_cached(g, "unattached", lambda: _compute_unattached(g)))


def _compute_unattached(g) -> tuple[str, ...]:
    reaching = _reaching_producers(g)
    no_recipient, dead_ends = [], defaultdict(set)
    for node, data in g.nodes(data=True):
        if data.get("kind") != "goods":
            continue
        recipient = data.get("recipient", "")
        if not recipient:
            no_recipient.append(node)
        elif recipient not in reaching:
            dead_ends[recipient].add(data.get("supplier", ""))
    for u, v, kind in g.edges(data="kind"):
        if kind in SUPPLY_KINDS and v not in reaching and _is_entity(g, u) and _is_entity(g, v):
            dead_ends[v].add(u)
    gaps = []
    if no_recipient:
        items = sorted({g.nodes[n]["label"] for n in no_recipient})
        shown = ", ".join(items[:LIST_LIMIT]) + (f" and {len(items) - LIST_LIMIT} more" if len(items) > LIST_LIMIT else "")
        gaps.append(f"{len(no_recipient)} goods rows name no recipient ({shown}), so they are tied to no producer or system.")
    ends = sorted(dead_ends, key=lambda n: (-len(dead_ends[n]), _label(g, n)))
    for recipient in ends[:LIST_LIMIT // 2]:
        gaps.append(f"Supply links ending at {_label(g, recipient)} (from {_names(g, dead_ends[recipient])}) "
                    "reach no producer in the data: no source found names SHIG, SBIG or a system as the end user.")
    if len(ends) > LIST_LIMIT // 2:
        gaps.append(f"Supply links to {len(ends) - LIST_LIMIT // 2} more recipients ({_names(g, ends[LIST_LIMIT // 2:])}) likewise reach no producer.")
    return tuple(gaps)


# --------------------------------------------------------------------------- views

def _undirected_neighbours(g, node):
    return set(g.successors(node)) | set(g.predecessors(node))


def neighbourhood(g: nx.MultiDiGraph, node_ids: Iterable[str], radius: int = 1, max_nodes: int = 300) -> nx.MultiDiGraph:
    """The nodes within ``radius`` links (either direction) of ``node_ids``, at most ``max_nodes``.

    Breadth first, and within one ring in sorted order, so the cut is deterministic.
    ``result.graph["truncated"]`` says whether nodes were left out, and
    ``result.graph["available"]`` how many were within reach when it stopped.
    """
    seeds = sorted({n for n in node_ids if n in g})
    keep = seeds[:max_nodes]
    chosen = set(keep)
    truncated = len(seeds) > max_nodes
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
                found.update(n["id"] for n in _chain(g, sid, with_gaps=False)["nodes"])
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
        edges = [(u, v, k) for u, v, k, c in g.edges(keys=True, data="confidence")
                 if c in wanted and (pool is None or (u in pool and v in pool))]
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


_SEARCH_CACHE: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _search_index(g) -> list[tuple[str, str, tuple[str, ...]]]:
    """Normalised names per node, cached per graph object (rebuilt if its size changed)."""
    stamp = (g.number_of_nodes(), g.number_of_edges())
    cached = _SEARCH_CACHE.get(g)
    if cached is None or cached[0] != stamp:
        rows = []
        for node, data in g.nodes(data=True):
            names = (data.get("label", ""),) + tuple(data.get("aliases", ()))
            rows.append((node, data.get("label", ""), tuple(normalise(n) for n in names if n)))
        cached = (stamp, rows)
        _SEARCH_CACHE[g] = cached
    return cached[1]


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


# --------------------------------------------------------------------------- profile and tables

def _source_index(pkg: Package) -> dict[str, dict]:
    return {
        s["id"]: {"id": s["id"], "title": _text(s["title"]), "publisher": _text(s["publisher"]),
                  "date": _text(s["date"]), "url": _text(s["url"])}
        for s in _records(pkg.sources)
    }


def _resolve(index, ids) -> list[dict]:
    return [index.get(i, {"id": i, "title": "", "publisher": "", "date": "", "url": ""}) for i in ids]


def profile(g: nx.MultiDiGraph, pkg: Package, entity_id: str) -> dict:
    """Everything the data says about one entity, every statement with its sources resolved."""
    if entity_id not in g or g.nodes[entity_id].get("kind") in ("system", "goods"):
        raise KeyError(f"unknown entity {entity_id!r}")
    d = g.nodes[entity_id]
    row = pkg.entities[pkg.entities["id"] == entity_id].iloc[0]
    sources = _source_index(pkg)
    relationships, supplied, received = [], [], []
    for direction, edges in (("out", g.out_edges(entity_id, keys=True, data=True)), ("in", g.in_edges(entity_id, keys=True, data=True))):
        for u, v, key, data in edges:
            other = v if direction == "out" else u
            od = g.nodes[other]
            if od.get("kind") == "goods":
                goods = {"id": od.get("goods_id", other), "item": od["label"], "category": od.get("category", ""),
                         "status": od.get("status", ""), "evidence": data["evidence"], "confidence": data["confidence"],
                         "date": data["date"], "sources": _resolve(sources, data["sources"])}
                if direction == "out":
                    rec = od.get("recipient", "")
                    supplied.append({**goods, "recipient": rec, "recipient_name": _label(g, rec) if rec else ""})
                else:
                    sup = od.get("supplier", "")
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
    return {
        "id": entity_id, "name": d["label"], "aliases": list(d["aliases"]), "kind": d["kind"],
        "country": d["country"], "city": d["city"], "lat": d["lat"], "lon": d["lon"],
        "programs": list(d["programs"]), "designation_date": d["designation_date"],
        "sdn_uid": None if pd.isna(sdn) else int(sdn), "role": d["role"], "notes": _text(row["notes"]),
        "confidence": d["confidence"],
        "network": {"id": d["network"], "name": _label(g, d["network"]), "confidence": _text(row["network_confidence"])} if d["network"] else None,
        "members": [{"id": m, "name": _label(g, m)} for m in members],
        "sources": _resolve(sources, d["sources"]),
        "goods_supplied": supplied, "goods_received": received, "relationships": relationships,
    }


def _upward_map(pkg: Package) -> tuple[dict[str, list[tuple[str, str]]], set[str]]:
    """associated_with / subordinate_to links by subject, and the producer set: every
    system producer plus what a producer is subordinate to (AIO)."""
    up = defaultdict(list)
    rel = pkg.relationships
    for src, kind, dst in zip(rel["from"].tolist(), rel["kind"].tolist(), rel["to"].tolist()):
        if kind in UPWARD_KINDS:
            up[src].append((dst, kind))
    producers = {p for p in pkg.systems["producer"].tolist() if p}
    producers |= {t for p in producers for t, k in up.get(p, ()) if k == "subordinate_to"}
    return up, producers


def producer_reached(pkg: Package, recipient: str, _maps=None) -> str:
    """The producer (SHIG, SBIG) or parent (AIO) the recipient is, or reaches by
    associated_with / subordinate_to links (nearest first, then by id); '' when the data
    does not link it to one."""
    if not recipient:
        return ""
    up, producers = _maps or _upward_map(pkg)
    frontier, seen = [recipient], {recipient}
    for _ in range(UPWARD_DEPTH + 1):
        hits = sorted(n for n in frontier if n in producers)
        if hits:
            return hits[0]
        nxt = []
        for node in frontier:
            for target, _ in up.get(node, ()):
                if target not in seen:
                    seen.add(target)
                    nxt.append(target)
        frontier = nxt
    return ""


SUPPLY_COLUMNS = ["supplier", "item", "status", "recipient", "producer reached", "source title",
                  "source date", "source url", "confidence", "goods id"]


def supply_table(pkg: Package) -> pd.DataFrame:
    """Who supplied what to which producer, according to whom: one row per goods row."""
    names = dict(zip(pkg.entities["id"], pkg.entities["name"]))
    sources = _source_index(pkg)
    maps = _upward_map(pkg)
    cache: dict[str, str] = {}
    rows = []
    for gd in _records(pkg.goods):
        rec = _text(gd["recipient"])
        if rec not in cache:
            cache[rec] = producer_reached(pkg, rec, maps)
        src = sources.get(gd["source"], {})
        rows.append({
            "supplier": names.get(gd["supplier"], gd["supplier"]), "item": _text(gd["item"]), "status": _text(gd["status"]),
            "recipient": names.get(rec, rec) if rec else "", "producer reached": names.get(cache[rec], cache[rec]) if cache[rec] else "",
            "source title": src.get("title", ""), "source date": src.get("date", ""), "source url": src.get("url", ""),
            "confidence": _text(gd["confidence"]), "goods id": gd["id"],
        })
    return pd.DataFrame(rows, columns=SUPPLY_COLUMNS)


TIMELINE_COLUMNS = ["date", "kind", "title", "description", "system", "source title", "source date", "source url", "confidence", "event id"]


def timeline(pkg: Package) -> pd.DataFrame:
    """The dated events, oldest first (ISO partial dates sort correctly as text)."""
    sources = _source_index(pkg)
    systems = dict(zip(pkg.systems["id"], pkg.systems["name"]))
    rows = []
    for ev in _records(pkg.events):
        src = sources.get(ev["source"], {})
        rows.append({
            "date": _text(ev["date"]), "kind": _text(ev["kind"]), "title": _text(ev["title"]),
            "description": _text(ev["description"]), "system": systems.get(_text(ev["system"]), _text(ev["system"])),
            "source title": src.get("title", ""), "source date": src.get("date", ""), "source url": src.get("url", ""),
            "confidence": _text(ev["confidence"]), "event id": ev["id"],
        })
    frame = pd.DataFrame(rows, columns=TIMELINE_COLUMNS)
    return frame.sort_values(["date", "event id"], kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------- layout

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
