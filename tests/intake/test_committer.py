"""The upload path's group commit (:mod:`intake.upload.committer`): concurrent uploads share a transaction and a Redis
pipeline, and still each get their own row, their own first evidence event, their own job and their own error."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from fixtures.variants import distinct
from intake.job import queue
from intake.record import evidence
from intake.settings import Settings
from intake.storage.db import Document, EvidenceEvent, session_scope
from intake.upload import committer as committer_module
from intake.upload import service
from tests.conftest import sample

PHOTO = sample("front-photo-1.jpg").read_bytes()


def _variant(n: int) -> bytes:
    return distinct(PHOTO, f"c-{n}")


def test_concurrent_uploads_are_committed_in_shared_batches_and_each_is_whole(
        settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    batches: list[int] = []
    real_insert = committer_module.Committer._insert

    def counting(self: committer_module.Committer, batch: list) -> None:  # type: ignore[type-arg]
        batches.append(len(batch))
        real_insert(self, batch)

    monkeypatch.setattr(committer_module.Committer, "_insert", counting)
    start = threading.Barrier(24)

    def upload(n: int) -> str:
        start.wait()
        return service.accept(settings, application_id="app-batch", data=_variant(n)).document_id

    with ThreadPoolExecutor(24) as pool:
        ids = list(pool.map(upload, range(24)))

    assert len(set(ids)) == 24
    assert sum(batches) == 24 and max(batches) > 1, batches  # at least one commit was shared
    with session_scope(settings.database_url) as s:
        assert s.scalar(select(func.count()).select_from(Document).where(
            Document.application_id == "app-batch")) == 24
        for document_id in ids:
            report = evidence.verify(s, document_id, deep=False)
            assert report.events == 1 and not [p for p in report.problems if "chain" in p], report
    jobs = set(queue.queue(settings).get_job_ids())
    assert {f"doc-{i}-0" for i in ids} <= jobs


def test_a_raced_idempotency_key_fails_only_its_own_upload(settings: Settings) -> None:
    """Eight requests carry the same key and file at once, eight others distinct files: one document for the
    key (the others get it back as a duplicate), and every distinct file stored."""
    start = threading.Barrier(16)

    def upload(n: int) -> service.Accepted:
        start.wait()
        if n < 8:
            return service.accept(settings, application_id="app-race", data=PHOTO, idempotency_key="same")
        return service.accept(settings, application_id="app-race", data=_variant(100 + n))

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(upload, range(16)))

    keyed = results[:8]
    assert len({r.document_id for r in keyed}) == 1
    assert sum(not r.duplicate for r in keyed) == 1
    assert len({r.document_id for r in results[8:]}) == 8
    with session_scope(settings.database_url) as s:
        assert s.scalar(select(func.count()).select_from(Document).where(
            Document.application_id == "app-race")) == 9
        assert s.scalar(select(func.count()).select_from(EvidenceEvent).join(
            Document, Document.id == EvidenceEvent.document_id).where(Document.application_id == "app-race")) == 9


def test_redis_down_leaves_the_rows_committed_for_the_sweeper(settings: Settings) -> None:
    down = settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"})  # nothing listens there
    accepted = service.accept(down, application_id="app-noredis", data=_variant(7))
    with session_scope(settings.database_url) as s:
        doc = s.get(Document, accepted.document_id)
        assert doc is not None and doc.state == "queued"
    assert f"doc-{accepted.document_id}-0" not in queue.queue(settings).get_job_ids()
