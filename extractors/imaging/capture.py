"""What was photographed: the capture risks of an ID card, each with a code, a confidence and its evidence.

A lender wants the applicant's own card photographed whole, in colour, as it is — not a copy of it, not a
picture of it on a screen, not a card with a finger over a field or a field pasted over. Each risk is read
off how the card was found and measured (:mod:`.quality`, :mod:`.cards`) or off the card's pixels:

- ``bw_copy``: the upload holds no colour at all — a grey or black-and-white scan or photocopy. Evidence: the
  99th percentile of how far a pixel's channels differ, against :data:`~.quality.GREY_SPREAD`. Not raised on a
  photo too dark to tell (its retake reason says so).
- ``photocopy``: the card lies on a sheet — a small share of an A4-shaped page (an A4 copy, colour or not,
  whether its card edges show or it was found by its print). Evidence: the card's share of the page and the
  page's aspect. A phone photo of a copy, framed 4:3, is not recognised (no colour test yet tells a copy's
  toner from a card's print under a phone's light).
- ``screen_reshoot``: the card was shown on a screen and photographed (:func:`moire`). A screen lights each
  pixel as red, green and blue stripes; photographed, that grid aliases against the camera's own pixel grid
  into colour moiré — fine, strongly coloured ripples that printed card stock never shows. Evidence: how strong
  the fine colour ripples are beside the fine lightness detail (and how peaked their spectrum is). A camera
  that resolves the grid more finely shows it as broad rainbow bands instead (:func:`colour_bands`): the card's
  pale ground coloured in many hues, where printed stock keeps one tint. A screen so fine that neither shows
  still has its frame (:func:`screen_frame`): a flat band round the card — the album app's margin — ending at a
  straight edge parallel to the card's sides, the bezel. Evidence: the measures and their thresholds, and
  ``found_by`` (fine moiré, colour bands, screen frame).
- ``border_incomplete``: part of the card's outline lies outside the photo (:func:`corners_outside`), so a
  reader cannot see that nothing was cut or covered there — or the outline found is short of a card's shape
  beside the frame and the card's ground runs on past it to the frame (:func:`runs_on`): the strip the frame
  left was too thin for the finder. Evidence: which sides, and how far.
- ``occluded``: something lies over the card from its edge — a finger (:func:`occlusion`). Evidence: the
  region (card pixels), its share of the card, the colour test.
- ``edited``: the name's print differs from the card's other values (:func:`edited_name`): its characters
  are another height than a card prints a name beside its address (larger: 五号 beside 小五号), or its ink another
  grey than the same card's sex, ethnicity and address (the ink only where those agree among themselves).
  Evidence: the name's box and both measures beside the card's own.
- ``temporary_card``: the back is a temporary card's (临时居民身份证), valid three months (raised by the
  back's reader, :mod:`extractors.doctypes.idcard`).

The reader puts them in the document's ``meta["capture_risks"]``; the rules
(:mod:`validators.id_card_capture`) turn them into findings, warnings unless a lender makes them errors.

>>> from extractors.models import Quality
>>> [r["code"] for r in risks(Quality(in_colour=False), spread=0.0, page=(2339, 1654), share=0.1, found_by="print")]
['bw_copy', 'photocopy']
>>> risks(Quality(in_colour=True), spread=40.0, page=(1080, 1440), share=0.35, found_by="edges")
[]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import cv2
import numpy as np

from extractors.imaging import cards
from extractors.imaging.quality import GREY_SPREAD
from extractors.models import Quality, RetakeReason

A4_ASPECT = (1.38, 1.45)
"""An upload this shape (long side over short; A4 is 1.414) is a page: phone photos are 4:3 (1.33) or wider."""
ON_PAGE_SHARE = 0.3
"""A card covering less than this share of such a page lies on it: an ID card is 8 % of an A4 sheet, and a scan
cropped around the card covers most of its picture."""
MOIRE_RATIO = 0.35
"""Fine colour ripples (the a and b channels of CIE Lab, less a σ 2 blur, summed standard deviations:
``colour_detail``) over fine lightness detail (``colour_ripple``) from which a card is a screen's picture — or
from which the ripples' spectrum is peaked beyond :data:`MOIRE_PEAK`, and in either case only when the colour
detail itself reaches :data:`MOIRE_DETAIL`. On the tuning seed 7301 of ``bench capture-risks`` genuine photos,
scans and copies of both card renderers measure ripple ≤ 0.26, peak ≤ 3.4, detail ≤ 3.9 (photos through a Bayer
sensor included); screen re-shoots ripple 0.28–1.4, peak 2.9–5.8, detail 3.5–22. Measured on what phones upload
— JPEG or HEIC, chroma kept at half resolution: a raw sensor's full-resolution chroma noise measures a ripple up
to 0.55 and would be taken for a screen."""
MOIRE_PEAK = 4.0
"""log10 of the colour ripples' highest spectral point over their median, 0.08–0.5 cycles per pixel: a grid."""
MOIRE_DETAIL = 2.0
"""Colour detail under which the ripple ratio means nothing: a blurred photo has little fine lightness detail
left to divide by (the committed blurry sample: ripple 0.39 on a colour detail of 0.39)."""
BAND_SECTORS = 4
"""Hue sectors (of twelve, 30° each) from which a card's pale ground ripples in bands of every colour — the coarse
moiré a screen shows when the camera resolves its sub-pixel grid as broad rainbow bands (:func:`colour_bands`),
which the fine-scale measure of :func:`moire` filters out. Genuine photos and scans of both renderers cover at
most 1 sector (the finger of an occluded card, a portrait's edge); screen re-shoots with coarse moiré 4–12
(``bench capture-risks``, tuning seed 7301, 20 of every kind); the two real specimens 0 and 1."""
BAND_CHROMA = 6.0
"""CIE Lab chroma (a, b distance) from which a pale pixel's colour, less the card's slow colour changes (σ 16 of a
card 640 px wide: a tint across the card, a rainbow-printed background), counts as a band's colour."""
BAND_SHARE = 0.02
"""…and the share of the card's pale pixels a hue sector must hold to count."""
FRAME_STEP = 12.0
"""Grey levels by which a straight edge parallel to a card's side, beyond a flat band around it, steps: the edge
of a screen (its app's margin against the bezel, or the bezel against what lies beyond) round a card shown on it
(:func:`screen_frame`). The band's flatness, :data:`FRAME_FLAT`, and the card's own edge, :data:`FRAME_START`,
decide the rest."""
FRAME_START = 0.03
"""The band round a card is looked at from this share of the card's short side out (its edge and shadow lie
nearer)…"""
FRAME_SPAN = 1.6
"""…to this share of it (a phone's album app leaves up to a card's height of margin above and below the card)."""
FRAME_FLAT = 4.0
"""Grey levels (the band's standard deviation between a σ 2 and a σ 6 blur: a screen's pixel grid and a sensor's
noise lie below that scale) under which the band between a card and an edge is a screen's flat margin, not a desk,
cloth or wood."""
FRAME_SIDES = 3
"""Sides of a card that each face such an edge beyond a flat band, from which the card lies in a screen's frame.
Genuine captures of the tuning seed 7303 (25 of every genuine kind) show one at most (the other card of a both-sides
photo, an A4 copy's page edge); screen re-shoots three or four (25 of 25)."""
ON_FRAME_PX = 2.0
"""A card corner this close to the photo's edge (or beyond it) lies on the frame: the card runs off it."""
SHORT_CARD = 0.035
"""A card outline this much shorter (its height beside its width) than a card's 85.6 × 54 mm…"""
NEAR_FRAME = 0.03
"""…with a side within this share of its short side of the photo's edge was cut there: what the frame cut off
left a strip too thin for the card finder to take as the card's, and it took the print's edge inside. A tilted
card alone measures up to 9.5 % short (genuine photos of the tuning seed 7301), so the side near the frame is what
decides: no genuine photo of that seed (200, 20 of every kind) has both; cut cards whose edge the finder took
short measure 3.8–6.7 %."""
RUN_ON_GAP = 0.15
"""A card side this near the photo's edge (a share of the card's short side)…"""
RUN_ON_DELTA = 12.0
"""…beyond which the photo keeps the colour of the card's own ground just inside that side (CIE Lab ΔE under
this), while the outline found is short in that direction (:data:`SHORT_CARD`), is no edge of the card: the card
runs on to the frame and the finder took a line of its print for its edge. Genuine colour photos of the tuning seed
7301 (180) show ΔE 27 and more beyond any side that near the frame; a cut card whose edge the finder placed 11 % of
its height inside, ΔE 2. A pale card on a white sheet near the frame can look the same: on a copy (an A4 page) it is
not judged, on a photo it would be a false warning."""
PRINT_HEIGHT_RANGE = (1.04, 1.22)
"""A name whose characters stand this many times the height of the card's other values or outside it was printed
in another size. A card prints the name larger than the other values: 五号 (10.5 pt) 黑体 beside 小五号 (9 pt), a
ratio of 1.167; a widely copied card generator sets 72 px beside 64 px, 1.125. Measured against the address
(:func:`edited_name`): genuine captures of both card renderers 1.08–1.19 (tuning seed 7306, 110 photos, turned,
glared, through a Bayer sensor, both sides, colour scans), the two real specimens 1.07 and 1.10; names retyped
8–15 % smaller or larger than the card's own 0.87–1.32. The margins are a pixel of a name about 30 px high."""
PRINT_BRIDGE = 0.2
"""Rows without ink inside a line of print that are bridged in measuring its height, as a share of the name's
box: the gaps between the strokes of 三 or 兰 (a turned, blurred photo's 吕兰 measured half its height without);
the gap between an address's lines is wider."""
ADDRESS_AGREE = (0.95, 1.15)
"""The name's height is compared with the address's — its many characters hold one of the font's full height,
where sex and ethnicity, one or two characters, may be short ones (女, 一) — when the address measures this many
times the median of sex and ethnicity: genuine captures 0.99–1.11 (tuning seed 7306), a misread box 1.2 and more."""
PRINT_REF_AGREE = 0.08
"""Else (no address, or a misread one) with sex and ethnicity, when both lie within this share of their median."""
INK_DIFFERENCE = 11.0
"""A name whose ink (10th percentile grey) lies this many grey levels lighter than the lightest of the other
values' inks was printed with another ink — retyped in a colour picked up under other light. A card's name, printed
larger with thicker strokes, never measures lighter than the other values on the tuning seeds (7301, 7306);
retypes in an eyedropped ink measure up to 17 lighter."""
INK_DARKER = 20.0
"""…or this many darker than the darkest of them: retyped in black. The larger name's thicker strokes keep darker
cores than the other values' under blur or glare — genuine captures of the tuning seeds 7301 and 7306 (310) lie up
to 16 darker; names retyped in black 21–54."""
INK_REF_AGREE = 12.0
"""…and only where the other values' inks lie within this many grey levels of each other: a blurred photo lightens
thin strokes, and a name of thin strokes (吕兰) then measures lighter than the card's bolder values (the other
values of a turned blurred photo spread over 23 levels; retypes the ink alone found, at most 9.3 on the tuning seed
7302)."""
SKIN_SHARE = 0.02
"""A skin-coloured, unprinted region at the card's edge covering more than this share of the card is something
over it. A fingertip over a card covers 5–12 %; a portrait is skin-coloured but never reaches the edge."""


