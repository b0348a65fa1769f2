"""Building the document view from the tables — in one place."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.schemas import DocumentView, Evidence, EvidenceEventOut, PageRef
from intake import evidence
from intake.blobs import BlobStore
from intake.db import Document, Page
from intake.records import document_record


def document_view(s: Session, doc: Document, *, with_evidence: bool = True,
                  blobs: BlobStore | None = None) -> DocumentView:
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
    )
    if with_evidence:
        events = evidence.events_of(s, doc.id)
        report = evidence.verify(s, doc.id, blobs, events=events)
        view.evidence = Evidence(
            upload_sha256=doc.sha256, chain_ok=report.ok, problems=report.problems, engine=doc.engine,
            events=[EvidenceEventOut(seq=e.seq, kind=e.kind, at=e.at, payload=e.payload, prev_hash=e.prev_hash,
                                     hash=e.hash) for e in events])
    return view
