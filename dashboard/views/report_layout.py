"""Print layouts of the report's range chart, supply chain and entity network (24 px text, legends above, caption below).

Each takes the figure its builder made (:mod:`dashboard.figures.ranges_chart`,
:mod:`dashboard.figures.chain`, :mod:`dashboard.figures.network`) and fits it to
``SIZES["report"]`` with the primitives of :mod:`dashboard.views.report_print`; the
network's node labels are placed without collisions (:mod:`dashboard.figures.network_labels`).
"""

from __future__ import annotations

import re

import plotly.graph_objects as go

from dashboard.figures.labels import text_box_px, text_width_px
from dashboard.figures.network_labels import fit_axes, place_labels
from dashboard.figures.text import cut, plain_text
from dashboard.views.report_print import (
    CHAR_EM, FONT_PX, LINE_PX, SIDE_PX, SIZES, caption_blocks, legend_top_px, place_caption, report_fonts,
    row_legends, unescaped,
)

def report_ranges_layout(fig: go.Figure, head: list[str], sources: list[str]) -> go.Figure:
    """The range chart for print: 24 px text, a three-entry legend of marker kinds above the
    plot (systems are named on the y axis), sources in columns under the axis."""
    width, height, _ = SIZES["report"]
    blocks, rows = caption_blocks(head, sources, width)
    caption_px = LINE_PX * (len(blocks[0]) + rows) + 16
    names = [t for t in fig.layout.yaxis.ticktext or ()]
    left = SIDE_PX + CHAR_EM * FONT_PX * max((len(n) for n in names), default=8) + 16
    axis_px = 2 * LINE_PX + 30
    fig.update_traces(showlegend=False)
    for name, marker in (("seed article's figure", {"symbol": "star", "size": 18, "color": "#777777", "line": {"color": "#000", "width": 1}}),
                         ("other maximum-range claims", {"symbol": "circle", "size": 12, "color": "#777777"}),
                         ("not drawn as a ring", {"symbol": "circle-open", "size": 12, "color": "#777777", "line": {"width": 2}})):
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", marker=marker, name=name, hoverinfo="skip"))
    fig.update_layout(
        margin={"l": left, "r": 40, "t": 110, "b": axis_px + caption_px},
        xaxis={"title": {"text": "range, km · shaded bar: band of published maximum ranges", "font": {"size": FONT_PX}},
               "tickfont": {"size": FONT_PX}},
        yaxis={"tickfont": {"size": FONT_PX}},
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 1.02, "yanchor": "bottom", "font": {"size": FONT_PX}, "traceorder": "normal",
                "itemsizing": "constant"},
    )
    report_fonts(fig)
    place_caption(fig, head, sources, width=width, height=height)
    return fig


GAP_LINES = 6  # lines of the chain's "what the sources do not support" text a report keeps

NODE_LINE_PX = 29.6  # a line of a Sankey node label at 24 px (measured)


def _wrap_px(text: str, budget_px: float, max_lines: int) -> list[str]:
    """``text`` in lines at most ``budget_px`` wide (DejaVu Sans, FONT_PX), at most
    ``max_lines`` of them; a status in brackets at its end ("(offered)", "(inferred)") is
    kept whole, the name before it cut with "…" where it does not fit."""

    def fits(line: str) -> bool:
        return text_width_px(line, FONT_PX) <= budget_px

    def wrap(words: list[str]) -> list[str]:
        lines: list[str] = []
        for word in words:
            if lines and fits(f"{lines[-1]} {word}"):
                lines[-1] += f" {word}"
            else:
                while not fits(word) and len(word) > 2:  # a word wider than a line: cut it
                    word = word[:-2] + "\u2026"
                lines.append(word)
        return lines

    lines = wrap(text.split())
    if len(lines) <= max_lines:
        return lines
    status = re.search(r"\s*(\([^()]*\))$", text)
    name, suffix = (text[: status.start()], status.group(1)) if status else (text, "")
    for keep in range(max_lines, 0, -1):
        head = wrap(name.split())
        body = head[:keep]
        if len(head) > keep:
            last = body[-1]
            while last and not fits(last + "\u2026"):
                last = last[:-1].rstrip()
            body[-1] = (last + "\u2026") if last else "\u2026"
        if not suffix:
            return body
        if fits(f"{body[-1]} {suffix}"):
            return body[:-1] + [f"{body[-1]} {suffix}"]
        if keep + 1 <= max_lines:
            return body + wrap(suffix.split())[:1]
    return wrap(suffix.split())[:1] or [""]


