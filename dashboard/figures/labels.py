"""Text measurement and collision-free label boxes, in layout pixels (DejaVu Sans, as the export's Chromium draws).

:func:`text_width_px` and :func:`text_box_px` measure plain text with Pillow's DejaVu Sans
(generously; a per-character estimate without the font file); :class:`LabelBoxes` is the
greedy placement the report map and the report network labels share: a box is taken only
where it is inside the frame and clear of every box taken before; :func:`covered_px` measures
how much line (shapely) a box would cover, so a label can pick the spot that hides the least.
"""

from __future__ import annotations

import functools

CHAR_EM = 0.62  # DejaVu Sans: a generous mean advance per character, in em (boxes err large)
LINE_EM = 1.25
LABEL_PAD_PX = 3

FONT_FILES = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/dejavu/DejaVuSans.ttf",
              "/usr/share/fonts/TTF/DejaVuSans.ttf")


@functools.lru_cache(maxsize=16)
def _font(size: int):
    """DejaVu Sans (the first font of FONT_FAMILY, the one the export's Chromium draws with)
    at ``size`` px, through Pillow; None when either is missing."""
    try:
        from PIL import ImageFont
    except ImportError:
        return None
    for path in FONT_FILES:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return None


def text_width_px(line: str, font_px: float) -> float:
    """The advance width of one line of plain text in DejaVu Sans, 3 % + 2 px generous;
    without the font file, ``CHAR_EM`` em a character (DejaVu Sans averages 0.55)."""
    font = _font(int(round(font_px)))
    if font is None:
        return len(line) * CHAR_EM * font_px
    return font.getlength(line) * font_px / int(round(font_px)) * 1.03 + 2


def text_box_px(text: str, font_px: float) -> tuple[float, float]:
    """A text's (width, height) in px, lines split at ``<br>``, entities decoded."""
    lines = str(text).split("<br>")
    return max(text_width_px(_unescape(line), font_px) for line in lines), len(lines) * LINE_EM * font_px


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


class LabelBoxes:
    """Greedy label placement: a box is taken only if it is inside the frame and clear of
    every box taken before (all in frame pixels, y down)."""

    def __init__(self, width: float, height: float, pad: float = LABEL_PAD_PX):
        self.width, self.height, self.pad, self.boxes = width, height, pad, []

    def free(self, box) -> bool:
        x0, y0, x1, y1 = box
        if x0 < 0 or y0 < 0 or x1 > self.width or y1 > self.height:
            return False
        p = self.pad
        return all(x1 + p <= a or b + p <= x0 or y1 + p <= c or d + p <= y0 for a, c, b, d in self.boxes)

    def take(self, box) -> bool:
        if self.free(box):
            self.boxes.append(tuple(box))
            return True
        return False

    def block(self, box) -> None:
        self.boxes.append(tuple(box))



def covered_px(box, lines) -> float:
    """Length (px) of ``lines`` (a shapely line geometry, or None) inside ``box`` (x0, y0,
    x1, y1): how much line a label there would cover."""
    if lines is None:
        return 0.0
    from shapely.geometry import box as _box

    return lines.intersection(_box(*box)).length
