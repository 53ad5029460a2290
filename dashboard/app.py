"""Streamlit entry script: page setup, data check, navigation. Run: make run."""

from __future__ import annotations

import streamlit as st

from dashboard.ui import state

st.set_page_config(page_title="Missile ranges and supply chains", layout="wide")  # no page_icon: a material icon favicon is fetched from fonts.gstatic.com

package, problems = state.checked_package()
if problems:
    st.error(f"The data package in {state.data_dir()} is invalid: {len(problems)} problem(s). Nothing is drawn from partial data.")
    st.caption("Each line: FILE:LINE:COLUMN: column: what is wrong. Fix the file and reload.")
    st.code("\n".join(str(p) for p in problems[:500]), language=None)
    st.stop()

pages = [
    st.Page("app_pages/map.py", title="Map", url_path="map", default=True),
    st.Page("app_pages/supply_chain.py", title="Supply chain", url_path="supply-chain"),
    st.Page("app_pages/systems.py", title="Systems", url_path="systems"),
    st.Page("app_pages/sources.py", title="Sources", url_path="sources"),
]
briefing = state.view().briefing  # ?briefing=1: no navigation chrome, figure-first
page = st.navigation(pages, position="hidden" if briefing else "sidebar")
st.session_state["_page_path"] = page.url_path
state.banner()
page.run()
