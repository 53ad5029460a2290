"""Entities, designations and links as FollowTheMoney (FtM) entities, one JSON object a line.

Built with the ``followthemoney`` library's own model (``StatementEntity.add`` cleans and
checks every value against the schema; an unknown property raises, and so, here, does a
value its type cannot read, which FtM would otherwise drop), so the output loads
in any FtM tool (``ftm`` command line, Aleph, yente, nomenklatura).

Mapping (the package's vocabulary -> FtM schemata):

- ``entities.kind``: person -> Person, company -> Company, government -> PublicBody,
  network and group -> Organization; aliases -> alias, role -> description, notes ->
  notes, the row's confidence -> summary; ``topics: sanction`` when designated.
- one Sanction per designation. With a ``designations`` table (one row per action):
  authority, status (designated, identified, delisted), program (the tags of the time),
  startDate/listingDate (endDate for a delisting), the row's source; an indictment is an
  Event involving the entity. Without it (the package today): one Sanction per
  designated entity from ``entities.csv``'s designation columns: authority OFAC, program
  (the SDN tags), startDate and listingDate (designation_date), authorityId (the SDN
  UID), sourceUrl/publisher of the entity's sanctions-list and official-release sources.
- ``entities.network`` -> Membership (member, organization = the network), role
  "member of procurement network", with the membership's confidence.
- ``relationships``: owns_or_controls -> Ownership; heads, manages, runs ->
  Directorship; works_at, official_of -> Employment; associate_of -> Associate; acts_for
  -> Representation, each when the two ends fit the schema's ranges (a network cannot
  be employed); everything else -> UnknownLink with role = the link kind. Evidence ->
  description, "kind (confidence)" -> summary, date -> date.
- ``goods``: UnknownLink supplier -> recipient with role = the status (supplied,
  offered, sought, ordered), the item and category in summary, the evidence in
  description. A transfer whose source names no recipient becomes a Note on the
  supplier (an FtM link needs both ends).

Every entity carries ``sourceUrl`` and ``publisher`` of the sources its row cites, and
the dataset ``missile_data_<version>``. The first line is a Document describing the
export itself: title with the data version, the marking as summary, the date.

FtM ids allow letters, digits, "." and "-" only: ``P_QIN`` in ``entities`` becomes
``missile-entity-P.QIN`` (see :func:`ftm_id`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from followthemoney import Dataset, StatementEntity, model
from followthemoney.types import registry

AUTHORITY = "U.S. Department of the Treasury, Office of Foreign Assets Control (OFAC)"
DESIGNATION_SOURCE_KINDS = ("sanctions list", "official release")
ENTITY_SCHEMA = {"person": "Person", "company": "Company", "government": "PublicBody",
                 "network": "Organization", "group": "Organization"}
# relationships.kind -> (schema, property of FROM, property of TO)
LINK_SCHEMA = {
    "owns_or_controls": ("Ownership", "owner", "asset"),
    "heads": ("Directorship", "director", "organization"),
    "manages": ("Directorship", "director", "organization"),
    "runs": ("Directorship", "director", "organization"),
    "works_at": ("Employment", "employee", "employer"),
    "official_of": ("Employment", "employee", "employer"),
    "associate_of": ("Associate", "person", "associate"),
    "acts_for": ("Representation", "agent", "client"),
}
ID_PREFIX = {"entities": "entity", "relationships": "link", "goods": "goods", "sanction": "sanction",
             "event": "event", "membership": "membership", "export": "export"}
_FTM_ID = re.compile(r"^[0-9a-zA-Z]([0-9a-zA-Z.\-]*[0-9a-zA-Z])?$")


def ftm_id(kind: str, key: str) -> str:
    """A valid, stable FtM id for row ``key`` of ``kind`` (a key of ``ID_PREFIX``)."""
    out = f"missile-{ID_PREFIX[kind]}-{key.replace('_', '.')}"
    if not _FTM_ID.match(out):
        raise ValueError(f"cannot make an FtM id from {key!r}")
    return out


def dataset_name(version: str) -> str:
    return f"missile_data_{version}".lower()


class _Checked(StatementEntity):
    """A StatementEntity whose ``add`` refuses, instead of silently dropping, a value the
    property's type cannot clean (an unknown property already raises InvalidData)."""

    def add(self, prop, values, *args, **kwargs) -> None:
        prop_obj = self.schema.get(prop) if isinstance(prop, str) else prop
        if prop_obj is not None:
            for value in values if isinstance(values, (list, tuple, set)) else [values]:
                if value not in (None, "") and prop_obj.type.clean(value, proxy=self) is None:
                    raise ValueError(f"{self.schema.name}.{prop_obj.name} of {self.id}: "
                                     f"FtM cannot read {str(value)[:60]!r}")
        super().add(prop, values, *args, **kwargs)


