"""Everything the map page shows, from one View (no Streamlit): deck, captions, reach table."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
import pydeck as pdk

from dashboard.geo.places import IRAN_CENTRE, IRAN_ZOOM
from dashboard.figures.deck import frozen, map_deck
from dashboard.figures.style import WEAK_COLOUR, SYSTEM_STYLES, confidence_style, flow_of, flow_word, link_alpha, rgba
from dashboard.data.load import Package
from dashboard.data.units import as_published
from dashboard.geo.ranges import CLAIM_MODES, Origin, default_origin, parse_origin
from dashboard.geo.reach import csv_safe, reach_table

ROUTE_KINDS = ("supplied", "procured_for", "offered_to", "assisted", "acts_for", "works_with")
NO_NETWORK = "#7f7f7f"


@dataclass(frozen=True)
class MapResult:
    deck: pdk.Deck
    features: list
    caption: str
    legend: str
    reach: pd.DataFrame
    reach_csv: bytes


def claim_options(pkg: Package) -> list[str]:
    eligible = pkg.range_claims[pkg.range_claims["ring"] & ~pkg.range_claims["seed"]]
    return [*CLAIM_MODES, *eligible["id"]]


def claim_label(pkg: Package, claim: str) -> str:
    """How a claim choice reads in the controls: the rule or the source, never 'seed'."""
    if claim == "seed":
        source = pkg.range_claims[pkg.range_claims["seed"]]["source"].iloc[0]
        src = pkg.sources.set_index("id").loc[source]
        return f"As printed in {str(src['publisher']).split(' (')[0]}, {src['date']}"
    fixed = {"best": "Best-supported figure (median of firm claims)", "min": "Smallest published",
             "max": "Largest published"}
    if claim in fixed:
        return fixed[claim]
    row = pkg.range_claims.set_index("id").loc[claim]
    name = pkg.systems.set_index("id").loc[row["system"], "name"]
    return f"{name}: {as_published(row['stated_value'], row['stated_unit'])}, {row['claimant'][:50]}"


def chosen_origin(pkg: Package, choice: str, typed: str) -> tuple[Origin, str]:
    """(origin, problem) from the map controls: the typed point when chosen and valid,
    else the default place."""
    try:
        return parse_origin(typed if choice == "point" else choice, pkg), ""
    except ValueError as exc:
        return default_origin(pkg), f"{exc}. Showing ranges from {pkg.places['name'].iloc[0]} instead."


def build(dash, view) -> MapResult:
    """The map page of ``view`` for ``dash`` (a :class:`dashboard.views.dashboard.Dashboard`)."""
    pkg, origin = dash.package, view.origin
    feats = dash.rings(view)
    arcs = supply_arcs(pkg) if "arcs" in view.overlays else None
    deck = frozen(map_deck(dash.countries, feats, origin, arcs=arcs, view=_view_for(origin)))
    reach = reach_table(feats, dash.cities, origin, dash.outline(view))
    return MapResult(deck, feats, _caption(feats, origin), legend(feats, bool(arcs)), reach, csv_safe(reach))


def _view_for(origin) -> tuple[float, float, float]:
    if origin.kind == "point" and math.isfinite(origin.lon):
        return origin.lon, origin.lat, 2.4
    return (*IRAN_CENTRE, IRAN_ZOOM)


def _caption(features: list[dict], origin) -> str:
    rings = [f["properties"] for f in features if f["properties"]["kind"] == "ring"]
    sources = sorted({p["source_title"] for p in rings})
    return (f"Geodesic range rings (WGS84), {origin.caption}. "
            f"Sources: {'; '.join(sources) if sources else 'none'}. Hover a ring for claimant, date and confidence.")


def legend(features: list[dict], arcs: bool) -> str:
    parts = []
    for f in features:
        p = f["properties"]
        if p["kind"] == "ring":
            parts.append(f"{p['system_name']}: {p['range_km']:,} km / {p['range_mi']:,} mi "
                         f"({'seed figure' if p['seed'] else p['claim']}, {p['confidence']}; line width {p['width']:g} px)")
    text = "Legend — " + " · ".join(parts)
    if any(f["properties"]["kind"] == "band" for f in features):
        text += " · Shaded: spread between the smallest and largest published maximum ranges."
    if arcs:
        text += " · Arcs: supply and procurement links, coloured by network; grey = no network."
    return text


def supply_arcs(pkg: Package) -> list[dict]:
    """Arcs from supplier cities to recipients, one per cited link with coordinates at both ends.

    Opacity and a tooltip line say how far goods moved (delivered is the only
    opaque arc; offered, ordered, sought and weak links are pale), as in the chain.

    A recipient in Iran whose city no source states is drawn to Tehran, and the tooltip says so.
    """
    ents = pkg.entities.set_index("id")
    networks = sorted(n for n in ents.index if ents.loc[n, "kind"] == "network")
    colours = {n: SYSTEM_STYLES[(i + 4) % len(SYSTEM_STYLES)][0] for i, n in enumerate(networks)}
    links = [(g["supplier"], g["recipient"], f"{g['item']} ({g['status']})", g["source"], g["confidence"], g["status"])
             for g in pkg.goods.to_dict("records") if g["recipient"]]
    links += [(r["from"], r["to"], r["kind"].replace("_", " "), r["sources"][0], r["confidence"], flow_of(pkg.vocab, r["kind"]))
              for r in pkg.relationships.to_dict("records") if r["kind"] in ROUTE_KINDS]
    titles = pkg.sources.set_index("id")["title"]
    arcs, seen = [], set()
    for src, dst, what, source, conf, flow in links:
        a, b, note = _point(ents, src), _point(ents, dst), ""
        if b is None and ents.loc[dst, "country"] == "Iran":
            b, note = _point(ents, "O_AIO"), " (recipient's city not stated; drawn to Tehran)"
        if a is None or b is None or a == b or (src, dst, what) in seen:
            continue
        seen.add((src, dst, what))
        network = ents.loc[src, "network"]
        arcs.append({
            "source": list(a), "target": list(b),
            # Opaque only for a delivery at a firm confidence; weak links grey (figures.style, as chain and network).
            "color": rgba(WEAK_COLOUR if confidence_style(pkg.vocab, conf).weak else colours.get(network, NO_NETWORK),
                          link_alpha(pkg.vocab, conf, flow)),
            "tooltip": (f"{ents.loc[src, 'name']} → {ents.loc[dst, 'name']}{note}\n{what}\n"
                        f"{(flow_word(pkg.vocab, flow) or 'no goods named, not a delivery').capitalize()}\n"
                        f"Source: {titles.get(source, source)}\nConfidence: {conf}"),
        })
    return arcs


def _point(ents: pd.DataFrame, entity_id: str):
    lon, lat = ents.loc[entity_id, "lon"], ents.loc[entity_id, "lat"]
    return None if pd.isna(lon) or pd.isna(lat) else (float(lon), float(lat))
