"""The worker's jobs: take a document id, reload what is needed, process, store.

``process_document`` is the RQ job. It claims the row (``queued`` →
``processing``), reads the blob, runs the :class:`~intake.job.pipeline.Pipeline`
(loaded once per worker process, see :func:`pipeline`), and writes pages,
result, state, evidence events and the feed entry in one transaction, so a
record is never half-written. A claim that finds the document already
finished does nothing, so running a job twice is harmless.

A :class:`~extractors.errors.ServiceError` (OCR or storage unavailable) puts
the document back to ``queued`` for the sweeper (:mod:`intake.job.recovery`) to
enqueue again; after ``max_attempts`` it ends as ``needs_review``.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import gc
import logging
import os
import socket
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from rq.timeouts import JobTimeoutException
from sqlalchemy import delete
from sqlalchemy.orm import Session

from extractors.errors import ServiceError, StorageUnavailable
from extractors.models import Finding, Severity, Status
from intake.feed import forward
from intake.feed.forward import add_to_feed
from intake.job.judging import judged_on
from intake.job.pipeline import Outcome, Pipeline
from intake.record import evidence
from intake.record.evidence import EventKind
from intake.settings import Settings, get_settings
from intake.storage.blobs import BlobNotFound, Blobs, store_of
from intake.storage.db import DocState, Document, Page, RecordVersion, session_scope, utcnow

log = logging.getLogger(__name__)


@dataclass
class JobContext:
    """What a job works with: the settings and the pipeline (its OCR models load on first use). A worker holds
    one and hands it to each job it runs (:func:`handing`); RQ calls a job with its arguments only."""

    settings: Settings
    _pipeline: Pipeline | None = None

    def pipeline(self) -> Pipeline:
        if self._pipeline is None:
            self._pipeline = Pipeline(self.settings)
            # the models' many long-lived objects out of the collector's sight: every collection during a job
            # walked them (measured: statement parsing 29 → 32.5 pages/s in a worker with the models loaded)
            gc.freeze()
        return self._pipeline


_HANDED: contextvars.ContextVar[JobContext | None] = contextvars.ContextVar("job_context", default=None)
_fallback: list[JobContext] = []
"""For a worker that hands nothing (RQ's own, a test's plain worker): one context of the environment's settings,
or what :func:`configure` set."""


@contextlib.contextmanager
def handing(context: JobContext) -> Iterator[None]:
    """Run the jobs started inside with ``context`` (the worker wraps each job in it)."""
    token = _HANDED.set(context)
    try:
        yield
    finally:
        _HANDED.reset(token)


def current() -> JobContext:
    """The context the running job was handed, else the process's fallback."""
    handed = _HANDED.get()
    if handed is not None:
        return handed
    if not _fallback:
        _fallback.append(JobContext(get_settings()))
    return _fallback[0]


def configure(settings: Settings, pipe: Pipeline | None = None) -> None:
    """The fallback context of this process — for workers that hand none: tests and embedded runs that drive a
    plain worker. The service's workers hand their own (:func:`intake.job.worker.run`)."""
    _fallback[:] = [JobContext(settings, pipe)]


def process_document(document_id: str) -> str:
    """The RQ job: a document id in, its terminal state out; then its record is pushed where a webhook is set."""
    ctx = current()
    state = process(ctx.settings, ctx.pipeline(), document_id)
    forward.enqueue_due(ctx.settings)
    return state


def deliver_record(delivery_id: int) -> str:
    """The RQ job pushing one finished record to the webhook (:mod:`intake.feed.forward`)."""
    return forward.deliver(current().settings, delivery_id)


