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

import logging
import threading
from typing import Any

import psutil
from rq import SimpleWorker

from intake import jobs, queue
from intake.db import migrate
from intake.recovery import sweep
from intake.settings import Settings

log = logging.getLogger(__name__)


def _sweep_forever(settings: Settings, stop: threading.Event, every_s: float) -> None:
    while not stop.wait(every_s):
        try:
            sweep(settings)
        except Exception as exc:  # database blinked: try again next round
            log.warning("sweep failed: %s", type(exc).__name__)


class RecyclingWorker(SimpleWorker):
    """A ``SimpleWorker`` that leaves after a job that took its memory above ``max_rss_bytes`` (and, through
    ``work(max_jobs=…)``, after so many jobs): ``serve`` starts a fresh one in its place. OCR services are known
    to grow — ONNX Runtime's arenas with every new input shape, PaddleOCR's CPU memory never returned."""

    max_rss_bytes: int | None = None

    def execute_job(self, job: Any, queue: Any) -> None:
        super().execute_job(job, queue)
        if self.max_rss_bytes is not None:
            rss = psutil.Process().memory_info().rss
            if rss > self.max_rss_bytes:
                log.warning("worker at %d MiB, over its %d MiB budget: leaving to be replaced", rss >> 20,
                            self.max_rss_bytes >> 20)
                self._stop_requested = True


def run(settings: Settings, *, burst: bool = False, sweep_every_s: float = 30.0) -> None:
    migrate(settings.database_url)
    queue.check_eviction_policy(settings)
    jobs.pipeline(settings)  # load the OCR models before the first job
    conn = queue.connection(settings)
    stop = threading.Event()
    if not burst:
        sweep(settings)
        threading.Thread(target=_sweep_forever, args=(settings, stop, sweep_every_s), daemon=True,
                         name="sweeper").start()
    try:
        worker = RecyclingWorker([queue.queue(settings)], connection=conn)
        worker.max_rss_bytes = settings.worker_max_rss_mb << 20
        worker.work(burst=burst, logging_level="WARNING", max_jobs=settings.worker_max_jobs)
    finally:
        stop.set()
