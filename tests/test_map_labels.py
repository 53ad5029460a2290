"""The map says what it shows (issue #10): honest figures, the default ring, labels that
never collide, the legend, the facts line, data as of. Pure tests, no browser."""

from __future__ import annotations

import json
import re

import pytest

from dashboard.data.units import as_published, converted, rounded_distance
from dashboard.figures.legend import legend_items, legend_svg
from dashboard.figures.mapfit import Frame, fit_view, mercator, overlaps
from dashboard.geo.ranges import best_claim, ring_claims
from dashboard.views import mapview
from dashboard.views.tables import data_as_of, systems_table


@pytest.mark.parametrize("value, unit, text", [
    (1242, "mi", "1,242 mi ≈ 2,000 km"),  # 1,998.8 km, itself a conversion of 2,000 km
    (1200, "mi", "1,200 mi ≈ 1,930 km"),
    (800, "mi", "800 mi ≈ 1,290 km"),
    (1300, "km", "1,300 km ≈ 808 mi"),
])
def test_a_figure_is_shown_as_published_and_converted_to_3_significant_figures(value, unit, text):
    assert as_published(value, unit) == text


def test_distances_round_to_10_km():
    assert [rounded_distance(d) for d in (4.9, 5.1, 1287.4, 1999.0)] == [0, 10, 1290, 2000]
    assert converted(2000, "km") == (1240.0, "mi")


