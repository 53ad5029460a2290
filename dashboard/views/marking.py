"""The marking printed on screen and on every export, and the date exports carry.

Kept apart from views.report so that the map page can show its marking line without
importing the report figures (plotly figure builders, the supply-chain graph).
"""

from __future__ import annotations

import datetime as dt
import os

MARKING_ENV = "DASHBOARD_MARKING"
DEFAULT_MARKING = "Public sources — not an official assessment"


def marking() -> str:
    """The banner printed on screen and on every export (configurable, for briefings)."""
    return os.environ.get(MARKING_ENV, DEFAULT_MARKING)[:200]


def today() -> str:
    return dt.date.today().isoformat()