BILEVEL_SHARE = 0.01
"""An upload with fewer than this share of mid-grey pixels (32–223) is bilevel: a 1-bit black-and-white scan or
fax. Its digits lose strokes (a 4 whose bar dropped out reads as 1, with a confident recogniser). The tuning
seed's 1-bit scans measure 0; grey scans 0.08–0.17, A4 copies 0.02–0.03, photos 0.87 and more."""


def bilevel(image: np.ndarray) -> bool:
    """Whether ``image`` is black and white only (:data:`BILEVEL_SHARE`)."""
    grey = image if image.ndim == 2 else cv2.cvtColor(image[:, :, :3], cv2.COLOR_BGR2GRAY)
    sample = grey[::3, ::3]
    return bool(((sample > 32) & (sample < 223)).mean() < BILEVEL_SHARE)


def risks(q: Quality | None, *, spread: float, page: tuple[int, int], share: float, found_by: str,
          native: np.ndarray | None = None, card: np.ndarray | None = None,
          outside: dict[str, Any] | None = None, black_and_white: bool = False,
          frame: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The capture risks of one card: ``q`` its quality, ``spread`` the upload's
    :func:`.quality.colour_spread`, ``page`` the (height, width) of the picture it was found in, ``share`` the
    card's share of it, ``found_by`` ``edges`` (its outline) or ``print`` (a block of print on a page, no edge
    seen); ``native`` the card at the resolution it was captured at (for :func:`moire`), ``card`` the upright
    flattened card (for :func:`occlusion`), ``outside`` what :func:`corners_outside` found, ``frame`` what
    :func:`screen_frame` found; ``black_and_white`` whether the upload is :func:`bilevel` (said in the
    ``bw_copy`` evidence)."""
    out: list[dict[str, Any]] = []
    colour = q is not None and q.in_colour is not False
    if q is not None and q.in_colour is False and RetakeReason.TOO_DARK not in q.problems:
        out.append({"code": "bw_copy", "confidence": 0.99,
                    "evidence": {"colour_spread": round(spread, 1), "threshold": GREY_SPREAD}
                    | ({"bilevel": True} if black_and_white else {})})
    aspect = max(page) / max(1, min(page))
    a4 = A4_ASPECT[0] <= aspect <= A4_ASPECT[1]
    if share < ON_PAGE_SHARE and a4:
        out.append({"code": "photocopy", "confidence": 0.95 if found_by == "print" else 0.85,
                    "evidence": {"card_share": round(share, 3), "page_aspect": round(aspect, 3),
                                 "a4_aspect": list(A4_ASPECT), "share_under": ON_PAGE_SHARE, "found_by": found_by}})
    m = moire(native) if colour and native is not None else None
    bands = colour_bands(native) if colour and native is not None else None
    fine = m is not None and m["colour_detail"] >= MOIRE_DETAIL and (
        m["colour_ripple"] >= MOIRE_RATIO or m["peak"] >= MOIRE_PEAK)
    coarse = bands is not None and bands["hue_sectors"] >= BAND_SECTORS
    if m is not None and bands is not None and (fine or coarse):
        out.append({"code": "screen_reshoot", "confidence": 0.95, "evidence": m | bands | {
            "ripple_threshold": MOIRE_RATIO, "peak_threshold": MOIRE_PEAK, "detail_threshold": MOIRE_DETAIL,
            "sectors_threshold": BAND_SECTORS, "found_by": "fine moiré" if fine else "colour bands"}})
    elif frame:
        out.append({"code": "screen_reshoot", "confidence": 0.9, "evidence": frame})
    if outside:
        out.append({"code": "border_incomplete", "confidence": 0.9, "evidence": outside})
    if colour and card is not None and (o := occlusion(card)) is not None:
        out.append({"code": "occluded", "confidence": 0.85, "evidence": o, "region": o["box"]})
    return out


def _band_peak(hp: np.ndarray) -> float:
    """log10 of the highest point of ``hp``'s power spectrum over its median, between 0.08 and 0.5 cycles/px."""
    h, w = hp.shape
    window = np.hanning(h)[:, None] * np.hanning(w)[None, :]
    power = np.abs(np.fft.fftshift(np.fft.fft2(hp * window))) ** 2
    yy, xx = np.mgrid[0:h, 0:w]
    r = np.hypot((yy - h // 2) / h, (xx - w // 2) / w)
    band = cv2.GaussianBlur(power.astype(np.float32), (0, 0), 1.0)[(r > 0.08) & (r < 0.5)]
    median = float(np.median(band))
    return float(np.log10(max(float(band.max()), 1e-9) / max(median, 1e-9)))


def moire(native: np.ndarray) -> dict[str, float] | None:
    """How strongly the card's middle ripples in colour at fine scale (``colour_detail``, and beside its fine
    lightness detail ``colour_ripple``; see :data:`MOIRE_RATIO`) and how peaked that ripple's spectrum is
    (``peak``); None for a card too small or grey.

    >>> flat = np.full((200, 320, 3), 200, np.uint8)
    >>> moire(flat)["colour_ripple"] < 0.1
    True
    """
    if native.ndim != 3 or min(native.shape[:2]) < 60:
        return None
    h, w = native.shape[:2]
    middle = native[int(h * 0.1):int(h * 0.9), int(w * 0.06):int(w * 0.94)]
    if max(middle.shape[:2]) > 1024:  # the grid's alias is fine detail: keep it, but bound the FFT
        middle = middle[:1024, :1024]
    lab = cv2.cvtColor(middle, cv2.COLOR_BGR2LAB).astype(np.float32)
    hp = [ch - cv2.GaussianBlur(ch, (0, 0), 2.0) for ch in cv2.split(lab)]
    light, chroma = float(hp[0].std()), float(hp[1].std()) + float(hp[2].std())
    return {"colour_ripple": round(chroma / max(light, 1.0), 3), "colour_detail": round(chroma, 2),
            "peak": round(max(_band_peak(hp[1]), _band_peak(hp[2])), 2)}


def colour_bands(native: np.ndarray) -> dict[str, float] | None:
    """How many hue sectors the card's pale ground ripples into (``hue_sectors``, see :data:`BAND_SECTORS`) and
    the share of its pale pixels coloured so (``banded_share``); None for a card too small or grey.

    The card is scaled to 640 px wide; its chroma less the slow changes (a Gaussian of σ 16) and the finest
    (σ 1.5, a sensor's chroma noise) is taken on the pixels lighter than its 40th percentile (its ground, not
    its print), in its middle (the card's edge and what lies beyond are no part of it).

    >>> card = np.full((400, 640, 3), 225, np.uint8)
    >>> colour_bands(card)["hue_sectors"]
    0
    >>> x = np.arange(640)[None, :, None]
    >>> ripple = 225 + 18 * np.sin(x / 9 + np.array([0, 2.1, 4.2]))  # bands cycling through every hue
    >>> colour_bands(np.broadcast_to(ripple, (400, 640, 3)).astype(np.uint8))["hue_sectors"] >= BAND_SECTORS
    True
    """
    if native.ndim != 3 or min(native.shape[:2]) < 60:
        return None
    small = cv2.resize(native, (640, max(1, round(640 * native.shape[0] / native.shape[1]))),
                       interpolation=cv2.INTER_AREA)
    h, w = small.shape[:2]
    lab = cv2.cvtColor(small, cv2.COLOR_BGR2LAB).astype(np.float32)
    light, a, b = cv2.split(lab)
    a, b = ((cv2.GaussianBlur(ch, (0, 0), 1.5) - cv2.GaussianBlur(ch, (0, 0), 16)) for ch in (a, b))
    middle = (slice(int(h * 0.1), int(h * 0.9)), slice(int(w * 0.06), int(w * 0.94)))
    light, a, b = light[middle], a[middle], b[middle]
    pale = light > np.percentile(light, 40)
    banded = pale & (np.hypot(a, b) > BAND_CHROMA)
    hue = (np.degrees(np.arctan2(b[banded], a[banded])) + 360) % 360
    sectors = np.bincount((hue // 30).astype(int) % 12, minlength=12) / max(1, int(pale.sum()))
    return {"hue_sectors": int((sectors > BAND_SHARE).sum()),
            "banded_share": round(float(banded.sum()) / max(1, int(pale.sum())), 3)}


def native_card(image: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """The card inside ``quad`` of ``image`` flattened at the size it has there (no resampling up or down)."""
    q = np.asarray(quad, np.float32)
    w, h = (int(v) for v in _size(q, floor=0.0))
    m = cv2.getPerspectiveTransform(q, np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], np.float32))
    return cv2.warpPerspective(image, m, (max(w, 1), max(h, 1)), flags=cv2.INTER_LINEAR)


def corners_outside(quad: np.ndarray, shape: tuple[int, int]) -> dict[str, Any] | None:
    """Which sides of the photo (``shape`` height, width) the card's corners lie on or beyond, and the furthest
    beyond, as a share of the card's long side; None when the card lies inside. On: within
    :data:`ON_FRAME_PX` pixels (or 0.4 % of the photo's short side) of the edge — a side cut off by the frame is
    found along the frame itself, its corners on the edge. ``missing``: how much of the card's height the
    visible outline lacks beside the card's aspect (85.6 × 54 mm), when a long side is the one cut.

    >>> corners_outside(np.array([[-30, 10], [500, 10], [500, 344], [-30, 344]], np.float32), (400, 600))
    {'sides': ['left'], 'furthest': 0.057, 'missing': 0.001}
    >>> corners_outside(np.array([[5, 10], [500, 10], [500, 300], [5, 300]], np.float32), (400, 600)) is None
    True
    """
    q = np.asarray(quad, np.float32)
    h, w = shape
    width, height = _size(q)
    long_side = max(width, height)
    beyond = {"left": float(-q[:, 0].min()), "top": float(-q[:, 1].min()),
              "right": float(q[:, 0].max() - (w - 1)), "bottom": float(q[:, 1].max() - (h - 1))}
    on = -max(ON_FRAME_PX, 0.004 * min(h, w))
    sides = [s for s, d in beyond.items() if d >= on]
    seen = max(width, height) / max(1.0, min(width, height))
    missing = round(max(0.0, 1 - cards.CARD_ASPECT / seen), 3)
    if not sides:  # a side found just short of the frame, the card short that way: the frame cut a strip off
        sides = [side for _, side, gap in _cut_sides(q, shape) if gap <= NEAR_FRAME * min(width, height)]
    if not sides:
        return None
    return {"sides": sides, "furthest": round(max(0.0, max(beyond[s] for s in sides)) / long_side, 3),
            "missing": missing}


def cut_by_frame(image: np.ndarray, quad: np.ndarray, *, colour: bool) -> dict[str, Any] | None:
    """The ``border_incomplete`` evidence for a card found at ``quad`` of ``image``: :func:`corners_outside`, or
    (on a colour photo that is no A4 page: a card on a copy's white lies on white) :func:`runs_on`."""
    if (found := corners_outside(quad, image.shape[:2])) is not None:
        return found
    aspect = max(image.shape[:2]) / max(1, min(image.shape[:2]))
    if not colour or A4_ASPECT[0] <= aspect <= A4_ASPECT[1]:
        return None
    return runs_on(image, quad)


def runs_on(image: np.ndarray, quad: np.ndarray) -> dict[str, Any] | None:
    """The sides of the photo a card found at ``quad`` (ordered as the card finder orders it: its long sides
    first and third) runs on to beyond the outline found (:data:`RUN_ON_GAP`, :data:`RUN_ON_DELTA`), or None.

    >>> photo = np.full((600, 900, 3), (60, 90, 120), np.uint8)  # a brown desk
    >>> _ = cv2.rectangle(photo, (0, 150), (500, 480), (228, 226, 222), -1)  # a card running off the left
    >>> runs_on(photo, np.array([[40, 150], [500, 150], [500, 480], [40, 480]], np.float32))["sides"]
    ['left']
    >>> photo[:, :40] = (60, 90, 120)  # the desk beyond its left edge: the card is whole
    >>> runs_on(photo, np.array([[40, 150], [500, 150], [500, 480], [40, 480]], np.float32)) is None
    True
    """
    q = np.asarray(quad, np.float32)
    h, w = image.shape[:2]
    if image.ndim != 3:
        return None
    short = min(_size(q))
    near = [(i, side, gap) for i, side, gap in _cut_sides(q, (h, w)) if 3 <= gap <= RUN_ON_GAP * short]
    if not near:
        return None
    lab = cv2.cvtColor(image, cv2.COLOR_BGR2LAB)
    centre = q.mean(axis=0)
    found: list[dict[str, Any]] = []
    for i, side, gap in near:
        a, b = q[i], q[(i + 1) % 4]
        normal = (a + b) / 2 - centre
        normal /= float(np.linalg.norm(normal)) + 1e-9
        depth = max(2.0, min(gap - 1, 0.03 * short))
        outside, inside = [], []
        for t in np.linspace(0.2, 0.8, 25):
            p = a + (b - a) * t
            for d in np.linspace(1, depth, 4):
                xo, yo = p + normal * d
                xi, yi = p - normal * (d + 0.02 * short)
                if 0 <= xo < w and 0 <= yo < h:
                    outside.append(lab[int(yo), int(xo)].astype(np.float32))
                inside.append(lab[int(np.clip(yi, 0, h - 1)), int(np.clip(xi, 0, w - 1))].astype(np.float32))
        delta = float(np.linalg.norm(np.median(outside, axis=0) - np.median(inside, axis=0))) if outside else 99.0
        if delta < RUN_ON_DELTA:
            found.append({"side": side, "gap": round(gap / short, 3), "colour_difference": round(delta, 1)})
    if not found:
        return None
    width, height = _size(q)
    return {"sides": [f["side"] for f in found], "furthest": 0.0,
            "missing": round(abs(width / height / cards.CARD_ASPECT - 1), 3), "runs_on": found,
            "delta_under": RUN_ON_DELTA}


def screen_frame(image: np.ndarray, quad: np.ndarray) -> dict[str, Any] | None:
    """The ``screen_reshoot`` evidence of a card found at ``quad`` of ``image`` that lies in a screen's frame: a
    flat band round it (an album app's margin, :data:`FRAME_FLAT`) ending, on :data:`FRAME_SIDES` or more of its
    sides, at a straight edge parallel to that side (:data:`FRAME_STEP`: the bezel); else None. A card on a desk,
    cloth or a sheet of paper shows such an edge on one side at most: a desk's texture or the photo's frame comes
    first.

    >>> photo = np.full((900, 1200, 3), (60, 90, 120), np.uint8)  # a brown desk
    >>> _ = cv2.rectangle(photo, (250, 150), (950, 750), (22, 20, 20), -1)  # a phone's bezel…
    >>> _ = cv2.rectangle(photo, (270, 190), (930, 710), (8, 8, 8), -1)  # …its dark album app…
    >>> _ = cv2.rectangle(photo, (300, 300), (900, 680), (228, 226, 222), -1)  # …showing a card
    >>> card = np.array([[300, 300], [900, 300], [900, 680], [300, 680]], np.float32)
    >>> screen_frame(photo, card)["edges_px"]  # to the bezel's outer edge: its dark app and it differ by 12 levels
    [147.0, 47.0, 67.0, 47.0]
    >>> photo[:] = (60, 90, 120); _ = cv2.rectangle(photo, (300, 300), (900, 680), (228, 226, 222), -1)
    >>> screen_frame(photo, card) is None
    True
    """
    q = np.asarray(quad, np.float32)
    short = min(_size(q))
    centre = q.mean(axis=0)
    sides = [_frame_edge(image, q[i], q[(i + 1) % 4], centre, short) for i in range(4)]
    if sum(e is not None for e in sides) < FRAME_SIDES:
        return None
    return {"edges_px": [None if e is None else round(e[0], 0) for e in sides],
            "band_flatness": [None if e is None else round(e[1], 1) for e in sides],
            "sides_needed": FRAME_SIDES, "step_threshold": FRAME_STEP, "flatness_under": FRAME_FLAT,
            "found_by": "screen frame"}


def _frame_edge(image: np.ndarray, a: np.ndarray, b: np.ndarray, centre: np.ndarray,
                short: float) -> tuple[float, float] | None:
    """(distance from side ``a``→``b`` outward to a straight edge parallel to it, the flatness of the band up to
    it) or None. The strip beyond the side's middle 60 % is sampled (only the strip is made grey, not the
    photo) in four runs along it; each run's mean
    profile outward must step by :data:`FRAME_STEP` at the same distance (three runs of four agreeing within
    10 % and 4 px)."""
    along = (b - a) / (float(np.linalg.norm(b - a)) + 1e-9)
    normal = np.array([-along[1], along[0]], np.float32)
    if float(np.dot((a + b) / 2 - centre, normal)) < 0:
        normal = -normal
    start = FRAME_START * short
    ts = np.arange(start, FRAME_SPAN * short, 1.0, dtype=np.float32)
    ss = np.linspace(0.2, 0.8, 48, dtype=np.float32) * float(np.linalg.norm(b - a))
    xs = a[0] + ss[None, :] * along[0] + ts[:, None] * normal[0]
    ys = a[1] + ss[None, :] * along[1] + ts[:, None] * normal[1]
    h, w = image.shape[:2]
    inside = ((xs >= 0) & (xs < w - 1) & (ys >= 0) & (ys < h - 1)).all(axis=1)
    rows = len(ts) if inside.all() else int(np.argmin(inside))  # up to the photo's frame
    if rows < 8:
        return None
    strip = cv2.remap(image, xs[:rows], ys[:rows], cv2.INTER_LINEAR)
    strip = (cv2.cvtColor(strip, cv2.COLOR_BGR2GRAY) if strip.ndim == 3 else strip).astype(np.float32)
    edges = []
    for run in np.split(strip, 4, axis=1):
        profile = cv2.GaussianBlur(run.mean(axis=1).reshape(-1, 1), (1, 0), 1.5).ravel()
        hits = np.nonzero(np.abs(profile[4:] - profile[:-4]) >= FRAME_STEP)[0]
        if len(hits):
            edges.append(float(hits[0] + 2))
    if len(edges) < 3:
        return None
    middle = float(np.median(edges))
    agree = [e for e in edges if abs(e - middle) <= 0.1 * middle + 4]
    if len(agree) < 3:
        return None
    band = strip[:max(2, int(min(agree)) - 2)]
    flatness = float(np.std(cv2.GaussianBlur(band, (0, 0), 2) - cv2.GaussianBlur(band, (0, 0), 6)))
    if flatness > FRAME_FLAT:
        return None
    return float(np.mean(agree)) + start, flatness


def _size(q: np.ndarray, floor: float = 1.0) -> tuple[float, float]:
    """A quad's width (the longer of its first and third sides, the long ones as the card finder orders it) and
    height (the longer of the other two), at least ``floor``."""
    return (max(float(np.linalg.norm(q[1] - q[0])), float(np.linalg.norm(q[2] - q[3])), floor),
            max(float(np.linalg.norm(q[3] - q[0])), float(np.linalg.norm(q[2] - q[1])), floor))


def _cut_sides(q: np.ndarray, shape: tuple[int, int]) -> list[tuple[int, str, float]]:
    """The card's sides the frame may have cut, given its outline's shape: its long sides (first and third) when
    it is too short for a card by :data:`SHORT_CARD`, its short sides when too narrow; each with the side of the
    photo it faces and how far that lies (pixels, along the side's outward normal from its middle)."""
    h, w = shape
    width, height = _size(q)
    off = width / height / cards.CARD_ASPECT - 1
    if abs(off) < SHORT_CARD:
        return []
    centre = q.mean(axis=0)
    out = []
    for i in ((0, 2) if off > 0 else (1, 3)):
        mid = (q[i] + q[(i + 1) % 4]) / 2
        normal = mid - centre
        normal /= float(np.linalg.norm(normal)) + 1e-9
        gaps = {}
        if abs(normal[0]) > 1e-6:
            gaps["right" if normal[0] > 0 else "left"] = float(((w - 1 - mid[0]) if normal[0] > 0 else -mid[0])
                                                               / normal[0])
        if abs(normal[1]) > 1e-6:
            gaps["bottom" if normal[1] > 0 else "top"] = float(((h - 1 - mid[1]) if normal[1] > 0 else -mid[1])
                                                               / normal[1])
        side, gap = min(((k, v) for k, v in gaps.items() if v >= 0), key=lambda kv: kv[1], default=("", 0.0))
        if side:
            out.append((i, side, gap))
    return out


def print_measures(image: np.ndarray, bbox: Sequence[float], bridge: int = 0) -> tuple[int, float] | None:
    """The print in ``bbox`` of ``image``: its height in pixels — the longest run of rows holding ink (Otsu's
    threshold on the box grown by a third of its height above and below; one line of CJK characters measures
    its characters' height whatever they are, a box spanning lines measures one of them) — and how dark its
    ink is (the 10th percentile of the ink's grey level). Gaps of up to ``bridge`` rows are bridged: the
    strokes of 三, 兰 or 吕 leave rows without ink inside one line of print, where a line's gap to the next is
    wider.

    >>> page = np.full((120, 300, 3), 230, np.uint8)
    >>> _ = cv2.rectangle(page, (20, 40), (200, 71), (20, 20, 20), -1)
    >>> print_measures(page, (20, 40, 200, 72))
    (32, 20.0)
    >>> page[52:58] = 230  # a gap between strokes
    >>> print_measures(page, (20, 40, 200, 72)), print_measures(page, (20, 40, 200, 72), bridge=6)
    ((14, 20.0), (32, 20.0))
    """
    x0, y0, x1, y1 = (int(v) for v in bbox)
    h = y1 - y0
    if h < 6 or x1 - x0 < 6:
        return None
    crop = image[max(0, y0 - h // 3):min(image.shape[0], y1 + h // 3), max(0, x0):x1]
    grey = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY) if crop.ndim == 3 else crop
    _, ink = cv2.threshold(grey, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    rows = np.flatnonzero(ink.mean(axis=1) > 0.02)
    if not len(rows):
        return None
    breaks = np.flatnonzero(np.diff(rows) > bridge + 1)  # a run ends where more than ``bridge`` rows lack ink
    starts, ends = rows[np.r_[0, breaks + 1]], rows[np.r_[breaks, len(rows) - 1]]
    return int((ends - starts).max()) + 1, float(np.percentile(grey[ink > 0], 10))


def edited_name(image: np.ndarray, boxes: Mapping[str, Sequence[float]]) -> dict[str, Any] | None:
    """The ``edited`` evidence for a card front whose name is printed unlike its other values — at another
    height (:data:`PRINT_HEIGHT_RANGE`) or in another ink (:data:`INK_DIFFERENCE`, :data:`INK_DARKER`) — else
    None. ``boxes``: field name → box on ``image``, the upright card."""
    if "name" not in boxes:
        return None
    bridge = round(PRINT_BRIDGE * (boxes["name"][3] - boxes["name"][1]))
    if (name := print_measures(image, boxes["name"], bridge)) is None:
        return None
    short = [m for f in ("sex", "ethnicity") if f in boxes and (m := print_measures(image, boxes[f], bridge))]
    address = print_measures(image, boxes["address"], bridge) if "address" in boxes else None
    middle = float(np.median([m[0] for m in short])) if short else 0.0
    if address is not None and short and ADDRESS_AGREE[0] <= address[0] / middle <= ADDRESS_AGREE[1]:
        refs, base = [address, *short], float(address[0])
    else:  # no address, or a misread box: sex and ethnicity, where they agree
        refs = [m for m in short if abs(m[0] / middle - 1) <= PRINT_REF_AGREE]
        if len(refs) < 2:
            return None
        base = float(np.median([m[0] for m in refs]))
    ratio = name[0] / base
    inks = [m[1] for m in refs]
    ink = min(0.0, name[1] - min(inks)) + max(0.0, name[1] - max(inks))  # beyond the other values' inks
    if max(inks) - min(inks) > INK_REF_AGREE:  # blur lightens thin strokes: the inks say nothing here
        ink = 0.0
    low, high = PRINT_HEIGHT_RANGE
    why_en, why_zh = [], []
    if not low <= ratio <= high:
        why_en.append(f"its characters are {ratio:.2f} times the height of the card's other values, where a card "
                      f"prints a name {low}–{high} times as high")
        why_zh.append(f"字高为其他栏的 {ratio:.2f} 倍（证件上姓名为 {low}–{high} 倍）")
    threshold = INK_DARKER if ink < 0 else INK_DIFFERENCE
    if abs(ink) >= threshold:
        why_en.append(f"its ink is {abs(ink):.0f} grey levels {'darker' if ink < 0 else 'lighter'} than any other "
                      f"value's (a card's print differs by under {threshold:.0f})")
        why_zh.append(f"字迹比其他栏{'深' if ink < 0 else '浅'} {abs(ink):.0f} 个灰度级"
                      f"（正常小于 {threshold:.0f}）")
    if not why_en:
        return None
    return {"field": "name", "field_zh": "姓名", "box": [round(v) for v in boxes["name"]],
            "height_ratio": round(ratio, 3), "height_range": list(PRINT_HEIGHT_RANGE),
            "ink_difference": round(ink, 1), "ink_threshold": threshold,
            "why_en": "; ".join(why_en), "why_zh": "；".join(why_zh)}


def partial_outside(image: np.ndarray) -> dict[str, Any] | None:
    """For a card found by its print in a photo in which a card-like region runs off the frame
    (:func:`.cards.partial_card`): the sides of the photo that region reaches."""
    box = cards.partial_card(image)
    if box is None:
        return None
    h, w = image.shape[:2]
    x0, y0, x1, y1 = box
    tol = 0.01 * min(h, w) + 1
    sides = [s for s, on in (("left", x0 <= tol), ("top", y0 <= tol), ("right", x1 >= w - 1 - tol),
                             ("bottom", y1 >= h - 1 - tol)) if on]
    return {"sides": sides, "region_in_photo": [int(v) for v in box], "found_by": "print"}


def occlusion(card: np.ndarray) -> dict[str, Any] | None:
    """The largest skin-coloured region of the upright flattened ``card`` that reaches its edge, when it covers
    more than :data:`SKIN_SHARE` of it: its box (card pixels), its share and which edges it reaches.

    Skin: OpenCV hue ≤ 22 or ≥ 172 (red to orange), saturation 0.18–0.7, value ≥ 0.3 — the card's pale print,
    blue labels, red emblem (saturation above 0.7) and grey or black ink fall outside it. A sliver 1.5 % wide
    round the card (the surface it lies on) is left out, and the region must come within 6 % of an edge.

    >>> card = np.full((640, 1014, 3), 235, np.uint8)
    >>> occlusion(card) is None
    True
    >>> _ = cv2.circle(card, (1014, 400), 130, (140, 172, 224), -1)  # a fingertip from the right edge (BGR)
    >>> o = occlusion(card); o["edges"], o["share"] > 0.02
    (['right'], True)
    """
    if card.ndim != 3:
        return None
    h, w = card.shape[:2]
    hsv = cv2.cvtColor(card, cv2.COLOR_BGR2HSV)
    hue, sat, val = hsv[..., 0], hsv[..., 1].astype(np.float32) / 255, hsv[..., 2].astype(np.float32) / 255
    mask = (((hue <= 22) | (hue >= 172)) & (sat >= 0.18) & (sat <= 0.7) & (val >= 0.3)).astype(np.uint8)
    rim_y, rim_x = max(1, round(h * 0.015)), max(1, round(w * 0.015))
    mask[:rim_y], mask[-rim_y:], mask[:, :rim_x], mask[:, -rim_x:] = 0, 0, 0, 0
    n, _, stats, _ = cv2.connectedComponentsWithStats(cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8)))
    best: dict[str, Any] | None = None
    for i in range(1, n):
        x, y, bw, bh, area = (int(v) for v in stats[i])
        share = area / (h * w)
        edges = [e for e, near in (("left", x <= w * 0.06), ("top", y <= h * 0.06),
                                   ("right", x + bw >= w * 0.94), ("bottom", y + bh >= h * 0.94)) if near]
        if share > SKIN_SHARE and edges and (best is None or share > best["share"]):
            best = {"box": [x, y, x + bw, y + bh], "share": round(share, 3), "edges": edges,
                    "share_over": SKIN_SHARE}
    return best
