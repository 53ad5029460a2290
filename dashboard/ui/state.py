"""The Streamlit side's only home for caches and URL/session state.

Every ``st.cache_*`` wrapper lives here, around a pure core function, keyed by its
arguments only (never by widget reads). Pages call these and the core; nothing else.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import streamlit as st

from dashboard.load import Package, check_package, resolve_data_dir


def data_dir() -> Path:
    """``streamlit run dashboard/app.py -- --data DIR``, else $DASHBOARD_DATA_DIR, else data/."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--data")
    known, _ = parser.parse_known_args(sys.argv[1:])
    return resolve_data_dir(known.data)


def _fingerprint(folder: Path) -> tuple:
    """Size and mtime of every file: an edited data file gives a new cache key."""
    if not folder.is_dir():
        return ()
    return tuple(
        (str(p.relative_to(folder)), st_.st_size, st_.st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and (st_ := p.stat())
    )


@st.cache_resource(show_spinner=False, max_entries=4)
def _checked(folder: str, fingerprint: tuple):
    """Validated package (shared by reference: treat every frame as read-only)."""
    return check_package(folder)


def checked_package() -> tuple[Package | None, list]:
    folder = data_dir()
    return _checked(str(folder), _fingerprint(folder))


def package() -> Package:
    """The validated package; app.py stops before any page runs when it is invalid."""
    pkg, _ = checked_package()
    assert pkg is not None
    return pkg


# --------------------------------------------------------------------------- cached core calls

@st.cache_resource(show_spinner=False, max_entries=4)
def _countries(folder: str, fingerprint: tuple) -> dict:
    from dashboard.basemap import load_countries
    return load_countries(Path(folder) / "basemap")


def countries() -> dict:
    folder = data_dir()
    return _countries(str(folder), _fingerprint(folder))


@st.cache_data(show_spinner="Computing geodesic rings…", max_entries=64)
def _features(folder: str, fingerprint: tuple, systems: tuple, claim: str, origin_key: str, band: bool) -> list[dict]:
    from dashboard.ranges import parse_origin
    from dashboard.rings import ring_features
    pkg, _ = _checked(folder, fingerprint)
    return ring_features(pkg, _countries(folder, fingerprint), systems, claim, parse_origin(origin_key, pkg), band=band)


def features(systems: tuple, claim: str, origin_key: str, band: bool) -> list[dict]:
    folder = data_dir()
    return _features(str(folder), _fingerprint(folder), tuple(systems), claim, origin_key, band)


# --------------------------------------------------------------------------- URL state

def view():
    """The current view from the URL (invalid values fall back, with notes)."""
    from dashboard.viewstate import parse_view
    params = {k: st.query_params.get(k) for k in st.query_params.keys()}
    return parse_view(params, package())


def bind(current, widgets: dict[str, object]) -> None:
    """Seed widget values from the URL when it changed from outside (first load, pasted link)."""
    query = current.query(package())
    if st.session_state.get("_last_query") != query or any(k not in st.session_state for k in widgets):
        for key, value in widgets.items():
            st.session_state[key] = value
    st.session_state["_last_query"] = query


def publish(new_view) -> None:
    """Write the view to the URL (only our keys; Streamlit's embed params stay as they are)."""
    from dashboard.viewstate import KNOWN
    params = new_view.to_params(package())
    for key in KNOWN:
        if key in params:
            if st.query_params.get(key) != params[key]:
                st.query_params[key] = params[key]
        elif key in st.query_params:
            del st.query_params[key]
    st.session_state["_last_query"] = new_view.query(package())


def show_notes(current) -> None:
    for note in current.notes:
        st.info(note, icon=":material/info:")


def embedded() -> bool:
    """True inside an iframe opened with ?embed=true: figure first, controls collapsed."""
    return bool(st.context.is_embedded)


@st.cache_resource(show_spinner=False, max_entries=4)
def _cities(folder: str, fingerprint: tuple):
    from dashboard.basemap import load_cities
    return load_cities(Path(folder) / "basemap")


def cities():
    folder = data_dir()
    return _cities(str(folder), _fingerprint(folder))
