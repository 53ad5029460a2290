"""dashboard.network: the supply-chain graph, chains with their gaps, views, tables, layout.

Small inline packages for exact counts; the real package (read-only) for the facts the
dashboard must show.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from dashboard import network as G
from dashboard.network import positions as network_layout
from dashboard.views.view import parse_view
from dashboard.views.tables import supply_table, timeline
from dashboard.data.cells import empty_value
from dashboard.data.load import Package
from dashboard.data.schema import load_schema

DATA = Path(__file__).resolve().parent.parent / "data"
SCHEMA = load_schema(DATA)


def inline_package(**rows: list[dict]) -> Package:
    """A Package from a few dict rows per table; missing cells get the loader's empty value."""
    tables = {}
    for name, table in SCHEMA.tables.items():
        records = [{c.name: row.get(c.name, empty_value(c)) for c in table.columns} for row in rows.get(name, [])]
        tables[name] = pd.DataFrame(records, columns=table.column_names)
    return Package(Path("/nonexistent"), tables, "inline", {}, SCHEMA.vocabularies)


def source(sid, title="A title"):
    return {"id": sid, "title": title, "publisher": "Pub", "date": "2017-02-09", "url": f"https://example.org/{sid}", "kind": "press"}


def entity(eid, name, kind, **extra):
    return {"id": eid, "name": name, "kind": kind, "sources": ("SRC_A",), "confidence": "stated", **extra}


def tiny() -> Package:
    return inline_package(
        sources=[source("SRC_A", "Source A"), source("SRC_B", "Source B")],
        entities=[
            entity("O_PROD", "Producer Group", "government", country="Iran", city="Tehran", lat=35.7, lon=51.4, aliases=("PG",)),
            entity("C_FRONT", "Front Company", "company", country="Iran"),
            entity("C_SUP", "Supplier Company", "company", country="China", network="N_NET", network_confidence="inferred"),
            entity("P_BOSS", "Boss, Person", "person", country="China", network="N_NET", network_confidence="secondhand"),
            entity("N_NET", "Some network", "network", country="Iran; China", role="A network.", notes="list order"),
        ],
        relationships=[
            {"id": "R1", "from": "C_FRONT", "kind": "associated_with", "to": "O_PROD", "evidence": "cable says so", "sources": ("SRC_B",), "date": "2008", "confidence": "stated"},
            {"id": "R2", "from": "P_BOSS", "kind": "manages", "to": "C_SUP", "evidence": "seed says so", "sources": ("SRC_A",), "date": "2017", "confidence": "seed-only"},
        ],
        systems=[{"id": "SYS", "name": "Missile", "class": "MRBM", "propellant": "solid", "producer": "O_PROD",
                  "producer_confidence": "inferred", "producer_basis": "propellant type", "sources": ("SRC_A",)}],
        goods=[
            {"id": "G1", "item": "bearings", "category": "components", "supplier": "C_SUP", "recipient": "C_FRONT", "status": "supplied",
             "evidence": "cable", "source": "SRC_B", "date": "2008", "confidence": "stated"},
            {"id": "G2", "item": "steel", "category": "materials", "supplier": "C_SUP", "recipient": "", "status": "offered",
             "evidence": "seed", "source": "SRC_A", "date": "2017", "confidence": "seed-only"},
        ],
    )


# ------------------------------------------------------------------ inline fixture

