"""What a PDF's own structure says about edits made after the bank or the lender produced it.

Each look gives evidence a person can check, never a bare score:

- :func:`revisions` — the file's saves. A PDF written once ends in one ``%%EOF`` (a linearized one in two);
  an incremental update appends objects and a new cross-reference section after it. Reported: how many
  saves, how many bytes came after the first, which objects a later save (re)defined and which pages they
  belong to (the page dictionary or its content streams). A later save that only adds a digital signature
  changes no page and is reported as signed. A signature's ``/ByteRange`` that stops short of the file's end
  is reported with the bytes it leaves out.
- :func:`verify_signatures` — each embedded signature checked by pyHanko: whether the bytes it covers still hash
  to the digest it signed (``intact``) and whether the signature over that digest verifies with the signer's
  certificate (``valid``), with the byte range it covers. Whom to trust (the banks' roots) is not judged here,
  and nothing is fetched (no revocation lookups).
- :func:`page_suspects` — what is drawn on a page: text that a white shape drawn *after* it covers (a white
  box pasted over a value, usually with new text on top), glyphs in a font foreign to the page (an
  amount retyped in another font, or in a second subset of the page's own font — what an editor embeds when
  it re-encodes the text it changed), and an amount whose edge leaves its column's alignment (retyped in
  place: an editor keeps where the old text started, and a longer or shorter value ends elsewhere).

Boxes are in PDF points from the page's top-left; the reader scales them to the page image.

>>> revisions(b"%PDF-1.4\\n1 0 obj<<>>endobj\\ntrailer<<>>\\n%%EOF\\n", [])["saves"]
1
>>> r = revisions(b"%PDF-1.4\\n1 0 obj<<>>endobj\\n%%EOF\\n4 0 obj<</Type/Sig/ByteRange[0 9 30 5]>>endobj\\n%%EOF", [])
>>> r["saves"], r["signature_only"], r["changed_objects"]
(2, True, [4])
"""

from __future__ import annotations

import functools
import io
import logging
import re
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from itertools import zip_longest
from typing import Any, NamedTuple, Protocol

DIGITS = set("0123456789.,-+¥￥")
MAX_FOREIGN_SHARE = 0.05
"""A font drawing at most this share of a page's glyphs can be foreign to it (more is part of its template)."""
MIN_NUMERIC = 0.7
"""…and only when at least this share of its glyphs are digits: a template's heading font draws words, an edited
amount draws digits."""
_OBJ = re.compile(rb"(?<![0-9])(\d{1,10})\s+(\d{1,5})\s+obj\b")
_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")


class Drawn(Protocol):
    """What :class:`extractors.pdf._Cells` keeps of a page."""

    chars: list[tuple[str, float, float, float, float]]
    glyphs: list[tuple[str, int]]
    white_fills: list[tuple[float, float, float, float, int]]


def revisions(data: bytes, pages: list[Any]) -> dict[str, Any]:
    """The saves of the file and what the later ones changed; ``pages`` are pdfminer's ``PDFPage`` objects in
    page order (their ``pageid`` and content streams' ``objid`` tie changed objects to pages)."""
    ends = [m.end() for m in re.finditer(rb"%%EOF", data)]
    linearized = b"/Linearized" in data[:2048]
    first = ends[1] if linearized and len(ends) >= 2 else (ends[0] if ends else len(data))
    later = data[first:]
    saves = max(1, len(ends) - (1 if linearized else 0)) if later.strip() else 1
    out: dict[str, Any] = {"saves": saves, "linearized": linearized}
    signed = _signature_coverage(data)
    if signed:
        out["signature"] = signed
        out["signatures"] = verify_signatures(data)
    if not later.strip():
        return out
    changed = sorted({int(m[1]) for m in _OBJ.finditer(later)})
    owners: dict[int, int] = {}
    for number, page in enumerate(pages, start=1):
        owners[int(getattr(page, "pageid", 0) or 0)] = number
        for stream in _contents(page):
            owners[int(getattr(stream, "objid", 0) or 0)] = number
    touched = sorted({owners[n] for n in changed if n in owners})
    drawn = _pages_drawn_differently(data[:first], pages)
    changed_pages = drawn if drawn is not None else touched
    # a signing save adds the signature's widget to a page's /Annots: the page object changes, not what it draws
    out.update(bytes_after_first_save=len(later), changed_objects=changed, changed_pages=changed_pages,
               signature_only=bool(re.search(rb"/Type\s*/Sig\b|/ByteRange", later)) and not changed_pages)
    return out


