"""Map: geodesic range rings from a chosen launch point, labelled, with what lies within them.

The first screen is the map: a one-line control bar, the legend in the rings' own colours,
then the map. Briefing (?briefing=1) and embed (?embed=true) show no controls: legend, map
sized to the window or frame (``frame=WxH``), and the facts under it.
"""

import streamlit as st

from dashboard.figures.legend import data_url, legend_svg
from dashboard.figures.text import markdown_literal
from dashboard.geo.ranges import TERRITORY
from dashboard.ui import state
from dashboard.views import mapview
from dashboard.views.view import with_map

pkg = state.package()
current = state.view()
presenting = state.presenting()
names = dict(zip(pkg.systems["id"], pkg.systems["name"]))
places = dict(zip(pkg.places["id"], pkg.places["name"]))
FROM_LABELS = {TERRITORY: "Anywhere in Iran (territory)", "point": "A point I type…"}
point = current.origin.key if current.origin.kind == "point" else ""
state.bind(current, {
    "map_systems": list(current.systems), "map_from": "point" if point else current.origin.key,
    "map_point": point or "35.69,51.42", "map_claim": current.claim,
    "map_band": "band" in current.overlays, "map_reach": "reach" in current.overlays,
    "map_arcs": "arcs" in current.overlays,
})
state.show_notes(current)

if presenting:
    view = current
else:
    c1, c2, c3, c4 = st.columns([5, 2.2, 3, 1.1], vertical_alignment="bottom")
    systems = c1.multiselect("Systems", list(names), format_func=names.get, key="map_systems",
                             placeholder="Choose systems", label_visibility="collapsed")
    origin_choice = c2.selectbox("Range measured from", [*places, TERRITORY, "point"], key="map_from",
                                 format_func=lambda k: places.get(k) or FROM_LABELS[k], label_visibility="collapsed")
    claim = c3.selectbox("Range figure", mapview.claim_options(pkg), key="map_claim",
                         format_func=lambda c: mapview.claim_label(pkg, c), label_visibility="collapsed")
    with c4.popover("Options", width="stretch"):
        typed = st.text_input("Launch point: latitude, longitude (degrees)", key="map_point",
                              disabled=origin_choice != "point", help="Used when 'A point I type…' is chosen.")
        band = st.toggle("Band of published ranges", key="map_band")
        reach = st.toggle("Cities within range (table)", key="map_reach")
        arcs = st.toggle("Supply routes", key="map_arcs")
        if st.button("Reset the map view", icon=":material/fit_screen:"):
            st.session_state["map_reset"] = st.session_state.get("map_reset", 0) + 1
    origin, problem = mapview.chosen_origin(pkg, origin_choice, typed)
    if problem:
        st.warning(markdown_literal(problem))
    overlays = tuple(o for o, on in (("band", band), ("arcs", arcs), ("reach", reach)) if on)
    if not systems:
        st.warning("No system is selected, so there is nothing to draw: choose at least one system in the bar above.")
        st.stop()
    view = with_map(pkg, current, systems, origin, claim, overlays)
    state.publish(view)

size, font_px = state.map_size(view, presenting)
result = state.map_result(view, size, font_px)
# A markdown image: the legend picture with its text as the alt text (st.image sets none).
st.markdown(f"![{markdown_literal(result.legend)}]({data_url(legend_svg(result.features, size[0], font_px))})")
st.pydeck_chart(result.deck, height=size[1], alt=result.alt, key=f"map_deck_{st.session_state.get('map_reset', 0)}")
st.caption(markdown_literal(state.marking_line()))
if not presenting:
    st.caption("Drag to pan · double-click or the + / − keys to zoom (the mouse wheel scrolls the page) · "
               "hover a ring for its claimant, source and confidence · Options → Reset the map view."
               + (" Shaded: the spread of published maximum ranges." if "band" in view.overlays else ""))
if not state.embedded():  # the page's heading, under the map: the first screen is the map itself
    st.title("Range rings: what lies within them")
for line in result.facts:
    st.markdown(markdown_literal(line))
st.caption(markdown_literal(result.caption))
if presenting:
    st.stop()
state.share_panel(view, "map")
if "reach" in view.overlays:
    if result.reach.empty:
        st.info("No capital or major city of another country lies within the drawn rings.")
    else:
        st.subheader(f"Capitals and major cities within range ({len(result.reach)} rows)")
        st.dataframe(result.reach, hide_index=True, width="stretch", height=320)
        st.download_button("Download the table (CSV)", result.reach_csv, "within-range.csv", "text/csv")
