"""Baseline for the supply-chain page's cold start: a bare Streamlit page with one plotly
figure, a small Sankey like the page's first chart (detected the same way: a drawn node)."""

import plotly.graph_objects as go
import streamlit as st

st.set_page_config(layout="wide")
st.title("Bare plotly page")
st.plotly_chart(go.Figure(go.Sankey(node={"label": ["producer", "supplier", "goods", "system"]},
                                    link={"source": [1, 2, 0], "target": [2, 0, 3], "value": [1, 1, 1]})),
                width="stretch")
