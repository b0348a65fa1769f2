"""Accepting an upload: checks, blob, row, evidence, queue — the API's one entry point.

:func:`accept` refuses what can never be read (empty, too large, wrong format,
corrupt, encrypted, decompression bomb) before anything is stored, so the app
gets its answer at once; what it accepts is durable (blob fsynced, row and
``received`` event committed) before it is enqueued. If the enqueue fails the
202 still stands: the sweeper enqueues it later.

``Idempotency-Key`` is honoured per application: the same key with the same
bytes returns the first document; with different bytes it is a conflict.
"""

from __future__ import annotations

import hashlib
import logging
import re
import uuid

from pydantic import BaseModel
from redis.exceptions import RedisError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from extractors.admission import allowed_types, declarable_types, precheck
from extractors.errors import DocumentError, EmptyFile, FileTooLarge, IntakeError
from extractors.imaging import decode
from intake.job import queue
from intake.record import evidence
from intake.record.evidence import EventKind
from intake.review.corrections import NoSuchDocument
from intake.settings import Settings
from intake.storage.blobs import store_of
from intake.storage.db import DocState, Document, session_scope, utcnow
from intake.upload.committer import committer

log = logging.getLogger(__name__)
APPLICATION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")


class InvalidRequest(IntakeError):
    code = "invalid_request"
    message = "The request is not valid."
    message_zh = "请求无效。"
    http_status = 422


class UnknownDocumentType(InvalidRequest):
    code = "unknown_document_type"
    message = "The declared document type is not one this service reads."
    message_zh = "声明的文件类型不受支持。"


class IdempotencyConflict(IntakeError):
    code = "idempotency_conflict"
    message = "This Idempotency-Key was already used for a different file."
    message_zh = "该幂等键已用于另一个文件。"
    http_status = 409


class Accepted(BaseModel):
    document_id: str
    application_id: str
    state: str
    duplicate: bool = False


def _check_request(application_id: str, declared_type: str | None, idempotency_key: str | None) -> None:
    """What an upload's form and headers must be, before its bytes are looked at."""
    if not APPLICATION_ID.match(application_id):
        raise InvalidRequest("application_id must be 1-64 letters, digits, '_', '.', ':' or '-'")
    if declared_type:
        try:
            allowed_types(declared_type)
        except ValueError as exc:
            raise UnknownDocumentType(str(exc)) from exc
    if idempotency_key is not None and not (0 < len(idempotency_key) <= 128):
        raise InvalidRequest("Idempotency-Key must be 1-128 characters")


def accept(settings: Settings, *, application_id: str, data: bytes, filename: str | None = None,
           content_type: str | None = None, declared_type: str | None = None,
           idempotency_key: str | None = None, password: str | None = None) -> Accepted:
    _check_request(application_id, declared_type, idempotency_key)
    digest = hashlib.sha256(data).hexdigest()
    if idempotency_key:
        existing = _by_key(settings, application_id, idempotency_key, digest)
        if existing:
            return existing
    if not data:
        raise EmptyFile()
    if len(data) > settings.max_upload_bytes:
        raise FileTooLarge(f"{len(data)} bytes; the limit is {settings.max_upload_bytes}")
    content = _opened(data, password)
    fmt = precheck(content, max_pixels=settings.max_pixels, max_pdf_pages=settings.max_pdf_pages,
                   types=allowed_types(declared_type))

    blobs = store_of(settings)
    blobs.put(data, digest=digest)
    content_sha256 = None
    if content is not data:
        content_sha256 = hashlib.sha256(content).hexdigest()
        blobs.put(content, digest=content_sha256)
    document_id = uuid.uuid4().hex
    now = utcnow()
    row = {"id": document_id, "application_id": application_id, "idempotency_key": idempotency_key,
           "declared_type": declared_type, "filename": (filename or "")[:255] or None,
           "content_type": (content_type or "")[:128] or None, "size": len(data), "sha256": digest,
           "content_sha256": content_sha256, "state": DocState.QUEUED.value, "attempts": 0, "version": 0,
           "urgency": queue.urgency_of(fmt, declared_type) if settings.queue_by_urgency else queue.INTERACTIVE,
           "created_at": now, "updated_at": now}
    received = evidence.first_event(document_id, EventKind.RECEIVED, {
        "sha256": digest, "size": len(data), "content_type": content_type, "declared_type": declared_type}
        | ({"opened_with_password": True, "content_sha256": content_sha256} if content_sha256 else {}), at=now)
    try:
        committer(settings).commit(row, received)  # the row, its first event and its job, grouped with others
    except IntegrityError:
        # a concurrent request with the same Idempotency-Key won the race
        if idempotency_key and (existing := _by_key(settings, application_id, idempotency_key, digest)):
            return existing
        raise
    return Accepted(document_id=document_id, application_id=application_id, state=DocState.QUEUED.value)


