"""Pages: finding a sheet of paper in a phone photo, flattening it, and straightening a scan.

A statement photographed on a desk is a pale quadrilateral on a darker
surface. :func:`find_page` takes the largest pale region's outline, fits a quad
and keeps it when it covers a good part of the photo and, with the perspective
undone, has a paper sheet's aspect (A4 is 1.414; landscape A4 the same);
:func:`flatten_page` warps it to a rectangle of that aspect at the photo's own
resolution.

:func:`deskew` measures the small rotation a flatbed scan or a flattened photo
still has from the text rows: rotated the right way, the rows' ink profile has
the sharpest peaks. Table rows run across the whole page, so a degree of skew
moves a row by a row's height from one side to the other; the table reader
needs them level.

>>> import numpy as np, cv2
>>> page = np.full((700, 500, 3), 255, np.uint8)
>>> for y in range(60, 640, 24):
...     _ = cv2.line(page, (40, y), (460, y), (0, 0, 0), 3)
>>> turned = cv2.warpAffine(page, cv2.getRotationMatrix2D((250, 350), 1.5, 1.0), (500, 700), borderValue=(255,) * 3)
>>> straight, angle = deskew(turned)
>>> abs(angle + 1.5) < 0.2
True
"""

from __future__ import annotations

import cv2
import numpy as np

from extractors.imaging import geometry as geo

PAGE_ASPECT_RANGE = (1.25, 1.62)
"""Long/short of a sheet with the perspective undone: A4 (1.414) and Letter (1.29) with room for a guessed focal."""
MIN_PAGE_SHARE = 0.2
FOCAL = 0.75
MAX_SKEW = 8.0
"""Degrees searched either way: a flatbed scan is off by one or two, a photo whose sheet could not be found
and flattened by up to the ±8° a hand holds a phone."""


def _small(image: np.ndarray, side: int = 900) -> tuple[np.ndarray, float]:
    h, w = image.shape[:2]
    k = min(1.0, side / max(h, w))
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    return (cv2.resize(grey, (round(w * k), round(h * k)), interpolation=cv2.INTER_AREA) if k < 1 else grey), k


def find_page(photo: np.ndarray) -> geo.Quad | None:
    """The corners (tl, tr, br, bl) of a sheet of paper filling a good part of the photo, or None."""
    small, k = _small(photo)
    h, w = small.shape[:2]
    blurred = cv2.GaussianBlur(small, (7, 7), 0)
    _, pale = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    pale = cv2.morphologyEx(pale, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))  # print inside the sheet
    contours, _ = cv2.findContours(pale, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    biggest = max(contours, key=cv2.contourArea)
    if cv2.contourArea(biggest) < MIN_PAGE_SHARE * w * h:
        return None
    quad = geo.fit_quad(biggest)
    if quad is None or not geo.is_convex(quad) or not geo.corner_angles_ok(quad):
        return None
    if geo.quad_area(quad) > 0.97 * w * h:
        return None  # the sheet is the whole picture: a scan, nothing to flatten
    ratio = geo.true_aspect(quad, FOCAL * max(w, h), (w / 2, h / 2)) or geo.aspect(quad)
    if not PAGE_ASPECT_RANGE[0] <= ratio <= PAGE_ASPECT_RANGE[1]:
        return None
    return geo.order_clockwise(quad / k)


def flatten_page(photo: np.ndarray, quad: geo.Quad) -> np.ndarray:
    """The sheet warped flat, at about the resolution the photo gives it, with A4's aspect."""
    width, height = geo.side_lengths(quad)
    if width > height:  # lying sideways: keep the photo's orientation, orientation is settled later
        out_w = round(max(width, height))
        out_h = round(out_w / 1.414)
    else:
        out_h = round(max(width, height))
        out_w = round(out_h / 1.414)
    return geo.warp(photo, quad, (out_w, out_h))


def skew_angle(image: np.ndarray) -> float:
    """Degrees to turn the image (counter-clockwise positive, as OpenCV) to level its text rows."""
    small, _ = _small(image, 1000)
    ink = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)[1]
    if ink.mean() < 0.5:  # blank
        return 0.0
    h, w = ink.shape
    centre = (w / 2, h / 2)

    def sharpness(angle: float) -> float:
        m = cv2.getRotationMatrix2D(centre, angle, 1.0)
        rows = cv2.warpAffine(ink, m, (w, h), flags=cv2.INTER_NEAREST).sum(axis=1, dtype=np.float64)
        return float(np.square(np.diff(rows)).sum())

    best = max((float(a) for a in np.arange(-MAX_SKEW, MAX_SKEW + 1e-6, 0.5)), key=sharpness)
    fine = max((float(a) for a in np.arange(best - 0.5, best + 0.5 + 1e-6, 0.1)), key=sharpness)
    return float(round(fine, 2))


def deskew(image: np.ndarray, min_angle: float = 0.15) -> tuple[np.ndarray, float]:
    """The image turned level (white fill at the corners) and the angle it was turned by."""
    angle = skew_angle(image)
    if abs(angle) < min_angle:
        return image, 0.0
    h, w = image.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    fill = (255,) * (1 if image.ndim == 2 else image.shape[2])
    return cv2.warpAffine(image, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=fill), angle

