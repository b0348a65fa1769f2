"""Text helpers shared by the document types: normalising OCR output, locating labels.

OCR recognisers disagree on widths and spacing (v4 emits full-width digits,
v5/v6 put spaces inside numbers), so every reading goes through :func:`compact`
before patterns are matched, and positions inside a line are mapped back to
pixel boxes by :func:`sub_bbox`.

>>> compact("５１３７ 0119 9507")
'513701199507'
>>> parse_date("1995 年 7 月 17 日")
'1995-07-17'
>>> parse_date("2010.01.01")
'2010-01-01'
>>> parse_date("2010.13.01") is None
True
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence

from extractors.models import BBox, TextLine

_DATE = re.compile(r"(\d{4})\s*[年.\-/]\s*(\d{1,2})\s*[月.\-/]\s*(\d{1,2})\s*日?")


def compact(text: str) -> str:
    """NFKC (full-width → ASCII) and no whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def parse_date(text: str) -> str | None:
    """An ISO date from ``1995年7月17日``, ``1995.07.17``, ``1995-7-17``; None if not a real date."""
    m = _DATE.search(unicodedata.normalize("NFKC", text))
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    except ValueError:
        return None


def sub_bbox(line: TextLine, start: int, end: int, text: str | None = None) -> BBox:
    """The pixel box of characters ``start:end`` of ``text`` (default the line's text).

    Characters are assumed to share the line's width evenly; CJK and digits are
    close enough to that on printed documents.
    """
    text = line.text if text is None else text
    n = max(len(text), 1)
    x0, y0, x1, y1 = line.bbox
    width = x1 - x0
    return (x0 + round(width * start / n), y0, x0 + round(width * end / n), y1)


def reading_order(lines: Sequence[TextLine], row_tolerance: float = 0.5) -> list[TextLine]:
    """Lines sorted top-to-bottom, then left-to-right among lines of the same row."""
    rows: list[list[TextLine]] = []
    for line in sorted(lines, key=lambda ln: (ln.bbox[1] + ln.bbox[3]) / 2):
        mid = (line.bbox[1] + line.bbox[3]) / 2
        if rows:
            last = rows[-1][0]
            height = last.bbox[3] - last.bbox[1]
            if abs(mid - (last.bbox[1] + last.bbox[3]) / 2) <= row_tolerance * height:
                rows[-1].append(line)
                continue
        rows.append([line])
    return [ln for row in rows for ln in sorted(row, key=lambda ln: ln.bbox[0])]


def union(boxes: Sequence[BBox]) -> BBox:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


class Joined:
    """The compacted text of many lines as one string, with a way back to pixels.

    Lines are joined with ``\\n`` (or ``sep``) so patterns can choose whether a value may
    continue on the next line; :meth:`bbox` and :meth:`confidence` map a match
    span back to the boxes and scores of the lines it touches.

    >>> j = Joined([TextLine(text="姓名 张三", confidence=0.9, bbox=(0, 0, 40, 10)),
    ...             TextLine(text="性别男", confidence=0.8, bbox=(0, 20, 30, 30))])
    >>> j.text
    '姓名张三\\n性别男'
    >>> j.bbox(2, 4), j.confidence(2, 8)
    ((20, 0, 40, 10), 0.8)
    """

    def __init__(self, lines: Sequence[TextLine], sep: str = "\n") -> None:
        self.lines = list(lines)
        self.parts = [compact(ln.text) for ln in self.lines]
        self.text = ""
        self._where: list[tuple[int, int]] = []
        for i, part in enumerate(self.parts):
            if i and sep:
                self.text += sep
                self._where.append((i - 1, -1))
            self.text += part
            self._where.extend((i, j) for j in range(len(part)))

    def _segments(self, start: int, end: int) -> dict[int, tuple[int, int]]:
        seg: dict[int, tuple[int, int]] = {}
        for i, j in self._where[start:end]:
            if j < 0:
                continue
            lo, hi = seg.get(i, (j, j + 1))
            seg[i] = (min(lo, j), max(hi, j + 1))
        return seg

    def bbox(self, start: int, end: int) -> BBox | None:
        """The box of the span's characters on the page where the span starts (a span may run onto the next)."""
        seg = self._segments(start, end)
        if not seg:
            return None
        page = self.lines[min(seg)].page
        return union([sub_bbox(self.lines[i], lo, hi, self.parts[i]) for i, (lo, hi) in seg.items()
                      if self.lines[i].page == page])

    def page_at(self, start: int, end: int) -> int:
        """The page the span starts on."""
        seg = self._segments(start, end)
        return self.lines[min(seg)].page if seg else self.page()

    def confidence(self, start: int, end: int) -> float:
        seg = self._segments(start, end)
        return min((self.lines[i].confidence for i in seg), default=0.0)

    def page(self) -> int:
        return self.lines[0].page if self.lines else 1
