"""The supply chain of one system as a plotly Sankey diagram, gaps written underneath.

Flow runs left to right: people/networks -> supplier -> goods -> intermediary ->
producer -> system (the layers of :func:`dashboard.network.chain_for_system`); the legend
title says so. Every link is drawn in the one link style of
:mod:`dashboard.figures.style`, derived from schema.toml: its colour says its confidence
(stated, secondhand and seed-only in distinct hues; inferred and unverified grey and
pale), its opacity how far goods moved (a delivery is the only opaque flow; offered,
ordered and sought goods are pale and their node and link labels say "not delivered"; a
tie between organisations is in between). The legend (empty line traces) names every
style. At most three lines of gaps are written under the figure; the page lists them all.

All data text goes through :func:`dashboard.figures.text.plain_text`.
"""

from __future__ import annotations

import textwrap

import plotly.graph_objects as go

from dashboard.figures.style import (
    FLOW_DIRECTION, FONT, KIND_STYLES, TIE, confidence_styles, flow_style, flow_styles, flow_word, link_rgba,
)
from dashboard.figures.text import cut, plain_text

__all__ = ["GAP_LINES", "chain_figure", "link_colour"]

LAYERS = ("people/networks", "supplier", "goods", "intermediary", "producer", "system")
NODE_COLOURS = {kind: colour for kind, (colour, _, _) in KIND_STYLES.items()}
LABEL_CHARS = 42
LABEL_WRAP_CHARS = 22  # node labels wrap: the gap to the next column is a quarter of the width or less
MAX_NODES = 120  # a chain larger than this is cut (synthetic data); the tables list everything
HOVER_CHARS = 300
WRAP = 110  # characters per line of the gaps text: fits an 820 px Streamlit column at 11 px
GAP_LINE_PX = 15
LEGEND_ROW_PX = 19
GAP_LINES = 3  # lines of gaps under the figure (header, first gap, "and N more"); None = all


def link_colour(vocab, confidence: str, flow: str = TIE) -> str:
    """The link's colour (confidence) and opacity (flow), from the shared link style."""
    return link_rgba(vocab, confidence, flow)


def _wrap(text: str, width: int = 90) -> str:
    return "<br>".join(plain_text(line) for line in textwrap.wrap(" ".join(str(text).split()), width) or [""])


def _node_label(node: dict, weak_out: bool, vocab=None) -> str:
    label = cut(node["label"], LABEL_CHARS)
    extra = []
    if node["confidence"] not in ("", "stated", "secondhand"):
        extra.append(node["confidence"])
    if node.get("status") and vocab is not None and not flow_style(vocab, node["status"]).delivered:
        extra.append(flow_word(vocab, node["status"]))
    if weak_out:
        extra.append("inferred" if node["layer"] == "producer" else "link weak")
    label += f" ({', '.join(extra)})" if extra else ""
    # Labels sit right of their node, in the gap before the next column (a quarter of the
    # width or less): wrapped, they end before the next column's nodes and labels.
    return "<br>".join(plain_text(line) for line in textwrap.wrap(label, LABEL_WRAP_CHARS))


def _gap_lines(gaps: list[str], limit: int | None) -> list[str]:
    """Every gap as bullet lines, or at most ``limit`` lines: the first gap cut to one line
    and how many more the page lists."""
    if limit is None:
        lines = []
        for gap in gaps:
            wrapped = textwrap.wrap(" ".join(str(gap).split()), WRAP) or [""]
            lines.append("\u2022 " + plain_text(wrapped[0]))
            lines.extend("\u2003" + plain_text(rest) for rest in wrapped[1:])
        return lines
    if not gaps:
        return []
    lines = ["\u2022 " + plain_text(cut(gaps[0], WRAP))]
    if len(gaps) > 1:
        lines.append(plain_text(f"\u2026 and {len(gaps) - 1} more, listed on the Supply chain page under the chart."))
    return lines[: max(limit - 1, 1)]


