"""Print-layout primitives shared by the report figures: sizes, fonts, the caption in blocks and columns, the legend in rows.

Report figures are laid out at SIZES["report"] (1600 x 900 layout px) and printed 6.5 in
wide: a font of N px prints at N x 72 x 6.5 / 1600 = 0.2925 N pt, so 7 pt needs 24 px
(FONT_PX). Text boxes are estimated at CHAR_EM em a character (DejaVu Sans averages
0.55); the Chromium tests in tests/test_export_layout.py measure the real boxes.
"""

from __future__ import annotations

import re
import textwrap

import plotly.graph_objects as go

from dashboard.figures.style import FONT

from dashboard.figures.labels import text_width_px
from dashboard.figures.text import cut, plain_text

SIZES = {"report": (1600, 900, 2.0), "a4": (1123, 794, 2.0)}  # px at 96 dpi: A4 landscape width
FONT_PX = 24
TITLE_PX = 32
LINE_PX = 1.3 * FONT_PX   # plotly's line spacing
CHAR_EM = 0.6
SIDE_PX = 20


def _chars(px: float, font_px: float = FONT_PX) -> int:
    return max(10, int(px / (CHAR_EM * font_px)))


def unescaped(text: str) -> str:
    import html

    return html.unescape(str(text))


def caption_blocks(head: list[str], sources: list[str], width: int, max_columns: int = 3) -> tuple[list[list[str]], int]:
    """The caption as text blocks: ``[full-width lines, column 1, column 2, ...]`` and the
    number of lines the tallest column needs under the full-width lines.

    Head lines wrap at the canvas width; sources are numbered, one line each, cut to the
    column width with "…" (the Sources page holds every full reference), in as few
    columns (up to ``max_columns``) as keep them at most 4 rows high.
    """
    full = [wrapped for line in head for wrapped in textwrap.wrap(line, _chars(width - 2 * SIDE_PX), subsequent_indent="    ")]
    if not sources:
        return [[*full, "Sources: none (nothing drawn here cites one)."]], 0
    columns = next((c for c in range(1, max_columns + 1) if -(-len(sources) // c) <= 4), max_columns)
    rows = -(-len(sources) // columns)
    col_chars = _chars((width - 2 * SIDE_PX) / columns - 16)
    numbered = [cut(f"[{i}] {src}", col_chars) for i, src in enumerate(sources, 1)]
    if columns == 1 and len(sources) <= 2:
        full.append(cut("Sources: " + "; ".join(f"[{i}] {src}" for i, src in enumerate(sources, 1)), 2 * _chars(width - 2 * SIDE_PX)))
        full[-1:] = textwrap.wrap(full[-1], _chars(width - 2 * SIDE_PX), subsequent_indent="    ")
        return [full], 0
    full.append("Sources:")
    return [full] + [numbered[c * rows:(c + 1) * rows] for c in range(columns)], rows


def place_caption(fig: go.Figure, head: list[str], sources: list[str], *, width: int, height: int,
                  top_of_caption_px: float | None = None) -> float:
    """Write the caption as annotations at the bottom of the canvas; returns its height in px.

    Positions are canvas px turned into paper coordinates of the figure's margins, so the
    caption starts at the canvas's left edge whatever the plot's left margin is.
    """
    blocks, rows = caption_blocks(head, sources, width)
    full = blocks[0]
    caption_px = LINE_PX * (len(full) + rows) + 16
    m = fig.layout.margin
    left, right, bottom, top = m.l or 0, m.r or 0, m.b or 0, m.t or 0
    plot_w, plot_h = width - left - right, height - top - bottom
    y0 = height - caption_px if top_of_caption_px is None else top_of_caption_px

    def paper(x_px: float, y_px: float) -> tuple[float, float]:
        return (x_px - left) / plot_w, (height - bottom - y_px) / plot_h

    font = {"size": FONT_PX, "color": "#333333", "family": FONT}
    x, y = paper(SIDE_PX, y0)
    fig.add_annotation(text="<br>".join(plain_text(line) for line in full), xref="paper", yref="paper", x=x, y=y,
                       xanchor="left", yanchor="top", align="left", showarrow=False, font=font, name="caption")
    col_w = (width - 2 * SIDE_PX) / max(1, len(blocks) - 1)
    for c, column in enumerate(blocks[1:]):
        x, y = paper(SIDE_PX + c * col_w, y0 + LINE_PX * len(full))
        fig.add_annotation(text="<br>".join(plain_text(line) for line in column), xref="paper", yref="paper", x=x, y=y,
                           xanchor="left", yanchor="top", align="left", showarrow=False, font=font, name="sources")
    return caption_px


def report_fonts(fig: go.Figure, title: str | None = None) -> None:
    """Report fonts and size; margins are fixed (no auto-expansion), so the caption's paper
    coordinates computed from them are where plotly draws it."""
    fig.update_layout(margin={"autoexpand": False}, font={"size": FONT_PX}, title={"font": {"size": TITLE_PX}, "x": 0.01, "xanchor": "left",
                                                     "y": 0.99, "yanchor": "top", "xref": "container", "yref": "container"},
                      width=SIZES["report"][0], height=SIZES["report"][1])
    if title is not None:
        fig.update_layout(title_text=plain_text(title))


LEGEND_NAME_CHARS = 24  # a legend name longer than this is shortened (at its colon, else cut)
# Legend rows as plotly draws them at 24 px (measured in Chromium on the SVG export): a row's
# text starts LEGEND_TEXT_TOP_PX under the legend's top and is LEGEND_TEXT_PX high, rows are
# LEGEND_ROW_PX apart; an entry is its text plus LEGEND_ITEM_PX (swatch and gaps); the row's
# title (side "left") is followed by LEGEND_TITLE_GAP_PX before the first swatch.
LEGEND_ROW_PX = 34.2
LEGEND_TEXT_TOP_PX = 9.5
LEGEND_TEXT_PX = 28.0
LEGEND_ITEM_PX = 45.0
LEGEND_TITLE_GAP_PX = 8.0
# names that the general rule would make too long for the flow row at 24 px
LEGEND_SHORT_NAMES = {"tie between organisations (no goods move)": "tie (no goods)"}
LEGEND_ROWS = (("confidence", "Confidence:"), ("flow", "Flow:"), ("", "Nodes:"))  # legendgroup -> row title


def _short_legend_name(name: str) -> str:
    """A legend entry's name, at most LEGEND_NAME_CHARS: the part before a colon with the
    first words after it in brackets ("unverified (grey)"), else the first word with its
    bracket ("tie (no goods move)"), else cut with "…"."""
    text = " ".join(str(name).replace("<br>", " ").split())
    text = LEGEND_SHORT_NAMES.get(text, text)
    if len(text) <= LEGEND_NAME_CHARS:
        return text
    head, colon, tail = text.partition(":")
    if colon:
        words = tail.split(",")[0].strip()
        short = f"{head} ({words})" if words and len(head) + len(words) + 3 <= LEGEND_NAME_CHARS else head
    else:
        bracket = re.search(r"\([^()]*\)$", text)
        short = f"{text.split()[0]} {bracket.group(0)}" if bracket else text
    return short if len(short) <= LEGEND_NAME_CHARS else short[: LEGEND_NAME_CHARS - 1].rstrip() + "\u2026"


def _title_bottom_px(fig: go.Figure, height: int) -> float:
    """Where the report title's text ends (title at container y 0.99, anchored at its top)."""
    pad = fig.layout.title.pad.t or 0 if fig.layout.title.pad else 0
    return (1 - 0.99) * height + pad + 0.95 * TITLE_PX  # measured: 30.4 px under the anchor at 32 px


def row_legends(fig: go.Figure, width: int, height: int, top_px: float, plot_w: float) -> float:
    """The legend as rows above the plot, one plotly legend a row: link confidence, goods
    flow, node kinds (the trace's legendgroup, see LEGEND_ROWS), each headed by its title,
    names shortened, the first row's text starting just under ``top_px``; a row too long
    for the plot's width ``plot_w`` (plotly wraps a horizontal legend inside the plot's
    width) becomes a grid of equal cells. Returns the px where the last row ends."""

    shown = [t for t in fig.data if t.type != "sankey" and t.showlegend is not False and t.name]
    groups = {key: [] for key, _ in LEGEND_ROWS}
    for trace in shown:
        trace.name = plain_text(_short_legend_name(unescaped(trace.name)))
        trace.legendgrouptitle = {"text": ""}
        groups[trace.legendgroup if trace.legendgroup in groups else ""].append(trace)
    y, k = top_px, 0
    avail = plot_w
    for key, title in LEGEND_ROWS:
        traces = groups[key]
        if not traces:
            continue
        k += 1
        name = "legend" if k == 1 else f"legend{k}"
        texts = [text_width_px(unescaped(t.name), FONT_PX) for t in traces]
        head = text_width_px(title, FONT_PX) + LEGEND_TITLE_GAP_PX
        legend = {"orientation": "h", "xref": "container", "yref": "container", "x": SIDE_PX / width, "xanchor": "left",
                  "y": 1 - y / height, "yanchor": "top", "tracegroupgap": 0, "traceorder": "normal",
                  "font": {"size": FONT_PX}, "title": {"text": title, "side": "left", "font": {"size": FONT_PX}},
                  "bgcolor": "rgba(0,0,0,0)"}
        if head + sum(w + LEGEND_ITEM_PX for w in texts) <= avail:
            rows = 1
        else:
            cell = max(texts)
            per_row = max(1, int((avail - head) // (cell + LEGEND_ITEM_PX)))
            rows = -(-len(traces) // per_row)
            legend.update(entrywidth=cell + 2, entrywidthmode="pixels")
        for t in traces:
            t.legend = name
        fig.update_layout({name: legend})
        y += LEGEND_ROW_PX * rows
    return y + LEGEND_TEXT_TOP_PX + LEGEND_TEXT_PX - LEGEND_ROW_PX


def legend_top_px(fig: go.Figure, height: int) -> float:
    """The legend's top: its first row's text starts 6 px under the title's text."""
    return _title_bottom_px(fig, height) + 6 - LEGEND_TEXT_TOP_PX

