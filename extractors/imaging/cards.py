"""Finding ID cards in a photo or scan, and flattening each to a fixed landscape size.

The search runs on a copy at most 800 pixels long; :mod:`.regions` proposes
regions (five masks: walled in by edges, edge blobs, busy with faint print,
unlike the background, pale). Each region's outline is fitted with a quad
(:func:`~extractors.imaging.geometry.fit_quad`), its sides snapped onto the
strongest nearby edge, and kept when it is a card: at least 3% of the image,
filling its quad, convex, near-right corners, clear of the frame, the ID-1
aspect (85.6 × 54 mm ≈ 1.585) once the perspective is undone — which is what
tells a card from an A4 page (1.414) photographed at a slant — and a steady
margin inside a contrasting surround along most of its outline. A region the
shape of two cards touching (stacked or end to end) is cut in two at a
visible seam. Duplicates are merged; a page holding cards gives way to them, a
card holding a card-shaped detail (its portrait) keeps it; cards much smaller
than the largest are dropped.

A picture whose own aspect is a card's and in which no large card is found is
a scan cropped to the card and is returned whole. No card → ``[]``: the caller
reads the whole image.

>>> import numpy as np, cv2
>>> photo = np.full((600, 800, 3), 60, np.uint8)
>>> _ = cv2.rectangle(photo, (200, 180), (600, 432), (235, 235, 230), -1)
>>> [c] = find_cards(photo)
>>> c.image.shape, c.bbox, c.touches_border
((640, 1015, 3), (200, 180, 600, 432), False)
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from extractors.imaging import geometry as geo
from extractors.imaging.regions import Views, masks, on_frame, outlines, sides_on_border, working_copy
from extractors.models import BBox

CARD_ASPECT = 85.6 / 54.0
"""ISO/IEC 7810 ID-1: every Chinese resident ID card."""
OUT_H = 640
OUT_W = round(OUT_H * CARD_ASPECT)
"""A flattened card is ``OUT_W`` × ``OUT_H`` (1015 × 640): 7.5 px per mm, text rows ~25 px high."""
MIN_AREA = 0.03
"""A card covers at least this share of the image; smaller ones are unreadable anyway (TOO_SMALL)."""
ASPECT_RANGE = (1.35, 1.85)
"""Long/short side of a flattened candidate: 1.585 ± perspective foreshortening of a hand-held tilt (~15°)."""
TRUE_ASPECT_RANGE = (1.44, 1.76)
"""The same ratio with the perspective undone (:func:`~extractors.imaging.geometry.true_aspect`). Simulated
hand-held photos (±25° tilt, focal 0.6–1.0 × width, 1.5 px corner noise) give 1.53–1.65 for a card and
1.36–1.47 for an A4 page, 1.72–1.84 for a 16:9 screen; generated photos put cards as low as 1.46, so the
range gives a little on both sides — a page mistaken for a card still gives way to the cards it holds."""
CRISP_SUPPORT = 0.9
CRISP_TRUE_ASPECT_RANGE = (1.42, 1.78)
"""For an outline that is a strong edge all round: the focal length is a guess, and a card tilted in a way
the guess gets wrong measured 1.45 (bench set, seed 2026); an A4 page's outline inside a photo of one is
rarely crisp all round, and a page that holds cards gives way to them anyway."""
FOCAL = 0.75
"""Assumed focal length over the longer image side: a phone's main camera spans ~70° across."""
STACKED_RANGES = ((1.12, 1.42), (2.7, 3.7))
"""Two cards touching along a long side (1.26 + a gap) or end to end (3.17): cut in two."""
TWO_CARDS_TRUE_RANGES = ((1.16, 1.39), (2.9, 3.5))
"""The same with the perspective undone (1.26 and 3.17 plus a gap of up to ~10 mm: a pair photographed 9 mm apart
measured 1.365); an A4 page is 1.36–1.47, and is cut only where a straight seam crosses it (:func:`_split_at_seam`)."""
MIN_FILL = 0.85
MAX_FILL = 1.03
"""Region area over its quad's area: rounded corners cost ~2%, a blob merely containing a quad fails; a region
spilling out of its quad by more than a few percent is not one."""
MIN_EDGE_SUPPORT = 0.55
"""Share of the quad's outline on an edge. A card's border is an edge nearly all round (0.8–1.0); shadows
and background patches that happen to be quad-shaped rarely reach half. 0.55 leaves room for a side lost in glare."""
SAME_SIZE = 0.45
"""A further card must be at least this share of the largest one's area (front and back are the same size)."""
SCAN_RANGE = (1.53, 1.65)
"""An image of this aspect (1.585 ± 4%) that is mostly pale is taken to be a scan cropped to one card, unless a
large card is found inside it. Photos are 4:3, 3:2 or 16:9, A4 is 1.414: all out."""
SCAN_PALE = 0.5
"""…mostly pale: at least this share of its pixels light and unsaturated, as a card's background is."""
SCAN_MAX_INNER = 0.3
"""In a card-shaped image, a card found covering less than this is a detail of the card, not a card."""
MAX_CARDS = 4
PARTIAL_PRINT_MIN = 0.01
"""A region running off the frame must be at least this share faint edges to count as a card (printed); plain
paper, walls and sky are under 0.005, the sparsest drawn test card 0.02."""
BLANK_EDGE_DENSITY = 0.02
"""A region holding smaller cards is the page they lie on when under this share of its remaining area is
edges (plain paper: ~0; a card around its own portrait: text and guilloche, 0.05 and up)."""


