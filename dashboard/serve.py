"""What ``streamlit run`` starts: the Streamlit server for ``app.py``, warmed up at start.

While the first browser loads Streamlit's frontend (about a second), a background thread
imports the pages' modules, validates the data package and draws the default map into the
same caches the pages use, so the first visitor's script run finds them ready instead of
doing that work on the critical path. A failed warm-up changes nothing: the page then
does the work itself and shows any data problem as usual. On shutdown the export
Chromium, if a download started one, is stopped with the server.

    streamlit run dashboard/serve.py [--server.port N] [-- --data DIR]
"""

from __future__ import annotations

import threading
from contextlib import asynccontextmanager

import streamlit as st


@asynccontextmanager
async def lifespan(_app):
    threading.Thread(target=_warm_up, name="dashboard-warm-up", daemon=True).start()
    yield
    from dashboard import export

    export.stop()  # the export Chromium (started by a PNG download) ends with the server


def _warm_up() -> None:
    from dashboard.ui import state

    state.warm_up()


app = st.App("app.py", lifespan=lifespan)
