"""The supply chain of one system as a plotly Sankey diagram, gaps written underneath.

Flow runs left to right: people/networks -> supplier -> goods -> intermediary ->
producer -> system (the layers of :func:`dashboard.network.chain_for_system`). Every link
keeps its confidence: stated / secondhand / seed-only links are drawn in strong
Okabe-Ito colours (alpha 0.7); inferred or unverified links are pale grey (alpha 0.25)
and their labels end in "(inferred)" / "(unverified)". A legend (empty line traces)
names the colours, and the chain's ``gaps`` are written under the figure as sentences,
so what the sources do not support is said, not drawn.

All data text goes through :func:`dashboard.figures.text.plain_text`.
"""

from __future__ import annotations

import textwrap

import plotly.graph_objects as go

from dashboard.figures.style import FONT, KIND_STYLES
from dashboard.figures.text import plain_text

__all__ = ["LINK_COLOURS", "WEAK_LINK_COLOUR", "chain_figure"]

LAYERS = ("people/networks", "supplier", "goods", "intermediary", "producer", "system")
STRONG_ALPHA = 0.7
WEAK_ALPHA = 0.25
LINK_COLOURS = {  # Okabe-Ito
    "stated": (0, 114, 178),        # blue
    "secondhand": (86, 180, 233),   # sky blue
    "seed-only": (230, 159, 0),     # orange
}
WEAK_RGB = (120, 120, 120)
WEAK_LINK_COLOUR = "rgba({},{},{},{})".format(*WEAK_RGB, WEAK_ALPHA)
NODE_COLOURS = {kind: colour for kind, (colour, _, _) in KIND_STYLES.items()}
LABEL_CHARS = 42
LABEL_WRAP_CHARS = 22  # node labels wrap: the gap to the next column is a quarter of the width or less
MAX_NODES = 120  # a chain larger than this is cut (synthetic data); the tables list everything
HOVER_CHARS = 300
WRAP = 110  # characters per line of the gaps text: fits an 820 px Streamlit column at 11 px
GAP_LINE_PX = 15


def _rgba(rgb: tuple[int, int, int], alpha: float) -> str:
    return f"rgba({rgb[0]},{rgb[1]},{rgb[2]},{alpha})"


def link_colour(confidence: str, weak: tuple[str, ...]) -> str:
    if confidence in weak or confidence not in LINK_COLOURS:
        return _rgba(WEAK_RGB, WEAK_ALPHA)
    return _rgba(LINK_COLOURS[confidence], STRONG_ALPHA)


def _short(text: str, limit: int = LABEL_CHARS) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _wrap(text: str, width: int = 90) -> str:
    return "<br>".join(plain_text(line) for line in textwrap.wrap(" ".join(str(text).split()), width) or [""])


def _node_label(node: dict, weak_out: bool) -> str:
    label = _short(node["label"])
    extra = []
    if node["confidence"] not in ("", "stated", "secondhand"):
        extra.append(node["confidence"])
    if weak_out:
        extra.append("inferred" if node["layer"] == "producer" else "link weak")
    label += f" ({', '.join(extra)})" if extra else ""
    # Labels sit right of their node, in the gap before the next column (a quarter of the
    # width or less): wrapped, they end before the next column's nodes and labels.
    return "<br>".join(plain_text(line) for line in textwrap.wrap(label, LABEL_WRAP_CHARS))


