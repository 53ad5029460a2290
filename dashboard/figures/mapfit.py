"""Fit the map to what is drawn, and place labels that never collide (no Streamlit).

Web Mercator as deck.gl draws it: at zoom ``z`` the world is ``512 * 2**z`` pixels wide.
Label boxes are measured with the label font (:func:`dashboard.figures.labels.text_width_px`,
DejaVu Sans, widened for the map's semi-bold labels), then placed greedily by priority at the fitted zoom: ring labels first, then the launch
point, then capitals, then other cities; a label that would overlap a kept one, or leave
the map, is dropped.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from dashboard.figures.labels import text_width_px

WORLD_PX = 512.0
MAX_LAT = 85.0
BOLD_WIDTH = 1.08  # the map's labels are semi-bold (weight 600): a little wider than regular
MIN_ZOOM, MAX_ZOOM = 0.5, 7.0


def mercator(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Normalised Web Mercator (x, y in 0..1 for the world, y down), degrees in."""
    lat = np.clip(np.asarray(lat, float), -MAX_LAT, MAX_LAT)
    x = (np.asarray(lon, float) + 180.0) / 360.0
    y = (1.0 - np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)) / np.pi) / 2.0
    return x, y


def _unwrap(lon: np.ndarray) -> np.ndarray:
    """Longitudes shifted so the points span the least width (rings across the date line)."""
    shifted = np.where(lon < 0, lon + 360.0, lon)
    return shifted if np.ptp(shifted) < np.ptp(lon) else lon


def fit_view(lon, lat, width: float, height: float, margin: float = 0.05) -> tuple[float, float, float]:
    """(longitude, latitude, zoom) showing every point inside a ``width`` × ``height`` px map
    with ``margin`` (a share of each side) left free."""
    lon = _unwrap(np.asarray(lon, float))
    x, y = mercator(lon, lat)
    dx, dy = max(np.ptp(x), 1e-6), max(np.ptp(y), 1e-6)
    zoom = math.log2(min(width * (1 - 2 * margin) / (dx * WORLD_PX), height * (1 - 2 * margin) / (dy * WORLD_PX)))
    cx, cy = (x.min() + x.max()) / 2, (y.min() + y.max()) / 2
    centre_lon = ((cx * 360.0 - 180.0) + 180.0) % 360.0 - 180.0
    centre_lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * cy))))
    return round(centre_lon, 4), round(centre_lat, 4), round(min(max(zoom, MIN_ZOOM), MAX_ZOOM), 3)


@dataclass(frozen=True)
class Frame:
    """The map's initial view in pixels: centre, zoom and size."""

    lon: float
    lat: float
    zoom: float
    width: float
    height: float

    def to_px(self, lon, lat) -> tuple[np.ndarray, np.ndarray]:
        """Screen pixels (0,0 top-left) of points, taking the nearest world copy."""
        scale = WORLD_PX * 2 ** self.zoom
        x, y = mercator(lon, lat)
        cx, cy = mercator(self.lon, self.lat)
        dx = (x - cx + 0.5) % 1.0 - 0.5
        return self.width / 2 + dx * scale, self.height / 2 + (y - cy) * scale


def text_box(x: float, y: float, text: str, size: float, anchor: str = "middle", pad: float = 3.0):
    """(x0, y0, x1, y1) of a one-line label of ``size`` px anchored at (x, y)."""
    w = text_width_px(text, size) * BOLD_WIDTH + 2 * pad
    h = size * 1.25 + 2 * pad
    x0 = {"start": x, "middle": x - w / 2, "end": x - w}[anchor]
    return x0, y - h / 2, x0 + w, y + h / 2


def overlaps(a, b) -> bool:
    """True when two (x0, y0, x1, y1) boxes overlap."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place(candidates: list[dict], frame: Frame, keep_all: int = 0) -> list[dict]:
    """Greedy label placement: ``candidates`` in priority order, each with ``box`` (from
    :func:`text_box`); the first ``keep_all`` are kept whatever happens (ring labels).
    Returns the kept candidates."""
    kept, boxes = [], []
    for i, c in enumerate(candidates):
        box = c["box"]
        inside = box[0] >= 0 and box[1] >= 0 and box[2] <= frame.width and box[3] <= frame.height
        if i < keep_all or (inside and not any(overlaps(box, b) for b in boxes)):
            kept.append(c)
            boxes.append(box)
    return kept


def ring_anchor(paths: list, frame: Frame, angle_deg: float) -> tuple[float, float] | None:
    """The point of a ring's outline farthest from the map centre in screen direction
    ``angle_deg`` (0 = east, 90 = north): where its label sits."""
    points = [p for path in paths for p in path]
    if not points:
        return None
    arr = np.asarray(points, float)
    x, y = frame.to_px(arr[:, 0], arr[:, 1])
    ux, uy = math.cos(math.radians(angle_deg)), -math.sin(math.radians(angle_deg))
    visible = (x >= 0) & (x <= frame.width) & (y >= 0) & (y <= frame.height)
    if not visible.any():
        return None
    score = np.where(visible, (x - frame.width / 2) * ux + (y - frame.height / 2) * uy, -np.inf)
    i = int(np.argmax(score))
    return float(arr[i, 0]), float(arr[i, 1])
