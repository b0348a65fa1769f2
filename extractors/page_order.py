"""Putting the photos of one paper document in page order, once they are read.

An app user photographs a printed statement or contract one page at a time and sends the photos in whatever
order the gallery gives them, sometimes a page twice. The order comes from the pages themselves — the page
number a bank prints (``第 2 页 共 3 页``, ``第2页/共3页``) — else from the page number the app sent with each
photo, else from the order they arrived. A photo whose text is the same page as an earlier one is dropped.
A page that the printed numbers (or the app's) say exists and no photo shows is named, so that a rule can
ask for it.

>>> from extractors.models import TextLine
>>> def page(*texts):
...     return [TextLine(text=t, confidence=0.9, page=1, bbox=(0, 10 * i, 100, 10 * i + 8))
...             for i, t in enumerate(texts)]
>>> a, b, c = page("户名：张三", "第1页/共3页"), page("2026-05-02 支出 100.00", "第 2 页 共 3 页"), page("第3页，共3页")
>>> plan = order([c, a, b])
>>> plan.order, plan.by, plan.missing
([1, 2, 0], 'printed', [])
>>> order([c, a]).missing, order([c, a]).of
([2], 3)
>>> order([a, b, page("户名：张三", "第1页/共3页")]).duplicates
[2]
>>> order([page("甲"), page("乙")], claimed=[2, 1]).order
[1, 0]
>>> order([c, page("户名：张三"), b]).order  # the page whose number was not read is the one missing
[1, 2, 0]
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from extractors.models import TextLine
from extractors.statements.values import norm

NUMBER = re.compile(r"第(\d{1,3})页")
OF = re.compile(r"共(\d{1,3})页")
ALONE = re.compile(r"^-?(\d{1,3})/(\d{1,3})-?$")
"""A line that is only ``- 2 / 3 -`` or ``2/3``: page 2 of 3."""
SAME_PAGE = 0.9
"""Two photos whose texts agree this much (difflib's ratio) are the same page photographed twice."""


@dataclass
class Plan:
    order: list[int]
    """Indexes of the photos to read, in page order (duplicates left out)."""
    by: str
    """What decided it: ``printed`` page numbers, page numbers ``claimed`` by the app, the document's
    ``content`` (its type's :meth:`order_pages`: a statement's balance chain), or ``arrival``."""
    numbers: list[int | None] = field(default_factory=list)
    """The page number of each photo (by arrival), as decided."""
    of: int | None = None
    """How many pages the document says it has (``共 3 页``), if it says."""
    missing: list[int] = field(default_factory=list)
    duplicates: list[int] = field(default_factory=list)
    """Indexes of photos that repeat an earlier photo's page."""

    def meta(self) -> dict[str, object]:
        return {"photos": len(self.numbers), "page_order": self.by, "page_numbers": self.numbers,
                "pages_of": self.of, "pages_missing": self.missing, "duplicate_photos": self.duplicates}


def _text(lines: Sequence[TextLine]) -> str:
    return norm("".join(ln.text for ln in lines))


def printed(lines: Sequence[TextLine]) -> tuple[int | None, int | None]:
    """The page number and page count printed on a page (the last of each found), or None.

    >>> from extractors.models import TextLine
    >>> printed([TextLine(text="- 2 / 3 -", confidence=0.9, page=1, bbox=(0, 0, 9, 9))])
    (2, 3)
    """
    text = _text(lines)
    numbers, counts = NUMBER.findall(text), OF.findall(text)
    alone = [m for ln in lines if (m := ALONE.match(_text([ln])))]
    if not numbers and alone:
        return int(alone[-1][1]), int(alone[-1][2])
    return (int(numbers[-1]) if numbers else None), (int(counts[-1]) if counts else None)


def order(photos: Sequence[Sequence[TextLine]], claimed: Sequence[int | None] | None = None) -> Plan:
    """The reading order of ``photos`` (the text lines read from each, in arrival order)."""
    texts = [_text(p) for p in photos]
    found = [printed(p) for p in photos]
    claimed = list(claimed or [None] * len(photos))
    if any(n is not None for n, _ in found):
        numbers, by = [n for n, _ in found], "printed"
        numbers = _fill_one(numbers, max((m for _, m in found if m is not None), default=None))
    elif any(c is not None for c in claimed):
        numbers, by = claimed, "claimed"
    else:
        numbers, by = [None] * len(photos), "arrival"
    duplicates: list[int] = []
    for i in range(len(photos)):
        for j in range(i):
            if j in duplicates or (numbers[i] is not None and numbers[j] is not None and numbers[i] != numbers[j]):
                continue
            if texts[i] and texts[j] and _alike(texts[i], texts[j]):
                duplicates.append(i)
                break
    kept = [i for i in range(len(photos)) if i not in duplicates]
    ranked = sorted(kept, key=lambda i: (numbers[i] is None, numbers[i] or 0, i))
    of = max((m for _, m in found if m is not None), default=None) if by == "printed" else None
    seen = {n for i in kept if (n := numbers[i]) is not None}
    last = max([*seen, of or 0])
    missing = [k for k in range(1, last + 1) if k not in seen] if seen else []
    return Plan(order=ranked, by=by, numbers=list(numbers), of=of, missing=missing, duplicates=duplicates)


def _fill_one(numbers: list[int | None], of: int | None) -> list[int | None]:
    """One photo whose page number was not read, and one number no photo has (within ``共 M 页``, or between
    those read): that photo is that page.

    >>> _fill_one([1, 3, None], 3), _fill_one([1, None, 3], None), _fill_one([1, None, None], 3)
    ([1, 3, 2], [1, 2, 3], [1, None, None])
    """
    unknown = [i for i, n in enumerate(numbers) if n is None]
    seen = {n for n in numbers if n is not None}
    last = max([*seen, of or 0])
    gaps = [k for k in range(1, last + 1) if k not in seen]
    if len(unknown) == 1 and len(gaps) == 1:
        numbers = list(numbers)
        numbers[unknown[0]] = gaps[0]
    return numbers


def _alike(a: str, b: str) -> bool:
    m = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return m.real_quick_ratio() >= SAME_PAGE and m.quick_ratio() >= SAME_PAGE and m.ratio() >= SAME_PAGE
