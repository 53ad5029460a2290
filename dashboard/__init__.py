"""Missile capability and supply-chain reference dashboard.

Core modules (no Streamlit): errors, schema, load, geodesy, basemap, ranges, graph,
figures, export, cli. The Streamlit layer is dashboard/app.py, dashboard/ui/ and
dashboard/app_pages/.
"""

__version__ = "0.1.0"
