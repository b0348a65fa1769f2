"""What was photographed: the capture risks of an ID card, each with a code, a confidence and its evidence.

A lender wants the applicant's own card photographed in colour, not a copy of it. Two risks are read off how
the card was found and measured (:mod:`.quality`, :mod:`.cards`):

- ``bw_copy``: the upload holds no colour at all — a grey or black-and-white scan or photocopy. Evidence: the
  99th percentile of how far a pixel's channels differ, against :data:`~.quality.GREY_SPREAD`. Not raised on a
  photo too dark to tell (its retake reason says so).
- ``photocopy``: the card lies on a sheet — a small share of an A4-shaped page (an A4 copy, colour or not,
  whether its card edges show or it was found by its print). Evidence: the card's share of the page and the
  page's aspect. A phone photo of a copy, framed 4:3, is not recognised (no colour test yet tells a copy's
  toner from a card's print under a phone's light).

The reader puts them in the document's ``meta["capture_risks"]``; the rules
(:mod:`validators.id_card_capture`) turn them into findings, warnings unless a lender makes them errors.

>>> from extractors.models import Quality
>>> [r["code"] for r in risks(Quality(in_colour=False), spread=0.0, page=(2339, 1654), share=0.1, found_by="print")]
['bw_copy', 'photocopy']
>>> risks(Quality(in_colour=True), spread=40.0, page=(1080, 1440), share=0.35, found_by="edges")
[]
"""

from __future__ import annotations

from typing import Any

from extractors.imaging.quality import GREY_SPREAD
from extractors.models import Quality, RetakeReason

A4_ASPECT = (1.38, 1.45)
"""An upload this shape (long side over short; A4 is 1.414) is a page: phone photos are 4:3 (1.33) or wider."""
ON_PAGE_SHARE = 0.3
"""A card covering less than this share of such a page lies on it: an ID card is 8 % of an A4 sheet, and a scan
cropped around the card covers most of its picture."""


def risks(q: Quality | None, *, spread: float, page: tuple[int, int], share: float,
          found_by: str) -> list[dict[str, Any]]:
    """The capture risks of one card: ``q`` its quality, ``spread`` the upload's
    :func:`.quality.colour_spread`, ``page`` the (height, width) of the picture it was found in, ``share`` the
    card's share of it, ``found_by`` ``edges`` (its outline) or ``print`` (a block of print on a page, no edge
    seen)."""
    out: list[dict[str, Any]] = []
    if q is not None and q.in_colour is False and RetakeReason.TOO_DARK not in q.problems:
        out.append({"code": "bw_copy", "confidence": 0.99,
                    "evidence": {"colour_spread": round(spread, 1), "threshold": GREY_SPREAD}})
    aspect = max(page) / max(1, min(page))
    a4 = A4_ASPECT[0] <= aspect <= A4_ASPECT[1]
    if share < ON_PAGE_SHARE and a4:
        out.append({"code": "photocopy", "confidence": 0.95 if found_by == "print" else 0.85,
                    "evidence": {"card_share": round(share, 3), "page_aspect": round(aspect, 3),
                                 "a4_aspect": list(A4_ASPECT), "share_under": ON_PAGE_SHARE, "found_by": found_by}})
    return out
