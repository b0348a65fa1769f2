"""Queues by urgency: an ID photo is read before statements queued earlier; the sweeper re-queues a document
where it belongs; /metrics and /healthz say what waits where and which workers are alive."""

from __future__ import annotations

import datetime as dt

from intake.job import jobs, queue
from intake.job.pipeline import Pipeline
from intake.job.recovery import sweep
from intake.job.worker import PromptWorker
from intake.settings import Settings
from intake.storage.db import Document, session_scope
from intake.upload import service
from tests.conftest import api, sample


def _urgency(settings: Settings, doc_id: str) -> str | None:
    with session_scope(settings.database_url) as s:
        doc = s.get(Document, doc_id)
        assert doc is not None
        return doc.urgency


def test_photos_are_interactive_and_pdfs_batch(settings: Settings) -> None:
    photo = service.accept(settings, application_id="app-q", data=sample("front-photo-1.jpg").read_bytes())
    statement = service.accept(settings, application_id="app-q",
                               data=sample("statements", "digital-icbc.pdf").read_bytes())
    assert (_urgency(settings, photo.document_id), _urgency(settings, statement.document_id)) == (
        "interactive", "batch")
    assert queue.queue(settings, "interactive").get_job_ids() == [f"doc-{photo.document_id}-0"]
    assert queue.queue(settings, "batch").get_job_ids() == [f"doc-{statement.document_id}-0"]


def test_a_photo_uploaded_after_statements_is_read_before_them(settings: Settings, pipeline: Pipeline) -> None:
    jobs.configure(settings, pipeline)
    statements = [service.accept(settings, application_id="app-q", data=sample(
        "statements", name).read_bytes()).document_id for name in ("digital-icbc.pdf", "digital-ccb.pdf",
                                                                   "digital-abc.pdf")]
    photo = service.accept(settings, application_id="app-q",
                           data=sample("front-photo-1.jpg").read_bytes()).document_id
    PromptWorker(queue.queues(settings), connection=queue.connection(settings)).work(burst=True)
    with session_scope(settings.database_url) as s:
        started = {d: s.get(Document, d).started_at for d in [*statements, photo]}  # type: ignore[union-attr]
    assert all(started[photo] < started[d] for d in statements), started  # type: ignore[operator]


def test_the_sweeper_requeues_a_lost_job_in_its_own_queue(settings: Settings) -> None:
    doc_id = service.accept(settings, application_id="app-q",
                            data=sample("statements", "digital-abc.pdf").read_bytes()).document_id
    queue.queue(settings, "batch").empty()  # Redis lost it
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=settings.stale_after_s + 1)
    assert sweep(settings, now=later) == [doc_id]
    assert queue.queue(settings, "interactive").count == 0
    [job_id] = queue.queue(settings, "batch").get_job_ids()
    assert job_id.startswith(f"doc-{doc_id}-0r")


def test_metrics_show_each_queue_and_its_oldest_job(settings: Settings) -> None:
    service.accept(settings, application_id="app-q", data=sample("statements", "digital-abc.pdf").read_bytes())
    client = api(settings)
    text = client.get("/metrics").text
    assert 'docintake_queue_depth{queue="batch"} 1.0' in text
    assert 'docintake_queue_depth{queue="interactive"} 0.0' in text
    [line] = [x for x in text.splitlines() if x.startswith('docintake_queue_oldest_job_seconds{queue="batch"}')]
    assert 0 <= float(line.split()[-1]) < 60
    assert client.get("/healthz").json()["workers_seen_last_minute"] == 0


def test_a_document_waiting_behind_a_backlog_is_not_queued_twice(settings: Settings) -> None:
    """Past DOCINTAKE_STALE_AFTER_S but its job still in the queue: waiting, not lost — no second job, no
    `retried` event. Once the job is gone (Redis lost it), the sweeper queues it again."""
    doc_id = service.accept(settings, application_id="app-q",
                            data=sample("statements", "digital-abc.pdf").read_bytes()).document_id
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=settings.stale_after_s + 1)
    assert sweep(settings, now=later) == []
    assert queue.queue(settings, "batch").count == 1
    queue.queue(settings, "batch").empty()
    assert sweep(settings, now=later) == [doc_id]
    assert queue.queue(settings, "batch").count == 1
