"""Group commit of accepted uploads: the rows of many concurrent uploads in one transaction, their jobs in one
Redis pipeline.

An upload is durable before its 202: the blob fsynced, the ``documents`` row and its ``received`` event
committed, the job queued. Done one upload at a time, each request holds a database connection for four round
trips and a commit, and a Redis connection for a MULTI/EXEC of its own; at concurrency 50 the upload threads
spent most of their time queueing for those. Here each process has one committer thread per database: a request
hands over its two rows and waits; the thread takes everything waiting (up to :data:`MAX_BATCH`), inserts it
with two multi-row INSERTs and one COMMIT, queues the jobs with :func:`intake.job.queue.enqueue_many`, and wakes the
requests. Under no load a batch is one upload and costs what it did before; under load the commit is shared.

Failure is per upload, never per batch: a batch the database refuses (an ``Idempotency-Key`` raced by a
concurrent request) is retried one upload per transaction, so only the upload at fault sees the error. Redis
down: the rows are committed and the sweeper queues them (as :func:`intake.upload.service.accept` always did). The
thread ends after :data:`IDLE_SECONDS` without work and starts again with the next upload.
"""

from __future__ import annotations

import logging
import os
import queue as stdqueue
import threading
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from intake.job import queue
from intake.settings import Settings
from intake.storage.db import Document, EvidenceEvent, get_engine

MAX_BATCH = 64
IDLE_SECONDS = 30.0
log = logging.getLogger(__name__)


@dataclass
class _Pending:
    document: dict[str, Any]
    event: dict[str, Any]
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None


class Committer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.waiting: stdqueue.SimpleQueue[_Pending] = stdqueue.SimpleQueue()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None

    def commit(self, document: dict[str, Any], event: dict[str, Any]) -> None:
        """Insert the document's row and its first evidence event, queue its job; returns once committed
        (raises what the database raised for this upload: IntegrityError for a raced Idempotency-Key)."""
        item = _Pending(document, event)
        self.waiting.put(item)
        with self.lock:
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, name="upload-committer", daemon=True)
                self.thread.start()
        item.done.wait()
        if item.error is not None:
            raise item.error

    def _run(self) -> None:
        while True:
            try:
                batch = [self.waiting.get(timeout=IDLE_SECONDS)]
            except stdqueue.Empty:
                with self.lock:
                    if self.waiting.empty():
                        self.thread = None
                        return
                continue
            while len(batch) < MAX_BATCH:
                try:
                    batch.append(self.waiting.get_nowait())
                except stdqueue.Empty:
                    break
            self._commit(batch)

    def _commit(self, batch: list[_Pending]) -> None:
        try:
            try:
                self._insert(batch)
            except IntegrityError:
                if len(batch) == 1:
                    raise
                for item in batch:  # one at a time: only the upload at fault gets the error
                    self._commit([item])
                return
        except BaseException as exc:  # handed to each waiting request, which raises it
            for item in batch:
                item.error = exc
                item.done.set()
            return
        try:
            queue.enqueue_many(self.settings, [(item.document["id"], item.document["urgency"]) for item in batch])
        except Exception as exc:  # Redis down: the rows are durable, the sweeper will enqueue them
            log.warning("%d documents stored but not enqueued (%s); the sweeper will retry", len(batch),
                        type(exc).__name__)
        for item in batch:
            item.done.set()

    def _insert(self, batch: list[_Pending]) -> None:
        with get_engine(self.settings.database_url).begin() as conn:
            conn.execute(insert(Document), [item.document for item in batch])
            conn.execute(insert(EvidenceEvent), [item.event for item in batch])


_committers: dict[tuple[int, str, str | None, str, str], Committer] = {}
_lock = threading.Lock()


def committer(settings: Settings) -> Committer:
    """This process's committer for the settings' database and queue."""
    key = (os.getpid(), settings.database_url, settings.redis_url, str(settings.data_dir), settings.queue_name)
    with _lock:
        found = _committers.get(key)
        if found is None:
            found = _committers[key] = Committer(settings)
        return found


__all__ = ["MAX_BATCH", "Committer", "committer"]