def test_nodes_and_edges_of_a_tiny_package():
    g = G.build_graph(tiny())
    assert g.number_of_nodes() == 5 + 1 + 2
    # 2 relationships + 2 memberships + 1 produces + G1 (2 edges) + G2 (1 edge: no recipient)
    assert g.number_of_edges() == 2 + 2 + 1 + 2 + 1
    prod = g.nodes["O_PROD"]
    assert prod["label"] == "Producer Group" and prod["kind"] == "government" and prod["city"] == "Tehran"
    assert prod["aliases"] == ("PG",) and prod["lat"] == 35.7 and prod["sources"] == ("SRC_A",)
    assert set(G.NODE_ATTRS) <= set(prod)
    assert g.nodes["system:SYS"]["kind"] == "system" and g.nodes["goods:G1"]["kind"] == "goods"
    assert g.nodes["goods:G1"]["label"] == "bearings"
    assert math.isnan(g.nodes["system:SYS"]["lat"])

    def edge(u, v):
        (data,) = g.get_edge_data(u, v).values()
        return data

    assert edge("C_FRONT", "O_PROD") == {"kind": "associated_with", "evidence": "cable says so", "sources": ("SRC_B",),
                                         "date": "2008", "confidence": "stated", "ref": "R1", "flow": "tie"}
    member = edge("C_SUP", "N_NET")
    assert member["kind"] == "member_of" and member["confidence"] == "inferred"
    assert member["evidence"].startswith("A network.") and "membership basis: list order" in member["evidence"]
    produces = edge("O_PROD", "system:SYS")
    assert produces["kind"] == "produces" and produces["confidence"] == "inferred" and produces["evidence"] == "propellant type"
    assert edge("C_SUP", "goods:G1")["kind"] == "supplied" and edge("goods:G1", "C_FRONT")["kind"] == "received"
    assert edge("C_SUP", "goods:G1")["sources"] == ("SRC_B",) and edge("goods:G1", "C_FRONT")["confidence"] == "stated"
    assert edge("C_SUP", "goods:G2")["kind"] == "offered"
    assert g.out_degree("goods:G2") == 0  # no recipient: the chain stops at the goods
    # How far goods moved, on every edge: the goods status, else a tie (no goods move).
    assert edge("C_SUP", "goods:G1")["flow"] == "supplied" and edge("goods:G1", "C_FRONT")["flow"] == "supplied"
    assert edge("C_SUP", "goods:G2")["flow"] == "offered" and member["flow"] == produces["flow"] == "tie"


def test_tiny_chain_layers_confidence_and_gaps():
    g = G.build_graph(tiny())
    chain = G.chain_for_system(g, "SYS")
    layers = {n["id"]: n["layer"] for n in chain["nodes"]}
    assert layers == {"system:SYS": "system", "O_PROD": "producer", "C_FRONT": "intermediary", "goods:G1": "goods",
                      "C_SUP": "supplier", "P_BOSS": "people/networks", "N_NET": "people/networks"}
    assert "goods:G2" not in layers  # no recipient: not guessed into the chain
    conf = {(l["source"], l["target"]): l["confidence"] for l in chain["links"]}
    assert conf[("O_PROD", "system:SYS")] == "inferred"
    assert conf[("P_BOSS", "C_SUP")] == "seed-only"
    assert conf[("N_NET", "C_SUP")] == "inferred"
    assert conf[("C_FRONT", "O_PROD")] == "stated"
    text = " ".join(chain["gaps"])
    assert "inferred" in text and "propellant type" in text
    assert "Front Company" in text and "no source says the goods themselves reached Producer Group" in text
    assert "name no recipient (steel)" in text
    with pytest.raises(KeyError):
        G.chain_for_system(g, "NOPE")


# ------------------------------------------------------------------ real package

@pytest.fixture(scope="module")
def real(package):
    return package, G.build_graph(package)


def test_every_edge_cites_a_known_source(real):
    pkg, g = real
    known = set(pkg.sources["id"])
    assert g.number_of_edges() > 0
    for u, v, k, data in g.edges(keys=True, data=True):
        assert data["sources"], (u, v, k)
        assert set(data["sources"]) & known, (u, v, k, data["sources"])
        assert data["confidence"] in SCHEMA.vocabularies["confidence"], (u, v, k)


def goods_nodes(pkg) -> int:
    """Distinct goods (item, recipient, status): one node each."""
    return len({(" ".join(i.casefold().split()), r, s) for i, r, s in zip(pkg.goods["item"], pkg.goods["recipient"], pkg.goods["status"])})


def test_every_row_becomes_a_node(real):
    pkg, g = real
    assert g.number_of_nodes() == len(pkg.entities) + len(pkg.systems) + goods_nodes(pkg)
    # Each goods row is still an edge of its own (its own supplier, source and confidence).
    refs = {d["goods_id"] for _, _, d in g.edges(data=True) if "goods_id" in d}
    assert refs == set(pkg.goods["id"])


