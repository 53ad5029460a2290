"""Report figures: what a URL shows, as a plotly figure with its caption (no Streamlit).

The same builders serve the app's download buttons and `dashboard export`, so the PNG from
the app and the PNG from the command line for one URL are the same figure.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import textwrap

import plotly.graph_objects as go

from dashboard import network as graph
from dashboard.figures.chain import chain_figure
from dashboard.figures.network import network_figure
from dashboard.figures.ranges_chart import ranges_chart
from dashboard.figures.static_map import caption_lines, report_map_figure
from dashboard.figures.text import plain_text
from dashboard.data.load import Package
from dashboard.geo.places import IRAN_CENTRE
from dashboard.geo.ranges import DEFAULT_CLAIM

FIGURES = ("map", "ranges", "chain", "network")
MARKING_ENV = "DASHBOARD_MARKING"
DEFAULT_MARKING = "Public sources — not an official assessment"
CAPTION_CHARS = 100  # caption characters per line at 24 px on a 1600 px canvas (DejaVu Sans, generous)
SIZES = {"report": (1600, 900, 2.0), "a4": (1123, 794, 2.0)}  # px at 96 dpi: A4 landscape width


def marking() -> str:
    """The banner printed on screen and on every export (configurable, for briefings)."""
    return os.environ.get(MARKING_ENV, DEFAULT_MARKING)[:200]


def today() -> str:
    return dt.date.today().isoformat()


def report_filename(pkg: Package, view, figure: str, fmt: str = "png", date: str | None = None) -> str:
    """The download name of a report figure: figure, what the view shows, date and format, e.g.
    ``map-sejjil-territory-2026-11-30.png`` (``pkg`` a Package or a Dashboard).

    Parts: the figure; the systems (``all`` when every system is shown); for the map and the
    ranges, the launch point (place id, ``territory``, or the coordinates) and the claim when
    it is not the default (best-supported); the entity and the network filters when set; the date. Only
    ``a-z``, ``0-9``, ``-`` and ``_`` appear (safe on every file system, no spaces to quote);
    the name is at most 120 characters plus the extension.
    """
    pkg = getattr(pkg, "package", pkg)
    if figure not in FIGURES:
        raise ValueError(f"unknown figure {figure[:30]!r}: use one of {', '.join(FIGURES)}")
    fmt = str(fmt).lower().lstrip(".")
    if fmt not in ("png", "svg", "pdf"):
        raise ValueError("format must be png, svg or pdf")
    every = tuple(pkg.systems["id"])
    parts = [figure, "all" if tuple(sorted(view.systems)) == tuple(sorted(every)) else "_".join(view.systems)]
    if figure == "map":
        parts.append(view.origin.key)
        if view.claim != DEFAULT_CLAIM:
            parts.append(view.claim)
    if figure in ("chain", "network") and view.entity:
        parts.append(view.entity)
    if figure == "network":
        parts += ["_".join(v) for v in (view.networks, view.kinds, view.countries, view.confidence) if v]
    slug = "-".join(_slug(p) for p in parts if _slug(p))[:120].strip("-_")
    return f"{slug}-{date or today()}.{fmt}"


def _slug(text: str) -> str:
    text = re.sub(r"[^a-z0-9_]+", "-", str(text).lower().replace(".", "p").replace(",", "_"))
    return text.strip("-_")


def report_figure(dash, view, figure: str, date: str | None = None) -> go.Figure:
    """The named figure for ``view`` (a :class:`dashboard.views.view.View`) of ``dash`` (a
    :class:`dashboard.views.dashboard.Dashboard`), with caption and marking."""
    if figure not in FIGURES:
        raise ValueError(f"unknown figure {figure[:30]!r}: use one of {', '.join(FIGURES)}")
    date, pkg = date or today(), dash.package
    if figure == "map":
        return _map(dash, view, date)
    if figure == "ranges":
        fig = ranges_chart(pkg, view.systems, title="Published range claims")
        names = ", ".join(_system_name(pkg, s) for s in view.systems)
        what = f"Every published range figure for {names}, in km (figures stated in miles converted)."
        return report_ranges_layout(fig, _head(pkg, date, what), _claim_sources(pkg, view.systems))
    g = dash.graph
    if figure == "chain":
        chains = graph.chains_for_systems(g, view.systems)
        chain = chains[0]  # the first system's chain, headed by all that share it
        fig = chain_figure(chain, title=f"Supply chain: {chain['system_label']} (flow left to right)")
        ids = sorted({s for link in chain["links"] for s in link.get("sources", ())})
        drawn = [_system_name(pkg, s) for s in chain.get("systems", [chain["system"]])]
        # grey = inferred or unverified (colour), pale = goods not delivered (opacity): see figures.style
        what = (f"Supply chain of {', '.join(drawn)}: links as the sources state them; grey links are inferred or unverified, "
                "pale ones carry goods offered, ordered or sought, not delivered.")
        head = _head(pkg, date, what)
        rest = [_system_name(pkg, s) for c in chains[1:] for s in c.get("systems", [c["system"]])]
        if rest:  # a line of its own
            head.append(f"Not drawn here: the chain{'s' if len(rest) > 1 else ''} of {', '.join(rest)} (one export per system).")
        return report_chain_layout(fig, head, _titles(pkg, ids))
    sub = graph.network_subgraph(g, view)
    fig = network_figure(sub, graph.layout(sub), highlight=[view.entity] if view.entity else None)
    ids = sorted({s for _, _, d in sub.edges(data=True) for s in d.get("sources", ())})
    what = (f"Entity network: {sub.number_of_nodes()} entities and {sub.number_of_edges()} links{_filters_text(pkg, view)}; "
            "dashed links are inferred or unverified.")
    priority = {n: (0 if n == view.entity else 1, -sub.degree(n)) for n in sub.nodes}
    return report_network_layout(fig, _head(pkg, date, what), _titles(pkg, ids), priority=priority)


def _system_name(pkg: Package, system_id: str) -> str:
    return str(pkg.systems.set_index("id").loc[system_id, "name"])


def _filters_text(pkg: Package, view) -> str:
    """The network filters in words: the entity by its name, the rest as the URL gives them."""
    names = pkg.entities.set_index("id")["name"]
    entity = (str(names.get(view.entity, view.entity)),) if view.entity else ()
    parts = [f"{name} {', '.join(values)}" for name, values in (("around", entity),
             ("networks", view.networks), ("kinds", view.kinds), ("countries", view.countries),
             ("confidence", view.confidence)) if values]
    return f" ({'; '.join(parts)})" if parts else ""


def _head(pkg: Package, date: str, what: str) -> list[str]:
    """The caption's first lines: marking with data version and date; what is drawn."""
    return [f"{marking()} · Data version {pkg.version} · generated {date}.", what]


