"""Map: geodesic range rings from a chosen launch point, with the cities they reach."""

import streamlit as st

from dashboard.views import mapview
from dashboard.figures.text import markdown_literal
from dashboard.geo.ranges import TERRITORY
from dashboard.views.view import with_map
from dashboard.ui import state

pkg = state.package()
current = state.view()
names = dict(zip(pkg.systems["id"], pkg.systems["name"]))
places = dict(zip(pkg.places["id"], pkg.places["name"]))
point = current.origin.key if current.origin.kind == "point" else ""
state.bind(current, {
    "map_systems": list(current.systems), "map_from": "point" if point else current.origin.key,
    "map_point": point or "35.69,51.42", "map_claim": current.claim,
    "map_band": "band" in current.overlays, "map_reach": "reach" in current.overlays,
    "map_arcs": "arcs" in current.overlays,
})

if not state.embedded():
    st.title("Range rings")
if current.briefing:
    st.subheader(f"Data as of {state.data_as_of()} · ranges as publicly claimed, measured on the WGS84 ellipsoid")
state.show_notes(current)
with st.expander("Map controls", expanded=not (state.embedded() or current.briefing)):
    c1, c2, c3 = st.columns([3, 2, 2])
    systems = c1.multiselect("Systems", list(names), format_func=names.get, key="map_systems")
    origin_choice = c2.selectbox(
        "Range measured from", [*places, TERRITORY, "point"], key="map_from",
        format_func=lambda k: places.get(k) or {"territory": "Anywhere in Iran (territory)", "point": "A point I type…"}[k],
    )
    typed = c2.text_input("Latitude, longitude (degrees)", key="map_point", disabled=origin_choice != "point")
    claim = c3.selectbox("Range claim", mapview.claim_options(pkg), key="map_claim",
                         format_func=lambda c: mapview.claim_label(pkg, c))
    band = c3.toggle("Band of published ranges", key="map_band")
    reach = c3.toggle("Cities within range", key="map_reach")
    arcs = c3.toggle("Supply routes", key="map_arcs")

origin, problem = mapview.chosen_origin(pkg, origin_choice, typed)
if problem:
    st.warning(markdown_literal(problem))
overlays = tuple(o for o, on in (("band", band), ("arcs", arcs), ("reach", reach)) if on)
view = with_map(pkg, current, systems, origin, claim, overlays)
if not systems:
    st.warning("No system selected: choose at least one in the map controls.")
    st.stop()
state.publish(view)

result = state.map_result(view)
st.caption(markdown_literal(result.caption))
st.pydeck_chart(result.deck, height=620)
st.caption(markdown_literal(result.legend))
if not current.briefing:
    state.share_panel(view, "map")
if reach and not current.briefing:
    st.subheader(f"Capitals and major cities within range ({len(result.reach)} rows)")
    st.dataframe(result.reach, hide_index=True, width="stretch", height=320)
    st.download_button("Download the table (CSV)", result.reach_csv, "within-range.csv", "text/csv")
