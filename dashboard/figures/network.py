"""A node-link picture of (part of) the supply-chain graph, as a plotly figure.

* Nodes coloured by kind with the Okabe-Ito palette and a distinct marker symbol per
  kind, so the kinds stay apart for colour-blind readers and in greyscale.
* Links in the one link style of :mod:`dashboard.figures.style` (as the chain and the
  map arcs): colour and dash by confidence (stated, secondhand, seed-only in distinct
  hues, solid; inferred and unverified grey and dashed), weight and opacity by flow (a
  delivery is the only heavy, opaque goods flow; offered, ordered and sought goods are
  thin, pale and dotted). One line trace per (confidence, flow) pair, legend entries
  per confidence label and per flow, and an arrowhead at the recipient end of each
  goods flow so the direction reads supplier -> goods -> recipient.
* Hover: name, kind, country (nodes); "A kind B", confidence, evidence, source ids
  (links, at their midpoints).
* Positions come from :func:`dashboard.network.layout` (deterministic).

Built for selections of a few hundred nodes (``dashboard.network.neighbourhood`` caps
them); coordinates are rounded and hover text shortened to keep the JSON small.
All data text goes through :func:`dashboard.figures.text.plain_text`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable

import networkx as nx
import plotly.graph_objects as go

from dashboard.figures.style import (
    FLOW_DIRECTION, FONT, KIND_STYLES, TIE, confidence_style, confidence_styles, flow_style, flow_styles, flow_word,
    link_rgba,
)
from dashboard.figures.network_labels import for_screen, label_priority
from dashboard.figures.text import cut, plain_text
from dashboard.network import weak_labels

__all__ = ["KIND_STYLES", "edge_trace_name", "network_figure"]

OTHER_STYLE = ("#999999", "circle-open", 9)
LABEL_LIMIT = 45     # label every node when there are at most this many
LABEL_CHARS = 28
ALWAYS_LABELLED = ("system", "network")  # labelled even in large pictures
HUB_DEGREE = 6  # ... and so is any node with at least this many links
EVIDENCE_CHARS = 160
MAX_ARROWS = 200


def _wrap(text: str, width: int = 70) -> str:
    return "<br>".join(plain_text(line) for line in textwrap.wrap(" ".join(str(text).split()), width) or [""])


def _r(value: float) -> float:
    return round(float(value), 4)


def edge_trace_name(confidence: str, flow: str) -> str:
    """Name of the line trace that draws the links of one (confidence, flow) pair."""
    return plain_text(f"links: {confidence or 'not stated'} / {flow}")


def network_figure(g_sub: nx.MultiDiGraph, positions: dict, highlight: Iterable[str] | None = None,
                   width_px: int | None = None) -> go.Figure:
    """Nodes of ``g_sub`` at ``positions`` ({node: (x, y)}); ``highlight`` nodes outlined and
    labelled. With ``width_px`` (a page's content width) the labels are placed for the
    screen so that none covers another (:func:`dashboard.figures.network_labels.for_screen`:
    the highlighted entity first, then systems and hubs); without, every label sits above
    its node (the report places them for print)."""
    highlight = {n for n in (highlight or ()) if n in g_sub}
    weak_set = set(weak_labels(g_sub))
    nodes = [n for n in sorted(g_sub.nodes) if n in positions]
    placed = set(nodes)
    traces: list[go.Scatter] = []

    # Links: one trace per (confidence, flow) style, plus one invisible marker trace for link hover.
    vocab = g_sub.graph.get("vocab") or {"weak_confidence": tuple(weak_set)}
    lines: dict[tuple[str, str], tuple[list, list]] = {}
    drawn: set = set()
    mid_x, mid_y, mid_text, arrows = [], [], [], []
    for u, v, data in sorted(g_sub.edges(data=True), key=lambda e: (e[0], e[1], e[2].get("kind", ""))):
        if u not in placed or v not in placed:
            continue
        conf, flow = data.get("confidence", ""), data.get("flow", TIE)
        (x0, y0), (x1, y1) = positions[u], positions[v]
        pair = (min(u, v), max(u, v), conf, flow)
        if pair not in drawn:
            drawn.add(pair)
            xs, ys = lines.setdefault((conf, flow), ([], []))
            xs.extend((_r(x0), _r(x1), None))
            ys.extend((_r(y0), _r(y1), None))
        if flow != TIE and len(arrows) < MAX_ARROWS:  # goods flows get an arrowhead toward the recipient
            arrows.append(dict(x=_r(x0 + 0.8 * (x1 - x0)), y=_r(y0 + 0.8 * (y1 - y0)), ax=_r(x0 + 0.7 * (x1 - x0)),
                               ay=_r(y0 + 0.7 * (y1 - y0)), xref="x", yref="y", axref="x", ayref="y", text="",
                               showarrow=True, arrowhead=2, arrowsize=1.2, arrowwidth=1.2,
                               arrowcolor=link_rgba(vocab, conf, flow)))
        mid_x.append(_r((x0 + x1) / 2))
        mid_y.append(_r((y0 + y1) / 2))
        label_u, label_v = g_sub.nodes[u].get("label", u), g_sub.nodes[v].get("label", v)
        word = flow_word(vocab, flow)
        mid_text.append("<br>".join([
            _wrap(f"{cut(label_u, 60)} {data.get('kind', '')} {cut(label_v, 60)}"),
            plain_text(f"goods: {word}" if word else "tie: no goods move on this link"),
            plain_text(f"confidence: {data.get('confidence') or 'n/a'}" + (f" - date: {data['date']}" if data.get("date") else "")),
            _wrap(cut(data.get("evidence", ""), EVIDENCE_CHARS)),
            plain_text("sources: " + ", ".join(data.get("sources", ()))),
        ]))
    for (conf, flow), (xs, ys) in sorted(lines.items()):
        cstyle, fstyle = confidence_style(vocab, conf), flow_style(vocab, flow)
        traces.append(go.Scatter(
            x=xs, y=ys, mode="lines", name=edge_trace_name(conf, flow), hoverinfo="skip", showlegend=False,
            line=dict(color=link_rgba(vocab, conf, flow), width=fstyle.width, dash=fstyle.dash or cstyle.dash),
            legendgroup="links",
        ))
    # Legend: one entry per confidence style and per flow drawn, from the shared style
    # (a figure with no links shows no link legend).
    drawn_conf = {confidence_style(vocab, conf) for conf, _ in lines}
    drawn_flow = {flow_style(vocab, flow) for _, flow in lines}
    shown = [c for c in confidence_styles(vocab).values() if c in drawn_conf]
    for i, cstyle in enumerate(shown):
        traces.append(go.Scatter(x=[None], y=[None], mode="lines", name=plain_text(cstyle.legend), hoverinfo="skip",
                                 line=dict(color=cstyle.colour, width=3, dash=cstyle.dash), legendgroup="confidence",
                                 legendgrouptitle=dict(text="Link confidence") if i == 0 else None))
    for i, fstyle in enumerate(f for f in flow_styles(vocab).values() if f in drawn_flow):
        traces.append(go.Scatter(x=[None], y=[None], mode="lines", name=plain_text(fstyle.legend), hoverinfo="skip",
                                 line=dict(color=f"rgba(60,60,60,{max(fstyle.alpha, 0.45):g})", width=fstyle.width,
                                           dash=fstyle.dash or "solid"), legendgroup="flow",
                                 legendgrouptitle=dict(text=plain_text(FLOW_DIRECTION)) if i == 0 else None))
    if mid_x:
        traces.append(go.Scatter(
            x=mid_x, y=mid_y, mode="markers", marker=dict(size=6, color="rgba(0,0,0,0)"), showlegend=False,
            hovertext=mid_text, hoverinfo="text", name="links",
        ))

    # Nodes: one trace per kind, so the legend lists the kinds.
    show_labels = len(nodes) <= LABEL_LIMIT
    by_kind: dict[str, list[str]] = {}
    for n in nodes:
        by_kind.setdefault(g_sub.nodes[n].get("kind", ""), []).append(n)
    order = list(KIND_STYLES) + sorted(k for k in by_kind if k not in KIND_STYLES)
    for kind in order:
        members = by_kind.get(kind)
        if not members:
            continue
        colour, symbol, size = KIND_STYLES.get(kind, OTHER_STYLE)
        hover, labels = [], []
        for n in members:
            d = g_sub.nodes[n]
            parts = [_wrap(d.get("label", n)), plain_text(f"kind: {kind}")]
            if d.get("country"):
                parts.append(plain_text(f"country: {d['country']}"))
            if d.get("confidence"):
                parts.append(plain_text(f"confidence: {d['confidence']}"))
            hover.append("<br>".join(parts))
            labelled = show_labels or n in highlight or kind in ALWAYS_LABELLED or g_sub.degree(n) >= HUB_DEGREE
            labels.append(plain_text(cut(d.get("label", n), LABEL_CHARS)) if labelled else "")
        traces.append(go.Scatter(
            x=[_r(positions[n][0]) for n in members], y=[_r(positions[n][1]) for n in members],
            mode="markers+text" if any(labels) else "markers", name=plain_text(kind),
            marker=dict(color=colour, symbol=symbol, size=size, line=dict(color="#222222", width=0.6)),
            text=labels if any(labels) else None, textposition="top center", textfont=dict(size=9, color="#222222"),
            hovertext=hover, hoverinfo="text", customdata=[plain_text(n) for n in members],
        ))
    if highlight:
        chosen = sorted(highlight & placed)
        traces.append(go.Scatter(
            x=[_r(positions[n][0]) for n in chosen], y=[_r(positions[n][1]) for n in chosen],
            mode="markers", name="selected", hoverinfo="skip",
            marker=dict(symbol="circle-open", size=24, color="#000000", line=dict(width=2.5, color="#000000")),
        ))

    fig = go.Figure(traces)
    notes = []
    if g_sub.graph.get("truncated"):
        notes.append(dict(text=plain_text(f"Showing {len(nodes)} nodes: the selection reaches more (limit reached)."),
                          xref="paper", yref="paper", x=0, y=-0.02, xanchor="left", yanchor="top", showarrow=False,
                          font=dict(size=11, color="#444444")))
    if not nodes:
        notes.append(dict(text="Nothing matches the current filters.", xref="paper", yref="paper", x=0.5, y=0.5,
                          showarrow=False, font=dict(size=13)))
    fig.update_layout(
        font=dict(family=FONT, size=11, color="#222222"), paper_bgcolor="white", plot_bgcolor="white",
        hovermode="closest", height=640, margin=dict(l=10, r=10, t=30, b=30),
        xaxis=dict(visible=False), yaxis=dict(visible=False, scaleanchor="x", scaleratio=1),
        legend=dict(title=dict(text="Kind of node; link style"), itemsizing="constant", groupclick="toggleitem"),
        annotations=notes + arrows,
    )
    if width_px:
        for_screen(fig, width_px, label_priority(g_sub, highlight))
    return fig
