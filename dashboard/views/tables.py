"""Reference tables for the Systems and Sources pages (no Streamlit).

Every row keeps the ids and titles of its sources, so each value on screen can be traced.
"""

from __future__ import annotations

import pandas as pd

from dashboard.data.load import Package
from dashboard.data.units import as_published
from dashboard.geo.ranges import best_claim



def _source_titles(pkg: Package, ids) -> str:
    titles = pkg.sources.set_index("id")["title"]
    return "; ".join(f"{titles.get(i, i)} [{i}]" for i in ids)


def seed_claims(pkg: Package) -> pd.DataFrame:
    """The seed article's stated range per system (exactly one each; the validator checks)."""
    claims = pkg.range_claims
    return claims[claims["seed"]].set_index("system")


def systems_table(pkg: Package) -> pd.DataFrame:
    """One row per system, ranges first: the best-supported figure (the map's default ring)
    with its source, the figure the seed article printed (headed by its publisher and date,
    never 'seed'), the spread of the other ring claims; then the descriptive facts.
    Figures read as published, then converted ('800 mi ≈ 1,290 km')."""
    names = pkg.entities.set_index("id")["name"]
    sources = pkg.sources.set_index("id")
    seeds = seed_claims(pkg)
    printed = printed_in(pkg)
    rows = []
    for s in pkg.systems.to_dict("records"):
        best = best_claim(pkg, s["id"])
        others = pkg.range_claims[(pkg.range_claims["system"] == s["id"]) & ~pkg.range_claims["seed"]]
        producer = names.get(s["producer"], s["producer"])
        rows.append({
            "System": s["name"],
            "Best-supported range (map default)": as_published(best["stated_value"], best["stated_unit"]),
            "Its source": f"{sources.loc[best['source'], 'publisher']}, {sources.loc[best['source'], 'date']} [{best['source']}]",
            printed: (as_published(seeds.loc[s["id"], "stated_value"], seeds.loc[s["id"], "stated_unit"])
                      if s["id"] in seeds.index else "not printed"),
            "Other ring claims (km)": _spread(others),
            "Class": s["class"],
            "Propellant": s["propellant"],
            "Stages": "" if pd.isna(s["stages"]) else str(s["stages"]),
            "Producer": f"{producer} ({s['producer_confidence']})" if s["producer"] else "not stated",
            "Status": s["status"],
            "Aliases": "; ".join(s["aliases"]),
            "Sources": _source_titles(pkg, s["sources"]),
        })
    return pd.DataFrame(rows)


def _publisher_date(src) -> str:
    return f"{str(src['publisher']).split(' (')[0]}, {src['date'] or 'undated'}"


def printed_in(pkg: Package) -> str:
    """How the UI names the seed article's figures: by publisher and date, never 'seed'."""
    seeds = pkg.range_claims[pkg.range_claims["seed"]]
    if seeds.empty:
        return "As printed in the seed article"
    return f"As printed in {_publisher_date(pkg.sources.set_index('id').loc[seeds['source'].iloc[0]])}"


def _spread(claims: pd.DataFrame) -> str:
    """Spread of the other ring-eligible claims (flight distances, shared bands excluded)."""
    rings = claims[claims["ring"]]
    if rings.empty:
        return f"none drawable ({len(claims)} claims)"
    low, high = rings["range_km_low"].fillna(rings["range_km"]).min(), rings["range_km"].max()
    span = f"{low:,.0f}" if low == high else f"{low:,.0f}–{high:,.0f}"
    return f"{span} ({len(rings)} of {len(claims)} claims)"


def claims_table(pkg: Package, system_id: str) -> pd.DataFrame:
    """Every range claim for one system, as the source stated it, with its citation."""
    claims = pkg.range_claims[pkg.range_claims["system"] == system_id].copy()
    src = pkg.sources.set_index("id")
    claims = claims.sort_values(["seed", "range_km"], ascending=[False, True])
    return pd.DataFrame({
        "Claim": claims["id"],
        "As stated": [_as_stated(c) for _, c in claims.iterrows()],
        "km": claims["range_km"].round().astype(int),
        "Basis": claims["basis"],
        "Claimant": claims["claimant"],
        "Date": claims["date"],
        "Confidence": claims["confidence"],
        "Drawn as ring": claims["ring"].map({True: "yes", False: "no"}),
        "Seed": claims["seed"].map({True: "seed", False: ""}),
        "Source": [f"{src.loc[s, 'title']} ({src.loc[s, 'publisher']})" for s in claims["source"]],
        "Source URL": [src.loc[s, "url"] for s in claims["source"]],
        "Note": claims["note"],
    })


