"""A view: what one page or one export shows, parsed from a URL once (no Streamlit).

Parameters: ``systems`` (comma-separated ids or ``all``), ``from`` (place id, ``LAT,LON``
or ``territory``), ``claim`` (``best`` (default), ``seed``, ``min``, ``max`` or a claim id), ``overlay``
(comma-separated: ``band``, ``arcs``, ``reach``), ``entity`` (an entity id), ``briefing``
(``1``), ``frame`` (``WIDTHxHEIGHT`` of the window or iframe, px: sizes a briefing or
embedded map), and the network filters of /supply-chain: ``network`` (network entity ids),
``kind``, ``country`` and ``confidence`` (comma-separated values from the data).

``parse_view`` is the only place a query is read and ``to_query`` the only place one is
written. A :class:`View` holds parsed values: an :class:`~dashboard.geo.ranges.Origin`,
the claim drawn for each system, the filters. ``systems`` means the same on every page:
the systems the view is about (the map draws each; the supply chain shows their chains).
Anything unknown or invalid falls back to the default and yields a note in plain words
that never repeats the offending value; lengths are capped.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from urllib.parse import parse_qsl, urlencode

from dashboard.data.load import Package
from dashboard.geo.ranges import (CLAIM_MODES, DEFAULT_CLAIM, MAX_PARAM_CHARS, Origin, claim_for_system,
                                  default_origin, parse_origin, parse_systems, select_claim)

OVERLAYS = ("band", "arcs", "reach")
DEFAULT_OVERLAYS = ("band", "reach")
FILTERS = {"network": "networks", "kind": "kinds", "country": "countries", "confidence": "confidence"}  # URL key -> View field
KNOWN = ("systems", "from", "claim", "overlay", "entity", "briefing", "frame", *FILTERS)
FRAME_PX = (200, 4000)  # smallest and largest width or height accepted in ``frame=WxH``
PASSTHROUGH = ("embed", "embed_options")  # Streamlit's own; never written by us


@dataclass(frozen=True)
class View:
    systems: tuple[str, ...]
    origin: Origin
    claim: str = DEFAULT_CLAIM            # the URL's spelling: best, seed, min, max or a claim id
    claims: tuple[str, ...] = ()          # the claim id drawn for each of ``systems``, same order
    overlays: tuple[str, ...] = DEFAULT_OVERLAYS
    entity: str = ""
    briefing: bool = False
    networks: tuple[str, ...] = ()        # network filters of /supply-chain, in filter_choices order
    kinds: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    confidence: tuple[str, ...] = ()
    frame: tuple[int, ...] = ()           # (width, height) px of the window or iframe, when the URL says
    notes: tuple[str, ...] = field(default=(), compare=False)

    @property
    def key(self) -> tuple:
        """A hashable key of everything drawn (the origin by its URL spelling)."""
        return (self.systems, self.origin.key, self.claims, self.overlays, self.entity, self.networks,
                self.kinds, self.countries, self.confidence)

    @property
    def band(self) -> bool:
        return "band" in self.overlays


def make_view(pkg: Package, systems: tuple[str, ...], origin: Origin, claim: str = DEFAULT_CLAIM, **rest) -> View:
    """A View with each system's claim resolved; raises ValueError for a claim no system can draw."""
    claims = tuple(str(select_claim(pkg, s, claim_for_system(pkg, s, claim))["id"]) for s in systems)
    return View(systems=tuple(systems), origin=origin, claim=claim, claims=claims, **rest)


def with_map(pkg: Package, view: View, systems, origin: Origin, claim: str, overlays) -> View:
    """``view`` with new map choices (claims resolved again)."""
    fresh = make_view(pkg, tuple(systems), origin, claim)
    return replace(view, systems=fresh.systems, origin=origin, claim=claim, claims=fresh.claims,
                   overlays=tuple(o for o in OVERLAYS if o in overlays), notes=())


def default_view(pkg: Package) -> View:
    return pkg.memo("default_view", lambda: make_view(pkg, tuple(pkg.systems["id"]), default_origin(pkg)))


def to_params(view: View, pkg: Package) -> dict[str, str]:
    """Only what differs from the default view, so plain URLs stay plain."""
    base = default_view(pkg)
    out = {}
    if view.systems != base.systems:
        out["systems"] = ",".join(view.systems)
    if view.origin.key != base.origin.key:
        out["from"] = view.origin.key
    if view.claim != base.claim:
        out["claim"] = view.claim
    if view.overlays != base.overlays:
        out["overlay"] = ",".join(view.overlays) or "none"
    if view.entity:
        out["entity"] = view.entity
    if view.briefing:
        out["briefing"] = "1"
    if view.frame:
        out["frame"] = "x".join(map(str, view.frame))
    for key, name in FILTERS.items():
        if getattr(view, name):
            out[key] = ",".join(getattr(view, name))
    return out


def to_query(view: View, pkg: Package) -> str:
    """The view as a query string (without ``?``): the one place a view becomes a URL."""
    return urlencode(to_params(view, pkg))