class DocumentBusy(IntakeError):
    code = "document_busy"
    message = "The document is being read right now; send the page again in a few seconds."
    message_zh = "该文件正在识别中，请稍后再补充页面。"
    http_status = 409


PHOTO_FORMATS = frozenset(decode.IMAGE_FORMATS)


def _photo(settings: Settings, data: bytes, which: str) -> None:
    """Refuse, with the reason, a page of a document sent as photos that is not a readable photo."""
    if not data:
        raise EmptyFile(f"{which} is empty")
    if len(data) > settings.max_upload_bytes:
        raise FileTooLarge(f"{which}: {len(data)} bytes; the limit is {settings.max_upload_bytes}")
    fmt = precheck(data, max_pixels=settings.max_pixels, max_pdf_pages=settings.max_pdf_pages, types=[])
    if fmt not in PHOTO_FORMATS:
        raise InvalidRequest(f"{which} is a {fmt.upper()} file: several files make one document only when each "
                             "is a photo of one page")


def _part(data: bytes, page: int | None) -> dict[str, object]:
    return {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data), "page": page}


def accept_photos(settings: Settings, *, application_id: str, photos: list[bytes],
                  pages: list[int | None] | None = None, filename: str | None = None,
                  content_type: str | None = None, declared_type: str | None = None,
                  idempotency_key: str | None = None) -> Accepted:
    """One document sent as several photos, one per page (``pages``: the page number the app gave each, if
    any). Every photo is checked as an upload is; a photo sent twice is kept once. The document's ``sha256``
    is that of its photos' hashes in order (what an Idempotency-Key is compared with); each photo is its own
    blob, listed in ``parts`` and in the ``received`` event."""
    if len(photos) == 1 and not pages:
        return accept(settings, application_id=application_id, data=photos[0], filename=filename,
                      content_type=content_type, declared_type=declared_type, idempotency_key=idempotency_key)
    _check_request(application_id, declared_type, idempotency_key)
    pages = list(pages or [None] * len(photos))
    if len(pages) != len(photos):
        raise InvalidRequest(f"{len(pages)} page numbers for {len(photos)} photos")
    if len(photos) > settings.max_pdf_pages:
        raise InvalidRequest(f"{len(photos)} photos; a document has at most {settings.max_pdf_pages} pages")
    for i, data in enumerate(photos, start=1):
        _photo(settings, data, f"photo {i}")
    parts: list[dict[str, object]] = []
    for data, page in zip(photos, pages, strict=True):
        part = _part(data, page)
        if all(p["sha256"] != part["sha256"] for p in parts):
            parts.append(part)
    digest = hashlib.sha256("".join(str(p["sha256"]) for p in parts).encode()).hexdigest()
    if idempotency_key and (existing := _by_key(settings, application_id, idempotency_key, digest)):
        return existing
    blobs = store_of(settings)
    for data in photos:
        blobs.put(data)
    document_id = uuid.uuid4().hex
    now = utcnow()
    row = {"id": document_id, "application_id": application_id, "idempotency_key": idempotency_key,
           "declared_type": declared_type, "filename": (filename or "")[:255] or None,
           "content_type": (content_type or "")[:128] or None, "size": sum(int(str(p["size"])) for p in parts),
           "sha256": digest, "content_sha256": None, "parts": parts, "state": DocState.QUEUED.value, "attempts": 0,
           "version": 0, "urgency": queue.urgency_of("jpeg", declared_type) if settings.queue_by_urgency
           else queue.INTERACTIVE, "created_at": now, "updated_at": now}
    received = evidence.first_event(document_id, EventKind.RECEIVED, {
        "sha256": digest, "size": row["size"], "content_type": content_type, "declared_type": declared_type,
        "parts": parts, "repeated_photos": len(photos) - len(parts)}, at=now)
    try:
        committer(settings).commit(row, received)
    except IntegrityError:
        if idempotency_key and (existing := _by_key(settings, application_id, idempotency_key, digest)):
            return existing
        raise
    return Accepted(document_id=document_id, application_id=application_id, state=DocState.QUEUED.value)


