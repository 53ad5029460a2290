"""Print layouts of the report's range chart, supply chain and entity network (24 px text, legends above, caption below).

Each takes the figure its builder made (:mod:`dashboard.figures.ranges_chart`,
:mod:`dashboard.figures.chain`, :mod:`dashboard.figures.network`) and fits it to
``SIZES["report"]`` with the primitives of :mod:`dashboard.views.report_print`; the
network's node labels are placed without collisions (:class:`dashboard.figures.labels.LabelBoxes`).
"""

from __future__ import annotations

import re

import plotly.graph_objects as go

from dashboard.figures.labels import LabelBoxes, covered_px, text_box_px, text_width_px
from dashboard.figures.text import plain_text
from dashboard.views.report_print import (
    CHAR_EM, FONT_PX, LINE_PX, SIDE_PX, SIZES, caption_blocks, cut, legend_top_px, place_caption, report_fonts,
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


def _links_px(fig: go.Figure, px):
    """The figure's link lines (its ``lines`` traces, None-separated) in plot pixels, as one
    shapely geometry, or None when it has none."""
    from shapely.geometry import MultiLineString

    segments = [(px(x0, y0), px(x1, y1)) for t in fig.data if t.mode == "lines" and t.x is not None
                for x0, y0, x1, y1 in zip(t.x, t.y, t.x[1:], t.y[1:]) if None not in (x0, y0, x1, y1)]
    return MultiLineString(segments) if segments else None


NODE_LABEL_PRIORITY = ("system", "network", "government", "company", "group", "person", "goods")


def report_network_layout(fig: go.Figure, head: list[str], sources: list[str], priority: dict | None = None) -> go.Figure:
    """The network for print (the figure itself is built by dashboard.figures.network): 24 px
    text, the legend in rows above the plot (:func:`row_legends`), axis ranges fixed (x and y scaled apart to fill the plot) so
    that data and pixels map one to one,
    and node labels placed by a greedy pass over their boxes in pixels (above, below,
    right, left or diagonal to the node: of the free spots, the one covering the least link
    line (:func:`covered_px`); shortened to 16 characters where the full label fits nowhere
    or covers more line than the short one; the highlighted entity first, then the systems,
    then in the order of ``priority`` ({node id: (0 for the highlighted entity else 1,
    minus its number of links)}: hubs), then by kind), a label dropped
    where none fits, so no label covers another; the caption at the bottom."""

    width, height, _ = SIZES["report"]
    blocks, rows = caption_blocks(head, sources, width)
    caption_px = LINE_PX * (len(blocks[0]) + rows) + 16
    fig.update_layout(title_text="Entity network")  # (its final font and place: report_fonts, below)
    top = row_legends(fig, width, height, legend_top_px(fig, height), width - 2 * SIDE_PX) + 12
    margin = {"l": SIDE_PX, "r": SIDE_PX, "t": top, "b": caption_px + 10}
    plot_w, plot_h = width - margin["l"] - margin["r"], height - margin["t"] - margin["b"]
    xs = [x for t in fig.data if t.mode and "markers" in t.mode for x in (t.x or ()) if x is not None]
    ys = [y for t in fig.data if t.mode and "markers" in t.mode for y in (t.y or ()) if y is not None]
    if xs and ys:
        pad_px = 12 + FONT_PX * 1.3  # room for a label above the top node
        x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        # x and y scaled apart (no fixed aspect): the picture fills the plot and labels get room
        kx = (plot_w - 2 * pad_px - 120) / max(x1 - x0, 1e-9)
        ky = (plot_h - 2 * pad_px) / max(y1 - y0, 1e-9)
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        xr = [cx - plot_w / 2 / kx, cx + plot_w / 2 / kx]
        yr = [cy - plot_h / 2 / ky, cy + plot_h / 2 / ky]

        def px(x, y):
            return (x - xr[0]) * kx, (yr[1] - y) * ky

        boxes = LabelBoxes(plot_w, plot_h)
        labelled = []
        own: dict[tuple, tuple] = {}  # (trace id, point) -> its marker's box
        for t in fig.data:  # every node marker blocks its own area (but not its own label)
            if t.mode and "markers" in t.mode and t.name not in ("links", "selected"):
                size = t.marker.size if isinstance(t.marker.size, (int, float)) else 10
                for j, (x, y) in enumerate(zip(t.x or (), t.y or ())):
                    if x is not None:
                        mx, my = px(x, y)
                        own[(id(t), j)] = (mx - size / 2, my - size / 2, mx + size / 2, my + size / 2)
                        boxes.block(own[(id(t), j)])
                if t.text is not None and "text" in t.mode:
                    rank = NODE_LABEL_PRIORITY.index(t.name) if t.name in NODE_LABEL_PRIORITY else len(NODE_LABEL_PRIORITY)
                    ids = list(t.customdata) if t.customdata is not None else [None] * len(t.x)
                    keys = [(priority or {}).get(i, (1, 0)) for i in ids]
                    labelled += [((keys[j][0], 0 if t.name == "system" else 1, *keys[j][1:], rank), j, t, x, y, size)
                                 for j, (x, y) in enumerate(zip(t.x, t.y)) if t.text[j]]
        links = _links_px(fig, px)
        keep: dict[int, dict] = {}  # trace id -> {point index: textposition}
        texts: dict[int, dict] = {}  # trace id -> {point index: the (maybe shortened) label}
        for rank, j, t, x, y, size in sorted(labelled, key=lambda e: (e[0], e[1])):
            mx, my = px(x, y)
            # plotly's offsets of a text from its marker, measured in Chromium (DejaVu Sans 24 px):
            # beside and above o = 0.62 size + 1 px, below b = 0.63 size - 3.1 px, a line 28 px
            # high (30 here), a middle line centred 2 px above the marker
            o, b = 0.62 * size + 1, 0.63 * size - 3.1
            full = unescaped(t.text[j])
            mine = own.get((id(t), j))
            if mine in boxes.boxes:
                boxes.boxes.remove(mine)  # a label may sit close to its own node
            spots = []  # per text (full, then short): (px of line covered, order, textposition, box, text)
            for text in (full, cut(full, 16)) if len(full) > 16 else (full,):
                w, h = text_box_px(plain_text(text), FONT_PX)
                top, bottom, mid = (my - o - h, my - o + 1), (my + b - 1, my + b + h), (my - 2 - h / 2, my - 2 + h / 2)
                candidates = (("top center", (mx - w / 2, top[0], mx + w / 2, top[1])),
                              ("bottom center", (mx - w / 2, bottom[0], mx + w / 2, bottom[1])),
                              ("middle right", (mx + o - 1, mid[0], mx + o + w, mid[1])),
                              ("middle left", (mx - o - w, mid[0], mx - o + 1, mid[1])),
                              ("top right", (mx + o - 1, top[0], mx + o + w, top[1])),
                              ("top left", (mx - o - w, top[0], mx - o + 1, top[1])),
                              ("bottom right", (mx + o - 1, bottom[0], mx + o + w, bottom[1])),
                              ("bottom left", (mx - o - w, bottom[0], mx - o + 1, bottom[1])))
                free = [(round(covered_px(box, links)), k, pos, box, text) for k, (pos, box) in enumerate(candidates)
                        if boxes.free(box)]
                if free:
                    spots.append(min(free))
                    if spots[-1][0] == 0:
                        break  # the full label clear of every line, or else the short one
            if spots:
                _, _, pos, box, text = min(spots, key=lambda s: s[0])  # least line covered; the full label on a tie
                boxes.block(box)
                keep.setdefault(id(t), {})[j] = pos
                texts.setdefault(id(t), {})[j] = plain_text(text)
            if mine is not None:
                boxes.block(mine)
        for t in fig.data:
            if t.text is not None and t.mode and "text" in t.mode:
                chosen = keep.get(id(t), {})
                t.text = [texts[id(t)][j] if j in chosen else "" for j in range(len(t.text))]
                t.textposition = [chosen.get(j, "top center") for j in range(len(t.text))]
                t.textfont = {"size": FONT_PX, "color": "#222222"}
        fig.update_layout(xaxis={"range": xr, "autorange": False},
                          yaxis={"range": yr, "autorange": False, "scaleanchor": None})
    fig.update_layout(margin=margin)
    notes = list(fig.layout.annotations)
    for note in notes:
        note.update(font={"size": FONT_PX})
    fig.update_layout(annotations=notes)
    report_fonts(fig, title="Entity network")
    place_caption(fig, head, sources, width=width, height=height)
    return fig
