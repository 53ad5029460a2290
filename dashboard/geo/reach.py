"""Which capitals and major cities lie within each ring (no Streamlit). Distances in km."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.geo.antimeridian import contains
from dashboard.geo.geodesic import geodesic_distance_km
from dashboard.data.units import rounded_distance
from dashboard.geo.places import IRAN_ISO_A3
from dashboard.geo.ranges import Origin

COLUMNS = ["System", "Range (as published)", "City", "Country", "Kind", "Distance (km)", "Margin (km)", "Measured from"]


def distances_km(origin: Origin, cities: pd.DataFrame, outline: dict | None) -> np.ndarray:
    """Geodesic distance from the origin (point) or from Iran's border (territory; 0 inside)."""
    lon, lat = cities["lon"].to_numpy(float), cities["lat"].to_numpy(float)
    if origin.kind != "territory":
        return geodesic_distance_km(origin.lon, origin.lat, lon, lat)
    border = _border_points(outline)
    best = np.full(len(cities), np.inf)
    for blon, blat in border:
        best = np.minimum(best, geodesic_distance_km(blon, blat, lon, lat))
    inside = contains(outline, lon, lat)
    return np.where(inside, 0.0, best)


def _border_points(outline: dict, step_deg: float = 0.1) -> np.ndarray:
    """Border vertices densified to about ``step_deg`` degrees (~10 km at 0.1)."""
    polys = [outline["coordinates"]] if outline["type"] == "Polygon" else outline["coordinates"]
    out = []
    for poly in polys:
        ring = np.asarray(poly[0], float)[:, :2]
        a, b = ring[:-1], ring[1:]
        n = np.maximum(1, np.ceil(np.abs(b - a).max(axis=1) / step_deg).astype(int))
        seg = np.repeat(np.arange(len(a)), n)
        t = (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)) / np.repeat(n, n)
        out.append(a[seg] + (b[seg] - a[seg]) * t[:, None])
    return np.vstack(out)


def launch_country(origin: Origin, countries: dict) -> str:
    """ISO alpha-3 of the country ranges are measured from ('' at sea): Iran for the
    territory envelope, else the base-map country containing the launch point."""
    if origin.kind == "territory":
        return IRAN_ISO_A3
    for feature in countries["features"]:
        if contains(feature["geometry"], origin.lon, origin.lat).any():
            return str(feature["properties"].get("iso_a3", ""))
    return ""


def reach_table(features: list[dict], cities: pd.DataFrame, origin: Origin, outline: dict | None,
                launch_iso: str = "") -> pd.DataFrame:
    """One row per (ring, city within it) outside the launch country, nearest first within
    each system. Ranges as published; distances and margins rounded to DISTANCE_STEP_KM."""
    dist = distances_km(origin, cities, outline)
    abroad = (cities["iso_a3"] != launch_iso).to_numpy() if launch_iso else np.ones(len(cities), bool)
    rows = []
    for f in features:
        p = f["properties"]
        if p["kind"] != "ring":
            continue
        within = (dist <= p["range_exact_km"]) & abroad
        for i in np.flatnonzero(within):
            c = cities.iloc[i]
            rows.append([p["system_name"], p["published"], p["range_exact_km"], c["name"], c["country"], c["kind"],
                         rounded_distance(float(dist[i])), rounded_distance(p["range_exact_km"] - float(dist[i])),
                         origin.label])
    frame = pd.DataFrame(rows, columns=[*COLUMNS[:2], "_km", *COLUMNS[2:]])
    frame = frame.sort_values(["_km", "System", "Distance (km)", "City"], kind="stable").drop(columns="_km")
    return frame.reset_index(drop=True)


def country_points(countries: dict, step_deg: float = 0.5) -> tuple[list[str], list[str], np.ndarray, np.ndarray]:
    """Every base-map country's border densified to ``step_deg`` degrees, for
    :func:`ring_facts`: ``(names, iso_a3 codes, owner index per point, points)``."""
    features = countries["features"]
    points = [_border_points(f["geometry"], step_deg) for f in features]
    owner = np.repeat(np.arange(len(features)), [len(pts) for pts in points])
    return ([str(f["properties"].get("name", "")) for f in features], [str(f["properties"].get("iso_a3", "")) for f in features],
            owner, np.vstack(points))


def ring_facts(features: list[dict], borders, cities: pd.DataFrame, launch_iso: str) -> list[dict]:
    """Per ring: the capitals within it and the countries wholly or partly within it,
    from the shipped base map (``borders`` from :func:`country_points`), the launch
    country left out. Returns ``[{system_name, published, capitals, wholly, partly}]``."""
    names, codes, owner, points = borders
    capitals = cities[(cities["kind"] == "capital") & (cities["iso_a3"] != launch_iso)]
    facts = []
    for f in features:
        p = f["properties"]
        if p["kind"] != "ring":
            continue
        inside = contains(f["geometry"], points[:, 0], points[:, 1])
        count_in = np.bincount(owner, weights=inside, minlength=len(names))
        count_all = np.bincount(owner, minlength=len(names))
        abroad = [(n, k, t) for n, c, k, t in zip(names, codes, count_in, count_all) if c != launch_iso]
        wholly = sorted(n for n, k, t in abroad if k == t)
        partly = sorted(n for n, k, t in abroad if 0 < k < t)
        within = contains(f["geometry"], capitals["lon"].to_numpy(float), capitals["lat"].to_numpy(float))
        facts.append({"system_name": p["system_name"], "published": p["published"],
                      "capitals": sorted(capitals.loc[within, "name"]), "wholly": wholly, "partly": partly})
    return facts


def csv_safe(frame: pd.DataFrame) -> bytes:
    """CSV bytes with spreadsheet formula injection neutralised (= + - @ at a text cell's start)."""
    safe = frame.copy()
    for col in safe.columns:
        if safe[col].dtype == object or str(safe[col].dtype).startswith("str"):
            safe[col] = safe[col].map(lambda v: "'" + v if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r") else v)
    return safe.to_csv(index=False).encode("utf-8")
