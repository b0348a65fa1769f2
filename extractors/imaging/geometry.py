"""Quadrilateral geometry for card finding: fitting, ordering, measuring and comparing quads.

A quad is a ``float32`` array of shape ``(4, 2)`` holding ``(x, y)`` pixel
corners in clockwise order on the screen (y grows downwards): top-left,
top-right, bottom-right, bottom-left once :func:`order_for_landscape` has
chosen which long side is the top.

>>> q = order_clockwise(np.array([[10, 0], [0, 0], [0, 5], [10, 5]], np.float32))
>>> q.tolist()
[[0.0, 0.0], [10.0, 0.0], [10.0, 5.0], [0.0, 5.0]]
>>> side_lengths(q), quad_area(q)
((10.0, 5.0), 50.0)
"""

from __future__ import annotations

import math

import cv2
import numpy as np
from shapely import make_valid
from shapely.geometry import Polygon

Quad = np.ndarray


def order_clockwise(points: np.ndarray) -> Quad:
    """Four points in clockwise screen order, starting from the one nearest the top-left."""
    pts = np.asarray(points, np.float32).reshape(4, 2)
    centre = pts.mean(axis=0)
    angles = np.arctan2(pts[:, 1] - centre[1], pts[:, 0] - centre[0])
    pts = pts[np.argsort(angles)]  # ascending angle with y down = clockwise on screen
    start = int(np.argmin(pts.sum(axis=1)))
    return np.roll(pts, -start, axis=0)


def order_for_landscape(quad: Quad) -> Quad:
    """Rotate the corner order so that side 0→1 is a long side pointing as nearly rightwards as possible.

    Flattening that order gives a landscape card turned by the least amount;
    a card standing on its side comes out upright when it was turned clockwise
    and upside down when turned anticlockwise (orientation settles which).

    >>> order_for_landscape(np.array([[0, 0], [5, 0], [5, 10], [0, 10]], np.float32)).tolist()
    [[5.0, 0.0], [5.0, 10.0], [0.0, 10.0], [0.0, 0.0]]
    """
    q = order_clockwise(quad)
    best, best_key = 0, (math.inf, math.inf)
    long_first = _side(q, 0) + _side(q, 2) >= _side(q, 1) + _side(q, 3)
    for start in ((0, 2) if long_first else (1, 3)):
        dx, dy = q[(start + 1) % 4] - q[start]
        angle = math.degrees(math.atan2(dy, dx))  # 0 = rightwards, 90 = downwards on screen
        key = (round(abs(angle), 1), -angle)  # nearest to rightwards; on a tie, pointing down
        if key < best_key:
            best, best_key = start, key
    return np.roll(q, -best, axis=0)


def _side(q: Quad, i: int) -> float:
    return float(np.linalg.norm(q[(i + 1) % 4] - q[i]))


def side_lengths(quad: Quad) -> tuple[float, float]:
    """Mean lengths of sides 0/2 and 1/3: the width and height the quad flattens to."""
    return (_side(quad, 0) + _side(quad, 2)) / 2, (_side(quad, 1) + _side(quad, 3)) / 2


def aspect(quad: Quad) -> float:
    """Long over short mean side: the ratio the flattened quad will have (≥ 1)."""
    w, h = side_lengths(quad)
    return max(w, h) / max(min(w, h), 1e-6)


