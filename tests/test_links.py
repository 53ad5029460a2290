"""dashboard/ui/links.absolute_base: the share panel's absolute address, without Streamlit."""

from __future__ import annotations

import pytest

from dashboard.ui.links import absolute_base

PROXY = {"Host": "dash.example:8080", "X-Forwarded-Host": "dash.example:8080",
         "X-Forwarded-Proto": "http", "X-Forwarded-Prefix": "/dashboard"}


@pytest.mark.parametrize("url, page, expected", [
    ("http://127.0.0.1:8080/dashboard/map", "map", "http://127.0.0.1:8080/dashboard"),
    ("http://127.0.0.1:8080/dashboard", "", "http://127.0.0.1:8080/dashboard"),
    ("http://127.0.0.1:8080/dashboard/", "", "http://127.0.0.1:8080/dashboard"),
    ("https://intranet.example/tools/dashboard/supply-chain", "supply-chain", "https://intranet.example/tools/dashboard"),
    ("http://localhost:8501/systems", "systems", "http://localhost:8501"),
    ("http://localhost:8501", "", "http://localhost:8501"),
    ("HTTP://[::1]:8501/sources", "sources", "http://[::1]:8501"),
    # a page name that is also the last prefix segment is stripped once only
    ("http://h/map/map", "map", "http://h/map"),
])
def test_the_browsers_address_wins(url, page, expected):
    assert absolute_base(url, PROXY, page) == expected


def test_without_a_url_the_forwarded_headers_give_scheme_host_and_prefix():
    assert absolute_base(None, PROXY) == "http://dash.example:8080/dashboard"
    headers = {"host": "10.0.0.5:8501", "x-forwarded-host": "dash.example, proxy.local",
               "x-forwarded-proto": "https, http", "x-forwarded-prefix": "/dashboard/"}
    assert absolute_base("", headers) == "https://dash.example/dashboard"


def test_host_header_alone_gives_http_and_no_prefix():
    assert absolute_base(None, {"Host": "localhost:8501"}) == "http://localhost:8501"


@pytest.mark.parametrize("url, headers", [
    (None, {}),
    (None, None),
    ("javascript:alert(1)", {}),
    (None, {"Host": "evil.example/<script>"}),
    (None, {"Host": "a b"}),
    ("http://ex ample/x", {}),
])
def test_nothing_usable_gives_relative_links(url, headers):
    assert absolute_base(url, headers) == ""


def test_odd_values_are_ignored_not_echoed():
    headers = {"Host": "dash.example", "X-Forwarded-Proto": "gopher", "X-Forwarded-Prefix": "/a\"><script>"}
    assert absolute_base(None, headers) == "http://dash.example"
    # a URL whose path is not a plain path falls back to the headers
    assert absolute_base("http://dash.example/<x>", {"Host": "h:1"}) == "http://h:1"
