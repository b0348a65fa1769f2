"""The sweeper: every accepted upload reaches a terminal state.

The database, not Redis, is the source of truth. A document that has been
``queued`` or ``processing`` for longer than ``stale_after_s`` lost its job —
Redis restarted, the worker died mid-job, the enqueue after the 202 failed —
and is enqueued again; one that has used up ``max_attempts`` ends as
``needs_review`` with a ``processing_failed`` finding. Workers run
:func:`sweep` periodically; running it twice, or on two workers, is harmless
(a job claims its document before working on it). It also enqueues the
webhook deliveries that are due (:mod:`intake.feed.forward`).
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import or_, select

from intake.feed import forward
from intake.job import queue
from intake.job.jobs import fail_for_review
from intake.operations import retention
from intake.record import evidence
from intake.record.evidence import EventKind
from intake.settings import Settings
from intake.storage.db import DocState, Document, session_scope, utcnow

log = logging.getLogger(__name__)


def sweep(settings: Settings, now: dt.datetime | None = None) -> list[str]:
    """Re-enqueue or finish stale documents; returns the ids it touched."""
    now = now or utcnow()
    cutoff = now - dt.timedelta(seconds=settings.stale_after_s)
    touched: list[str] = []
    waiting = queue.waiting_documents(settings)
    is_stale = (Document.state.in_([DocState.QUEUED.value, DocState.PROCESSING.value]),
                or_(Document.updated_at < cutoff, Document.updated_at.is_(None)))
    with session_scope(settings.database_url) as s:
        # a queued document whose job still waits behind a backlog is not lost: only the others are locked
        candidates = [doc_id for doc_id, state in s.execute(select(Document.id, Document.state).where(*is_stale))
                      if not (state == DocState.QUEUED.value and doc_id in waiting)][:100]
        stale = s.scalars(select(Document).where(Document.id.in_(candidates), *is_stale)
                          .with_for_update(skip_locked=True)).all() if candidates else []
        to_enqueue = []
        for doc in stale:
            touched.append(doc.id)
            if doc.attempts >= settings.max_attempts:
                fail_for_review(s, doc, "attempts_exhausted", settings)
                continue
            doc.state = DocState.QUEUED
            doc.updated_at = now
            evidence.append(s, doc.id, EventKind.RETRIED, {"reason": "stale", "attempt": doc.attempts})
            to_enqueue.append((doc.id, doc.attempts, doc.urgency or queue.INTERACTIVE))
    for doc_id, attempt, urgency in to_enqueue:
        try:
            queue.enqueue(settings, doc_id, attempt, suffix="r", urgency=urgency)
        except Exception as exc:  # the next sweep tries again
            log.warning("re-enqueue of %s failed: %s", doc_id, type(exc).__name__)
    if touched:
        log.info("sweeper touched %d stale documents", len(touched))
    forward.enqueue_due(settings, now)
    try:
        retention.purge(settings, now)
    except Exception as exc:  # the next round tries again
        log.warning("retention purge failed: %s", type(exc).__name__)
    return touched
