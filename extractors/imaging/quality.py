"""Photo quality: four measures of a card (or a whole page) and the retake reasons they give the app user.

Only clear problems are reported: a needless "retake" costs the app user more
than a reviewer's look costs us (STYLE.md: prefer ``needs_review``). Each
threshold below says how it was chosen; the measures are:

- ``sharpness`` (0..1, higher is sharper): 1 − the re-blur blur metric of
  Crété-Roffet et al. (2007): how much of the picture's pixel-to-pixel variation
  survives a 9-pixel box blur. It does not depend on contrast or on how much
  text there is, unlike the variance of the Laplacian. A card is measured at the
  resolution it had in the photo (the flattened crop is scaled back down to it),
  a page at the ≤ 1280 px the OCR detector works at;
- ``brightness`` (0..1): mean lightness (CIE L) of the card or page;
- ``glare_fraction``: share of the card covered by blown-out white blobs
  brighter than the card's own background;
- ``coverage``: share of the photo the card covers (1.0 for a whole page).

Problems are listed most certain first; the first is the one the app shows.

>>> import numpy as np
>>> q = measure(np.full((640, 1014, 3), 12, np.uint8))
>>> q.problems, q.brightness < 0.1
([<RetakeReason.TOO_DARK: 'too_dark'>], True)
"""

from __future__ import annotations

import cv2
import numpy as np

from extractors.imaging.cards import OUT_W, CardCrop, partial_card
from extractors.imaging.regions import working_copy
from extractors.models import Quality, RetakeReason

SHARPNESS_MIN = 0.165
"""Sharpness under which a card is BLURRY. Sharp crops (both real specimens, the committed synthetic photos and
scans) measure 0.37–0.47. Blurring the real specimens with a Gaussian and reading them with PP-OCRv6: every
field read down to 0.20 (σ = 2–3 px); the 580 px specimen lost its name and address at 0.18, the 850 px one
three of five fields at 0.165, and both most fields by 0.157. In between the reader finds fields missing and
asks a reviewer, which is the right answer for "somewhat blurry"."""
DARK_L_MAX = 30.0
"""Mean lightness (0..255) under which a photo is TOO_DARK, if its brightest parts are dark too (below).
PP-OCRv6 read every field of the real specimen darkened to mean 13 with noise (σ 5) and JPEG 75 added, so
darkness alone rarely stops the reader; 30 is kept for photos so dark that a real sensor's noise (far worse
than that simulation) buries the text. A card under room light is 150–230; the committed too-dark sample 13."""
DARK_P95_MAX = 50.0
"""…and the 95th percentile of lightness is under this: a dark photo with a well-lit card in it is not too dark."""
GLARE_MIN = 0.05
"""Share of the card in glare blobs above which GLARE is reported: a spot that size wipes out a field or two.
Glare pixels: lightness ≥ 250 and HSV saturation ≤ 40; blobs under 0.3% of the card (a specular dot) are
ignored."""
GLARE_BLOB_MIN = 0.003
GLARE_INK_MAX = 0.01
"""A blown-out blob whose core (holes filled) is more than 1% ink (lightness < 180) is clipped paper with print
standing in it, not glare."""
SMALL_WIDTH = 300
"""A card narrower than this (pixels, in the photo) is TOO_SMALL: its 3.5 mm text is ~12 px high, the least the
OCR detector finds reliably."""
SMALL_COVERAGE = 0.06
SMALL_WIDTH_IF_LOW_COVERAGE = 600
"""A card covering under 6% of the photo is TOO_SMALL only if also narrower than 600 px: on a 48 MP photo 3% of
the frame is still 1300 px wide and perfectly readable."""
CUT_OFF_MARGIN = 0.01
"""A found card's corner lying further outside the photo than this share of its long side is CUT_OFF."""
PAGE_SIDE = 1280
"""A whole page is measured at this longest side (what the OCR detector is given)."""


