"""Seals found by shape on grey and black-and-white pages (a grey scan keeps no red), and what is not a seal."""

from __future__ import annotations

import cv2
import numpy as np

from extractors.imaging.marks import find_seals

W, H = 1240, 1754  # A4 at 150 dpi


def _page() -> np.ndarray:
    page = np.full((H, W), 238, np.uint8)
    for k in range(12):  # lines of print
        cv2.putText(page, "Loan agreement clause text 1234", (120, 200 + 40 * k), cv2.FONT_HERSHEY_SIMPLEX, 0.9, 30, 2)
    return page


def _seal(page: np.ndarray, centre: tuple[int, int], axes: tuple[int, int], grey: int) -> None:
    cv2.ellipse(page, (centre, axes, 0), grey, 7)
    for k in range(14):  # the ring of letters
        a = np.radians(-120 + 240 * (k + 0.5) / 14)
        x, y = centre[0] + 0.75 * axes[0] / 2 * np.sin(a), centre[1] - 0.75 * axes[1] / 2 * np.cos(a)
        cv2.putText(page, "A", (int(x) - 8, int(y) + 8), cv2.FONT_HERSHEY_SIMPLEX, 0.7, grey, 2)
    star = np.array([(centre[0] + r * np.sin(np.pi * k / 5), centre[1] - r * np.cos(np.pi * k / 5))
                     for k, r in zip(range(10), [28, 11] * 5, strict=True)], np.int32)
    cv2.fillPoly(page, [star], grey)


def test_issue_grey_scan_seal_over_print_is_found() -> None:
    page = _page()
    _seal(page, (420, 330), (240, 240), 95)  # a red seal in grey: mid-dark, over the lines of print
    seals = find_seals(page)
    assert seals, "a round seal on a grey page was not found"
    x0, y0, x1, y1 = seals[0].box
    assert abs((x0 + x1) / 2 - 420) < 20 and abs((y0 + y1) / 2 - 330) < 20


def test_black_and_white_oval_seal_is_found() -> None:
    page = _page()
    _seal(page, (800, 1300), (300, 200), 95)
    bw = np.where(page < 180, 0, 255).astype(np.uint8)
    assert find_seals(cv2.cvtColor(bw, cv2.COLOR_GRAY2BGR))


def test_table_logo_and_filled_disc_are_not_seals() -> None:
    page = _page()
    for r in range(6):  # a ruled table
        cv2.line(page, (100, 900 + 40 * r), (1100, 900 + 40 * r), 40, 2)
    for x in (100, 400, 700, 1100):
        cv2.line(page, (x, 900), (x, 1100), 40, 2)
    cv2.circle(page, (150, 80), 45, 60, 6)  # a small round logo with letters
    cv2.putText(page, "CB", (120, 95), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 60, 3)
    cv2.circle(page, (900, 1450), 120, 40, -1)  # a filled disc
    assert find_seals(page) == []