def parse_view(params: dict[str, str] | str, pkg: Package) -> View:
    """Parse a query (a dict of last values, or a query string) into a valid View + notes."""
    if isinstance(params, str):
        params = dict(parse_qsl(params.lstrip("?"), keep_blank_values=True))
    fields, bad = {}, []
    unknown = sorted(k for k in params if k not in KNOWN and k not in PASSTHROUGH)
    parsers = [("systems", _systems), ("from", _origin), ("claim", _claim), ("overlay", _overlays),
               ("entity", _entity), ("briefing", _briefing), ("frame", _frame), *((key, _filter(key)) for key in FILTERS)]
    for key, parse in parsers:
        if key in params:
            try:
                fields.update(parse(str(params[key]), pkg))
            except ValueError:  # the value is not echoed back: notes never carry URL text
                bad.append(key)
    base = default_view(pkg)
    systems, origin = fields.pop("systems", base.systems), fields.pop("origin", base.origin)
    claim = fields.pop("claim", DEFAULT_CLAIM)
    try:
        view = make_view(pkg, systems, origin, claim, **fields)
    except ValueError:  # a claim id valid on its own, but for no chosen system's ring
        bad.append("claim")
        view = make_view(pkg, systems, origin, DEFAULT_CLAIM, **fields)
    return replace(view, notes=_notes(unknown, bad))


def _notes(unknown: list[str], bad: list[str]) -> tuple[str, ...]:
    """One compact note for everything that fell back (never the offending values)."""
    parts = []
    if bad:
        parts.append(f"{', '.join(repr(k) for k in bad)} not understood; showing the default instead")
    if unknown:
        parts.append(f"ignored {len(unknown)} unknown parameter(s)")
    return (f"Link parameter{'s' if len(bad) > 1 else ''} {'; '.join(parts)}.",) if parts else ()


def _systems(value: str, pkg: Package) -> dict:
    return {"systems": parse_systems(value, pkg)}


def _origin(value: str, pkg: Package) -> dict:
    return {"origin": parse_origin(value, pkg)}


def _claim(value: str, pkg: Package) -> dict:
    if len(value) > MAX_PARAM_CHARS:
        raise ValueError("value too long")
    if value not in CLAIM_MODES:
        claims = pkg.range_claims.set_index("id")
        if value not in claims.index:
            raise ValueError("unknown claim")
        select_claim(pkg, claims.loc[value, "system"], value)  # must be ring-eligible
    return {"claim": value}


def _overlays(value: str, pkg: Package) -> dict:
    items = tuple(dict.fromkeys(v.strip() for v in value.split(",") if v.strip() and v.strip() != "none"))
    if any(v not in OVERLAYS for v in items) or len(value) > MAX_PARAM_CHARS:
        raise ValueError("unknown overlay")
    return {"overlays": tuple(o for o in OVERLAYS if o in items)}


def _entity(value: str, pkg: Package) -> dict:
    if value not in set(pkg.entities["id"]):
        raise ValueError("unknown entity")
    return {"entity": value}


def _briefing(value: str, pkg: Package) -> dict:
    if value not in ("0", "1", "true", "false"):
        raise ValueError("use 1 or 0")
    return {"briefing": value in ("1", "true")}


def _frame(value: str, pkg: Package) -> dict:
    parts = value.lower().split("x")
    if len(parts) != 2 or not all(p.isdigit() and len(p) <= 5 for p in parts):
        raise ValueError("use WIDTHxHEIGHT")
    size = tuple(int(p) for p in parts)
    if not all(FRAME_PX[0] <= v <= FRAME_PX[1] for v in size):
        raise ValueError("frame out of range")
    return {"frame": size}


def filter_choices(pkg: Package) -> dict[str, tuple[str, ...]]:
    """What each network filter may hold, in the order the page lists it (URL key -> values)."""
    ents = pkg.entities
    return {
        "network": tuple(sorted(ents.loc[ents["kind"] == "network", "id"])),
        "kind": tuple(sorted(set(ents["kind"]))),
        "country": tuple(sorted({c for c in ents["country"] if c})),
        "confidence": pkg.vocab["confidence"],
    }


def with_filters(view: View, choices: dict[str, tuple[str, ...]], picks: dict[str, list[str]]) -> View:
    """``view`` with these network filters (URL key -> picked values), each in the order of
    ``choices`` (``filter_choices``), so that one selection always has one URL; values not
    in ``choices`` are dropped."""
    return replace(view, **{name: tuple(v for v in choices[key] if v in set(picks.get(key, ())))
                            for key, name in FILTERS.items()})


def _filter(key: str):
    def parse(value: str, pkg: Package) -> dict:
        allowed = filter_choices(pkg)[key]
        items = {v.strip() for v in value.split(",") if v.strip()}
        if len(value) > MAX_PARAM_CHARS or not items <= set(allowed):
            raise ValueError(f"unknown {key}")
        return {FILTERS[key]: tuple(v for v in allowed if v in items)}
    return parse
