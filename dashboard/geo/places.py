"""The geography the dashboard is about, declared once (no Streamlit). Degrees (WGS84)."""

from __future__ import annotations

__all__ = ["IRAN_CENTRE", "IRAN_ISO_A3", "IRAN_ZOOM"]

#: ISO 3166-1 alpha-3 code of Iran: the outline of ``from=territory`` in the base map.
IRAN_ISO_A3 = "IRN"
#: ``(lon, lat)``, degrees: the middle of Iran, where maps not centred on a launch
#: point look.
IRAN_CENTRE = (53.0, 32.0)
#: Zoom of the on-screen (pydeck, Web Mercator) map around :data:`IRAN_CENTRE`.
IRAN_ZOOM = 2.6