def add_page(settings: Settings, *, application_id: str, document_id: str, data: bytes,
             page: int | None = None) -> Accepted:
    """A later photo of a document sent page by page (``continues=DOCUMENT_ID``): kept as its next part, with a
    ``page_added`` event; the document is read again with all its pages (a new version of its record when it
    had one). A photo it already has changes nothing. Refused while the document is being read (409, send it
    again) and for a document that is not photos."""
    _photo(settings, data, "the photo")
    part = _part(data, page)
    with session_scope(settings.database_url) as s:
        doc = s.get(Document, document_id, with_for_update=True)
        if doc is None or doc.application_id != application_id or doc.deleted_at is not None:
            raise NoSuchDocument()
        if doc.purged_at is not None:
            raise InvalidRequest("the document's files were removed by the retention policy; upload it anew")
        parts = list(doc.parts or [])
        if not parts:
            if doc.content_sha256 is not None or decode.sniff(store_of(settings).get(doc.sha256)) not in PHOTO_FORMATS:
                raise InvalidRequest("only a document of photos can be continued with more photos")
            parts = [{"sha256": doc.sha256, "size": doc.size, "page": None}]
        if any(p["sha256"] == part["sha256"] for p in parts):
            return Accepted(document_id=doc.id, application_id=doc.application_id, state=doc.state,
                            duplicate=True)
        if len(parts) >= settings.max_pdf_pages:
            raise InvalidRequest(f"the document has {len(parts)} pages, the most a document may have")
        if doc.state == DocState.PROCESSING.value:
            raise DocumentBusy()
        store_of(settings).put(data)
        doc.parts = [*parts, part]
        doc.size = sum(int(p["size"]) for p in doc.parts)
        reopened = DocState(doc.state).terminal
        if reopened:
            doc.state = DocState.QUEUED
            doc.review_decision = None
            doc.reviewed_by = None
            doc.reviewed_at = None
        evidence.append(s, doc.id, EventKind.PAGE_ADDED, part | {"part": len(doc.parts), "reopened": reopened})
        attempt, urgency, state = doc.attempts, doc.urgency or queue.INTERACTIVE, doc.state
    if reopened:
        try:
            queue.enqueue(settings, document_id, attempt, suffix="p", urgency=urgency)
        except (RedisError, OSError):  # Redis down: the document stays queued and the sweeper enqueues it
            log.warning("document %s: page added, its job not queued (the sweeper will)", document_id)
    return Accepted(document_id=document_id, application_id=application_id, state=state)


def _opened(data: bytes, password: str | None) -> bytes:
    """The bytes the pipeline will read: the upload, or an unprotected copy of a password-protected PDF
    opened with the password given. A password for a file that needs none is ignored."""
    if not password or not data or decode.sniff(data) != "pdf":
        return data
    from extractors import pdf  # pdfminer is 20 MB the API process needs only for a password-protected PDF

    if not pdf.is_encrypted(data):
        return data
    if len(password) > 128:
        raise InvalidRequest("password must be at most 128 characters")
    return pdf.decrypt(data, password)


def _by_key(settings: Settings, application_id: str, key: str, digest: str) -> Accepted | None:
    with session_scope(settings.database_url) as s:
        doc = s.scalars(select(Document).where(Document.application_id == application_id,
                                               Document.idempotency_key == key)).first()
        if doc is None:
            return None
        if doc.sha256 != digest:
            raise IdempotencyConflict()
        return Accepted(document_id=doc.id, application_id=doc.application_id, state=doc.state, duplicate=True)


__all__ = ["Accepted", "DocumentBusy", "DocumentError", "IdempotencyConflict", "InvalidRequest", "UnknownDocumentType",
           "accept", "accept_photos", "add_page", "declarable_types"]
