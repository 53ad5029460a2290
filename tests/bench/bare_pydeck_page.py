"""Baseline for the cold-start benchmark: a bare Streamlit page with one pydeck chart.

One ring-shaped path (a plain lon/lat circle, no geodesy, no data files), drawn in the
first system colour with no base map tiles (``map_provider=None``), so "rings drawn" is
detected the same way on both pages. Wide layout and the map page's height
(views.mapview.DEFAULT_SIZE), so both canvases have the same size: software WebGL's cost
grows with the pixels it fills, and the ratio should measure our work, not a bigger canvas.
"""

import math

import pydeck as pdk
import streamlit as st

st.set_page_config(layout="wide")
ring = [[53.0 + 15 * math.cos(t / 90 * math.pi), 32.0 + 12 * math.sin(t / 90 * math.pi)] for t in range(181)]
layer = pdk.Layer("PathLayer", data=[{"path": ring}], get_path="path", get_color=[0, 114, 178, 255],
                  get_width=2.5, width_units=pdk.types.String("pixels"))
st.title("Bare pydeck page")
st.pydeck_chart(pdk.Deck(layers=[layer], map_provider=None,
                         initial_view_state=pdk.ViewState(longitude=53.0, latitude=32.0, zoom=2.6)), height=540)
