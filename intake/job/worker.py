"""The worker process: OCR models loaded once, then many jobs, and the sweeper.

RQ's default ``Worker`` forks a child per job; a model loaded in the child is
loaded again for every job (seconds each — ``docintake bench worker`` measures
it), and ONNX Runtime's thread pools do not survive a fork reliably. So the
worker is a ``SimpleWorker``: jobs run in the process that loaded the
pipeline. Job time limits still hold (RQ's SIGALRM death penalty), and a
worker that dies mid-job loses nothing: the sweeper re-enqueues its document.
Run several worker processes for parallelism.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
import time
from typing import Any

import psutil
import redis
from rq import SimpleWorker

from intake.job import jobs, queue
from intake.job.queue import JOB_FUNC
from intake.job.recovery import sweep
from intake.settings import Settings
from intake.storage.db import migrate

log = logging.getLogger(__name__)


def _sweep_forever(settings: Settings, stop: threading.Event, every_s: float) -> None:
    while not stop.wait(every_s):
        try:
            sweep(settings)
        except Exception as exc:  # database blinked: try again next round
            log.warning("sweep failed: %s", type(exc).__name__)


EXIT_WATCHDOG = 70
"""The exit status of a worker its watchdog ended (EX_SOFTWARE)."""


class Watchdog:
    """The hard deadline behind RQ's: RQ's death penalty is a SIGALRM, whose handler Python runs only between
    bytecodes, so a job stuck in native code (a parser looping inside a C library, an OCR call that never
    returns) outlives it. A thread of the worker watches the job it is running; once the job is
    ``watchdog_grace_s`` past its deadline, the watchdog ends the document as ``needs_review``
    (``processing_timeout``) and then the process itself — the stuck thread cannot be stopped any other way —
    and ``serve`` starts a fresh worker."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.lock = threading.Lock()
        self.current: tuple[str | None, float] | None = None
        threading.Thread(target=self._watch, daemon=True, name="watchdog").start()

    def arm(self, document_id: str | None, timeout_s: float) -> None:
        with self.lock:
            self.current = (document_id, time.monotonic() + timeout_s + self.settings.watchdog_grace_s)

    def disarm(self) -> None:
        with self.lock:
            self.current = None

    def _watch(self) -> None:
        while True:
            time.sleep(0.5)
            with self.lock:
                current = self.current
            if current is None or time.monotonic() < current[1]:
                continue
            document_id = current[0]
            log.error("a job is %ss past its deadline and still running: ending %s and this worker",
                      self.settings.watchdog_grace_s, "its document" if document_id else "it")
            if document_id:
                try:
                    jobs.end_at_once(self.settings, document_id, "processing_timeout")
                except Exception as exc:  # the database is down too: the sweeper ends it later
                    log.error("could not end the document: %s", type(exc).__name__)
            os._exit(EXIT_WATCHDOG)


class PromptWorker(SimpleWorker):
    """RQ's ``SimpleWorker`` (jobs in the process that loaded the models) that leaves at once when told to, and
    ends a burst at once: RQ's own teardown stalled a burst for 60 s in one run of six (measured in
    ``docintake bench id-card``: 10 of 58 documents). Given a ``context`` (settings and pipeline), it hands it
    to every job it runs (:func:`intake.job.jobs.handing`)."""

    def __init__(self, *args: Any, context: jobs.JobContext | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.context = context

    def execute_job(self, job: Any, queue: Any) -> None:
        if self.context is None:
            super().execute_job(job, queue)
            return
        with jobs.handing(self.context):
            super().execute_job(job, queue)

    def unsubscribe(self) -> None:
        """Leave the worker's pub/sub channel without waiting a minute. RQ unsubscribes first and then joins its
        pub/sub thread, which by then waits for a subscription for its whole 60 s poll (redis-py's
        ``get_message``): an idle worker took up to a minute to stop on SIGTERM. Here the thread is told to stop
        first, so the UNSUBSCRIBE reply it reads lets it leave at once."""
        if self.pubsub_thread:
            self.pubsub_thread.stop(timeout=0)
            with contextlib.suppress(redis.RedisError, OSError):
                self.pubsub.unsubscribe()
            self.pubsub_thread.join(timeout=2)


class RecyclingWorker(PromptWorker):
    """A ``SimpleWorker`` that leaves before a job could take its memory over ``max_rss_bytes`` (and, through
    ``work(max_jobs=…)``, after so many jobs): ``serve`` starts a fresh one in its place. OCR services are known
    to grow — ONNX Runtime's arenas with every new input shape, PaddleOCR's CPU memory never returned.

    "Could": after each job the worker leaves if its memory plus the most one job has added so far would pass
    the budget, so the budget holds as a ceiling rather than being crossed by the job that notices it."""

    max_rss_bytes: int | None = None
    watchdog: Watchdog | None = None
    largest_growth: int = 0

    def execute_job(self, job: Any, queue: Any) -> None:
        if self.watchdog is not None:
            document_id = job.args[0] if job.func_name == JOB_FUNC and job.args else None
            self.watchdog.arm(document_id, job.timeout or self.watchdog.settings.job_timeout_s)
        before = psutil.Process().memory_info().rss
        try:
            super().execute_job(job, queue)
        finally:
            if self.watchdog is not None:
                self.watchdog.disarm()
        if self.max_rss_bytes is not None:
            rss = psutil.Process().memory_info().rss
            self.largest_growth = max(self.largest_growth, rss - before)
            if rss + self.largest_growth > self.max_rss_bytes:
                log.warning("worker at %d MiB, a job has added up to %d MiB, the budget is %d MiB: leaving to be "
                            "replaced", rss >> 20, self.largest_growth >> 20, self.max_rss_bytes >> 20)
                self._stop_requested = True


def main() -> int:
    """``python -m intake.job.worker``: one worker with the environment's settings (``serve`` starts these)."""
    from intake.settings import get_settings

    run(get_settings())
    return 0


def run(settings: Settings, *, burst: bool = False, sweep_every_s: float = 30.0,
        context: jobs.JobContext | None = None) -> None:
    """A worker until told to stop (or, with ``burst``, until the queues are empty), handing ``context`` — by
    default the settings and a pipeline it loads now — to every job."""
    migrate(settings.database_url)
    queue.check_eviction_policy(settings)
    context = context or jobs.JobContext(settings)
    context.pipeline()  # load the OCR models before the first job
    conn = queue.connection(settings)
    stop = threading.Event()
    if not burst:
        sweep(settings)
        threading.Thread(target=_sweep_forever, args=(settings, stop, sweep_every_s), daemon=True,
                         name="sweeper").start()
    try:
        worker = RecyclingWorker(queue.queues(settings), connection=conn, context=context)
        worker.max_rss_bytes = settings.worker_max_rss_mb << 20
        worker.watchdog = Watchdog(settings)
        worker.work(burst=burst, logging_level="WARNING", max_jobs=settings.worker_max_jobs)
    finally:
        stop.set()


if __name__ == "__main__":
    sys.exit(main())
