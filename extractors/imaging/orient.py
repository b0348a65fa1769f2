"""Orientation in steps of 90°: cards to landscape, and which way up to OCR first.

The reader OCRs the first of :func:`rotation_candidates` and tries the next
only when the text does not fit a document type, so a good first guess saves a
whole OCR pass. Rotations are clockwise, in degrees, and name what to apply:
``rotate(image, rotation_candidates(image)[0])`` is the likeliest upright image.

For an ID card (a landscape crop, so upright or upside down) three cheap cues
vote, each comparing a region with the region the card's 180° turn puts there:

- **emblem**: the back's national emblem is the only large red area, top left;
- **blob**: the largest dark or coloured blob that is not text (strokes are
  removed by an opening first): a tall one is the front's portrait, right of
  centre when upright; a compact one is the back's emblem (also in a grey
  copy), top left when upright;
- **margin**: the text is left-aligned and its lines stop well short of the
  right edge (the portrait, the ragged ends), so the median text line starts
  nearer the left edge than it ends from the right one.

Measured on the 29 card crops the finder makes of the committed samples (26,
synthetic) and the two real specimens (3), each as found and turned 180°: 58 of
58 right, 6 of 6 on the real ones; also 58 of 58 in grey (a photocopy: no red),
blurred (σ 2 and 4 px), darkened to 30% and shrunk to 220 px wide. Alone, the
emblem cue was right 22 times and silent 36 (fronts, grey), the blob cue right
54 and silent 4, the margin cue right 56 and silent 2; none was ever wrong. The
synthetic cards copy the real layout, so this says the cues work on that
layout, not how they fare on worn cards, odd lighting or unusual portraits.

For a page (no card found), text lines running up and down mean the page lies
on its side: 90 and 270 go first.

>>> import numpy as np
>>> rotate(np.zeros((2, 3, 3), np.uint8), 90).shape
(3, 2, 3)
>>> rotation_candidates(np.full((640, 1015, 3), 230, np.uint8))  # a blank card: no opinion
[0, 180, 90, 270]
"""

from __future__ import annotations

import cv2
import numpy as np

_CODES = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
_W, _H = 400, 252
"""Cards are judged at this size (a card row of text is ~12 px high)."""
RED_MIN = 0.04
"""Share of a card corner region that must be red for the emblem cue to speak (an emblem fills ~25% of it)."""
BLOB_MIN = 0.04
"""Share of the portrait region that non-text ink must fill for the portrait cue to speak (a photo: 30–60%)."""


def rotate(image: np.ndarray, degrees: int) -> np.ndarray:
    """Rotate clockwise by a multiple of 90°.

    >>> rotate(np.arange(4).reshape(2, 2), 90).tolist()
    [[2, 0], [3, 1]]
    """
    degrees %= 360
    if degrees not in (0, 90, 180, 270):
        raise ValueError(f"rotation must be a multiple of 90°, not {degrees}")
    return image if degrees == 0 else cv2.rotate(image, _CODES[degrees])


def to_landscape(card: np.ndarray) -> np.ndarray:
    """A card crop taller than wide, turned 90° clockwise (the other way round is then 180° off)."""
    h, w = card.shape[:2]
    return rotate(card, 90) if h > w else card


def rotation_candidates(image: np.ndarray, *, card: bool = True) -> list[int]:
    """Clockwise rotations to try, likeliest upright first; all four are always listed.

    ``card``: the image is a landscape card crop (see :func:`to_landscape`), so
    0 and 180 come first, ordered by :func:`upside_down_score`. Otherwise it is
    a page or a whole photo: sideways text puts 90/270 first.
    """
    if card:
        first = [180, 0] if upside_down_score(image) > 0 else [0, 180]
        return [*first, 90, 270]
    sideways = _text_runs_vertically(image)
    h, w = image.shape[:2]
    if sideways:
        return [90, 270, 0, 180]
    if sideways is None and w > h * 1.2:  # no text to judge by: a landscape photo of a page may be sideways
        return [0, 90, 270, 180]
    return [0, 180, 90, 270]


def upside_down_score(card: np.ndarray) -> float:
    """Evidence that a landscape card is upside down: > 0 upside down, < 0 upright, 0 no idea."""
    small = _judging_copy(card)
    hsv = cv2.cvtColor(small, cv2.COLOR_BGR2HSV)
    return 2.0 * _emblem_cue(hsv) + 1.5 * _portrait_cue(small, hsv) + _margin_cue(small)


def cues(card: np.ndarray) -> dict[str, float]:
    """The three cues' votes (for measuring them): each > 0 says upside down."""
    small = _judging_copy(card)
    hsv = cv2.cvtColor(small, cv2.COLOR_BGR2HSV)
    return {"emblem": _emblem_cue(hsv), "portrait": _portrait_cue(small, hsv), "margin": _margin_cue(small)}