def test_one_node_per_good_with_each_claim_its_own_link(real):
    pkg, g = real
    # The seed's "Chinese firms" graphite cylinders and the cable's LIMMT graphite cylinders,
    # both to SBIG and supplied: one node, two suppliers, two links each with its confidence.
    assert "goods:G08" not in g and g.nodes["goods:G05"]["goods_ids"] == ("G05", "G08")
    assert g.nodes["goods:G05"]["suppliers"] == ("G_CHINESE_FIRMS", "C_LIMMT")
    assert g.nodes["goods:G05"]["confidence"] == "stated"  # the firmest of its rows
    into = {(u, d["confidence"]) for u, _, d in g.in_edges("goods:G05", data=True)}
    assert into == {("G_CHINESE_FIRMS", "seed-only"), ("C_LIMMT", "stated")}
    labels = [d["label"].casefold() for _, d in g.nodes(data=True) if d["kind"] == "goods"]
    recipients = [d["recipient"] for _, d in g.nodes(data=True) if d["kind"] == "goods"]
    statuses = [d["status"] for _, d in g.nodes(data=True) if d["kind"] == "goods"]
    assert len(set(zip(labels, recipients, statuses))) == len(labels)  # no two goods nodes alike
    # Different recipients or stages stay apart: specialty steel (seed, no recipient) is not
    # the specialty steels Ecxir ordered.
    assert g.nodes["goods:G01"]["label"] == "specialty steel" and "goods:G12" in g


def test_profile_goods_keep_their_own_supplier_after_the_merge(real):
    pkg, g = real
    received = G.profile(g, pkg, "O_SBIG")["goods_received"]
    cylinders = {(r["id"], r["supplier"], r["confidence"]) for r in received if r["item"] == "graphite cylinders"}
    assert cylinders == {("G05", "G_CHINESE_FIRMS", "seed-only"), ("G08", "C_LIMMT", "stated")}


def test_profile_of_cosailing(real):
    pkg, g = real
    p = G.profile(g, pkg, "C_COSAILING")
    assert p["name"] == "COSAILING BUSINESS TRADING COMPANY LIMITED"
    assert p["city"] == "Qingdao" and p["country"] == "China" and p["kind"] == "company"
    assert p["designation_date"] == "2017-02-03"
    assert "NPWMD" in p["programs"]
    assert any("Cosailing" in a for a in p["aliases"])
    assert "SRC_SEED" in [s["id"] for s in p["sources"]]
    seed = next(s for s in p["sources"] if s["id"] == "SRC_SEED")
    assert seed["title"] and seed["publisher"] and seed["date"] == "2017-02-09" and seed["url"].startswith("http")
    yue = [r for r in p["relationships"] if r["other"] == "P_YUE"]
    assert yue and yue[0]["direction"] == "in" and yue[0]["kind"] == "works_at"
    assert yue[0]["confidence"] == "seed-only" and "SRC_SEED" in [s["id"] for s in yue[0]["sources"]]
    assert yue[0]["evidence"] and yue[0]["date"]
    assert p["network"]["id"] == "N_ASGHARZADEH"
    kinds = {(r["direction"], r["kind"]) for r in p["relationships"]}
    assert ("out", "member_of") in kinds and ("out", "procured_for") in kinds
    with pytest.raises(KeyError):
        G.profile(g, pkg, "goods:G01")


@pytest.mark.parametrize("system, producer", [("SHAHAB3", "O_SHIG"), ("SHAHAB3_IMP", "O_SHIG"), ("GHADR1", "O_SHIG"), ("SEJJIL", "O_SBIG")])
def test_chain_has_producer_and_gaps(real, system, producer):
    _, g = real
    chain = G.chain_for_system(g, system)
    assert chain["producers"] == [producer]
    link = next(l for l in chain["links"] if l["kind"] == "produces")
    assert (link["source"], link["target"]) == (producer, f"system:{system}")
    assert link["confidence"] == "inferred"  # as in systems.csv, not upgraded
    assert chain["gaps"] and all(isinstance(s, str) and s for s in chain["gaps"])
    assert any("inferred" in s for s in chain["gaps"])
    for n in chain["nodes"]:
        assert n["layer"] in G.CHAIN_LAYERS
    for l in chain["links"]:
        assert l["confidence"] in SCHEMA.vocabularies["confidence"] and l["sources"]


