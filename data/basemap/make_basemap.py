"""Re-make data/basemap/countries.geojson and data/basemap/cities.csv.

Run by hand from the repository root, never by the app or the tests::

    .venv/bin/python data/basemap/make_basemap.py            # downloads the wheel
    .venv/bin/python data/basemap/make_basemap.py --wheel W  # or uses a local copy

Source: Natural Earth 1:110m data (public domain) as shipped inside the
``geopandas==0.14.4`` wheel (``geopandas/datasets/naturalearth_lowres`` and
``geopandas/datasets/naturalearth_cities``). The wheel is fetched with ``pip download
--no-deps`` into a temporary folder and read with pyshp; nothing is installed. Needs
pyshp, shapely and pyproj (all in the project's venv).

countries.geojson
    One Feature per Natural Earth admin-0 country (177). Properties: ``name``,
    ``iso_a3``, ``continent``, ``encloses_pole``. Coordinates snapped to a 0.01 degree
    grid with ``shapely.set_precision`` (which keeps polygons valid), consecutive
    duplicates dropped. Rings follow RFC 7946: exteriors counter-clockwise, holes
    clockwise (the shapefile has the opposite order). ``iso_a3 == "-99"`` is patched
    from ``ISO_A3_PATCHES``. Antarctica stays in the file with ``encloses_pole:
    true``: its ring runs around the South Pole, so a filled plotly trace of it floods
    the globe; plotly renderers skip it (``dashboard.figures.static_map``).

cities.csv
    The 243 Natural Earth 110m populated places. Columns ``id, name, country, iso_a3,
    lat, lon, kind, source``. ``country``/``iso_a3`` come from a point-in-polygon test
    against the countries.geojson written here. Exceptions, each listed when the
    script runs: a point inside no polygon gets the nearest country (geodesic
    distance to its outline; checked against ``NEAREST_EXPECTED``); capitals of
    countries too small for the 110m map, and five places the coarse outline puts in
    a neighbour, get Natural Earth's own ADM0 country (``ADM0_NOT_ON_MAP``,
    ``ADM0_ON_MAP``). ``kind`` is ``capital`` when Natural Earth's FEATURECLA is
    "Admin-0 capital" (see ``NOT_CAPITAL``), else ``city``.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import re
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from pathlib import Path

import numpy as np
import pyproj
import shapefile  # pyshp
import shapely
from shapely.geometry import shape
from shapely.geometry.polygon import orient

HERE = Path(__file__).resolve().parent
WHEEL = "geopandas==0.14.4"
COUNTRIES_MEMBER = "geopandas/datasets/naturalearth_lowres/naturalearth_lowres"
CITIES_MEMBER = "geopandas/datasets/naturalearth_cities/naturalearth_cities"
GRID_DEG = 0.01

# Natural Earth writes "-99" where ISO 3166 has no code or NE withheld it. The
# geopandas 0.14.4 copy already fixed all but Kosovo (the pyogrio 0.13 test fixture
# still has all five). XKX is the user-assigned code used by the EU and the IMF;
# CYN and SOL are Natural Earth's own ADM0_A3 codes (ISO has none).
ISO_A3_PATCHES = {"Kosovo": "XKX", "Norway": "NOR", "France": "FRA", "N. Cyprus": "CYN", "Somaliland": "SOL"}

# The wheel's city file keeps only NAME, and its DBF (ISO-8859-1) lost two names to
# "?". Restored from Natural Earth's own NAME values.
NAME_FIXES = {"Chi?in?u": "Chișinău", "?saka": "Ōsaka"}

# Places that are not national capitals. Transcribed from the FEATURECLA (and ADM0CAP
# / CAPIN) fields of Natural Earth's ne_110m_populated_places_simple.geojson
# (nvkelso/natural-earth-vector, the same 243 places; the geopandas copy drops those
# fields): every place whose FEATURECLA is not "Admin-0 capital" -- i.e. "Admin-0
# capital alt" seats such as The Hague or Dodoma, "Admin-0 region capital" (Hong
# Kong), "Admin-1 ..." and "Populated place" -- plus two that NE classes "Admin-0
# capital" while its own fields say otherwise: Yangon (CAPIN "Former capital") and
# Johannesburg (ADM0CAP 0). Names as spelled in the geopandas copy.
NOT_CAPITAL = {
    # Admin-0 capital alt
    "Lobamba", "Bir Lehlou", "The Hague", "Sri Jayawardenepura Kotte", "Baguio", "Dodoma",
    "Laayoune", "Putrajaya", "Kyoto", "Porto-Novo", "Valparaíso", "Tel Aviv", "Lagos",
    # Admin-0 region capital
    "Hong Kong",
    # Admin-1 capital / Admin-1 region capital / Populated place
    "San Francisco", "Denver", "Houston", "Miami", "Atlanta", "Chicago", "Dubai", "Geneva",
    "Casablanca", "Monterrey", "Ürümqi", "Chengdu", "Ōsaka", "Bengaluru", "Vancouver",
    "Toronto", "Melbourne", "Auckland", "Los Angeles", "New York", "Istanbul", "Shanghai",
    "Mumbai", "Kolkata", "Rio de Janeiro", "São Paulo", "Sydney",
    # "Admin-0 capital" in NE, but not a capital by NE's own ADM0CAP / CAPIN fields
    "Yangon", "Johannesburg",
}

# Places whose country the point-in-polygon test cannot give. The country is then
# Natural Earth's own ADM0 for the place (ADM0NAME / ADM0_A3 of the same
# ne_110m_populated_places_simple.geojson; ISO 3166 alpha-3 codes):
# * countries too small for the 110m map (mostly island and micro-states): without
#   this, Majuro would be listed in Solomon Is. and Vatican City in Italy;
ADM0_NOT_ON_MAP = {
    "Vatican City": ("VAT", "Vatican (Holy See)"), "San Marino": ("SMR", "San Marino"),
    "Vaduz": ("LIE", "Liechtenstein"), "Monaco": ("MCO", "Monaco"), "Andorra": ("AND", "Andorra"),
    "Singapore": ("SGP", "Singapore"), "Valletta": ("MLT", "Malta"),
    "Palikir": ("FSM", "Federated States of Micronesia"), "Majuro": ("MHL", "Marshall Islands"),
    "Funafuti": ("TUV", "Tuvalu"), "Melekeok": ("PLW", "Palau"), "Tarawa": ("KIR", "Kiribati"),
    "Moroni": ("COM", "Comoros"), "Roseau": ("DMA", "Dominica"), "Bridgetown": ("BRB", "Barbados"),
    "Kingstown": ("VCT", "Saint Vincent and the Grenadines"), "Castries": ("LCA", "Saint Lucia"),
    "Basseterre": ("KNA", "Saint Kitts and Nevis"), "Port Louis": ("MUS", "Mauritius"),
    "Saint George's": ("GRD", "Grenada"), "Manama": ("BHR", "Bahrain"),
    "Saint John's": ("ATG", "Antigua and Barbuda"), "Victoria": ("SYC", "Seychelles"),
    "São Tomé": ("STP", "Sao Tome and Principe"), "Apia": ("WSM", "Samoa"), "Malé": ("MDV", "Maldives"),
    "Praia": ("CPV", "Cape Verde"), "Nuku'alofa": ("TON", "Tonga"),
}
# * places the coarse 110m outline puts in a neighbour: Malabo (Bioko is not on the
#   map; nearest polygon Cameroon), Brazzaville (river border), Geneva (lake
#   border), Nicosia (in the N. Cyprus polygon; NE: capital of Cyprus) and Jerusalem
#   (in the Palestine polygon; NE's ADM0 is Israel; the city's status is disputed).
ADM0_ON_MAP = {"Malabo": "GNQ", "Brazzaville": "COG", "Geneva": "CHE", "Nicosia": "CYP", "Jerusalem": "ISR"}
# Points in no polygon (coastal cities just off the 110m coastline) take the nearest
# country; the script checks it is the expected one.
NEAREST_EXPECTED = {
    "Djibouti": "DJI", "Montevideo": "URY", "Port Vila": "VUT", "Freetown": "SLE",
    "Valparaíso": "CHL", "Nassau": "BHS", "Tripoli": "LBY", "Istanbul": "TUR",
}

CITY_COLUMNS = ["id", "name", "country", "iso_a3", "lat", "lon", "kind", "source"]
SOURCE_ID = "SRC_NATURAL_EARTH"
FOLD = str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "ß": "ss", "đ": "d", "Đ": "D", "ł": "l", "Ł": "L"})
GEOD = pyproj.Geod(ellps="WGS84")


def fetch_wheel(folder: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", WHEEL, "-d", str(folder)],
        check=True,
    )
    (wheel,) = folder.glob("geopandas-0.14.4-*.whl")
    return wheel


def reader(wheel: zipfile.ZipFile, member: str) -> shapefile.Reader:
    parts = {ext: io.BytesIO(wheel.read(f"{member}.{ext}")) for ext in ("shp", "shx", "dbf")}
    encoding = wheel.read(f"{member}.cpg").decode("ascii").strip()
    return shapefile.Reader(shp=parts["shp"], shx=parts["shx"], dbf=parts["dbf"], encoding=encoding)


def plain(text: str) -> str:
    text = NAME_FIXES.get(text, text)
    text = unicodedata.normalize("NFC", " ".join(text.split()))
    if "?" in text or any(unicodedata.category(c).startswith("C") for c in text):
        raise SystemExit(f"name is not plain text: {text!r}")
    return text


def rounded(value: float) -> float:
    return round(float(value), 2) + 0.0  # + 0.0 turns -0.0 into 0.0


def country_features(rd: shapefile.Reader) -> list[dict]:
    fields = [f.name for f in rd.fields[1:]]
    features = []
    for rec, shp in zip(rd.records(), rd.shapes()):
        props = dict(zip(fields, rec))
        name = plain(props["name"])
        iso = props["iso_a3"]
        if iso == "-99":
            iso = ISO_A3_PATCHES[name]
        geom = shapely.set_precision(shape(shp.__geo_interface__), GRID_DEG)
        polys = [orient(p, sign=1.0) for p in getattr(geom, "geoms", [geom]) if not p.is_empty]
        assert all(p.is_valid for p in polys), name
        rings = []
        for p in polys:
            rings.append([[[rounded(x), rounded(y)] for x, y in r.coords] for r in (p.exterior, *p.interiors)])
        geometry = (
            {"type": "Polygon", "coordinates": rings[0]}
            if len(rings) == 1
            else {"type": "MultiPolygon", "coordinates": rings}
        )
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "name": name,
                    "iso_a3": iso,
                    "continent": plain(props["continent"]),
                    "encloses_pole": iso == "ATA",
                },
                "geometry": geometry,
            }
        )
    isos = [f["properties"]["iso_a3"] for f in features]
    assert len(set(isos)) == len(isos) and "-99" not in isos, "iso_a3 must be unique and patched"
    return features


def write_countries(features: list[dict], path: Path) -> None:
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features]
    path.write_text('{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n", encoding="utf-8")


def slug(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name.translate(FOLD))
    folded = "".join(c for c in folded if not unicodedata.combining(c)).replace("'", "")
    return "CITY_" + re.sub(r"[^A-Z0-9]+", "_", folded.upper()).strip("_")


def nearest_country(lon: float, lat: float, features: list[dict]) -> tuple[dict, float]:
    """Country whose outline is nearest (geodesic), and the distance in km.

    Candidates: the three countries with the nearest vertex (pyproj inverse); for
    those, the distance to the outline's edges in an azimuthal equidistant plane
    centred on the point (exact for distances from the centre).
    """
    by_vertex = []
    for f in features:
        xy = shapely.get_coordinates(shape(f["geometry"]))
        _, _, d = GEOD.inv(np.full(len(xy), lon), np.full(len(xy), lat), xy[:, 0], xy[:, 1])
        by_vertex.append((float(np.min(d)), f))
    by_vertex.sort(key=lambda t: t[0])
    aeqd = pyproj.Transformer.from_crs(
        "EPSG:4326",
        pyproj.CRS.from_proj4(f"+proj=aeqd +lat_0={lat} +lon_0={lon} +datum=WGS84 +units=m"),
        always_xy=True,
    )
    best, best_m = None, float("inf")
    for _, f in by_vertex[:3]:
        projected = shapely.transform(shape(f["geometry"]), lambda c: np.column_stack(aeqd.transform(c[:, 0], c[:, 1])))
        d = projected.distance(shapely.Point(0, 0))
        if d < best_m:
            best, best_m = f, d
    return best, best_m / 1000.0


def city_rows(rd: shapefile.Reader, features: list[dict]) -> tuple[list[dict], list[str]]:
    polys = [shape(f["geometry"]) for f in features]
    for p in polys:
        shapely.prepare(p)
    by_iso = {f["properties"]["iso_a3"]: f["properties"]["name"] for f in features}
    rows, notes = [], []
    names = set()
    for rec, shp in zip(rd.records(), rd.shapes()):
        name = plain(rec[0])
        names.add(name)
        lon, lat = shp.points[0]
        hits = [f for f, p in zip(features, polys) if p.covers(shapely.Point(lon, lat))]
        assert len(hits) <= 1, f"{name} falls in {len(hits)} countries"
        if name in ADM0_NOT_ON_MAP:
            iso, country = ADM0_NOT_ON_MAP[name]
            assert iso not in by_iso, iso
            found = hits[0]["properties"]["name"] if hits else "no polygon"
            notes.append(f"{name}: {country} ({iso}), not on the 110m map (point-in-polygon: {found})")
        elif name in ADM0_ON_MAP:
            iso = ADM0_ON_MAP[name]
            country = by_iso[iso]
            found = hits[0]["properties"]["name"] if hits else "no polygon"
            notes.append(f"{name}: {country} ({iso}) per Natural Earth's ADM0 (point-in-polygon: {found})")
        elif hits:
            iso, country = hits[0]["properties"]["iso_a3"], hits[0]["properties"]["name"]
        else:
            nearest, km = nearest_country(lon, lat, features)
            iso, country = nearest["properties"]["iso_a3"], nearest["properties"]["name"]
            assert NEAREST_EXPECTED.get(name) == iso, f"{name}: nearest country {iso}, expected {NEAREST_EXPECTED.get(name)}"
            notes.append(f"{name}: in no 110m polygon; nearest country {country} ({iso}, {km:.0f} km)")
        rows.append(
            {
                "id": slug(name),
                "name": name,
                "country": country,
                "iso_a3": iso,
                "lat": f"{lat:.5f}",
                "lon": f"{lon:.5f}",
                "kind": "city" if name in NOT_CAPITAL else "capital",
                "source": SOURCE_ID,
            }
        )
    for table in (NOT_CAPITAL, ADM0_NOT_ON_MAP, ADM0_ON_MAP, NEAREST_EXPECTED):
        missing = set(table) - names
        assert not missing, f"names not in the file: {sorted(missing)}"
    ids = [r["id"] for r in rows]
    assert len(set(ids)) == len(ids), "city ids must be unique"
    return sorted(rows, key=lambda r: r["id"]), notes


def write_cities(rows: list[dict], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=CITY_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help="a local geopandas-0.14.4 wheel (default: pip download it)")
    parser.add_argument("--out", type=Path, default=HERE, help="output folder (default: this folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        wheel_path = args.wheel or fetch_wheel(Path(tmp))
        digest = hashlib.sha256(wheel_path.read_bytes()).hexdigest()
        print(f"{wheel_path.name} sha256 {digest}")
        with zipfile.ZipFile(wheel_path) as wheel:
            features = country_features(reader(wheel, COUNTRIES_MEMBER))
            rows, notes = city_rows(reader(wheel, CITIES_MEMBER), features)
    write_countries(features, args.out / "countries.geojson")
    write_cities(rows, args.out / "cities.csv")
    print(f"countries.geojson: {len(features)} features, {(args.out / 'countries.geojson').stat().st_size:,} bytes")
    print(f"cities.csv: {len(rows)} rows, {sum(r['kind'] == 'capital' for r in rows)} capitals")
    for note in notes:
        print("  " + note)


if __name__ == "__main__":
    main()
