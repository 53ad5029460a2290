"""Open formats (issue #15): KML rings, FollowTheMoney entities, SQLite for Datasette, the
Frictionless data package, and the app's download buttons for them.

Each output is read back with a real reader: xml.etree for KML, followthemoney's model for
FtM, sqlite3 for the database, frictionless for datapackage.json (with sockets blocked).
"""

from __future__ import annotations

import csv
import html
import io
import json
import socket
import sqlite3
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.cli import main
from dashboard.data.load import load_package
from dashboard.data.schema import load_schema
from dashboard.formats import datapackage, ftm, kml, provenance
from dashboard.formats import sqlite as fsqlite
from dashboard.geo.basemap import load_countries
from dashboard.geo.ranges import parse_origin
from dashboard.geo.rings import ring_features, to_geojson
from dashboard.views.dashboard import Dashboard
from dashboard.views.view import make_view
from tests.conftest import DATA
from tests.datafix import set_cell

K = "{http://www.opengis.net/kml/2.2}"
MARK = "TEST MARKING — formats"
APP = str(DATA.parent / "dashboard" / "app.py")


@pytest.fixture(autouse=True)
def marking(monkeypatch):
    monkeypatch.setenv("DASHBOARD_MARKING", MARK)


@pytest.fixture(scope="module")
def countries():
    return load_countries(DATA / "basemap")


def seed_rings(package, countries, systems, origin, band):
    """The rings of ``systems`` at their default claims from ``origin``."""
    view = make_view(package, tuple(systems), origin)
    return ring_features(package, countries, view.systems, view.claims, origin, band=band)


