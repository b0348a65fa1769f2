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


def run(settings: Settings, *, burst: bool = False, sweep_every_s: float = 30.0) -> None:
    migrate(settings.database_url)
    jobs.pipeline(settings)  # load the OCR models before the first job
    conn = queue.connection(settings)
    stop = threading.Event()
    if not burst:
        sweep(settings)
        threading.Thread(target=_sweep_forever, args=(settings, stop, sweep_every_s), daemon=True,
                         name="sweeper").start()
    try:
        SimpleWorker([queue.queue(settings)], connection=conn).work(burst=burst, logging_level="WARNING")
    finally:
        stop.set()