def measure(image: np.ndarray, crop: CardCrop | None = None, *, photo: np.ndarray | None = None,
            find_partial: bool = True, colour: bool | None = None) -> Quality:
    """Measure ``crop`` (its flattened card), or ``image`` when no card was found, and name the problems.

    ``photo`` is the whole upload, when ``image`` is a region of it: with no
    card found it is searched for a card running off its edge (CUT_OFF) unless
    ``find_partial`` is off — a page of text running off the frame looks the
    same, so turn it off for uploads that cannot be ID cards. ``colour``: whether the upload holds colour, when
    the caller has measured it once for all its regions (:func:`in_colour` of ``photo``, else of ``image``).
    """
    if crop is not None:
        region = _at_native_size(crop)
        inner = _inner(region)
    else:
        region = _at_page_size(image)
        inner = region
    grey = cv2.cvtColor(inner, cv2.COLOR_BGR2GRAY) if inner.ndim == 3 else inner
    light = cv2.cvtColor(inner, cv2.COLOR_BGR2LAB)[:, :, 0] if inner.ndim == 3 else inner
    sharpness = 1.0 - blur_metric(grey)
    brightness = float(light.mean())
    bright_p95 = float(np.percentile(light, 95))
    if colour is None:
        colour = in_colour(photo if photo is not None else image)
    glare = glare_fraction(inner) if crop is not None and inner.ndim == 3 and colour else 0.0
    coverage = crop.coverage if crop is not None else 1.0

    problems: list[RetakeReason] = []
    if brightness < DARK_L_MAX and bright_p95 < DARK_P95_MAX:
        problems.append(RetakeReason.TOO_DARK)
    if crop is not None and _corner_outside(crop):
        problems.append(RetakeReason.CUT_OFF)
    if crop is None and find_partial and partial_card(photo if photo is not None else image) is not None:
        problems.append(RetakeReason.CUT_OFF)
    if crop is not None and not crop.whole_image:
        width = max(crop.native_size)
        if width < SMALL_WIDTH or (coverage < SMALL_COVERAGE and width < SMALL_WIDTH_IF_LOW_COVERAGE):
            problems.append(RetakeReason.TOO_SMALL)
    if glare >= GLARE_MIN:
        problems.append(RetakeReason.GLARE)
    if sharpness < SHARPNESS_MIN and RetakeReason.TOO_DARK not in problems:
        problems.append(RetakeReason.BLURRY)
    q = Quality(sharpness=round(sharpness, 3), brightness=round(brightness / 255.0, 3),
                glare_fraction=round(glare, 4), coverage=round(coverage, 4), problems=problems, in_colour=colour)
    q.score, q.lowered_by = capture_score(q)
    return q


SHARP_ENOUGH = 0.3
"""Sharpness from which a capture loses no points (sharp crops measure 0.37–0.47, see :data:`SHARPNESS_MIN`)."""


def capture_score(q: Quality) -> tuple[int, list[str]]:
    """A 0–100 capture quality for the app and the scorer, and what lowered it, most first.

    100 is a sharp, lit, glare-free colour photo of the whole card. Points come off for softness (up to 30 from
    :data:`SHARP_ENOUGH` down to :data:`SHARPNESS_MIN`, 45 below it), darkness (40), glare (up to 40, 8 per 1% of
    the card), a card too small or cut off (25, 35) and no colour at all (15: a copy or a grey scan shows the
    card's print, not the card). A retake reason always costs at least 25, so any capture the app would ask to
    retake scores at most 75.

    >>> capture_score(Quality(sharpness=0.42, brightness=0.7, problems=[], in_colour=True))
    (100, [])
    >>> capture_score(Quality(sharpness=0.2, glare_fraction=0.02, problems=[], in_colour=False))
    (47, ['blur', 'glare', 'no_colour'])
    """
    lost: dict[str, float] = {}
    if q.sharpness < SHARPNESS_MIN:
        lost["blur"] = 45
    elif q.sharpness < SHARP_ENOUGH:
        lost["blur"] = 30 * (SHARP_ENOUGH - q.sharpness) / (SHARP_ENOUGH - SHARPNESS_MIN)
    if RetakeReason.TOO_DARK in q.problems:
        lost["dark"] = 40
    if q.glare_fraction > 0:
        lost["glare"] = min(40.0, max(25.0 if q.glare_fraction >= GLARE_MIN else 0.0, 800 * q.glare_fraction))
    if RetakeReason.CUT_OFF in q.problems:
        lost["cut_off"] = 35
    if RetakeReason.TOO_SMALL in q.problems:
        lost["small"] = 25
    if q.in_colour is False:
        lost["no_colour"] = 15
    lost = {k: v for k, v in lost.items() if round(v) > 0}
    return max(0, round(100 - sum(lost.values()))), sorted(lost, key=lambda k: -lost[k])


GREY_SPREAD = 6
"""An image whose channels differ by at most this much (99th percentile) has no colour: a scan or a copy."""


def in_colour(image: np.ndarray) -> bool:
    """Whether ``image`` holds colour. Glare is light reflected off the card into a camera; a grey or black-and-white
    scan or photocopy has none, and its white paper is not glare.

    >>> grey = np.full((40, 40, 3), 200, np.uint8)
    >>> in_colour(grey), in_colour(np.dstack([grey[:, :, 0], grey[:, :, 1], grey[:, :, 2] - 40]))
    (False, True)
    """
    return colour_spread(image) > GREY_SPREAD


