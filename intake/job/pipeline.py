"""Reading, validating and deciding one file — the same code for the worker and the CLI.

:meth:`Pipeline.process` returns an :class:`Outcome` (documents with their
findings and status, the page images, timings, the engine) and touches no
database or queue; :mod:`intake.job.jobs` stores it with its evidence.

How a document's status is decided:

- the rule library (:func:`validators.validate`) gives ``needs_review`` on any
  error finding, else ``accepted``;
- a photo with a quality problem (blurry, glare, dark, small, cut off) is
  ``rejected`` with that retake reason only when it also could not be read
  (a field missing or under the confidence threshold) — a sharp enough reading
  of a slightly blurry photo is kept, with a warning;
- a file the service cannot use at all (empty, corrupt, not a document) is
  ``rejected`` with the specific reason.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any

from extractors import doctypes
from extractors.engines import EngineInfo, EngineOptions, OcrEngine, create_engine
from extractors.errors import DocumentError
from extractors.models import RETAKE_MESSAGES, ExtractedDocument, Finding, RetakeReason, Severity, Status
from extractors.reader import PageImage, Reader, ReadResult
from intake.job.judging import check, overall_status, rule_context
from intake.settings import Settings
from validators import RuleContext


@dataclass
class Outcome:
    status: Status
    documents: list[ExtractedDocument]
    pages: list[PageImage]
    engine: EngineInfo | None
    timings: dict[str, float] = field(default_factory=dict)
    reject_code: str | None = None
    reject_reason: str | None = None

    def documents_json(self) -> list[dict[str, Any]]:
        return [d.model_dump(mode="json") for d in self.documents]


class Pipeline:
    def __init__(self, settings: Settings, engine: OcrEngine | None = None) -> None:
        self.settings = settings
        self.engine = engine or create_engine(EngineOptions(
            kind=settings.ocr_engine, threads=settings.ocr_threads, model_dir=str(settings.model_dir.resolve()),
            memory_arena=settings.ocr_memory_arena))
        self.reader = Reader(self.engine, max_pixels=settings.max_pixels, max_pdf_pages=settings.max_pdf_pages)
        self._engine_info = self.engine.info()

    def context(self, today: dt.date | None = None) -> RuleContext:
        return rule_context(self.settings, today)

    def process(self, data: bytes, declared_type: str | None = None, today: dt.date | None = None,
                password: str | None = None) -> Outcome:
        try:
            read = self.reader.read(data, declared_type, password=password)
        except DocumentError as exc:
            return self._refused(exc)
        return self._judged(read, today)

    def process_photos(self, photos: list[bytes], declared_type: str | None = None, today: dt.date | None = None,
                       claimed: list[int | None] | None = None) -> Outcome:
        """A document sent as several photos, one per page (:meth:`Reader.read_photos`)."""
        try:
            read = self.reader.read_photos(photos, declared_type, claimed)
        except DocumentError as exc:
            return self._refused(exc)
        return self._judged(read, today)

    def _refused(self, exc: DocumentError) -> Outcome:
        return Outcome(status=Status.REJECTED, documents=[], pages=[], engine=self._engine_info,
                       reject_code=exc.code, reject_reason=exc.detail or exc.message)

    def _judged(self, read: ReadResult, today: dt.date | None) -> Outcome:
        t = time.perf_counter()
        base = self.context(today)
        for doc in read.documents:
            if doc.doc_type == "unknown":
                doc.status = Status.REJECTED
                continue
            check(doc, base, companions=tuple(d for d in read.documents if d is not doc))
            self._judge_quality(doc)
        read.add_time("validate", time.perf_counter() - t)
        status = overall_status(read.documents)
        outcome = Outcome(status=status, documents=read.documents, pages=read.pages, engine=self._engine_info,
                          timings=read.timings)
        if status == Status.REJECTED:
            reason = next((d.reject_reason for d in read.documents if d.reject_reason), None)
            if reason is not None:
                outcome.reject_code = reason.value
                outcome.reject_reason = RETAKE_MESSAGES[reason][0]
        return outcome

    def _judge_quality(self, doc: ExtractedDocument) -> None:
        if doc.quality is None or not doc.quality.problems:
            return
        reason = doc.quality.problems[0]
        en, zh = RETAKE_MESSAGES[reason]
        wanted = [n for n in doctypes.get(doc.doc_type).field_names if n != "long_term"]
        unread = [n for n in wanted if n not in doc.fields
                  or doc.fields[n].confidence < self.settings.min_confidence]
        if unread or reason == RetakeReason.GLARE:  # glare hides text even where the rest reads well
            doc.reject_reason = reason
            doc.status = Status.REJECTED
            doc.findings.append(Finding.make("image_quality", Severity.ERROR, unread, en=en, zh=zh))
        else:
            doc.findings.append(Finding.make("image_quality", Severity.WARNING, [], en=en, zh=zh))