def _judging_copy(card: np.ndarray) -> np.ndarray:
    """The card at the judging size with its levels stretched (a dark photo keeps its layout)."""
    small = cv2.resize(_bgr(card), (_W, _H), interpolation=cv2.INTER_AREA)
    lo, hi = np.percentile(small, (1, 99))
    if hi - lo < 1:
        return small
    out: np.ndarray = cv2.convertScaleAbs(small, alpha=255.0 / (hi - lo), beta=-lo * 255.0 / (hi - lo))
    return out


def _bgr(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR) if image.ndim == 2 else image


def _emblem_cue(hsv: np.ndarray) -> float:
    hue, sat, val = hsv[:, :, 0], hsv[:, :, 1], hsv[:, :, 2]
    red = ((hue <= 8) | (hue >= 165)) & (sat >= 90) & (val >= 70)
    top_left = float(red[: int(_H * 0.6), : int(_W * 0.35)].mean())
    bottom_right = float(red[int(_H * 0.4) :, int(_W * 0.65) :].mean())
    if max(top_left, bottom_right) < RED_MIN or abs(top_left - bottom_right) < RED_MIN / 2:
        return 0.0
    return 1.0 if bottom_right > top_left else -1.0


def _ink_blobs(small: np.ndarray, hsv: np.ndarray) -> np.ndarray:
    """Dark or strongly coloured areas too thick to be text strokes (a portrait, hair, clothes, an emblem)."""
    light = cv2.cvtColor(small, cv2.COLOR_BGR2LAB)[:, :, 0]
    paper = float(np.percentile(light, 75))
    ink = ((light < paper - 45) | (hsv[:, :, 1] > 110)).astype(np.uint8)
    return cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((9, 9), np.uint8))


def _portrait_cue(small: np.ndarray, hsv: np.ndarray) -> float:
    """Where the largest non-text blob is: a tall one is the front's portrait (right when upright), a compact
    one the back's emblem (top left when upright, also in a grey copy where the emblem cue is silent)."""
    blobs = _ink_blobs(small, hsv)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(blobs)
    big = [i for i in range(1, n) if stats[i, cv2.CC_STAT_AREA] >= 0.005 * _W * _H]  # a head and shoulders: 2
    if sum(int(stats[i, cv2.CC_STAT_AREA]) for i in big) < BLOB_MIN * _W * _H:
        return 0.0
    ys, xs = np.nonzero(np.isin(labels, big))
    cx, cy = float(xs.mean()) / _W, float(ys.mean()) / _H
    if (ys.max() - ys.min()) >= 0.45 * _H:  # the portrait
        return -1.0 if cx > 0.55 else 1.0 if cx < 0.45 else 0.0
    if cx < 0.45 and cy < 0.5:  # the emblem, upright
        return -1.0
    if cx > 0.55 and cy > 0.5:
        return 1.0
    return 0.0


def _margin_cue(small: np.ndarray) -> float:
    """Left-aligned text: lines start nearer the left edge than they end from the right one (median)."""
    starts, ends = _text_lines(small)
    if len(starts) < 3:
        return 0.0
    left, right = float(np.median(starts)), float(_W - np.median(ends))
    return float(np.clip((left - right) / (0.25 * _W), -1.0, 1.0))


def _text_lines(small: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Left and right ends (x) of the text lines of a card at the judging size."""
    grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    ink = cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 18)
    text = np.where(_ink_blobs(small, cv2.cvtColor(small, cv2.COLOR_BGR2HSV)) > 0, 0, ink).astype(np.uint8)
    lines = cv2.morphologyEx(text, cv2.MORPH_CLOSE, np.ones((3, 15), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(lines)
    keep = [(x, x + w) for x, y, w, h, area in stats[1:n]
            if 6 <= h <= 0.12 * _H and w >= 0.08 * _W and w > 2.5 * h and area > 0.3 * w * h]
    if not keep:
        return np.array([]), np.array([])
    arr = np.array(keep, np.float32)
    return arr[:, 0], arr[:, 1]


def _text_runs_vertically(image: np.ndarray) -> bool | None:
    """Whether the text lines of a page run up and down (the page lies on its side); None: too little text."""
    grey = cv2.cvtColor(_bgr(image), cv2.COLOR_BGR2GRAY)
    h, w = grey.shape
    k = 800 / max(h, w)
    if k < 1:
        grey = cv2.resize(grey, (round(w * k), round(h * k)), interpolation=cv2.INTER_AREA)
    ink = cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 18)
    runs = {}
    for name, kernel in (("across", (15, 1)), ("down", (1, 15))):
        merged = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones(kernel[::-1], np.uint8))
        n, _, stats, _ = cv2.connectedComponentsWithStats(merged)
        long_side = stats[1:n, 2] if name == "across" else stats[1:n, 3]
        short_side = stats[1:n, 3] if name == "across" else stats[1:n, 2]
        runs[name] = int(((long_side > 6 * short_side) & (short_side >= 4) & (long_side >= 40)).sum())
    if max(runs.values()) < 5:
        return None
    return runs["down"] > 2 * runs["across"]