def _pages_drawn_differently(first_save: bytes, pages: list[Any]) -> list[int] | None:
    """The pages whose content differs between the first save and the file as it is now (a later save may
    rewrite a page's objects without changing what it draws); None when the first save cannot be parsed."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser

    def drawn(page: Any) -> bytes:
        return b"".join(s.get_data() for s in _contents(page) if hasattr(s, "get_data"))

    try:
        before = [drawn(p) for p in PDFPage.create_pages(PDFDocument(PDFParser(io.BytesIO(first_save))))]
        now = [drawn(p) for p in pages]
    except Exception:
        return None
    return [n for n, (a, b) in enumerate(zip_longest(before, now), start=1) if a != b]


def _contents(page: Any) -> list[Any]:
    contents = getattr(page, "contents", None) or []
    return list(contents) if isinstance(contents, list | tuple) else [contents]


def _signature_coverage(data: bytes) -> dict[str, int] | None:
    """The last signature's byte range and what of the file it leaves out (bytes after its end)."""
    found = list(_BYTE_RANGE.finditer(data))
    if not found:
        return None
    a, b, c, d = (int(g) for g in found[-1].groups())
    covered_to = c + d
    size = len(data.rstrip())
    return {"covered_from": a, "gap_from": a + b, "gap_to": c, "covered_to": covered_to,
            "file_size": size, "uncovered_after": max(0, size - covered_to)}


@functools.cache
def _quiet_pyhanko() -> None:
    """Once: pyHanko logs a full traceback for every certificate it cannot chain to a root; trust is not judged
    here."""
    for name in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def verify_signatures(data: bytes) -> list[dict[str, Any]]:
    """Each embedded signature: its field, whether it is ``intact`` (the covered bytes hash to the signed digest)
    and ``valid`` (the signature verifies with the signer's certificate), its ``byte_range``; ``error`` (the
    exception's class) where it could not be checked at all. Trust in the signer is not judged."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    _quiet_pyhanko()

    def check() -> list[dict[str, Any]]:
        try:
            signatures = PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures
        except Exception as exc:  # a signature dictionary pyHanko cannot parse is reported, never raised
            return [{"error": type(exc).__name__}]
        out: list[dict[str, Any]] = []
        for sig in signatures:
            entry: dict[str, Any] = {"field": sig.field_name, "byte_range": [int(v) for v in sig.byte_range]}
            try:
                status = validate_pdf_signature(sig, ValidationContext(trust_roots=[], allow_fetching=False))
            except Exception as exc:
                out.append(entry | {"error": type(exc).__name__})
                continue
            out.append(entry | {"intact": bool(status.intact), "valid": bool(status.valid),
                                "coverage": status.coverage.name.lower() if status.coverage is not None else None})
        return out

    # pyHanko's synchronous calls run their own asyncio loop, which cannot start inside a running one (a caller's
    # event loop): a thread of its own has none
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(check).result()


def page_suspects(page: Drawn) -> list[dict[str, Any]]:
    """Text hidden under a later white shape, glyphs in a font foreign to the page, and amounts out of their
    column's alignment, each with its box."""
    return _hidden_text(page) + _foreign_fonts(page) + _misaligned(page)


AMOUNT = re.compile(r"[-+]?[¥￥]?-?[0-9][0-9,]*\.[0-9]{2}(?![0-9])")
ALIGN_TOLERANCE = 0.6
"""Points by which the edges of one column's amounts may differ: a bank's layout engine places them to a
hundredth of a point; an amount retyped in place keeps the point its old text started at, and a value of
another length then ends a digit (4–6 pt) away from the column's edge."""
MAX_SHIFT = 3
"""…and at most this many of its characters' widths: an amount further off stands in a column of its own that
merely overlaps this one."""
COLUMN_MIN = 3
"""Amounts on other lines, overlapping one horizontally, that make a column to be aligned with."""


def _lines(chars: list[tuple[str, float, float, float, float]]) -> list[list[tuple[str, float, float, float, float]]]:
    """The page's characters in lines (tops within a point of the line's first), each from left to right."""
    lines: list[list[tuple[str, float, float, float, float]]] = []
    for c in sorted(chars, key=lambda c: c[3]):
        if lines and abs(c[3] - lines[-1][0][3]) < 1.0:
            lines[-1].append(c)
        else:
            lines.append([c])
    return [sorted(line, key=lambda c: c[1]) for line in lines]


_DATE = re.compile(r"(?:19|20)[0-9]{2}[-/.年]?(?:0[1-9]|1[0-2])[-/.月]?(?:[0-2][0-9]|3[01])(?![0-9])")
"""A date in a line (a row number may run into it: ``12026-06-02``)."""


class _Amount(NamedTuple):
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    row: bool
    """Its line holds a date: a table's row."""


def _amounts(chars: list[tuple[str, float, float, float, float]]) -> list[_Amount]:
    """The page's amounts (``1,234.50``, ``-88.00``, ``¥5,000.00``) that begin a word — characters with gaps
    under a third of their height and no space between (an amount retyped longer may run into the next cell's
    text; one inside a label's word, ``支出合计：27,804.64``, is a summary's) — with their boxes, and whether their
    line is a table's row (it holds a date)."""
    out = []
    for line in _lines(chars):
        words: list[list[tuple[str, float, float, float, float]]] = [[]]
        for c in line:
            if c[0].isspace() or len(c[0]) != 1:
                words.append([])
            elif words[-1] and not -0.5 <= c[1] - words[-1][-1][2] < (c[4] - c[3]) / 3:  # glyphs abut, ± rounding
                words.append([c])
            else:
                words[-1].append(c)
        row = bool(_DATE.search("".join(c[0] for c in line)))
        for word in words:
            if (m := AMOUNT.match("".join(c[0] for c in word))) is not None:
                part = word[:m.end()]
                out.append(_Amount(m[0], part[0][1], part[-1][2], min(c[3] for c in part), max(c[4] for c in part),
                                   row))
    return out


