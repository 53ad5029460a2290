"""Which range to draw, from where: claim selection and launch-point models (no Streamlit).

A ring is always tied to one claim (system, km, claimant, source, date, confidence) and
one origin ("range measured from ..."). Parsing functions raise ValueError with a
one-line message that the CLI prints and the app shows as a fallback note.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import pandas as pd

from dashboard.data.load import Package

TERRITORY = "territory"
CLAIM_MODES = ("best", "seed", "min", "max")
DEFAULT_CLAIM = "best"
_LATLON = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?)\s*,\s*([+-]?\d+(?:\.\d+)?)\s*$")
MAX_PARAM_CHARS = 200


@dataclass(frozen=True)
class Origin:
    """Where ranges are measured from. ``key`` is the URL/CLI spelling."""

    kind: str          # "place" | "point" | "territory"
    key: str
    label: str         # shown on the map and in every export
    lon: float = math.nan
    lat: float = math.nan

    @property
    def caption(self) -> str:
        return f"range measured from {self.label}"


def parse_origin(value: str, pkg: Package) -> Origin:
    """A place id, ``LAT,LON`` in degrees, or ``territory`` (anywhere inside Iran)."""
    value = (value or "").strip()
    if len(value) > MAX_PARAM_CHARS:
        raise ValueError("launch point: value too long")
    if value == TERRITORY:
        return Origin("territory", TERRITORY, "anywhere in Iran (territory envelope, Natural Earth 1:110m border)")
    places = pkg.places.set_index("id")
    if value in places.index:
        p = places.loc[value]
        return Origin("place", value, str(p["name"]), float(p["lon"]), float(p["lat"]))
    m = _LATLON.match(value)
    if not m:
        known = ", ".join(places.index)
        raise ValueError(f"unknown launch point {value[:40]!r}: use a place id ({known}), LAT,LON or territory")
    lat, lon = float(m.group(1)), float(m.group(2))
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f"launch point {lat:g},{lon:g} is out of bounds: latitude -90..90, longitude -180..180")
    return Origin("point", f"{lat:g},{lon:g}", f"{abs(lat):.2f}°{'N' if lat >= 0 else 'S'} {abs(lon):.2f}°{'E' if lon >= 0 else 'W'}", lon, lat)


def default_origin(pkg: Package) -> Origin:
    """The first row of places.csv (Tehran)."""
    return parse_origin(str(pkg.places["id"].iloc[0]), pkg)


def ring_claims(pkg: Package, system_id: str) -> pd.DataFrame:
    claims = pkg.range_claims
    return claims[(claims["system"] == system_id) & claims["ring"]]


def best_claim(pkg: Package, system_id: str) -> pd.Series:
    """The best-supported figure, the default ring: of the ring-eligible claims that are
    neither seed-only nor weak (schema.toml ``weak_confidence``), the median range (the
    lower one of an even count); among claims at that range the firmest confidence
    (schema order), then the smallest id. With no such claim, all ring-eligible claims
    count. One documented rule, so the default ring is never the weakest-sourced figure.
    """
    return pkg.memo(("best_claim", system_id), lambda: _best_claim(pkg, system_id))


def _best_claim(pkg: Package, system_id: str) -> pd.Series:
    eligible = ring_claims(pkg, system_id)
    firm = eligible[~eligible["confidence"].isin({"seed-only", *pkg.vocab.get("weak_confidence", ())})]
    pool = firm if not firm.empty else eligible
    ranges = sorted(pool["range_km"])
    median = ranges[(len(ranges) - 1) // 2]
    rank = {label: i for i, label in enumerate(pkg.vocab.get("confidence", ()))}
    at = pool[pool["range_km"] == median]
    return at.assign(_rank=at["confidence"].map(rank)).sort_values(["_rank", "id"]).iloc[0].drop("_rank")


def select_claim(pkg: Package, system_id: str, claim: str) -> pd.Series:
    """``best`` (see :func:`best_claim`), ``seed`` (the seed article's figure), ``min``/``max``
    of the ring-eligible claims, or a claim id.

    A claim id must belong to the system and be ring-eligible.
    """
    if system_id not in set(pkg.systems["id"]):
        raise ValueError(f"unknown system {system_id[:40]!r}: use one of {', '.join(pkg.systems['id'])}")
    eligible = ring_claims(pkg, system_id)
    if claim == "best":
        return best_claim(pkg, system_id)
    if claim == "seed":
        return eligible[eligible["seed"]].iloc[0]
    if claim in ("min", "max"):
        ordered = eligible.sort_values(["range_km", "id"])
        return ordered.iloc[0] if claim == "min" else ordered.iloc[-1]
    match = pkg.range_claims[pkg.range_claims["id"] == claim]
    if match.empty:
        raise ValueError(f"unknown claim {claim[:40]!r}: use seed, min, max or a claim id")
    row = match.iloc[0]
    if row["system"] != system_id:
        raise ValueError(f"claim {claim} is about {row['system']}, not {system_id}")
    if not row["ring"]:
        raise ValueError(f"claim {claim} is not a maximum range ({row['basis']}); it is not drawn as a ring")
    return row


def band_km(pkg: Package, system_id: str) -> tuple[float, float]:
    """Smallest and largest ring-eligible range for a system, in km (lower ends of bands count)."""
    eligible = ring_claims(pkg, system_id)
    return float(eligible["range_km_low"].fillna(eligible["range_km"]).min()), float(eligible["range_km"].max())


def parse_systems(value: str, pkg: Package) -> tuple[str, ...]:
    """Comma-separated system ids, or ``all``."""
    known = list(pkg.systems["id"])
    if (value or "").strip() in ("", "all"):
        return tuple(known)
    ids = tuple(dict.fromkeys(v.strip() for v in value.split(",") if v.strip()))
    bad = [v for v in ids if v not in known]
    if bad or len(value) > MAX_PARAM_CHARS:
        raise ValueError(f"unknown system {bad[0][:40] if bad else value[:40]!r}: use one of {', '.join(known)} or all")
    return ids


def claim_for_system(pkg: Package, system_id: str, claim: str) -> str:
    """A specific claim id applies to its own system only; other systems keep the default ring."""
    if claim in CLAIM_MODES:
        return claim
    match = pkg.range_claims[pkg.range_claims["id"] == claim]
    if not match.empty and match.iloc[0]["system"] != system_id:
        return DEFAULT_CLAIM
    return claim
