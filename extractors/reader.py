"""Reading one uploaded file into documents: the extraction half of the pipeline.

``Reader.read`` routes by the file's real format (never its name):

- PDF with a text layer → pdfplumber lines (``source=pdf_text``), page rendered
  for the reviewer;
- image-only PDF → pages rendered with pypdfium2, then as images;
- image → imaging finds the card(s) and flattens them (or keeps the whole
  page), measures quality, tries the likely orientations, OCR, classification
  by the declared document types' keywords, extraction.

One region may hold more than one document (the two sides of an ID card that
imaging could not separate); every type that scores well is extracted from it.
Validation and status are not done here (see :mod:`intake.pipeline`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from extractors import doctypes, pdf
from extractors.engines.base import OcrEngine
from extractors.imaging import cards, decode, orient, quality
from extractors.models import ExtractedDocument, Quality, RetakeReason, TextLine

MIN_TYPE_SCORE = 0.34
"""At least this share of a type's keywords must be read for the page to be that type."""
GOOD_TYPE_SCORE = 0.5
"""A reading this good is kept without trying another orientation."""
MIN_LINES = 3
"""Fewer text lines than this (the detector finds text at any angle): no other orientation is tried."""


@dataclass
class PageImage:
    number: int
    image: np.ndarray
    origin: str
    """``card`` (a flattened card crop), ``photo`` (the whole photo) or ``pdf_page``."""


@dataclass
class ReadResult:
    documents: list[ExtractedDocument]
    pages: list[PageImage]
    format: str
    timings: dict[str, float] = field(default_factory=dict)

    def add_time(self, step: str, seconds: float) -> None:
        self.timings[step] = round(self.timings.get(step, 0.0) + seconds, 4)


def allowed_types(declared: str | None) -> list[str]:
    """The document types a declared type admits: itself, or a family (``id_card``) of them.

    >>> allowed_types("id_card")
    ['id_card_back', 'id_card_front']
    >>> allowed_types("passport")
    Traceback (most recent call last):
    ...
    ValueError: unknown document type 'passport'; known: id_card, id_card_back, id_card_front
    """
    known = sorted(doctypes.registry())
    if not declared:
        return known
    family = [t for t in known if t == declared or t.startswith(declared + "_")]
    if not family:
        families = sorted({t.rsplit("_", 1)[0] for t in known if "_" in t} | set(known))
        raise ValueError(f"unknown document type {declared!r}; known: {', '.join(families)}")
    return family


def _settle(result: ReadResult) -> ReadResult:
    """Regions or pages with nothing in them are no finding of their own beside real documents;
    with no real document at all, the first such region says why."""
    known = [d for d in result.documents if d.doc_type != "unknown"]
    if known:
        result.documents = known
    elif not result.documents:
        result.documents = [ExtractedDocument(doc_type="unknown", reject_reason=RetakeReason.NO_DOCUMENT)]
    else:
        result.documents = result.documents[:1]
    return result


def unread_reason(q: Quality, *, card_found: bool) -> RetakeReason:
    """Why nothing could be read: a photo problem when a card was seen (or the whole photo is dark or
    cut off), else that there is no document — a blurry landscape is not a blurry ID card."""
    for reason in q.problems:
        if card_found or reason in (RetakeReason.TOO_DARK, RetakeReason.CUT_OFF):
            return reason
    return RetakeReason.NO_DOCUMENT


def precheck(data: bytes, *, max_pixels: int = 40_000_000, max_pdf_pages: int = 50) -> str:
    """Refuse, before queueing, a file that can never be read; returns its real format.

    Images are fully decoded (a truncated JPEG fails here, not in the worker);
    PDFs are opened (encryption, damage, page count). No OCR.
    """
    fmt = decode.sniff(data)
    if fmt == "pdf":
        pdf.text_lines(data, max_pages=max_pdf_pages)
    else:
        decode.load_image(data, max_pixels=max_pixels)
    return fmt