def _as_stated(c) -> str:
    value = f"{c['stated_value']:,.0f}"
    if not pd.isna(c["stated_value_low"]):
        value = f"{c['stated_value_low']:,.0f}–{value}"
    return f"{value} {c['stated_unit']}"


def sources_table(pkg: Package) -> pd.DataFrame:
    """Every source with what it supports (counts of rows citing it, per table)."""
    counts = _citations(pkg)
    frame = pkg.sources[["id", "date", "kind", "title", "publisher"]].copy()
    frame["supports"] = [counts.get(i, "not cited") for i in frame["id"]]
    return frame.join(pkg.sources[["url", "notes"]])  # the short columns first: they fit a 1366 px window


def _citations(pkg: Package) -> dict[str, str]:
    tally: dict[str, dict[str, int]] = {}
    single = {"range_claims": "range claims", "goods": "goods", "places": "places", "events": "events", "cities": "cities"}
    multi = {"systems": "systems", "entities": "entities", "relationships": "links"}
    for table, label in single.items():
        for src in pkg.tables[table]["source"]:
            tally.setdefault(src, {}).setdefault(label, 0)
            tally[src][label] += 1
    for table, label in multi.items():
        for ids in pkg.tables[table]["sources"]:
            for src in ids:
                tally.setdefault(src, {}).setdefault(label, 0)
                tally[src][label] += 1
    return {src: ", ".join(f"{n} {label}" for label, n in parts.items()) for src, parts in tally.items()}


def _cite(sources: list[dict]) -> str:
    return "; ".join(f"{s.get('title', s.get('id'))} ({s.get('date') or 'undated'}) {s.get('url') or ''}".strip() for s in sources)


def sanctions_lines(profile: dict) -> list[str]:
    """The profile's sanctions box as plain lines, oldest action first: each designation,
    identification, indictment or delisting (designations.csv) with its date, authority,
    action, programme tags and the snapshot the tags were read from; then the SDN entry's
    tags as of its list snapshot. Plain text: the page escapes it for markdown."""
    lines = []
    for d in profile.get("designations", []):
        tags = "; ".join(d["programs"])
        when = f"tags as of {d['snapshot']}" if d["snapshot"] else "tags as reported for the action"
        programmes = f"programmes {tags} ({when})" if tags else "programmes not stated by the source"
        source = "; ".join(s.get("title") or s.get("id", "") for s in d["sources"])
        lines.append(f"{d['date']} · {d['authority']} · {d['action']} · {programmes} · {d['confidence']} · source: {source}")
    if profile.get("programs"):
        uid = f" (UID {profile['sdn_uid']})" if profile.get("sdn_uid") is not None else ""
        as_of = profile.get("programs_as_of") or "an undated snapshot"
        lines.append(f"SDN list entry{uid}: tags as of {as_of}: {'; '.join(profile['programs'])}")
    if not lines:
        lines.append("No sanctions designation, identification or indictment of this entity is in the data.")
    return lines


def caveat(pkg: Package, system_id: str) -> str:
    """The system's caveat (systems.caveat, e.g. that the improved Shahab-3 and the Ghadr-1
    may be one missile), '' when it has none: for the Systems page, ring tooltips and export
    captions."""
    from dashboard.network.build import clean_text  # the network modules (and networkx) only where used
    rows = pkg.systems[pkg.systems["id"] == system_id]
    return clean_text(rows.iloc[0]["caveat"]) if len(rows) else ""


