"""Warm rerun of the map page after changing the launch point (AppTest), as a ratio to a
rerun of a page that only renders the same, prebuilt deck."""

from __future__ import annotations

import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


def _bare_deck_page(freeze=True):
    import streamlit as st

    from dashboard.geo.basemap import load_countries
    from dashboard.figures.deck import frozen, map_deck
    from dashboard.data.load import DEFAULT_DATA_DIR, load_package
    from dashboard.geo.ranges import parse_origin
    from dashboard.geo.rings import ring_features
    from dashboard.views.view import make_view

    @st.cache_resource
    def deck(origin_key):
        pkg = load_package(DEFAULT_DATA_DIR)
        countries = load_countries(DEFAULT_DATA_DIR / "basemap")
        view = make_view(pkg, tuple(pkg.systems["id"]), parse_origin(origin_key, pkg))
        deck = map_deck(countries, ring_features(pkg, countries, view.systems, view.claims, view.origin), view.origin)
        return frozen(deck) if freeze else deck

    key = st.selectbox("from", ["tehran", "semnan"])
    st.pydeck_chart(deck(key), height=620)


def payload_rows() -> list[dict]:
    """What the map page sends for the default view: the deck JSON on every run, and the
    base map the browser fetches once from the static route and then caches."""
    from dashboard.data.load import DEFAULT_DATA_DIR
    from dashboard.ui.state import basemap_url
    from dashboard.views.dashboard import Dashboard
    from dashboard.views.mapview import DEFAULT_SIZE

    dash = Dashboard.check(DEFAULT_DATA_DIR, basemap_url(DEFAULT_DATA_DIR))[0]
    deck = dash.map(dash.default_view(), DEFAULT_SIZE).deck.to_json().encode()
    inline = Dashboard.load(DEFAULT_DATA_DIR)
    whole = inline.map(inline.default_view(), DEFAULT_SIZE).deck.to_json().encode()
    basemap = (DEFAULT_DATA_DIR / "basemap" / "countries.geojson").stat().st_size
    return [
        {"name": "deck payload, default view (sent on every run)", "value": len(deck) / 1000, "unit": "KB", "goal": "<= 120"},
        {"name": "  base map from app/static (fetched once, then cached)", "value": basemap / 1000, "unit": "KB", "goal": "informational"},
        {"name": "  the same deck with the base map inline (a data folder Streamlit does not serve)", "value": len(whole) / 1000, "unit": "KB", "goal": "informational"},
    ]


def _best(fn, n=5) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def run() -> list[dict]:
    at = AppTest.from_file(APP, default_timeout=120).run()
    places = ["semnan", "tehran"]
    at.selectbox(key="map_from").set_value("semnan").run()
    at.selectbox(key="map_from").set_value("tehran").run()  # both origins now cached
    state = {"i": 0}

    def rerun_app():
        state["i"] += 1
        at.selectbox(key="map_from").set_value(places[state["i"] % 2]).run()

    def bare_rerun(freeze: bool):
        bare = AppTest.from_function(_bare_deck_page, args=(freeze,), default_timeout=120).run()
        bare.selectbox[0].set_value("semnan").run()
        bare.selectbox[0].set_value("tehran").run()

        def rerun():
            state["i"] += 1
            bare.selectbox[0].set_value(places[state["i"] % 2]).run()
        return _best(rerun)

    t_app, t_plain, t_frozen = _best(rerun_app), bare_rerun(False), bare_rerun(True)
    return payload_rows() + [
        {"name": "map page warm rerun after a launch-point change", "value": t_app, "unit": "s", "goal": "< 1 s"},
        {"name": "  ratio to a page rendering the prebuilt deck (pydeck's own serialisation)", "value": t_app / t_plain, "unit": "x", "goal": "<= 1.3"},
        {"name": "  ratio to a page rendering the prebuilt, pre-serialised deck", "value": t_app / t_frozen, "unit": "x", "goal": "(strict baseline)"},
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
