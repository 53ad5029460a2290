"""A node-link picture of (part of) the supply-chain graph, as a plotly figure.

* Nodes coloured by kind with the Okabe-Ito palette and a distinct marker symbol per
  kind, so the kinds stay apart for colour-blind readers and in greyscale.
* Links as two line traces: stated / secondhand / seed-only links solid, inferred or
  unverified links dashed; the legend says "dashed = inferred or unverified".
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

from dashboard.figures.style import FONT, KIND_STYLES
from dashboard.figures.text import plain_text
from dashboard.network import weak_labels

__all__ = ["KIND_STYLES", "DASHED_NAME", "SOLID_NAME", "network_figure"]

OTHER_STYLE = ("#999999", "circle-open", 9)
SOLID_NAME = "solid = stated, secondhand or seed-only"
DASHED_NAME = "dashed = inferred or unverified"
LABEL_LIMIT = 45     # label every node when there are at most this many
LABEL_CHARS = 28
ALWAYS_LABELLED = ("system", "network")  # labelled even in large pictures
HUB_DEGREE = 6  # ... and so is any node with at least this many links
EVIDENCE_CHARS = 160


def _short(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _wrap(text: str, width: int = 70) -> str:
    return "<br>".join(plain_text(line) for line in textwrap.wrap(" ".join(str(text).split()), width) or [""])


def _r(value: float) -> float:
    return round(float(value), 4)


def network_figure(g_sub: nx.MultiDiGraph, positions: dict, highlight: Iterable[str] | None = None) -> go.Figure:
    """Nodes of ``g_sub`` at ``positions`` ({node: (x, y)}); ``highlight`` nodes outlined and labelled."""
    highlight = {n for n in (highlight or ()) if n in g_sub}
    weak_set = set(weak_labels(g_sub))
    nodes = [n for n in sorted(g_sub.nodes) if n in positions]
    placed = set(nodes)
    traces: list[go.Scatter] = []

    # Links: one trace per line style, plus one invisible marker trace for link hover.
    lines = {False: ([], []), True: ([], [])}
    drawn: set = set()
    mid_x, mid_y, mid_text = [], [], []
    for u, v, data in sorted(g_sub.edges(data=True), key=lambda e: (e[0], e[1], e[2].get("kind", ""))):
        if u not in placed or v not in placed:
            continue
        weak = data.get("confidence") in weak_set
        (x0, y0), (x1, y1) = positions[u], positions[v]
        pair = (min(u, v), max(u, v), weak)
        if pair not in drawn:
            drawn.add(pair)
            xs, ys = lines[weak]
            xs.extend((_r(x0), _r(x1), None))
            ys.extend((_r(y0), _r(y1), None))
        mid_x.append(_r((x0 + x1) / 2))
        mid_y.append(_r((y0 + y1) / 2))
        label_u, label_v = g_sub.nodes[u].get("label", u), g_sub.nodes[v].get("label", v)
        mid_text.append("<br>".join([
            _wrap(f"{_short(label_u, 60)} {data.get('kind', '')} {_short(label_v, 60)}"),
            plain_text(f"confidence: {data.get('confidence') or 'n/a'}" + (f" - date: {data['date']}" if data.get("date") else "")),
            _wrap(_short(data.get("evidence", ""), EVIDENCE_CHARS)),
            plain_text("sources: " + ", ".join(data.get("sources", ()))),
        ]))
    for weak, name, dash, colour in ((False, SOLID_NAME, "solid", "#555555"), (True, DASHED_NAME, "dash", "#777777")):
        xs, ys = lines[weak]
        traces.append(go.Scatter(
            x=xs or [None], y=ys or [None], mode="lines", name=name, hoverinfo="skip",
            line=dict(color=colour, width=1.2 if not weak else 1.4, dash=dash), legendgroup="links",
        ))
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
            labels.append(plain_text(_short(d.get("label", n), LABEL_CHARS)) if labelled else "")
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
        legend=dict(title=dict(text="Kind of node; link style"), itemsizing="constant"),
        annotations=notes,
    )
    return fig
