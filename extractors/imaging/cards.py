"""Finding ID cards in a photo or scan and flattening them.

Candidates come from two masks of the downscaled image — edges (Canny, closed)
and difference from the background colour sampled at the border — as
quadrilaterals of the ID-1 aspect (85.6 × 54 mm ≈ 1.585). Overlapping
candidates are reduced to the best; a region holding two stacked cards (the
front and back of one "ID copy") is split in two. Each card is warped to a
fixed landscape size. No card found → ``[]``: the caller reads the whole image.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from extractors.models import BBox

CARD_ASPECT = 85.6 / 54.0
OUT_W, OUT_H = 1000, round(1000 / CARD_ASPECT)
WORK_SIDE = 900
"""Longest side of the working copy the search runs on."""
MIN_AREA = 0.02
"""A card covers at least this share of the image (smaller ones are not readable)."""
ASPECT_RANGE = (1.35, 1.85)
MIN_EDGE_SUPPORT = 0.6
"""Share of a candidate's outline that must run along image edges (background blobs have none)."""
PRINTED_EDGES = 0.02
"""Share of edge pixels that makes a pale region look printed (ID card text gives 0.04 and up)."""
SAME_SIZE = 0.5
"""A second card must be at least this share of the first one's area."""
STACKED_RANGE = (1.12, 1.40)
SCAN_RANGE = (1.48, 1.72)
"""An image of this aspect with no card found in it is taken to be a cropped scan of one card (A4 is 1.41)."""
"""Long/short side of two cards stacked along their short side (≈ 1.26)."""


@dataclass
class CardCrop:
    image: np.ndarray
    quad: np.ndarray
    """Four corners (tl, tr, br, bl) on the input image, float32."""
    bbox: BBox
    touches_border: bool
    coverage: float


def _order(pts: np.ndarray) -> np.ndarray:
    pts = pts.reshape(4, 2).astype(np.float32)
    s, d = pts.sum(1), np.diff(pts, axis=1).ravel()
    return np.array([pts[np.argmin(s)], pts[np.argmin(d)], pts[np.argmax(s)], pts[np.argmax(d)]], np.float32)


def _masks(small: np.ndarray) -> list[np.ndarray]:
    gray = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    blur = cv2.GaussianBlur(gray, (5, 5), 0)
    edges = _edges(blur, 30, 90)
    faint = _edges(blur, 8, 24)  # a light card on a white page (an A4 copy) has faint borders
    lab = cv2.cvtColor(cv2.GaussianBlur(small, (7, 7), 0), cv2.COLOR_BGR2LAB).astype(np.float32)
    band = np.concatenate([lab[:8].reshape(-1, 3), lab[-8:].reshape(-1, 3), lab[:, :8].reshape(-1, 3),
                           lab[:, -8:].reshape(-1, 3)])
    dist = np.linalg.norm(lab - np.median(band, axis=0), axis=2)
    fg = (dist > max(18.0, float(np.percentile(dist, 30)))).astype(np.uint8) * 255
    fg = cv2.morphologyEx(fg, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    fg = cv2.morphologyEx(fg, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))
    return [edges, faint, fg]


def _edges(gray: np.ndarray, lo: int, hi: int) -> np.ndarray:
    e = cv2.Canny(gray, lo, hi)
    return cv2.morphologyEx(cv2.dilate(e, np.ones((3, 3), np.uint8), iterations=2), cv2.MORPH_CLOSE,
                            np.ones((9, 9), np.uint8))


def edge_support(q: np.ndarray, edges: np.ndarray) -> float:
    """Share of points along the quad's four sides that lie on an edge: cards have straight borders."""
    h, w = edges.shape
    hits = total = 0
    for a, b in zip(q, np.roll(q, -1, axis=0), strict=True):
        for t in np.linspace(0.05, 0.95, 40):
            x, y = (a + (b - a) * t).astype(int)
            total += 1
            if 0 <= x < w and 0 <= y < h and edges[y, x]:
                hits += 1
    return hits / total


def _quads(mask: np.ndarray) -> list[np.ndarray]:
    h, w = mask.shape
    found = []
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    for c in contours:
        if cv2.contourArea(c) < MIN_AREA * h * w:
            continue
        hull = cv2.convexHull(c)
        approx = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True)
        quad = approx.reshape(4, 2) if len(approx) == 4 else cv2.boxPoints(cv2.minAreaRect(hull))
        found.append(_order(np.asarray(quad, np.float32)))
    return found


def _sides(q: np.ndarray) -> tuple[float, float]:
    top, right = np.linalg.norm(q[1] - q[0]), np.linalg.norm(q[2] - q[1])
    bottom, left = np.linalg.norm(q[2] - q[3]), np.linalg.norm(q[3] - q[0])
    return float(top + bottom) / 2, float(left + right) / 2


def _split_stacked(q: np.ndarray) -> list[np.ndarray]:
    w, h = _sides(q)
    if w >= h:  # side by side: split the long (horizontal) axis
        m0, m1 = (q[0] + q[1]) / 2, (q[3] + q[2]) / 2
        return [np.array([q[0], m0, m1, q[3]], np.float32), np.array([m0, q[1], q[2], m1], np.float32)]
    m0, m1 = (q[0] + q[3]) / 2, (q[1] + q[2]) / 2
    return [np.array([q[0], q[1], m1, m0], np.float32), np.array([m0, m1, q[2], q[3]], np.float32)]


def _area(q: np.ndarray) -> float:
    return float(cv2.contourArea(q.reshape(-1, 1, 2)))