def profile_frames(profile: dict) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """An entity profile (dashboard.network.profile) as three tables: facts, links, goods."""
    network = profile["network"]
    facts = [
        ("Name", profile["name"]), ("Aliases", "; ".join(profile["aliases"]) or "none stated"),
        ("Kind", profile["kind"]), ("Country", profile["country"] or "not stated"),
        ("City", profile["city"] or "not stated"),
        ("Sanctions programmes", ("; ".join(profile["programs"]) + (f" (tags as of {profile['programs_as_of']})" if profile.get("programs_as_of") else ""))
         if profile["programs"] else "none stated"),
        ("Designation date", profile["designation_date"] or "not stated"),
        ("SDN UID", "" if profile["sdn_uid"] is None else str(profile["sdn_uid"])),
        ("Network", f"{network['name']} (membership: {network['confidence']})" if network else "none stated"),
        ("Role", profile["role"] or "not stated"), ("Notes", profile["notes"]),
        ("Confidence", profile["confidence"]), ("Sources", _cite(profile["sources"])),
    ]
    links = pd.DataFrame([{
        "Direction": "→" if r["direction"] == "out" else "←", "Link": r["kind"].replace("_", " "),
        "Other": r["other_name"], "Evidence": r["evidence"], "Confidence": r["confidence"],
        "Date": r["date"], "Sources": _cite(r["sources"]),
    } for r in profile["relationships"]], columns=["Direction", "Link", "Other", "Evidence", "Confidence", "Date", "Sources"])
    goods = pd.DataFrame([{
        "Role": "supplied" if "recipient" in g else "received", "Item": g["item"], "Status": g["status"],
        "Counterparty": g.get("recipient_name") or g.get("supplier_name") or "not stated",
        "Evidence": g["evidence"], "Confidence": g["confidence"], "Sources": _cite(g["sources"]),
    } for g in profile["goods_supplied"] + profile["goods_received"]],
        columns=["Role", "Item", "Status", "Counterparty", "Evidence", "Confidence", "Sources"])
    return pd.DataFrame(facts, columns=["Field", "Value"]), links, goods


SUPPLY_COLUMNS = ["supplier", "item", "status", "recipient", "producer reached", "source title",
                  "source date", "source url", "confidence", "goods id"]


def supply_table(g, pkg: Package) -> pd.DataFrame:
    """Who supplied what to which producer, according to whom: one row per goods row."""
    from dashboard.network.build import clean_text, source_index
    from dashboard.network.queries import producer_reached
    names = dict(zip(pkg.entities["id"], pkg.entities["name"]))
    sources = source_index(pkg)
    cache: dict[str, str] = {}
    rows = []
    for gd in pkg.goods.to_dict("records"):
        rec = clean_text(gd["recipient"])
        if rec not in cache:
            cache[rec] = producer_reached(g, rec)
        src = sources.get(gd["source"], {})
        rows.append({
            "supplier": names.get(gd["supplier"], gd["supplier"]), "item": clean_text(gd["item"]), "status": clean_text(gd["status"]),
            "recipient": names.get(rec, rec) if rec else "", "producer reached": names.get(cache[rec], cache[rec]) if cache[rec] else "",
            "source title": src.get("title", ""), "source date": src.get("date", ""), "source url": src.get("url", ""),
            "confidence": clean_text(gd["confidence"]), "goods id": gd["id"],
        })
    return pd.DataFrame(rows, columns=SUPPLY_COLUMNS)


TIMELINE_COLUMNS = ["date", "kind", "title", "description", "system", "source title", "source date", "source url", "confidence", "event id"]


def timeline(pkg: Package) -> pd.DataFrame:
    """The dated events, oldest first (ISO partial dates sort correctly as text)."""
    from dashboard.network.build import clean_text, source_index
    sources = source_index(pkg)
    systems = dict(zip(pkg.systems["id"], pkg.systems["name"]))
    rows = []
    for ev in pkg.events.to_dict("records"):
        src = sources.get(ev["source"], {})
        rows.append({
            "date": clean_text(ev["date"]), "kind": clean_text(ev["kind"]), "title": clean_text(ev["title"]),
            "description": clean_text(ev["description"]), "system": systems.get(clean_text(ev["system"]), clean_text(ev["system"])),
            "source title": src.get("title", ""), "source date": src.get("date", ""), "source url": src.get("url", ""),
            "confidence": clean_text(ev["confidence"]), "event id": ev["id"],
        })
    frame = pd.DataFrame(rows, columns=TIMELINE_COLUMNS)
    return frame.sort_values(["date", "event id"], kind="stable").reset_index(drop=True)


def data_as_of(pkg: Package) -> str:
    """How fresh the data is, in words: the newest source cited by the ranges and by the
    supply chain, and the sanctions-list snapshot the programme tags come from."""
    dates = pkg.sources.set_index("id")["date"]

    def newest(ids) -> str:
        found = sorted(d for d in (dates.get(i, "") for i in ids) if d)
        return found[-1] if found else "unknown"

    supply = [s for col in ("sources",) for row in pkg.relationships[col] for s in row] + list(pkg.goods["source"])
    parts = [f"ranges as of {newest(pkg.range_claims['source'])}", f"supply chain as of {newest(supply)}"]
    if "programs_as_of" in pkg.entities:
        snapshot = sorted(d for d in pkg.entities["programs_as_of"] if d)
        if snapshot:
            parts.append(f"sanctions tags as of {snapshot[-1]} (list snapshot)")
    return "; ".join(parts)
