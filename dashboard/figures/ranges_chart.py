"""Range-claims chart: every published figure per system on one km axis (no Streamlit).

The seed's figure is a large star, ring-eligible claims are filled dots, figures not drawn
as rings (flight distances, shared bands, weak sources) are hollow; the shaded bar is the
band the map draws. Every text passes through plain_text.
"""

from __future__ import annotations

import plotly.graph_objects as go

from dashboard.figures.style import system_style
from dashboard.figures.text import plain_text
from dashboard.data.load import Package
from dashboard.geo.ranges import band_km



def ranges_chart(pkg: Package, systems=None, title: str = "Published range claims") -> go.Figure:
    systems = list(systems or pkg.systems["id"])
    names = pkg.systems.set_index("id")["name"]
    titles = pkg.sources.set_index("id")["title"]
    fig = go.Figure()
    for pos, sid in enumerate(pkg.systems["id"]):
        if sid not in systems:
            continue
        colour, _, _ = system_style(pos)
        y = len(systems) - systems.index(sid)
        low, high = band_km(pkg, sid)
        fig.add_shape(type="rect", x0=low, x1=high, y0=y - 0.3, y1=y + 0.3, fillcolor=colour, opacity=0.15, line_width=0)
        claims = pkg.range_claims[pkg.range_claims["system"] == sid].sort_values("range_km").reset_index(drop=True)
        for kind, subset in (("seed", claims[claims["seed"]]), ("ring", claims[claims["ring"] & ~claims["seed"]]),
                             ("other", claims[~claims["ring"]])):
            if subset.empty:
                continue
            offsets = [((i % 3) - 1) * 0.17 for i in subset.index] if kind != "seed" else [0.0] * len(subset)
            fig.add_trace(go.Scatter(
                x=subset["range_km"], y=[y + o for o in offsets], mode="markers",
                name=plain_text(f"{names[sid]}: {_kind_label(kind)}"), legendgroup=sid,
                marker=_marker(kind, colour),
                customdata=[[plain_text(r.claimant), plain_text(r.date), plain_text(titles.get(r.source, r.source)),
                             plain_text(r.confidence), plain_text(r.basis), f"{r.stated_value:,.0f} {r.stated_unit}"]
                            for r in subset.itertuples()],
                hovertemplate=("%{x:,.0f} km (source figure %{customdata[5]})<br>%{customdata[4]}<br>"
                               "Claimant: %{customdata[0]}, %{customdata[1]}<br>Source: %{customdata[2]}<br>"
                               "Confidence: %{customdata[3]}<extra></extra>"),
            ))
    fig.update_layout(
        title=plain_text(title), template="plotly_white", height=120 + 110 * len(systems),
        xaxis={"title": "range, km (hover a point for claimant, date and source; shaded: band of published "
                        "maximum ranges; hollow: not drawn as a ring)", "range": _x_range(pkg, systems)},
        yaxis={"tickvals": list(range(len(systems), 0, -1)), "ticktext": [plain_text(names[s]) for s in systems],
               "range": [0.4, len(systems) + 0.6]},
        legend={"orientation": "h", "y": -0.25}, margin={"l": 140, "r": 20, "t": 50, "b": 60},
    )
    return fig


def _x_range(pkg: Package, systems) -> list[float]:
    claims = pkg.range_claims[pkg.range_claims["system"].isin(systems)]
    low = claims["range_km_low"].fillna(claims["range_km"]).min()
    return [max(0.0, low - 150), claims["range_km"].max() + 150]


def _kind_label(kind: str) -> str:
    return {"seed": "seed article's figure", "ring": "other maximum-range claims", "other": "not drawn as a ring"}[kind]


def _marker(kind: str, colour: str) -> dict:
    if kind == "seed":
        return {"symbol": "star", "size": 18, "color": colour, "line": {"color": "#000", "width": 1}}
    if kind == "ring":
        return {"symbol": "circle", "size": 10, "color": colour}
    return {"symbol": "circle-open", "size": 10, "color": colour, "line": {"width": 2}}