def _map(dash, view, date: str) -> go.Figure:
    """The report map: zoomed to the rings, legend with the stated ranges, rings and capitals
    labelled (see :func:`dashboard.figures.static_map.report_map_figure`)."""
    pkg, origin = dash.package, view.origin
    feats = dash.rings(view)
    drawn = [f["properties"] for f in feats if f["properties"]["kind"] == "ring"]
    sources = list(dict.fromkeys(_short_source(p["source_title"], p.get("source_publisher", "")) for p in drawn))
    names = [pkg.systems.set_index("id").loc[s, "name"] for s in view.systems]
    lines = caption_lines(systems=names, origin_label=origin.label, sources=sources, data_version=pkg.version,
                          date=date, marking="", width=CAPTION_CHARS)
    lines = [f"{marking()} · {lines[-1]}", *lines[:-1]]  # the banner and the version share the first line
    if any(f["properties"]["kind"] == "band" for f in feats):
        at = next((i for i, line in enumerate(lines) if line.startswith("Sources:")), len(lines) - 1)
        lines.insert(at, "Shaded: the spread of each system's published maximum ranges.")
    marker = None if origin.kind == "territory" else {"lon": origin.lon, "lat": origin.lat, "label": origin.label}
    centre = (origin.lon, origin.lat) if marker else IRAN_CENTRE
    capitals = dash.cities[dash.cities["kind"] == "capital"][["name", "lon", "lat"]].to_dict("records")
    width, height, _ = SIZES["report"]
    return report_map_figure(dash.countries, feats, origin=marker, title=f"Range rings, {origin.caption.split(' (')[0]}",
                             caption_lines=lines, center=centre, cities=capitals, width=width, height=height)


