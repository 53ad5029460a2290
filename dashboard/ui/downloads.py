"""Download buttons for the open formats (dashboard/formats): the data package on /sources,
the current map view's rings as KML and GeoJSON in the map's share panel.

Every file is built only when its button is clicked (``download_button`` with a callable,
``on_click="ignore"``: no rerun), from the same core functions as the command line, so a
download equals ``dashboard datapackage`` / ``dashboard rings --format kml|geojson`` for
the same data and view.
"""

from __future__ import annotations

import json

import streamlit as st


def data_package(pkg) -> None:
    """The data folder as a zip with datapackage.json (``missile-data-<version>.zip``)."""
    from dashboard.formats import datapackage

    st.download_button(
        "Download the data package (zip: CSV, schema.toml, datapackage.json)",
        lambda: _zip(pkg), datapackage.zip_name(pkg.version), "application/zip",
        on_click="ignore", key="dl_datapackage",
        help="The cited data package with a Frictionless datapackage.json generated from schema.toml; "
             "the zip comment names the data version, date and marking.",
    )


def _zip(pkg) -> bytes:
    from dashboard.formats import datapackage, provenance
    return datapackage.to_zip(pkg.data_dir, provenance(pkg))


def view_files(view, figures) -> None:
    """KML and GeoJSON of the rings the map shows for ``view`` (only on the map's panel)."""
    if "map" not in figures:
        return
    from dashboard.ui import state
    version = state.package().version
    st.caption("The rings of this view (and bands, when shown) for Google Earth, QGIS or any GIS; "
               "the KML names the data version, date and marking:")
    kml_col, geojson_col = st.columns(2)
    kml_col.download_button("Download KML", lambda: _kml(view), f"rings-{version}.kml",
                            "application/vnd.google-earth.kml+xml", on_click="ignore", key="dl_rings_kml")
    geojson_col.download_button("Download GeoJSON", lambda: _geojson(view), f"rings-{version}.geojson",
                                "application/geo+json", on_click="ignore", key="dl_rings_geojson")


def _features(view) -> list[dict]:
    from dashboard.ui import state
    return state.dashboard().rings(view)


def _kml(view) -> bytes:
    from dashboard.formats import provenance
    from dashboard.formats.kml import to_kml
    from dashboard.ui import state
    return to_kml(_features(view), provenance(state.package()))


def _geojson(view) -> bytes:
    from dashboard.geo.rings import to_geojson
    return (json.dumps(to_geojson(_features(view))) + "\n").encode("utf-8")