def _claim(settings: Settings, document_id: str,
           ) -> tuple[str, str | None, dt.date | None, int, list[dict[str, Any]] | None] | None:
    """Take the document for this attempt. The attempt number is the claim's fencing token: whatever this job
    writes later is written only while the document is still held by this attempt, so a worker cut off from
    the database while the sweeper gave the document to another cannot overwrite it when it comes back."""
    with session_scope(settings.database_url) as s:
        doc = s.get(Document, document_id, with_for_update=True)
        if doc is None or doc.state != DocState.QUEUED.value:
            return None
        doc.state = DocState.PROCESSING
        doc.attempts += 1
        doc.started_at = utcnow()
        evidence.append(s, document_id, EventKind.STARTED,
                        {"attempt": doc.attempts, "worker": f"{socket.gethostname()}:{os.getpid()}"})
        return (doc.content_sha256 or doc.sha256, doc.declared_type, judged_on(settings, doc.created_at), doc.attempts,
                list(doc.parts) if doc.parts else None)


def process(settings: Settings, pipe: Pipeline, document_id: str) -> str:
    claimed = _claim(settings, document_id)
    if claimed is None:
        log.info("document %s: not queued, nothing to do", document_id)
        return "skipped"
    sha256, declared_type, today, attempt, parts = claimed
    started = time.perf_counter()
    blobs = store_of(settings)
    try:
        try:
            if parts:
                photos = [blobs.get(p["sha256"]) for p in parts]
            else:
                data = blobs.get(sha256)
        except BlobNotFound as exc:
            raise StorageUnavailable("the stored upload is missing from the blob store") from exc
        if parts:
            outcome = pipe.process_photos(photos, declared_type, today=today, claimed=[p.get("page") for p in parts])
        else:
            outcome = pipe.process(data, declared_type, today=today)
        page_hashes = [_store_page(blobs, p.image) for p in outcome.pages]
    except ServiceError as exc:
        log.warning("document %s: %s; back to the queue", document_id, exc.code)
        _requeue_after_service_error(settings, document_id, exc.code, attempt)
        raise
    except JobTimeoutException:
        log.warning("document %s: over its %ss deadline", document_id, settings.job_timeout_s)
        return end_at_once(settings, document_id, "processing_timeout", attempt)
    except Exception as exc:  # a file that breaks a library in a way nobody foresaw, or a bug of ours
        where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
        log.error("document %s: unexpected %s at %s:%s", document_id, type(exc).__name__,
                  where.filename.rsplit("/", 1)[-1] if where else "?", where.lineno if where else "?")
        return end_at_once(settings, document_id, f"unexpected_error:{type(exc).__name__}", attempt)
    outcome.timings["total"] = round(time.perf_counter() - started, 4)
    finish(settings, document_id, outcome, page_hashes, attempt)
    log.info("document %s: %s in %.2fs", document_id, outcome.status.value, outcome.timings["total"])
    return outcome.status.value


def _store_page(blobs: Blobs, image: np.ndarray) -> tuple[str, int, int]:
    """Store a page image as PNG; returns its sha256, width and height."""
    ok, png = cv2.imencode(".png", image)
    if not ok:
        raise ServiceError("page image could not be encoded")
    h, w = image.shape[:2]
    return blobs.put(png.tobytes()), w, h


def _held(doc: Document | None, attempt: int | None) -> bool:
    """Still processing, and (with ``attempt``) by this attempt."""
    return doc is not None and doc.state == DocState.PROCESSING.value and attempt in (None, doc.attempts)


