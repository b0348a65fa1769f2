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
Validation and status are not done here (see :mod:`intake.job.pipeline`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from extractors import doctypes, page_order, pdf
from extractors.admission import allowed_types
from extractors.engines.base import OcrEngine
from extractors.errors import CorruptFile
from extractors.imaging import capture, cards, decode, orient, pages, quality
from extractors.models import BBox, ExtractedDocument, Field, Quality, RetakeReason, Source, TextLine

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


RISK_REASONS = {"occluded": RetakeReason.OCCLUDED, "screen_reshoot": RetakeReason.SCREEN_RESHOOT}
"""A card found but not read whose capture risk says why: the app asks for the card itself, uncovered."""


def unread_reason(q: Quality, *, card_found: bool, risks: list[dict[str, Any]] | None = None) -> RetakeReason:
    """Why nothing could be read: what covers the card or shows it on a screen (its capture ``risks``), a photo
    problem when a card was seen (or the whole photo is dark or cut off), else that there is no document — a
    blurry landscape is not a blurry ID card."""
    for risk in risks or []:
        if risk["code"] in RISK_REASONS:
            return RISK_REASONS[risk["code"]]
    for reason in q.problems:
        if card_found or reason in (RetakeReason.TOO_DARK, RetakeReason.CUT_OFF):
            return reason
    return RetakeReason.NO_DOCUMENT


@dataclass
class _Region:
    """One page or card region read into text, before classification."""

    number: int
    lines: list[TextLine]
    quality: Quality | None = None
    card_found: bool = False
    kind: str | None = None
    """The card side the region was recognised as by its layout when its labels could not be read."""
    risks: list[dict[str, Any]] | None = None
    """A card's capture risks (:mod:`extractors.imaging.capture`); None for a page."""


MAX_CARD_TEXTS = 40
"""An ID card holds about 15 pieces of text (labels, values, the number); a card-shaped block of a scanned
page with more is a table or a letter, and the page is read whole without recognising the block first."""
SCAN_DPI = 200
"""Pages without a text layer are rendered for OCR at this resolution."""
TEXT_PAGE_DPI = 120
"""Pages with a text layer are rendered only for the reviewer and the cross-check OCR of a few cells: at 120 dpi
9-point print is 15 px high, and a 50-page statement's images take 210 MB instead of 580 MB at 200 dpi."""
CROSSCHECK_ROWS = 4


def _sample_rows(rows: list[dict[str, Field]]) -> list[int]:
    """First, last and a few more rows chosen by a hash of the table's text (stable for the same file)."""
    if not rows:
        return []
    digest = hashlib.sha256("".join(f.raw or "" for r in rows for f in r.values()).encode()).digest()
    rng = random.Random(digest)
    middle = list(range(1, len(rows) - 1))
    picks = {0, len(rows) - 1} | set(rng.sample(middle, min(len(middle), CROSSCHECK_ROWS - 2)))
    return sorted(picks)


def _intersects(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _sideways(lines: Sequence[TextLine]) -> bool:
    """Whether most lines of several characters are taller than wide: the print runs across the image's other
    axis, and whatever keywords the recogniser made of it, this is not the upright reading."""
    long = [ln for ln in lines if len(ln.text.strip()) >= 3]
    tall = sum(1 for ln in long if ln.bbox[3] - ln.bbox[1] > ln.bbox[2] - ln.bbox[0])
    return bool(long) and tall > len(long) / 2


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


class Reader:
    def __init__(self, engine: OcrEngine, *, max_pixels: int = 40_000_000, max_pdf_pages: int = 50) -> None:
        self.engine = engine
        self.max_pixels = max_pixels
        self.max_pdf_pages = max_pdf_pages

    def read(self, data: bytes, declared_type: str | None = None, password: str | None = None) -> ReadResult:
        types = allowed_types(declared_type)
        fmt = decode.sniff(data)
        if fmt == "pdf":
            return self._read_pdf(data, types, password)
        if fmt in ("text", "unknown") and (claimed := doctypes.file_reader(data, types)):
            return self._read_file(data, *claimed)
        t = time.perf_counter()
        image = decode.load_image(data, max_pixels=self.max_pixels)
        result = ReadResult(documents=[], pages=[], format=fmt)
        result.add_time("decode", time.perf_counter() - t)
        regions = self._read_image(image, types, result)
        self._assemble(regions, types, result, {})
        self._look(result)
        self._reread(result)
        return _settle(result)

    def read_photos(self, photos: Sequence[bytes], declared_type: str | None = None,
                    claimed: Sequence[int | None] | None = None) -> ReadResult:
        """Several photos of one paper document, one page each, in the order they arrived (``claimed``: the
        page number the app sent with each, if any). Each photo is read as a page; the photos are then put in
        page order (:mod:`extractors.page_order`), a repeated page is dropped, and consecutive pages of a
        multi-page type are one document whose ``meta`` says how the order was decided and which pages are
        missing."""
        types = allowed_types(declared_type)
        result = ReadResult(documents=[], pages=[], format="photos")
        read: list[list[_Region]] = []
        for data in photos:
            t = time.perf_counter()
            image = decode.load_image(data, max_pixels=self.max_pixels)
            result.add_time("decode", time.perf_counter() - t)
            read.append(self._read_image(image, types, result))
        texts = [[ln for r in regions for ln in r.lines] for regions in read]
        plan = page_order.order(texts, claimed)
        if len(plan.order) > 1 and (plan.by == "arrival" or (plan.by == "printed" and any(
                plan.numbers[i] is None for i in plan.order))):
            plan = self._by_content(plan, texts, types)
        self._assemble([r for i in plan.order for r in read[i]], types, result, plan.meta())
        self._look(result)
        self._reread(result)
        return _settle(result)

    def _by_content(self, plan: page_order.Plan, texts: list[list[TextLine]], types: list[str]) -> page_order.Plan:
        """Photos that print no page number (or some whose number was not read), put in order by the
        multi-page type most of them are (:meth:`DocTypeExtractor.order_pages`: a statement by its balance
        chain), when it has an opinion; the pages said missing are then only those no number or order shows."""
        kinds = []
        for i in plan.order:
            scores = self._scores(texts[i], types)
            best = max(scores, key=lambda k: scores[k], default=None)
            if best is not None and scores[best] >= MIN_TYPE_SCORE and doctypes.get(best).multipage:
                kinds.append(best)
        if not kinds:
            return plan
        kind = max(set(kinds), key=kinds.count)
        found = doctypes.get(kind).order_pages([texts[i] for i in plan.order])
        if found is None:
            return plan
        return dataclasses.replace(plan, order=[plan.order[k] for k in found], by="content", missing=[])

    @staticmethod
    def _read_file(data: bytes, kind: type[doctypes.DocTypeExtractor], fmt: str) -> ReadResult:
        """A file its type reads itself (a CSV or spreadsheet export): no page image, no OCR."""
        result = ReadResult(documents=[], pages=[], format=fmt)
        t = time.perf_counter()
        result.documents.append(kind().read_file(data))
        result.add_time("parse", time.perf_counter() - t)
        return _settle(result)

    def _read_pdf(self, data: bytes, types: list[str], password: str | None) -> ReadResult:
        result = ReadResult(documents=[], pages=[], format="pdf")
        t = time.perf_counter()
        decode.check_pdf_streams(data, image_limit=4 * self.max_pixels)  # no bomb reaches a parser
        info, text_pages = pdf.read(data, max_pages=self.max_pdf_pages, password=password)
        result.add_time("pdf_text", time.perf_counter() - t)
        t = time.perf_counter()
        dpi = [TEXT_PAGE_DPI if p else SCAN_DPI for p in text_pages]
        images = decode.render_pdf_pages(data, dpi=dpi, max_pages=self.max_pdf_pages, max_pixels=self.max_pixels,
                                         password=password)
        result.add_time("render", time.perf_counter() - t)
        meta: dict[str, Any] = {"pdf_producer": info.producer, "pdf_creator": info.creator,
                                "pdf_created": info.created, "pdf_modified": info.modified,
                                "pdf_pages": info.pages, "pdf_revisions": info.revisions}
        if len(text_pages) != len(images):  # the parser and the renderer walked the page tree differently
            raise CorruptFile(f"the PDF's page tree is inconsistent: {len(text_pages)} pages to its parser, "
                              f"{len(images)} to its renderer")
        regions: list[_Region] = []
        pictures: dict[int, list[tuple[int, int, int, int]]] = {}
        for lines, image in zip(text_pages, images, strict=True):
            if lines:
                page_no = len(result.pages) + 1
                result.pages.append(PageImage(page_no, image, "pdf_page"))
                regions.append(_Region(page_no, lines.scaled(image.shape[1])))
                pictures[page_no] = lines.scaled_images(image.shape[1])
                k = image.shape[1] / lines.width
                meta.setdefault("pdf_suspects", []).extend(
                    s | {"page": page_no, "bbox": [round(v * k) for v in s["bbox"]]} for s in lines.suspects)
            else:
                regions.extend(self._read_image(image, types, result, origin="pdf_page"))
        meta["text_layer_pages"] = sum(1 for p in text_pages if p)
        self._assemble(regions, types, result, meta)
        self._look(result)
        self._reread(result)
        t = time.perf_counter()
        for doc in result.documents:
            if doc.tables:
                self._crosscheck(doc, result, pictures)
        result.add_time("crosscheck", time.perf_counter() - t)
        return _settle(result)

    def _crosscheck(self, doc: ExtractedDocument, result: ReadResult,
                    pictures: dict[int, list[tuple[int, int, int, int]]]) -> None:
        """OCR a text-layer table's amounts and balances on the rendered page and compare digits: text drawn
        invisibly under a different picture, or a text layer edited apart from the page, shows here.

        Checked: every cell a raster image is drawn over (bank exports draw none over their rows), and a
        sample of :data:`CROSSCHECK_ROWS` rows — the first, the last and some chosen by a hash of the
        table, so a forger cannot know which. One OCR call on the crops stacked into one image."""
        cells: list[tuple[str, Field]] = []
        covered: list[str] = []
        for table_name, rows in doc.tables.items():
            under = set()
            for i, row in enumerate(rows):
                for name in ("amount", "balance"):
                    f = row.get(name)
                    if f is not None and f.bbox and any(_intersects(f.bbox, p) for p in pictures.get(f.page, [])):
                        covered.append(f"{table_name}[{i}].{name}")
                        under.add(i)
            picks = set(_sample_rows(rows)) | under
            for i in sorted(picks):
                for name in ("amount", "balance"):
                    f = rows[i].get(name)
                    if f is not None and f.source == Source.PDF_TEXT and f.bbox and f.raw:
                        cells.append((f"{table_name}[{i}].{name}", f))
        if not cells:
            return
        mismatches = []
        for (path, f), (seen, _) in zip(cells, self._read_cells([f for _, f in cells], result), strict=True):
            if _digits(seen) != _digits(f.raw or ""):
                mismatches.append({"field": path, "text_layer": f.raw, "ocr": seen or None})
        doc.meta["text_layer_check"] = {"sampled": [p for p, _ in cells], "under_images": covered,
                                         "mismatches": mismatches}


    def _read_cells(self, fields: list[Field], result: ReadResult) -> list[tuple[str, float]]:
        """The text in each field's box on its page image, read again by the engine's card recogniser (the
        stronger one): the crops are stacked into one image, so it is one OCR call."""
        crops, spans = [], []
        y = 0
        for f in fields:
            page = result.pages[f.page - 1].image
            assert f.bbox is not None
            x0, y0, x1, y1 = f.bbox
            pad = max(4, (y1 - y0) // 3)
            crop = page[max(0, y0 - pad):y1 + pad, max(0, x0 - pad * 2):x1 + pad * 2]
            crops.append(crop)
            spans.append((y, y + crop.shape[0]))
            y += crop.shape[0] + 24
        width = max(c.shape[1] for c in crops)
        sheet = np.full((y, width, 3), 255, np.uint8)
        for crop, (top, bottom) in zip(crops, spans, strict=True):
            sheet[top:bottom, :crop.shape[1]] = crop[:, :, :3] if crop.ndim == 3 else crop[:, :, None]
        read = self.engine.read(sheet)
        out = []
        for top, bottom in spans:
            inside = [ln for ln in read if top <= (ln.bbox[1] + ln.bbox[3]) / 2 < bottom]
            out.append(("".join(ln.text for ln in sorted(inside, key=lambda ln: ln.bbox[0])),
                        min((ln.confidence for ln in inside), default=0.0)))
        return out

    @staticmethod
    def _look(result: ReadResult) -> None:
        """Let each document type look at its pages' images (:meth:`DocTypeExtractor.look`)."""
        t = time.perf_counter()
        images = {p.number: p.image for p in result.pages}
        for doc in result.documents:
            if doc.doc_type != "unknown":
                pages = doc.pages or [doc.page]
                doctypes.get(doc.doc_type).look(doc, {n: images[n] for n in pages if n in images})
        result.add_time("look", time.perf_counter() - t)

    def _reread(self, result: ReadResult) -> None:
        """Cells a document type doubts (a statement's amounts and balances that break its balance chain or
        do not parse) are read again with the stronger recogniser; the document type takes the new reading."""
        t = time.perf_counter()
        for doc in result.documents:
            if doc.doc_type == "unknown":
                continue
            kind = doctypes.get(doc.doc_type)
            doubted = kind.doubted(doc)
            fields = [(path, f) for path, f in doubted if f.bbox is not None and 0 < f.page <= len(result.pages)]
            if fields:
                readings = self._read_cells([f for _, f in fields], result)
                kind.reread(doc, {path: reading for (path, _), reading in zip(fields, readings, strict=True)})
        result.add_time("reread", time.perf_counter() - t)

    def _read_image(self, image: np.ndarray, types: list[str], result: ReadResult,
                    origin: str = "photo") -> list[_Region]:
        t = time.perf_counter()
        found = cards.find_cards(image)
        if found and origin == "pdf_page":  # a ruled table on a scanned page can be card-shaped
            found = [c for c in found if self.engine.count_text(c.image) <= MAX_CARD_TEXTS]
        result.add_time("find", time.perf_counter() - t)
        t = time.perf_counter()
        spread = quality.colour_spread(image)  # once for the upload: every region's quality and capture risks
        colour = spread > quality.GREY_SPREAD
        one_bit = not colour and capture.bilevel(image)
        result.add_time("quality", time.perf_counter() - t)
        if found:
            read = [self._read_region(c.image, c, image, types, result, colour=colour) for c in found]
            if not self._a_page_after_all(read, types, origin):
                t = time.perf_counter()
                risks = [capture.risks(q, spread=spread, page=image.shape[:2], share=c.coverage, found_by="edges",
                                       native=image if c.whole_image else capture.native_card(image, c.quad),
                                       card=upright, outside=None if c.whole_image else capture.cut_by_frame(
                                           image, c.quad, colour=colour), black_and_white=one_bit,
                                       frame=None if c.whole_image else capture.screen_frame(image, c.quad))
                         for c, (upright, _, q) in zip(found, read, strict=True)]
                result.add_time("risks", time.perf_counter() - t)
                return self._commit(read, result, "card", risks=risks)
        page = self._as_page(image, result, origin)
        whole = self._read_region(page, None, image, types, result, judged=image, colour=colour)
        if by_text := self._cards_by_text(whole, types, result, colour):
            read, kinds, boxes = zip(*by_text, strict=True)
            t = time.perf_counter()
            cut_off = RetakeReason.CUT_OFF in whole[2].problems and origin == "photo"
            cut = capture.partial_outside(image) if cut_off else None
            risks = [capture.risks(q, spread=spread, page=page.shape[:2], share=q.coverage, found_by="print",
                                   native=page[y0:y1, x0:x1], card=upright, outside=cut, black_and_white=one_bit)
                     for (upright, _, q), (x0, y0, x1, y1) in zip(read, boxes, strict=True)]
            result.add_time("risks", time.perf_counter() - t)
            return self._commit(list(read), result, "card", kinds=list(kinds), risks=risks)
        return self._commit([whole], result, origin)

    def _cards_by_text(self, whole: tuple[np.ndarray, list[TextLine], Quality], types: list[str],
                       result: ReadResult, colour: bool,
                       ) -> list[tuple[tuple[np.ndarray, list[TextLine], Quality], str | None, BBox]]:
        """Cards whose edges were not seen, found again by their print and read at card size.

        A page read whole that shows an ID card's labels (and is no other type) is a card on a flatbed's white
        lid or an A4 copy: its print, 15 px high at 150 dpi, was read by the page recogniser at page size. Each
        block of print (:func:`cards.from_text`) is flattened to card size and read like a found card — by its
        labels, or, for a front whose pale labels a black-and-white copy lost, by its layout
        (a type's ``unlabelled``: the region is then that type whatever its keywords). The blocks are
        kept when they hold at least the card sides the whole page was read as; else ``[]``. Each comes with the
        type it was recognised as by its layout (or None) and its box on the page; its quality's coverage is its
        share of the page."""
        upright, lines, _ = whole
        scores = self._scores(lines, types)
        if not any(s > 0 and doctypes.get(t).card for t, s in scores.items()):
            return []
        if any(s >= MIN_TYPE_SCORE and not doctypes.get(t).card for t, s in scores.items()):
            return []
        t = time.perf_counter()
        crops = cards.from_text(upright, [ln.bbox for ln in lines])
        result.add_time("find", time.perf_counter() - t)
        out: list[tuple[tuple[np.ndarray, list[TextLine], Quality], str | None, BBox]] = []
        sides = set()
        for crop in crops:
            x0, y0, x1, y1 = crop.bbox
            q = quality.measure(upright[y0:y1, x0:x1], None, find_partial=False, colour=colour).model_copy(
                update={"coverage": crop.coverage})  # measured on its region, covering that share of the page
            t = time.perf_counter()
            found = self.engine.read(crop.image)
            result.add_time("ocr", time.perf_counter() - t)
            crop_scores = self._scores(found, types)
            best = max(crop_scores, key=lambda k: crop_scores[k], default=None)
            if best is not None and crop_scores[best] >= MIN_TYPE_SCORE and doctypes.get(best).card:
                out.append(((crop.image, found, q), None, crop.bbox))
                sides.add(best)
            elif kind := next((k for k in types if doctypes.get(k).card and doctypes.get(k).unlabelled(found)), None):
                out.append(((crop.image, found, q), kind, crop.bbox))
                sides.add(kind)
        before = {t for t, s in scores.items() if s >= MIN_TYPE_SCORE}
        return out if out and before <= sides else []

    def _read_region(self, region: np.ndarray, crop: cards.CardCrop | None, photo: np.ndarray, types: list[str],
                     result: ReadResult, judged: np.ndarray | None = None, colour: bool | None = None,
                     ) -> tuple[np.ndarray, list[TextLine], Quality]:
        """OCR ``region``; its quality is measured on ``judged`` (default the region itself): a whole photo
        is judged as taken (a card cut off by the frame), not as flattened and turned level."""
        t = time.perf_counter()
        q = quality.measure(region if judged is None else judged, crop, photo=photo, colour=colour)
        result.add_time("quality", time.perf_counter() - t)
        upright, lines = self._best_orientation(region, types, result, card=crop is not None)
        return upright, lines, q

    def _a_page_after_all(self, read: list[tuple[np.ndarray, list[TextLine], Quality]], types: list[str],
                          origin: str) -> bool:
        """Card-shaped regions of a page that turn out not to be cards — a ruled table, a seal, a block of
        print read as a statement — mean the page is to be read whole. On a rendered PDF page, regions
        that are no document at all mean the same; in a photo they are a card too poor to read."""
        kinds = []
        for _, lines, _ in read:
            scores = self._scores(lines, types)
            best = max(scores, key=lambda k: scores[k], default=None)
            kinds.append(None if best is None or scores[best] < MIN_TYPE_SCORE else doctypes.get(best).card)
        if any(k is False for k in kinds):
            return True
        return origin == "pdf_page" and not any(kinds)

    @staticmethod
    def _commit(read: list[tuple[np.ndarray, list[TextLine], Quality]], result: ReadResult,
                origin: str, kinds: list[str | None] | None = None,
                risks: list[list[dict[str, Any]]] | None = None) -> list[_Region]:
        out = []
        for i, (upright, lines, q) in enumerate(read):
            page_no = len(result.pages) + 1
            result.pages.append(PageImage(page_no, upright, origin))
            out.append(_Region(page_no, [ln.model_copy(update={"page": page_no}) for ln in lines], q,
                               card_found=origin == "card", kind=kinds[i] if kinds else None,
                               risks=risks[i] if risks else None))
        return out

    def _as_page(self, image: np.ndarray, result: ReadResult, origin: str) -> np.ndarray:
        """No card in it: a photo of a sheet is flattened; a sheet is turned level."""
        t = time.perf_counter()
        if origin == "photo":
            quad = pages.find_page(image)
            if quad is not None:
                image = pages.flatten_page(image, quad)
        image, _ = pages.deskew(image)
        result.add_time("page", time.perf_counter() - t)
        return image

    def _assemble(self, regions: list[_Region], types: list[str], result: ReadResult, meta: dict[str, Any]) -> None:
        """Classify each region; consecutive pages of a multi-page type become one document."""
        t = time.perf_counter()
        i = 0
        while i < len(regions):
            region = regions[i]
            scores = self._scores(region.lines, types)
            chosen = [t for t, s in sorted(scores.items(), key=lambda kv: -kv[1]) if s >= MIN_TYPE_SCORE]
            if chosen and doctypes.get(chosen[0]).multipage:
                kind = chosen[0]
                group = [region]
                while i + len(group) < len(regions):
                    nxt = regions[i + len(group)]
                    nxt_scores = self._scores(nxt.lines, types)
                    best = max(nxt_scores, key=lambda k: nxt_scores[k], default=None)
                    if best == kind or nxt_scores.get(best or "", 0.0) < MIN_TYPE_SCORE:
                        group.append(nxt)  # a continuation page, or one too bare to be anything else
                    else:
                        break
                doc = doctypes.get(kind)().extract_pages([(g.number, g.lines) for g in group], meta)
                doc.classification_confidence = round(scores[kind], 3)
                doc.quality = region.quality
                result.documents.append(doc)
                i += len(group)
                continue
            docs = self._classify(region.lines, types, region.number, region.kind)
            for d in docs:
                d.quality = region.quality
                if region.risks is not None and d.doc_type != "unknown":  # and those its reader found
                    d.meta["capture_risks"] = region.risks + d.meta.get("capture_risks", [])
                if d.doc_type == "unknown" and region.quality is not None:
                    d.reject_reason = unread_reason(region.quality, card_found=region.card_found,
                                                    risks=region.risks)
            result.documents.extend(docs)
            i += 1
        result.add_time("extract", time.perf_counter() - t)

    def _best_orientation(self, region: np.ndarray, types: list[str], result: ReadResult,
                          card: bool) -> tuple[np.ndarray, list[TextLine]]:
        """OCR the likeliest orientation first; try the next only if the text does not fit a type."""
        base = orient.to_landscape(region) if card else region
        best: tuple[float, np.ndarray, list[TextLine]] | None = None
        for degrees in orient.rotation_candidates(base, card=card):
            candidate = orient.rotate(base, degrees)
            t = time.perf_counter()
            lines = self.engine.read(candidate, whole_page=not card)
            result.add_time("ocr", time.perf_counter() - t)
            top = max(self._scores(lines, types).values(), default=0.0) if not _sideways(lines) else 0.0
            if best is None or top > best[0]:
                best = (top, candidate, lines)
            if top >= GOOD_TYPE_SCORE or len(lines) < MIN_LINES:
                break  # a good reading, or hardly any text: turning the image will not find more
        assert best is not None
        return best[1], best[2]

    @staticmethod
    def _scores(lines: Sequence[TextLine], types: list[str]) -> dict[str, float]:
        """Each type's score, the specific types first: on a tie the first wins (``generic`` in the
        declaration)."""
        return {t: doctypes.get(t).score(lines) for t in sorted(types, key=lambda t: doctypes.get(t).generic)}

    def _classify(self, lines: Sequence[TextLine], types: list[str], page: int,
                  kind: str | None = None) -> list[ExtractedDocument]:
        scores = self._scores(lines, types)
        chosen = [t for t, s in sorted(scores.items(), key=lambda kv: -kv[1]) if s >= MIN_TYPE_SCORE]
        if kind is not None and kind not in chosen:
            chosen.append(kind)
        if not chosen:
            return [ExtractedDocument(doc_type="unknown", page=page, reject_reason=RetakeReason.NO_DOCUMENT)]
        docs = []
        for t in chosen:
            doc = doctypes.get(t)().extract([ln.model_copy(update={"page": page}) for ln in lines], page=page)
            doc.classification_confidence = round(scores[t], 3)
            docs.append(doc)
        return docs
