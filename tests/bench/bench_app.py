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
    return [
        {"name": "map page warm rerun after a launch-point change", "value": t_app, "unit": "s", "goal": "< 1 s"},
        {"name": "  ratio to a page rendering the prebuilt deck (pydeck's own serialisation)", "value": t_app / t_plain, "unit": "x", "goal": "<= 1.3"},
        {"name": "  ratio to a page rendering the prebuilt, pre-serialised deck", "value": t_app / t_frozen, "unit": "x", "goal": "(strict baseline)"},
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
