"""Proposing regions that may be cards: the working copy, its derived views, and masks of candidate regions.

:class:`Views` holds what every step of the card search derives from the
downscaled photo; :func:`masks` turns it into four binary masks whose regions
may be cards, and :func:`outlines` lists the outlines of those regions big
enough to matter — the same region often several times over, and the frame
itself. Judging them is :mod:`extractors.imaging.cards`'s job.

>>> import numpy as np, cv2
>>> photo = np.full((300, 400, 3), 60, np.uint8)
>>> _ = cv2.rectangle(photo, (100, 90), (300, 216), (235, 235, 230), -1)
>>> boxes = [cv2.boundingRect(c) for c in outlines(masks(Views.of(photo)), min_share=0.02)]
>>> (0, 0, 400, 300) in boxes, (100, 90, 201, 127) in boxes
(True, True)
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

WORK_SIDE = 800
"""Longest side of the working copy the search runs on (a card's border stays several pixels thick)."""


def working_copy(image: np.ndarray) -> tuple[np.ndarray, float]:
    """``image`` (BGR or grey) as BGR at most :data:`WORK_SIDE` long, and the scale applied."""
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    h, w = image.shape[:2]
    k = min(1.0, WORK_SIDE / max(h, w))
    if k < 1.0:
        image = cv2.resize(image, (max(1, round(w * k)), max(1, round(h * k))), interpolation=cv2.INTER_AREA)
    return image, k


@dataclass
class Views:
    """The working copy and what every step derives from it."""

    small: np.ndarray
    light: np.ndarray
    """Lightness, stretched to the full range (a dark photo gets its contrast back)."""
    sat: np.ndarray
    lab: np.ndarray
    """Blurred float Lab with the stretched lightness: for colour contrast across a card's border."""
    grad: np.ndarray
    """Gradient magnitude of ``lab`` (all three channels): where borders are."""

    @classmethod
    def of(cls, small: np.ndarray) -> Views:
        light = cv2.cvtColor(small, cv2.COLOR_BGR2LAB)[:, :, 0]
        lo, hi = np.percentile(light, (1, 99))
        if hi - lo >= 8:
            light = cv2.convertScaleAbs(light, alpha=255.0 / (hi - lo), beta=-lo * 255.0 / (hi - lo))
        lab = cv2.cvtColor(cv2.GaussianBlur(small, (5, 5), 0), cv2.COLOR_BGR2LAB).astype(np.float32)
        lab[:, :, 0] = cv2.GaussianBlur(light, (5, 5), 0)
        sat = cv2.cvtColor(small, cv2.COLOR_BGR2HSV)[:, :, 1]
        gx, gy = cv2.Sobel(lab, cv2.CV_32F, 1, 0, ksize=3), cv2.Sobel(lab, cv2.CV_32F, 0, 1, ksize=3)
        grad = np.sqrt(gx * gx + gy * gy).sum(axis=2)
        return cls(small, light, sat, lab, grad)

    @property
    def area(self) -> int:
        return int(self.small.shape[0] * self.small.shape[1])

    def pale(self) -> np.ndarray:
        otsu, _ = cv2.threshold(cv2.GaussianBlur(self.light, (5, 5), 0), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        return ((self.light > otsu) & (self.sat < 70)).astype(np.uint8) * 255

    def faint_edges(self) -> np.ndarray:
        return cv2.Canny(cv2.GaussianBlur(self.light, (5, 5), 0), 10, 30)


def canny(channel: np.ndarray) -> np.ndarray:
    blur = cv2.GaussianBlur(channel, (5, 5), 0)
    otsu, _ = cv2.threshold(blur, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    hi = float(np.clip(otsu * 0.33, 20, 90))
    return cv2.Canny(blur, hi * 0.4, hi)


def masks(v: Views) -> list[np.ndarray]:
    """Binary masks whose connected regions may be cards.

    - regions walled in by edges (Canny on lightness and saturation, closed), the frame counting as a wall;
    - the outer outlines of the edge blobs themselves (a card whose inside is cut up by its print);
    - busy regions: dense faint edges (a card's guilloche and print on plain paper, as on an A4 copy);
    - pixels unlike the background, whose colour is the median of a band along the image border;
    - pale pixels: lighter than Otsu's threshold and unsaturated (cards are; desks mostly are not).
    """
    edges = canny(v.light) | canny(v.sat)
    closed = cv2.morphologyEx(cv2.dilate(edges, np.ones((3, 3), np.uint8)), cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
    walled = closed.copy()
    walled[[0, -1], :] = 255  # the frame walls in a card it cuts off (the cut-off check needs that region)
    walled[:, [0, -1]] = 255
    enclosed = cv2.dilate(255 - walled, np.ones((3, 3), np.uint8))  # regions edges wall in, grown back
    # printed, patterned surfaces (a card's guilloche) are busy with faint edges; paper and walls are not
    busy = cv2.morphologyEx(cv2.dilate(v.faint_edges(), np.ones((3, 3), np.uint8)), cv2.MORPH_CLOSE,
                            np.ones((9, 9), np.uint8))
    busy = cv2.morphologyEx(busy, cv2.MORPH_OPEN, np.ones((7, 7), np.uint8))

    b = max(3, min(v.small.shape[:2]) // 50)
    lab = v.lab
    band = np.concatenate([lab[:b].reshape(-1, 3), lab[-b:].reshape(-1, 3),
                           lab[:, :b].reshape(-1, 3), lab[:, -b:].reshape(-1, 3)])
    dist = np.linalg.norm(lab - np.median(band, axis=0), axis=2)
    dist8 = np.clip(dist * 2, 0, 255).astype(np.uint8)
    otsu, _ = cv2.threshold(dist8, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    unlike = (dist8 > max(otsu, 30)).astype(np.uint8) * 255

    opened = [cv2.morphologyEx(cv2.morphologyEx(m, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8)),
                               cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8)) for m in (unlike, v.pale())]
    return [enclosed, closed, busy, *opened]


def outlines(masks: list[np.ndarray], min_share: float) -> list[np.ndarray]:
    """Outer outlines of every region covering at least ``min_share`` of its mask."""
    out: list[np.ndarray] = []
    for mask in masks:
        min_area = min_share * mask.shape[0] * mask.shape[1]
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
        out.extend(c for c in contours if cv2.contourArea(c) >= min_area)
    return out


def on_frame(a: np.ndarray, b: np.ndarray, w: int, h: int, tol: float) -> bool:
    """Whether the segment a–b runs along (or beyond) one side of the image frame."""
    return bool(max(a[0], b[0]) <= tol or min(a[0], b[0]) >= w - 1 - tol
                or max(a[1], b[1]) <= tol or min(a[1], b[1]) >= h - 1 - tol)


def sides_on_border(quad: np.ndarray, w: int, h: int) -> int:
    """How many of the quad's sides lie along (or beyond) the image frame."""
    tol = max(2.0, 0.01 * min(w, h))
    return sum(on_frame(quad[i], quad[(i + 1) % 4], w, h, tol) for i in range(4))
