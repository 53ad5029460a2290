"""The Streamlit side's only home for caches and URL/session state.

Every ``st.cache_*`` wrapper lives here, around a pure core function, keyed by its
arguments only (never by widget reads). Pages call these and the core; nothing else.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
import sys
from pathlib import Path

import streamlit as st

from dashboard.figures.text import markdown_literal
from dashboard.data.load import resolve_data_dir
from dashboard.ui import downloads
from dashboard.views.dashboard import Dashboard

EMBED_FRAME = (1200, 800)  # the iframe snippet's width and height, px


def data_dir() -> Path:
    """``streamlit run dashboard/serve.py -- --data DIR``, else $DASHBOARD_DATA_DIR, else data/."""
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


#: Streamlit serves this folder at app/static/ (.streamlit/config.toml): a link to data/basemap.
STATIC_DIR = Path(__file__).resolve().parents[1] / "static"


def basemap_url(folder: Path) -> str:
    """The base map's address relative to any page of the app when Streamlit serves this
    data folder's base map, else "" (other data folders send theirs inside the deck)."""
    served = STATIC_DIR / "countries.geojson"
    return "app/static/countries.geojson" if served.resolve() == (folder / "basemap" / served.name).resolve() else ""


@st.cache_resource(show_spinner="Loading the data package…", max_entries=4)
def _dashboard(folder: str, fingerprint: tuple):
    """The application object per data version (shared by reference: read-only)."""
    return Dashboard.check(folder, basemap_url(Path(folder)))


def checked() -> tuple[Dashboard | None, list]:
    folder = data_dir()
    return _dashboard(str(folder), _fingerprint(folder))


def dashboard() -> Dashboard:
    """The validated dashboard; app.py stops before any page runs when the data is invalid."""
    dash, _ = checked()
    assert dash is not None
    return dash


def package():
    return dashboard().package


def warm_up() -> None:
    """Fill the caches the first visitor's map page reads (dashboard/serve.py calls this in a
    background thread at server start): the validated package, the default view's map
    and legend at the page's size. Any failure is left for the page to meet and report."""
    import logging

    try:
        dash, _ = checked()
        if dash is None:
            return
        from dashboard.figures.legend import legend_svg
        view = dash.default_view()
        size, font_px = map_size(view, presenting=False)  # what the map page asks for
        result = dash.map(view, size, font_px)
        legend_svg(result.features, size[0], font_px)
        marking_line()
    except Exception:  # noqa: BLE001 - the page does the same work and shows what went wrong
        logging.getLogger(__name__).warning("warm-up did not finish", exc_info=True)


# --------------------------------------------------------------------------- URL state

def view():
    """The current view from the URL (invalid values fall back, with notes), parsed once per
    rerun: the parse is kept with the query it came from until the URL changes."""
    params = {k: st.query_params.get(k) for k in st.query_params.keys()}
    key = (dashboard().version, tuple(sorted(params.items())))
    cached = st.session_state.get("_view")
    if cached is None or cached[0] != key:
        cached = (key, dashboard().parse(params))
        st.session_state["_view"] = cached
    return cached[1]


def bind(current, widgets: dict[str, object]) -> None:
    """Seed widget values from the URL when it changed from outside (first load, pasted link)."""
    query = dashboard().query(current)
    if st.session_state.get("_last_query") != query or any(k not in st.session_state for k in widgets):
        for key, value in widgets.items():
            st.session_state[key] = value
    st.session_state["_last_query"] = query


def publish(new_view) -> None:
    """Write the view to the URL (only our keys; Streamlit's embed params stay as they are)."""
    from dashboard.views.view import KNOWN, to_params
    params = to_params(new_view, package())
    for key in KNOWN:
        if key in params:
            if st.query_params.get(key) != params[key]:
                st.query_params[key] = params[key]
        elif key in st.query_params:
            del st.query_params[key]
    st.session_state["_last_query"] = dashboard().query(new_view)


def show_notes(current) -> None:
    for note in current.notes:
        st.info(note, icon=":material/info:")


def embedded() -> bool:
    """True inside an iframe opened with ?embed=true: figure first, controls collapsed."""
    return bool(st.context.is_embedded)


