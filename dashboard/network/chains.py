"""Supply chains: system <- producer <- [intermediary] <- goods <- supplier <- people/networks,
with the gaps the sources leave said in words (no Streamlit)."""

from __future__ import annotations

import heapq
from collections import defaultdict

import networkx as nx

from dashboard.data.gcpause import paused_gc
from dashboard.figures.style import TIE
from dashboard.network.build import (
    CHAIN_LAYERS, GOODS_EDGE_KINDS, LIST_LIMIT, RECIPIENT_KIND, SUPPLY_KINDS, SYSTEM_PREFIX, UPWARD_DEPTH, UPWARD_KINDS, _cached,
    _edges_with, _in_edges, _in_index, _is_entity, _label, _names, _out_edges, system_node, weak_labels,
)

_RANK = {layer: i for i, layer in enumerate(CHAIN_LAYERS)}  # a layer's position, left to right


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
    upward = _in_index(g, UPWARD_KINDS)
    result = {producer: []}
    frontier = [producer]
    for _ in range(UPWARD_DEPTH):
        nxt = []
        for node in frontier:
            for source, key, data in sorted(upward.get(node, ()), key=lambda t: (t[0], t[1])):
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
        "flow": data.get("flow", TIE),
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
                                "confidence": d.get("confidence", ""), "country": d.get("country", ""),
                                "status": d.get("status", "") if d.get("kind") == "goods" else ""}

    def link(self, record):
        ident = (record["key"], record["source"], record["target"])
        if ident not in self.seen and _RANK[self.nodes[record["source"]]["layer"]] <= _RANK[self.nodes[record["target"]]["layer"]]:
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
    return build_chain(g, system_id, with_gaps=True)


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


@paused_gc()
def build_chain(g, system_id: str, with_gaps: bool) -> dict:
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
    goods_in, supplier_in, supply_in = _in_index(g, GOODS_EDGE_KINDS), _in_index(g, RECIPIENT_KIND), _in_index(g, SUPPLY_KINDS)
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
            for gnode, gkey, gdata in sorted(goods_in.get(recipient, ()), key=lambda t: (t[0], t[1])):
                if g.nodes[gnode].get("kind") != "goods":
                    continue
                ch.node(recipient, layer)
                ch.path(reached[recipient])
                ch.node(gnode, "goods")
                ch.link(_edge_record(gnode, recipient, gkey, gdata))
                goods_rows.append({"id": gdata.get("goods_id", gnode), "node": gnode, "item": gdata.get("item", ""),
                                   "status": gdata.get("status", ""), "supplier": gdata.get("supplier", ""),
                                   "recipient": recipient, "confidence": gdata.get("confidence", ""),
                                   "sources": tuple(gdata.get("sources", ())), "date": gdata.get("date", ""),
                                   "evidence": gdata.get("evidence", "")})
                if recipient != producer:
                    intermediaries.add(recipient)
                for supplier, skey, sdata2 in sorted(supplier_in.get(gnode, ()), key=lambda t: (t[0], t[1])):
                    ch.node(supplier, "supplier")
                    ch.link(_edge_record(supplier, gnode, skey, sdata2))
                    supplier_goods.setdefault(supplier, []).append(gnode)
        # Supply relationships without goods rows (e.g. "assisted"), from suppliers not already shown.
        for recipient in sorted(reached):
            layer = "producer" if recipient == producer else "intermediary"
            for supplier, rkey, rdata in sorted(supply_in.get(recipient, ()), key=lambda t: (t[0], t[1])):
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
        "layers": CHAIN_LAYERS, "weak": weak_labels(g), "vocab": g.graph["vocab"],
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
    delivered = set(g.graph["vocab"].get("delivered_status", ()))
    pending = [f"{r['item']} ({r['status']})" for r in goods_rows if r["status"] not in delivered]
    if pending:
        gaps.append(f"Not reported as delivered: {_more(pending)}.")
    return gaps


def _attach_people(g, supplier, ch: _Chain) -> list[str]:
    """People and networks tied to a supplier by a relationship or by membership."""
    found = []
    people = _people(g)
    for other, key, data in _people_links(g._succ[supplier], people):
        ch.node(other, "people/networks")
        ch.link(_edge_record(supplier, other, key, data, source=other, target=supplier))
        found.append(other)
    for other, key, data in _people_links(g._pred[supplier], people):
        ch.node(other, "people/networks")
        ch.link(_edge_record(other, supplier, key, data))
        found.append(other)
    return found


def _people(g) -> frozenset[str]:
    """The person and network nodes, cached per graph."""
    return _cached(g, "people", lambda: frozenset(n for n, kind in g.nodes(data="kind") if kind in ("person", "network")))


def _people_links(neighbours, people: frozenset[str]) -> list[tuple]:
    """(other, key, data) of the links to people and networks that move no goods, by other then key."""
    return sorted(((other, key, data) for other, keydict in neighbours.items() if other in people
                   for key, data in keydict.items() if data.get("kind") not in SUPPLY_KINDS), key=lambda t: (t[0], t[1]))


def _unattached_gaps(g) -> list[str]:
    """Goods and supply links that reach no producer: said, not drawn (cached per graph)."""
    return list(_cached(g, "unattached", lambda: _compute_unattached(g)))


@paused_gc()
def _compute_unattached(g) -> tuple[str, ...]:
    reaching = _reaching_producers(g)
    no_recipient, dead_ends, not_entities = [], defaultdict(set), set()
    for node, data in g._node.items():
        kind = data.get("kind")
        if kind == "system":
            not_entities.add(node)
        if kind != "goods":
            continue
        not_entities.add(node)
        for supplier, edge in ((s, e) for s, keydict in g._pred[node].items() for e in keydict.values()):
            recipient = edge.get("recipient", "")
            if not recipient:
                no_recipient.append(node)
            elif recipient not in reaching:
                dead_ends[recipient].add(supplier)
    for u, v, _, _ in _edges_with(g, "kind", SUPPLY_KINDS):
        if v not in reaching and u not in not_entities and v not in not_entities:
            dead_ends[v].add(u)
    gaps = []
    if no_recipient:
        items = sorted({g.nodes[n]["label"] for n in no_recipient})
        shown = ", ".join(items[:LIST_LIMIT]) + (f" and {len(items) - LIST_LIMIT} more" if len(items) > LIST_LIMIT else "")
        gaps.append(f"{len(no_recipient)} goods rows name no recipient ({shown}), so they are tied to no producer or system.")
    label = {n: _label(g, n) for n in dead_ends}
    shown = heapq.nsmallest(LIST_LIMIT // 2, dead_ends, key=lambda n: (-len(dead_ends[n]), label[n], n))
    for recipient in shown:
        gaps.append(f"Supply links ending at {label[recipient]} (from {_names(g, dead_ends[recipient])}) "
                    "reach no producer in the data: no source found names SHIG, SBIG or a system as the end user.")
    if len(dead_ends) > len(shown):
        rest = set(dead_ends).difference(shown)
        gaps.append(f"Supply links to {len(rest)} more recipients ({_names(g, rest)}) likewise reach no producer.")
    return tuple(gaps)