@dataclass(frozen=True)
class CardCrop:
    """One card found in an image, flattened."""

    image: np.ndarray
    """The card, landscape ``OUT_W`` × ``OUT_H`` BGR; upright or upside down (see :mod:`.orient`)."""
    quad: np.ndarray
    """Corners on the input image (float32, 4×2) that became the crop's top-left, top-right, bottom-right and
    bottom-left; they may lie slightly outside the image when the card is cut off."""
    bbox: BBox
    """The quad's bounding box, clipped to the image."""
    touches_border: bool
    """A corner lies on or beyond the image border (never set for a scan that is the card)."""
    coverage: float
    """Quad area over image area."""
    whole_image: bool = False
    """The image was taken to be a scan of the card itself."""
    source_shape: tuple[int, int] = (0, 0)
    """Height and width of the image the card was found in (what :attr:`quad` is relative to)."""

    @property
    def native_size(self) -> tuple[float, float]:
        """The card's width and height in pixels of the input image (its real resolution)."""
        return geo.side_lengths(self.quad)

    def to_source(self, points: np.ndarray) -> np.ndarray:
        """Map ``(x, y)`` points of :attr:`image` back onto the input image (to draw boxes on the upload)."""
        dst = np.array([[0, 0], [OUT_W - 1, 0], [OUT_W - 1, OUT_H - 1], [0, OUT_H - 1]], np.float32)
        m = cv2.getPerspectiveTransform(dst, self.quad.astype(np.float32))
        pts = np.asarray(points, np.float32).reshape(-1, 1, 2)
        return cv2.perspectiveTransform(pts, m).reshape(-1, 2)


@dataclass
class _Candidate:
    quad: geo.Quad
    area: float
    support: float
    touches: bool

    @property
    def score(self) -> float:
        return self.support - abs(np.log(geo.aspect(self.quad) / CARD_ASPECT))


