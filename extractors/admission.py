"""What is decided about an upload before it is queued, without reading it: the document types a declared
type admits, and whether the file can ever be read (format, pixel count and shape from the image header, a
PDF's encryption and page count). Light on purpose: the API process imports this, never the imaging and OCR
stack.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from extractors import doctypes
from extractors.imaging import decode


def allowed_types(declared: str | None) -> list[str]:
    """The document types a declared type admits: itself, or a family (``id_card``) of them. A family is the
    shared stem of two or more types — ``id`` or ``bank`` is no type.

    >>> allowed_types("id_card")
    ['id_card_back', 'id_card_front']
    >>> allowed_types("passport")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: unknown document type 'passport'; known: bank_statement, id_card, id_card_back, ...
    >>> allowed_types("bank")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: unknown document type 'bank'; known: ...
    >>> try:  # what the caller sent is not echoed whole
    ...     allowed_types("x" * 100_000)
    ... except ValueError as e:
    ...     len(str(e)) < 200
    True
    """
    known = sorted(doctypes.registry())
    families = _families(known)
    if not declared:
        return known
    if declared in known:
        return [declared]
    if declared in families:
        return [t for t in known if t.startswith(declared + "_")]
    shown = declared if len(declared) <= 32 else declared[:32] + "…"
    raise ValueError(f"unknown document type {shown!r}; known: {', '.join(declarable_types())}")


def declarable_types() -> list[str]:
    """What an upload may declare: every document type and every family of them (:func:`allowed_types`).

    >>> kinds = declarable_types()
    >>> kinds == sorted(kinds), {"id_card", "id_card_front", "id_card_back", "bank_statement"} <= set(kinds)
    (True, True)
    """
    known = sorted(doctypes.registry())
    return sorted(_families(known) | set(known))


def _families(known: list[str]) -> set[str]:
    prefixes = Counter(t.rsplit("_", 1)[0] for t in known if "_" in t)
    return {p for p, n in prefixes.items() if n > 1}


def precheck(data: bytes, *, max_pixels: int = 40_000_000, max_pdf_pages: int = 50,
             password: str | None = None, types: Sequence[str] | None = None) -> str:
    """Refuse, before queueing, a file that can never be read; returns its real format.

    A file that is neither an image nor a PDF is admitted when one of ``types`` (default: every type) reads
    it itself — a payment platform's CSV or spreadsheet export (:func:`doctypes.file_reader`).

    Decided from headers, never by decoding (a 78 KB PNG of 40 MP of 16-bit pixels or a PDF object-stream bomb
    must not cost the API its memory): an image's format, size, shape and whole end (:func:`decode.probe_image`);
    a PDF's encryption and page count as the worker's renderer sees them (:func:`decode.pdf_page_count`). No OCR.
    """
    fmt = decode.sniff(data)
    if fmt in ("text", "unknown"):
        claimed = doctypes.file_reader(data, types if types is not None else sorted(doctypes.registry()))
        if claimed:
            return claimed[1]
    if fmt == "pdf":
        decode.pdf_page_count(data, max_pages=max_pdf_pages, password=password)
    else:
        decode.probe_image(data, max_pixels=max_pixels)
    return fmt


__all__ = ["allowed_types", "precheck"]
