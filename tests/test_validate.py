"""Broken copies of the data package: each gets its precise FILE:LINE:COLUMN message.

Every case edits a private copy (tests/datafix.py), runs `dashboard validate --data COPY`
and checks the exit code, the exact location and the words of the message. The cases in
SHUFFLED run again on a copy whose columns are in another order than the schema's: COLUMN
is always the position in the file's own header. The session guard in conftest.py checks
that data/ itself is never written.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from dashboard.cli import main
from dashboard.data.load import check_package
from dashboard.data.schema import load_schema
from tests.datafix import append_line, append_row, column_of, copy_row, line_of, rotate_columns, set_cell


def _cell(file, key, column, value, words):
    def case(d: Path):
        line, col = set_cell(d, file, key, column, value)
        return f"{file}:{line}:{col}: {column}:", words
    return case


def duplicate_system(d):
    first = line_of(d, "systems.csv", "GHADR1")
    line = copy_row(d, "systems.csv", "GHADR1")
    return f"systems.csv:{line}:{column_of(d, 'systems.csv', 'id')}: id:", f"duplicate id 'GHADR1': already used on line {first}"


def duplicate_id_other_case(d):
    line = append_row(d, "places.csv", {"id": "TEHRAN", "name": "Tehran again", "lat": "35.7", "lon": "51.4", "kind": "capital",
                                        "basis": "basis", "source": "SRC_SEED", "confidence": "stated"})
    return f"places.csv:{line}:{column_of(d, 'places.csv', 'id')}: id:", "duplicate id 'TEHRAN'"


def _rename_range_km_low(d) -> int:
    """Misspell one header name; return its column position."""
    col = column_of(d, "range_claims.csv", "range_km_low")
    path = d / "range_claims.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",range_km_low,", ",range_km_lo,", 1), encoding="utf-8")
    return col


def missing_column(d):
    _rename_range_km_low(d)
    return "range_claims.csv:1:0: range_km_low:", "missing column"


def unknown_column(d):
    col = _rename_range_km_low(d)
    return f"range_claims.csv:1:{col}: range_km_lo:", "unknown column"


def duplicate_header(d):
    path = d / "places.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[0] = lines[0].replace("id,name,", "id,id,", 1)
    path.write_text("".join(lines), encoding="utf-8")
    return "places.csv:1:2: id:", "duplicate column name"


def missing_file(d):
    (d / "goods.csv").unlink()
    return "goods.csv:0:0:", "missing: the file does not exist"


def empty_file(d):
    (d / "events.csv").write_bytes(b"")
    return "events.csv:1:0:", "empty"


def header_only(d):
    path = d / "places.csv"
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    return "places.csv:0:0:", "too few rows: 0"


def very_large_file(d):
    with open(d / "entities.csv", "r+b") as fh:
        fh.truncate(30_000_000)  # sparse: bigger than the cap without writing 30 MB
    return "entities.csv:0:0:", "too large: 30,000,000 bytes"


def latin1_bytes(d):
    line = line_of(d, "sources.csv", "SRC_TASNIM_20141111")
    path = d / "sources.csv"
    lines = path.read_bytes().split(b"\n")
    lines[line - 1] = lines[line - 1].replace(b"Tasnim", b"T\xe9snim", 1)
    path.write_bytes(b"\n".join(lines))
    col = lines[line - 1].index(b"\xe9") + 1
    return f"sources.csv:{line}:{col}:", "not UTF-8: byte 0xe9"


def nul_byte(d):
    path = d / "events.csv"
    data = path.read_bytes()
    path.write_bytes(data[:40] + b"\x00" + data[40:])
    line = data[:40].count(b"\n") + 1
    return f"events.csv:{line}:", "NUL byte"


def ragged_row(d):
    line = append_line(d, "places.csv", "extra,Extra,35,51,city,basis,SRC_SEED,stated,one-too-many")
    return f"places.csv:{line}:0:", "expected 8 fields, found 9"


def unclosed_quote(d):
    line = append_line(d, "places.csv", 'broken,"Broken name,35,51,city,basis,SRC_SEED,stated')
    return f"places.csv:{line}:0:", "malformed CSV"


def blank_line(d):
    path = d / "events.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(3, "\n")
    path.write_text("".join(lines), encoding="utf-8")
    return "events.csv:4:0:", "blank row"


def second_seed_claim(d):
    set_cell(d, "range_claims.csv", "RC05", "seed", "yes")
    line = line_of(d, "systems.csv", "SHAHAB3")
    return f"systems.csv:{line}:{column_of(d, 'systems.csv', 'id')}: id:", "needs exactly one seed range claim in range_claims.csv, found 2"


def seed_not_drawn(d):
    set_cell(d, "range_claims.csv", "RC01", "ring", "no")
    line, col = line_of(d, "range_claims.csv", "RC01"), column_of(d, "range_claims.csv", "seed")
    return f"range_claims.csv:{line}:{col}: seed:", "the seed's stated range is drawn as a ring"


def self_link(d):
    set_cell(d, "relationships.csv", "R001", "to", "P_QIN")
    line, col = line_of(d, "relationships.csv", "R001"), column_of(d, "relationships.csv", "to")
    return f"relationships.csv:{line}:{col}: to:", "a link from an entity to itself"



def lat_without_lon(d):
    set_cell(d, "entities.csv", "P_QIN", "lat", "29.9")
    line, col = line_of(d, "entities.csv", "P_QIN"), column_of(d, "entities.csv", "lat")
    return f"entities.csv:{line}:{col}: lat:", "give both lat and lon"


def missing_schema(d):
    (d / "schema.toml").unlink()
    return "schema.toml:0:0:", "missing: no schema file"


def broken_basemap(d):
    (d / "basemap" / "countries.geojson").write_text('{"type": "FeatureCollection",\n  "features": [}\n')
    return "basemap/countries.geojson:2:", "not valid JSON"


CASES = {
    "duplicate id": duplicate_system,
    "duplicate id, other case": duplicate_id_other_case,
    "dangling reference": _cell("relationships.csv", "R001", "to", "C_NOWHERE", "unknown entities id 'C_NOWHERE'"),
    "dangling source in a list": _cell("entities.csv", "P_QIN", "sources", "SRC_OFAC_SDN; SRC_MISSING", "unknown sources id 'SRC_MISSING'"),
    "negative range": _cell("range_claims.csv", "RC05", "range_km", "-5", "must be greater than 0 km (got -5)"),
    "zero range": _cell("range_claims.csv", "RC05", "range_km", "0", "must be greater than 0 km"),
    "non-numeric range": _cell("range_claims.csv", "RC05", "range_km", "far", "not a number: 'far'"),
    "NaN range": _cell("range_claims.csv", "RC05", "range_km", "nan", "must be a finite number (got 'nan')"),
    "infinite range": _cell("range_claims.csv", "RC05", "range_km", "inf", "must be a finite number"),
    "absurd range": _cell("range_claims.csv", "RC05", "range_km", "99999999", "must be at most 20038 km"),
    "latitude out of bounds": _cell("places.csv", "tehran", "lat", "95", "must be at most 90"),
    "longitude out of bounds": _cell("entities.csv", "C_NINGBO", "lon", "200", "must be at most 180"),
    "coordinate as text": _cell("places.csv", "tehran", "lat", "N35", "not a number: 'N35'"),
    "required value empty": _cell("range_claims.csv", "RC07", "source", "", "required value is empty"),
    "unknown enum value": _cell("goods.csv", "G05", "confidence", "certain", "'certain' is not one of"),
    "impossible date": _cell("events.csv", "E19", "date", "2017-13-45", "not a real date"),
    "HTML in a name": _cell("entities.csv", "C_COSAILING", "name", "<img src=x onerror=alert(1)>", "markup is not allowed"),
    "javascript URL": _cell("sources.csv", "SRC_SEED", "url", "javascript:alert(1)", "not an http(s) URL"),
    "right-to-left override": _cell("entities.csv", "P_YUE", "name", "YUE\u202e, Richard", "U+202E"),
    "TeX in a label": _cell("systems.csv", "SEJJIL", "name", "$\\href{javascript:alert(1)}{x}$", "TeX"),
    "ten-kilobyte cell": _cell("entities.csv", "P_ZHOU", "role", "x" * 10_000, "too long: 10,000 characters"),
    "bad id": _cell("places.csv", "chabahar", "id", "../../etc/passwd", "not a valid id"),
    "missing column": missing_column,
    "unknown column": unknown_column,
    "duplicate header": duplicate_header,
    "missing file": missing_file,
    "empty file": empty_file,
    "header only": header_only,
    "very large file": very_large_file,
    "wrong encoding": latin1_bytes,
    "NUL byte": nul_byte,
    "ragged row": ragged_row,
    "unclosed quote": unclosed_quote,
    "blank line": blank_line,
    "two seed claims": second_seed_claim,
    "seed claim not drawn": seed_not_drawn,
    "miles and km disagree": _cell("range_claims.csv", "RC01", "range_km", "1500", "does not match the stated 800 mi (= 1287 km)"),
    "band upside down": _cell("range_claims.csv", "RC12", "range_km_low", "1400", "must be below range_km"),
    "link to itself": self_link,
    "network that is a company": _cell("entities.csv", "P_QIN", "network", "C_NINGBO", "'C_NINGBO' is a company, not a network"),
    "latitude without longitude": lat_without_lon,
    "missing schema": missing_schema,
    "broken base map": broken_basemap,
    # Rules of issue #11 (checks.py): tags from schema.toml, no addresses, no marks, evidence.
    "programme tag not allowed": _cell("entities.csv", "C_NINGBO", "programs", "NPWMD; WMD-X", "'WMD-X' is not an allowed tag"),
    "programme tag not allowed in a designation": _cell("designations.csv", "D006", "programs", "npwmd", "'npwmd' is not an allowed tag"),
    "street address": _cell("entities.csv", "C_NINGBO", "notes", "SDN address: 5 Hongtang South Road, Jiangbei, Ningbo", "looks like a street address"),
    "street address as No.": _cell("entities.csv", "C_LIMMT", "role", "Offices at Yuexiu Mansion, No. 82 Xinkai, Dalian", "looks like a street address"),
    "street address in pinyin": _cell("goods.csv", "G09", "evidence", "LIMMT shipped from 82 Xinkai Lu to SBIG", "looks like a street address"),
    "classification mark in evidence": _cell("relationships.csv", "R032", "evidence", "(S) LIMMT supplied SBIG with graphite cylinders", "classification mark"),
    "classification mark in an excerpt": _cell("range_claims.csv", "RC05", "excerpt", "(S//NF) Iran claims to have delivered the Shahab-3", "classification mark"),
    "classification mark in a title": _cell("sources.csv", "SRC_SEED", "title", "(SBU) Sanctions highlight China-Iran missile connection", "classification mark"),
    "stated claim without excerpt": _cell("range_claims.csv", "RC06", "excerpt", "", "a stated row needs its excerpt"),
    "stated link with one-word evidence": _cell("relationships.csv", "R015", "evidence", "cable", "a stated row needs its evidence"),
    "delivered goods without evidence": _cell("goods.csv", "G01", "evidence", "seed", "a delivered (supplied) row needs its evidence"),
    "delivered link without evidence": _cell("relationships.csv", "R044", "evidence", "per seed", "a delivered (supplied) row needs its evidence"),
}


# Every check that places a problem in a column (load.py keys, references and cells;
# every rule in checks.py), run on a copy with every CSV's columns rotated.
SHUFFLED = [
    "duplicate id", "duplicate id, other case", "dangling reference", "dangling source in a list",
    "required value empty", "negative range", "unknown enum value", "unknown column",
    "two seed claims", "seed claim not drawn", "miles and km disagree", "band upside down",
    "link to itself", "network that is a company", "latitude without longitude",
    "programme tag not allowed", "street address", "classification mark in evidence", "stated claim without excerpt",
    "delivered goods without evidence",
]
BROKEN_COPIES = len(CASES) + len(SHUFFLED)  # the number the README states


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize("name", list(CASES))
def test_broken_copy_gets_its_precise_message(name, data_copy, capsys):
    where, words = CASES[name](data_copy)
    before = _digest(data_copy)
    code = main(["--data", str(data_copy), "validate"])
    out = capsys.readouterr().out
    assert code == 2
    matching = [line for line in out.splitlines() if line.startswith(where)]
    assert matching, f"no message at {where} in:\n{out}"
    assert any(words in line for line in matching), f"{words!r} not in {matching}"
    assert _digest(data_copy) == before  # validating never writes


@pytest.fixture
def shuffled_copy(data_copy: Path) -> Path:
    """A valid copy in which no column of any CSV file is where the schema lists it."""
    schema = load_schema(data_copy)
    rotate_columns(data_copy)
    for table in schema.tables.values():
        for i, name in enumerate(table.column_names, start=1):
            assert column_of(data_copy, table.file, name) != i
    assert check_package(data_copy)[1] == []
    return data_copy


@pytest.mark.parametrize("name", SHUFFLED)
def test_column_is_the_position_in_the_files_own_header(name, shuffled_copy, capsys):
    where, words = CASES[name](shuffled_copy)
    assert main(["validate", "--data", str(shuffled_copy)]) == 2
    matching = [line for line in capsys.readouterr().out.splitlines() if line.startswith(where)]
    assert any(words in line for line in matching), f"{words!r} not at {where}"


def test_real_data_is_valid(capsys):
    assert main(["validate"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ok: ") and "4 systems" in out and "data version" in out


def test_every_problem_is_reported_not_only_the_first(data_copy):
    set_cell(data_copy, "range_claims.csv", "RC05", "range_km", "-5")
    set_cell(data_copy, "places.csv", "tehran", "lat", "95")
    set_cell(data_copy, "relationships.csv", "R002", "to", "C_NOWHERE")
    _, problems = check_package(data_copy)
    assert {p.file for p in problems} == {"range_claims.csv", "places.csv", "relationships.csv"}


def test_the_string_NA_stays_text(data_copy):
    set_cell(data_copy, "entities.csv", "C_ECL", "country", "NA")
    package, problems = check_package(data_copy)
    assert problems == []
    assert package.entities.set_index("id").loc["C_ECL", "country"] == "NA"


def test_data_dir_from_environment(data_copy, monkeypatch, capsys):
    set_cell(data_copy, "range_claims.csv", "RC05", "range_km", "-5")
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(data_copy))
    assert main(["validate"]) == 2
    assert "range_claims.csv:" in capsys.readouterr().out


def test_no_folder_is_one_clear_line(tmp_path, capsys):
    assert main(["--data", str(tmp_path / "nope"), "validate"]) == 2
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and "not a folder" in out[0]
