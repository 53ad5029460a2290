"""The entity network's node labels, placed so that none covers another: in print and on screen.

The network figure (:mod:`dashboard.figures.network`) puts every label above its node,
where they pile up around hubs. :func:`place_labels` fixes the axes to a known plot size
in pixels (:func:`fit_axes`) and gives each label the free spot around its node that
covers the least link line; the report (24 px text on 1600 x 900) and the Supply chain
page (11 px text, in the width the page is shown at) use the same pass.
"""

from __future__ import annotations

import html

import plotly.graph_objects as go

from dashboard.figures.labels import LabelBoxes, covered_px, text_box_px
from dashboard.figures.text import cut, plain_text

# Who gets a spot first, after the highlighted entity and the hubs (see place_labels).
NODE_LABEL_PRIORITY = ("system", "network", "government", "company", "group", "person", "goods")
SHORT_CHARS = 16  # a label cut to this many characters where the whole one fits nowhere
SCREEN_FONT_PX = 11
SCREEN_LEGEND_PX = 320  # plotly's legend right of the plot (its longest entry at 11 px, its gap, and slack)


def label_priority(g_sub, highlight) -> dict:
    """{node: (0 for a highlighted node else 1, minus its number of links)}: the order in
    which :func:`place_labels` gives out spots after the systems (the selected entity, then hubs)."""
    chosen = set(highlight or ())
    return {n: (0 if n in chosen else 1, -g_sub.degree(n)) for n in g_sub.nodes}


def links_px(fig: go.Figure, px):
    """The figure's link lines (its ``lines`` traces, None-separated) in plot pixels, as one
    shapely geometry, or None when it has none."""
    from shapely.geometry import MultiLineString

    segments = [(px(x0, y0), px(x1, y1)) for t in fig.data if t.mode == "lines" and t.x is not None
                for x0, y0, x1, y1 in zip(t.x, t.y, t.x[1:], t.y[1:]) if None not in (x0, y0, x1, y1)]
    return MultiLineString(segments) if segments else None


def fit_axes(fig: go.Figure, plot_w: float, plot_h: float, font_px: float, right_px: float = 120):
    """Fix the axis ranges so the nodes fill a ``plot_w`` x ``plot_h`` px plot (x and y
    scaled apart, room for a label line above the top node and ``right_px`` for labels
    beside the rightmost ones); returns ``px(x, y)`` -> plot pixels (y down), or None
    when the figure has no node."""
    xs = [x for t in fig.data if t.mode and "markers" in t.mode for x in (t.x or ()) if x is not None]
    ys = [y for t in fig.data if t.mode and "markers" in t.mode for y in (t.y or ()) if y is not None]
    if not xs or not ys:
        return None
    pad_px = 12 + font_px * 1.3
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    kx = (plot_w - 2 * pad_px - right_px) / max(x1 - x0, 1e-9)
    ky = (plot_h - 2 * pad_px) / max(y1 - y0, 1e-9)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    xr = [cx - plot_w / 2 / kx, cx + plot_w / 2 / kx]
    yr = [cy - plot_h / 2 / ky, cy + plot_h / 2 / ky]
    fig.update_layout(xaxis={"range": xr, "autorange": False}, yaxis={"range": yr, "autorange": False, "scaleanchor": None})

    def px(x, y):
        return (x - xr[0]) * kx, (yr[1] - y) * ky

    return px


def place_labels(fig: go.Figure, px, plot_w: float, plot_h: float, font_px: float, priority: dict | None = None) -> None:
    """Give each node label the free spot (above, below, right, left or diagonal to its
    node) that covers the least link line (:func:`covered_px`); cut to SHORT_CHARS where the
    whole label fits nowhere or covers more line than the short one; a label that fits
    nowhere is dropped, so no label covers another. Order: the highlighted entity, then the
    systems, then by ``priority`` (:func:`label_priority`: hubs), then by kind
    (NODE_LABEL_PRIORITY)."""
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
    links = links_px(fig, px)
    keep: dict[int, dict] = {}  # trace id -> {point index: textposition}
    texts: dict[int, dict] = {}  # trace id -> {point index: the (maybe shortened) label}
    for _, j, t, x, y, size in sorted(labelled, key=lambda e: (e[0], e[1])):
        mx, my = px(x, y)
        # plotly's offsets of a text from its marker, measured in Chromium (DejaVu Sans 24 px):
        # beside and above o = 0.62 size + 1 px, below b = 0.63 size - 3.1 px, a middle line
        # centred 2 px above the marker
        o, b = 0.62 * size + 1, 0.63 * size - 3.1
        full = html.unescape(str(t.text[j]))
        mine = own.get((id(t), j))
        if mine in boxes.boxes:
            boxes.boxes.remove(mine)  # a label may sit close to its own node
        spots = []  # per text (full, then short): (px of line covered, order, textposition, box, text)
        for text in (full, cut(full, SHORT_CHARS)) if len(full) > SHORT_CHARS else (full,):
            w, h = text_box_px(plain_text(text), font_px)
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
            t.textfont = {"size": font_px, "color": "#222222"}


def for_screen(fig: go.Figure, content_px: float, priority: dict | None = None) -> go.Figure:
    """The network as the Supply chain page shows it, ``content_px`` wide: its labels placed
    for the plot left of the legend at SCREEN_FONT_PX. A wider window only spreads the
    nodes apart, so no label overlaps another at that width or more."""
    margin = fig.layout.margin
    plot_w = content_px - SCREEN_LEGEND_PX - (margin.l or 0) - (margin.r or 0)
    plot_h = (fig.layout.height or 640) - (margin.t or 0) - (margin.b or 0)
    px = fit_axes(fig, plot_w, plot_h, SCREEN_FONT_PX)
    if px is not None:
        place_labels(fig, px, plot_w, plot_h, SCREEN_FONT_PX, priority)
    return fig
