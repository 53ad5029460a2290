"""Data and URLs never become markup or script, and errors leak nothing (reliability.md 5.2, 5.3, 5.6).

(a) A payload corpus in every text cell of a copy of the data: with normal validation the
    app shows only the validation panel; with the test-only switch that lets markup past
    validation, every page shows the payloads as literal text and runs none of them.
(b) Hostile query parameters through the browser: no dialog, no exception box, no markup.
(c) Static: no raw-HTML rendering call anywhere in dashboard/.
(d) A broken CSV shows FILE:LINE messages and no traceback or server path.
"""

from __future__ import annotations

import ast
import csv
import io
import re
import tokenize
import tomllib
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.datafix import markup_allowed
from tests.e2e.conftest import (
    HEADING,
    PAGES,
    REPO,
    copy_data,
    default_data_dir,
    exercise,
    external_requests,
    open_page,
    save_screenshot,
    settle_network,
    not_found_shown,
    open_spec,
    wait_for_app,
)

LONG = "x" * 10_000  # over the 4,000-character cell limit: rejected by validation
RLO = "abc\u202egnp.exe"  # right-to-left override: rejected even with the switch on
MARKUP_PAYLOADS = [
    "<script>window.__xss=1</script>",
    '<img src=x onerror="window.__xss=1">',
    '<svg onload="window.__xss=1">',
    "javascript:window.__xss=1",
    "$\\href{javascript:window.__xss=1}{x}$",
    '"><b>bold</b>',
    "{name}",
    # Markdown, for any renderer that reads data as markdown (st.caption, st.markdown, labels):
    "[x](javascript:window.__xss=1)",
    "![x](http://example.invalid/x.png)",
]
PAYLOADS = [*MARKUP_PAYLOADS, LONG, RLO]
# Each must show up literally (as text) on at least one page of the markup run.
MUST_BE_VISIBLE = MARKUP_PAYLOADS

# Every text cell the corpus goes into: table -> columns.
TARGETS = {
    "entities": ["name", "aliases", "role", "notes"],
    "systems": ["name", "status"],
    "sources": ["title", "publisher"],
    "places": ["name", "basis"],
    "goods": ["item", "evidence"],
    "events": ["title"],
    "range_claims": ["claimant"],
    "cities": ["name", "country"],
}

# Everything the DOM must not contain after the payloads were shown.
SCAN_JS = r"""() => {
  const found = [];
  const docs = [document];
  for (const f of document.querySelectorAll('iframe')) { try { if (f.contentDocument) docs.push(f.contentDocument); } catch (e) {} }
  for (const doc of docs) for (const el of doc.querySelectorAll('*')) {
    const tag = el.tagName.toLowerCase();
    if (tag === 'script' && el.textContent.includes('__xss')) found.push('script: ' + el.textContent.slice(0, 80));
    if (tag === 'img' && el.getAttribute('src') === 'x') found.push('img[src=x]');
    if (tag === 'svg' && el.hasAttribute('onload')) found.push('svg[onload]');
    if (tag === 'b' && ['bold', 'long'].includes(el.textContent)) found.push('<b>' + el.textContent + '</b>');
    if (tag === 'img' && (el.getAttribute('src') || '').includes('example.invalid')) found.push('markdown image from data');
    if (el.classList.contains('katex') && el.textContent.includes('href')) found.push('TeX from data: ' + el.textContent.slice(0, 60));
    // plotly turns <b> into a bold tspan inside its SVG text
    if (tag === 'tspan' && /font-weight:\s*bold/.test(el.getAttribute('style') || '') && ['bold', 'long'].includes(el.textContent))
      found.push('plotly bold tspan: ' + el.textContent);
    for (const a of el.attributes) {
      const name = a.name.toLowerCase();
      const value = (a.value || '').replace(/[\s\u0000-\u001f]/g, '').toLowerCase();
      if (name.startsWith('on') && value.includes('__xss')) found.push(tag + '[' + name + ']');
      if (['href', 'src', 'xlink:href', 'action', 'formaction', 'data'].includes(name) && value.startsWith('javascript:'))
        found.push(tag + '[' + name + '=javascript:]');
    }
  }
  return found;
}"""


# Something of a page is on screen: a heading, a table, a chart or a caption.
RENDERED = ("[data-testid='stMain'] h1, [data-testid='stDataFrame'], [data-testid='stDeckGlJsonChart'], "
            "[data-testid='stPlotlyChart'], [data-testid='stCaptionContainer']")