def test_the_default_ring_is_the_best_supported_claim(package):
    """Median of the ring-eligible claims that are neither seed-only nor weak; firmest first."""
    weak = {"seed-only", *package.vocab["weak_confidence"]}
    for system in package.systems["id"]:
        chosen = best_claim(package, system)
        firm = ring_claims(package, system)
        firm = firm[~firm["confidence"].isin(weak)]
        ranges = sorted(firm["range_km"])
        assert chosen["range_km"] == ranges[(len(ranges) - 1) // 2]
        assert chosen["confidence"] not in weak and not chosen["seed"]
    assert best_claim(package, "SHAHAB3")["id"] == "RC05"  # 1,300 km, the US paper's own figure


def test_the_systems_table_leads_with_the_ranges_and_never_says_seed(package):
    table = systems_table(package)
    assert list(table.columns[:5]) == ["System", "Best-supported range (map default)", "Its source",
                                       "As printed in The Washington Times, 2017-02-09", "Other ring claims (km)"]
    assert not [c for c in table.columns if "seed" in c.lower()]
    sejjil = table.set_index("System").loc["Sejjil"]
    assert sejjil["As printed in The Washington Times, 2017-02-09"] == "1,200 mi ≈ 1,930 km"
    best = best_claim(package, "SEJJIL")
    assert sejjil["Best-supported range (map default)"] == as_published(best["stated_value"], best["stated_unit"])
    assert sejjil["Its source"].endswith(f"[{best['source']}]")


def test_nothing_on_the_default_map_says_1999(dash):
    result = dash.map(dash.parse(""))
    text = json.dumps(result.deck.to_json()) + result.legend + " ".join(result.facts) + result.reach.to_csv()
    assert "1,999" not in text and "1999 km" not in text


def test_reach_leaves_out_the_launch_country_and_rounds(dash):
    for query, country in (("", "Iran"), ("from=territory", "Iran")):
        reach = dash.reach(dash.parse(query))
        assert not reach.empty and country not in set(reach["Country"])
        assert (reach["Distance (km)"] % 10 == 0).all() and (reach["Margin (km)"] % 10 == 0).all()
    assert dash.launch_country(dash.parse("from=51.5,-0.1")) == "GBR"  # a typed point: the country it is in


def test_ring_labels_and_city_labels_never_collide(dash):
    for query in ("", "from=territory", "systems=SEJJIL&from=semnan", "from=-20,-179.9"):
        view = dash.parse(query)
        result = dash.map(view)
        rings = [f for f in result.features if f["properties"]["kind"] == "ring"]
        labels = result.labels
        assert {l["text"] for l in labels if l["kind"] == "ring"} == {f["properties"]["label"] for f in rings}
        frame = Frame(*json_view(result.deck), *mapview.DEFAULT_SIZE)
        boxes = [box_of(l, frame) for l in labels if l["kind"] != "ring"]
        assert not any(overlaps(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:]), query
        assert any(l["kind"] == "capital" for l in labels) or query == "from=-20,-179.9"


def json_view(deck) -> tuple[float, float, float]:
    state = json.loads(deck.to_json())["initialViewState"]
    return state["longitude"], state["latitude"], state["zoom"]


def box_of(label: dict, frame: Frame):
    from dashboard.figures.mapfit import text_box
    x, y = frame.to_px(*label["position"])
    dx = 8 if label["kind"] == "origin" else 6
    return text_box(float(x) + dx, float(y), label["text"], label["size"], label.get("anchor", "middle"))


def test_the_map_is_fitted_to_the_drawn_rings():
    lon, lat, zoom = fit_view([40, 70], [20, 50], 1200, 540)
    x, y = mercator([40, 70], [20, 50])
    span_px = (max(y) - min(y)) * 512 * 2 ** zoom
    assert 40 < lon < 70 and 20 < lat < 50 and 0.85 * 540 <= span_px <= 540  # fills the height, with a margin
    lon, _, _ = fit_view([170, -170], [0, 10], 1200, 540)  # across the date line
    assert abs(abs(lon) - 180) < 1


def test_the_legend_lists_each_ring_in_its_colour_and_dash(dash):
    features = dash.rings(dash.parse("claim=seed"))
    items = legend_items(features)
    assert [i["label"] for i in items] == ["Shahab-3 · 800 mi ≈ 1,290 km", "Shahab-3 (improved) · 1,242 mi ≈ 2,000 km",
                                           "Ghadr-1 · 1,100 mi ≈ 1,770 km", "Sejjil · 1,200 mi ≈ 1,930 km"]
    svg = legend_svg(features, 1200, 13)
    assert svg.count("<line") == 4 and svg.count("stroke-dasharray") == 3  # Shahab-3 is solid
    assert re.search(r'height="2\d"', svg), "the four rings fit one line at 1,200 px"
    assert "<script" not in legend_svg([{**features[1], "properties": {**features[1]["properties"], "label": "<script>x"}}])


def test_the_facts_line_names_capitals_and_countries_within_each_ring(dash):
    facts = dash.facts(dash.parse("systems=SHAHAB3"))
    assert len(facts) == 1
    assert "Baghdad" in facts[0]["capitals"] and "Tehran" not in facts[0]["capitals"]
    assert "Iraq" in facts[0]["wholly"] and "Turkey" in facts[0]["partly"] and "Iran" not in facts[0]["wholly"] + facts[0]["partly"]
    line = mapview.facts_lines(facts)[0]
    assert line.startswith("Shahab-3 (1,300 km ≈ 808 mi): ") and "capitals within range" in line


def test_the_maps_accessible_name_says_which_rings_from_where(dash):
    result = dash.map(dash.parse("systems=SEJJIL,GHADR1&from=semnan&claim=seed"), mapview.DEFAULT_SIZE, 13)
    assert result.alt.startswith("Map of geodesic range rings, range measured from Semnan: ")
    assert "Sejjil · 1,200 mi ≈ 1,930 km; Ghadr-1 · 1,100 mi ≈ 1,770 km." in result.alt  # in the order chosen


def test_data_as_of_is_the_newest_source_date_per_table(package):
    text = data_as_of(package)
    dates = package.sources.set_index("id")["date"]
    newest_range = max(d for d in dates[package.range_claims["source"]] if d)
    assert f"ranges as of {newest_range}" in text
    assert f"sanctions tags as of {max(d for d in package.entities['programs_as_of'] if d)}" in text


@pytest.mark.parametrize("value, frame", [("1200x800", (1200, 800)), ("800X600", (800, 600))])
def test_frame_parameter(package, value, frame):
    from dashboard.views.view import parse_view, to_query

    view = parse_view(f"frame={value}", package)
    assert view.frame == frame and not view.notes and "frame=" in to_query(view, package)


@pytest.mark.parametrize("value", ["12x8", "1200", "x", "99999x800", "1e3x800"])
def test_bad_frame_falls_back_with_a_note(package, value):
    from dashboard.views.view import parse_view

    view = parse_view(f"frame={value}", package)
    assert view.frame == () and view.notes and value not in view.notes[0]


@pytest.mark.parametrize("window, content", [(640, 608), (800, 768), (863, 831), (864, 704), (1200, 1040), (1920, 1760)])
def test_content_width_follows_streamlits_wide_layout(window, content):
    """1 rem side padding below 864 px, 5 rem from there (measured in Chromium, Streamlit 1.67)."""
    assert mapview.content_width(window) == content


@pytest.mark.parametrize("mode, frame", [("embed", (800, 600)), ("embed", (640, 480)), ("embed", (1200, 800)),
                                         ("briefing", (1366, 768)), ("briefing", (1920, 1080)), ("embed", ())])
def test_a_presentation_fits_legend_map_and_marking_line_in_its_frame(dash, mode, frame):
    """The chrome is added up from the legend's real height at the content width and the
    marking line (here one short line); the map gets the rest, and is as wide as the content."""
    view = dash.default_view()
    features = dash.rings(view)
    (width, height), font_px = mapview.presentation_size(mode, frame, features, "Public sources")
    frame_w, frame_h = frame or mapview.UNFRAMED[mode]
    legend_h = re.search(r'height="(\d+)"', legend_svg(features, width, font_px)).group(1)
    used = mapview.PAGE_TOP_PX[mode] + int(legend_h) + 3 * mapview.GAP_PX + height + mapview.CAPTION_LINE_PX
    assert width == mapview.content_width(frame_w)
    assert frame_h - 20 < used <= frame_h, (used, frame_h)
    assert font_px == (17 if frame_h >= 700 else 14)


def test_a_longer_marking_line_takes_room_from_the_map(dash):
    view = dash.default_view()
    short = mapview.presentation_size("embed", (800, 600), dash.rings(view), "Public sources")
    long = mapview.presentation_size("embed", (800, 600), dash.rings(view), "Public sources " * 20)
    assert long[0][0] == short[0][0] and long[0][1] <= short[0][1] - 2 * mapview.CAPTION_LINE_PX