def flatten(image: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """Warp ``quad`` of ``image`` to the fixed landscape card size (corner 0 → top-left)."""
    w, h = geo.side_lengths(quad)
    size = (OUT_W, OUT_H) if w >= h else (OUT_H, OUT_W)
    return geo.warp(image, quad, size)


def find_cards(image: np.ndarray) -> list[CardCrop]:
    """The ID cards in ``image``, flattened; in reading order (top to bottom, then left to right).

    Returns ``[]`` when there is none; a picture shaped like a card with no card
    inside is returned whole (a cropped scan).
    """
    h, w = image.shape[:2]
    small, k = working_copy(image)
    v = Views.of(small)
    near: list[_Candidate] = []
    cards = _select(v, _candidates(v, near))
    if len(cards) == 1 and (twin := _twin(cards[0], near)) is not None:
        cards.append(twin)
    crops = [_crop(image, c.quad / k) for c in cards]
    card_shaped = SCAN_RANGE[0] <= max(h, w) / max(min(h, w), 1) <= SCAN_RANGE[1] and _mostly_pale(v)
    if card_shaped and not any(c.coverage >= SCAN_MAX_INNER and not (c.coverage >= 0.85 and c.touches_border)
                               for c in crops):
        # a scan cropped to the card: its own edges are the frame's, so what was found is the card itself
        # (filling the frame) or a detail of it
        quad = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
        if h > w:
            quad = geo.order_for_landscape(quad)
        return [CardCrop(flatten(image, quad), quad, (0, 0, w, h), False, 1.0, whole_image=True, source_shape=(h, w))]
    band = max(1, h // 4)
    crops.sort(key=lambda c: ((c.bbox[1] + c.bbox[3]) // 2 // band, c.bbox[0]))
    return crops


TWIN_SIZE = (0.8, 1.25)
"""A second outline this close in area to the one card found, beside it, is the other side of the card."""


def _twin(card: _Candidate, near: list[_Candidate]) -> _Candidate | None:
    """The other side of the card in a photo of both: an outline beside ``card``, of its size, that failed only
    the aspect once the perspective was undone (which assumes a focal length; two sides photographed together
    near the frame's edge are seen at a slant it misjudges). The best-supported such outline, or None."""
    twins = [c for c in near if TWIN_SIZE[0] <= c.area / card.area <= TWIN_SIZE[1]
             and geo.overlap(c.quad, card.quad) < 0.05 and geo.overlap(card.quad, c.quad) < 0.05]
    return max(twins, key=lambda c: c.support, default=None)


def _mostly_pale(v: Views) -> bool:
    raw_light = cv2.cvtColor(v.small, cv2.COLOR_BGR2LAB)[:, :, 0]
    return float(((raw_light > 150) & (v.sat < 80)).mean()) >= SCAN_PALE


CORNER_CUT_ASPECT = (1.35, 1.85)
"""A region the frame cuts only at a corner keeps nearly a card's aspect (85.6 / 54 = 1.59) in its smallest
enclosing rectangle; a phone's screen, a sheet or a wall running off the frame has another."""


def partial_card(image: np.ndarray) -> BBox | None:
    """The box of a card-like region that runs off the edge of the photo, when no whole card is in it.

    Card-like: a pale, printed, convex region of 5–80% of the photo whose outline is a polygon of straight sides
    (4 to 6 once the frame has cut a corner or a side off) that meets the frame along a side or at a corner, its
    other sides (at least two) edges of contrast. Used to tell the app user "fit the whole card in the frame"
    instead of "no document".
    """
    small, k = working_copy(image)
    sh, sw = small.shape[:2]
    v = Views.of(small)
    if _select(v, _candidates(v)):
        return None
    pale, printed = v.pale(), v.faint_edges()
    tol = max(2.0, 0.01 * min(sh, sw))
    for contour in outlines(masks(v), MIN_AREA * 0.6):
        area = cv2.contourArea(contour)
        hull = cv2.convexHull(contour)
        if not 0.05 * sh * sw <= area <= 0.8 * sh * sw or area < 0.92 * cv2.contourArea(hull):
            continue
        poly = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True).reshape(-1, 2).astype(np.float32)
        if not 4 <= len(poly) <= 6:
            continue
        poly = poly[::-1] if cv2.contourArea(poly, oriented=True) < 0 else poly  # clockwise on screen
        n = len(poly)
        near = [bool(min(p[0], p[1], sw - 1 - p[0], sh - 1 - p[1]) <= tol) for p in poly]
        frame = [on_frame(poly[i], poly[(i + 1) % n], sw, sh, tol) for i in range(n)]
        if not any(frame):  # a corner the frame cut off: a side too short to survive the simplification,
            frame = [near[i] or near[(i + 1) % n] for i in range(n)]  # the sides beside it end on the frame
            (_, _), (rw, rh), _ = cv2.minAreaRect(hull)
            if not CORNER_CUT_ASPECT[0] <= max(rw, rh) / max(1.0, min(rw, rh)) <= CORNER_CUT_ASPECT[1]:
                continue  # so little is cut that what shows keeps a card's shape (a phone's screen does not)
        poly = geo.snap_sides(poly, v.grad)
        free = [(poly[i], poly[(i + 1) % n]) for i in range(n) if not frame[i]]
        if not 2 <= len(free) < n:
            continue  # the frame must cut it, and at least two of the card's own sides must show
        contrast = sorted(geo.side_contrast(a, b, v.lab) for a, b in free)
        if contrast[0] < 0.5 and not (len(contrast) >= 3 and contrast[0] >= 0.35 and contrast[1] >= 0.5):
            continue  # its own sides are edges; of three, one may be fainter (against a pale surface)
        inside: np.ndarray = np.zeros((sh, sw), np.uint8)
        cv2.drawContours(inside, [hull], -1, (255,), -1)
        if pale[inside > 0].mean() < 0.6 * 255 or printed[inside > 0].mean() < PARTIAL_PRINT_MIN * 255:
            continue  # not a pale printed surface (a wall, a sheet of plain paper, a patch of sky)
        x, y, bw, bh = cv2.boundingRect(hull)
        h, w = image.shape[:2]
        return int(x / k), int(y / k), min(w, round((x + bw) / k)), min(h, round((y + bh) / k))
    return None


def _crop(image: np.ndarray, quad: geo.Quad) -> CardCrop:
    h, w = image.shape[:2]
    quad = geo.order_for_landscape(quad)
    x0, y0 = quad.min(axis=0)
    x1, y1 = quad.max(axis=0)
    margin = max(2.0, 0.004 * min(h, w))
    touches = bool(x0 <= margin or y0 <= margin or x1 >= w - 1 - margin or y1 >= h - 1 - margin)
    bbox = (max(0, int(x0)), max(0, int(y0)), min(w, round(float(x1))), min(h, round(float(y1))))
    coverage = round(min(1.0, geo.quad_area(quad) / float(h * w)), 4)
    return CardCrop(flatten(image, quad), quad, bbox, touches, coverage, source_shape=(h, w))


def _candidates(v: Views, near: list[_Candidate] | None = None) -> list[_Candidate]:
    """Card outlines in ``v``; ``near`` collects those that fail only the perspective-corrected aspect."""
    sh, sw = v.small.shape[:2]
    found: list[_Candidate] = []
    for contour in outlines(masks(v), MIN_AREA * 0.6):
        area = cv2.contourArea(contour)
        quad = geo.fit_quad(contour)
        if quad is None or not geo.is_convex(quad) or not geo.corner_angles_ok(quad):
            continue
        qa = geo.quad_area(quad)  # the fit's own area: the region's mask was grown or shrunk like the quad
        quad = geo.order_clockwise(geo.snap_sides(quad, v.grad))
        if not geo.is_convex(quad):
            continue
        if qa < MIN_AREA * sh * sw or not MIN_FILL * qa <= area <= MAX_FILL * qa:
            continue
        if sides_on_border(quad, sw, sh):
            continue  # cut by the frame (partial_card's business), or the frame itself (a scan: the caller's)
        ratio = geo.aspect(quad)
        stacked = any(lo <= ratio <= hi for lo, hi in STACKED_RANGES)
        if ASPECT_RANGE[0] <= ratio <= ASPECT_RANGE[1]:
            # a slanted card and two cards touching along a long side share 1.35–1.42: two cards' shape, the
            # perspective undone, with a seam across is the pair (a card alone measures 1.44 and more undone)
            parts = (_split_at_seam(v, contour, quad) if stacked else []) or [quad]
        elif stacked:
            parts = _split_at_seam(v, contour, quad)
        else:
            continue
        for part in parts:
            if len(parts) > 1:
                part = geo.order_clockwise(geo.snap_sides(part, v.grad, reach=4))
            if not geo.is_convex(part):
                continue
            support = geo.border_contrast(part, v.lab)
            if not _card_shaped(part, sw, sh, crisp=support >= CRISP_SUPPORT):
                if near is not None and support >= MIN_EDGE_SUPPORT and ASPECT_RANGE[0] <= geo.aspect(part):
                    near.append(_Candidate(part, geo.quad_area(part), support, False))
                continue
            if support >= MIN_EDGE_SUPPORT:
                found.append(_Candidate(part, geo.quad_area(part), support, sides_on_border(part, sw, sh) > 0))
    return found


def _card_shaped(quad: geo.Quad, w: int, h: int, *, crisp: bool = False) -> bool:
    """ID-1 in shape once the perspective is undone (an A4 page at a slant is not).

    ``crisp``: the outline is a strong edge all round; the perspective estimate (which assumes the focal
    length) is then allowed the wider :data:`CRISP_TRUE_ASPECT_RANGE`.
    """
    if not ASPECT_RANGE[0] <= geo.aspect(quad) <= ASPECT_RANGE[1]:
        return False
    true = geo.true_aspect(quad, FOCAL * max(w, h), (w / 2, h / 2))
    ratio = geo.aspect(quad) if true is None else true
    lo, hi = CRISP_TRUE_ASPECT_RANGE if crisp else TRUE_ASPECT_RANGE
    return lo <= ratio <= hi


def _split_at_seam(v: Views, contour: np.ndarray, quad: geo.Quad) -> list[geo.Quad]:
    """Cut a region holding two touching cards along the straight seam that crosses it near the middle.

    The region is flattened with its long axis vertical; lines from the left side to the right side between
    44% and 56% of the way down are scored by the brightness step across them that 80% of their length
    reaches: a seam steps all the way across, a row of text only here and there (the ID number row lies at
    42%, the back's title at 58%). Only a region of two cards' shape (perspective undone) with a clear seam
    is cut.
    The region's own mask is cut along the line and each part is fitted again, so two cards lying at
    slightly different angles each get their own outline.
    """
    q = geo.order_clockwise(quad)
    w, h = geo.side_lengths(q)
    if w > h:  # make side 0→1 a short side so that the long axis runs down the flattened region
        q = np.roll(q, -1, axis=0)
        w, h = h, w
    fw, fh = 160, max(32, round(160 * h / max(w, 1.0)))
    flat = geo.warp(v.light, q, (fw, fh)).astype(np.float32)
    step = np.abs(cv2.Sobel(cv2.GaussianBlur(flat, (3, 3), 0), cv2.CV_32F, 0, 1, ksize=3))
    step = cv2.dilate(step, np.ones((5, 1), np.uint8))  # a line one pixel off the seam still counts
    true = geo.true_aspect(q, FOCAL * max(v.light.shape), (v.light.shape[1] / 2, v.light.shape[0] / 2))
    if true is None or not any(lo <= true <= hi for lo, hi in TWO_CARDS_TRUE_RANGES):
        return []  # not two cards' shape (an A4 page is 1.41)
    rows = np.arange(int(fh * 0.44), int(fh * 0.56) + 1, dtype=np.float32)
    xs = np.linspace(0.08 * fw, 0.92 * fw, 48, dtype=np.float32)
    frac = (xs - xs[0]) / (xs[-1] - xs[0])
    ys = rows[:, None, None] + (rows[None, :, None] - rows[:, None, None]) * frac[None, None, :]
    score = np.percentile(step[np.round(ys).astype(int), np.round(xs).astype(int)[None, None, :]], 20, axis=2)
    i, j = np.unravel_index(int(np.argmax(score)), score.shape)
    if score[i, j] < max(30.0, 4.0 * float(np.median(step))):
        return []  # no seam: one object of that shape (a page), or cards too alike to part with confidence
    m = cv2.getPerspectiveTransform(
        np.array([[0, 0], [fw - 1, 0], [fw - 1, fh - 1], [0, fh - 1]], np.float32), q.astype(np.float32))
    rise = rows[j] - rows[i]
    line = np.array([[[-fw, rows[i] - rise], [2 * fw, rows[j] + rise]]], np.float32)  # well past both sides
    ends = cv2.perspectiveTransform(line, m).reshape(2, 2)
    mask: np.ndarray = np.zeros(v.light.shape, np.uint8)
    cv2.drawContours(mask, [contour], -1, (255,), -1)
    p0, p1 = np.round(ends).astype(int)
    cv2.line(mask, (int(p0[0]), int(p0[1])), (int(p1[0]), int(p1[1])), (0,), 3)
    parts = []
    for piece in outlines([mask], MIN_AREA * 0.6):
        fitted = geo.fit_quad(piece)
        if fitted is not None and cv2.contourArea(piece) >= MIN_FILL * geo.quad_area(fitted):
            parts.append(fitted)
    return parts if len(parts) == 2 else []


def _is_blank_carrier(v: Views, outer: _Candidate, inner: list[_Candidate]) -> bool:
    """Whether ``outer`` is blank apart from the ``inner`` candidates (an A4 copy page), not a printed card."""
    ring: np.ndarray = np.zeros(v.light.shape, np.uint8)
    cv2.fillConvexPoly(ring, np.round(outer.quad).astype(np.int32), (255,))
    ring = cv2.erode(ring, np.ones((9, 9), np.uint8))
    for c in inner:
        cv2.fillConvexPoly(ring, np.round(c.quad).astype(np.int32), (0,))
    ring = cv2.erode(ring, np.ones((9, 9), np.uint8))  # keep clear of the inner cards' borders and shadows
    if not ring.any():
        return False
    return float(v.faint_edges()[ring > 0].mean()) / 255.0 < BLANK_EDGE_DENSITY


def _select(v: Views, cands: list[_Candidate]) -> list[_Candidate]:
    """Merge duplicates, let containers give way to the cards inside them, drop stray small ones."""
    cands = sorted(cands, key=lambda c: -c.score)
    unique: list[_Candidate] = []
    for c in cands:  # the same card proposed by several masks: keep the best-scored outline
        if not any(geo.overlap(c.quad, u.quad) > 0.6 and 0.6 < c.area / u.area < 1.67 for u in unique):
            unique.append(c)
    losers: list[_Candidate] = []
    for c in unique:  # nested: a page holding cards, or a card holding a card-shaped detail (its portrait)
        inner = [o for o in unique if o is not c and o.area < 0.6 * c.area and geo.overlap(c.quad, o.quad) > 0.8]
        if not inner:
            continue
        if _is_blank_carrier(v, c, inner) or max(o.support for o in inner) >= c.support - 0.05:
            losers.append(c)
        else:
            losers.extend(inner)
    kept = [c for c in unique if not any(c is d for d in losers)]
    kept = [c for c in kept if not any(o is not c and geo.overlap(c.quad, o.quad) > 0.3 and o.score > c.score
                                       for o in kept)]
    if not kept:
        return []
    largest = max(c.area for c in kept)
    kept = [c for c in kept if c.area >= SAME_SIZE * largest]
    return sorted(kept, key=lambda c: -c.area)[:MAX_CARDS]


TEXT_GAP = 5.0
"""Print closer than this many line heights (horizontally or vertically) belongs to one card: inside a card the
widest gap (the back's title above its issuer) is about 4; between two cards on a copy it is 10 and more."""
TEXT_MIN_LINES = 2
"""A block of fewer text lines is no card's print."""


def from_text(image: np.ndarray, boxes: list[BBox]) -> list[CardCrop]:
    """Cards located by their print, when their edges are not seen: a white card on the white lid of a flatbed, on
    an A4 photocopy, or in black and white. ``boxes`` are the text lines read on ``image`` (upright).

    Lines are grouped where they lie within :data:`TEXT_GAP` line heights of each other; each group of at least
    :data:`TEXT_MIN_LINES` is taken with a margin of one line height, grown to the card's shape around its middle
    (clipped to the image) and flattened like a found card — which brings print that was 15 px high on a 150 dpi
    scan to the size the recogniser reads cards at. In reading order.

    >>> page = np.full((800, 600, 3), 255, np.uint8)
    >>> card = [(60, 60 + 40 * i, 300, 80 + 40 * i) for i in range(5)]
    >>> other = [(80, 500 + 40 * i, 320, 520 + 40 * i) for i in range(4)]
    >>> [c.bbox for c in from_text(page, card + other)]
    [(5, 40, 354, 260), (57, 480, 343, 660)]
    """
    if len(boxes) < TEXT_MIN_LINES:
        return []
    h, w = image.shape[:2]
    height = float(np.median([b[3] - b[1] for b in boxes]))
    reach = TEXT_GAP * height
    parent = list(range(len(boxes)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(boxes):
        for j in range(i + 1, len(boxes)):
            b = boxes[j]
            dx = max(0, max(a[0], b[0]) - min(a[2], b[2]))
            dy = max(0, max(a[1], b[1]) - min(a[3], b[3]))
            if max(dx, dy) <= reach:
                parent[root(j)] = root(i)
    groups: dict[int, list[BBox]] = {}
    for i, b in enumerate(boxes):
        groups.setdefault(root(i), []).append(b)
    crops = []
    for group in groups.values():
        if len(group) < TEXT_MIN_LINES:
            continue
        x0, y0 = min(b[0] for b in group) - height, min(b[1] for b in group) - height
        x1, y1 = max(b[2] for b in group) + height, max(b[3] for b in group) + height
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        bw, bh = max(x1 - x0, (y1 - y0) * CARD_ASPECT), max(y1 - y0, (x1 - x0) / CARD_ASPECT)
        x0, x1 = max(0.0, cx - bw / 2), min(float(w), cx + bw / 2)
        y0, y1 = max(0.0, cy - bh / 2), min(float(h), cy + bh / 2)
        quad = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float32)
        bbox = (int(x0), int(y0), round(x1), round(y1))
        crops.append(CardCrop(flatten(image, quad), quad, bbox, False, round((x1 - x0) * (y1 - y0) / (h * w), 4),
                              source_shape=(h, w)))
    band = max(1, h // 4)
    crops.sort(key=lambda c: ((c.bbox[1] + c.bbox[3]) // 2 // band, c.bbox[0]))
    return crops
