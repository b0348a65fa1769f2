"""Marks on a signed page: the red seal (公章, 合同专用章) and the ink in a signature area.

Seals are found by colour and shape: pixels whose hue is red and whose
saturation and value are high enough (HSV) are closed into blobs; a blob is a
seal when its outline is nearly a circle or an upright-ish ellipse (Chinese
company seals are round; financial seals are oval), big enough for a seal at
the page's scale and mostly a ring of ink with a light middle.

Seals of any colour (a grey or black-and-white scan, a photocopied seal) are
found by shape alone (:func:`find_ring_seals`): a closed round or oval ring
fitted to the convex hull of a contour, ink all round it, paper just outside
it, ink (a ring of text, a star) inside it. A seal with a double border is
found by its inner ring when its outer one runs into print: the outer ring
is then the ellipse's concentric ring of ink just outside.

Signature ink is measured in an area the caller gives (round the
``借款人（签字）`` label): dark or blue pixels, after the printed rules of the
form (long horizontal and vertical lines), red seal ink and the boxes the
caller skips (printed text, seals) are taken out.

>>> import numpy as np, cv2
>>> page = np.full((1100, 850, 3), 255, np.uint8)
>>> _ = cv2.circle(page, (600, 800), 95, (40, 40, 210), 6)
>>> _ = cv2.circle(page, (600, 800), 80, (40, 40, 210), 2)
>>> [(s.box, round(s.score, 2) > 0.5) for s in find_seals(page)]
[((502, 702, 699, 899), True)]
>>> ink = ink_in(page, (100, 100, 400, 200))
>>> ink.found, ink.fraction
(False, 0.0)
>>> _ = cv2.polylines(page, [np.array([[120, 150], [180, 120], [240, 170], [300, 130]])], False, (90, 30, 20), 3)
>>> ink = ink_in(page, (100, 100, 400, 200))
>>> ink.found, ink.box
(True, (120, 119, 303, 174))
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

BBox = tuple[int, int, int, int]

MIN_SEAL_FRACTION = 0.12
"""A seal's diameter is at least this share of the page width (a 38 mm seal on A4 is 18 %; a photo of one
page keeps about the same share). Smaller red rings are stamps in the text or decoration."""
MAX_SEAL_FRACTION = 0.45
MIN_ROUNDNESS = 0.7
"""Area of the filled outline over the area of its fitted ellipse."""
MIN_RING = 0.12
"""Share of the seal's disc that is red ink: a ring and its text, not a red photo or a stray line."""


@dataclass(frozen=True)
class Seal:
    box: BBox
    score: float
    """0..1, from how round it is and how much of it is ink."""


@dataclass(frozen=True)
class Ink:
    found: bool
    fraction: float
    """Share of the area covered by ink."""
    box: BBox | None
    strokes: int


def _hsv(h: int, s: int, v: int) -> np.ndarray:
    return np.array([h, s, v], np.uint8)


def red_mask(image: np.ndarray) -> np.ndarray:
    """Pixels of seal red (both ends of the hue circle), as 0/255."""
    if image.ndim == 2:
        return np.zeros(image.shape, np.uint8)
    hsv = cv2.cvtColor(image[:, :, :3], cv2.COLOR_BGR2HSV)
    low = cv2.inRange(hsv, _hsv(0, 70, 70), _hsv(12, 255, 255))
    high = cv2.inRange(hsv, _hsv(160, 70, 70), _hsv(180, 255, 255))
    return cv2.bitwise_or(low, high)


def find_seals(image: np.ndarray) -> list[Seal]:
    """Round or oval seals on a page image (BGR or grey), best first: red ones by colour and shape, and any
    colour (a grey or black-and-white scan, a photocopied seal) by shape alone (:func:`find_ring_seals`)."""
    found = find_red_seals(image)
    for ring in find_ring_seals(image):
        if not any(_iou(ring.box, s.box) > 0.3 for s in found):
            found.append(ring)
    return sorted(found, key=lambda s: -s.score)


