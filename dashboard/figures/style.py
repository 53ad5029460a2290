"""One visual style for the interactive map and the static export.

Okabe-Ito colours (safe for the common colour-vision deficiencies), and for each system
a distinct line width and dash so the rings stay apart when printed in greyscale.
"""

from __future__ import annotations

from dataclasses import dataclass

# (hex colour, plotly dash, line width in px) by system position in systems.csv
SYSTEM_STYLES = [  # Okabe-Ito hues, darkened where needed for a 3:1 contrast on LAND and OCEAN (WCAG 1.4.11)
    ("#0072B2", "solid", 2.5),     # blue
    ("#D55E00", "dash", 3.0),      # vermillion
    ("#00956C", "dot", 3.5),       # bluish green (Okabe-Ito #009E73, 6 % darker)
    ("#B46A93", "dashdot", 4.0),   # reddish purple (#CC79A7, 12 % darker)
    ("#AC7700", "longdash", 3.0),  # orange (#E69F00, 25 % darker)
    ("#4189B1", "solid", 4.5),     # sky blue (#56B4E9, 24 % darker)
]
# Dash name -> (dash, gap) in multiples of the line width: how the screen map (deck.gl's
# PathStyleExtension takes two numbers, with highPrecisionDash so the pattern runs along the
# whole ring rather than restarting at every short segment) and its legend draw plotly's
# named dashes.
DASH_PATTERN = {"solid": (0, 0), "dash": (3, 3), "dot": (1, 1.6), "dashdot": (6, 4), "longdash": (10, 3),
                "longdashdot": (10, 5)}
BAND_OPACITY = 0.18
LAND = "#e9e6df"
BORDER = "#b9b4a8"
OCEAN = "#f4f8fb"
ORIGIN = "#000000"
FONT = "DejaVu Sans, Arial, sans-serif"
# Entity kind -> (Okabe-Ito colour, plotly marker symbol, marker size): the network's nodes
# and the chain's node colours, so one kind looks the same in both.
KIND_STYLES = {
    "system": ("#D55E00", "star", 18),
    "government": ("#009E73", "diamond", 12),
    "company": ("#56B4E9", "square", 10),
    "person": ("#E69F00", "circle", 10),
    "network": ("#CC79A7", "hexagon", 14),
    "group": ("#F0E442", "triangle-up", 12),
    "goods": ("#0072B2", "triangle-down", 9),
}


def system_style(position: int) -> tuple[str, str, float]:
    return SYSTEM_STYLES[position % len(SYSTEM_STYLES)]


def rgba(hex_colour: str, alpha: float = 1.0) -> list[int]:
    """'#rrggbb' -> [r, g, b, a] with a in 0..255, as deck.gl wants it."""
    h = hex_colour.lstrip("#")
    return [int(h[i:i + 2], 16) for i in (0, 2, 4)] + [round(alpha * 255)]


# --------------------------------------------------------------------------- links
# One link style for every supply-chain view (chain Sankey, network, map arcs), derived
# from schema.toml [vocabularies]: never a second list of labels here.
#
# Confidence -> colour and line: the firm labels (confidence minus weak_confidence, in the
# schema's order: stated, secondhand, seed-only) get distinct Okabe-Ito hues and solid
# lines; the weak labels (unverified, inferred) are grey, dashed and pale.
# Flow (how far goods moved: goods.status, or the status a relationship kind means) ->
# opacity and weight: a delivery (delivered_status) is the only opaque, heavy flow; an
# offer, order or attempt to buy is pale and dotted and says "not delivered"; a tie
# between organisations (no goods move) is in between.
FIRM_COLOURS = ("#0072B2", "#009E73", "#E69F00", "#CC79A7", "#56B4E9")  # blue, bluish green, orange, ...
WEAK_COLOUR = "#8c8c8c"
TIE = "tie"


@dataclass(frozen=True)
class ConfidenceStyle:
    label: str
    colour: str   # '#rrggbb'
    dash: str     # plotly dash
    weak: bool
    legend: str   # legend entry


