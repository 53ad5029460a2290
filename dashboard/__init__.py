"""Missile capability and supply-chain reference dashboard.

Layers, top to bottom (each imports only from those below; the core never imports
Streamlit): app.py, app_pages/ and ui/ (Streamlit), cli.py; views/ (View, Dashboard, what a
page or an export shows); figures/; network/ and geo/; data/ (the cited package);
export/, formats/, errors.
"""

__version__ = "0.1.0"