def csv_rows(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


# --------------------------------------------------------------------------- KML

def plain(balloon: str) -> str:
    """A description's HTML back to plain text lines."""
    return html.unescape(balloon.replace("<br>", "\n"))


def _floats(text: str) -> list[tuple[float, float]]:
    return [tuple(float(v) for v in pair.split(",")) for pair in text.split()]


def _polygon_rings(geometry: dict) -> list[list]:
    polys = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    return [ring for poly in polys for ring in poly]


@pytest.mark.parametrize("origin", ["tehran", "-20,-179.9", "territory", "80,60"])
def test_kml_has_one_placemark_per_ring_and_band_with_the_geojson_coordinates(package, countries, origin):
    feats = seed_rings(package, countries, list(package.systems["id"]), parse_origin(origin, package), True)
    geojson = to_geojson(feats)
    root = ET.fromstring(kml.to_kml(feats, provenance(package, "2026-01-02")))
    assert root.tag == f"{K}kml"
    marks = root.findall(f"{K}Document/{K}Placemark")
    assert len(marks) == len(geojson["features"]) == 8  # four rings and four bands
    styles = {s.get("id"): s for s in root.findall(f"{K}Document/{K}Style")}
    for mark, feature in zip(marks, geojson["features"]):
        expected = _polygon_rings(feature["geometry"])
        polygons = mark.findall(f"{K}MultiGeometry/{K}Polygon")
        got = [_floats(r.text) for p in polygons for r in p.iter(f"{K}coordinates")]
        assert got == [[tuple(v) for v in ring] for ring in expected]  # exactly the GeoJSON's
        vertices = {tuple(v) for ring in expected for v in ring}
        lines = mark.findall(f"{K}MultiGeometry/{K}LineString")
        assert lines and all(set(_floats(ls.find(f"{K}coordinates").text)) <= vertices for ls in lines)
        props = feature["properties"]
        assert mark.find(f"{K}name").text == next(f for f in feats if f["properties"]["label"] == props["label"])["properties"]["label"]
        text = plain(mark.find(f"{K}description").text)
        assert props["system_name"] in text and "Launch model: range measured from" in text
        if props["kind"] == "ring":
            for key in ("claim", "claimant", "source_title"):
                assert str(props[key]) in text
        style = styles[mark.find(f"{K}styleUrl").text[1:]]
        colour = next(f for f in feats if f["properties"]["label"] == props["label"])["properties"]["color"]
        assert style.find(f"{K}LineStyle/{K}color").text == kml.kml_colour(colour)
        assert float(style.find(f"{K}LineStyle/{K}width").text) > 0


def test_kml_split_ring_stays_whole_across_the_antimeridian(package, countries):
    feats = seed_rings(package, countries, ["SEJJIL"], parse_origin("-20,-179.9", package), False)
    mark = ET.fromstring(kml.to_kml(feats, provenance(package))).find(f"{K}Document/{K}Placemark")
    polygons = mark.findall(f"{K}MultiGeometry/{K}Polygon")
    lons = [lon for p in polygons for lon, _ in _floats(p.find(f".//{K}coordinates").text)]
    assert len(polygons) == 2 and min(lons) == -180 and max(lons) == 180  # the two halves meet on the meridian
    lines = mark.findall(f"{K}MultiGeometry/{K}LineString")
    seam = [pt for ls in lines for pt in _floats(ls.find(f"{K}coordinates").text) if abs(pt[0]) == 180]
    assert all(len(_floats(ls.find(f"{K}coordinates").text)) > 2 for ls in lines)
    assert len(seam) <= 2 * len(lines)  # outline ends touch the meridian; no edge runs along it


def test_kml_names_its_provenance(package, countries):
    feats = seed_rings(package, countries, ["GHADR1"], parse_origin("tehran", package), False)
    doc = ET.fromstring(kml.to_kml(feats, provenance(package, "2026-01-02"))).find(f"{K}Document")
    assert package.version in doc.find(f"{K}name").text
    description = plain(doc.find(f"{K}description").text)
    assert MARK in description and "2026-01-02" in description and package.version in description


def test_kml_colour_is_aabbggrr():
    assert kml.kml_colour("#0072B2") == "ffb27200"
    assert kml.kml_colour("#D55E00", 0.18) == "2e005ed5"
    with pytest.raises(ValueError):
        kml.kml_colour("red")


def test_kml_escapes_text_from_the_data(data_copy, countries, capsysbinary):
    set_cell(data_copy, "range_claims.csv", "RC01", "claimant", 'Smith & "Jones" \'quoted\'')
    assert main(["--data", str(data_copy), "rings", "--format", "kml", "--system", "SHAHAB3", "--claim", "seed"]) == 0
    root = ET.fromstring(capsysbinary.readouterr().out)
    balloon = root.find(f"{K}Document/{K}Placemark/{K}description").text  # HTML, as Google Earth reads it
    assert "Smith &amp; &quot;Jones&quot; &#x27;quoted&#x27;" in balloon and "Claimant: " in balloon
    assert 'Smith & "Jones" \'quoted\'' in plain(balloon)
    data = {d.get("name"): d.find(f"{K}value").text for d in root.iter(f"{K}Data")}
    assert data["claimant"] == 'Smith & "Jones" \'quoted\''  # plain in ExtendedData


def test_cli_rings_kml_and_geojson(capsysbinary, tmp_path):
    assert main(["rings", "--format", "kml", "--band"]) == 0
    root = ET.fromstring(capsysbinary.readouterr().out)
    assert len(root.findall(f"{K}Document/{K}Placemark")) == 8
    assert main(["rings"]) == 0
    plain = capsysbinary.readouterr().out
    assert json.loads(plain)["type"] == "FeatureCollection"  # the default is unchanged
    assert main(["rings", "--format", "geojson", "--out", str(tmp_path / "r.geojson")]) == 0
    assert (tmp_path / "r.geojson").read_bytes() == plain
    assert main(["rings", "--format=kml", "--out", str(tmp_path / "r.kml")]) == 0
    assert ET.parse(tmp_path / "r.kml").getroot().tag == f"{K}kml"
    assert not list(tmp_path.glob(".*.part"))


def test_cli_rejects_an_unknown_format(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["rings", "--format", "shp"])
    assert exc.value.code == 2


# --------------------------------------------------------------------------- FollowTheMoney

@pytest.fixture
def ftm_lines(marking):
    pkg = load_package(DATA)
    return pkg, ftm.to_ftm(pkg, provenance(pkg, "2026-01-02")).decode("utf-8").splitlines()


def test_every_ftm_line_loads_and_counts_match_the_package(ftm_lines):
    from followthemoney import model

    pkg, lines = ftm_lines
    proxies = [model.get_proxy(json.loads(line)) for line in lines]
    by_schema = Counter(p.schema.name for p in proxies)
    kinds = Counter(pkg.entities["kind"])
    assert by_schema["Person"] == kinds["person"] and by_schema["Company"] == kinds["company"]
    assert by_schema["PublicBody"] == kinds["government"]
    assert by_schema["Organization"] == kinds["network"] + kinds["group"]
    if "designations" in pkg.tables:  # one row per action (designations.csv)
        actions = Counter(pkg.tables["designations"]["action"])
        assert by_schema["Sanction"] == sum(actions.values()) - actions["indicted"]
        assert by_schema["Event"] == actions["indicted"]
    else:  # one designation per designated entity (entities.csv's designation columns)
        assert by_schema["Sanction"] == sum(1 for r in pkg.entities.to_dict("records") if ftm._designated(r))
    feb = [p for p in proxies if p.schema.name == "Sanction" and "2017-02-03" in p.get("startDate")]
    assert len(feb) >= 25  # the 2017-02-03 action: 13 individuals and 12 entities
    assert by_schema["Membership"] == (pkg.entities["network"] != "").sum()
    links = [p for p in proxies if p.id.startswith("missile-link-")]
    goods = [p for p in proxies if p.id.startswith("missile-goods-")]
    assert len(links) == len(pkg.relationships) and len(goods) == len(pkg.goods)
    assert by_schema["Document"] == 1
    assert len(proxies) == len({p.id for p in proxies})


def test_ftm_links_use_interval_schemata_and_point_at_exported_entities(ftm_lines):
    from followthemoney import model

    pkg, lines = ftm_lines
    proxies = {p.id: p for p in (model.get_proxy(json.loads(line)) for line in lines)}
    for proxy in proxies.values():
        for prop in proxy.schema.properties.values():
            if prop.type.name == "entity":
                for target in proxy.get(prop):
                    assert target in proxies, (proxy.id, prop.name, target)
                    assert proxies[target].schema.is_a(prop.range), (proxy.id, prop.name)
        if proxy.schema.edge:
            assert proxy.get(proxy.schema.edge_source) and proxy.get(proxy.schema.edge_target)
    rel = {r["id"]: r for r in pkg.relationships.to_dict("records")}
    for rid, row in rel.items():
        link = proxies[ftm.ftm_id("relationships", rid)]
        assert link.schema.is_a(model.get("Interval"))
        assert row["evidence"] in link.get("description")
        if link.schema.name == "UnknownLink":
            assert link.get("role") == [row["kind"]]
    assert {proxies[ftm.ftm_id("relationships", r)].schema.name for r, row in rel.items() if row["kind"] == "owns_or_controls"} == {"Ownership"}
    statuses = {row["id"]: row["status"] for row in pkg.goods.to_dict("records") if row["recipient"]}
    for gid, status in statuses.items():
        link = proxies[ftm.ftm_id("goods", gid)]
        assert link.schema.name == "UnknownLink" and link.get("role") == [status]


def test_ftm_sanctions_and_provenance(ftm_lines):
    from followthemoney import model

    pkg, lines = ftm_lines
    raw = [json.loads(line) for line in lines]
    assert all(d["datasets"] == [ftm.dataset_name(pkg.version)] for d in raw)
    doc = model.get_proxy(raw[0])
    assert doc.schema.name == "Document" and doc.get("summary") == [MARK] and doc.get("date") == ["2026-01-02"]
    sources = pkg.sources.set_index("id")
    entities = pkg.entities.set_index("id")
    for d in raw[1:]:
        proxy = model.get_proxy(d)
        assert proxy.get("publisher"), proxy.id
    row = pkg.designations.set_index("id").loc["D001"]  # Asgharzadeh, designated 2017-02-03
    asg = next(model.get_proxy(d) for d in raw if d["id"] == ftm.ftm_id("sanction", "D001"))
    assert row["entity"] == "P_ASGHARZADEH" and asg.get("startDate") == [row["date"]] == ["2017-02-03"]
    assert asg.get("program") == list(row["programs"]) and asg.get("status") == ["designated"]
    assert asg.get("sourceUrl") == [sources.loc[row["source"], "url"]]
    person = next(model.get_proxy(d) for d in raw if d["id"] == ftm.ftm_id("entities", "P_ASGHARZADEH"))
    cited = [sources.loc[s, "url"] for s in entities.loc["P_ASGHARZADEH", "sources"] if sources.loc[s, "url"]]
    assert sorted(person.get("sourceUrl")) == sorted(cited) and "sanction" in person.get("topics")
    countries = {d["id"]: d["properties"].get("country", []) for d in raw}
    for eid, country in zip(pkg.entities["id"], pkg.entities["country"]):
        assert bool(country) == bool(countries[ftm.ftm_id("entities", eid)]), eid  # every country understood


def test_ftm_survives_the_ftm_validate_command(ftm_lines, tmp_path):
    """`ftm validate` re-parses and re-cleans every value: nothing may be lost or changed."""
    from click.testing import CliRunner
    from followthemoney.cli.cli import cli

    _, lines = ftm_lines
    source = tmp_path / "package.ftm.json"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", "-i", str(source), "-o", str(tmp_path / "out.json")])
    assert result.exit_code == 0, result.output
    again = {d["id"]: d for d in map(json.loads, (tmp_path / "out.json").read_text(encoding="utf-8").splitlines())}
    for d in map(json.loads, lines):
        assert {k: sorted(v) for k, v in again[d["id"]]["properties"].items()} == \
            {k: sorted(v) for k, v in d["properties"].items()}, d["id"]


def test_ftm_uses_a_designations_table_when_the_package_has_one(data_copy):
    """The designations table another branch adds: one Sanction per action, an Event per indictment."""
    from followthemoney import model

    (data_copy / "designations.csv").write_text(
        "id,entity,date,authority,action,programs,snapshot,source,confidence,notes\n"
        "D001,P_ASGHARZADEH,2017-02-03,US Treasury OFAC,designated,NPWMD,,SRC_OFAC_SDN,stated,\n"
        "D002,C_LIMMT,2009-04-07,Manhattan District Attorney,indicted,,,SRC_SEED,secondhand,Indicted with Li\n"
        "D003,C_NINGBO,2020,US Treasury OFAC,delisted,NPWMD; IFSR,,SRC_OFAC_SDN,unverified,Invented for the test\n",
        encoding="utf-8")
    pkg = load_package(data_copy)
    proxies = {p.id: p for p in (model.get_proxy(json.loads(line))
                                 for line in ftm.to_ftm(pkg, provenance(pkg)).decode("utf-8").splitlines())}
    assert Counter(p.schema.name for p in proxies.values())["Sanction"] == 2
    first = proxies["missile-sanction-D001"]
    assert first.get("startDate") == first.get("listingDate") == ["2017-02-03"] and first.get("country") == ["us"]
    assert first.get("status") == ["designated"] and first.get("program") == ["NPWMD"]
    assert proxies["missile-sanction-D003"].get("endDate") == ["2020"] and not proxies["missile-sanction-D003"].get("startDate")
    event = proxies["missile-event-D002"]
    assert event.schema.name == "Event" and event.get("involved") == [ftm.ftm_id("entities", "C_LIMMT")]
    assert event.get("description") == ["Indicted with Li"] and event.get("publisher")
    with pytest.raises(KeyError):  # nothing from entities.csv's columns when the table exists
        proxies[ftm.ftm_id("sanction", "P_ASGHARZADEH")]


def test_ftm_refuses_a_value_it_cannot_read(package):
    from followthemoney.exc import InvalidData

    b = ftm._Builder(package, provenance(package))
    proxy = b.make("Company", "missile-entity-X")
    with pytest.raises(ValueError, match="cannot read"):
        proxy.add("incorporationDate", "sometime in spring")
    with pytest.raises(InvalidData):
        proxy.add("startDate", "2017")  # not a Company property
    proxy.add("country", "Iran")
    assert proxy.get("country") == ["ir"]


def test_cli_entities_ftm(capsysbinary):
    assert main(["entities", "--format", "ftm"]) == 0
    lines = capsysbinary.readouterr().out.decode("utf-8").splitlines()
    pkg = load_package(DATA)
    assert len(lines) == len(ftm.to_ftm(pkg, provenance(pkg)).splitlines())


def test_ftm_ids_are_valid_and_distinct():
    assert ftm.ftm_id("entities", "G_CHINESE_FIRMS") != ftm.ftm_id("goods", "G01")
    assert ftm.ftm_id("entities", "P_QIN") == "missile-entity-P.QIN"


# --------------------------------------------------------------------------- SQLite

@pytest.fixture(scope="module")
def database(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DASHBOARD_MARKING", MARK)
        out = tmp_path_factory.mktemp("sqlite") / "package.db"
        assert main(["sqlite", "--out", str(out)]) == 0
    return out


def test_sqlite_has_every_table_with_its_rows_and_clean_foreign_keys(database):
    db = sqlite3.connect(database)
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    schema = load_schema(DATA)
    for table in schema.tables.values():
        assert db.execute(f'SELECT count(*) FROM "{table.name}"').fetchone()[0] == csv_rows(DATA / table.file), table.name
        info = {row[1]: row for row in db.execute(f'PRAGMA table_info("{table.name}")')}
        assert list(info) == table.column_names
        assert info[table.primary_key][5] == 1  # declared primary key
        for col in table.columns:
            assert info[col.name][2] == fsqlite.SQL_TYPES.get(col.type, "TEXT")
        fks = {(row[3], row[2]) for row in db.execute(f'PRAGMA foreign_key_list("{table.name}")')}
        assert fks == {(c.name, c.references) for c in table.columns if c.references and c.type != "list"}
    n_links = sum(len(v) for v in load_package(DATA).entities["sources"])
    assert db.execute("SELECT count(*) FROM entities_sources").fetchone()[0] == n_links
    assert db.execute("PRAGMA foreign_key_list(entities_sources)").fetchall()
    info = dict(db.execute("SELECT key, value FROM package_info"))
    assert info["data_version"] == load_package(DATA).version and info["marking"] == MARK and info["generated"]


def test_sqlite_types_nulls_and_full_text_search(database):
    db = sqlite3.connect(database)
    assert db.execute("SELECT range_km, ring, seed FROM range_claims WHERE id = 'RC01'").fetchone() == (1287.0, 1, 1)
    assert db.execute("SELECT count(*) FROM entities WHERE lat IS NULL").fetchone()[0] == load_package(DATA).entities["lat"].isna().sum()
    hits = db.execute("SELECT e.id FROM entities_fts JOIN entities e ON e.rowid = entities_fts.rowid "
                      "WHERE entities_fts MATCH 'Ningbo'").fetchall()
    assert ("C_NINGBO",) in hits
    assert db.execute("SELECT count(*) FROM relationships_fts WHERE relationships_fts MATCH 'Cosailing'").fetchone()[0] >= 1
    assert db.execute("SELECT count(*) FROM goods_fts WHERE goods_fts MATCH 'gyroscopes'").fetchone()[0] >= 1


def test_sqlite_metadata_json_for_datasette(database):
    meta = json.loads((database.parent / "metadata.json").read_text(encoding="utf-8"))
    pkg = load_package(DATA)
    assert pkg.version in meta["title"] and MARK in meta["description"] and meta["license"] and meta["source"]
    tables = meta["databases"]["package"]["tables"]
    schema = load_schema(DATA)
    for table in schema.tables.values():
        assert tables[table.name]["description"] == table.description
        assert set(tables[table.name]["columns"]) == set(table.column_names)
    assert tables["entities"]["fts_table"] == "entities_fts"
    assert not list(database.parent.glob(".*.part"))


def test_sqlite_bad_out_folder_is_a_usage_error(capsys, tmp_path):
    assert main(["sqlite", "--out", str(tmp_path / "missing" / "x.db")]) == 2
    assert "does not exist" in capsys.readouterr().err


# --------------------------------------------------------------------------- data package

def _no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network disabled in this test")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def _extract(blob: bytes, where: Path) -> Path:
    with zipfile.ZipFile(io.BytesIO(blob)) as zf:
        zf.extractall(where)
    (root,) = where.iterdir()
    return root


def test_data_package_zip_validates_with_frictionless_offline(monkeypatch, tmp_path):
    from frictionless import Package

    _no_network(monkeypatch)
    pkg = load_package(DATA)
    blob = datapackage.to_zip(DATA, provenance(pkg, "2026-01-02"))
    with zipfile.ZipFile(io.BytesIO(blob)) as zf:
        comment = zf.comment.decode("utf-8")
        assert MARK in comment and pkg.version in comment and "2026-01-02" in comment
        names = zf.namelist()
    folder = f"missile-data-{pkg.version}"
    assert datapackage.zip_name(pkg.version) == f"{folder}.zip"
    for name in ("datapackage.json", "schema.toml", "entities.csv", "basemap/cities.csv"):
        assert f"{folder}/{name}" in names
    root = _extract(blob, tmp_path)
    for table in load_schema(DATA).tables.values():
        assert (root / table.file).read_bytes() == (DATA / table.file).read_bytes()
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["version"] == pkg.version and MARK in descriptor["description"]
    entities = next(r for r in descriptor["resources"] if r["name"] == "entities")
    assert entities["schema"]["primaryKey"] == ["id"]
    assert {"fields": ["network"], "reference": {"resource": "", "fields": ["id"]}} in entities["schema"]["foreignKeys"]
    report = Package(str(root / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]


def test_frictionless_catches_a_broken_copy(monkeypatch, tmp_path):
    from frictionless import Package

    _no_network(monkeypatch)
    pkg = load_package(DATA)
    root = _extract(datapackage.to_zip(DATA, provenance(pkg)), tmp_path)
    set_cell(root, "relationships.csv", "R001", "to", "C_NOBODY")   # a dangling foreign key
    set_cell(root, "range_claims.csv", "RC01", "ring", "maybe")      # not yes/no
    report = Package(str(root / "datapackage.json")).validate()
    kinds = {e[0] for e in report.flatten(["type"])}
    assert not report.valid and {"foreign-key", "type-error"} <= kinds


def test_cli_datapackage(tmp_path, capsys):
    out = tmp_path / "pkg.zip"
    assert main(["datapackage", "--out", str(out)]) == 0
    assert zipfile.ZipFile(out).testzip() is None
    assert str(out) in capsys.readouterr().out


# --------------------------------------------------------------------------- app buttons

def test_sources_page_offers_the_data_package():
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("app_pages/sources.py").run()
    assert not at.exception
    keys = [b.proto.id.rsplit("-", 1)[-1] for b in at.get("download_button")]
    assert "dl_datapackage" in keys


def test_map_share_panel_offers_kml_and_geojson():
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["systems"] = "SEJJIL"
    at.run()
    assert "dl_rings_kml" not in [b.proto.id for b in at.get("download_button")]  # panel closed: not sent
    at.session_state["share_map"] = True
    at.run()
    assert not at.exception
    labels = {b.proto.id.rsplit("-", 1)[-1]: b.proto.label for b in at.get("download_button")}
    assert labels["dl_rings_kml"] == "Download KML" and labels["dl_rings_geojson"] == "Download GeoJSON"


def test_download_callables_build_the_view_files(monkeypatch, capsysbinary):
    """What the map buttons send: the same bytes as the command line for the view."""
    from dashboard.ui import downloads, state
    from dashboard.views.view import parse_view

    pkg = load_package(DATA)
    view = parse_view("systems=SEJJIL&from=semnan&overlay=band", pkg)
    dash = Dashboard.load(DATA)
    monkeypatch.setattr(state, "dashboard", lambda: dash)
    monkeypatch.setattr(state, "package", lambda: dash.package)
    assert main(["rings", "--system", "SEJJIL", "--from=semnan", "--band"]) == 0
    assert downloads._geojson(view) == capsysbinary.readouterr().out
    assert main(["rings", "--system", "SEJJIL", "--from=semnan", "--band", "--format", "kml"]) == 0
    assert downloads._kml(view) == capsysbinary.readouterr().out
