"""Sources: every document the data cites, and what it supports."""

import streamlit as st

from dashboard.views import tables
from dashboard.ui import downloads, state

pkg = state.package()
st.title("Sources")
state.banner()
st.caption(
    f"{len(pkg.sources)} sources. Addresses are shown as text: the dashboard never fetches them. "
    f"Data version {pkg.version}."
)
st.dataframe(tables.sources_table(pkg), hide_index=True, width="stretch")
if not state.presenting():  # briefing and embed: no controls
    downloads.data_package(pkg)  # the data folder as a zip with datapackage.json
