"""Offline base map: Natural Earth 110m countries and populated places.

No Streamlit here. Every function takes the folder holding ``countries.geojson`` and
``cities.csv`` (normally ``data/basemap``) as a :class:`pathlib.Path` and only reads
it. How the files were made: ``data/basemap/make_basemap.py`` and
``data/basemap/README.md``. Coordinates are degrees (WGS84).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.geo.places import IRAN_ISO_A3

__all__ = [
    "CITIES_FILE",
    "CITY_COLUMNS",
    "COUNTRIES_FILE",
    "country_outline",
    "load_cities",
    "load_countries",
]

COUNTRIES_FILE = "countries.geojson"
CITIES_FILE = "cities.csv"
CITY_COLUMNS = ["id", "name", "country", "iso_a3", "lat", "lon", "kind", "source"]


def load_countries(data_dir: Path) -> dict:
    """The countries as a GeoJSON FeatureCollection.

    Parameters
    ----------
    data_dir : pathlib.Path
        Folder holding ``countries.geojson``.

    Returns
    -------
    dict
        FeatureCollection of 177 features with properties ``name``, ``iso_a3``,
        ``continent`` and ``encloses_pole`` (true only for Antarctica), geometry
        Polygon or MultiPolygon in degrees, RFC 7946 winding (exteriors
        counter-clockwise).

    Raises
    ------
    ValueError
        If the file is not a FeatureCollection with features.
    """
    path = Path(data_dir) / COUNTRIES_FILE
    with path.open(encoding="utf-8") as fh:
        collection = json.load(fh)
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection" or not collection.get("features"):
        raise ValueError(f"{path}: not a GeoJSON FeatureCollection with features")
    return collection


def country_outline(countries: dict, iso_a3: str = IRAN_ISO_A3) -> dict:
    """The geometry (GeoJSON Polygon/MultiPolygon, degrees) of one country.

    Parameters
    ----------
    countries : dict
        FeatureCollection from :func:`load_countries`.
    iso_a3 : str, optional
        ISO 3166 alpha-3 code (case-insensitive). Default ``IRAN_ISO_A3`` (Iran).

    Raises
    ------
    ValueError
        If no feature has that code.
    """
    code = str(iso_a3).strip().upper()
    for feature in countries.get("features") or []:
        if str((feature.get("properties") or {}).get("iso_a3", "")).upper() == code:
            return feature["geometry"]
    raise ValueError(f"no country with iso_a3 {iso_a3!r} in the base map")


def load_cities(data_dir: Path) -> pd.DataFrame:
    """Capitals and major cities for the "cities within range" table.

    Parameters
    ----------
    data_dir : pathlib.Path
        Folder holding ``cities.csv``.

    Returns
    -------
    pandas.DataFrame
        Columns ``id, name, country, iso_a3, lat, lon, kind, source`` in that order;
        every column is text except ``lat`` and ``lon`` (float, degrees). Text is read
        verbatim: "NA", "N/A" or an empty field stay strings, never NaN.

    Raises
    ------
    ValueError
        If the columns differ from ``CITY_COLUMNS`` or a coordinate is not a number
        within range.
    """
    path = Path(data_dir) / CITIES_FILE
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8")
    if list(frame.columns) != CITY_COLUMNS:
        raise ValueError(f"{path}: columns must be {CITY_COLUMNS}, got {list(frame.columns)}")
    for col, limit in (("lat", 90.0), ("lon", 180.0)):
        values = pd.to_numeric(frame[col], errors="coerce").astype(float)
        bad = ~np.isfinite(values) | (values.abs() > limit)
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise ValueError(f"{path}: row {row + 2}: {col} {frame[col].iloc[row]!r} is not a number within +-{limit:g}")
        frame[col] = values
    return frame