def test_sejjil_chain_names_sbig_goods_and_limmt(real):
    _, g = real
    chain = G.chain_for_system(g, "SEJJIL")
    items = {r["item"] for r in chain["goods"]}
    assert {"graphite cylinders", "tungsten powder", "tungsten-copper alloy ingots"} <= items
    assert "C_LIMMT" in chain["suppliers"] and "G_CHINESE_FIRMS" in chain["suppliers"]
    assert "P_LI_FANGWEI" in chain["people"]
    by_id = {r["id"]: r for r in chain["goods"]}
    assert by_id["G08"]["confidence"] == "stated" and by_id["G08"]["supplier"] == "C_LIMMT"
    assert by_id["G05"]["confidence"] == "seed-only"
    conf = {(l["source"], l["target"]): l["confidence"] for l in chain["links"]}
    assert conf[("C_LIMMT", "goods:G05")] == "stated"  # G08 is drawn on the G05 node (same goods, same recipient)
    assert conf[("G_CHINESE_FIRMS", "goods:G05")] == "seed-only"
    into_sbig = {l["confidence"] for l in chain["links"] if (l["source"], l["target"]) == ("goods:G05", "O_SBIG")}
    assert into_sbig == {"stated", "seed-only"}
    nodes = {n["id"]: n for n in chain["nodes"]}
    assert nodes["G_CHINESE_FIRMS"]["confidence"] == "seed-only"
    assert "O_SHIG" not in nodes and "C_STBPI" not in nodes
    assert any("seed article" in s and "graphite cylinders" in s for s in chain["gaps"])


def test_shig_chain_goes_through_ecxir_and_says_so(real):
    _, g = real
    chain = G.chain_for_system(g, "GHADR1")
    layers = {n["id"]: n["layer"] for n in chain["nodes"]}
    assert layers["C_ECXIR"] == layers["C_SABALAN"] == "intermediary"
    assert layers["C_STBPI"] == "supplier"
    text = " ".join(chain["gaps"])
    assert "Ghadr-1 itself" in text
    assert "no source says the goods themselves reached SHAHID HEMMAT INDUSTRIAL GROUP" in text
    assert "offered" in text and "Not reported as delivered" in text
    assert "Iranian ballistic missile agencies" in text  # the 2017 networks' end user is not guessed


def test_layout_is_deterministic(package):
    a = G.layout(G.build_graph(package))
    b = G.layout(G.build_graph(package))
    assert a == b and len(a) == len(package.entities) + len(package.systems) + goods_nodes(package)
    assert all(-1.0001 <= x <= 1.0001 and -1.0001 <= y <= 1.0001 for x, y in a.values())
    # Insertion order does not matter.
    g = G.build_graph(package)
    import networkx as nx
    shuffled = nx.MultiDiGraph()
    shuffled.add_nodes_from(reversed(list(g.nodes(data=True))))
    shuffled.add_edges_from(reversed(list(g.edges(keys=True, data=True))))
    assert G.layout(shuffled) == a


LAYOUT_DIGEST = """
import hashlib, json
from dashboard.data.load import DEFAULT_DATA_DIR
from dashboard.network.positions import layout
from dashboard.views.dashboard import Dashboard
print(hashlib.sha1(json.dumps(sorted(layout(Dashboard.load(DEFAULT_DATA_DIR).graph).items())).encode()).hexdigest())
"""


def test_layout_is_the_same_in_every_process():
    """Python salts string hashes per process; a layout that iterated a set of node ids
    drew a different network PNG on each `dashboard export` (it did, via subgraph views)."""
    import os
    import subprocess
    import sys

    digests = {subprocess.run([sys.executable, "-c", LAYOUT_DIGEST], env={**os.environ, "PYTHONHASHSEED": str(seed)},
                              capture_output=True, text=True, check=True).stdout for seed in (1, 2, 3)}
    assert len(digests) == 1, digests


def test_layered_layout_for_big_graphs_is_deterministic(monkeypatch, real):
    _, g = real
    monkeypatch.setattr(network_layout, "SPRING_MAX_NODES", 10)
    a, b = G.layout(g), G.layout(g)
    assert a == b and len(a) == g.number_of_nodes()