def true_aspect(quad: Quad, focal: float, centre: tuple[float, float]) -> float | None:
    """Long/short ratio of the rectangle whose perspective image ``quad`` is, seen by a pinhole camera.

    Zhang & He, "Whiteboard scanning and image enhancement" (2007), with the
    focal length (pixels) and principal point given: phones crop nothing and
    their lens spans ~70° across, so ``focal ≈ 0.75 × the longer image side``.
    Unlike :func:`aspect`, it tells an A4 page (1.41) seen at a slant from a card
    (1.59). ``None`` when the quad cannot be the image of a rectangle.

    >>> round(true_aspect(np.array([[0, 0], [159, 0], [159, 100], [0, 100]], np.float32), 500.0, (80, 50)), 2)
    1.59
    """
    q = np.asarray(order_clockwise(quad), np.float64)
    cx, cy = centre
    m1, m2, m4, m3 = (np.array([x - cx, y - cy, 1.0]) for x, y in q)  # tl, tr, br, bl as in the paper
    d2, d3 = float(np.dot(np.cross(m2, m4), m3)), float(np.dot(np.cross(m3, m4), m2))
    if abs(d2) < 1e-9 or abs(d3) < 1e-9:
        return None
    k2 = float(np.dot(np.cross(m1, m4), m3)) / d2
    k3 = float(np.dot(np.cross(m1, m4), m2)) / d3
    if k2 <= 0 or k3 <= 0:
        return None
    n2, n3 = k2 * m2 - m1, k3 * m3 - m1
    f2 = focal * focal
    top = (n2[0] ** 2 + n2[1] ** 2) / f2 + n2[2] ** 2
    bottom = (n3[0] ** 2 + n3[1] ** 2) / f2 + n3[2] ** 2
    if top <= 0 or bottom <= 0:
        return None
    r = math.sqrt(top / bottom)
    return max(r, 1.0 / r)


def quad_area(quad: Quad) -> float:
    return float(abs(cv2.contourArea(np.asarray(quad, np.float32).reshape(-1, 1, 2))))


def overlap(a: Quad, b: Quad) -> float:
    """Area of the intersection over the area of the smaller quad (1.0: one lies inside the other).

    Shapely's polygon intersection: OpenCV's ``intersectConvexConvex`` answers 0 for two outlines of the same
    card that share a side (collinear edges), and the card was then read twice.

    >>> a = np.array([[0, 0], [10, 0], [10, 10], [0, 10]], np.float32)
    >>> round(overlap(a, a + 5), 2)
    0.25
    >>> b = np.array([[99.0, 72.3], [651.8, 121.6], [618.2, 464.4], [99.0, 416.3]], np.float32)
    >>> round(overlap(b, b + [0, 0.4]), 3)  # the left sides on one line
    0.999
    """
    pa, pb = Polygon(np.asarray(a, np.float64)), Polygon(np.asarray(b, np.float64))
    if not (pa.is_valid and pb.is_valid):
        pa, pb = make_valid(pa), make_valid(pb)
    return float(pa.intersection(pb).area) / max(min(quad_area(a), quad_area(b)), 1e-6)


def is_convex(quad: Quad) -> bool:
    return bool(cv2.isContourConvex(np.asarray(quad, np.float32).reshape(-1, 1, 2)))


def corner_angles_ok(quad: Quad, tolerance: float = 40.0) -> bool:
    """Every corner within ``tolerance`` degrees of a right angle (perspective skews them)."""
    q = np.asarray(quad, np.float64)
    for i in range(4):
        u, v = q[i - 1] - q[i], q[(i + 1) % 4] - q[i]
        cos = float(np.dot(u, v) / max(np.linalg.norm(u) * np.linalg.norm(v), 1e-9))
        if abs(math.degrees(math.acos(max(-1.0, min(1.0, cos)))) - 90.0) > tolerance:
            return False
    return True