def _iou(a: BBox, b: BBox) -> float:
    w, h = min(a[2], b[2]) - max(a[0], b[0]), min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def find_red_seals(image: np.ndarray) -> list[Seal]:
    """Red round or oval seals on a page image (BGR), best first."""
    mask = red_mask(image)
    w = mask.shape[1]
    if not mask.any():
        return []
    k = max(3, round(w / 150)) | 1
    closed = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    contours, _ = cv2.findContours(closed, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    found = []
    for c in contours:
        x, y, cw, ch = cv2.boundingRect(c)
        size = max(cw, ch)
        if not (MIN_SEAL_FRACTION * w <= size <= MAX_SEAL_FRACTION * w) or len(c) < 5:
            continue
        if min(cw, ch) / size < 0.55:
            continue
        (_, _), (a, b), _ = cv2.fitEllipse(c)
        ellipse_area = math.pi * a * b / 4
        if ellipse_area <= 0:
            continue
        roundness = cv2.contourArea(c) / ellipse_area
        disc = np.zeros(mask.shape, np.uint8)
        cv2.fillPoly(disc, [c], (255,))
        inside = disc > 0
        ink = float((mask[inside] > 0).mean()) if inside.any() else 0.0
        if roundness < MIN_ROUNDNESS or ink < MIN_RING or ink > 0.9:
            continue
        score = min(1.0, roundness) * 0.7 + min(1.0, ink / 0.3) * 0.3
        found.append(Seal((x, y, x + cw, y + ch), round(score, 4)))
    return sorted(found, key=lambda s: -s.score)


RING_WIDTH = 1000
"""Pages are looked at this many pixels wide for ring seals (a 40 mm seal on A4: about 190 px)."""
MIN_RING_COVER = 0.72
"""Share of the fitted ellipse that runs on ink: a seal's ring is closed (a little wear allowed)."""
MAX_OUTSIDE_COVER = 0.4
"""Share of an ellipse just outside the ring that runs on ink: a seal stands on paper or over a few lines of
print, never inside a solid block."""
MIN_INSIDE_INK = 0.03
"""Share of the disc inside the ring that is ink: the seal's ring of text, its star or its words."""


Ellipse = tuple[Any, Any, float]
"""``cv2.fitEllipse``'s answer: centre, axes (full lengths), angle in degrees."""


def _ellipse_points(ellipse: Ellipse, scale: float,
                    n: int = 180) -> tuple[np.ndarray, np.ndarray]:
    (cx, cy), (a, b), angle = ellipse
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    ca, sa = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    x, y = a / 2 * scale * np.cos(t), b / 2 * scale * np.sin(t)
    return (cx + x * ca - y * sa).round().astype(int), (cy + x * sa + y * ca).round().astype(int)


def _cover(mask: np.ndarray, ellipse: Ellipse, scale: float) -> float:
    xs, ys = _ellipse_points(ellipse, scale)
    h, w = mask.shape
    inside = (xs >= 0) & (xs < w) & (ys >= 0) & (ys < h)
    if inside.mean() < 0.9:
        return 0.0
    return float((mask[ys[inside], xs[inside]] > 0).mean())


def _best_scale(near: np.ndarray, ellipse: Ellipse) -> tuple[float, float]:
    """The share of the ellipse on ink at the scale (0.86-1.14 of it) where that share is largest, and the scale."""
    (_, _), (a, b), _ = ellipse
    if min(a, b) <= 0:
        return 0.0, 1.0
    scales = np.arange(0.86, 1.16, 0.02)
    covers = [_cover(near, ellipse, float(s)) for s in scales]
    best = int(np.argmax(covers))
    return covers[best], float(scales[best])


def _outer_ring(near: np.ndarray, inner: Ellipse, scale: float) -> Ellipse | None:
    """The outer ring of a double border round ``inner`` (at ``scale``): an ellipse a constant distance outside
    it (up to a third of its short axis) that runs on ink all round; its outermost such edge."""
    (cx, cy), (a, b), angle = inner
    a, b = a * scale, b * scale
    step = max(1, round(min(a, b) * 0.02))
    found = None
    for d in range(step, round(min(a, b) / 3), step):
        ring: Ellipse = ((cx, cy), (a + 2 * d, b + 2 * d), angle)
        if _cover(near, ring, 1.0) >= MIN_RING_COVER:
            found = ring
        elif found is not None:
            break
    return found


def _ring_seal(dark: np.ndarray, near: np.ndarray, contour: np.ndarray) -> tuple[float, BBox] | None:
    """A seal's ring along ``contour`` (the ring's inner or outer edge; its convex hull drops the bumps of print
    or letters touching the ring): (score, box) when the fitted ellipse runs on ink all round, paper lies just
    outside it and there is ink inside it."""
    hull = cv2.convexHull(contour)
    if len(hull) < 5:
        return None
    ellipse = cv2.fitEllipse(hull)
    ring, scale = _best_scale(near, ellipse)
    if ring < MIN_RING_COVER:  # once more, fitted to the ink along the first guess (letters pull the hull in)
        band = np.zeros(dark.shape, np.uint8)
        cv2.ellipse(band, ((ellipse[0]), (ellipse[1][0] * scale, ellipse[1][1] * scale), ellipse[2]), (255,),
                    max(3, round(min(ellipse[1]) * 0.08)))
        ys, xs = np.nonzero(cv2.bitwise_and(dark, band))
        if len(xs) < 20:
            return None
        ellipse = cv2.fitEllipse(np.column_stack([xs, ys]).astype(np.float32))
        ring, scale = _best_scale(near, ellipse)
    (cx, cy), (a, b), _ = ellipse
    if ring < MIN_RING_COVER or min(a, b) <= 0 or min(a, b) / max(a, b) < 0.45:  # (an inner ring: narrower)
        return None
    outside = max(_cover(dark, ellipse, scale * k) for k in (1.14, 1.2))
    if outside > MAX_OUTSIDE_COVER:  # a double border? this is the inner ring, the outer one just outside it
        outer = _outer_ring(near, ellipse, scale)
        if outer is None:
            return None
        ellipse, scale = outer, 1.0
        outside = max(_cover(dark, ellipse, k) for k in (1.08, 1.14))
        if outside > MAX_OUTSIDE_COVER:
            return None
        (cx, cy), (a, b), _ = ellipse
    if min(a, b) / max(a, b) < 0.55:  # the seal's outline: round, or an oval no flatter than 45 x 25 mm
        return None
    disc = np.zeros(dark.shape, np.uint8)
    cv2.ellipse(disc, ((cx, cy), (a * scale * 0.82, b * scale * 0.82), ellipse[2]), (255,), -1)
    filled = disc > 0
    inside = float((dark[filled] > 0).mean()) if filled.any() else 0.0
    if not MIN_INSIDE_INK <= inside <= 0.6:
        return None
    xs, ys = _ellipse_points(ellipse, scale * 1.06)
    score = 0.5 * ring + 0.3 * (1 - outside) + 0.2 * min(1.0, inside / 0.1)
    return score, (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)


def find_ring_seals(image: np.ndarray) -> list[Seal]:
    """Seals of any colour by shape: a closed round or oval ring, 0.12-0.4 of the page wide, with ink inside (a
    ring of text, a star, words) and paper just outside — not a table's cells (no closed ellipse), not a small
    logo (too small), not a filled disc (no paper round it)."""
    grey = image if image.ndim == 2 else cv2.cvtColor(image[:, :, :3], cv2.COLOR_BGR2GRAY)
    f = RING_WIDTH / grey.shape[1]
    small = cv2.resize(grey, (RING_WIDTH, max(1, round(grey.shape[0] * f))), interpolation=cv2.INTER_AREA)
    paper = float(np.percentile(small, 75))
    dark = (small < min(200.0, paper - 35)).astype(np.uint8) * 255
    if not dark.any():
        return []
    dark = np.asarray(cv2.bitwise_and(dark, cv2.bitwise_not(_rules(dark, RING_WIDTH // 10))), np.uint8)  # rules
    closed = cv2.morphologyEx(dark, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5)))
    near = cv2.dilate(closed, np.ones((3, 3), np.uint8))
    contours, _ = cv2.findContours(closed, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_NONE)
    found: list[Seal] = []
    for c in contours:
        _, _, cw, ch = cv2.boundingRect(c)
        if not (0.1 * RING_WIDTH <= max(cw, ch) <= 0.4 * RING_WIDTH) or min(cw, ch) < 0.45 * max(cw, ch):
            continue
        hit = _ring_seal(dark, near, c)
        if hit is None:
            continue
        score, (x0, y0, x1, y1) = hit
        box = (max(0, round(x0 / f)), max(0, round(y0 / f)), min(grey.shape[1], round(x1 / f)),
               min(grey.shape[0], round(y1 / f)))
        if (x1 - x0) < 0.12 * RING_WIDTH or any(_iou(box, s.box) > 0.3 for s in found):
            continue
        found.append(Seal(box, round(min(1.0, score), 4)))
    return sorted(found, key=lambda s: -s.score)


def _rules(dark: np.ndarray, length: int) -> np.ndarray:
    """Long straight lines (form rules, underlines, box edges) in a 0/255 mask."""
    horizontal = cv2.morphologyEx(dark, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1)))
    vertical = cv2.morphologyEx(dark, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, length)))
    return cv2.dilate(cv2.bitwise_or(horizontal, vertical), np.ones((3, 3), np.uint8))