def chain_figure(chain: dict, title: str, max_nodes: int = MAX_NODES, gap_lines: int | None = GAP_LINES) -> go.Figure:
    """A Sankey of ``chain`` (from :func:`dashboard.network.chain_for_system`).

    At most ``max_nodes`` chain elements are drawn (in the chain's order: system,
    producer, then recipients with their goods and suppliers); a note says how many
    were left out. ``gap_lines`` caps the gaps text under the figure (header included;
    None writes every gap).
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
    vocab = chain.get("vocab") or {"confidence": (), "weak_confidence": weak}
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
        word = flow_word(vocab, l.get("flow", TIE))
        link_labels.append(plain_text(f"{l['kind']}{' - ' + word if word else ''}{suffix}"))
        reads = f"{label_of.get(l['from'], l['from'])} {l['kind']} {label_of.get(l['to'], l['to'])}"
        evidence = cut(l.get("evidence", ""), HOVER_CHARS)
        link_hover.append("<br>".join([
            _wrap(reads), plain_text(f"goods: {word}") if word else plain_text("tie: no goods move on this link"),
            plain_text(f"confidence: {l['confidence'] or 'n/a'}" + (f" - date: {l['date']}" if l.get("date") else "")),
            _wrap(evidence), plain_text("sources: " + ", ".join(l.get("sources", ())) if l.get("sources") else "sources: none"),
        ]))
    sankey = go.Sankey(
        arrangement="fixed",  # our columns and rows; "snap" may push nodes out of the plot
        node=dict(
            # The system (last column) is labelled by an annotation to its right instead:
            # plotly puts last-column labels on the left, over the producer's label.
            label=["" if n["layer"] == "system" else _node_label(n, n["id"] in weak_out, vocab) for n in nodes],
            color=[NODE_COLOURS.get(n["kind"], "#999999") for n in nodes],
            x=xs, y=ys, pad=14, thickness=14, line=dict(color="#333333", width=0.5),
            customdata=node_hover, hovertemplate="%{customdata}<extra></extra>",
        ),
        link=dict(
            source=[index[l["source"]] for l in links], target=[index[l["target"]] for l in links],
            value=[1] * len(links), color=[link_colour(vocab, l["confidence"], l.get("flow", TIE)) for l in links],
            label=link_labels, customdata=link_hover, hovertemplate="%{customdata}<extra></extra>",
        ),
        textfont=dict(family=FONT, size=11, color="#111111"),
    )
    fig = go.Figure(sankey)
    # Legend: empty line traces (a Sankey has no legend of its own): one per confidence
    # label (colour, dash), then one per flow (opacity, weight), from the shared style.
    for style in confidence_styles(vocab).values():
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=plain_text(style.legend), legendgroup="confidence",
                                 line=dict(color=style.colour, width=6, dash=style.dash), hoverinfo="skip"))
    for flow in flow_styles(vocab).values():
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=plain_text(flow.legend), legendgroup="flow",
                                 line=dict(color=f"rgba(60,60,60,{max(flow.alpha, 0.45):g})", width=2 + 3 * flow.alpha,
                                           dash="solid" if flow.delivered or flow.flow == TIE else "dot"),
                                 hoverinfo="skip"))
    gaps = chain.get("gaps", [])
    lines = _gap_lines(gaps, gap_lines)
    if len(all_nodes) > len(nodes):
        lines.insert(0, plain_text(f"Showing {len(nodes)} of {len(all_nodes)} chain elements; the supply table lists them all."))
        if gap_lines is not None:
            lines = lines[: max(gap_lines - 1, 1)]
    header = [f"What the sources do not support ({len(gaps)}):"] if lines else []
    body = header + lines if lines else ["No gaps recorded."]
    gap_px = GAP_LINE_PX * len(body) + 20
    system_labels = [len(cut(n["label"], LABEL_CHARS)) for n in nodes if n["layer"] == "system"]
    right_px = 14 + 8 * max(system_labels, default=0)
    legend_rows = max(len(confidence_styles(vocab)), len(flow_styles(vocab))) + 1  # + the title line
    legend_px = LEGEND_ROW_PX * legend_rows + 10
    chart_px = max(380, 34 * max((len(m) for m in per_layer.values()), default=1) + 120)
    fig.update_layout(
        title=dict(text=plain_text(title), x=0.01, xanchor="left", y=1, yref="container", yanchor="top", pad=dict(t=10),
                   font=dict(family=FONT, size=16)),
        font=dict(family=FONT, size=11, color="#222222"),
        height=chart_px + gap_px + legend_px, margin=dict(l=10, r=right_px, t=50 + legend_px, b=gap_px + 10),
        paper_bgcolor="white", plot_bgcolor="white",
        xaxis=dict(visible=False), yaxis=dict(visible=False),
        legend=dict(orientation="h", x=0.0, y=1.0, yanchor="bottom", xanchor="left", font=dict(size=11),
                    title=dict(text=plain_text(FLOW_DIRECTION + " (left to right). Links:"), side="top")),
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
