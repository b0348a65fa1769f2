"""Building the document view from the tables, and finding a page image — in one place."""

from __future__ import annotations

import hashlib

from fastapi import HTTPException
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.schemas import DocumentView, Evidence, EvidenceEventOut, PageRef, ReviewDecision
from intake.record import evidence
from intake.record.records import document_record
from intake.storage.blobs import BlobAltered, BlobNotFound, Blobs
from intake.storage.db import Document, Page


def document_view(s: Session, doc: Document, *, with_evidence: bool = True,
                  blobs: Blobs | None = None) -> DocumentView:
    pages = s.scalars(select(Page).where(Page.document_id == doc.id).order_by(Page.number)).all()
    view = DocumentView(
        id=doc.id, application_id=doc.application_id, state=doc.state, version=doc.version,
        reject_code=doc.reject_code,
        reject_reason=doc.reject_reason, declared_type=doc.declared_type, sha256=doc.sha256, size=doc.size,
        created_at=doc.created_at, finished_at=doc.finished_at,
        documents=[document_record(d) for d in doc.result or []],
        pages=[PageRef(number=p.number, url=f"/v1/documents/{doc.id}/pages/{p.number}", sha256=p.sha256,
                       width=p.width, height=p.height) for p in pages],
        timings=doc.timings,
        review=ReviewDecision(decision=doc.review_decision, by=doc.reviewed_by or "", at=doc.reviewed_at)
        if doc.review_decision and doc.reviewed_at else None,
    )
    if with_evidence:
        events = evidence.events_of(s, doc.id)
        report = evidence.verify(s, doc.id, blobs, events=events, deep=False)
        view.evidence = Evidence(
            upload_sha256=doc.sha256, chain_ok=report.ok, problems=report.problems, engine=doc.engine,
            events=[EvidenceEventOut(seq=e.seq, kind=e.kind, at=e.at, payload=e.payload, prev_hash=e.prev_hash,
                                     hash=e.hash) for e in events])
    return view


def page_image(s: Session, blobs: Blobs, document_id: str, number: int) -> tuple[bytes, str]:
    """The stored PNG of a page and its sha256; 404 ``page_not_found`` when there is none."""
    page = s.query(Page).filter_by(document_id=document_id, number=number).first()
    if page is None:
        raise HTTPException(404, detail="page_not_found")
    doc = s.get(Document, document_id)
    if doc is not None and (doc.purged_at or doc.deleted_at):
        raise HTTPException(410, detail="page_purged")
    try:
        data = blobs.get(page.sha256)
    except BlobNotFound as exc:
        raise HTTPException(404, detail="page_not_found") from exc
    except BlobAltered as exc:
        raise HTTPException(409, detail="page_altered") from exc
    if hashlib.sha256(data).hexdigest() != page.sha256:  # never serve an altered image as the evidence
        raise HTTPException(409, detail="page_altered")
    return data, page.sha256