MIN_INK = 0.004
"""Share of a signature area that must be ink (about a scribble the height of a line of print)."""


def ink_in(image: np.ndarray, area: BBox, skip: list[BBox] | None = None, min_pixels: int | None = None) -> Ink:
    """Pen ink in ``area`` of a page image: dark or blue, not red, not a printed rule, not inside ``skip``
    (boxes of printed text and seals in the area). Found when at least ``min_pixels`` pixels are ink (a scribble
    of a size relative to the print), else when :data:`MIN_INK` of the area is."""
    h, w = image.shape[:2]
    x0, y0, x1, y1 = max(0, area[0]), max(0, area[1]), min(w, area[2]), min(h, area[3])
    if x1 - x0 < 4 or y1 - y0 < 4:
        return Ink(False, 0.0, None, 0)
    crop = image[y0:y1, x0:x1]
    colour = crop if crop.ndim == 3 else cv2.cvtColor(crop, cv2.COLOR_GRAY2BGR)
    grey = cv2.cvtColor(colour[:, :, :3], cv2.COLOR_BGR2GRAY)
    hsv = cv2.cvtColor(colour[:, :, :3], cv2.COLOR_BGR2HSV)
    threshold = min(140, int(np.percentile(grey, 50)) - 60)
    dark = (grey < threshold).astype(np.uint8) * 255
    blue = cv2.inRange(hsv, _hsv(95, 80, 40), _hsv(135, 255, 255))
    ink = cv2.bitwise_and(cv2.bitwise_or(dark, blue), cv2.bitwise_not(red_mask(colour)))
    ink = cv2.bitwise_and(ink, cv2.bitwise_not(_rules(ink, max(25, (x1 - x0) // 6))))
    for bx0, by0, bx1, by1 in skip or []:
        ink[max(0, by0 - y0):max(0, by1 - y0), max(0, bx0 - x0):max(0, bx1 - x0)] = 0
    ink = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))
    fraction = float((ink > 0).mean())
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink)
    strokes = [s for s in stats[1:] if s[cv2.CC_STAT_AREA] >= 6]
    enough = int((ink > 0).sum()) >= min_pixels if min_pixels is not None else fraction >= MIN_INK
    if not enough or not strokes:
        return Ink(False, round(fraction, 5), None, len(strokes))
    ys, xs = np.nonzero(ink)
    box = (x0 + int(xs.min()), y0 + int(ys.min()), x0 + int(xs.max()) + 1, y0 + int(ys.max()) + 1)
    return Ink(True, round(fraction, 5), box, len(strokes))