def _misaligned(page: Drawn) -> list[dict[str, Any]]:
    """Amounts whose edge leaves the alignment of the column they stand in: the other amounts overlapping it
    horizontally on :data:`COLUMN_MIN` or more other lines, above it and below it, agree (within
    :data:`ALIGN_TOLERANCE`, four in five of them) on their right edge — or, for a left-aligned column, their
    left — and this one does not, by up to :data:`MAX_SHIFT` characters. An amount outside the column's span is
    judged only on a line that holds a date (a table's first or last row; a summary line under a table, which
    lines up with nothing, holds none)."""
    amounts = _amounts(page.chars)
    out: list[dict[str, Any]] = []
    for a in amounts:
        column = [o for o in amounts if abs(o.top - a.top) >= 1.0 and min(o.x1, a.x1) - max(o.x0, a.x0) > 0]
        if len(column) < COLUMN_MIN or not (a.row or min(o.top for o in column) < a.top < max(o.top for o in column)):
            continue  # a summary line under (or a heading over) the table lines up with nothing
        for edge in ("right", "left"):
            at = [o.x1 if edge == "right" else o.x0 for o in column]
            middle = sorted(at)[len(at) // 2]
            agree = sum(abs(x - middle) <= ALIGN_TOLERANCE for x in at)
            if agree < COLUMN_MIN or agree < 0.8 * len(column):
                continue  # the column is not aligned on this edge
            offset = (a.x1 if edge == "right" else a.x0) - middle
            if ALIGN_TOLERANCE < abs(offset) <= MAX_SHIFT * (a.x1 - a.x0) / len(a.text):  # further: another column's
                out.append({"kind": "misaligned", "edge": edge, "offset": round(offset, 2), "column": agree,
                            "tolerance": ALIGN_TOLERANCE, "text": a.text,
                            "bbox": [round(v, 1) for v in (a.x0, a.top, a.x1, a.bottom)]})
            break
    return out


def _hidden_text(page: Drawn) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if not page.chars:
        return out
    width = max(c[2] for c in page.chars) - min(c[1] for c in page.chars)
    for x0, top, x1, bottom, order in page.white_fills:
        if (x1 - x0) > 0.6 * width and (bottom - top) > 200:
            continue  # a white page or panel: it hides nothing a statement's reader would see
        hidden = [ch for ch, (_, drawn) in zip(page.chars, page.glyphs, strict=True) if drawn < order
                  and x0 - 0.5 <= (ch[1] + ch[2]) / 2 <= x1 + 0.5 and top - 0.5 <= (ch[3] + ch[4]) / 2 <= bottom + 0.5]
        if hidden and any(not ch[0].isspace() for ch in hidden):
            out.append({"kind": "hidden_text", "bbox": [round(v, 1) for v in (x0, top, x1, bottom)],
                        "text": "".join(ch[0] for ch in sorted(hidden, key=lambda c: (round(c[3]), c[1])))})
    return out


def _base(font: str) -> str:
    """A font's name without its subset tag (``ABCDEF+NotoSansSC`` → ``NotoSansSC``)."""
    return font.split("+", 1)[1] if re.match(r"^[A-Z]{6}\+", font) else font


def _foreign_fonts(page: Drawn) -> list[dict[str, Any]]:
    drawn = [(ch, font) for ch, (font, _) in zip(page.chars, page.glyphs, strict=True) if not ch[0].isspace()]
    if len(drawn) < 20:
        return []
    by_font: dict[str, list[tuple[str, float, float, float, float]]] = defaultdict(list)
    for ch, font in drawn:
        by_font[font].append(ch)
    main = max(by_font, key=lambda f: len(by_font[f]))
    main_has_digits = any(c[0] in DIGITS for c in by_font[main])
    subsets = Counter(_base(f) for f in by_font)
    out = []
    for font, chars in by_font.items():
        if font == main:
            continue
        second_subset = subsets[_base(font)] > 1 and _base(font) == _base(main)
        numeric = sum(c[0] in DIGITS for c in chars) / len(chars)
        foreign = (len(chars) / len(drawn) <= MAX_FOREIGN_SHARE and numeric >= MIN_NUMERIC and main_has_digits)
        if second_subset or foreign:
            out.append({"kind": "font_subset" if second_subset else "foreign_font", "font": font,
                        "page_font": main, "glyphs": len(chars),
                        "bbox": [round(v, 1) for v in (min(c[1] for c in chars), min(c[3] for c in chars),
                                                       max(c[2] for c in chars), max(c[4] for c in chars))],
                        "text": "".join(c[0] for c in sorted(chars, key=lambda c: (round(c[3]), c[1])))})
    return out


__all__ = ["page_suspects", "revisions"]