def fit_quad(contour: np.ndarray) -> Quad | None:
    """The quad a region's outline approximates: polygon of its hull, corners refined by line fits.

    Rounded card corners put the hull's vertices on the arcs; fitting a line to
    each straight side and intersecting neighbours recovers the true corners.
    """
    hull = cv2.convexHull(contour)
    perimeter = cv2.arcLength(hull, True)
    if perimeter <= 0:
        return None
    approx = None
    for eps in (0.01, 0.02, 0.03, 0.045, 0.06, 0.08):
        poly = cv2.approxPolyDP(hull, eps * perimeter, True)
        if len(poly) == 4:
            approx = poly.reshape(4, 2).astype(np.float32)
            break
        if len(poly) < 4:
            break
    if approx is None:
        approx = cv2.boxPoints(cv2.minAreaRect(hull)).astype(np.float32)
    quad = order_clockwise(approx)
    points = contour.reshape(-1, 2).astype(np.float32)
    refined = _refine_corners(quad, points[:: max(1, len(points) // 600)], perimeter)
    return quad if refined is None else refined


def _refine_corners(quad: Quad, points: np.ndarray, perimeter: float) -> Quad | None:
    lines = []
    near = 0.03 * perimeter
    for i in range(4):
        a, b = quad[i], quad[(i + 1) % 4]
        d = b - a
        length = float(np.linalg.norm(d))
        if length < 4:
            return None
        u = d / length
        rel = points - a
        t = rel @ u
        dist = np.abs(rel[:, 0] * u[1] - rel[:, 1] * u[0])
        keep = (dist < near) & (t > 0.15 * length) & (t < 0.85 * length)
        if int(keep.sum()) < 5:
            return None
        vx, vy, x0, y0 = cv2.fitLine(points[keep], cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
        lines.append((np.array([x0, y0]), np.array([vx, vy])))
    corners = []
    for i in range(4):
        (p, r), (q, s) = lines[i - 1], lines[i]
        cross = r[0] * s[1] - r[1] * s[0]
        if abs(cross) < 1e-3:
            return None
        t = ((q - p)[0] * s[1] - (q - p)[1] * s[0]) / cross
        corners.append(p + t * r)
    refined = np.array(corners, np.float32)
    if float(np.abs(refined - quad).max()) > 0.06 * perimeter:
        return None  # a bad fit: keep the polygon's corners
    return refined


def snap_sides(poly: np.ndarray, grad: np.ndarray, reach: int = 6, samples: int = 24) -> np.ndarray:
    """Move each side of a convex polygon (clockwise) along its normal, by up to ``reach`` px, onto the line
    of strongest mean gradient ``grad``; corners are the new sides' intersections.

    Region masks are grown or shrunk by the morphology that made them; the
    card's border is where the picture steps, and that is what the crop and the
    contrast test need.

    >>> g = np.zeros((40, 40), np.float32); g[10, :] = g[30, :] = g[:, 5] = g[:, 35] = 1
    >>> snap_sides(np.array([[8, 12], [33, 12], [33, 28], [8, 28]], np.float32), g).round().tolist()
    [[5.0, 10.0], [35.0, 10.0], [35.0, 30.0], [5.0, 30.0]]
    """
    p = np.asarray(poly, np.float32).reshape(-1, 2)
    k = len(p)
    t = np.linspace(0.1, 0.9, samples, dtype=np.float32)[:, None]
    shifts = np.arange(-reach, reach + 1, dtype=np.float32)
    moved = []
    for i in range(k):
        a, b = p[i], p[(i + 1) % k]
        d = b - a
        length = float(np.linalg.norm(d))
        if length < 1:
            return p
        n = np.array([d[1], -d[0]], np.float32) / length
        pts = a + d * t  # (samples, 2)
        cand = pts[None, :, :] + shifts[:, None, None] * n[None, None, :]
        vals = np.nan_to_num(_sample(grad[..., None], cand.reshape(-1, 2))[:, 0]).reshape(len(shifts), samples)
        best = float(shifts[int(np.argmax(vals.mean(axis=1)))])
        moved.append((a + n * best, d))
    out = []
    for i in range(k):
        (p1, r), (p2, s) = moved[i - 1], moved[i]
        cross = float(r[0] * s[1] - r[1] * s[0])
        if abs(cross) < 1e-6:
            return p
        u = float((p2 - p1)[0] * s[1] - (p2 - p1)[1] * s[0]) / cross
        out.append(p1 + u * r)
    return np.array(out, np.float32)


def edge_support(quad: Quad, edges: np.ndarray, samples: int = 24) -> float:
    """Share of points along the quad's sides (ends left out) that lie on ``edges``: cards have straight borders.

    >>> e = np.zeros((20, 20), np.uint8); e[5, :] = 255
    >>> edge_support(np.array([[2, 5], [17, 5], [17, 15], [2, 15]], np.float32), e)
    0.25
    """
    h, w = edges.shape[:2]
    t = np.linspace(0.08, 0.92, samples, dtype=np.float32)[:, None]
    q = np.asarray(quad, np.float32)
    pts = np.concatenate([q[i] + (q[(i + 1) % 4] - q[i]) * t for i in range(4)])
    xs, ys = np.round(pts[:, 0]).astype(int), np.round(pts[:, 1]).astype(int)
    inside = (xs >= 0) & (xs < w) & (ys >= 0) & (ys < h)
    hits = np.zeros(len(pts), bool)
    hits[inside] = edges[ys[inside], xs[inside]] > 0
    return float(hits.mean())


def border_contrast(quad: Quad, lab: np.ndarray, *, offset: float = 3.0, threshold: float = 8.0,
                    samples: int = 24) -> float:
    """Share of points along the quad's sides where a steady colour inside meets a different one outside.

    ``lab`` is a (blurred) float Lab image. At each point the colour ``offset``
    pixels inside must differ from the colour as far outside by more than
    ``threshold`` and be within ``2 × threshold`` of that side's median inside
    colour. A card's border separates its plain margin from what it lies on all
    round; a quad drawn inside texture, along the image frame, or around a block
    of text (whose inside alternates between ink and paper) scores low. Samples
    outside the image count as misses.

    >>> lab = np.zeros((30, 30, 3), np.float32); lab[10:20, 8:22] = 50
    >>> border_contrast(np.array([[8, 10], [22, 10], [22, 20], [8, 20]], np.float32), lab)
    1.0
    """
    q = order_clockwise(quad)
    return sum(side_contrast(q[i], q[(i + 1) % 4], lab, offset=offset, threshold=threshold, samples=samples)
               for i in range(4)) / 4


def side_contrast(a: np.ndarray, b: np.ndarray, lab: np.ndarray, *, offset: float = 3.0, threshold: float = 8.0,
                  samples: int = 24) -> float:
    """:func:`border_contrast` of one side from ``a`` to ``b``; the inside is on the right going a → b on screen
    (clockwise order)."""
    t = np.linspace(0.08, 0.92, samples, dtype=np.float32)[:, None]
    d = np.asarray(b, np.float32) - np.asarray(a, np.float32)
    n = np.array([d[1], -d[0]], np.float32) / max(float(np.linalg.norm(d)), 1e-6)  # points outwards
    p = np.asarray(a, np.float32) + d * t
    inside, outside = _sample(lab, p - n * offset), _sample(lab, p + n * offset)
    valid = ~(np.isnan(inside[:, 0]) | np.isnan(outside[:, 0]))
    if not valid.any():
        return 0.0
    steady = np.linalg.norm(np.nan_to_num(inside - np.median(inside[valid], axis=0)), axis=1) < 2 * threshold
    differs = np.linalg.norm(np.nan_to_num(inside - outside), axis=1) > threshold
    return float((valid & steady & differs).mean())


def _sample(img: np.ndarray, pts: np.ndarray) -> np.ndarray:
    h, w = img.shape[:2]
    xs, ys = np.round(pts[:, 0]).astype(int), np.round(pts[:, 1]).astype(int)
    ok = (xs >= 0) & (xs < w) & (ys >= 0) & (ys < h)
    out = np.full((len(pts), img.shape[2]), np.nan, np.float32)
    out[ok] = img[ys[ok], xs[ok]]
    return out


def warp(image: np.ndarray, quad: Quad, size: tuple[int, int]) -> np.ndarray:
    """Flatten ``quad`` of ``image`` to ``size`` = (width, height); corner 0 goes top-left."""
    w, h = size
    dst = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], np.float32)
    m = cv2.getPerspectiveTransform(np.asarray(quad, np.float32), dst)
    shrink = min(side_lengths(quad)) > min(w, h) * 1.5
    flags = cv2.INTER_AREA if shrink else cv2.INTER_CUBIC
    return cv2.warpPerspective(image, m, (w, h), flags=flags, borderMode=cv2.BORDER_REPLICATE)
