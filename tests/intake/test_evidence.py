"""The evidence chain proves itself, and an edit anywhere breaks the proof."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import select, update

from extractors.models import ExtractedDocument, Field, Source, Status
from extractors.reader import PageImage
from intake.job import jobs
from intake.job.pipeline import Outcome
from intake.record import evidence
from intake.settings import Settings
from intake.storage.blobs import store_of
from intake.storage.db import Document, EvidenceEvent, session_scope
from intake.upload import service


def _png(w: int = 64, h: int = 40) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.full((h, w, 3), 200, np.uint8)).save(buf, "PNG")
    return buf.getvalue()


def _finished_document(settings: Settings) -> str:
    acc = service.accept(settings, application_id="app-evidence", data=_png())
    assert jobs._claim(settings, acc.document_id) is not None
    doc = ExtractedDocument(doc_type="id_card_back", status=Status.ACCEPTED, fields={
        "issuer": Field(value="某市公安局", raw="某市公安局", confidence=0.99, source=Source.OCR, bbox=(1, 2, 30, 12))})
    page = np.full((40, 64, 3), 128, np.uint8)
    outcome = Outcome(status=Status.ACCEPTED, documents=[doc], pages=[PageImage(1, page, "card")], engine=None)
    hashes = [jobs._store_page(store_of(settings), page)]
    jobs.finish(settings, acc.document_id, outcome, hashes)
    return acc.document_id


def _verify(settings: Settings, doc_id: str) -> evidence.VerifyReport:
    with session_scope(settings.database_url) as s:
        return evidence.verify(s, doc_id, store_of(settings))


def test_untouched_chain_verifies(settings: Settings) -> None:
    doc_id = _finished_document(settings)
    report = _verify(settings, doc_id)
    assert report.ok, report.problems
    with session_scope(settings.database_url) as s:
        kinds = s.scalars(select(EvidenceEvent.kind).where(EvidenceEvent.document_id == doc_id)
                          .order_by(EvidenceEvent.seq)).all()
    assert kinds == ["received", "started", "read", "validated", "finished"]


def test_editing_a_stored_value_is_detected(settings: Settings) -> None:
    doc_id = _finished_document(settings)
    with session_scope(settings.database_url) as s:
        doc = s.get(Document, doc_id)
        assert doc is not None
        edited = [dict(d) for d in doc.result or []]
        edited[0]["fields"] = {**edited[0]["fields"], "issuer": {**edited[0]["fields"]["issuer"], "value": "别的分局"}}
        s.execute(update(Document).where(Document.id == doc_id).values(result=edited))
    report = _verify(settings, doc_id)
    assert not report.ok
    assert any("stored result differs" in p for p in report.problems)


def test_editing_an_event_breaks_the_chain(settings: Settings) -> None:
    doc_id = _finished_document(settings)
    with session_scope(settings.database_url) as s:
        s.execute(update(EvidenceEvent).where(EvidenceEvent.document_id == doc_id, EvidenceEvent.seq == 2)
                  .values(at="2020-01-01T00:00:00.000000+00:00"))
    report = _verify(settings, doc_id)
    assert not report.ok
    assert any("event 2" in p and "hash" in p for p in report.problems)


def test_deleting_an_event_breaks_the_chain(settings: Settings) -> None:
    doc_id = _finished_document(settings)
    with session_scope(settings.database_url) as s:
        s.query(EvidenceEvent).filter_by(document_id=doc_id, seq=3).delete()
    report = _verify(settings, doc_id)
    assert not report.ok
    assert any("missing" in p or "does not link" in p for p in report.problems)


def test_replacing_a_page_image_is_detected(settings: Settings) -> None:
    doc_id = _finished_document(settings)
    with session_scope(settings.database_url) as s:
        page = s.scalars(select(evidence.Page).where(evidence.Page.document_id == doc_id)).one()
        path = store_of(settings).path(page.sha256)
    path.write_bytes(b"not the page")
    report = _verify(settings, doc_id)
    assert any("page 1" in p for p in report.problems)


@pytest.mark.parametrize("kind", ["received", "finished"])
def test_event_hash_covers_payload(settings: Settings, kind: str) -> None:
    doc_id = _finished_document(settings)
    with session_scope(settings.database_url) as s:
        ev = s.scalars(select(EvidenceEvent).where(EvidenceEvent.document_id == doc_id,
                                                   EvidenceEvent.kind == kind)).one()
        s.execute(update(EvidenceEvent).where(EvidenceEvent.id == ev.id)
                  .values(payload={**ev.payload, "sha256": "0" * 64, "result_sha256": "0" * 64}))
    assert not _verify(settings, doc_id).ok


def test_a_worker_that_lost_its_claim_cannot_write_its_result(settings: Settings) -> None:
    """Attempt 1's worker is cut off from the database; the sweeper hands the document to attempt 2. When attempt
    1 comes back with its result, the document is no longer its own: nothing is written, once in the feed."""
    from sqlalchemy import func, select

    from intake.storage.db import Document, EvidenceEvent, FeedEntry

    acc = service.accept(settings, application_id="app-fence", data=_png())
    first = jobs._claim(settings, acc.document_id)
    assert first is not None and first[3] == 1
    with session_scope(settings.database_url) as s:  # what the sweeper does with a stale claim
        doc = s.get(Document, acc.document_id)
        assert doc is not None
        doc.state = "queued"
    second = jobs._claim(settings, acc.document_id)
    assert second is not None and second[3] == 2
    doc_out = ExtractedDocument(doc_type="id_card_back", status=Status.ACCEPTED, fields={
        "issuer": Field(value="某市公安局", raw="某市公安局", confidence=0.99, source=Source.OCR, bbox=(1, 2, 30, 12))})
    page = np.full((40, 64, 3), 128, np.uint8)
    outcome = Outcome(status=Status.ACCEPTED, documents=[doc_out], pages=[PageImage(1, page, "card")], engine=None)
    hashes = [jobs._store_page(store_of(settings), page)]
    jobs.finish(settings, acc.document_id, outcome, hashes, attempt=1)  # the late one
    assert jobs.end_at_once(settings, acc.document_id, "processing_timeout", attempt=1) == "skipped"
    with session_scope(settings.database_url) as s:
        doc = s.get(Document, acc.document_id)
        assert doc is not None and (doc.state, doc.attempts, doc.result) == ("processing", 2, None)
    jobs.finish(settings, acc.document_id, outcome, hashes, attempt=2)
    with session_scope(settings.database_url) as s:
        assert s.scalar(select(func.count()).select_from(FeedEntry).where(
            FeedEntry.document_id == acc.document_id)) == 1
        assert s.scalar(select(func.count()).select_from(EvidenceEvent).where(
            EvidenceEvent.document_id == acc.document_id, EvidenceEvent.kind == "finished")) == 1
    assert _verify(settings, acc.document_id).ok