def script_findings(page, where: str) -> list[str]:
    """What on the page shows that data or a URL ran as script or became markup."""
    found = []
    if page.evaluate("() => typeof window.__xss") != "undefined":
        found.append("a payload ran (window.__xss is set)")
    if page.locator("a[href^='javascript:']").count():
        found.append("a javascript: link exists")
    found += page.evaluate(SCAN_JS)
    return [f"{where}: {f}" for f in found]


def no_script_ran(page, where: str) -> None:
    found = script_findings(page, where)
    assert found == [], "payload rendered as markup or run:\n" + "\n".join(found)


# ------------------------------------------------------------------------------ corpus


def _limits(folder: Path) -> tuple[dict, int]:
    schema = tomllib.loads((folder / "schema.toml").read_text(encoding="utf-8"))
    return schema["tables"], schema["limits"]["max_cell_chars"]


EVIDENCE_COLUMNS = ("evidence", "excerpt")
EVIDENCE_WORDS = " as the source words it"


def write_corpus(folder: Path, payloads: list[str], rows: int | None = None) -> dict[str, int]:
    """Put ``payloads`` into the TARGETS cells of the package in ``folder``, in place.

    Row i of the k-th column gets payload (i + k) mod n, so every payload lands in every
    column once ``rows`` >= n. ``rows`` limits how many rows per table are edited (None:
    all). Returns the number of cells edited per table.
    """
    tables, _ = _limits(folder)
    edited = {}
    k = 0
    for table, columns in TARGETS.items():
        path = folder / tables[table]["file"]
        lines = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        header, body = lines[0], lines[1:]
        count = 0
        for column in columns:
            col = header.index(column)
            for i, row in enumerate(body[:rows] if rows else body):
                row[col] = payloads[(i + k) % len(payloads)]
                if column in EVIDENCE_COLUMNS and len(row[col].split()) < 3:  # firm rows need evidence in words
                    row[col] += EVIDENCE_WORDS
                count += 1
            k += 1
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows([header, *body])
        path.write_text(out.getvalue(), encoding="utf-8")
        edited[table] = count
    return edited


def markup_payloads(folder: Path) -> list[str]:
    """The markup payloads plus the longest markup string a cell accepts (no RLO: rejected)."""
    _, max_chars = _limits(folder)
    longest = ("<b>long</b> " * max_chars)[: max_chars - 1]
    return [*MARKUP_PAYLOADS, longest]


def fit_to_columns(folder: Path) -> None:
    """Cut cells to each column's max_length (the long payload exceeds name columns)."""
    tables, _ = _limits(folder)
    for table, columns in TARGETS.items():
        spec = tables[table]
        limits = {c["name"]: c.get("max_length") for c in spec["columns"] if c["name"] in columns}
        path = folder / spec["file"]
        lines = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        header = lines[0]
        for row in lines[1:]:
            for name, limit in limits.items():
                i = header.index(name)
                if limit and len(row[i]) > limit:
                    row[i] = row[i][:limit]
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(lines)
        path.write_text(out.getvalue(), encoding="utf-8")


def problems_of(folder: Path, allow_markup: bool) -> list:
    from dashboard.data.load import check_package

    if allow_markup:
        with markup_allowed():
            return check_package(folder)[1]
    return check_package(folder)[1]


# ------------------------------------------------------------------------------ (a) corpus


@pytest.fixture(scope="module")
def markup_server(start_app, tmp_path_factory):
    """The app on a copy whose text cells all hold payloads, with markup let past validation."""
    folder = copy_data(default_data_dir(), tmp_path_factory.mktemp("xss") / "data")
    write_corpus(folder, markup_payloads(folder))
    fit_to_columns(folder)
    problems = problems_of(folder, allow_markup=True)
    assert problems == [], f"the markup corpus should pass validation with markup allowed: {problems[:10]}"
    server = start_app(folder, allow_markup=True)
    yield server
    server.stop()


@pytest.mark.browser
def test_validation_rejects_payloads_with_text_only_panel(start_app, tmp_path, page, page_log):
    folder = copy_data(default_data_dir(), tmp_path / "data")
    write_corpus(folder, PAYLOADS, rows=len(PAYLOADS))
    problems = problems_of(folder, allow_markup=False)
    assert len(problems) < 500, "the app lists 500 problems at most: keep the corpus smaller"
    server = start_app(folder)
    try:
        open_page(page, server.url + "/", page_log)
        settle_network(page, page_log)
        alert = " ".join(page.get_by_test_id("stAlert").all_inner_texts())
        assert "is invalid" in alert, alert
        listing = page.get_by_test_id("stCode").inner_text()
        for words in ("markup is not allowed", "too long", "U+202E", "starts with '$'"):
            assert words in listing, f"{words!r} missing from the validation panel"
        assert re.search(r"^systems\.csv:\d+:\d+: name: ", listing, re.MULTILINE), listing[:500]
        assert page.locator(HEADING).count() == 0, "a page ran on invalid data"
        assert not page_log.dialogs, page_log.dialogs
        no_script_ran(page, "validation panel")
        assert page.get_by_test_id("stException").count() == 0
        assert external_requests(page_log) == []
    finally:
        server.stop()