def finish(settings: Settings, document_id: str, outcome: Outcome, page_hashes: list[tuple[str, int, int]],
           attempt: int | None = None) -> None:
    """Write everything the outcome says, with its evidence, in one transaction — if the document is still this
    attempt's (``attempt``; None: whoever holds it)."""
    with session_scope(settings.database_url) as s:
        doc = s.get(Document, document_id, with_for_update=True)
        if not _held(doc, attempt):
            log.warning("document %s: no longer held by attempt %s; its result is dropped", document_id, attempt)
            return
        assert doc is not None
        s.execute(delete(Page).where(Page.document_id == document_id))
        for number, (digest, w, h) in enumerate(page_hashes, start=1):
            s.add(Page(document_id=document_id, number=number, sha256=digest, width=w, height=h))
        evidence.append(s, document_id, EventKind.READ, {
            "pages": [{"number": n, "sha256": d} for n, (d, _, _) in enumerate(page_hashes, start=1)],
            "engine": outcome.engine.model_dump() if outcome.engine else None,
            "timings": outcome.timings,
        })
        evidence.append(s, document_id, EventKind.VALIDATED, {
            "documents": [{"type": d.doc_type, "status": d.status.value if d.status else None,
                           "rules": sorted({f.rule for f in d.findings})} for d in outcome.documents],
        })
        doc.result = outcome.documents_json()
        doc.state = DocState(outcome.status.value)
        doc.reject_code = outcome.reject_code
        doc.reject_reason = outcome.reject_reason
        doc.timings = outcome.timings
        doc.engine = outcome.engine.model_dump() if outcome.engine else None
        doc.finished_at = utcnow()
        evidence.append(s, document_id, EventKind.FINISHED,
                        {"state": doc.state, "result_sha256": evidence.result_digest(doc)})
        record_version(s, doc)
        add_to_feed(s, doc, settings)


def record_version(s: Session, doc: Document) -> None:
    """The pipeline's version of the record (in the finishing transaction): 1, or the next one when the document
    was read again (a page added to a document sent page by page)."""
    doc.version = (doc.version or 0) + 1
    s.add(RecordVersion(document_id=doc.id, version=doc.version, source="pipeline", action="extracted", author=None,
                        changes=None, state=doc.state, result=doc.result, result_sha256=evidence.result_digest(doc)))


def _requeue_after_service_error(settings: Settings, document_id: str, code: str, attempt: int | None = None) -> None:
    with session_scope(settings.database_url) as s:
        doc = s.get(Document, document_id, with_for_update=True)
        if not _held(doc, attempt):
            return
        assert doc is not None
        if doc.attempts >= settings.max_attempts:
            fail_for_review(s, doc, code, settings)
        else:
            doc.state = DocState.QUEUED
            evidence.append(s, document_id, EventKind.RETRIED, {"reason": code, "attempt": doc.attempts})


def end_at_once(settings: Settings, document_id: str, code: str, attempt: int | None = None) -> str:
    """An error that a retry would only repeat (a deadline passed, an unforeseen exception): the document ends
    now as ``needs_review`` — never left ``processing`` for the sweeper to find three times over. The message
    names the error's type, never its text (which may quote the file)."""
    with session_scope(settings.database_url) as s:
        doc = s.get(Document, document_id, with_for_update=True)
        if not _held(doc, attempt):
            return "skipped"
        assert doc is not None
        fail_for_review(s, doc, code, settings)
    return Status.NEEDS_REVIEW.value


def fail_for_review(s: Session, doc: Document, code: str, settings: Settings) -> None:
    """A person must look (out of attempts, or an error no retry mends). The upload is kept; nothing is lost."""
    rule = "processing_timeout" if code == "processing_timeout" else "processing_failed"
    doc.result = [{"doc_type": "unknown", "status": Status.NEEDS_REVIEW.value, "fields": {}, "findings": [
        Finding.make(rule, Severity.ERROR, [],
                     en=f"The document could not be processed ({code}, attempt {doc.attempts}); a person must "
                        "look at it.",
                     zh=f"文件未能处理（{code}，第 {doc.attempts} 次尝试），需人工审核。").model_dump(mode="json")]}]
    doc.state = DocState.NEEDS_REVIEW
    doc.finished_at = dt.datetime.now(dt.UTC)
    evidence.append(s, doc.id, EventKind.FINISHED, {"state": doc.state, "result_sha256": evidence.result_digest(doc)})
    record_version(s, doc)
    add_to_feed(s, doc, settings)
