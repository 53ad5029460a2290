"""One visual style for the interactive map and the static export.

Okabe-Ito colours (safe for the common colour-vision deficiencies), and for each system
a distinct line width and dash so the rings stay apart when printed in greyscale.
"""

from __future__ import annotations

# (hex colour, plotly dash, line width in px) by system position in systems.csv
SYSTEM_STYLES = [
    ("#0072B2", "solid", 2.5),     # blue
    ("#D55E00", "dash", 3.0),      # vermillion
    ("#009E73", "dot", 3.5),       # bluish green
    ("#CC79A7", "dashdot", 4.0),   # reddish purple
    ("#E69F00", "longdash", 3.0),  # orange
    ("#56B4E9", "solid", 4.5),     # sky blue
]
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
