"""Units shared by the data checks, the tables and the figures, and how a converted
figure is written honestly.

A published range is a round figure, often itself converted from the other unit (the
seed's 1,242 miles is 2,000 km). A conversion is therefore shown to
:data:`SIGNIFICANT_DIGITS` significant figures, never to the last kilometre: "1,242 mi
≈ 2,000 km", not "1,999 km".

>>> as_published(1200, "mi")
'1,200 mi ≈ 1,930 km'
>>> as_published(1242, "mi")
'1,242 mi ≈ 2,000 km'
>>> as_published(1300, "km")
'1,300 km ≈ 808 mi'
"""

from __future__ import annotations

import math

#: International mile in kilometres (exact, by definition since 1959).
KM_PER_MILE = 1.609344
#: Significant figures of a converted range: published ranges are known to a few per cent
#: at best, so a fourth figure would claim a precision no source has.
SIGNIFICANT_DIGITS = 3
#: Distances computed by the dashboard (reach table, facts) are rounded to this many km.
DISTANCE_STEP_KM = 10


def round_significant(value: float, digits: int = SIGNIFICANT_DIGITS) -> float:
    """``value`` rounded to ``digits`` significant figures (0 stays 0)."""
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


def converted(value: float, unit: str) -> tuple[float, str]:
    """``value`` in the other unit (km <-> mi), rounded to SIGNIFICANT_DIGITS figures.
    Trailing zeros do not tell how precise a published figure is ("1,200 mi" may be exact or
    rounded), so the rule does not guess from them; 3 figures keep the rounding under 0.5 %."""
    unit = str(unit).strip().lower()
    if unit == "mi":
        return round_significant(value * KM_PER_MILE), "km"
    if unit == "km":
        return round_significant(value / KM_PER_MILE), "mi"
    raise ValueError(f"unknown unit {unit!r}: use km or mi")


def as_published(value: float, unit: str) -> str:
    """The figure as the source stated it, then its honest conversion: '1,200 mi ≈ 1,930 km'."""
    other, other_unit = converted(value, unit)
    return f"{_number(float(value))} {str(unit).strip().lower()} ≈ {_number(other)} {other_unit}"


def _number(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() or abs(x) >= 100 else f"{x:,.3g}"


def rounded_distance(km: float, step: int = DISTANCE_STEP_KM) -> int:
    """A computed distance rounded to ``step`` km (the reach table's precision)."""
    return int(round(km / step) * step)
