"""The Streamlit side's only home for caches and URL/session state.

Every ``st.cache_*`` wrapper lives here, around a pure core function, keyed by its
arguments only (never by widget reads). Pages call these and the core; nothing else.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import streamlit as st

from dashboard.figures.text import markdown_literal
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



@st.cache_data(show_spinner="Computing geodesic rings…", max_entries=64)
def _features(folder: str, fingerprint: tuple, systems: tuple, claim: str, origin_key: str, band: bool) -> list[dict]:
    from dashboard.ranges import parse_origin
    from dashboard.rings import ring_features
    pkg, _ = _checked(folder, fingerprint)
    return ring_features(pkg, _countries(folder, fingerprint), systems, claim, parse_origin(origin_key, pkg), band=band)



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



@st.cache_resource(show_spinner=False, max_entries=4)
def _graph(folder: str, fingerprint: tuple):
    from dashboard.graph import build_graph
    pkg, _ = _checked(folder, fingerprint)
    return build_graph(pkg)


def graph():
    """The entity graph (shared by reference: read-only)."""
    folder = data_dir()
    return _graph(str(folder), _fingerprint(folder))


@st.cache_data(show_spinner="Rendering the report figure…", max_entries=32)
def _export(folder: str, fingerprint: tuple, query: str, figure: str, fmt: str, date: str) -> bytes:
    from dashboard import export
    from dashboard.report import SIZES, report_figure
    from dashboard.viewstate import parse_view
    pkg, _ = _checked(folder, fingerprint)
    width, height, scale = SIZES["report"]
    fig = report_figure(pkg, _countries(folder, fingerprint), parse_view(query, pkg), figure, date=date)
    return export.render(fig, fmt=fmt, width=width, height=height, scale=scale)


def export_bytes(query: str, figure: str, fmt: str) -> bytes:
    """The report figure for a view, as the CLI renders it (one kaleido browser per process)."""
    from dashboard.report import today
    folder = data_dir()
    return _export(str(folder), _fingerprint(folder), query, figure, fmt, today())


def share_panel(current, *figures: str) -> None:
    """Link to this view, an iframe snippet, and report downloads of each of ``figures``
    (each rendered on click)."""
    from dashboard.report import marking
    from dashboard.ui import links
    query = current.query(package())
    page = st.session_state.get("_page_path", "")
    # Lazy: the content (and the browser's code-block and download chunks) is sent only once
    # the panel is opened, which keeps it off the map's cold start (see tests/bench).
    panel = st.expander("Share, embed and export", key=f"share_{figures[0]}", on_change="rerun")
    if not panel.open:
        return
    with panel:
        base = links.base_url()  # the address the browser used, e.g. https://host/dashboard
        st.caption("Link to this view:")
        st.code(f"{base}/{page}?{query}" if query else f"{base}/{page}", language=None)
        st.caption("Iframe snippet for an intranet page:")
        sep = "&" if query else ""
        st.code(f'<iframe src="{base}/{page}?embed=true{sep}{query}" width="1200" height="800" style="border:0"></iframe>', language=None)
        for figure in figures:
            _downloads(query, figure, marking())


def _downloads(query: str, figure: str, mark: str) -> None:
    st.caption(f"Report figure ({figure}), 1600×900 at scale 2, captioned with sources, data version and the marking "
               f"'{markdown_literal(mark)}':")
    cols = st.columns(3)
    for col, fmt, mime in zip(cols, ("png", "svg", "pdf"), ("image/png", "image/svg+xml", "application/pdf")):
        col.download_button(f"Download {fmt.upper()}", lambda fmt=fmt: export_bytes(query, figure, fmt),
                            f"{figure}.{fmt}", mime, on_click="ignore", key=f"dl_{figure}_{fmt}")


def banner() -> None:
    """The marking banner, on screen as on every export."""
    from dashboard.report import marking
    st.caption(f"**{markdown_literal(marking())}** · data version {package().version}")


@st.cache_resource(show_spinner="Drawing the map…", max_entries=32)
def _map_result(folder: str, fingerprint: tuple, systems: tuple, origin: str, claim: str, overlays: tuple):
    from dashboard import mapview
    from dashboard.viewstate import View
    pkg, _ = _checked(folder, fingerprint)
    view = View(systems=systems, origin=origin, claim=claim, overlays=overlays)
    return mapview.build(pkg, _countries(folder, fingerprint), _cities(folder, fingerprint), view,
                         lambda s, c, o, b: _features(folder, fingerprint, tuple(s), c, o, b))


def map_result(view):
    """Everything the map page draws for a view (deck JSON computed once per view)."""
    folder = data_dir()
    return _map_result(str(folder), _fingerprint(folder), tuple(view.systems), view.origin, view.claim, tuple(view.overlays))


def data_as_of() -> str:
    """Newest dated source in the package (the data cannot be fresher than its sources)."""
    dates = [d for d in package().sources["date"] if d]
    return max(dates) if dates else "unknown"
