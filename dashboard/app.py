"""Streamlit entry script: page setup, data check, navigation. Run: make run."""

from __future__ import annotations

import runpy
from pathlib import Path

import streamlit as st

from dashboard.ui import state

# No page_icon: a material-icon favicon is fetched from fonts.gstatic.com.
st.set_page_config(page_title="Missile ranges and supply chains", layout="wide", initial_sidebar_state="collapsed")

_, problems = state.checked()
if problems:
    st.error(f"The data package is invalid: {len(problems)} problem(s). Nothing is drawn from partial data.")
    st.caption("Each line: FILE:LINE:COLUMN: column: what is wrong. Fix the file and reload.")
    st.code("\n".join(str(p) for p in problems[:500]), language=None)
    st.stop()

MAP_SCRIPT = Path(__file__).parent / "app_pages" / "map.py"


def map_alias() -> None:
    """/map: Streamlit serves the default page at / only, so /map runs the same script."""
    runpy.run_path(str(MAP_SCRIPT), run_name="__page__")


pages = [
    st.Page("app_pages/map.py", title="Map", url_path="home", default=True),  # served at /
    st.Page("app_pages/supply_chain.py", title="Supply chain", url_path="supply-chain"),
    st.Page("app_pages/systems.py", title="Systems", url_path="systems"),
    st.Page("app_pages/sources.py", title="Sources", url_path="sources"),
    st.Page(map_alias, title="Map", url_path="map", visibility="hidden"),
]
page = st.navigation(pages, position="hidden" if state.presenting() else "top")
st.session_state["_page_path"] = page.url_path
page.run()
