"""A view as a URL: parse and write the query parameters every page shares (no Streamlit).

Parameters: ``systems`` (comma-separated ids or ``all``), ``from`` (place id, ``LAT,LON``
or ``territory``), ``claim`` (``seed``, ``min``, ``max`` or a claim id), ``overlay``
(comma-separated: ``band``, ``arcs``, ``reach``), ``entity`` (an entity id), ``briefing``
(``1``), and the network filters of /supply-chain: ``network`` (network entity ids),
``kind``, ``country`` and ``confidence`` (comma-separated values from the data).
Anything unknown or invalid falls back to the default and yields a note in plain words
that never repeat the offending value; lengths are capped.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from urllib.parse import parse_qsl, urlencode

from dashboard.network.graph import CONFIDENCE_ORDER
from dashboard.data.load import Package
from dashboard.geo.ranges import MAX_PARAM_CHARS, default_origin, parse_origin, parse_systems, select_claim

OVERLAYS = ("band", "arcs", "reach")
DEFAULT_OVERLAYS = ("band", "reach")
FILTERS = {"network": "networks", "kind": "kinds", "country": "countries", "confidence": "confidence"}  # URL key -> View field
KNOWN = ("systems", "from", "claim", "overlay", "entity", "briefing", *FILTERS)
PASSTHROUGH = ("embed", "embed_options")  # Streamlit's own; never written by us


@dataclass(frozen=True)
class View:
    systems: tuple[str, ...]
    origin: str
    claim: str = "seed"
    overlays: tuple[str, ...] = DEFAULT_OVERLAYS
    entity: str = ""
    briefing: bool = False
    networks: tuple[str, ...] = ()    # network filters of /supply-chain, in filter_choices order
    kinds: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    confidence: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=(), compare=False)

    def to_params(self, pkg: Package) -> dict[str, str]:
        """Only what differs from the default view, so plain URLs stay plain."""
        base = default_view(pkg)
        out = {}
        if self.systems != base.systems:
            out["systems"] = ",".join(self.systems)
        if self.origin != base.origin:
            out["from"] = self.origin
        if self.claim != base.claim:
            out["claim"] = self.claim
        if self.overlays != base.overlays:
            out["overlay"] = ",".join(self.overlays) or "none"
        if self.entity:
            out["entity"] = self.entity
        if self.briefing:
            out["briefing"] = "1"
        for key, name in FILTERS.items():
            if getattr(self, name):
                out[key] = ",".join(getattr(self, name))
        return out

    def query(self, pkg: Package) -> str:
        return urlencode(self.to_params(pkg))


def default_view(pkg: Package) -> View:
    return View(systems=tuple(pkg.systems["id"]), origin=default_origin(pkg).key)


def parse_view(params: dict[str, str] | str, pkg: Package) -> View:
    """Parse a query (a dict of last values, or a query string) into a valid View + notes."""
    if isinstance(params, str):
        params = dict(parse_qsl(params.lstrip("?"), keep_blank_values=True))
    view, notes = default_view(pkg), []
    unknown = sorted(k for k in params if k not in KNOWN and k not in PASSTHROUGH)
    if unknown:
        notes.append(f"Ignored {len(unknown)} unknown parameter(s).")
    parsers = [("systems", _systems), ("from", _origin), ("claim", _claim), ("overlay", _overlays),
               ("entity", _entity), ("briefing", _briefing), *((key, _filter(key)) for key in FILTERS)]
    for key, parse in parsers:
        if key in params:
            try:
                view = parse(view, str(params[key]), pkg)
            except ValueError:  # the value is not echoed back: notes never carry URL text
                notes.append(f"Parameter '{key}' was not understood; showing the default instead.")
    return replace(view, notes=tuple(notes))


def _short(text: str) -> str:
    return repr(text[:30] + ("…" if len(text) > 30 else ""))


def _systems(view: View, value: str, pkg: Package) -> View:
    return replace(view, systems=parse_systems(value, pkg))


def _origin(view: View, value: str, pkg: Package) -> View:
    return replace(view, origin=parse_origin(value, pkg).key)


def _claim(view: View, value: str, pkg: Package) -> View:
    if len(value) > MAX_PARAM_CHARS:
        raise ValueError("value too long")
    if value not in ("seed", "min", "max"):
        claims = pkg.range_claims.set_index("id")
        if value not in claims.index:
            raise ValueError(f"unknown claim {_short(value)}")
        select_claim(pkg, claims.loc[value, "system"], value)  # must be ring-eligible
    return replace(view, claim=value)


def _overlays(view: View, value: str, pkg: Package) -> View:
    items = tuple(dict.fromkeys(v.strip() for v in value.split(",") if v.strip() and v.strip() != "none"))
    bad = [v for v in items if v not in OVERLAYS]
    if bad or len(value) > MAX_PARAM_CHARS:
        raise ValueError(f"unknown overlay {_short(bad[0] if bad else value)}; use {', '.join(OVERLAYS)}")
    return replace(view, overlays=tuple(o for o in OVERLAYS if o in items))


def _entity(view: View, value: str, pkg: Package) -> View:
    if value not in set(pkg.entities["id"]):
        raise ValueError(f"unknown entity {_short(value)}")
    return replace(view, entity=value)


def _briefing(view: View, value: str, pkg: Package) -> View:
    if value not in ("0", "1", "true", "false"):
        raise ValueError("use 1 or 0")
    return replace(view, briefing=value in ("1", "true"))


def filter_choices(pkg: Package) -> dict[str, tuple[str, ...]]:
    """What each network filter may hold, in the order the page lists it (URL key -> values)."""
    ents = pkg.entities
    return {
        "network": tuple(sorted(ents.loc[ents["kind"] == "network", "id"])),
        "kind": tuple(sorted(set(ents["kind"]))),
        "country": tuple(sorted({c for c in ents["country"] if c})),
        "confidence": CONFIDENCE_ORDER,
    }


def with_filters(view: View, choices: dict[str, tuple[str, ...]], picks: dict[str, list[str]]) -> View:
    """``view`` with these network filters (URL key -> picked values), each in the order of
    ``choices`` (``filter_choices``), so that one selection always has one URL; values not
    in ``choices`` are dropped."""
    return replace(view, **{name: tuple(v for v in choices[key] if v in set(picks.get(key, ())))
                            for key, name in FILTERS.items()})


def _filter(key: str):
    def parse(view: View, value: str, pkg: Package) -> View:
        allowed = filter_choices(pkg)[key]
        items = {v.strip() for v in value.split(",") if v.strip()}
        if len(value) > MAX_PARAM_CHARS or not items <= set(allowed):
            raise ValueError(f"unknown {key}")
        return replace(view, **{FILTERS[key]: tuple(v for v in allowed if v in items)})
    return parse
