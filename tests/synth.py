"""A large synthetic data package for load and performance tests.

``make_synthetic_package(out_dir, n_entities=10_000, n_relationships=50_000, seed=1)``
copies the real package (schema, sources, every table, the base map) into ``out_dir``
and appends synthetic entities, relationships and goods that pass
``dashboard.data.load.check_package`` with no problems. Synthetic rows cite real source ids
and say "Synthetic" in their evidence, so they can never be mistaken for data.
``max_file_bytes`` is raised in the copied schema only (the real one is untouched).

CLI: ``python -m tests.synth OUT_DIR [N_ENTITIES N_RELATIONSHIPS]``.
"""

from __future__ import annotations

import csv
import random
import re
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"
MAX_FILE_BYTES = 200_000_000

KINDS = [("company", "C_SYN_", 50), ("person", "P_SYN_", 36), ("government", "O_SYN_", 4), ("network", "N_SYN_", 6), ("group", "G_SYN_", 4)]
CONFIDENCE = ["stated", "secondhand", "seed-only", "unverified", "inferred"]
REL_KINDS = ["subordinate_to", "linked_to", "manages", "works_at", "associate_of", "procured_for", "supplied", "offered_to",
             "assisted", "associated_with", "official_of", "runs", "acts_for", "owns_or_controls", "heads", "works_with", "designated_with"]
GOODS_CATEGORIES = ["materials", "guidance and navigation", "components", "electronics", "machinery", "missile parts"]
GOODS_STATUS = ["supplied", "offered", "sought", "ordered"]
ITEMS = ["bearings", "gyroscopes", "accelerometers", "graphite", "tungsten powder", "aluminium bars", "specialty steel",
         "carbon fibre", "machine tools", "integrated circuits", "valves", "pumps"]
# (country, city, lat, lon); the city centroids are rounded public values.
PLACES = [("Iran", "Tehran", 35.69439, 51.42151), ("China", "Dalian", 38.91222, 121.60222),
          ("China", "Ningbo", 29.87819, 121.54945), ("United Arab Emirates", "Dubai", 25.07725, 55.30927),
          ("Lebanon", "Beirut", 33.89332, 35.50157), ("Malaysia", "", None, None), ("Türkiye", "İstanbul", 41.01384, 28.94966),
          ("China (Hong Kong)", "", None, None), ("", "", None, None)]
# Accented and non-Latin name parts, so search is exercised beyond ASCII.
NAME_PARTS = ["Société", "Générale", "Industrie", "Trading", "Müller", "Çelik", "Zhōu", "Nasr", "Pars", "Sepehr",
              "Østby", "Ångström", "Dalian", "Hemmat", "Bakeri", "Ocean", "Star", "Pearl", "Crescent", "Qods"]
# Real producers: synthetic intermediaries and goods attach to them so chains grow.
PRODUCERS = ["O_SHIG", "O_SBIG", "O_AIO"]


def _read(path: Path) -> tuple[list[str], list[dict]]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def _append(path: Path, header: list[str], rows: list[dict]) -> None:
    with path.open("a", encoding="utf-8", newline="") as f:
        if path.stat().st_size and not path.read_bytes().endswith(b"\n"):
            f.write("\n")
        csv.writer(f, lineterminator="\n").writerows([row.get(k, "") for k in header] for row in rows)


