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
