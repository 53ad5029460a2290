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
    it is not the seed's; the entity and the network filters when set; the date. Only
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
        if view.claim != "seed":
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
        return with_caption(fig, _lines(pkg, view, _claim_sources(pkg, view.systems), date, "Every published range figure per system."))
    g = dash.graph
    if figure == "chain":
        chain = graph.chains_for_systems(g, view.systems)[0]  # the first system's chain, headed by all that share it
        fig = chain_figure(chain, title=f"Supply chain: {chain['system_label']}")
        ids = sorted({s for link in chain["links"] for s in link.get("sources", ())})
        return with_caption(fig, _lines(pkg, view, _titles(pkg, ids), date, "Links as the sources state them; pale links are inferred or unverified."))
    sub = graph.network_subgraph(g, view)
    fig = network_figure(sub, graph.layout(sub), highlight=[view.entity] if view.entity else None)
    ids = sorted({s for _, _, d in sub.edges(data=True) for s in d.get("sources", ())})
    return with_caption(fig, _lines(pkg, view, _titles(pkg, ids), date, "Entity network; dashed links are inferred or unverified."))


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
    centre = (origin.lon, origin.lat) if marker else (53.0, 32.0)
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


def _lines(pkg: Package, view, sources: list[str], date: str, what: str) -> list[str]:
    names = ", ".join(pkg.systems.set_index("id").loc[s, "name"] for s in view.systems)
    out = [marking(), f"{what} Systems: {names}."]
    text = "Sources: " + "; ".join(f"[{i}] {s}" for i, s in enumerate(sources[:40], 1))
    if len(sources) > 40:
        text += f"; and {len(sources) - 40} more (see the Sources page)"
    out += textwrap.wrap(text + ".", width=170, subsequent_indent="    ")
    out.append(f"Data version {pkg.version} · generated {date}.")
    return out


def with_caption(fig: go.Figure, lines: list[str]) -> go.Figure:
    """Caption lines (plain text, escaped here) under the plot area; margin grown to fit."""
    margin = fig.layout.margin
    below = margin.b if margin.b is not None else 80  # what the figure already keeps under its plot
    height = 20 + 15 * len(lines)
    fig.add_annotation(text="<br>".join(plain_text(line) for line in lines), xref="paper", yref="paper",
                       x=0, y=0, yshift=-below, xanchor="left", yanchor="top", align="left",
                       showarrow=False, font={"size": 11, "color": "#333"})
    fig.update_layout(margin={"l": margin.l if margin.l is not None else 60, "r": margin.r if margin.r is not None else 20,
                              "t": margin.t if margin.t is not None else 60, "b": below + height})
    return fig
