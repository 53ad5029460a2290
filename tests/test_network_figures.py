"""dashboard.figures.network and dashboard.figures.chain: styles, legend, escaping, size."""

from __future__ import annotations

import json

import pytest

from dashboard import network as G
from dashboard.figures import chain as chain_fig
from dashboard.figures import network as net_fig
from dashboard.figures import style
from tests.test_graph import entity, inline_package, source, tiny

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def real(package):
    g = G.build_graph(package)
    return package, g, G.layout(g)


def hostile():
    """The tiny package with markup and TeX in every kind of text a figure shows."""
    pkg = tiny()
    ents = pkg.entities
    ents.loc[ents["id"] == "C_SUP", "name"] = XSS
    ents.loc[ents["id"] == "O_PROD", "name"] = "$\\href{javascript:alert(1)}{x}$ & <b>bold</b>"
    ents.loc[ents["id"] == "C_SUP", "country"] = "<script>alert(2)</script>"
    pkg.relationships.loc[0, "evidence"] = "<a href='javascript:alert(3)'>cable</a>"
    pkg.goods.loc[0, "item"] = "<svg onload=alert(4)>"
    pkg.systems.loc[0, "name"] = "<i>Missile</i>"
    return G.build_graph(pkg)


def _strings(obj):
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _strings(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from _strings(v)


def _assert_escaped(fig_json: str):
    doc = json.loads(fig_json)
    text = "\n".join(_strings(doc))
    for raw in ("<img", "<script", "<svg", "<a href", "<b>", "<i>", "$\\href"):
        assert raw not in text, raw
    assert "&lt;img src=x onerror=alert(1)&gt;" in text  # shown literally


def test_markup_in_data_is_escaped_in_network_figure():
    g = hostile()
    fig = net_fig.network_figure(g, G.layout(g), highlight=["C_SUP"])
    _assert_escaped(fig.to_json())
    assert "&lt;svg onload=alert(4)&gt;" in fig.to_json()


def test_markup_in_data_is_escaped_in_chain_figure():
    g = hostile()
    chain = G.chain_for_system(g, "SYS")
    fig = chain_fig.chain_figure(chain, f"Chain of {XSS}")
    _assert_escaped(fig.to_json())


def test_network_styles_and_legend(real):
    _, g, pos = real
    fig = net_fig.network_figure(g, pos)
    by_name = {t.name: t for t in fig.data}
    vocab = g.graph["vocab"]
    # One line trace per (confidence, flow) pair present, in the shared style.
    for conf, flow in {(d["confidence"], d["flow"]) for _, _, d in g.edges(data=True)}:
        trace = by_name[net_fig.edge_trace_name(conf, flow)]
        cstyle, fstyle = style.confidence_style(vocab, conf), style.flow_style(vocab, flow)
        assert trace.line.dash == (fstyle.dash or cstyle.dash) and trace.line.width == fstyle.width
        assert trace.line.color == style.link_rgba(vocab, conf, flow) and trace.showlegend is False
    # Seed-only is no longer drawn like stated: distinct hues for every firm label.
    firm = [s.colour for s in style.confidence_styles(vocab).values() if not s.weak]
    assert len(set(firm)) == len(firm) == 3
    assert by_name[net_fig.edge_trace_name("seed-only", "tie")].line.color != by_name[net_fig.edge_trace_name("stated", "tie")].line.color
    # Delivered is the only solid goods flow; offers and orders are dotted and pale.
    delivered = by_name[net_fig.edge_trace_name("stated", "supplied")]
    offered = by_name[net_fig.edge_trace_name("stated", "offered")]
    ordered = by_name[net_fig.edge_trace_name("stated", "ordered")]
    assert delivered.line.dash == "solid" and offered.line.dash == ordered.line.dash == "dot"
    assert delivered.line.width > offered.line.width
    assert by_name[net_fig.edge_trace_name("inferred", "tie")].line.dash == "dash"
    legend = [t.name for t in fig.data if t.showlegend is not False]
    assert "delivered (supplied): solid flow" in legend and "offered, not delivered: pale, dotted" in legend
    assert "inferred: grey, dashed (no source states it)" in legend
    # Goods flows carry an arrowhead toward the recipient.
    assert sum(1 for a in fig.layout.annotations if a.showarrow) == sum(1 for _, _, f in g.edges(data="flow") if f != "tie")
    for kind, (colour, symbol, _) in net_fig.KIND_STYLES.items():
        if kind in by_name:
            assert by_name[kind].marker.color == colour and by_name[kind].marker.symbol == symbol
    assert {"person", "company", "government", "network", "group", "system", "goods"} <= set(by_name)
    assert "C_COSAILING" not in list(by_name["person"].customdata)  # one trace per kind
    company = by_name["company"]
    j = list(company.customdata).index("C_COSAILING")
    hover = company.hovertext[j]
    assert "COSAILING BUSINESS TRADING COMPANY LIMITED" in hover and "kind: company" in hover and "country: China" in hover
    assert fig.layout.xaxis.visible is False


def test_dashed_edges_are_exactly_the_weak_ones():
    g = G.build_graph(tiny())
    pos = G.layout(g)
    fig = net_fig.network_figure(g, pos)
    lines = [t for t in fig.data if t.name.startswith("links: ")]
    dashed = sum(t.x.count(None) for t in lines if t.line.dash == "dash")
    # tiny(): weak edges are produces (inferred) and C_SUP member_of (inferred).
    assert dashed == 2
    # R1 (stated), R2 (seed-only), P_BOSS member_of (secondhand), C_SUP->G1, G1->C_FRONT solid; C_SUP->G2 offered: dotted
    assert sum(t.x.count(None) for t in lines if t.line.dash == "solid") == 5
    assert sum(t.x.count(None) for t in lines if t.line.dash == "dot") == 1


def test_whole_real_network_is_small_and_deterministic(real):
    _, g, pos = real
    first = net_fig.network_figure(g, pos).to_json()
    assert len(first.encode()) < 1_000_000
    g2 = G.build_graph(real[0])
    assert net_fig.network_figure(g2, G.layout(g2)).to_json() == first


def test_highlight_and_truncation_note(real):
    _, g, _ = real
    sub = G.neighbourhood(g, ["C_COSAILING"], radius=3, max_nodes=8)
    fig = net_fig.network_figure(sub, G.layout(sub), highlight=["C_COSAILING", "NOT_THERE"])
    selected = [t for t in fig.data if t.name == "selected"]
    assert len(selected) == 1 and len(selected[0].x) == 1
    assert any("limit reached" in a.text for a in fig.layout.annotations)
    labels = [t for t in fig.data if t.name == "company"][0].text
    assert any("COSAILING" in (x or "") for x in labels)


def test_empty_network_figure_says_so():
    import networkx as nx

    fig = net_fig.network_figure(nx.MultiDiGraph(vocab={"weak_confidence": ()}), {})
    assert any("Nothing matches" in a.text for a in fig.layout.annotations)


def test_chain_figure_weak_links_are_pale_and_labelled(real):
    _, g, _ = real
    chain = G.chain_for_system(g, "SEJJIL")
    fig = chain_fig.chain_figure(chain, "Sejjil")
    vocab = g.graph["vocab"]
    sankey = fig.data[0]
    assert sankey.type == "sankey"
    labels = list(sankey.node.label)
    ids = [n["id"] for n in chain["nodes"]]
    assert len(labels) == len(ids)
    assert labels[ids.index("O_SBIG")].endswith("(inferred)")
    assert labels[ids.index("G_CHINESE_FIRMS")].endswith("(seed-only)")
    colours = dict(zip(list(sankey.link.label), list(sankey.link.color)))
    assert colours["produces (inferred)"].startswith("rgba(140,140,140,") and colours["produces (inferred)"].endswith(",0.35)")
    for link, colour, label in zip(chain["links"], sankey.link.color, sankey.link.label):
        assert label.endswith(f"({link['confidence']})")
        assert colour == style.link_rgba(vocab, link["confidence"], link["flow"])
        alpha = float(colour.rsplit(",", 1)[1].rstrip(")"))
        if link["confidence"] in ("inferred", "unverified"):
            assert alpha <= 0.35
        elif link["flow"] == "supplied":
            assert alpha == 0.85 and " - delivered (" in label
    legend = [t.name for t in fig.data[1:]]
    assert legend[: len(vocab["confidence"])] == [style.confidence_styles(vocab)[c].legend for c in vocab["confidence"]]
    assert "delivered (supplied): solid flow" in legend and "offered, not delivered: pale, dotted" in legend
    assert "supplier \u2192 goods \u2192 producer \u2192 system" in fig.layout.legend.title.text
    note = fig.layout.annotations[0].text
    assert note.startswith(f"What the sources do not support ({len(chain['gaps'])}):")
    assert note.count("<br>") <= 2  # at most three lines; the page lists every gap
    assert f"and {len(chain['gaps']) - 1} more" in note
    full = chain_fig.chain_figure(chain, "Sejjil", gap_lines=None).layout.annotations[0].text
    assert full.count("\u2022") == len(chain["gaps"])  # one bullet per gap when asked for all
    assert len(fig.to_json().encode()) < 200_000


def test_chain_figure_offers_and_orders_are_not_deliveries(real):
    _, g, _ = real
    (chain,) = G.chains_for_systems(g, ["SHAHAB3", "SHAHAB3_IMP", "GHADR1"])
    fig = chain_fig.chain_figure(chain, "Shahab-3 family")
    sankey = fig.data[0]
    by_item = {n["label"]: lab for n, lab in zip(chain["nodes"], sankey.node.label)}
    assert by_item["LF6 aluminium bars (23 t)"].replace("<br>", " ").endswith("(offered - not delivered)")
    assert "ordered - not delivered" in by_item["specialty steels"].replace("<br>", " ")
    assert "not delivered" not in by_item["U.S.-origin integrated circuits"].replace("<br>", " ")
    alpha = {l["flow"]: float(c.rsplit(",", 1)[1].rstrip(")")) for l, c in zip(chain["links"], sankey.link.color)
             if l["confidence"] == "stated"}
    assert alpha["supplied"] > alpha["tie"] > alpha["offered"] and alpha["offered"] == alpha["ordered"]


def test_chain_figure_cuts_big_chains_and_says_so():
    pkg = inline_package(
        sources=[source("SRC_A")],
        entities=[entity("O_P", "Producer", "government")] + [entity(f"C_{i}", f"Firm {i}", "company") for i in range(30)],
        systems=[{"id": "S", "name": "Sys", "class": "MRBM", "propellant": "solid", "producer": "O_P",
                  "producer_confidence": "stated", "producer_basis": "a cable", "sources": ("SRC_A",)}],
        goods=[{"id": f"G{i}", "item": f"item {i}", "category": "materials", "supplier": f"C_{i}", "recipient": "O_P",
                "status": "supplied", "evidence": "e", "source": "SRC_A", "date": "2008", "confidence": "stated"} for i in range(30)],
    )
    g = G.build_graph(pkg)
    chain = G.chain_for_system(g, "S")
    assert len(chain["nodes"]) == 2 + 30 + 30
    fig = chain_fig.chain_figure(chain, "S", max_nodes=20)
    assert len(fig.data[0].node.label) == 20
    assert "Showing 20 of 62 chain elements" in fig.layout.annotations[0].text
    assert all(s < 20 and t < 20 for s, t in zip(fig.data[0].link.source, fig.data[0].link.target))


@pytest.mark.parametrize("system", ["SHAHAB3", "SHAHAB3_IMP", "GHADR1", "SEJJIL"])
def test_node_labels_wrap_short_of_the_next_column(real, system):
    """Labels sit right of their nodes, in the gap before the next column."""
    _, g, _ = real
    chain = G.chain_for_system(g, system)
    labels = dict(zip((n["id"] for n in chain["nodes"]), chain_fig.chain_figure(chain, system).data[0].node.label))
    assert [n for n in chain["nodes"] if n["layer"] == "producer"]
    for node in chain["nodes"]:
        lines = labels[node["id"]].split("<br>")
        assert all(len(line) <= chain_fig.LABEL_WRAP_CHARS for line in lines), lines
    if system == "SHAHAB3":
        assert labels["O_SHIG"] == "SHAHID HEMMAT<br>INDUSTRIAL GROUP<br>(inferred)"


def test_map_arcs_share_the_flow_style(package):
    """Map arcs (views.mapview.supply_arcs): only a firm delivery is opaque; the tooltip says how far goods moved."""
    from dashboard.views.mapview import supply_arcs

    arcs = supply_arcs(package)
    assert arcs
    opaque = round(style.flow_style(package.vocab, "supplied").alpha * 255)
    for arc in arcs:
        flow_line = arc["tooltip"].split("\n")[2]
        assert flow_line in ("Delivered", "No goods named, not a delivery") or flow_line.endswith("not delivered")
        conf = arc["tooltip"].rsplit("Confidence: ", 1)[1]
        firm = not style.confidence_style(package.vocab, conf).weak
        assert (arc["color"][3] == opaque) == (flow_line == "Delivered" and firm)
        assert (arc["color"][:3] == style.rgba(style.WEAK_COLOUR)[:3]) == (not firm)  # weak: grey, as in chain and network
    assert any(a["color"][3] < opaque for a in arcs)


def test_link_style_is_derived_from_the_schema_vocabularies():
    vocab = {"confidence": ("sure", "told", "guessed"), "weak_confidence": ("guessed",),
             "goods_status": ("shipped", "quoted"), "delivered_status": ("shipped",),
             "relationship_status": (["sent", "shipped"], ["quoted_to", "quoted"])}
    conf = style.confidence_styles(vocab)
    assert list(conf) == ["sure", "told", "guessed"]  # the schema's order
    assert conf["sure"].colour != conf["told"].colour and conf["sure"].dash == conf["told"].dash == "solid"
    assert conf["guessed"].weak and conf["guessed"].dash == "dash" and conf["guessed"].colour == style.WEAK_COLOUR
    flows = style.flow_styles(vocab)
    assert list(flows) == ["shipped", "quoted", style.TIE]
    assert [f for f, s in flows.items() if s.delivered] == ["shipped"]  # the only solid flow
    assert flows["quoted"].dash == "dot" and flows["quoted"].alpha < flows[style.TIE].alpha < flows["shipped"].alpha
    assert style.flow_of(vocab, "sent") == "shipped" and style.flow_of(vocab, "quoted_to") == "quoted"
    assert style.flow_of(vocab, "manages") == style.TIE and style.flow_of(vocab, "sent", "quoted") == "quoted"
    assert style.flow_word(vocab, "shipped") == "delivered" and style.flow_word(vocab, "quoted") == "quoted - not delivered"
    # A weak label is never opaque, even for a delivery.
    assert style.link_alpha(vocab, "guessed", "shipped") == style.WEAK_ALPHA_CAP < style.link_alpha(vocab, "sure", "shipped")


def test_map_arcs_offers_and_weak_links_are_pale(data_copy):
    """With STBPI and Hong Kong 4 Star placed in their cities, their offers and the unverified
    offer are drawn pale, the delivery opaque, and the tooltips say which is which."""
    from dashboard.data.load import load_package
    from dashboard.views.mapview import supply_arcs
    from tests.datafix import set_cell

    set_cell(data_copy, "entities.csv", "C_STBPI", "city", "Shanghai")
    set_cell(data_copy, "entities.csv", "C_STBPI", "lat", "31.22")
    set_cell(data_copy, "entities.csv", "C_STBPI", "lon", "121.46")
    set_cell(data_copy, "entities.csv", "C_HK4STAR", "city", "Hong Kong")
    set_cell(data_copy, "entities.csv", "C_HK4STAR", "lat", "22.28")
    set_cell(data_copy, "entities.csv", "C_HK4STAR", "lon", "114.16")
    pkg = load_package(data_copy)
    by_what = {a["tooltip"].split("\n")[1]: a for a in supply_arcs(pkg)}
    delivered = by_what["U.S.-origin integrated circuits (supplied)"]
    offered = by_what["LF6 aluminium bars (23 t) (offered)"]
    unverified = by_what["Russian-produced gyroscopes (offered)"]
    assert delivered["color"][3] == 217 and delivered["tooltip"].split("\n")[2] == "Delivered"
    assert offered["color"][3] < 100 and offered["tooltip"].split("\n")[2] == "offered - not delivered".capitalize()
    assert offered["color"][:3] == delivered["color"][:3]  # same network hue, paler: not delivered
    assert unverified["color"][:3] == style.rgba(style.WEAK_COLOUR)[:3] and unverified["color"][3] < 100


def test_the_network_legend_lists_only_link_styles_it_draws(real):
    """A figure without links has no link legend; one with only ties lists no goods flow."""
    _, g, _ = real
    lonely = g.subgraph(list(g.nodes)[:3]).copy()
    lonely.remove_edges_from(list(lonely.edges))
    legend = [t.legendgroup for t in net_fig.network_figure(lonely, G.layout(lonely)).data if t.showlegend is not False]
    assert "confidence" not in legend and "flow" not in legend
    ties = g.edge_subgraph([(u, v, k) for u, v, k, f in g.edges(keys=True, data="flow") if f == "tie"][:5]).copy()
    fig = net_fig.network_figure(ties, G.layout(ties))
    flows = [t.name for t in fig.data if t.showlegend is not False and t.legendgroup == "flow"]
    assert flows == [style.flow_style(g.graph["vocab"], "tie").legend]
    assert [t for t in fig.data if t.legendgroup == "confidence" and t.legendgrouptitle.text]  # titled once
