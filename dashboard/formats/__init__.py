"""Open formats for the analyst's other tools (no Streamlit): KML rings, FollowTheMoney
entities, a Datasette-ready SQLite file and the Frictionless data package.

Each module does one job and builds from what the app draws: ``kml`` from
``dashboard.geo.rings.ring_features`` (the GeoJSON's geometry), ``ftm``, ``sqlite`` and
``datapackage`` from the validated ``Package`` and ``data/schema.toml``. Every export names
its provenance (:func:`provenance`): data version, date and the marking.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Provenance:
    version: str   # the package's data version (short sha256 of every file)
    date: str      # ISO date of the export
    marking: str   # DASHBOARD_MARKING, as on every report figure

    def line(self) -> str:
        return f"{self.marking} · data version {self.version} · generated {self.date}"


def provenance(pkg, date: str | None = None) -> Provenance:
    """Version, date (today unless given) and marking for an export of ``pkg``."""
    from dashboard.views.marking import marking, today
    return Provenance(pkg.version, date or today(), marking())