@pytest.mark.browser
def test_markup_in_data_is_shown_as_text(markup_server, page, page_log):
    """Every page, every table and chart hovered: nothing runs, the payloads read as text."""
    tooltips: list[str] = []

    def read_tooltip(p):
        for html in p.locator(".deck-tooltip").evaluate_all("els => els.map(e => e.innerHTML)"):
            if html and html not in tooltips:
                tooltips.append(html)

    seen_text = ""
    visited, problems = [], []
    for spec in PAGES:
        page_log.clear()
        open_spec(page, markup_server.url, spec, page_log)  # a missing page fails
        exercise(page, hover_grid=(3, 3), on_hover=read_tooltip)
        settle_network(page, page_log)
        visited.append(spec.path)
        save_screenshot(page, f"xss_{spec.slug}")
        # Collected for every page first, so one run reports every renderer at fault.
        problems += [f"{spec.path}: dialog {d}" for d in page_log.dialogs]
        if page.get_by_test_id("stException").count():
            problems.append(f"{spec.path}: exception box")
        problems += script_findings(page, spec.path)
        problems += [f"{spec.path}: external request {u}" for u in external_requests(page_log)]
        seen_text += page.evaluate("() => document.body.textContent")
    assert visited, "no page of the app was visited"
    if any(spec.deck for spec in PAGES if spec.path in visited) and not tooltips:
        problems.append("no map tooltip appeared while hovering the map: the tooltip check did not run")
    for html in tooltips:
        if re.search(r"<(img|svg|script|b)\b", html, re.IGNORECASE):
            problems.append(f"markup in a map tooltip: {html[:300]}")
    missing = [p for p in MUST_BE_VISIBLE if p not in seen_text]
    if missing:
        problems.append(f"payloads never shown literally on {visited}: {missing}")
    assert problems == [], f"{len(problems)} problem(s):\n" + "\n".join(problems)


# ------------------------------------------------------------------------------ (b) URLs

_TEN_KB = "A" * 10_000
HOSTILE_QUERIES = [
    # The map's view parameters (the default page parses them), each hostile in its own way.
    ("/", "from=" + quote("<script>window.__xss=1</script>") + "&systems=../../etc/passwd&claim=%00"
          "&overlay=" + quote("<svg onload=window.__xss=1>") + "&entity=%E2%80%AEevil&briefing=" + quote('"><b>bold</b>')),
    ("/", "embed=true&embed_options=" + quote('<svg onload="window.__xss=1">') + "&systems="
          + quote('<img src=x onerror="window.__xss=1">') + "&systems=SHAHAB3&systems=&from=javascript:window.__xss=1"
          "&claim=" + _TEN_KB),
    # The supply-chain page reads systems and entity too.
    ("/supply-chain", "entity=" + quote("<script>window.__xss=1</script>") + "&systems=%00&systems=../../etc/passwd"),
    # Pages without view parameters: unknown keys, a 10 kB value, a markup key, repeated embed keys.
    ("/sources", "x=" + _TEN_KB + "&" + quote("<script>window.__xss=1</script>") + "=1&claim=%00"),
    ("/systems", "embed=true&embed=false&embed_options=dark_theme&embed_options=" + quote("$\\href{javascript:window.__xss=1}{x}$")),
]


@pytest.mark.browser
def test_hostile_query_parameters(app_server, page, page_log):
    tried = 0
    for path, query in HOSTILE_QUERIES:
        where = f"{path}?{query[:80]}"
        page_log.clear()
        page.goto(f"{app_server.url}{path}?{query}")
        wait_for_app(page)
        if path != "/" and not_found_shown(page, page_log):
            continue  # a page the app does not have (yet)
        tried += 1
        assert page.locator(RENDERED).count() > 0, f"{where}: the app did not render"
        assert not page_log.dialogs, f"{where}: dialogs {page_log.dialogs}"
        assert page.get_by_test_id("stException").count() == 0, f"{where}: exception box"
        no_script_ran(page, where)
        body = page.evaluate("() => document.body.innerText")
        for words in ("Traceback", "site-packages", "/etc/passwd\n"):
            assert words not in body, f"{where}: {words!r} shown"
        assert external_requests(page_log) == [], external_requests(page_log)
    save_screenshot(page, "query_fuzz_last")
    assert tried >= 3, f"only {tried} hostile URLs reached a page"