def colour_spread(image: np.ndarray) -> float:
    """The 99th percentile, over the picture, of how far a pixel's three channels differ (0 for grey)."""
    if image.ndim != 3:
        return 0.0
    small, _ = working_copy(image)
    return float(np.percentile(small.max(axis=2).astype(np.int16) - small.min(axis=2), 99))


def blur_metric(grey: np.ndarray) -> float:
    """Crété-Roffet no-reference blur, 0 (sharp) … 1 (flat or fully blurred).

    >>> rng = np.random.default_rng(0)
    >>> sharp = (rng.random((200, 200)) > 0.5).astype(np.uint8) * 255
    >>> blur_metric(sharp) < 0.3 < blur_metric(cv2.GaussianBlur(sharp, (0, 0), 4))
    True
    """
    f = grey.astype(np.float32)
    worst = 0.0
    for axis, kernel in ((0, (1, 9)), (1, (9, 1))):
        b = cv2.blur(f, kernel[::-1] if axis == 0 else kernel)
        df = np.abs(np.diff(f, axis=axis))
        db = np.abs(np.diff(b, axis=axis))
        total = float(df.sum())
        if total <= 1e-6:
            return 1.0
        kept = float(np.maximum(0.0, df - db).sum())
        worst = max(worst, (total - kept) / total)
    return worst


def glare_fraction(card: np.ndarray) -> float:
    """Share of ``card`` (BGR) covered by blobs of blown-out white that hide what is printed under them.

    A blob with print inside it (text left standing in a clipped-white scan) is
    paper, not glare: its core, holes filled, must be nearly free of ink.

    >>> card = np.full((100, 160, 3), 200, np.uint8)
    >>> card[20:60, 40:100] = 255
    >>> glare_fraction(card)
    0.15
    >>> card[30:34, 50:90] = 40  # a line of text survives: clipped paper, not glare
    >>> glare_fraction(card)
    0.0
    """
    light = cv2.cvtColor(card, cv2.COLOR_BGR2LAB)[:, :, 0]
    sat = cv2.cvtColor(card, cv2.COLOR_BGR2HSV)[:, :, 1]
    blown: np.ndarray = ((light >= 250) & (sat <= 40)).astype(np.uint8)
    blown = cv2.morphologyEx(blown, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    area = float(card.shape[0] * card.shape[1])
    ink = light < 180
    total = 0
    contours, _ = cv2.findContours(blown, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    for c in contours:
        if cv2.contourArea(c) < GLARE_BLOB_MIN * area:
            continue
        filled: np.ndarray = np.zeros(blown.shape, np.uint8)
        cv2.drawContours(filled, [c], -1, (1,), -1)
        core = cv2.erode(filled, np.ones((7, 7), np.uint8)) > 0
        if core.any() and float(ink[core].mean()) < GLARE_INK_MAX:
            total += int(filled.sum())
    return round(total / area, 4)


def _at_native_size(crop: CardCrop) -> np.ndarray:
    """The flattened card scaled down to the width it had in the photo (upscaling invents blur)."""
    width = max(crop.native_size)
    image = crop.image
    if width >= OUT_W * 0.95:
        return image
    h, w = image.shape[:2]
    k = max(width, 64.0) / max(h, w)
    return cv2.resize(image, (max(1, round(w * k)), max(1, round(h * k))), interpolation=cv2.INTER_AREA)


def _at_page_size(image: np.ndarray) -> np.ndarray:
    h, w = image.shape[:2]
    k = PAGE_SIDE / max(h, w)
    if k >= 1:
        return image
    return cv2.resize(image, (max(1, round(w * k)), max(1, round(h * k))), interpolation=cv2.INTER_AREA)


def _inner(card: np.ndarray) -> np.ndarray:
    """The card without a 4% rim: rounded corners and a sliver of background stay out of the measures."""
    h, w = card.shape[:2]
    dy, dx = max(1, h // 25), max(1, w // 25)
    return card[dy : h - dy, dx : w - dx]


def _corner_outside(crop: CardCrop) -> bool:
    if crop.whole_image:
        return False
    h, w = crop.source_shape
    slack = CUT_OFF_MARGIN * max(crop.native_size)
    q = crop.quad
    return bool((q[:, 0] < -slack).any() or (q[:, 1] < -slack).any()
                or (q[:, 0] > w - 1 + slack).any() or (q[:, 1] > h - 1 + slack).any())
