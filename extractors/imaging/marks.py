"""Marks on a signed page: the red seal (公章, 合同专用章) and the ink in a signature area.

Seals are found by colour and shape: pixels whose hue is red and whose
saturation and value are high enough (HSV) are closed into blobs; a blob is a
seal when its outline is nearly a circle or an upright-ish ellipse (Chinese
company seals are round; financial seals are oval), big enough for a seal at
the page's scale and mostly a ring of ink with a light middle.

Signature ink is measured in an area the caller gives (right of and below the
``借款人（签字）`` label): dark or blue pixels, after the printed rules of the
form (long horizontal and vertical lines) and red seal ink are taken out.

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

import cv2
import numpy as np

BBox = tuple[int, int, int, int]

MIN_SEAL_FRACTION = 0.06
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


def _rules(dark: np.ndarray, length: int) -> np.ndarray:
    """Long straight lines (form rules, underlines, box edges) in a 0/255 mask."""
    horizontal = cv2.morphologyEx(dark, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1)))
    vertical = cv2.morphologyEx(dark, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, length)))
    return cv2.dilate(cv2.bitwise_or(horizontal, vertical), np.ones((3, 3), np.uint8))


MIN_INK = 0.004
"""Share of a signature area that must be ink (about a scribble the height of a line of print)."""


def ink_in(image: np.ndarray, area: BBox, skip: list[BBox] | None = None) -> Ink:
    """Pen ink in ``area`` of a page image: dark or blue, not red, not a printed rule, not inside ``skip``
    (boxes of printed text in the area)."""
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
    if fraction < MIN_INK or not strokes:
        return Ink(False, round(fraction, 5), None, len(strokes))
    ys, xs = np.nonzero(ink)
    box = (x0 + int(xs.min()), y0 + int(ys.min()), x0 + int(xs.max()) + 1, y0 + int(ys.max()) + 1)
    return Ink(True, round(fraction, 5), box, len(strokes))