def _short_source(title: str, publisher: str, limit: int = 160) -> str:
    text = f"{title} ({publisher})" if publisher else str(title)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _claim_sources(pkg: Package, systems) -> list[str]:
    ids = pkg.range_claims[pkg.range_claims["system"].isin(systems)]["source"].unique()
    return _titles(pkg, sorted(ids))


def _titles(pkg: Package, ids) -> list[str]:
    src = pkg.sources.set_index("id")
    return [f"{src.loc[i, 'title']} ({src.loc[i, 'publisher']})" for i in ids if i in src.index]


# ---------------------------------------------------------------- report layout
#
# Report figures are laid out at SIZES["report"] (1600 x 900 layout px) and printed 6.5 in
# wide: a font of N px prints at N x 72 x 6.5 / 1600 = 0.2925 N pt, so 7 pt needs 24 px
# (FONT_PX). Text boxes are estimated at CHAR_EM em a character (DejaVu Sans averages
# 0.55); the Chromium tests in tests/test_export_layout.py measure the real boxes.

FONT_PX = 24
TITLE_PX = 32
LINE_PX = 1.3 * FONT_PX   # plotly's line spacing
CHAR_EM = 0.6
SIDE_PX = 20


def _chars(px: float, font_px: float = FONT_PX) -> int:
    return max(10, int(px / (CHAR_EM * font_px)))


def _unescaped(text: str) -> str:
    import html

    return html.unescape(str(text))


