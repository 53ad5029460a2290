"""Range rings and bands as features: the one geometry every renderer draws (no Streamlit).

``ring_features`` returns GeoJSON-like Feature dicts with, besides ``geometry`` (for
pydeck and the GeoJSON export) and ``properties`` (system, km, claim, source, origin,
style), two foreign members computed from the same vertices:

- ``rings``: ``[(exterior, holes), ...]`` clockwise lon/lat arrays, for plotly geo;
- ``paths``: outline line strings split at the antimeridian, for pydeck PathLayer.
"""

from __future__ import annotations

import numpy as np

from dashboard.geo.antimeridian import MAX_SEGMENT_DEG, outline_paths, polygons_geometry
from dashboard.geo.envelope import envelope_polygons
from dashboard.geo.geodesic import geodesic_ring
from dashboard.geo.basemap import country_outline
from dashboard.geo.places import IRAN_ISO_A3
from dashboard.figures.style import BAND_OPACITY, system_style
from dashboard.data.load import Package
from dashboard.geo.ranges import Origin, band_km
from dashboard.data.units import KM_PER_MILE, as_published, round_significant

ENVELOPE_POINTS = 90


def ring_features(pkg: Package, countries: dict, systems, claims, origin: Origin,
                  band: bool = True, n_points: int = 360) -> list[dict]:
    """One ring per system (drawn at its claim in ``claims``, a claim id per system, same
    order), plus the system's claim band when ``band`` is set.

    Distances in km, coordinates in degrees (WGS84). Raises ValueError for an unknown
    system or claim (see :func:`dashboard.geo.ranges.select_claim`).
    """
    outline = country_outline(countries, IRAN_ISO_A3) if origin.kind == "territory" else None
    positions = {sid: i for i, sid in enumerate(pkg.systems["id"])}
    features = []
    claim_ids = pkg.range_claims.set_index("id")
    for system_id, claim_id in zip(systems, claims, strict=True):
        style = system_style(positions[system_id])
        if band:
            low, high = band_km(pkg, system_id)
            if high > low:
                features.append(_band(pkg, system_id, low, high, origin, outline, style, n_points))
        row = claim_ids.loc[claim_id].copy()
        row["id"] = claim_id
        features.append(_ring(pkg, row, origin, outline, style, n_points))
    return features


def _disc(origin: Origin, outline, range_km: float, n_points: int) -> list[tuple[np.ndarray, list]]:
    if outline is not None:
        return envelope_polygons(outline, range_km, n_points=ENVELOPE_POINTS)
    return [(geodesic_ring(origin.lon, origin.lat, range_km, n_points, max_step_deg=MAX_SEGMENT_DEG), [])]


def _ring(pkg: Package, row, origin: Origin, outline, style, n_points: int) -> dict:
    rings = _disc(origin, outline, float(row["range_km"]), n_points)
    geometry = polygons_geometry(rings)
    props = _claim_properties(pkg, row, origin) | _style("ring", style)
    return _feature(geometry, rings, props)


def _band(pkg: Package, system_id: str, low: float, high: float, origin: Origin, outline, style, n_points: int) -> dict:
    outer = _disc(origin, outline, high, n_points)
    inner = _disc(origin, outline, low, n_points)
    rings = [(ext, holes + [i_ext for i_ext, _ in inner]) for ext, holes in outer]
    geometry = polygons_geometry(rings)
    name = _system_name(pkg, system_id)
    props = {
        "system": system_id, "system_name": name, "kind": "band",
        "range_km": round(high), "range_low_km": round(low),
        "range_mi": round(high / KM_PER_MILE), "range_low_mi": round(low / KM_PER_MILE),
        "origin": origin.label,
        "label": f"{name}: spread of published ranges",
        "tooltip": (
            f"{name}: published maximum ranges span {round_significant(low):,.0f}–{round_significant(high):,.0f} km "
            f"({round_significant(low / KM_PER_MILE):,.0f}–{round_significant(high / KM_PER_MILE):,.0f} mi)\n"
            f"Band from the smallest to the largest ring-eligible claim; see the Systems page\n"
            f"Range measured from {origin.label}"
        ),
    } | _style("band", style)
    return _feature(geometry, rings, props)


def _system_name(pkg: Package, system_id: str) -> str:
    return str(pkg.systems.set_index("id").loc[system_id, "name"])


def _claim_properties(pkg: Package, row, origin: Origin) -> dict:
    src = pkg.sources.set_index("id").loc[row["source"]]
    system = pkg.systems.set_index("id").loc[row["system"]]
    name, caveat = str(system["name"]), str(system.get("caveat", "") or "")
    km = float(row["range_km"])
    published = as_published(float(row["stated_value"]), str(row["stated_unit"]))
    return {
        "system": row["system"], "system_name": name, "kind": "ring",
        "range_km": round(km), "range_exact_km": km, "range_mi": round(km / KM_PER_MILE),
        "stated": f"{row['stated_value']:,.0f} {row['stated_unit']}", "published": published,
        "claim": row["id"], "claimant": row["claimant"], "date": row["date"],
        "source": row["source"], "source_title": src["title"], "source_publisher": src["publisher"],
        "confidence": row["confidence"], "seed": bool(row["seed"]), "origin": origin.label, "caveat": caveat,
        "label": f"{name} · {published}",
        "tooltip": "\n".join([
            f"{name} · {published}",
            f"Claimant: {row['claimant']}, {row['date']}",
            f"Source: {src['title']} ({src['publisher']})",
            f"Confidence: {row['confidence']}",
            f"Range measured from {origin.label}",
            *([f"Caveat: {caveat}"] if caveat else []),
        ]),
    }


def _style(kind: str, style) -> dict:
    colour, dash, width = style
    return {"color": colour, "dash": dash, "width": width, "fill_opacity": BAND_OPACITY if kind == "band" else 0.0}


def _feature(geometry: dict, rings, props: dict) -> dict:
    paths = [p for ext, holes in rings for r in [ext, *holes] for p in outline_paths(r)]
    return {"type": "Feature", "geometry": geometry, "properties": props, "rings": rings, "paths": paths}


def to_geojson(features: list[dict]) -> dict:
    """A plain RFC 7946 FeatureCollection (foreign members dropped), for files and the CLI."""
    return {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "geometry": f["geometry"], "properties": _public(f["properties"])} for f in features],
    }


def _public(props: dict) -> dict:
    return {k: v for k, v in props.items() if k not in ("tooltip", "color", "dash", "width", "fill_opacity")}