def _short_node_labels(fig: go.Figure, budget_px: float, plot_h: float) -> None:
    """Sankey node labels at print size: wrapped to ``budget_px`` (the gap to the next
    column), in as many lines as the node's share of its column's height allows (so the
    labels of a crowded column do not run into each other); " - not delivered" is dropped
    from "(offered - not delivered)": the pale, dotted link and the legend say it."""
    for trace in fig.data:
        if trace.type != "sankey" or trace.node.label is None:
            continue
        xs = list(trace.node.x or [])
        per_column: dict = {}
        for x in xs:
            per_column[round(x, 3)] = per_column.get(round(x, 3), 0) + 1
        labels = []
        for i, label in enumerate(trace.node.label):
            joined = re.sub(r"(?<=\w)-<br>", "-", str(label)).replace("<br>", " ")  # "By-<br>Products": one word
            text = " ".join(unescaped(joined).replace(" - not delivered", "").split())
            crowd = per_column.get(round(xs[i], 3), 1) if i < len(xs) else 1
            max_lines = max(1, min(3, int((plot_h / crowd - 8) // NODE_LINE_PX)))
            labels.append("<br>".join(plain_text(line) for line in _wrap_px(text, budget_px, max_lines)) if text else "")
        trace.node.label = labels


def report_chain_layout(fig: go.Figure, head: list[str], sources: list[str]) -> go.Figure:
    """The chain for print (the figure itself is built by dashboard.figures.chain): 24 px
    text, the legend above the plot, the gaps text under it cut to GAP_LINES lines (each
    point by its first line; a last line says how many more the Supply chain page lists), the
    caption with the sources in columns at the bottom."""
    width, height, _ = SIZES["report"]
    blocks, rows = caption_blocks(head, sources, width)
    caption_px = LINE_PX * (len(blocks[0]) + rows) + 16

    fig.update_traces(textfont={"size": FONT_PX}, selector={"type": "sankey"})
    notes = list(fig.layout.annotations)
    # the systems' names right of the last column (the chain's other annotations) get the
    # room right of the Sankey's domain, inside the plot (whose width is the legend's row width)
    full_w = width - 2 * SIDE_PX
    right = max((text_box_px(note.text, FONT_PX)[0] for note in notes[1:]), default=0) + 4 + 6
    domain_x = (full_w - right) / full_w
    fig.update_traces(domain={"x": [0, domain_x]}, selector={"type": "sankey"})
    top = row_legends(fig, width, height, legend_top_px(fig, height), full_w) + 12
    gaps_px = 0.0
    if notes:  # the chain's own first annotation: its gaps text under the plot
        gap_lines = notes[0].text.split("<br>")
        # the chain's own "… and N more, listed on the Supply chain page" line is kept as it is
        trailer = [line for line in gap_lines if line.startswith("\u2026 and ")]
        points = []  # whole points: a bullet line and its continuation lines
        for line in (line for line in gap_lines if line not in trailer):
            if points and not line.startswith("\u2022"):
                points[-1].append(line)
            else:
                points.append([line])
        header = [points.pop(0)[0]] if points and not points[0][0].startswith("\u2022") else []
        room = GAP_LINES - len(header) - 1
        shown = points if len(points) <= room + 1 - len(trailer) else points[:room]
        # each point by its first line (the rest on the Supply chain page), "…" where cut
        lines = header + [p[0].rstrip() + (" \u2026" if len(p) > 1 and not p[0].rstrip().endswith("\u2026") else "")
                          for p in shown]
        left_out = len(points) - len(shown)
        if trailer and not left_out:
            lines += trailer[:1]
        elif left_out or trailer or any(len(p) > 1 for p in shown):
            counted = re.search(r"and (\d+) more", trailer[0]) if trailer else None
            left_out += int(counted.group(1)) if counted else 0
            more = f"{left_out} more point{'s' if left_out > 1 else ''} and " if left_out else ""
            lines.append(plain_text(f"({more}the full text: see the Supply chain page.)"))
        gaps_px = LINE_PX * len(lines) + 12
        notes[0].update(text="<br>".join(lines), font={"size": FONT_PX}, yshift=-10)
    for note in notes[1:]:
        note.update(font={"size": FONT_PX}, x=domain_x)
    fig.update_layout(annotations=notes, margin={"l": SIDE_PX, "t": top, "b": caption_px + gaps_px, "r": SIDE_PX})
    # node labels: within the gap to the next column (a label starts ~10 px right of its
    # column, the next column's bar ~7 px left of it) and their share of the column's height
    plot_w, plot_h = full_w - right, height - top - caption_px - gaps_px
    columns = {round(x, 3) for t in fig.data if t.type == "sankey" for x in (t.node.x or ())}
    gap = plot_w * 0.998 / max(len(columns) - 1, 1)
    _short_node_labels(fig, gap - 32, plot_h)
    report_fonts(fig)
    place_caption(fig, head, sources, width=width, height=height)
    return fig


def report_network_layout(fig: go.Figure, head: list[str], sources: list[str], priority: dict | None = None) -> go.Figure:
    """The network for print (the figure itself is built by dashboard.figures.network): 24 px
    text, the legend in rows above the plot (:func:`row_legends`), axis ranges fixed (x and y scaled apart to fill the plot) so
    that data and pixels map one to one,
    and node labels placed so that none covers another
    (:func:`dashboard.figures.network_labels.place_labels`, in the order of ``priority``);
    the caption at the bottom."""

    width, height, _ = SIZES["report"]
    blocks, rows = caption_blocks(head, sources, width)
    caption_px = LINE_PX * (len(blocks[0]) + rows) + 16
    fig.update_layout(title_text="Entity network")  # (its final font and place: report_fonts, below)
    top = row_legends(fig, width, height, legend_top_px(fig, height), width - 2 * SIDE_PX) + 12
    margin = {"l": SIDE_PX, "r": SIDE_PX, "t": top, "b": caption_px + 10}
    plot_w, plot_h = width - margin["l"] - margin["r"], height - margin["t"] - margin["b"]
    px = fit_axes(fig, plot_w, plot_h, FONT_PX)
    if px is not None:
        place_labels(fig, px, plot_w, plot_h, FONT_PX, priority)
    fig.update_layout(margin=margin)
    notes = list(fig.layout.annotations)
    for note in notes:
        note.update(font={"size": FONT_PX})
    fig.update_layout(annotations=notes)
    report_fonts(fig, title="Entity network")
    place_caption(fig, head, sources, width=width, height=height)
    return fig