class _Builder:
    def __init__(self, pkg, prov):
        self.pkg, self.prov = pkg, prov
        self.dataset = Dataset({"name": dataset_name(prov.version),
                                "title": f"Missile ranges and supply chains, data version {prov.version}"})
        self.sources = pkg.sources.set_index("id")
        self.kinds = dict(zip(pkg.entities["id"], pkg.entities["kind"]))
        self.seen: set[str] = set()

    def make(self, schema: str, ident: str) -> StatementEntity:
        if ident in self.seen:
            raise ValueError(f"duplicate FtM id {ident}")
        self.seen.add(ident)
        return _Checked(self.dataset, {"schema": schema, "id": ident})

    def cite(self, proxy: StatementEntity, source_ids, kinds: tuple[str, ...] = ()) -> None:
        """sourceUrl and publisher of the cited sources (only of ``kinds`` when given and any match)."""
        ids = [s for s in source_ids if s in self.sources.index]
        chosen = [s for s in ids if self.sources.loc[s, "kind"] in kinds] if kinds else []
        for sid in chosen or ids:
            src = self.sources.loc[sid]
            if src["url"]:
                proxy.add("sourceUrl", src["url"])
            proxy.add("publisher", src["publisher"])

    def entity_schema(self, entity_id: str):
        return model.get(ENTITY_SCHEMA[self.kinds[entity_id]])


def _countries(text: str) -> list[str]:
    """ISO codes for 'Iran; China' or 'China (Hong Kong)' (the territory inside brackets wins)."""
    codes = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        inner = re.search(r"\(([^)]*)\)", part)
        for candidate in ([inner.group(1), part[:inner.start()]] if inner else [part]):
            code = registry.country.clean(candidate.strip())
            if code:
                codes.append(code)
                break
    return codes


def build(pkg, prov) -> list[StatementEntity]:
    """Every FtM entity for ``pkg``: the export's Document first, then entities,
    sanctions, memberships, relationship links and goods links."""
    b = _Builder(pkg, prov)
    out = [_export_document(b)]
    for row in pkg.entities.to_dict("records"):
        out.append(_entity(b, row))
    out += _sanctions(b)
    for row in pkg.entities.to_dict("records"):
        if row["network"]:
            out.append(_membership(b, row))
    for row in pkg.relationships.to_dict("records"):
        out.append(_link(b, row))
    for row in pkg.goods.to_dict("records"):
        out.append(_goods(b, row))
    return out


def _export_document(b: _Builder) -> StatementEntity:
    doc = b.make("Document", ftm_id("export", b.prov.version))
    doc.add("title", f"Missile ranges and supply chains: data package version {b.prov.version} as FollowTheMoney")
    doc.add("summary", b.prov.marking)
    doc.add("description", f"{b.prov.line()}. Every entity cites its sources (sourceUrl, publisher); "
                           "confidence labels (stated, secondhand, seed-only, unverified, inferred) are in each summary.")
    doc.add("date", b.prov.date)
    doc.add("publisher", "missile-supply-dashboard")
    return doc


def _entity(b: _Builder, row: dict) -> StatementEntity:
    proxy = b.make(ENTITY_SCHEMA[row["kind"]], ftm_id("entities", row["id"]))
    proxy.add("name", row["name"])
    proxy.add("alias", list(row["aliases"]))
    if row["country"]:
        codes = _countries(row["country"])
        proxy.add("country", codes)
        if len(codes) < len([p for p in row["country"].split(";") if p.strip()]):
            proxy.add("notes", f"Country as written in the data (not all of it is an ISO country): {row['country']}")
    if row["role"]:
        proxy.add("description", row["role"])
    if row["notes"]:
        proxy.add("notes", row["notes"])
    proxy.add("summary", f"Confidence of this row: {row['confidence']}")
    if _designated(row):
        proxy.add("topics", "sanction")
        proxy.add("program", list(row["programs"]))
    b.cite(proxy, row["sources"])
    return proxy


def _designated(row: dict) -> bool:
    return bool(row["designation_date"] or row["programs"] or _present(row["sdn_uid"]))


def _present(value) -> bool:
    return value is not None and str(value) not in ("", "<NA>", "nan")


def _sanctions(b: _Builder) -> list[StatementEntity]:
    if "designations" in b.pkg.tables:  # one row per designation event (a later table)
        return [_sanction_from_designation(b, row) for row in b.pkg.tables["designations"].to_dict("records")]
    out = []
    for row in b.pkg.entities.to_dict("records"):
        if not _designated(row):
            continue
        sanction = b.make("Sanction", ftm_id("sanction", row["id"]))
        sanction.add("entity", ftm_id("entities", row["id"]))
        sanction.add("authority", AUTHORITY)
        sanction.add("country", "us")
        sanction.add("program", list(row["programs"]))
        if row["designation_date"]:
            sanction.add("startDate", row["designation_date"])
            sanction.add("listingDate", row["designation_date"])
        if _present(row["sdn_uid"]):
            sanction.add("authorityId", str(row["sdn_uid"]))
        sanction.add("summary", f"U.S. designation of {row['name']}, from the entity's designation columns")
        b.cite(sanction, row["sources"], DESIGNATION_SOURCE_KINDS)
        out.append(sanction)
    return out