class Reader:
    def __init__(self, engine: OcrEngine, *, max_pixels: int = 40_000_000, max_pdf_pages: int = 50) -> None:
        self.engine = engine
        self.max_pixels = max_pixels
        self.max_pdf_pages = max_pdf_pages

    def read(self, data: bytes, declared_type: str | None = None) -> ReadResult:
        types = allowed_types(declared_type)
        fmt = decode.sniff(data)
        if fmt == "pdf":
            return self._read_pdf(data, types)
        t = time.perf_counter()
        image = decode.load_image(data, max_pixels=self.max_pixels)
        result = ReadResult(documents=[], pages=[], format=fmt)
        result.add_time("decode", time.perf_counter() - t)
        self._read_image(image, types, result)
        return _settle(result)

    def _read_pdf(self, data: bytes, types: list[str]) -> ReadResult:
        result = ReadResult(documents=[], pages=[], format="pdf")
        t = time.perf_counter()
        text_pages = pdf.text_lines(data, max_pages=self.max_pdf_pages)
        images = decode.render_pdf_pages(data, max_pages=self.max_pdf_pages, max_pixels=self.max_pixels)
        result.add_time("decode", time.perf_counter() - t)
        for lines, image in zip(text_pages, images, strict=True):
            if lines:
                scaled = lines.scaled(image.shape[1])
                page_no = len(result.pages) + 1
                result.pages.append(PageImage(page_no, image, "pdf_page"))
                result.documents.extend(self._classify(scaled, types, page_no))
            else:
                self._read_image(image, types, result, origin="pdf_page")
        return _settle(result)

    def _read_image(self, image: np.ndarray, types: list[str], result: ReadResult, origin: str = "photo") -> None:
        t = time.perf_counter()
        found = cards.find_cards(image)
        result.add_time("find", time.perf_counter() - t)
        regions: list[tuple[np.ndarray, cards.CardCrop | None]] = [(c.image, c) for c in found] or [(image, None)]
        for region, crop in regions:
            t = time.perf_counter()
            q = quality.measure(region, crop, photo=image)
            result.add_time("quality", time.perf_counter() - t)
            upright, lines = self._best_orientation(region, types, result, card=crop is not None)
            page_no = len(result.pages) + 1
            result.pages.append(PageImage(page_no, upright, "card" if crop is not None else origin))
            t = time.perf_counter()
            docs = self._classify(lines, types, page_no)
            result.add_time("extract", time.perf_counter() - t)
            for d in docs:
                d.quality = q
                if d.doc_type == "unknown":
                    d.reject_reason = unread_reason(q, card_found=crop is not None)
            result.documents.extend(docs)

    def _best_orientation(self, region: np.ndarray, types: list[str], result: ReadResult,
                          card: bool) -> tuple[np.ndarray, list[TextLine]]:
        """OCR the likeliest orientation first; try the next only if the text does not fit a type."""
        base = orient.to_landscape(region) if card else region
        best: tuple[float, np.ndarray, list[TextLine]] | None = None
        for degrees in orient.rotation_candidates(base, card=card):
            candidate = orient.rotate(base, degrees)
            t = time.perf_counter()
            lines = self.engine.read(candidate)
            result.add_time("ocr", time.perf_counter() - t)
            top = max(self._scores(lines, types).values(), default=0.0)
            if best is None or top > best[0]:
                best = (top, candidate, lines)
            if top >= GOOD_TYPE_SCORE or len(lines) < MIN_LINES:
                break  # a good reading, or hardly any text: turning the image will not find more
        assert best is not None
        return best[1], best[2]

    @staticmethod
    def _scores(lines: Sequence[TextLine], types: list[str]) -> dict[str, float]:
        return {t: doctypes.get(t).score(lines) for t in types}

    def _classify(self, lines: Sequence[TextLine], types: list[str], page: int) -> list[ExtractedDocument]:
        scores = self._scores(lines, types)
        chosen = [t for t, s in sorted(scores.items(), key=lambda kv: -kv[1]) if s >= MIN_TYPE_SCORE]
        if not chosen:
            return [ExtractedDocument(doc_type="unknown", page=page, reject_reason=RetakeReason.NO_DOCUMENT)]
        docs = []
        for t in chosen:
            doc = doctypes.get(t)().extract([ln.model_copy(update={"page": page}) for ln in lines], page=page)
            doc.classification_confidence = round(scores[t], 3)
            docs.append(doc)
        return docs
