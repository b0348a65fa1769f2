"""Orientation in steps of 90°: cards to landscape, and which way up to try first.

>>> import numpy as np
>>> rotate(np.zeros((2, 3, 3), np.uint8), 90).shape
(3, 2, 3)
>>> rotation_candidates(np.zeros((630, 1000, 3), np.uint8), card=True)
[0, 180]
"""

from __future__ import annotations

import cv2
import numpy as np

_CODES = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}


def rotate(image: np.ndarray, degrees: int) -> np.ndarray:
    """Rotate clockwise by a multiple of 90°."""
    degrees %= 360
    return image if degrees == 0 else cv2.rotate(image, _CODES[degrees])


def to_landscape(card: np.ndarray) -> np.ndarray:
    h, w = card.shape[:2]
    return rotate(card, 90) if h > w else card


def rotation_candidates(image: np.ndarray, *, card: bool) -> list[int]:
    """Rotations to try, likeliest first: the reader OCRs the next only when the text fits no type.

    A card is already landscape, so it is upright or upside down. A whole page
    may be any way round; a page taller than wide is tried upright first.
    """
    if card:
        return [0, 180]
    h, w = image.shape[:2]
    return [0, 180, 90, 270] if h >= w else [0, 90, 270, 180]
