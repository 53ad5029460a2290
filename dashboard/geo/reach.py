"""Which capitals and major cities lie within each ring (no Streamlit). Distances in km."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.geo.antimeridian import contains
from dashboard.geo.geodesic import geodesic_distance_km
from dashboard.geo.ranges import Origin

COLUMNS = ["System", "Range (km)", "City", "Country", "Kind", "Distance (km)", "Margin (km)", "Measured from"]


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
    """Border vertices densified to about ``step_deg`` degrees (~10 km)."""
    polys = [outline["coordinates"]] if outline["type"] == "Polygon" else outline["coordinates"]
    out = []
    for poly in polys:
        ring = np.asarray(poly[0], float)
        for a, b in zip(ring[:-1], ring[1:]):
            n = max(1, int(np.ceil(np.abs(b - a).max() / step_deg)))
            out.append(a + (b - a) * np.linspace(0, 1, n, endpoint=False)[:, None])
    return np.vstack(out)


def reach_table(features: list[dict], cities: pd.DataFrame, origin: Origin, outline: dict | None) -> pd.DataFrame:
    """One row per (ring, city within it), nearest first within each system."""
    dist = distances_km(origin, cities, outline)
    rows = []
    for f in features:
        p = f["properties"]
        if p["kind"] != "ring":
            continue
        within = dist <= p["range_km"]
        for i in np.flatnonzero(within):
            c = cities.iloc[i]
            rows.append([p["system_name"], p["range_km"], c["name"], c["country"], c["kind"],
                         round(float(dist[i])), round(p["range_km"] - float(dist[i])), origin.label])
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.sort_values(["Range (km)", "System", "Distance (km)"], kind="stable").reset_index(drop=True)


def csv_safe(frame: pd.DataFrame) -> bytes:
    """CSV bytes with spreadsheet formula injection neutralised (= + - @ at a text cell's start)."""
    safe = frame.copy()
    for col in safe.columns:
        if safe[col].dtype == object or str(safe[col].dtype).startswith("str"):
            safe[col] = safe[col].map(lambda v: "'" + v if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r") else v)
    return safe.to_csv(index=False).encode("utf-8")
