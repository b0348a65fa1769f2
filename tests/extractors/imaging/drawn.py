"""Card-like pictures drawn with OpenCV for the imaging tests (no fonts, no OCR, no fixtures package).

A "card" is a pale ID-1 rectangle with rounded corners, rows of dark strokes
where the text is (left-aligned, as on a Chinese ID card), and either a dark
portrait blob on the right (front) or a red disc top-left (back). A "photo"
warps cards onto a background with a perspective tilt and an in-plane rotation.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

CARD_W, CARD_H = 856, 540


def card(side: str = "front", seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    img = np.full((CARD_H, CARD_W, 3), (238, 232, 226), np.uint8)
    yy, xx = np.mgrid[0:CARD_H, 0:CARD_W]
    tint = (8 * np.sin(xx / 23.0 + yy / 31.0)).astype(np.int16)  # a guilloche-like wash
    img = np.clip(img.astype(np.int16) + tint[..., None] * np.array([1, 0, -1]), 0, 255).astype(np.uint8)
    if side == "front":
        rows = [(70, 0.35), (130, 0.3), (190, 0.45), (250, 0.5), (300, 0.5), (350, 0.3)]
        for y, length in rows:
            _strokes(img, rng, 70, y, 110, (150, 110, 60))  # the blue label
            _strokes(img, rng, 200, y, int(length * CARD_W), (30, 30, 30))
        _strokes(img, rng, 290, 455, 480, (20, 20, 20), height=30)  # the ID number
        cv2.ellipse(img, (680, 190), (80, 100), 0, 0, 360, (90, 95, 100), -1)
        cv2.ellipse(img, (680, 370), (140, 80), 0, 180, 360, (50, 50, 55), -1)
    else:
        cv2.circle(img, (150, 140), 90, (40, 40, 200), -1)
        cv2.circle(img, (150, 140), 40, (40, 200, 230), -1)
        _strokes(img, rng, 300, 90, 430, (20, 20, 20), height=40)
        _strokes(img, rng, 260, 190, 480, (20, 20, 20), height=55)
        _strokes(img, rng, 210, 400, 420, (30, 30, 30))
        _strokes(img, rng, 210, 460, 440, (30, 30, 30))
    return img


def _strokes(img: np.ndarray, rng: np.random.Generator, x: int, y: int, length: int, colour: tuple[int, int, int],
             height: int = 26) -> None:
    """A row of character-like blocks of strokes: ``length`` px from ``x``, centred on ``y``."""
    step = int(height * 1.15)
    for cx in range(x, x + length - step + 1, step):
        for _ in range(3):
            x0, y0 = cx + int(rng.integers(0, height // 2)), y - height // 2 + int(rng.integers(0, height // 2))
            x1, y1 = x0 + int(rng.integers(4, height // 2 + 4)), y0 + int(rng.integers(-3, height // 2))
            cv2.line(img, (x0, y0), (x1, y1), colour, max(2, height // 9))


def background(kind: str, w: int, h: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    if kind == "wood":
        grain = np.sin(xx / 9.0 + 3 * np.sin(yy / 70.0)) * 25 + rng.normal(0, 8, (h, w))
        base = np.stack([60 + grain * 0.5, 100 + grain * 0.8, 150 + grain], axis=2)
    elif kind == "cloth":  # a checked tablecloth: strong edges everywhere
        check = ((xx // 40 + yy // 40) % 2) * 90 + rng.normal(0, 10, (h, w))
        base = np.stack([80 + check, 60 + check * 0.6, 140 + check * 0.4], axis=2)
    elif kind == "white":  # a pale desk: little contrast with the card
        base = np.full((h, w, 3), 205.0) + rng.normal(0, 5, (h, w, 1))
    else:  # "dark"
        base = np.full((h, w, 3), 55.0) + rng.normal(0, 12, (h, w, 1))
    return np.clip(base, 0, 255).astype(np.uint8)


def photo(cards: list[np.ndarray], *, angle: float = 0.0, tilt: tuple[float, float] = (10.0, -8.0), kind: str = "wood",
          size: tuple[int, int] = (1200, 900), coverage: float = 0.3, centre: tuple[float, float] = (0.5, 0.5),
          gap: float = 0.1, seed: int = 0) -> tuple[np.ndarray, list[np.ndarray]]:
    """Cards stacked top to bottom in one plane, turned ``angle``° clockwise in it, the plane tilted by
    ``tilt`` = (about x, about y) degrees, seen by a pinhole camera (focal 0.9 × width); returns the quads too."""
    rng = np.random.default_rng(seed)
    w, h = size
    canvas = background(kind, w, h, seed).astype(np.float32)
    aspect = cards[0].shape[1] / cards[0].shape[0]
    n = len(cards)
    group_h = n / aspect + gap / aspect * (n - 1)  # in card widths
    a, tx, ty = (math.radians(d) for d in (angle, *tilt))
    rot = np.array([[math.cos(a), -math.sin(a), 0], [math.sin(a), math.cos(a), 0], [0, 0, 1]])
    rot = np.array([[1, 0, 0], [0, math.cos(tx), -math.sin(tx)], [0, math.sin(tx), math.cos(tx)]]) @ rot
    rot = np.array([[math.cos(ty), 0, math.sin(ty)], [0, 1, 0], [-math.sin(ty), 0, math.cos(ty)]]) @ rot
    focal = 0.9 * w
    distance = focal / (math.sqrt(coverage * w * h / (n / aspect)))  # one card width spans sqrt(area / ...) px
    quads = []
    for i, img in enumerate(cards):
        top = -group_h / 2 + i * (1 + gap) / aspect
        plane = np.array([[-0.5, top, 0], [0.5, top, 0], [0.5, top + 1 / aspect, 0], [-0.5, top + 1 / aspect, 0]])
        cam = plane @ rot.T + np.array([(centre[0] - 0.5) * w / focal * distance,
                                        (centre[1] - 0.5) * h / focal * distance, distance])
        quad = np.stack([focal * cam[:, 0] / cam[:, 2] + w / 2, focal * cam[:, 1] / cam[:, 2] + h / 2], axis=1)
        _paste(canvas, img, quad.astype(np.float32))
        quads.append(quad.astype(np.float32))
    canvas += rng.normal(0, 3, canvas.shape)
    out = cv2.GaussianBlur(np.clip(canvas, 0, 255).astype(np.uint8), (0, 0), 0.8)
    return out, quads


def page(seed: int = 0) -> np.ndarray:
    """A white A4 page of text rows (a bank statement, a contract) at ~100 dpi."""
    rng = np.random.default_rng(seed)
    img = np.full((1170, 827, 3), 246, np.uint8)
    for y in range(90, 1100, 34):
        _strokes(img, rng, 70, y, int(rng.integers(200, 690)), (30, 30, 30), height=18)
    return img


def _paste(canvas: np.ndarray, img: np.ndarray, quad: np.ndarray) -> None:
    h, w = img.shape[:2]
    mask = np.zeros((h, w), np.uint8)
    r = 30 if (w, h) == (CARD_W, CARD_H) else 2  # rounded corners, 3.18 mm on a real card
    cv2.rectangle(mask, (r, 0), (w - r, h - 1), 255, -1)
    cv2.rectangle(mask, (0, r), (w - 1, h - r), 255, -1)
    for x, y in ((r, r), (w - r, r), (r, h - r), (w - r, h - r)):
        cv2.circle(mask, (x, y), r, 255, -1)
    src = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], np.float32)
    m = cv2.getPerspectiveTransform(src, quad)
    size = (canvas.shape[1], canvas.shape[0])
    warped = cv2.warpPerspective(img, m, size).astype(np.float32)
    alpha = cv2.warpPerspective(mask, m, size).astype(np.float32)[..., None] / 255.0
    shadow = np.roll(cv2.GaussianBlur(alpha, (0, 0), 5), (5, 5), axis=(0, 1))
    if shadow.ndim == 2:
        shadow = shadow[..., None]
    canvas *= 1 - 0.3 * shadow
    canvas[:] = canvas * (1 - alpha) + warped * alpha
    rim = cv2.morphologyEx(alpha[..., 0], cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))[..., None]
    canvas *= 1 - 0.35 * np.clip(rim, 0, 1)  # the card's edge shows as a thin darker line


def a4_copy(front: np.ndarray, back: np.ndarray, *, grey: bool = True, touching: bool = False) -> np.ndarray:
    """An A4 "ID copy" page at 150 dpi: both sides, centred, lots of white margin."""
    page = np.full((1754, 1240, 3), 248, np.uint8)
    cw = round(85.6 / 25.4 * 150)
    ch = round(cw * CARD_H / CARD_W)
    top2 = 300 + ch + (0 if touching else 150)
    for img, top in ((front, 300), (back, top2)):
        page[top:top + ch, 300:300 + cw] = cv2.resize(img, (cw, ch), interpolation=cv2.INTER_AREA)
    if grey:
        page = cv2.cvtColor(cv2.cvtColor(page, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
    return page


def iou_to_truth(found: np.ndarray, truth: np.ndarray) -> float:
    """Intersection over union of a found quad and the drawn one."""
    inter, _ = cv2.intersectConvexConvex(found.astype(np.float32), truth.astype(np.float32))
    a = abs(cv2.contourArea(found.astype(np.float32)))
    b = abs(cv2.contourArea(truth.astype(np.float32)))
    return float(inter) / max(a + b - float(inter), 1e-6)