def test_filters(real):
    _, g = real
    people = G.filter_graph(g, kinds=("person",))
    assert people.number_of_nodes() > 5 and all(d["kind"] == "person" for _, d in people.nodes(data=True))

    net = G.filter_graph(g, networks=("N_ASGHARZADEH",))
    assert {"N_ASGHARZADEH", "P_YUE", "C_COSAILING", "P_ASGHARZADEH"} <= set(net)
    assert "C_MAHER" not in net and "C_LIMMT" not in net

    lebanon = G.filter_graph(g, countries=("lebanon",))
    assert {"C_MAHER", "N_IRGCQF_LEBANON", "P_FARHAT"} <= set(lebanon) and "O_SHIG" not in lebanon
    china = G.filter_graph(g, countries=("China",))
    assert "N_ASGHARZADEH" in china  # "Iran; China" matches either
    assert "goods:G09" not in g and "goods:G05" in china  # goods follow their supplier

    stated = G.filter_graph(g, confidence=("stated",))
    assert stated.number_of_edges() > 0 and all(c == "stated" for _, _, c in stated.edges(data="confidence"))
    assert "goods:G01" not in stated  # seed-only only

    sejjil = G.filter_graph(g, systems=("SEJJIL",))
    assert {"system:SEJJIL", "O_SBIG", "C_LIMMT", "goods:G05"} <= set(sejjil) and "O_SHIG" not in sejjil

    both = G.filter_graph(g, networks=("N_ASGHARZADEH",), kinds=("person",))
    assert "P_YUE" in both and "C_COSAILING" not in both
    assert G.filter_graph(g) is g
    assert G.filter_graph(g, networks=("N_DOES_NOT_EXIST",)).number_of_nodes() == 0


def test_neighbourhood(real):
    _, g = real
    one = G.neighbourhood(g, ["C_COSAILING"], radius=1)
    assert set(one) == {"C_COSAILING", "P_YUE", "N_ASGHARZADEH", "G_IRAN_BM_AGENCIES"}
    assert one.graph["truncated"] is False
    two = G.neighbourhood(g, ["C_COSAILING"], radius=2)
    assert set(one) < set(two) and "P_ZHOU" in two
    capped = G.neighbourhood(g, ["C_COSAILING"], radius=3, max_nodes=6)
    assert capped.number_of_nodes() == 6 and capped.graph["truncated"] is True
    assert set(capped) == set(G.neighbourhood(g, ["C_COSAILING"], radius=3, max_nodes=6))
    assert G.neighbourhood(g, ["NOPE"]).number_of_nodes() == 0


def test_search(real):
    _, g = real
    assert G.search(g, "cosailing")[0] == "C_COSAILING"
    assert G.search(g, "  COSAILING business ") == ["C_COSAILING"]
    assert G.search(g, "Yaodong") == ["P_YUE"]  # alias
    assert "P_ZHOU" in G.search(g, "Zhōu")  # accents ignored
    assert G.search(g, "momenin") == ["O_AMIR_AL_MOMENIN"]  # apostrophe ignored
    assert G.search(g, "Lee, Karl") == ["P_LI_FANGWEI"]
    assert G.search(g, "sejil") == ["system:SEJJIL"]
    assert G.search(g, "") == [] and G.search(g, "zzzz-no-such-name") == []
    assert G.search(g, "C_LIMMT")[0] == "C_LIMMT"


def test_search_accents_both_ways():
    pkg = tiny()
    pkg.entities.loc[0, "name"] = "Société Générale Müller"
    g = G.build_graph(pkg)
    assert G.search(g, "societe generale") == ["O_PROD"]
    assert G.search(g, "MULLER") == ["O_PROD"]


def test_supply_table(package):
    table = supply_table(G.build_graph(package), package)
    assert list(table.columns[:9]) == ["supplier", "item", "status", "recipient", "producer reached",
                                       "source title", "source date", "source url", "confidence"]
    assert len(table) == len(package.goods)
    row = table.set_index("goods id").loc["G13"]
    assert row["recipient"] == "Sabalan Company" and row["producer reached"] == "SHAHID HEMMAT INDUSTRIAL GROUP"
    assert row["source date"] == "2008-04-15" and row["confidence"] == "stated" and row["source url"].startswith("http")
    assert table.set_index("goods id").loc["G08", "producer reached"] == "SHAHID BAKERI INDUSTRIAL GROUP"
    assert table.set_index("goods id").loc["G17", "producer reached"] == ""  # unnamed end user: not guessed
    assert table.set_index("goods id").loc["G01", "recipient"] == ""