def chain_figure(chain: dict, title: str, max_nodes: int = MAX_NODES) -> go.Figure:
    """A Sankey of ``chain`` (from :func:`dashboard.network.chain_for_system`).

    At most ``max_nodes`` chain elements are drawn (in the chain's order: system,
    producer, then recipients with their goods and suppliers); a note says how many
    were left out.
    """
    all_nodes = chain.get("nodes", [])
    nodes = all_nodes[:max_nodes]
    kept = {n["id"] for n in nodes}
    links = [l for l in chain.get("links", []) if l["source"] in kept and l["target"] in kept]
    index = {n["id"]: i for i, n in enumerate(nodes)}
    present = [layer for layer in LAYERS if any(n["layer"] == layer for n in nodes)]
    column = {layer: i for i, layer in enumerate(present)}
    per_layer: dict[str, list[dict]] = {layer: [n for n in nodes if n["layer"] == layer] for layer in present}
    xs, ys = [0.0] * len(nodes), [0.0] * len(nodes)
    for layer, members in per_layer.items():
        for j, n in enumerate(members):
            i = index[n["id"]]
            xs[i] = 0.001 + 0.998 * (column[layer] / max(len(present) - 1, 1))
            ys[i] = (j + 0.5) / len(members)
    weak = tuple(chain["weak"])
    weak_out = {l["source"] for l in links if l["confidence"] in weak}
    node_hover = [
        "<br>".join([
            _wrap(n["label"]),
            plain_text(f"{n['kind']} - {n['layer']}" + (f" - {n['country']}" if n.get("country") else "")),
            plain_text(f"confidence: {n['confidence'] or 'n/a'}"),
        ])
        for n in nodes
    ]
    link_labels, link_hover = [], []
    label_of = {n["id"]: n["label"] for n in nodes}
    for l in links:
        suffix = f" ({l['confidence']})" if l["confidence"] else ""
        link_labels.append(plain_text(f"{l['kind']}{suffix}"))
        reads = f"{label_of.get(l['from'], l['from'])} {l['kind']} {label_of.get(l['to'], l['to'])}"
        evidence = _short(l.get("evidence", ""), HOVER_CHARS)
        link_hover.append("<br>".join([
            _wrap(reads), plain_text(f"confidence: {l['confidence'] or 'n/a'}" + (f" - date: {l['date']}" if l.get("date") else "")),
            _wrap(evidence), plain_text("sources: " + ", ".join(l.get("sources", ())) if l.get("sources") else "sources: none"),
        ]))
    sankey = go.Sankey(
        arrangement="fixed",  # our columns and rows; "snap" may push nodes out of the plot
        node=dict(
            # The system (last column) is labelled by an annotation to its right instead:
            # plotly puts last-column labels on the left, over the producer's label.
            label=["" if n["layer"] == "system" else _node_label(n, n["id"] in weak_out) for n in nodes],
            color=[NODE_COLOURS.get(n["kind"], "#999999") for n in nodes],
            x=xs, y=ys, pad=14, thickness=14, line=dict(color="#333333", width=0.5),
            customdata=node_hover, hovertemplate="%{customdata}<extra></extra>",
        ),
        link=dict(
            source=[index[l["source"]] for l in links], target=[index[l["target"]] for l in links],
            value=[1] * len(links), color=[link_colour(l["confidence"], weak) for l in links],
            label=link_labels, customdata=link_hover, hovertemplate="%{customdata}<extra></extra>",
        ),
        textfont=dict(family=FONT, size=11, color="#111111"),
    )
    fig = go.Figure(sankey)
    # Legend: empty line traces, one per link style (a Sankey has no legend of its own).
    for conf, rgb in LINK_COLOURS.items():
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=f"{conf} link",
                                 line=dict(color=_rgba(rgb, STRONG_ALPHA), width=8), hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name="pale grey = inferred or unverified (no source states it)",
                             line=dict(color=_rgba(WEAK_RGB, WEAK_ALPHA), width=8), hoverinfo="skip"))
    gaps = chain.get("gaps", [])
    lines = []
    for gap in gaps:
        wrapped = textwrap.wrap(" ".join(str(gap).split()), WRAP) or [""]
        lines.append("\u2022 " + plain_text(wrapped[0]))
        lines.extend("\u2003" + plain_text(rest) for rest in wrapped[1:])
    if len(all_nodes) > len(nodes):
        lines.insert(0, plain_text(f"Showing {len(nodes)} of {len(all_nodes)} chain elements; the supply table lists them all."))
    header = ["What the sources do not support:"] if lines else []
    body = header + lines if lines else ["No gaps recorded."]
    gap_px = GAP_LINE_PX * len(body) + 20
    system_labels = [len(_short(n["label"])) for n in nodes if n["layer"] == "system"]
    right_px = 14 + 8 * max(system_labels, default=0)
    chart_px = max(380, 34 * max((len(m) for m in per_layer.values()), default=1) + 120)
    fig.update_layout(
        title=dict(text=plain_text(title), x=0.01, xanchor="left", font=dict(family=FONT, size=16)),
        font=dict(family=FONT, size=11, color="#222222"),
        height=chart_px + gap_px, margin=dict(l=10, r=right_px, t=50, b=gap_px + 10),
        paper_bgcolor="white", plot_bgcolor="white",
        xaxis=dict(visible=False), yaxis=dict(visible=False),
        legend=dict(orientation="h", x=0.0, y=1.0, yanchor="bottom", xanchor="left", font=dict(size=11)),
        annotations=[dict(
            text="<br>".join(body), xref="paper", yref="paper", x=0.0, y=0.0, xanchor="left", yanchor="top",
            yshift=-14, align="left", showarrow=False, font=dict(family=FONT, size=11, color="#333333"),
        )],
    )
    for n in nodes:
        if n["layer"] == "system":
            fig.add_annotation(text=_node_label(n, False), xref="paper", yref="paper", x=1.0, y=1 - ys[index[n["id"]]],
                               xanchor="left", yanchor="middle", xshift=4, showarrow=False,
                               font=dict(family=FONT, size=12, color="#111111"))
    if not nodes:
        fig.add_annotation(text="Nothing to draw: no producer or supplier is named in the data.", xref="paper",
                           yref="paper", x=0.5, y=0.5, showarrow=False)
    return fig
