"""Supply chain: who built and supplied each system, with the evidence on every link.

The first screen is the chain: one row of controls (systems, name search, entity profile),
the marking line, then the Sankey of each chain; the page's heading comes under the
chains. Briefing (?briefing=1) and embed (?embed=true) show no controls: the marking, the
entity's profile, the chains and the network of the view in the URL (systems, entity,
filters), then the tables.
"""

from dataclasses import replace

import streamlit as st

from dashboard import network as graph
from dashboard.views import tables
from dashboard.figures.chain import chain_figure
from dashboard.figures.network import network_figure
from dashboard.figures.text import markdown_literal
from dashboard.geo.reach import csv_safe
from dashboard.ui import state
from dashboard.views.view import filter_choices, with_filters

pkg, g = state.package(), state.graph()
current = state.view()
names = dict(zip(pkg.systems["id"], pkg.systems["name"]))
entities = dict(zip(pkg.entities["id"], pkg.entities["name"]))
choices = filter_choices(pkg)
state.bind(current, {"sc_systems": list(current.systems), "sc_entity": current.entity or None,
                     "sc_network": list(current.networks), "sc_kind": list(current.kinds),
                     "sc_country": list(current.countries), "sc_confidence": list(current.confidence)})

state.show_notes(current)
presenting = state.presenting()
if presenting:
    systems, entity = list(current.systems), current.entity or None
else:  # one row, labels as placeholders (and as the controls' accessible names)
    c1, c2, c3 = st.columns([5, 3, 4])
    systems = c1.multiselect("Systems", list(names), format_func=names.get, key="sc_systems",
                             placeholder="Choose systems", label_visibility="collapsed")
    query = c2.text_input("Search a name or alias", max_chars=100, placeholder="Search a name or alias",
                          label_visibility="collapsed")
    matches = graph.search(g, query)[:50] if query else []
    options = [m for m in matches if m in entities] or list(entities)
    entity = c3.selectbox("Entity profile", options, index=None, format_func=entities.get, key="sc_entity",
                          placeholder="Entity profile: choose one to see its links", label_visibility="collapsed")
    if query and not matches:
        c2.caption("No name or alias matches.")
state.banner()  # in an embed too: the marking sits above what the frame shows first

# The selected entity's profile comes first, before the chains: sanctions, who it is, every link.
if entity:
    profile = graph.profile(g, pkg, entity)
    facts, links, goods = tables.profile_frames(profile)
    st.subheader(f"Profile: {markdown_literal(entities[entity])}")
    with st.container(border=True, key="sanctions_box"):
        st.markdown("**Sanctions and legal actions** (oldest first; each with its own date and source)")
        st.markdown("\n".join(f"- {markdown_literal(line)}" for line in tables.sanctions_lines(profile)))
    st.dataframe(facts, hide_index=True, width="stretch")
    st.caption("Every link, with its evidence, source and confidence (→ from this entity, ← to it).")
    st.dataframe(links, hide_index=True, width="stretch")
    if not goods.empty:
        st.caption("Goods supplied or received, each row as its source states it.")
        st.dataframe(goods, hide_index=True, width="stretch")

if not systems:
    st.info("No system selected: " + ("this link names none." if presenting else "choose at least one above to see its supply chain."))
# Systems that share a producer and its evidence are one chain, headed by all of them.
for chain in graph.chains_for_systems(g, systems):
    st.plotly_chart(chain_figure(chain, title=f"Supply chain: {chain['system_label']}"), width="stretch",
                    alt=f"Supply chain diagram of {chain['system_label']}: suppliers, goods, producers and systems, "
                        "left to right; the supply table below lists every link with its source.")
    with st.expander(f"What the sources do not support ({len(chain['gaps'])}): {markdown_literal(chain['system_label'])}", expanded=False):
        for gap in chain["gaps"]:
            st.text(f"• {gap}")

st.title("Supply chain: the network and the evidence")

st.subheader("Network")
st.caption("Link colour says how firm a link is (stated, secondhand, seed-only; grey dashed = inferred or unverified); "
           "a heavy solid line is a delivery, a pale dotted one goods offered, ordered or sought but not delivered; "
           "arrowheads point from supplier to recipient. "
           "The network shows the selected entity's neighbourhood, else the selected system's, "
           + ("filtered as the link says." if presenting else "filtered below."))
if presenting:
    view = current
else:
    f1, f2, f3, f4 = st.columns(4)
    networks = f1.multiselect("Network", choices["network"], format_func=entities.get, key="sc_network")
    kinds = f2.multiselect("Entity kind", choices["kind"], key="sc_kind")
    countries = f3.multiselect("Country", choices["country"], key="sc_country")
    confidence = f4.multiselect("Confidence", choices["confidence"], key="sc_confidence")
    view = with_filters(replace(current, systems=tuple(systems) or current.systems, entity=entity or "", notes=()), choices,
                        {"network": networks, "kind": kinds, "country": countries, "confidence": confidence})
    state.publish(view)
sub = graph.network_subgraph(g, view)
if sub.number_of_nodes() == 0:
    st.info("No entity matches these filters.")
st.plotly_chart(network_figure(sub, graph.layout(sub), highlight=[entity] if entity else None,
                               width_px=state.content_px(view)), width="stretch",
                alt=f"Network of {sub.number_of_nodes()} entities and {sub.number_of_edges()} links; "
                    "the supply table below lists every link with its source.")
state.share_panel(view, "chain", "network")

st.subheader("Who supplied what to which producer, according to whom")
supply = tables.supply_table(g, pkg)
st.dataframe(supply, hide_index=True, width="stretch")
if not presenting:
    st.download_button("Download (CSV)", csv_safe(supply), "supply-links.csv", "text/csv", on_click="ignore")

st.subheader("Timeline")
st.dataframe(tables.timeline(pkg), hide_index=True, width="stretch")
