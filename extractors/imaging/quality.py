"""Photo quality: measures, and the retake reasons they give the app user.

Only clear problems are reported — a needless "retake" is worse than a
reviewer's look; the pipeline rejects only when a problem also left fields
unread.
"""

from __future__ import annotations

import cv2
import numpy as np

from extractors.imaging.cards import CardCrop, partial_card
from extractors.models import Quality, RetakeReason

BLUR_MIN = 60.0
"""Variance of the Laplacian of the card at 1000 px width; sharp phone photos give 200+."""
DARK_MAX = 60.0
"""Mean L (0..255) below this is too dark to read."""
GLARE_MIN = 0.02
"""Share of the card that is blown-out white (L ≥ 253, low saturation) in blobs; measured on found cards only,
since a page's white paper is not glare."""
SMALL_COVERAGE = 0.06
SMALL_WIDTH = 300


def measure(region: np.ndarray, crop: CardCrop | None, photo: np.ndarray | None = None) -> Quality:
    h, w = region.shape[:2]
    k = 1000 / w
    norm = cv2.resize(region, (1000, max(1, round(h * k))), interpolation=cv2.INTER_AREA if k < 1 else cv2.INTER_LINEAR)
    gray = cv2.cvtColor(norm, cv2.COLOR_BGR2GRAY)
    sharpness = float(cv2.Laplacian(gray, cv2.CV_64F).var())
    lab = cv2.cvtColor(norm, cv2.COLOR_BGR2LAB)
    brightness = float(lab[:, :, 0].mean())
    hsv = cv2.cvtColor(norm, cv2.COLOR_BGR2HSV)
    blown = cv2.morphologyEx(((lab[:, :, 0] >= 253) & (hsv[:, :, 1] < 30)).astype(np.uint8), cv2.MORPH_OPEN,
                             np.ones((5, 5), np.uint8))
    glare = float(blown.mean()) if crop is not None else 0.0
    coverage = crop.coverage if crop is not None else 1.0
    if photo is not None:
        brightness = min(brightness, float(cv2.cvtColor(photo, cv2.COLOR_BGR2LAB)[:, :, 0].mean()) + 40)
    # most certain first: the first problem is the reason the app user is given
    problems: list[RetakeReason] = []
    if brightness < DARK_MAX:
        problems.append(RetakeReason.TOO_DARK)
    if crop is not None and crop.touches_border:
        problems.append(RetakeReason.CUT_OFF)
    if crop is None and photo is not None and partial_card(photo):
        problems.append(RetakeReason.CUT_OFF)
    if crop is not None and (coverage < SMALL_COVERAGE or (crop.bbox[2] - crop.bbox[0]) < SMALL_WIDTH):
        problems.append(RetakeReason.TOO_SMALL)
    if glare > GLARE_MIN:
        problems.append(RetakeReason.GLARE)
    if sharpness < BLUR_MIN:
        problems.append(RetakeReason.BLURRY)
    return Quality(sharpness=round(sharpness, 2), brightness=round(brightness, 2), glare_fraction=round(glare, 4),
                   coverage=coverage, problems=problems)