def _date(rng: random.Random) -> str:
    year = rng.randint(1998, 2024)
    form = rng.random()
    if form < 0.2:
        return str(year)
    if form < 0.5:
        return f"{year}-{rng.randint(1, 12):02d}"
    return f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def make_synthetic_package(out_dir, n_entities: int = 10_000, n_relationships: int = 50_000, seed: int = 1,
                           n_goods: int | None = None) -> Path:
    """Write the package to ``out_dir`` (created; must be empty or absent) and return its path."""
    out = Path(out_dir)
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty")
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    n_goods = n_entities // 5 if n_goods is None else n_goods

    for csv_file in sorted(DATA.glob("*.csv")):
        shutil.copy2(csv_file, out / csv_file.name)
    schema = (DATA / "schema.toml").read_text(encoding="utf-8")
    schema, count = re.subn(r"(?m)^max_file_bytes\s*=.*$", f"max_file_bytes = {MAX_FILE_BYTES}", schema)
    assert count == 1, "schema.toml: max_file_bytes not found"
    (out / "schema.toml").write_text(schema, encoding="utf-8")
    _copy_basemap(out)

    _, sources = _read(out / "sources.csv")
    source_ids = [s["id"] for s in sources]
    ent_header, real_entities = _read(out / "entities.csv")
    real_ids = [e["id"] for e in real_entities]

    # Entities
    weights = [w for _, _, w in KINDS]
    entities, by_kind = [], {k: [] for k, _, _ in KINDS}
    counters = {k: 0 for k, _, _ in KINDS}
    for _ in range(n_entities):
        kind, prefix, _ = rng.choices(KINDS, weights)[0]
        counters[kind] += 1
        eid = f"{prefix}{counters[kind]:06d}"
        by_kind[kind].append(eid)
        country, city, lat, lon = rng.choice(PLACES)
        name = " ".join(rng.sample(NAME_PARTS, 2)) + f" {kind} {counters[kind]:06d}"
        entities.append({
            "id": eid, "name": name, "kind": kind, "country": country, "city": city,
            "lat": "" if lat is None else f"{lat:.5f}", "lon": "" if lon is None else f"{lon:.5f}",
            "aliases": "; ".join(f"{rng.choice(NAME_PARTS)} alias {i}" for i in range(rng.randint(0, 2))),
            "programs": "; ".join(rng.sample(["NPWMD", "IFSR", "SDGT", "IRGC"], rng.randint(0, 2))),
            "designation_date": _date(rng) if rng.random() < 0.6 else "",
            "sdn_uid": str(900_000 + len(entities)) if rng.random() < 0.5 else "",
            "role": f"Synthetic {kind} for load tests", "sources": "; ".join(rng.sample(source_ids, rng.randint(1, 3))),
            "confidence": rng.choice(CONFIDENCE), "notes": "Synthetic row: not data.",
        })
    networks = by_kind["network"] or ["N_ASGHARZADEH"]
    for e in entities:
        if e["kind"] in ("person", "company") and rng.random() < 0.4:
            e["network"] = rng.choice(networks)
            e["network_confidence"] = rng.choice(CONFIDENCE)
    _append(out / "entities.csv", ent_header, entities)

    # Relationships: random pairs, plus a share that points at the real producers.
    all_ids = real_ids + [e["id"] for e in entities]
    companies = by_kind["company"] or ["C_LIMMT"]
    rel_header, _ = _read(out / "relationships.csv")
    rels = []
    for i in range(1, n_relationships + 1):
        if rng.random() < 0.02:
            src, kind, dst = rng.choice(companies), rng.choice(["associated_with", "subordinate_to"]), rng.choice(PRODUCERS)
        else:
            src, dst = rng.sample(all_ids, 2)
            kind = rng.choice(REL_KINDS)
        rels.append({
            "id": f"R_SYN_{i:07d}", "from": src, "kind": kind, "to": dst,
            "evidence": f"Synthetic link {i} for load tests", "sources": "; ".join(rng.sample(source_ids, rng.randint(1, 2))),
            "date": _date(rng), "confidence": rng.choice(CONFIDENCE),
        })
    _append(out / "relationships.csv", rel_header, rels)

    # Goods: suppliers are companies or groups; recipients a producer, a company, or none.
    suppliers = companies + (by_kind["group"] or [])
    goods_header, _ = _read(out / "goods.csv")
    goods = []
    for i in range(1, n_goods + 1):
        roll = rng.random()
        recipient = rng.choice(PRODUCERS) if roll < 0.1 else "" if roll < 0.2 else rng.choice(companies)
        supplier = rng.choice(suppliers)
        if supplier == recipient:
            recipient = ""
        goods.append({
            "id": f"G_SYN_{i:06d}", "item": f"{rng.choice(ITEMS)} lot {i}", "category": rng.choice(GOODS_CATEGORIES),
            "supplier": supplier, "recipient": recipient, "status": rng.choice(GOODS_STATUS),
            "evidence": f"Synthetic goods row {i} for load tests", "source": rng.choice(source_ids),
            "date": _date(rng), "confidence": rng.choice(CONFIDENCE),
        })
    _append(out / "goods.csv", goods_header, goods)
    return out


def _copy_basemap(out: Path) -> None:
    src = DATA / "basemap"
    dst = out / "basemap"
    dst.mkdir(exist_ok=True)
    for name in ("cities.csv", "countries.geojson"):
        if not (src / name).exists():
            raise FileNotFoundError(f"{src / name} is missing: the base map is part of the package")
        shutil.copy2(src / name, dst / name)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in ("-h", "--help"):
        print(__doc__)
        return 0 if args else 2
    n_ent = int(args[1]) if len(args) > 1 else 10_000
    n_rel = int(args[2]) if len(args) > 2 else 50_000
    out = make_synthetic_package(args[0], n_ent, n_rel)
    from dashboard.data.load import check_package

    _, problems = check_package(out)
    for p in problems[:20]:
        print(p, file=sys.stderr)
    print(f"{out}: {n_ent} synthetic entities, {n_rel} relationships; {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
