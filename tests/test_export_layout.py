"""Report exports are laid out for print: honest unit conversions, no text over other
text, every font readable at 6.5 inches, the map filling its canvas, useful file names.

Print arithmetic (documented once, used below): a report figure is laid out 1600 px wide
(``SIZES["report"]``) and pasted 6.5 inches wide, so one layout px prints at
6.5 / 1600 in = 6.5 × 72 / 1600 pt = 0.2925 pt. A font of N px prints at N × 0.2925 pt;
7 pt needs N ≥ 7 / 0.2925 = 23.93 px, i.e. 24 px at the layout width (the @2 scale doubles
pixels and the layout together and changes nothing).
"""

from __future__ import annotations

import pytest

from dashboard.figures.text import converted_range, stated_range
from dashboard.views.report import report_filename

DATE = "2026-11-30"
PRINT_WIDTH_IN = 6.5
LAYOUT_WIDTH_PX = 1600
MIN_PT = 7.0


def px_to_pt(px: float, layout_width: float = LAYOUT_WIDTH_PX) -> float:
    return px * 72 * PRINT_WIDTH_IN / layout_width


def test_print_arithmetic():
    assert px_to_pt(24) == pytest.approx(7.02, abs=0.01)
    assert px_to_pt(23) < MIN_PT <= px_to_pt(24)


# ---------------------------------------------------------------- honest conversion (pure)

@pytest.mark.parametrize("value, unit, text", [
    (1242, "mi", "1,242 mi ≈ 2,000 km"),   # 1,998.8 km: never "1,999"
    (1200, "mi", "1,200 mi ≈ 1,930 km"),   # 1,931.2 km, the issue's own example
    (800, "mi", "800 mi ≈ 1,290 km"),      # 1,287.5 km
    (1100, "mi", "1,100 mi ≈ 1,770 km"),
    (2000, "km", "2,000 km ≈ 1,240 mi"),   # 1,242.7 mi
    (1300, "km", "1,300 km ≈ 808 mi"),
    (620, "mi", "620 mi ≈ 998 km"),
])
def test_stated_range_keeps_the_source_figure_and_rounds_the_other_to_3_significant_figures(value, unit, text):
    assert stated_range(value, unit) == text


def test_1242_miles_is_never_1999_km():
    assert converted_range(1242, "mi") == (2000.0, "km")
    assert "1,999" not in stated_range(1242, "mi")


def test_unknown_unit_is_refused():
    with pytest.raises(ValueError):
        converted_range(5, "nmi")


# ---------------------------------------------------------------- file names (pure)

@pytest.mark.parametrize("query, figure, fmt, name", [
    ("systems=SEJJIL&from=territory", "map", "png", "map-sejjil-territory-2026-11-30.png"),
    ("", "map", "svg", "map-all-tehran-2026-11-30.svg"),
    ("", "ranges", "pdf", "ranges-all-2026-11-30.pdf"),
    ("systems=SEJJIL", "chain", "png", "chain-sejjil-2026-11-30.png"),
    ("kind=company&country=China", "network", "png", "network-all-company-china-2026-11-30.png"),
])
def test_report_filename_carries_the_view_and_the_date(dash, query, figure, fmt, name):
    assert report_filename(dash, dash.parse(query), figure, fmt, DATE) == name
    assert report_filename(dash.package, dash.parse(query), figure, fmt, DATE) == name


def test_report_filename_is_safe_for_any_origin(dash):
    name = report_filename(dash, dash.parse("from=-33.9,151.2&claim=max"), "map", "png", DATE)
    assert name.endswith(f"-{DATE}.png") and all(c.isalnum() or c in "-_." for c in name)
