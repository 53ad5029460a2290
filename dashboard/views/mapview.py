"""Everything the map page shows, from one View (no Streamlit): deck, captions, reach table."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pydeck as pdk

from dashboard.geo.places import IRAN_CENTRE, IRAN_ZOOM
from dashboard.figures.deck import frozen, map_deck
from dashboard.figures.labels import text_width_px
from dashboard.figures.legend import legend_height
from dashboard.figures.style import WEAK_COLOUR, SYSTEM_STYLES, darker, confidence_style, flow_of, flow_word, link_alpha, rgba
from dashboard.data.load import Package
from dashboard.data.units import as_published
from dashboard.geo.ranges import CLAIM_MODES, Origin, default_origin, parse_origin
from dashboard.figures.mapfit import Frame, fit_view, overlaps, place, ring_anchor, text_box
from dashboard.geo.reach import csv_safe, distances_km
from dashboard.views.tables import printed_in

ROUTE_KINDS = ("supplied", "procured_for", "offered_to", "assisted", "acts_for", "works_with")
NO_NETWORK = "#7f7f7f"


#: Map sizes (width, height in px) the page asks for: the normal page at 1366×768 keeps
#: room for the controls and legend above; briefing and embed fill their window or frame.
DEFAULT_SIZE = (1200, 540)
#: The frame a presentation fits when the URL gives no ``frame=``: an 800×600 iframe
#: (embed) or a 1366×768 window (briefing).
UNFRAMED = {"embed": (800, 600), "briefing": (1366, 768)}
#: Streamlit 1.67's page box around a framed presentation, measured in Chromium: padding
#: above the legend (embed, briefing); the gap between blocks; side padding of 1 rem below
#: 864 px (its contentMaxWidth 736 + 2 · (5 rem − 1 rem)) and 5 rem from there; a caption's
#: 14 px text on 22.4 px lines. Source Sans, the caption's font, runs 0.78 of DejaVu Sans's
#: width (the marking line: 1,012 against 1,299 px), so 0.85 errs towards one line too many.
PAGE_TOP_PX = {"embed": 38, "briefing": 96}
GAP_PX, SLACK_PX = 16, 6
CAPTION_PX, CAPTION_LINE_PX, CAPTION_TO_DEJAVU = 14, 22.4, 0.85
RING_LABEL_ANGLES = (90, 55, 125, 20, 160, 0, 180)  # screen directions for ring labels, degrees


@dataclass(frozen=True)
class MapResult:
    deck: pdk.Deck
    features: list
    caption: str
    legend: str                 # legend as plain text (the picture is figures.legend)
    facts: list[str]            # one plain line per ring: capitals and countries within it
    reach: pd.DataFrame
    reach_csv: bytes
    labels: list[dict]          # the labels drawn on the map (ring, origin, city), for tests
    alt: str                    # the map's accessible name: what it shows, in one sentence


def claim_options(pkg: Package) -> list[str]:
    eligible = pkg.range_claims[pkg.range_claims["ring"] & ~pkg.range_claims["seed"]]
    return [*CLAIM_MODES, *eligible["id"]]


def claim_label(pkg: Package, claim: str) -> str:
    """How a claim choice reads in the controls: the rule or the source, never 'seed'."""
    if claim == "seed":
        return printed_in(pkg)
    fixed = {"best": "Best-supported figure (median of firm claims)", "min": "Smallest published",
             "max": "Largest published"}
    if claim in fixed:
        return fixed[claim]
    row = pkg.range_claims.set_index("id").loc[claim]
    name = pkg.systems.set_index("id").loc[row["system"], "name"]
    return f"{name}: {as_published(row['stated_value'], row['stated_unit'])}, {row['claimant'][:50]}"


def content_width(window_px: int) -> int:
    """The width (px) Streamlit's wide layout gives a block in a window ``window_px`` wide."""
    return window_px - 2 * (16 if window_px < 864 else 80)


def presentation_content_width(mode: str, frame: tuple[int, ...]) -> int:
    """The content column's width (px) in a briefing or embed (``mode``) of ``frame``, or of
    the window or frame :data:`UNFRAMED` assumes when the URL gave none."""
    return content_width((frame or UNFRAMED[mode])[0])


def presentation_size(mode: str, frame: tuple[int, ...], features: list[dict], marking: str) -> tuple[tuple[int, int], int]:
    """((width, height) px of the map, label font px) for a briefing or embed (``mode``) in
    a window or iframe of ``frame`` (width, height) px, or () when the URL gave none
    (:data:`UNFRAMED`): the legend, the map and the marking line under it fill the first
    screen and fit in it."""
    width, height = frame or UNFRAMED[mode]
    font_px, content = 17 if height >= 700 else 14, presentation_content_width(mode, frame)
    marking_lines = math.ceil(text_width_px(marking, CAPTION_PX) * CAPTION_TO_DEJAVU / content)
    chrome = (PAGE_TOP_PX[mode] + legend_height(features, content, font_px) + 3 * GAP_PX
              + math.ceil(marking_lines * CAPTION_LINE_PX) + SLACK_PX)
    return (max(320, content), max(240, height - chrome)), font_px


def chosen_origin(pkg: Package, choice: str, typed: str) -> tuple[Origin, str]:
    """(origin, problem) from the map controls: the typed point when chosen and valid,
    else the default place."""
    try:
        return parse_origin(typed if choice == "point" else choice, pkg), ""
    except ValueError as exc:
        return default_origin(pkg), f"{exc}. Showing ranges from {pkg.places['name'].iloc[0]} instead."