def _overlap(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection over the smaller of the two quads."""
    inter, _ = cv2.intersectConvexConvex(a.reshape(-1, 1, 2), b.reshape(-1, 1, 2))
    return float(inter) / max(min(_area(a), _area(b)), 1.0)


def find_quads(image: np.ndarray) -> list[np.ndarray]:
    """Card corner quads on ``image`` (not yet flattened), largest first."""
    h, w = image.shape[:2]
    k = WORK_SIDE / max(h, w) if max(h, w) > WORK_SIDE else 1.0
    small = cv2.resize(image, (round(w * k), round(h * k)), interpolation=cv2.INTER_AREA) if k < 1 else image
    cands: list[np.ndarray] = []
    masks = _masks(small)
    support = cv2.dilate(cv2.Canny(cv2.GaussianBlur(cv2.cvtColor(small, cv2.COLOR_BGR2GRAY), (5, 5), 0), 8, 30),
                         np.ones((5, 5), np.uint8))
    for mask in masks:
        for q in _quads(mask):
            long_side, short_side = sorted(_sides(q), reverse=True)
            ratio = long_side / max(short_side, 1.0)
            fit = edge_support(q, support)
            if ASPECT_RANGE[0] <= ratio <= ASPECT_RANGE[1] and fit >= MIN_EDGE_SUPPORT:
                cands.append(q)
            elif STACKED_RANGE[0] <= ratio < ASPECT_RANGE[0] and fit >= MIN_EDGE_SUPPORT - 0.1:
                # two cards' outline is one quad only roughly: each card's own corners differ a little
                cands.extend(_split_stacked(q))
    # drop candidates covering nearly the whole frame when smaller ones exist (the frame edge, not a card)
    total = small.shape[0] * small.shape[1]
    cands.sort(key=_area, reverse=True)
    kept: list[np.ndarray] = []
    for q in cands:
        if _area(q) < MIN_AREA * total:
            continue
        if any(_overlap(q, other) > 0.5 for other in kept):
            continue
        kept.append(q)
    kept = [q for q in kept if not (_area(q) > 0.97 * total and len(kept) > 1)]
    # the two sides of one card are the same size: a much smaller second region is a shadow or a detail
    kept = [q for q in kept[:2] if _area(q) >= SAME_SIZE * _area(kept[0])]
    return [q / k for q in kept]


def flatten(image: np.ndarray, quad: np.ndarray) -> np.ndarray:
    w, h = _sides(quad)
    size = (OUT_W, OUT_H) if w >= h else (OUT_H, OUT_W)
    dst = np.array([[0, 0], [size[0] - 1, 0], [size[0] - 1, size[1] - 1], [0, size[1] - 1]], np.float32)
    m = cv2.getPerspectiveTransform(quad.astype(np.float32), dst)
    return cv2.warpPerspective(image, m, size, flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)


def partial_card(image: np.ndarray) -> bool:
    """Whether a large light region runs off the edge of the photo: a card cut off by the frame."""
    h, w = image.shape[:2]
    k = WORK_SIDE / max(h, w) if max(h, w) > WORK_SIDE else 1.0
    small = cv2.resize(image, (round(w * k), round(h * k)), interpolation=cv2.INTER_AREA) if k < 1 else image
    sh, sw = small.shape[:2]
    light = cv2.cvtColor(small, cv2.COLOR_BGR2LAB)[:, :, 0]
    pale = cv2.cvtColor(small, cv2.COLOR_BGR2HSV)[:, :, 1] < 60
    mask = cv2.morphologyEx(((light > 170) & pale).astype(np.uint8) * 255, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((7, 7), np.uint8))
    edges = cv2.Canny(cv2.cvtColor(small, cv2.COLOR_BGR2GRAY), 50, 150)
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    for c in contours:
        area = cv2.contourArea(c)
        x, y, cw, ch = cv2.boundingRect(c)
        touches = x <= 1 or y <= 1 or x + cw >= sw - 1 or y + ch >= sh - 1
        solid = area / max(cv2.contourArea(cv2.convexHull(c)), 1.0)
        if touches and 0.08 * sh * sw <= area <= 0.85 * sh * sw and solid > 0.85:
            inside: np.ndarray = np.zeros_like(mask)
            cv2.drawContours(inside, [c], -1, (255,), -1)
            if edges[inside > 0].mean() / 255 > PRINTED_EDGES:  # printed text, not a pale sky or wall
                return True
    return False


def find_cards(image: np.ndarray) -> list[CardCrop]:
    """The ID cards in ``image``, flattened, top-to-bottom then left-to-right."""
    h, w = image.shape[:2]
    margin = 0.01 * max(h, w)
    crops = []
    for q in find_quads(image):
        x0, y0 = q.min(axis=0)
        x1, y1 = q.max(axis=0)
        coverage = _area(q) / (h * w)
        # a card filling the frame is a cropped scan; a smaller one at the edge runs off it
        touches = coverage < 0.85 and bool(x0 <= margin or y0 <= margin or x1 >= w - 1 - margin
                                           or y1 >= h - 1 - margin)
        bbox = (max(0, int(x0)), max(0, int(y0)), min(w, int(x1)), min(h, int(y1)))
        crops.append(CardCrop(image=flatten(image, q), quad=q, bbox=bbox, touches_border=touches,
                              coverage=round(coverage, 4)))
    whole_card = SCAN_RANGE[0] <= max(h, w) / min(h, w) <= SCAN_RANGE[1]
    if whole_card and not crops:
        # a clean scan that is the card itself
        quad = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], np.float32)
        return [CardCrop(image=flatten(image, quad), quad=quad, bbox=(0, 0, w, h), touches_border=False,
                         coverage=1.0)]
    crops.sort(key=lambda c: ((c.bbox[1] + c.bbox[3]) // 2 // max(1, h // 4), c.bbox[0]))
    return crops
