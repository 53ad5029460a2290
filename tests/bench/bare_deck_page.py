"""Floor for the map's cold start: a bare Streamlit page drawing the map page's own deck.

The deck JSON of the default view and its tooltip, built by the benchmark and read from
the file named in $BENCH_DECK_JSON ({"spec": "...", "tooltip": {...}}), are handed to
``st.pydeck_chart`` as is (its base map from app/static, like the app's: tests/bench/static
is a link to data/basemap). No package import, no data, no widgets: against the bare
one-path page it measures what the deck's content costs the browser; the map page against
this one, what the app adds around the same deck.
"""

import json
import os

import pydeck as pdk
import streamlit as st


class SavedDeck(pdk.Deck):
    """A Deck that sends a saved JSON spec (and its tooltip) unchanged."""

    def __init__(self, spec: str, tooltip: dict | None):
        super().__init__(map_provider=None)
        self._spec, self._tooltip = spec, tooltip

    def to_json(self) -> str:
        return self._spec


st.set_page_config(layout="wide")
with open(os.environ["BENCH_DECK_JSON"], encoding="utf-8") as f:
    saved = json.load(f)
deck = SavedDeck(saved["spec"], saved["tooltip"])
st.title("Bare page with the map's deck")
st.pydeck_chart(deck, height=540)
