"""Render a plotly figure to PNG/SVG/PDF bytes (or a file) and check the result.

Every result is checked to be the requested format and size before it is returned.
Figures must not rely on plotly's CDN topojson: any ``layout.geo.show*`` layer or a
trace ``locationmode`` (``go.Choropleth`` included) makes plotly.js fetch
``world_110m.json`` from the CDN, which the offline export browser cannot (an
``ExportError`` says so). Draw base maps from our own GeoJSON (see
``dashboard.figures.static_map``).
"""

from __future__ import annotations

import copy
import math
import os
import re
import struct
from pathlib import Path
from typing import Any

from dashboard.export import browser
from dashboard.export.errors import ExportError, one_line
from dashboard.export.files import write_atomic

FORMATS = ("png", "svg", "pdf")


def _check_format(fmt: str) -> str:
    fmt = str(fmt).lower().lstrip(".")
    if fmt not in FORMATS:
        raise ExportError(f"unsupported export format {fmt!r}: use png, svg or pdf")
    return fmt


def _figure_dict(fig: Any) -> dict:
    if hasattr(fig, "to_dict"):
        return fig.to_dict()
    if isinstance(fig, dict) and "data" in fig:
        return copy.deepcopy(fig)
    raise ExportError(f"not a plotly figure: {type(fig).__name__}")


def _positive(name: str, value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float("nan")
    if not math.isfinite(number) or number <= 0:
        raise ExportError(f"{name} must be a positive number, got {value!r}")
    return number


def _verify(data: Any, fmt: str, width: float, height: float, scale: float) -> None:
    """Raise ExportError unless ``data`` is the requested format and size."""
    if not isinstance(data, (bytes, bytearray)) or not data:
        raise ExportError("export result does not match its request: empty or not bytes")
    if fmt == "png":
        if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR" or data[-8:-4] != b"IEND":
            raise ExportError("export result does not match its request: not a complete PNG")
        got = struct.unpack(">II", data[16:24])
        if not (_near(got[0], width * scale, 1) and _near(got[1], height * scale, 1)):
            want = png_size(width, height, scale)
            raise ExportError(f"export result does not match its request: PNG is {got[0]}x{got[1]} px, expected {want[0]}x{want[1]}")
    elif fmt == "svg":
        head = bytes(data[:2000]).decode("utf-8", "replace").lstrip()
        tag = head[: head.find(">") + 1]
        if not head.startswith("<svg") or not tag:
            raise ExportError("export result does not match its request: not an SVG")
        attrs = dict(re.findall(r'\s([\w:-]+)="([^"]*)"', tag))
        try:
            ok = (
                _near(float(attrs["width"]), width * scale, 0.01)
                and _near(float(attrs["height"]), height * scale, 0.01)
                and [float(v) for v in attrs["viewBox"].split()] == [0, 0, width, height]
            )
        except (KeyError, ValueError):
            ok = False
        if not ok:
            raise ExportError(f"export result does not match its request: SVG is not {width:g}x{height:g}")
    elif fmt == "pdf":
        if not data.startswith(b"%PDF") or b"%%EOF" not in data[-1024:]:
            raise ExportError("export result does not match its request: not a complete PDF")
        box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", data)
        # Chromium prints at 96 px per inch: 1 px = 0.75 pt, rounded to its own grid
        want_w, want_h = width * scale * 0.75, height * scale * 0.75
        if not box or not (_near(float(box[1]), want_w, 1 + 0.01 * want_w) and _near(float(box[2]), want_h, 1 + 0.01 * want_h)):
            raise ExportError(f"export result does not match its request: PDF page is not {width:g}x{height:g}")


def _near(value: float, target: float, tolerance: float) -> bool:
    return abs(value - target) < tolerance


def png_size(width: float, height: float, scale: float) -> tuple[int, int]:
    """Pixel size of a PNG export (Chromium truncates fractional sizes)."""
    return math.floor(width * scale + 1e-9), math.floor(height * scale + 1e-9)


def fit_layout(spec: dict, width: float, height: float, scale: float) -> tuple[float, float, float]:
    """(width, height, scale) to render ``spec`` at, for an image of ``width*scale`` x
    ``height*scale`` px.

    A figure laid out at its own size (``layout.width`` and ``layout.height`` set, as every
    report figure is: 1600 x 900) is drawn at that size and scaled, so its text keeps its
    place and its size relative to the image (its print size at 6.5 in). Another size of the
    same aspect ratio (the height within 1 px of ``width`` x its own ratio) only changes the
    scale; another ratio would crowd or overlap its text, so it is an ExportError naming the
    height that fits. A figure without its own size is drawn at the size asked.
    """
    layout = spec.get("layout") or {}
    own_w, own_h = layout.get("width"), layout.get("height")
    if not own_w or not own_h or (own_w, own_h) == (width, height):
        return width, height, scale
    fits = round(width * own_h / own_w)
    if abs(height - width * own_h / own_w) > 1:
        raise ExportError(f"this figure is laid out at {own_w:g}x{own_h:g} px and keeps that aspect ratio: "
                          f"for a width of {width:g} give a height of {fits}")
    return own_w, own_h, scale * width / own_w


def render(fig: Any, fmt: str = "png", width: float = 1600, height: float = 900, scale: float = 2.0, timeout_s: float = 60) -> bytes:
    """Render ``fig`` (a plotly Figure or figure dict) to PNG/SVG/PDF bytes.

    ``width``/``height`` are layout pixels; a PNG is ``round(width*scale)`` x
    ``round(height*scale)`` pixels (``scale`` does not change SVG/PDF geometry). A figure
    laid out at its own size is drawn at that size and scaled to them (:func:`fit_layout`).
    Waiting for another export and the render itself are each bounded by
    ``timeout_s``; starting Chromium (first call, after a timeout) is bounded by
    ``browser.START_TIMEOUT_S``. Raises :class:`ExportError` on any failure.
    """
    fmt = _check_format(fmt)
    width = _positive("width", width)
    height = _positive("height", height)
    scale = _positive("scale", scale)
    timeout_s = _positive("timeout_s", timeout_s)
    spec = _figure_dict(fig)  # snapshot in the caller's thread
    width, height, scale = fit_layout(spec, width, height, scale)
    opts = {"format": fmt, "width": width, "height": height, "scale": scale}
    try:
        data = browser.calc(spec, opts, timeout_s, check=lambda d: _verify(d, fmt, width, height, scale))
    except ExportError:
        raise
    except Exception as exc:
        if "topojson" in str(exc):
            raise ExportError(
                "export failed: the figure needs plotly's online topojson (a layout.geo show* layer "
                "or a locationmode); draw the base map from GeoJSON instead"
            ) from exc
        raise ExportError(f"export failed: {one_line(exc)}") from exc
    return bytes(data)


def export(fig: Any, path: str | os.PathLike, width: float = 1600, height: float = 900, scale: float = 2.0, timeout_s: float = 60) -> Path:
    """Render ``fig`` in the format named by ``path``'s suffix and write it atomically."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in {f".{f}" for f in FORMATS}:
        raise ExportError(f"unsupported export file type {suffix or path.name!r}: use .png, .svg or .pdf")
    if not path.parent.is_dir():
        raise ExportError(f"cannot write {path}: directory does not exist")
    data = render(fig, suffix[1:], width=width, height=height, scale=scale, timeout_s=timeout_s)
    return write_atomic(path, data)