def test_timeline(package):
    t = timeline(package)
    assert len(t) == len(package.events)
    assert list(t["date"]) == sorted(t["date"])
    assert (t["source title"] != "").all()
    assert t.iloc[0]["date"] == "1998-07"


def test_synthetic_package_validates_and_builds(tmp_path):
    from dashboard.data.load import check_package
    from tests.synth import make_synthetic_package

    out = make_synthetic_package(tmp_path / "syn", n_entities=300, n_relationships=1500, seed=3)
    pkg, problems = check_package(out)
    assert problems == [], problems[:5]
    assert len(pkg.entities) > 300 and len(pkg.relationships) > 1500 and len(pkg.goods) > 60
    g = G.build_graph(pkg)
    assert g.number_of_nodes() == len(pkg.entities) + len(pkg.systems) + goods_nodes(pkg)
    chain = G.chain_for_system(g, "SEJJIL")
    assert chain["producers"] == ["O_SBIG"] and len(chain["nodes"]) > 10 and chain["gaps"]
    # The real schema is untouched; only the copy's file limit is raised.
    assert "max_file_bytes = 5_000_000" in (DATA / "schema.toml").read_text(encoding="utf-8")


def test_profile_sanctions_box_lists_each_action_with_its_tags_and_snapshot(real):
    from dashboard.views import tables

    pkg, g = real
    prof = G.profile(g, pkg, "C_NINGBO")
    assert [(d["date"], d["authority"], d["action"], d["programs"]) for d in prof["designations"]] == [
        ("2017-02-03", "US Treasury OFAC", "designated", ["NPWMD"])]
    lines = tables.sanctions_lines(prof)
    assert lines[0].startswith("2017-02-03 · US Treasury OFAC · designated · programmes NPWMD (tags as reported for the action)")
    assert lines[-1] == "SDN list entry (UID 21548): tags as of 2022-01-31: NPWMD; IFSR"
    # Several actions, oldest first; an indictment is its own line.
    limmt = tables.sanctions_lines(G.profile(g, pkg, "C_LIMMT"))
    assert [l.split(" · ")[2] for l in limmt[:-1]] == ["designated", "indicted"] and limmt[0].startswith("2006-06")
    # An entity the data holds no action against says so instead of showing an empty box.
    assert tables.sanctions_lines(G.profile(g, pkg, "C_ECXIR")) == [
        "No sanctions designation, identification or indictment of this entity is in the data."]


def test_systems_caveat_is_exposed_for_rings_and_captions(package):
    from dashboard.views import tables

    assert "may be one missile" in tables.caveat(package, "GHADR1")
    assert "may be one missile" in tables.caveat(package, "SHAHAB3_IMP")
    assert tables.caveat(package, "SEJJIL") == "" and tables.caveat(package, "NOPE") == ""


def test_separate_groups_get_side_by_side_columns(package):
    """The real network's two groups (the Shahab-3 family's, Sejjil's) each fill a column of
    their own, wide as their share of the nodes, instead of opposite corners."""
    import networkx as nx

    g = G.build_graph(package)
    sub = G.network_subgraph(g, parse_view("", package))
    pos = G.layout(sub)
    groups = sorted(nx.connected_components(sub.to_undirected()), key=len, reverse=True)
    assert len(groups) >= 2 and len(groups[1]) >= network_layout.MIN_COLUMN_NODES
    spans = [(min(pos[n][0] for n in c), max(pos[n][0] for n in c)) for c in groups[:2]]
    assert spans[0][1] < spans[1][0] or spans[1][1] < spans[0][0]  # columns do not overlap
    for c in groups[:2]:  # each group uses the full height
        ys = [pos[n][1] for n in c]
        assert min(ys) == -1.0 and max(ys) == 1.0
    assert all(-1 <= x <= 1 and -1 <= y <= 1 for x, y in pos.values())
