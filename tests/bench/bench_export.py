"""Benchmark: a warm PNG export of the report map against a trivial figure.

``run()`` returns rows ``{"name", "value", "unit", "goal"}``. Both figures go through
the same running export server (``dashboard.export``), 1600x900 at scale 2, warm (one
export of each first), best of 5, the two figures taking turns. The map is countries + 4 range rings (3 filled, one
of them a band). Countries come from data/basemap/countries.geojson when it exists,
else from a synthetic set of the same size (177 polygons, about 10,600 vertices, like
Natural Earth 1:110m).

Two baselines for the map: the trivial figure through the same ``dashboard.export``, and the
trivial figure through bare kaleido (``Kaleido.calc_fig``), which reloads its page before it
returns each image while ``dashboard.export`` does that every 10th render, after returning.
"""

from __future__ import annotations

import functools
import json
import math
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BASEMAP = REPO / "data" / "basemap" / "countries.geojson"
TEHRAN = (51.389, 35.689)
ROUNDS = 5
SIZE = {"width": 1600, "height": 900, "scale": 2.0}


def _countries() -> tuple[dict, str]:
    if BASEMAP.is_file():
        return json.loads(BASEMAP.read_text(encoding="utf-8")), BASEMAP.name
    features = []
    for k in range(177):
        lon0, lat0 = -170 + (k % 20) * 17, -50 + (k // 20) * 13
        n = 60
        ring = [[lon0 + 6 * math.sin(2 * math.pi * i / n), lat0 + 5 * math.cos(2 * math.pi * i / n)] for i in range(n)]  # clockwise
        features.append({"type": "Feature", "properties": {"name": f"C{k}", "iso_a3": f"C{k:02d}"}, "geometry": {"type": "Polygon", "coordinates": [ring + [ring[0]]]}})
    return {"type": "FeatureCollection", "features": features}, "synthetic"


def _circle(km: float, n: int = 360) -> list[list[float]]:
    from pyproj import Geod

    lons, lats, _ = Geod(ellps="WGS84").fwd([TEHRAN[0]] * n, [TEHRAN[1]] * n, [360 * i / n for i in range(n)], [km * 1000] * n)
    return [[float(a), float(b)] for a, b in zip(lons, lats)]


def _ring(system: str, km: float, color: str, dash: str, fill: float, inner_km: float | None = None) -> dict:
    ring = _circle(km)
    coordinates = [ring + [ring[0]]]
    if inner_km:
        inner = _circle(inner_km)
        coordinates.append(inner[::-1] + [inner[-1]])
    return {
        "geometry": {"type": "Polygon", "coordinates": coordinates},
        "ring": ring,
        "properties": {"system": system, "label": f"{km:,.0f} km", "range_km": km, "color": color, "dash": dash, "width": 3.0, "fill_opacity": fill, "kind": "band" if inner_km else "ring"},
    }


def map_figure():
    from dashboard.figures.static_map import caption_lines, static_map_figure

    countries, basemap = _countries()
    rings = [
        _ring("Shahab-3", 1300, "#0072B2", "solid", 0.12),
        _ring("Ghadr-1", 1950, "#D55E00", "dash", 0.0),
        _ring("Sejjil", 2000, "#009E73", "dot", 0.08),
        _ring("Khorramshahr", 2000, "#CC79A7", "dashdot", 0.18, inner_km=1000),
    ]
    caption = caption_lines(
        systems=[r["properties"]["system"] for r in rings],
        origin_label="Tehran",
        sources=[f"Benchmark source {i}, a fact sheet of some length, 2024" for i in range(5)],
        data_version="bench",
        date="2026-01-01",
        marking="UNCLASSIFIED",
    )
    fig = static_map_figure(countries, rings, origin={"lon": TEHRAN[0], "lat": TEHRAN[1], "label": "Tehran"}, title="Benchmark map", caption_lines=caption, lon_range=(-60, 60), lat_range=(0, 70))
    return fig, basemap


def trivial_figure():
    import plotly.graph_objects as go

    return go.Figure(go.Scatter(x=[0, 1, 2], y=[0, 1, 0]))


def _cpu_seconds() -> float:
    """CPU time of this process and its children (Chromium), user + system."""
    import psutil

    me = psutil.Process()
    total = sum(me.cpu_times()[:2])
    for child in me.children(recursive=True):
        try:
            total += sum(child.cpu_times()[:2])
        except psutil.Error:
            pass
    return total


def _timed(fig) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one PNG export."""
    from dashboard import export

    cpu = _cpu_seconds()
    start = time.perf_counter()
    export.render(fig, "png", **SIZE)
    return time.perf_counter() - start, _cpu_seconds() - cpu


def run() -> list[dict]:
    from dashboard import export

    big, basemap = map_figure()
    small = trivial_figure()
    start = time.perf_counter()
    export.render(small, "png", **SIZE)  # starts Chromium
    cold = time.perf_counter() - start
    export.render(big, "png", **SIZE)  # warm both
    # interleaved, so that load from other processes hits both figures alike
    small_runs, big_runs = [], []
    for _ in range(ROUNDS):
        small_runs.append(_timed(small))
        big_runs.append(_timed(big))
    t_small, t_big = min(w for w, _ in small_runs), min(w for w, _ in big_runs)
    c_small, c_big = min(c for _, c in small_runs), min(c for _, c in big_runs)
    rows = [
        {"name": f"export: static map PNG / trivial PNG, 1600x900 @2, warm, best of {ROUNDS} ({basemap} countries + 4 rings)", "value": round(t_big / t_small, 3), "unit": "ratio", "goal": "<= 1.3"},
        {"name": f"export: static map PNG / trivial PNG, CPU time (Python + Chromium), best of {ROUNDS}", "value": round(c_big / c_small, 3), "unit": "ratio", "goal": "<= 1.5"},
        {"name": "export: static map PNG, 1600x900 @2, warm, best of 5", "value": round(t_big, 3), "unit": "s", "goal": "<= 2.0"},
        {"name": "export: trivial PNG, 1600x900 @2, warm, best of 5", "value": round(t_small, 3), "unit": "s", "goal": "<= 1.0"},
        {"name": "export: first PNG including Chromium start", "value": round(cold, 3), "unit": "s", "goal": "<= 15"},
    ]
    report = _report_map()
    export.render(report, "png", **SIZE)
    report_runs = []
    for _ in range(ROUNDS):
        report_runs.append(_timed(report)[0])
        small_runs.append(_timed(small))
    t_report, t_small2 = min(report_runs), min(w for w, _ in small_runs)
    rows.append({"name": f"export: the report map (default view: labels, legend, caption) / trivial PNG, best of {ROUNDS}",
                 "value": round(t_report / t_small2, 3), "unit": "ratio", "goal": "informational"})
    export.stop()
    t_bare = _bare_kaleido_best(small)
    rows += [
        {"name": f"export: trivial PNG through bare kaleido (Kaleido.calc_fig, which reloads its page before returning), best of {ROUNDS}",
         "value": round(t_bare, 3), "unit": "s", "goal": ""},
        {"name": "export: static map PNG (dashboard.export) / bare kaleido's trivial PNG", "value": round(t_big / t_bare, 3), "unit": "ratio", "goal": "<= 1.3"},
    ]
    wall, bare = _export_all(), _bare_kaleido_sum()
    rows += [
        {"name": "export: `dashboard export --all` (the 8 standard report PNGs), fresh process, wall time", "value": round(wall, 2), "unit": "s", "goal": "<= 5"},
        {"name": "  sum of bare kaleido renders of the same 8 figures (warm, one browser)", "value": round(bare, 2), "unit": "s", "goal": ""},
        {"name": "  ratio `export --all` / bare renders", "value": round(wall / bare, 2), "unit": "x", "goal": "informational"},
    ]
    return rows


def _export_all() -> float:
    """The CLI as a report writer runs it, in a fresh process (Chromium start included)."""
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "dashboard.cli", "export", "--all", "--out-dir", out],
                       cwd=REPO, check=True, stdout=subprocess.DEVNULL)
        return time.perf_counter() - start


@functools.lru_cache(maxsize=1)
def _dashboard():
    """The real data, loaded once for the report-map and bare-kaleido rows."""
    from dashboard.data.load import DEFAULT_DATA_DIR
    from dashboard.views.dashboard import Dashboard

    return Dashboard.load(DEFAULT_DATA_DIR)


def _report_map():
    dash = _dashboard()
    return dash.figure(dash.default_view(), "map")


def _bare_kaleido(figures: list[dict], warm_up: dict) -> list[float]:
    """Seconds kaleido alone takes for each of ``figures``: one Chromium, started (and warmed
    with ``warm_up``) before timing, the same offline plotly.js, kaleido's own page reloads."""
    import asyncio

    import kaleido

    from dashboard.export.browser import DEAD_PROXY, _plotly_js, find_browser

    opts = {"format": "png", **SIZE}

    async def render_all() -> list[float]:
        async with kaleido.Kaleido(n=1, timeout=None, mathjax=False, plotlyjs=_plotly_js(), path=find_browser(),
                                   proxy_server=DEAD_PROXY) as k:
            await k.calc_fig(warm_up, opts=opts)
            times = []
            for fig in figures:
                start = time.perf_counter()
                await k.calc_fig(fig, opts=opts)
                times.append(time.perf_counter() - start)
            return times

    return asyncio.run(render_all())


def _bare_kaleido_best(fig) -> float:
    spec = fig.to_dict()
    return min(_bare_kaleido([spec] * ROUNDS, spec))


def _bare_kaleido_sum() -> float:
    """Seconds kaleido alone takes to render the `export --all` figures (see _bare_kaleido)."""
    from dashboard.cli import standard_set

    dash = _dashboard()
    figures = [dash.figure(dash.parse(query), figure).to_dict() for _, figure, query in standard_set(dash.package)]
    return sum(_bare_kaleido(figures, figures[0]))


if __name__ == "__main__":
    for row in run():
        print(row)
