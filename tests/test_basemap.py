"""dashboard.geo.basemap and the committed data/basemap files (read only)."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import shape

from dashboard.geo import basemap
from dashboard.geo import antimeridian, geodesic

BASEMAP = Path(__file__).resolve().parent.parent / "data" / "basemap"
TEHRAN = (51.42151, 35.69439)
NATURAL_EARTH_110M_COUNTRIES = 177
NATURAL_EARTH_110M_PLACES = 243
SOURCE_ID = "SRC_NATURAL_EARTH"


@pytest.fixture(scope="module")
def countries() -> dict:
    return basemap.load_countries(BASEMAP)


@pytest.fixture(scope="module")
def cities() -> pd.DataFrame:
    return basemap.load_cities(BASEMAP)


def test_countries_file_is_small():
    assert (BASEMAP / basemap.COUNTRIES_FILE).stat().st_size < 300_000


def test_countries_are_the_natural_earth_110m_set(countries):
    features = countries["features"]
    assert countries["type"] == "FeatureCollection"
    assert len(features) == NATURAL_EARTH_110M_COUNTRIES
    isos = [f["properties"]["iso_a3"] for f in features]
    assert len(set(isos)) == len(isos) and "-99" not in isos
    assert all(re.fullmatch(r"[A-Z]{3}", iso) for iso in isos)
    assert {"IRN", "NOR", "FRA", "XKX", "ATA", "RUS", "FJI"} <= set(isos)
    for f in features:
        assert set(f["properties"]) == {"name", "iso_a3", "continent", "encloses_pole"}
        assert f["properties"]["encloses_pole"] == (f["properties"]["iso_a3"] == "ATA")
        assert f["properties"]["name"] == unicodedata.normalize("NFC", f["properties"]["name"]).strip()


def test_country_geometries_are_valid_rounded_rfc7946(countries):
    for f in countries["features"]:
        geom = f["geometry"]
        assert geom["type"] in ("Polygon", "MultiPolygon")
        assert shape(geom).is_valid, f["properties"]["name"]
        polys = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
        for poly in polys:
            for i, ring in enumerate(poly):
                r = np.asarray(ring, dtype=float)
                assert (r[0] == r[-1]).all() and len(r) >= 4
                assert (np.abs(r[:, 0]) <= 180).all() and (np.abs(r[:, 1]) <= 90).all()
                assert np.allclose(r, np.round(r, 2), atol=1e-9)  # 0.01 degree grid
                area = float(np.dot(r[:-1, 0], r[1:, 1]) - np.dot(r[1:, 0], r[:-1, 1]))
                assert area > 0 if i == 0 else area < 0  # exterior CCW, holes CW


def test_country_outline(countries):
    iran = basemap.country_outline(countries, "IRN")
    assert iran["type"] == "Polygon"
    assert antimeridian.contains(iran, *TEHRAN).item()
    assert basemap.country_outline(countries, "irn") == iran
    assert basemap.country_outline(countries) == iran
    with pytest.raises(ValueError):
        basemap.country_outline(countries, "XXX")


def test_cities_columns_types_and_bounds(cities):
    assert list(cities.columns) == basemap.CITY_COLUMNS
    assert len(cities) == NATURAL_EARTH_110M_PLACES
    assert cities["lat"].dtype == float and cities["lon"].dtype == float
    assert cities["lat"].abs().max() <= 90 and cities["lon"].abs().max() <= 180
    assert cities["id"].is_unique and cities["id"].str.fullmatch(r"CITY_[A-Z0-9_]+").all()
    assert set(cities["kind"]) == {"capital", "city"}
    assert (cities["source"] == SOURCE_ID).all()
    for col in ("name", "country", "iso_a3"):
        assert (cities[col].str.len() > 0).all()
    for name in cities["name"]:
        assert "?" not in name and name == unicodedata.normalize("NFC", " ".join(name.split()))


def test_tehran_is_a_capital_in_iran(cities):
    row = cities.set_index("id").loc["CITY_TEHRAN"]
    assert (row["name"], row["country"], row["iso_a3"], row["kind"]) == ("Tehran", "Iran", "IRN", "capital")
    assert geodesic.geodesic_distance_km(row["lon"], row["lat"], *TEHRAN) < 10


def test_city_countries_match_the_polygons(cities, countries):
    by_iso = {f["properties"]["iso_a3"]: f for f in countries["features"]}
    inside = 0
    for row in cities.itertuples():
        feature = by_iso.get(row.iso_a3)
        if feature is None:
            continue  # a country too small for the 110m map (see data/basemap/README.md)
        assert feature["properties"]["name"] == row.country
        inside += bool(antimeridian.contains(feature["geometry"], row.lon, row.lat).item())
    assert inside >= 195  # all but the handful listed in the README


def test_cities_read_na_as_text(tmp_path):
    path = tmp_path / basemap.CITIES_FILE
    path.write_text(
        ",".join(basemap.CITY_COLUMNS) + "\nCITY_NA,NA,NA,NA,1.5,2.5,city,N/A\nCITY_X,,None,nan,0,0,city,\n",
        encoding="utf-8",
    )
    frame = basemap.load_cities(tmp_path)
    assert frame.loc[0, "name"] == "NA" and frame.loc[0, "iso_a3"] == "NA" and frame.loc[0, "source"] == "N/A"
    assert frame.loc[1, "name"] == "" and frame.loc[1, "country"] == "None" and frame.loc[1, "iso_a3"] == "nan"
    assert not frame.drop(columns=["lat", "lon"]).isna().any().any()
    assert frame.loc[0, "lat"] == 1.5


@pytest.mark.parametrize("lat", ["NA", "", "91", "abc"])
def test_cities_reject_bad_coordinates(tmp_path, lat):
    (tmp_path / basemap.CITIES_FILE).write_text(
        ",".join(basemap.CITY_COLUMNS) + f"\nCITY_X,X,X,XXX,{lat},0,city,S\n", encoding="utf-8"
    )
    with pytest.raises(ValueError):
        basemap.load_cities(tmp_path)


def test_cities_reject_other_columns(tmp_path):
    (tmp_path / basemap.CITIES_FILE).write_text("id,name,lat,lon\nCITY_X,X,0,0\n", encoding="utf-8")
    with pytest.raises(ValueError):
        basemap.load_cities(tmp_path)


def test_countries_reject_a_non_collection(tmp_path):
    (tmp_path / basemap.COUNTRIES_FILE).write_text(json.dumps({"type": "Feature"}), encoding="utf-8")
    with pytest.raises(ValueError):
        basemap.load_countries(tmp_path)
