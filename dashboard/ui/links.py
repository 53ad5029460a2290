"""Absolute links to this dashboard, as the browser reached it (share panel, iframe snippet).

``absolute_base`` is pure (unit-tested without Streamlit); ``base_url`` is the one-line
Streamlit wrapper around it.

Where the address comes from, first match wins:

1. the browser's own address (``st.context.url``: scheme, host, port and path, query
   removed, the current page's path appended by Streamlit, which we strip again). It is
   right behind any chain of proxies and TLS terminators, and includes the sub-path
   (``/dashboard``) the app is served under;
2. without it (a client that does not report one): the headers of the request that opened
   the session, ``X-Forwarded-Proto``/``X-Forwarded-Host``/``X-Forwarded-Prefix`` as our
   nginx sets them (deploy/nginx.conf.template), else ``Host`` over http;
3. else ``""``: the links stay relative ("/map?..."), as before.

Values that do not look like a scheme, a host or a path are ignored, never echoed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

_HOST = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$")
_PREFIX = re.compile(r"^(?:/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)*/?$")
_SCHEMES = ("http", "https")


def _header(headers: Mapping[str, str] | None, name: str) -> str:
    """First value of a header (comma-separated lists: the first hop), case-insensitive."""
    if not headers:
        return ""
    value = headers.get(name)
    if value is None:
        wanted = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == wanted), None)
    return (value or "").split(",")[0].strip()


def _clean_prefix(path: str) -> str | None:
    path = path.strip()
    if not _PREFIX.match(path):
        return None
    return path.rstrip("/")


def absolute_base(url: str | None, headers: Mapping[str, str] | None, page: str = "") -> str:
    """``scheme://host[:port][/prefix]`` of the dashboard (no trailing slash), or "".

    ``url`` is what ``st.context.url`` returns (the current page's path at its end);
    ``page`` is that page's url path ("" for the default page) and is removed from it.
    """
    if url:
        parts = urlsplit(url.strip())
        if parts.scheme.lower() in _SCHEMES and _HOST.match(parts.netloc or ""):
            path = _clean_prefix(parts.path)
            if path is not None:
                page = page.strip("/")
                if page and (path == f"/{page}" or path.endswith(f"/{page}")):
                    path = path[: -len(page) - 1]
                return f"{parts.scheme.lower()}://{parts.netloc}{path}"
    host = _header(headers, "X-Forwarded-Host") or _header(headers, "Host")
    if not host or not _HOST.match(host):
        return ""
    proto = _header(headers, "X-Forwarded-Proto").lower()
    scheme = proto if proto in _SCHEMES else "http"
    prefix = _clean_prefix(_header(headers, "X-Forwarded-Prefix")) or ""
    return f"{scheme}://{host}{prefix}"


def base_url() -> str:
    """The dashboard's absolute base for the current session ("" when unknown, e.g. AppTest)."""
    import streamlit as st

    try:
        url, headers = st.context.url, st.context.headers
    except Exception:  # no session context (bare mode): relative links
        return ""
    return absolute_base(url, headers, st.session_state.get("_page_path", ""))
