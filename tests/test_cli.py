"""The `dashboard rings` / `dashboard reach` commands: accuracy of what they print, and errors."""

from __future__ import annotations

import csv
import io
import json
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from pyproj import Geod

from dashboard.cli import _attach_negative_values, main, standard_set
from tests.datafix import set_cell

GEOD = Geod(ellps="WGS84")
TOLERANCE_M = 1.0


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def vertices(geometry: dict) -> np.ndarray:
    polys = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    return np.array([pt for poly in polys for ring in poly for pt in ring], dtype=float)


def ring_vertices(geometry: dict) -> np.ndarray:
    """Every vertex except the corners (+-180, +-90) that close a polygon around a pole
    along the map edge (dashboard.geo.antimeridian): all of these lie on the circle,
    including those on the antimeridian."""
    pts = vertices(geometry)
    closure = np.abs(pts[:, 1]) == 90.0
    assert (np.abs(pts[closure, 0]) == 180.0).all()
    return pts[~closure]


def errors_m(lon: float, lat: float, pts: np.ndarray, range_km: float) -> np.ndarray:
    """|geodesic distance from (lon, lat) - range_km| for every point, metres."""
    _, _, dist = GEOD.inv(np.full(len(pts), lon), np.full(len(pts), lat), pts[:, 0], pts[:, 1])
    return np.abs(np.asarray(dist) - range_km * 1000.0)


@pytest.mark.parametrize("origin, lon, lat", [
    ("tehran", 51.42151, 35.69439),
    ("35.7,179.6", 179.6, 35.7),        # next to the antimeridian
    ("-20,-179.9", -179.9, -20.0),
    ("89.5,10", 10.0, 89.5),            # near the north pole
    ("-89.5,-60", -60.0, -89.5),        # near the south pole
])
@pytest.mark.parametrize("claim", ["seed", "max"])
def test_every_ring_vertex_is_at_the_claimed_distance(capsys, package, origin, lon, lat, claim):
    code, out, _ = run(capsys, "rings", "--system", "all", f"--from={origin}", "--claim", claim, "--points", "180")
    assert code == 0
    collection = json.loads(out)
    assert len(collection["features"]) == 4
    claimed_km = package.range_claims.set_index("id")["range_km"]  # unrounded
    for feature in collection["features"]:
        props = feature["properties"]
        assert {"system", "range_km", "claim", "source", "origin"} <= props.keys()
        pts = ring_vertices(feature["geometry"])
        assert len(pts) >= 180
        assert errors_m(lon, lat, pts, claimed_km[props["claim"]]).max() < TOLERANCE_M


def test_exact_distance_for_an_unrounded_claim(capsys):
    code, out, _ = run(capsys, "rings", "--system", "SHAHAB3", "--claim", "RC05", "--from", "89.5,10")
    feature = json.loads(out)["features"][0]
    assert feature["properties"]["range_km"] == 1300 and feature["properties"]["claim"] == "RC05"
    pts = ring_vertices(feature["geometry"])
    assert errors_m(10.0, 89.5, pts, 1300.0).max() < TOLERANCE_M  # every vertex, densified ones too


def test_antimeridian_ring_is_split(capsys):
    _, out, _ = run(capsys, "rings", "--system", "SEJJIL", "--from", "0,179.5")
    geometry = json.loads(out)["features"][0]["geometry"]
    assert geometry["type"] == "MultiPolygon" and len(geometry["coordinates"]) == 2
    for poly in geometry["coordinates"]:
        ring = np.array(poly[0])
        assert np.abs(np.diff(ring[:, 0])).max() < 180


def test_territory_rings_and_band(capsys):
    code, out, _ = run(capsys, "rings", "--system", "SEJJIL", "--from", "territory", "--band")
    assert code == 0
    kinds = [f["properties"]["kind"] for f in json.loads(out)["features"]]
    assert kinds == ["band", "ring"]


def test_reach_csv(capsys):
    code, out, _ = run(capsys, "reach", "--system", "SHAHAB3")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and rows
    cities = {r["City"] for r in rows}
    assert {"Baghdad", "Kuwait City"} <= cities and "London" not in cities
    assert "Tehran" not in cities and not any(r["Country"] == "Iran" for r in rows)  # the launch country is not "reached"
    assert all(int(r["Distance (km)"]) <= 1300 and int(r["Distance (km)"]) % 10 == 0 for r in rows)  # rounded to 10 km
    assert {r["Range (as published)"] for r in rows} == {"1,300 km ≈ 808 mi"}  # RC05, the best-supported figure


@pytest.mark.parametrize("argv, words", [
    (["rings", "--system", "NOPE"], "unknown system 'NOPE'"),
    (["rings", "--from", "95,10"], "out of bounds"),
    (["rings", "--from", "somewhere"], "unknown launch point"),
    (["rings", "--claim", "RC20", "--system", "SHAHAB3"], "not a maximum range"),
    (["rings", "--claim", "RC05", "--system", "SEJJIL"], "default"),
    (["rings", "--points", "3"], "n_points"),
    (["reach", "--claim", "huge"], "unknown claim"),
])
def test_bad_arguments_are_one_line_and_exit_2(capsys, argv, words):
    code, out, err = run(capsys, *argv)
    if words == "default":  # a claim of another system: that system keeps its default (best-supported) ring
        assert code == 0 and json.loads(out)["features"][0]["properties"]["claim"] == "RC08"
        return
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], err


def test_non_numeric_points_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["rings", "--points", "x"])
    assert exc.value.code == 2


def test_data_before_or_after_the_command(data_copy, tmp_path, monkeypatch, capsys):
    set_cell(data_copy, "range_claims.csv", "RC05", "range_km", "-5")
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(tmp_path / "nowhere"))  # --data must win
    before = run(capsys, "--data", str(data_copy), "validate")
    after = run(capsys, "validate", "--data", str(data_copy))
    assert before == after and before[0] == 2 and "range_claims.csv:" in before[1]


def test_negative_latitude_without_equals(capsys):
    spaced = run(capsys, "rings", "--system", "SEJJIL", "--from", "-40,179.5", "--points", "60")
    joined = run(capsys, "rings", "--system", "SEJJIL", "--from=-40,179.5", "--points", "60")
    assert spaced == joined and spaced[0] == 0
    assert json.loads(spaced[1])["features"][0]["properties"]["origin"] == "40.00°S 179.50°E"


def test_only_a_from_value_is_attached():
    assert _attach_negative_values(["reach", "--from", "-4,5", "--system", "all"]) == ["reach", "--from=-4,5", "--system", "all"]
    assert _attach_negative_values(["reach", "--from", "--system", "-4"]) == ["reach", "--from", "--system", "-4"]


def test_export_all_follows_systems_csv(package):
    fake = SimpleNamespace(systems=pd.DataFrame({"id": ["AAA", "B_2"]}))
    names = [name for name, _, _ in standard_set(fake)]
    assert {"chain-aaa.png", "chain-b_2.png", "map-tehran.png", "ranges.png", "network.png"} <= set(names)
    chains = [query for _, figure, query in standard_set(package) if figure == "chain"]
    assert chains == [f"systems={sid}" for sid in package.systems["id"]]
