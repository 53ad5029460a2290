"""The supply-chain graph: build (the typed, cited graph), chains (system <- producer <- …
<- supplier, with gaps), queries (neighbourhood, filters, search, profile), layout."""

from dashboard.network.build import (CHAIN_LAYERS, NODE_ATTRS, RECIPIENT_KIND, SUPPLY_KINDS, build_graph,
                                     goods_node, system_node, weak_labels)
from dashboard.network.chains import chain_for_system, chains_for_systems
from dashboard.network.positions import layout
from dashboard.network.queries import (filter_graph, neighbourhood, network_subgraph, normalise, producer_reached,
                                       profile, search)

__all__ = [
    "CHAIN_LAYERS", "NODE_ATTRS", "RECIPIENT_KIND", "SUPPLY_KINDS", "build_graph", "chain_for_system",
    "chains_for_systems", "filter_graph", "goods_node", "layout", "neighbourhood", "network_subgraph", "normalise",
    "producer_reached", "profile", "search", "system_node", "weak_labels",
]