def presenting() -> bool:
    """A briefing (?briefing=1) or an embed (?embed=true): no navigation and no controls,
    every page shows the view its URL names."""
    return view().briefing or embedded()



def graph():
    """The entity graph (shared by reference: read-only)."""
    return dashboard().graph


@st.cache_data(show_spinner="Rendering the report figure…", max_entries=32)
def _export(folder: str, fingerprint: tuple, _view, view_key: tuple, figure: str, fmt: str, date: str) -> bytes:
    from dashboard import export
    from dashboard.views.report import SIZES
    width, height, scale = SIZES["report"]
    fig = _dashboard(folder, fingerprint)[0].figure(_view, figure, date=date)
    return export.render(fig, fmt=fmt, width=width, height=height, scale=scale)


def export_bytes(view, figure: str, fmt: str) -> bytes:
    """The report figure for a view, as the CLI renders it (one kaleido browser per process)."""
    from dashboard.views.report import today
    folder = data_dir()
    return _export(str(folder), _fingerprint(folder), view, view.key, figure, fmt, today())


def share_panel(current, *figures: str) -> None:
    """Link to this view, an iframe snippet, and report downloads of each of ``figures``
    (each rendered on click)."""
    if presenting():  # briefing and embed: no controls
        return
    from dashboard.views.marking import marking
    from dashboard.ui import links
    query = dashboard().query(current)
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
        st.caption("Iframe snippet for an intranet page (frame= sizes the map to the iframe; change both together):")
        framed = dashboard().query(replace(current, frame=EMBED_FRAME))
        st.code(f'<iframe src="{base}/{page}?embed=true&{framed}" width="{EMBED_FRAME[0]}" height="{EMBED_FRAME[1]}" '
                f'style="border:0" title="Missile ranges and supply chains"></iframe>', language=None)
        for figure in figures:
            _downloads(current, figure, marking())
        downloads.view_files(current, figures)  # the map's rings as KML and GeoJSON (dashboard/ui/downloads.py)


def _downloads(view, figure: str, mark: str) -> None:
    from dashboard.views.report import report_filename, today
    st.caption(f"Report figure ({figure}), 1600×900 at scale 2, captioned with sources, data version and the marking "
               f"'{markdown_literal(mark)}':")
    cols = st.columns(3)
    for col, fmt, mime in zip(cols, ("png", "svg", "pdf"), ("image/png", "image/svg+xml", "application/pdf")):
        col.download_button(f"Download {fmt.upper()}", lambda fmt=fmt: export_bytes(view, figure, fmt),
                            report_filename(dashboard(), view, figure, fmt, today()), mime, on_click="ignore",
                            key=f"dl_{figure}_{fmt}")


def banner() -> None:
    """The marking banner, on screen as on every export."""
    st.caption(markdown_literal(marking_line()))


def map_result(view, size: tuple[int, int], font_px: int):
    """Everything the map page draws for a view at a map size (deck JSON computed once per
    view, size and data version)."""
    return dashboard().map(view, size, font_px)


def map_size(view, presenting: bool) -> tuple[tuple[int, int], int]:
    """((width, height) px of the map, label font px). The page cannot see the window, so a
    presentation fits ``frame=WxH`` from the URL (the iframe snippet writes it), else an
    800×600 frame (embed) or a 1366×768 window (briefing)."""
    from dashboard.views import mapview
    if not presenting:
        return mapview.DEFAULT_SIZE, 13
    return mapview.presentation_size(_presentation_mode(), view.frame, dashboard().rings(view), marking_line())


def content_px(view) -> int:
    """Width (px) of the page's content column: the frame's or window's in a presentation
    (``frame=WxH``, else as map_size assumes), else the default map's (a 1366 px window)."""
    from dashboard.views import mapview
    if not presenting():
        return mapview.DEFAULT_SIZE[0]
    return mapview.presentation_content_width(_presentation_mode(), view.frame)


def _presentation_mode() -> str:
    return "embed" if embedded() else "briefing"


def marking_line() -> str:
    """The marking, data version and data-as-of line shown with the legend."""
    from dashboard.views.marking import marking
    dash = dashboard()
    return f"{marking()} · data version {dash.version} · {dash.data_as_of}"



