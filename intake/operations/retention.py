"""Keeping personal data no longer than needed: originals and page images purged by age, an application deleted
on its applicant's request (PIPL art. 47).

- **Purge** (:func:`purge`, in every worker's sweeper and ``docintake purge``): a finished document's upload
  and page images are deleted once older than its type's retention — ID cards (the holder's portrait, a
  sensitive biometric) ``DOCINTAKE_RETAIN_ID_CARD_DAYS`` (90), everything else
  ``DOCINTAKE_RETAIN_ORIGINALS_DAYS`` (unset: kept). The extracted record and the whole evidence chain stay;
  a ``purged`` event names the hashes of what was deleted, so ``docintake verify`` still proves the chain and
  knows those files are gone on purpose.
- **Delete** (:func:`delete_application`, ``DELETE /v1/applications/{id}``): every document of the
  application loses its files and its extracted fields (the record keeps only each document's type and status),
  every stored version is emptied the same way, and a ``deleted`` event — the tombstone — names the removed
  hashes and the digest of what is left. The audit log (reveals, sign-ins) is kept.

A file shared with a document that keeps it (the same bytes uploaded twice) is not deleted.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from intake.record import evidence
from intake.record.evidence import EventKind
from intake.settings import Settings
from intake.storage.blobs import Blobs, store_of
from intake.storage.db import DocState, Document, Page, RecordVersion, session_scope, utcnow

log = logging.getLogger(__name__)

ID_TYPES = {"id_card_front", "id_card_back"}
TERMINAL = [s.value for s in DocState if s.terminal]


def retention_days(settings: Settings, doc: Document) -> int | None:
    """How long this document's files are kept (None: no limit)."""
    types = {d.get("doc_type") for d in doc.result or []}
    if types & ID_TYPES or doc.declared_type in ("id_card", *ID_TYPES):
        return settings.retain_id_card_days
    return settings.retain_originals_days


def _files(s: Session, doc: Document) -> list[str]:
    pages = s.scalars(select(Page.sha256).where(Page.document_id == doc.id)).all()
    parts = [p["sha256"] for p in doc.parts or []]  # a document of photos: its own sha256 names no blob
    own = [] if parts else [doc.sha256, *([doc.content_sha256] if doc.content_sha256 else [])]
    return sorted({*own, *pages, *parts})


def _keeps(doc_id: str) -> ColumnElement[bool]:
    return (Document.purged_at.is_(None)) & (Document.deleted_at.is_(None)) & (Document.id != doc_id)


def _parts_kept(s: Session, doc_id: str) -> set[str]:
    """The photos of the other documents of photos that keep their files (read once per purged document)."""
    return {p["sha256"] for parts in s.scalars(select(Document.parts).where(_keeps(doc_id),
                                                                            Document.parts.is_not(None)))
            for p in parts or []}


def _still_needed(s: Session, digest: str, doc_id: str, parts_kept: set[str]) -> bool:
    """Whether a document that keeps its files holds this one too."""
    keeps = _keeps(doc_id)
    if s.scalar(select(Document.id).where(keeps, or_(Document.sha256 == digest,
                                                     Document.content_sha256 == digest)).limit(1)):
        return True
    if digest in parts_kept:
        return True
    return bool(s.scalar(select(Page.id).join(Document, Document.id == Page.document_id)
                         .where(keeps, Page.sha256 == digest).limit(1)))


def _remove(s: Session, blobs: Blobs, doc: Document) -> list[str]:
    removed = []
    parts_kept = _parts_kept(s, doc.id)
    for digest in _files(s, doc):
        if not _still_needed(s, digest, doc.id, parts_kept):
            blobs.delete(digest)
        removed.append(digest)
    return removed


def purge(settings: Settings, now: dt.datetime | None = None, limit: int = 200) -> list[str]:
    """Purge the files of finished documents past their retention; returns their ids."""
    now = now or utcnow()
    horizons = [d for d in (settings.retain_id_card_days, settings.retain_originals_days) if d is not None]
    if not horizons:
        return []
    oldest_kept = now - dt.timedelta(days=min(horizons))
    blobs, done = store_of(settings), []
    with session_scope(settings.database_url) as s:
        due = s.scalars(select(Document).where(
            Document.purged_at.is_(None), Document.deleted_at.is_(None), Document.state.in_(TERMINAL),
            Document.created_at < oldest_kept).order_by(Document.created_at).limit(limit)
            .with_for_update(skip_locked=True)).all()
        for doc in due:
            days = retention_days(settings, doc)
            created = doc.created_at if doc.created_at.tzinfo else doc.created_at.replace(tzinfo=dt.UTC)
            if days is None or created + dt.timedelta(days=days) > now:
                continue
            removed = _remove(s, blobs, doc)
            doc.purged_at = now
            evidence.append(s, doc.id, EventKind.PURGED, {"reason": "retention", "days": days, "removed": removed})
            done.append(doc.id)
    if done:
        log.info("retention: purged the files of %d documents", len(done))
    return done


def _tombstone(result: list[Any] | None) -> list[dict[str, Any]]:
    return [{"doc_type": d.get("doc_type", "unknown"), "status": d.get("status"), "fields": {}, "tables": {},
             "findings": [], "deleted": True} for d in result or []]


def delete_application(settings: Settings, application_id: str, who: str) -> list[str]:
    """Delete an application's files and personal fields on request; returns its document ids."""
    blobs, done = store_of(settings), []
    with session_scope(settings.database_url) as s:
        docs = s.scalars(select(Document).where(Document.application_id == application_id,
                                                Document.deleted_at.is_(None)).with_for_update()).all()
        for doc in docs:
            removed = _remove(s, blobs, doc)
            doc.result = _tombstone(doc.result)
            for version in s.scalars(select(RecordVersion).where(RecordVersion.document_id == doc.id)):
                version.result = _tombstone(version.result)
                version.changes = []
            doc.deleted_at = utcnow()
            if not DocState(doc.state).terminal:  # a job still queued finds nothing to read
                doc.state = DocState.REJECTED
                doc.reject_code, doc.reject_reason = "deleted", "deleted on the applicant's request"
            evidence.append(s, doc.id, EventKind.DELETED, {"requested_by": who, "removed": removed,
                                                           "result_sha256": evidence.result_digest(doc)})
            done.append(doc.id)
    return done