def build(dash, view, size: tuple[int, int] = DEFAULT_SIZE, font_px: int = 13) -> MapResult:
    """The map page of ``view`` for ``dash`` (a :class:`dashboard.views.dashboard.Dashboard`),
    fitted to a ``size`` (width, height px) map with labels of ``font_px`` px."""
    pkg, origin = dash.package, view.origin
    feats = dash.rings(view)
    arcs = supply_arcs(pkg) if "arcs" in view.overlays else None
    frame = _frame(feats, origin, size)
    labels = map_labels(dash, view, feats, frame, font_px)
    deck = frozen(map_deck(dash.basemap, feats, origin, arcs=arcs, view=(frame.lon, frame.lat, frame.zoom),
                           labels=labels, font_px=font_px))
    reach = dash.reach(view)
    return MapResult(deck, feats, _caption(feats, origin), legend(feats, bool(arcs)), facts_lines(dash.facts(view)),
                     reach, csv_safe(reach), labels, map_alt(feats, origin))


def map_alt(features: list[dict], origin) -> str:
    """One sentence for screen readers: the rings drawn and where from (the facts under the
    map say what lies within them)."""
    rings = [f["properties"]["label"] for f in features if f["properties"]["kind"] == "ring"]
    return (f"Map of geodesic range rings, {origin.caption}: {'; '.join(rings) or 'none drawn'}. "
            "The lines under the map say which capitals and countries lie within each ring.")


def _frame(features: list[dict], origin, size) -> Frame:
    points = [pt for f in features for path in f["paths"] for pt in path]
    if origin.kind != "territory":
        points.append((origin.lon, origin.lat))
    if not points:
        return Frame(*IRAN_CENTRE, IRAN_ZOOM, *size)
    arr = np.asarray(points, float)
    return Frame(*fit_view(arr[:, 0], arr[:, 1], *size), *size)


def map_labels(dash, view, features: list[dict], frame: Frame, font_px: int) -> list[dict]:
    """Ring labels ("Sejjil · 1,200 mi ≈ 1,930 km", in the ring's colour), the launch point,
    then capitals and major cities within the largest drawn ring, thinned so that no two
    labels collide at the initial view."""
    rings = sorted((f for f in features if f["properties"]["kind"] == "ring"),
                   key=lambda f: f["properties"]["range_exact_km"])
    candidates = []
    for i, f in enumerate(rings):
        p = f["properties"]
        for angle in RING_LABEL_ANGLES[i % len(RING_LABEL_ANGLES):] + RING_LABEL_ANGLES[:i % len(RING_LABEL_ANGLES)]:
            anchor = ring_anchor(f["paths"], frame, angle)
            if anchor is None:
                continue
            x, y = frame.to_px(*anchor)
            box = text_box(float(x), float(y), p["label"], font_px + 1)
            if not any(overlaps(box, c["box"]) for c in candidates):
                break
        if anchor is not None:
            candidates.append({"kind": "ring", "text": p["label"], "position": list(anchor), "color": darker(p["color"]),
                               "box": box, "size": font_px + 1, "tooltip": p["tooltip"]})
    if view.origin.kind != "territory":
        x, y = frame.to_px(view.origin.lon, view.origin.lat)
        candidates.append({"kind": "origin", "text": view.origin.label, "position": [view.origin.lon, view.origin.lat],
                           "color": "#000000", "box": text_box(float(x) + 8, float(y), view.origin.label, font_px, "start"),
                           "size": font_px, "anchor": "start", "tooltip": view.origin.caption})
    keep_all = len(candidates)  # ring labels and the launch point are never thinned away
    if rings:
        candidates += _city_candidates(dash, view, rings[-1]["properties"]["range_exact_km"], frame, font_px)
    return [{k: v for k, v in c.items() if k != "box"} for c in place(candidates, frame, keep_all=keep_all)]


def _city_candidates(dash, view, range_km: float, frame: Frame, font_px: int) -> list[dict]:
    cities = dash.cities
    dist = distances_km(view.origin, cities, dash.outline(view))
    mask = (dist <= range_km) & (cities["name"] != view.origin.label).to_numpy()
    near = cities[mask].assign(_d=dist[mask])
    near = near.assign(_capital=near["kind"] != "capital").sort_values(["_capital", "_d", "name"])
    out = []
    for c in near.itertuples(index=False):
        x, y = frame.to_px(c.lon, c.lat)
        out.append({"kind": c.kind, "text": c.name, "position": [float(c.lon), float(c.lat)], "color": "#222222",
                    "box": text_box(float(x) + 6, float(y), c.name, font_px - 1, "start"), "size": font_px - 1,
                    "anchor": "start", "tooltip": f"{c.name} ({c.country})"})
    return out


def facts_lines(facts: list[dict]) -> list[str]:
    """One plain line per ring: how many capitals and which countries lie within it."""
    lines = []
    for f in facts:
        countries = ", ".join(f["wholly"]) or "none"
        partly = ", ".join(f["partly"]) or "none"
        lines.append(f"{f['system_name']} ({f['published']}): {len(f['capitals'])} capitals within range; "
                     f"countries wholly within: {countries}; partly within: {partly}.")
    return lines


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
            parts.append(f"{p['label']} ({p['source_publisher']}, {p['date']}; {p['confidence']})")
    text = "Legend — " + " · ".join(parts)
    if any(f["properties"]["kind"] == "band" for f in features):
        text += " · Shaded: spread between the smallest and largest published maximum ranges."
    if arcs:
        text += " · Arcs: supply and procurement links, coloured by network; pale = not delivered or weakly sourced."
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