@dataclass(frozen=True)
class FlowStyle:
    flow: str      # a goods.status value, or TIE
    alpha: float   # link opacity (Sankey, arcs); line opacity (network)
    width: float   # network line width (px)
    dash: str | None  # overrides the confidence dash in the network (None: keep it)
    delivered: bool
    legend: str


def confidence_styles(vocab) -> dict[str, ConfidenceStyle]:
    """Every confidence label of the schema, in its order, with its one style."""
    weak = set(vocab.get("weak_confidence", ()))
    styles, firm = {}, 0
    for label in vocab.get("confidence", ()):
        if label in weak:
            styles[label] = ConfidenceStyle(label, WEAK_COLOUR, "dash", True, f"{label}: grey, dashed (no source states it)")
        else:
            colour = FIRM_COLOURS[firm % len(FIRM_COLOURS)]
            firm += 1
            styles[label] = ConfidenceStyle(label, colour, "solid", False, f"{label}")
    return styles


def confidence_style(vocab, label: str) -> ConfidenceStyle:
    """The style of ``label``; an unknown or empty label is drawn as weak."""
    return confidence_styles(vocab).get(label) or ConfidenceStyle(label or "not stated", WEAK_COLOUR, "dash", True, "not stated")


def flow_of(vocab, kind: str, status: str = "") -> str:
    """How far goods moved along a link: the goods.status of a goods link, the status a
    relationship kind means (relationship_status), else TIE (no goods move)."""
    if status:
        return status
    return dict(tuple(pair) for pair in vocab.get("relationship_status", ())).get(kind, TIE)


def flow_styles(vocab) -> dict[str, FlowStyle]:
    """Every flow (goods_status in the schema's order, then TIE) with its one style."""
    delivered = set(vocab.get("delivered_status", ()))
    styles = {}
    for status in vocab.get("goods_status", ()):
        if status in delivered:
            styles[status] = FlowStyle(status, 0.85, 3.0, None, True, f"delivered ({status}): solid flow")
        else:
            styles[status] = FlowStyle(status, 0.22, 1.2, "dot", False, f"{status}, not delivered: pale, dotted")
    styles[TIE] = FlowStyle(TIE, 0.5, 1.2, None, False, "tie between organisations (no goods move)")
    return styles


def flow_style(vocab, flow: str) -> FlowStyle:
    return flow_styles(vocab).get(flow) or flow_styles(vocab)[TIE]


def flow_word(vocab, flow: str) -> str:
    """The word a label or tooltip uses: 'delivered', 'offered - not delivered', '' for a tie."""
    style = flow_style(vocab, flow)
    if style.delivered:
        return "delivered"
    return "" if flow == TIE else f"{flow} - not delivered"


FLOW_DIRECTION = "flow: supplier \u2192 goods \u2192 producer \u2192 system"

WEAK_ALPHA_CAP = 0.35  # a weak link is never drawn more opaque than this


def link_alpha(vocab, confidence: str, flow: str) -> float:
    """Opacity of a link: its flow's, capped for a weak confidence label."""
    alpha = flow_style(vocab, flow).alpha
    return min(alpha, WEAK_ALPHA_CAP) if confidence_style(vocab, confidence).weak else alpha


def link_rgba(vocab, confidence: str, flow: str) -> str:
    """'rgba(r,g,b,a)' of a link (plotly): confidence colour, flow opacity."""
    r, g, b, _ = rgba(confidence_style(vocab, confidence).colour)
    return f"rgba({r},{g},{b},{link_alpha(vocab, confidence, flow):g})"


def darker(hex_colour: str, share: float = 0.35) -> str:
    """``hex_colour`` mixed with ``share`` black: ring colours as text on a light map keep
    a readable contrast (Okabe-Ito's pinks and oranges are too light for small text)."""
    h = hex_colour.lstrip("#")
    return "#" + "".join(f"{round(int(h[i:i + 2], 16) * (1 - share)):02x}" for i in (0, 2, 4))
