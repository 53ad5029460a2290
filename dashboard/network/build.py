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

import heapq
import math
import weakref
from collections.abc import Iterable, Iterator

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


def _texts(series: pd.Series) -> list[str]:
    """A text column as :func:`clean_text` values, each distinct value one shared string
    (a kind or a date repeated on 500,000 links is stored once, not 500,000 times)."""
    codes, uniques = pd.factorize(series)
    table = [clean_text(u) for u in uniques.tolist()] + [""]  # code -1 (missing) -> ""
    return list(map(table.__getitem__, codes.tolist()))


def _tuples(series: pd.Series) -> list[tuple]:
    return [_tuple(v) for v in series.tolist()]


def weak_labels(g) -> tuple[str, ...]:
    """The confidence labels no source states outright (schema.toml ``weak_confidence``)."""
    return g.graph["vocab"]["weak_confidence"]


def build_graph(pkg: Package) -> nx.MultiDiGraph:
    """The whole package as one graph (see the module docstring for nodes and edges)."""
    with paused_gc():
        return _build_graph(pkg)


def _build_graph(pkg: Package) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph(vocab=pkg.vocab)
    systems = _records(pkg.systems)
    goods = _records(pkg.goods)
    g.add_nodes_from(_entity_nodes(pkg.entities))
    g.add_nodes_from((system_node(s["id"]), _node(
        clean_text(s["name"]), "system", aliases=_tuple(s["aliases"]), sources=_tuple(s["sources"]),
        role=f"{clean_text(s['class'])}, {clean_text(s['propellant'])} propellant",
        system_id=s["id"], propellant=clean_text(s["propellant"]), system_class=clean_text(s["class"]),
    )) for s in systems)
    groups = goods_groups(goods)
    g.add_nodes_from((goods_node(rows[0]["id"]), _goods_attrs(rows, pkg.vocab)) for rows in groups.values())
    edges = (_relationship_edges(pkg.relationships, pkg.vocab) + _member_edges(pkg.entities)
             + _producer_edges(systems) + _goods_edges(groups))
    _add_edges(g, edges)
    _CACHE[g] = {("edges by", attr): _group(edges, attr) for attr in ("kind", "confidence")}
    return g


def _add_edges(g: nx.MultiDiGraph, edges: list[tuple]) -> None:
    """``g.add_edges_from(edges)`` for ``(u, v, key, data)`` edges, keeping each ``data``
    dict itself as the edge's attributes. networkx's add_edges_from calls add_edge for
    every edge and copies its dict (3 s and ~150 MB at 570,000 edges); this fills the same
    adjacency dicts directly, adding a missing end node as add_edge does."""
    succ, pred = g._succ, g._pred
    for u, v, key, data in edges:
        if u not in succ:
            g.add_node(u)
        if v not in succ:
            g.add_node(v)
        keydict = succ[u].get(v)
        if keydict is None:
            keydict = succ[u][v] = pred[v][u] = g.edge_key_dict_factory()
        if key in keydict:
            keydict[key].update(data)
        else:
            keydict[key] = data
    nx._clear_cache(g)


def _entity_nodes(frame: pd.DataFrame) -> list[tuple[str, dict]]:
    text = {c: _texts(frame[c]) for c in ("id", "name", "kind", "country", "city", "network", "designation_date", "role",
                                          "confidence")}
    lists = {c: _tuples(frame[c]) for c in ("aliases", "programs", "sources")}
    lats, lons = frame["lat"].astype(float).tolist(), frame["lon"].astype(float).tolist()
    return [(text["id"][i], _node(
        text["name"][i], text["kind"][i], country=text["country"][i], city=text["city"][i], lat=lats[i], lon=lons[i],
        network=text["network"][i], aliases=lists["aliases"][i], programs=lists["programs"][i],
        designation_date=text["designation_date"][i], role=text["role"][i], sources=lists["sources"][i],
        confidence=text["confidence"][i],
    )) for i in range(len(frame))]


def _relationship_edges(frame: pd.DataFrame, vocab) -> list[tuple]:
    """One edge per relationship row, keyed by the row id."""
    ids, kinds = _texts(frame["id"]), _texts(frame["kind"])
    flows = {kind: flow_of(vocab, kind) for kind in set(kinds)}
    return [(u, v, key, {"kind": kind, "evidence": evidence, "sources": sources, "date": date, "confidence": confidence,
                         "ref": key, "flow": flows[kind]})
            for u, v, key, kind, evidence, sources, date, confidence in zip(
                _texts(frame["from"]), _texts(frame["to"]), ids, kinds, _texts(frame["evidence"]), _tuples(frame["sources"]),
                _texts(frame["date"]), _texts(frame["confidence"]))]


