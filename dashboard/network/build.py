"""The supply-chain graph: entities, systems and goods as one typed, cited network.

No Streamlit here. Everything is a pure function of the validated package.

Nodes (``networkx.MultiDiGraph``)
    * every entity, keyed by its id (``P_``, ``C_``, ``O_``, ``N_``, ``G_``);
    * every system, keyed ``system:<id>`` (``kind="system"``);
    * every distinct goods item, keyed ``goods:<id>`` of its first row (``kind="goods"``):
      rows with the same item, recipient and status are one node (:func:`goods_key`),
      with ``goods_ids``, ``suppliers`` and the firmest row's confidence.
    Every node has the same attributes (:data:`NODE_ATTRS`); ``label`` is the name.

Edges, each with ``kind``, ``evidence``, ``sources`` (tuple of source ids), ``date``,
``confidence``, ``ref`` (the row it comes from) and ``flow`` (how far goods moved: the
goods status, the status schema.toml's relationship_status gives the kind, else "tie");
goods edges also keep their row's ``goods_id``, ``item``, ``status``, ``supplier`` and
``recipient``. The edge key is unique:
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
import weakref
from collections.abc import Iterable

import networkx as nx
import pandas as pd

from dashboard.data.gcpause import paused_gc
from dashboard.data.load import Package
from dashboard.figures.style import TIE, flow_of

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
LIST_LIMIT = 8  # names listed in one gap sentence before "and N more"


def system_node(system_id: str) -> str:
    return system_id if system_id.startswith(SYSTEM_PREFIX) else SYSTEM_PREFIX + system_id


def goods_node(goods_id: str) -> str:
    return goods_id if goods_id.startswith(GOODS_PREFIX) else GOODS_PREFIX + goods_id


# --------------------------------------------------------------------------- building

def clean_text(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _tuple(value) -> tuple:
    if isinstance(value, (tuple, list)):
        return tuple(value)
    text = clean_text(value)
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
    with paused_gc():
        return _build_graph(pkg)


def _build_graph(pkg: Package) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph(vocab=pkg.vocab)
    entities = _records(pkg.entities)
    systems = _records(pkg.systems)
    goods = _records(pkg.goods)
    by_id = {e["id"]: e for e in entities}
    g.add_nodes_from((e["id"], _node(
        clean_text(e["name"]), clean_text(e["kind"]),
        country=clean_text(e["country"]), city=clean_text(e["city"]),
        lat=float(e["lat"]), lon=float(e["lon"]), network=clean_text(e["network"]),
        aliases=_tuple(e["aliases"]), programs=_tuple(e["programs"]),
        designation_date=clean_text(e["designation_date"]), role=clean_text(e["role"]),
        sources=_tuple(e["sources"]), confidence=clean_text(e["confidence"]),
    )) for e in entities)
    g.add_nodes_from((system_node(s["id"]), _node(
        clean_text(s["name"]), "system", aliases=_tuple(s["aliases"]), sources=_tuple(s["sources"]),
        role=f"{clean_text(s['class'])}, {clean_text(s['propellant'])} propellant",
        system_id=s["id"], propellant=clean_text(s["propellant"]), system_class=clean_text(s["class"]),
    )) for s in systems)
    groups = goods_groups(goods)
    g.add_nodes_from((goods_node(rows[0]["id"]), _goods_attrs(rows, pkg.vocab)) for rows in groups.values())

    g.add_edges_from(
        (r["from"], r["to"], r["id"], {"kind": clean_text(r["kind"]), "evidence": clean_text(r["evidence"]),
                                       "sources": _tuple(r["sources"]), "date": clean_text(r["date"]),
                                       "confidence": clean_text(r["confidence"]), "ref": r["id"],
                                       "flow": flow_of(pkg.vocab, clean_text(r["kind"]))})
        for r in _records(pkg.relationships)
    )
    members = []
    for e in entities:
        net = clean_text(e["network"])
        if not net:
            continue
        network = by_id.get(net, {})
        basis = clean_text(network.get("notes")) or "not stated"
        evidence = f"{clean_text(network.get('role'))} membership basis: {basis}".strip()
        members.append((e["id"], net, f"member:{e['id']}", {
            "kind": "member_of", "evidence": evidence, "sources": _tuple(network.get("sources")),
            "date": clean_text(e["designation_date"]), "confidence": clean_text(e["network_confidence"]) or "unverified", "ref": e["id"], "flow": TIE}))
    g.add_edges_from(members)
    g.add_edges_from(
        (s["producer"], system_node(s["id"]), f"produces:{s['id']}", {
            "kind": "produces", "evidence": clean_text(s["producer_basis"]), "sources": _tuple(s["sources"]), "date": "",
            "confidence": clean_text(s["producer_confidence"]) or "unverified", "ref": s["id"], "flow": TIE})
        for s in systems if clean_text(s["producer"])
    )
    goods_edges = []
    for rows in groups.values():
        node = goods_node(rows[0]["id"])
        for gd in rows:
            status = clean_text(gd["status"])
            common = {"evidence": clean_text(gd["evidence"]), "sources": _tuple(gd["source"]), "date": clean_text(gd["date"]),
                      "confidence": clean_text(gd["confidence"]), "ref": gd["id"], "flow": status, "goods_id": gd["id"],
                      "item": clean_text(gd["item"]), "status": status, "supplier": clean_text(gd["supplier"]),
                      "recipient": clean_text(gd["recipient"])}
            goods_edges.append((gd["supplier"], node, f"{gd['id']}:supplier", {"kind": status, **common}))
            if clean_text(gd["recipient"]):
                goods_edges.append((node, gd["recipient"], f"{gd['id']}:recipient",
                                    {"kind": RECIPIENT_KIND.get(status, "received"), **common}))
    g.add_edges_from(goods_edges)
    return g


def goods_key(row: dict) -> tuple[str, str, str]:
    """What makes two goods rows one node: the same item (case and spacing aside) reaching
    the same recipient at the same stage (status). The suppliers and sources may differ:
    the seed's "Chinese firms" graphite cylinders for SBIG and the 2008 cable's LIMMT
    graphite cylinders for SBIG are one consignment told twice, so they are one node with
    two incoming links, each with its own confidence. Goods with no named recipient merge
    only with goods that also name none."""
    return (" ".join(clean_text(row["item"]).casefold().split()), clean_text(row["recipient"]), clean_text(row["status"]))


def goods_groups(goods: list[dict]) -> dict[tuple, list[dict]]:
    """Goods rows grouped by :func:`goods_key`, in file order (the node id is the first row's)."""
    groups: dict[tuple, list[dict]] = {}
    for row in goods:
        groups.setdefault(goods_key(row), []).append(row)
    return groups


def _goods_attrs(rows: list[dict], vocab) -> dict:
    order = {c: i for i, c in enumerate(vocab.get("confidence", ()))}
    firmest = min(rows, key=lambda r: order.get(clean_text(r["confidence"]), len(order)))
    first = rows[0]
    sources = tuple(dict.fromkeys(clean_text(r["source"]) for r in rows if clean_text(r["source"])))
    return _node(
        clean_text(first["item"]), "goods", sources=sources, confidence=clean_text(firmest["confidence"]),
        role=" | ".join(dict.fromkeys(clean_text(r["evidence"]) for r in rows)), goods_id=first["id"],
        goods_ids=tuple(r["id"] for r in rows), category=clean_text(first["category"]), status=clean_text(first["status"]),
        suppliers=tuple(dict.fromkeys(clean_text(r["supplier"]) for r in rows)), recipient=clean_text(first["recipient"]),
        date=clean_text(first["date"]),
    )


# --------------------------------------------------------------------------- graph access


_CACHE: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _cached(g, name: str, compute):
    """Per-graph memo, weakly keyed by the graph object. A built graph is read-only (as the
    package's frames are), so nothing is re-checked: counting a MultiDiGraph's edges to
    notice a change walked every edge, 1.2 s per call at 500,000 links."""
    memo = _CACHE.setdefault(g, {})
    if name not in memo:
        memo[name] = compute()
    return memo[name]


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


def source_index(pkg: Package) -> dict[str, dict]:
    return {
        s["id"]: {"id": s["id"], "title": clean_text(s["title"]), "publisher": clean_text(s["publisher"]),
                  "date": clean_text(s["date"]), "url": clean_text(s["url"])}
        for s in _records(pkg.sources)
    }


def _resolve(index, ids) -> list[dict]:
    return [index.get(i, {"id": i, "title": "", "publisher": "", "date": "", "url": ""}) for i in ids]