def _cut(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


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
    numbered = [_cut(f"[{i}] {src}", col_chars) for i, src in enumerate(sources, 1)]
    if columns == 1 and len(sources) <= 2:
        full.append(_cut("Sources: " + "; ".join(f"[{i}] {src}" for i, src in enumerate(sources, 1)), 2 * _chars(width - 2 * SIDE_PX)))
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

    font = {"size": FONT_PX, "color": "#333333", "family": "DejaVu Sans, Arial, sans-serif"}
    x, y = paper(SIDE_PX, y0)
    fig.add_annotation(text="<br>".join(plain_text(line) for line in full), xref="paper", yref="paper", x=x, y=y,
                       xanchor="left", yanchor="top", align="left", showarrow=False, font=font, name="caption")
    col_w = (width - 2 * SIDE_PX) / max(1, len(blocks) - 1)
    for c, column in enumerate(blocks[1:]):
        x, y = paper(SIDE_PX + c * col_w, y0 + LINE_PX * len(full))
        fig.add_annotation(text="<br>".join(plain_text(line) for line in column), xref="paper", yref="paper", x=x, y=y,
                           xanchor="left", yanchor="top", align="left", showarrow=False, font=font, name="sources")
    return caption_px


def _report_fonts(fig: go.Figure, title: str | None = None) -> None:
    """Report fonts and size; margins are fixed (no auto-expansion), so the caption's paper
    coordinates computed from them are where plotly draws it."""
    fig.update_layout(margin={"autoexpand": False}, font={"size": FONT_PX}, title={"font": {"size": TITLE_PX}, "x": 0.01, "xanchor": "left",
                                                     "y": 0.99, "yanchor": "top", "xref": "container", "yref": "container"},
                      width=SIZES["report"][0], height=SIZES["report"][1])
    if title is not None:
        fig.update_layout(title_text=plain_text(title))


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
    _report_fonts(fig)
    place_caption(fig, head, sources, width=width, height=height)
    return fig


GAP_LINES = 6  # lines of the chain's "what the sources do not support" text a report keeps
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


def _row_legends(fig: go.Figure, width: int, height: int, top_px: float, plot_w: float) -> float:
    """The legend as rows above the plot, one plotly legend a row: link confidence, goods
    flow, node kinds (the trace's legendgroup, see LEGEND_ROWS), each headed by its title,
    names shortened, the first row's text starting just under ``top_px``; a row too long
    for the plot's width ``plot_w`` (plotly wraps a horizontal legend inside the plot's
    width) becomes a grid of equal cells. Returns the px where the last row ends."""
    from dashboard.figures.static_map import text_width_px

    shown = [t for t in fig.data if t.type != "sankey" and t.showlegend is not False and t.name]
    groups = {key: [] for key, _ in LEGEND_ROWS}
    for trace in shown:
        trace.name = plain_text(_short_legend_name(_unescaped(trace.name)))
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
        texts = [text_width_px(_unescaped(t.name), FONT_PX) for t in traces]
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


def _legend_top_px(fig: go.Figure, height: int) -> float:
    """The legend's top: its first row's text starts 6 px under the title's text."""
    return _title_bottom_px(fig, height) + 6 - LEGEND_TEXT_TOP_PX


NODE_LINE_PX = 29.6  # a line of a Sankey node label at 24 px (measured)


def _wrap_px(text: str, budget_px: float, max_lines: int) -> list[str]:
    """``text`` in lines at most ``budget_px`` wide (DejaVu Sans, FONT_PX), at most
    ``max_lines`` of them; a status in brackets at its end ("(offered)", "(inferred)") is
    kept whole, the name before it cut with "…" where it does not fit."""
    from dashboard.figures.static_map import text_width_px

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
            text = " ".join(_unescaped(joined).replace(" - not delivered", "").split())
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
    from dashboard.figures.static_map import text_box_px

    fig.update_traces(textfont={"size": FONT_PX}, selector={"type": "sankey"})
    notes = list(fig.layout.annotations)
    # the systems' names right of the last column (the chain's other annotations) get the
    # room right of the Sankey's domain, inside the plot (whose width is the legend's row width)
    full_w = width - 2 * SIDE_PX
    right = max((text_box_px(note.text, FONT_PX)[0] for note in notes[1:]), default=0) + 4 + 6
    domain_x = (full_w - right) / full_w
    fig.update_traces(domain={"x": [0, domain_x]}, selector={"type": "sankey"})
    top = _row_legends(fig, width, height, _legend_top_px(fig, height), full_w) + 12
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
    _report_fonts(fig)
    place_caption(fig, head, sources, width=width, height=height)
    return fig


NODE_LABEL_PRIORITY = ("system", "network", "government", "company", "group", "person", "goods")


def report_network_layout(fig: go.Figure, head: list[str], sources: list[str], priority: dict | None = None) -> go.Figure:
    """The network for print (the figure itself is built by dashboard.figures.network): 24 px
    text, the legend in rows above the plot (:func:`_row_legends`), axis ranges fixed (x and y scaled apart to fill the plot) so
    that data and pixels map one to one,
    and node labels placed by a greedy pass over their boxes in pixels (above, below,
    right, left or diagonal to the node, shortened to 16 characters where the full label
    fits nowhere; the highlighted entity first, then the systems,
    then in the order of ``priority`` ({node id: (0 for the highlighted entity else 1,
    minus its number of links)}: hubs), then by kind), a label dropped
    where none fits, so no label covers another; the caption at the bottom."""
    from dashboard.figures.static_map import LabelBoxes, text_box_px

    width, height, _ = SIZES["report"]
    blocks, rows = caption_blocks(head, sources, width)
    caption_px = LINE_PX * (len(blocks[0]) + rows) + 16
    fig.update_layout(title_text="Entity network")  # (its final font and place: _report_fonts, below)
    top = _row_legends(fig, width, height, _legend_top_px(fig, height), width - 2 * SIDE_PX) + 12
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
        keep: dict[int, dict] = {}  # trace id -> {point index: textposition}
        texts: dict[int, dict] = {}  # trace id -> {point index: the (maybe shortened) label}
        for rank, j, t, x, y, size in sorted(labelled, key=lambda e: (e[0], e[1])):
            mx, my = px(x, y)
            # plotly's offsets of a text from its marker, measured in Chromium (DejaVu Sans 24 px):
            # beside and above o = 0.62 size + 1 px, below b = 0.63 size - 3.1 px, a line 28 px
            # high (30 here), a middle line centred 2 px above the marker
            o, b = 0.62 * size + 1, 0.63 * size - 3.1
            full = _unescaped(t.text[j])
            mine = own.get((id(t), j))
            if mine in boxes.boxes:
                boxes.boxes.remove(mine)  # a label may sit close to its own node
            for text in (full, _cut(full, 16)) if len(full) > 16 else (full,):
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
                spot = next(((pos, box) for pos, box in candidates if boxes.free(box)), None)
                if spot:
                    boxes.block(spot[1])
                    keep.setdefault(id(t), {})[j] = spot[0]
                    texts.setdefault(id(t), {})[j] = plain_text(text)
                    break
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
    _report_fonts(fig, title="Entity network")
    place_caption(fig, head, sources, width=width, height=height)
    return fig