def _member_edges(frame: pd.DataFrame) -> list[tuple]:
    """``member -member_of-> network`` for every entity that names its network."""
    ids, networks = _texts(frame["id"]), _texts(frame["network"])
    row_of = {eid: i for i, eid in enumerate(ids)}
    notes, roles, sources = _texts(frame["notes"]), _texts(frame["role"]), _tuples(frame["sources"])
    dates, confidences = _texts(frame["designation_date"]), _texts(frame["network_confidence"])
    members = []
    for eid, net, date, confidence in zip(ids, networks, dates, confidences):
        if not net:
            continue
        at = row_of.get(net)
        basis = (notes[at] if at is not None else "") or "not stated"
        evidence = f"{roles[at] if at is not None else ''} membership basis: {basis}".strip()
        members.append((eid, net, f"member:{eid}", {
            "kind": "member_of", "evidence": evidence, "sources": sources[at] if at is not None else (),
            "date": date, "confidence": confidence or "unverified", "ref": eid, "flow": TIE}))
    return members


def _producer_edges(systems: list[dict]) -> list[tuple]:
    return [(s["producer"], system_node(s["id"]), f"produces:{s['id']}", {
            "kind": "produces", "evidence": clean_text(s["producer_basis"]), "sources": _tuple(s["sources"]), "date": "",
            "confidence": clean_text(s["producer_confidence"]) or "unverified", "ref": s["id"], "flow": TIE})
            for s in systems if clean_text(s["producer"])]


def _goods_edges(groups: dict[tuple, list[dict]]) -> list[tuple]:
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
    return goods_edges


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


@paused_gc()
def _group(edges, attr: str) -> dict[str, tuple[list, list, list, list]]:
    """Edges ``(u, v, key, data)`` grouped by ``data[attr]``, each group as four parallel
    lists (us, vs, keys, datas): four objects per group for the garbage collector to walk,
    not one tuple per edge."""
    groups: dict[str, tuple[list, list, list, list]] = {}
    for u, v, key, data in edges:
        us, vs, keys, datas = groups.setdefault(data.get(attr), ([], [], [], []))
        us.append(u)
        vs.append(v)
        keys.append(key)
        datas.append(data)
    return groups


def _edges_with(g, attr: str, values: Iterable[str]) -> Iterator[tuple]:
    """The edges ``(u, v, key, data)`` of ``g`` whose ``attr`` (kind, confidence) is one of
    ``values``. The grouping is cached per graph, and :func:`build_graph` fills it as it adds
    the edges, so the graphs it builds are never walked for it (a walk over 570,000 edges
    takes a second or more)."""
    groups = _cached(g, ("edges by", attr), lambda: _group(g.edges(keys=True, data=True), attr))
    for value in values:
        yield from zip(*groups.get(value, ((), (), (), ())))


def _in_index(g, kinds) -> dict[str, list[tuple]]:
    """target -> [(source, key, data)] over the edges of ``kinds``, cached per graph."""
    @paused_gc()
    def compute():
        index: dict[str, list[tuple]] = {}
        for u, v, key, data in _edges_with(g, "kind", sorted(kinds)):
            index.setdefault(v, []).append((u, key, data))
        return index
    return _cached(g, ("in", frozenset(kinds)), compute)


# The hot loops below read networkx's own node and adjacency dicts (``g._node``, ``g._succ``,
# ``g._pred``: documented graph internals, filtered mappings on subgraph views) instead of the
# report views, which cost a few microseconds per node or edge: seconds at 500,000 links.

def _label(g, node) -> str:
    data = g._node.get(node)
    return data.get("label", node) if data is not None else node


def _names(g, nodes: Iterable[str], limit: int = LIST_LIMIT) -> str:
    """The first ``limit`` distinct labels in order, then "and N more"."""
    labels = {_label(g, n) for n in nodes}
    if len(labels) > limit:
        return ", ".join(heapq.nsmallest(limit, labels)) + f" and {len(labels) - limit} more"
    return ", ".join(sorted(labels))


def _out_edges(g, node, kinds):
    for _, target, key, data in g.out_edges(node, keys=True, data=True):
        if data.get("kind") in kinds:
            yield target, key, data


def _in_edges(g, node, kinds):
    for source, _, key, data in g.in_edges(node, keys=True, data=True):
        if data.get("kind") in kinds:
            yield source, key, data


def _is_entity(g, node) -> bool:
    return g._node[node].get("kind") not in ("goods", "system")


def source_index(pkg: Package) -> dict[str, dict]:
    return {
        s["id"]: {"id": s["id"], "title": clean_text(s["title"]), "publisher": clean_text(s["publisher"]),
                  "date": clean_text(s["date"]), "url": clean_text(s["url"])}
        for s in _records(pkg.sources)
    }


def _resolve(index, ids) -> list[dict]:
    return [index.get(i, {"id": i, "title": "", "publisher": "", "date": "", "url": ""}) for i in ids]


