"""Systems: the reference table, and every range claim behind it."""

import streamlit as st

from dashboard.views import tables
from dashboard.figures import ranges_chart as figures
from dashboard.figures.text import markdown_literal
from dashboard.ui import state

pkg = state.package()
st.title("Systems")
state.banner()
st.caption(
    "Ranges as publicly stated, in the source's unit, then converted. 'Best-supported range' is the map's default "
    "ring (the median of the firm ring claims) and its source; '" + markdown_literal(tables.printed_in(pkg)) + "' is the "
    "figure the article the dashboard started from printed (citing a 2008 report); 'Other ring claims' is the spread of the "
    "other published maximum-range figures (flight distances and shared bands are listed below but not counted). "
    "Producer links marked (inferred) rest on propellant type only."
)
st.dataframe(tables.systems_table(pkg), hide_index=True, width="stretch")
# Caveats (systems.caveat) next to the table: e.g. two drawn systems may be one missile.
for system in pkg.systems.itertuples(index=False):
    if text := tables.caveat(pkg, system.id):
        st.warning(f"**Caveat, {markdown_literal(system.name)}:** {markdown_literal(text)}")

state.share_panel(state.view(), "ranges")
st.subheader("Range claims by system")
st.plotly_chart(figures.ranges_chart(pkg), width="stretch", config={"displaylogo": False},
                alt="Chart of the published ranges of each system, one mark per claim; the table lists every claim with its source.")
for system in pkg.systems.itertuples(index=False):
    with st.expander(f"{markdown_literal(system.name)}: every published range figure"):
        st.dataframe(tables.claims_table(pkg, system.id), hide_index=True, width="stretch")