# ------------------------------------------------------------------------------ (c) static

# Raw-HTML sinks. Comments are ignored; code and strings are not.
FORBIDDEN = [
    (re.compile(r"unsafe_allow_html\s*=\s*True"), "unsafe_allow_html=True"),
    (re.compile(r"\bcomponents\s*\.\s*(v1\s*\.\s*)?html\s*\("), "components.html("),
    (re.compile(r"\bst\s*\.\s*html\s*\("), "st.html("),
    (re.compile(r"""["']html["']\s*:"""), '"html": tooltip'),
]


def _code_without_comments(path: Path) -> str:
    source = path.read_text(encoding="utf-8")
    tokens = [t for t in tokenize.generate_tokens(io.StringIO(source).readline) if t.type != tokenize.COMMENT]
    return tokenize.untokenize(tokens)


def _ast_hits(path: Path) -> list[str]:
    """Calls the regexes could miss: html keyword/attribute via other spellings."""
    hits = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            for kw in node.keywords:
                if kw.arg == "unsafe_allow_html" and not (isinstance(kw.value, ast.Constant) and kw.value.value is False):
                    hits.append(f"{path.name}:{node.lineno}: unsafe_allow_html={ast.unparse(kw.value)}")
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr == "html":
                hits.append(f"{path.name}:{node.lineno}: {ast.unparse(func)}(")
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("streamlit.components"):
            if any(alias.name == "html" for alias in node.names):
                hits.append(f"{path.name}:{node.lineno}: from {node.module} import html")
        if isinstance(node, ast.Dict):
            for key in node.keys:
                if isinstance(key, ast.Constant) and key.value in ("html", "unsafe_allow_html"):
                    hits.append(f"{path.name}:{node.lineno}: {{{key.value!r}: ...}}")
    return hits


def test_no_raw_html_sinks_in_dashboard():
    files = sorted((REPO / "dashboard").rglob("*.py"))
    assert files, "no dashboard sources found"
    hits = []
    for path in files:
        code = _code_without_comments(path)
        for pattern, label in FORBIDDEN:
            for m in pattern.finditer(code):
                hits.append(f"{path.relative_to(REPO)}:{code.count(chr(10), 0, m.start()) + 1}: {label}")
        hits += [f"{path.relative_to(REPO).parent}/{h}" for h in _ast_hits(path)]
    assert hits == [], "raw HTML rendering in dashboard/:\n" + "\n".join(sorted(set(hits)))


# ------------------------------------------------------------------------------ (d) errors


@pytest.mark.browser
def test_error_page_leaks_no_traceback(start_app, tmp_path, page, page_log):
    folder = copy_data(default_data_dir(), tmp_path / "data")
    systems = folder / "systems.csv"
    text = systems.read_text(encoding="utf-8")
    systems.write_text(text + "BROKEN,only three,fields\n", encoding="utf-8")
    bad_line = text.count("\n") + 1
    places = folder / "places.csv"
    places.write_bytes(places.read_bytes() + b"caf\xe9,not utf-8\n")
    server = start_app(folder)
    try:
        open_page(page, server.url + "/", page_log)
        listing = page.get_by_test_id("stCode").inner_text()
        assert f"systems.csv:{bad_line}:" in listing, listing[:800]
        assert re.search(r"^places\.csv:\d+:\d+: .*not UTF-8", listing, re.MULTILINE), listing[:800]
        body = page.evaluate("() => document.body.innerText")
        for words in ("Traceback", "site-packages", "/work/", str(REPO), 'File "'):
            assert words not in body, f"{words!r} shown to the viewer"
        assert page.get_by_test_id("stException").count() == 0
        assert not page_log.dialogs
        log = server.log_text()
        assert "Traceback" not in log, log[-2000:]
    finally:
        server.stop()


def test_the_static_route_serves_the_base_map_folder_only(app_server):
    """app/static/ is data/basemap (public base-map files): the base map is served, and no
    path, encoded or not, reaches another file of the data package or the code."""
    import http.client

    def status(path: str) -> int:
        conn = http.client.HTTPConnection("127.0.0.1", app_server.port, timeout=10)
        try:
            conn.request("GET", path)  # sent as written: no client-side normalisation of ../
            return conn.getresponse().status
        finally:
            conn.close()

    assert status("/app/static/countries.geojson") == 200
    for path in ("/app/static/../sources.csv", "/app/static/..%2Fsources.csv", "/app/static/%2e%2e/schema.toml",
                 "/app/static/..%2F..%2Fdashboard%2Fapp.py", "/app/static//etc/passwd", "/app/static/%2Fetc%2Fpasswd"):
        assert status(path) in (400, 403, 404), path
