"""Report figures: what a URL shows, as a plotly figure with its caption (no Streamlit).

The same builders serve the app's download buttons and `dashboard export`, so the PNG from
the app and the PNG from the command line for one URL are the same figure.
"""

from __future__ import annotations

import re

import plotly.graph_objects as go

from dashboard import network as graph
from dashboard.figures.chain import chain_figure
from dashboard.figures.network import network_figure
from dashboard.figures.network_labels import label_priority
from dashboard.figures.ranges_chart import ranges_chart
from dashboard.figures.report_map import report_map_figure
from dashboard.figures.static_map import caption_lines
from dashboard.data.load import Package
from dashboard.geo.places import IRAN_CENTRE
from dashboard.geo.ranges import DEFAULT_CLAIM
from dashboard.views.report_layout import report_chain_layout, report_network_layout, report_ranges_layout
from dashboard.views.marking import marking, today
from dashboard.views.report_print import SIZES

FIGURES = ("map", "ranges", "chain", "network")
CAPTION_CHARS = 100  # caption characters per line at 24 px on a 1600 px canvas (DejaVu Sans, generous)


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
    priority = label_priority(sub, [view.entity] if view.entity else ())
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
    labelled (see :func:`dashboard.figures.report_map.report_map_figure`)."""
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