def _sanction_from_designation(b: _Builder, row: dict) -> StatementEntity:
    """One row of the ``designations`` table (id, entity, date, authority, action, programs,
    snapshot, source, confidence, notes): a Sanction for designated, identified (named
    again in a later action) and delisted (endDate), an Event for an indictment, which is
    a legal action, not a sanction."""
    entity = ftm_id("entities", row["entity"])
    action, date = row.get("action") or "designated", row.get("date") or ""
    authority = row.get("authority") or AUTHORITY
    names = dict(zip(b.pkg.entities["id"], b.pkg.entities["name"]))
    if action == "indicted":
        proxy = b.make("Event", ftm_id("event", str(row["id"])))
        proxy.add("name", f"Indictment of {names.get(row['entity'], row['entity'])} ({authority})")
        proxy.add("involved", entity)
    else:
        proxy = b.make("Sanction", ftm_id("sanction", str(row["id"])))
        proxy.add("entity", entity)
        proxy.add("authority", authority)
        proxy.add("status", action)
        proxy.add("program", list(row.get("programs") or ()))
        if re.match(r"(?i)u\.?s\.?\b", authority):
            proxy.add("country", "us")
    if date:
        if action == "delisted":
            proxy.add("endDate", date)
        else:
            proxy.add("startDate", date)
        if action == "designated":
            proxy.add("listingDate", date)
    proxy.add("summary", f"{action} by {authority}" + (f" on {date}" if date else "")
              + f" (confidence: {row.get('confidence') or 'not stated'})")
    if row.get("notes"):
        proxy.add("description", row["notes"])
    b.cite(proxy, [row["source"]] if row.get("source") else list(row.get("sources") or ()))
    return proxy


def _membership(b: _Builder, row: dict) -> StatementEntity:
    member = b.make("Membership", ftm_id("membership", row["id"]))
    member.add("member", ftm_id("entities", row["id"]))
    member.add("organization", ftm_id("entities", row["network"]))
    member.add("role", "member of procurement network")
    member.add("summary", f"Network membership, confidence: {row['network_confidence'] or row['confidence']}")
    b.cite(member, row["sources"])
    return member


def _link(b: _Builder, row: dict) -> StatementEntity:
    schema_name, src_prop, dst_prop = LINK_SCHEMA.get(row["kind"], ("UnknownLink", "subject", "object"))
    schema = model.get(schema_name)
    if not (b.entity_schema(row["from"]).is_a(schema.get(src_prop).range)
            and b.entity_schema(row["to"]).is_a(schema.get(dst_prop).range)):
        schema_name, src_prop, dst_prop = "UnknownLink", "subject", "object"
        schema = model.get(schema_name)
    link = b.make(schema_name, ftm_id("relationships", row["id"]))
    link.add(src_prop, ftm_id("entities", row["from"]))
    link.add(dst_prop, ftm_id("entities", row["to"]))
    if "role" in schema.properties:
        link.add("role", row["kind"])
    elif "relationship" in schema.properties:
        link.add("relationship", row["kind"])
    link.add("description", row["evidence"])
    link.add("summary", f"{row['kind']} ({row['confidence']})")
    if row["date"]:
        link.add("date", row["date"])
    b.cite(link, row["sources"])
    return link


def _goods(b: _Builder, row: dict) -> StatementEntity:
    what = f"{row['item']} ({row['category']}), {row['status']}"
    if row["recipient"]:
        link = b.make("UnknownLink", ftm_id("goods", row["id"]))
        link.add("subject", ftm_id("entities", row["supplier"]))
        link.add("object", ftm_id("entities", row["recipient"]))
        link.add("role", row["status"])
        link.add("summary", f"Goods: {what} ({row['confidence']})")
    else:
        link = b.make("Note", ftm_id("goods", row["id"]))
        link.add("entity", ftm_id("entities", row["supplier"]))
        link.add("name", row["item"])
        link.add("summary", f"Goods: {what}; the source names no recipient ({row['confidence']})")
    link.add("description", row["evidence"])
    if row["date"]:
        link.add("date" if "date" in link.schema.properties else "createdAt", row["date"])
    b.cite(link, (row["source"],))
    return link


def lines(pkg, prov) -> Iterator[str]:
    """The FtM entities as JSON lines (``EntityProxy.to_dict``, keys sorted)."""
    for proxy in build(pkg, prov):
        yield json.dumps(proxy.to_dict(), ensure_ascii=False, sort_keys=True)


def to_ftm(pkg, prov) -> bytes:
    return "".join(line + "\n" for line in lines(pkg, prov)).encode("utf-8")
