"""Models loaded once per worker, or once per job? RQ's forking Worker against ours.

``docintake bench worker [--jobs 4]`` queues the same ID photo N times and
drains the queue twice on the embedded (or configured) Redis: with RQ's default
``Worker`` (a fork per job; the child must load the OCR models) and with the
service's worker (``PromptWorker``, models loaded before the first job).
Prints seconds per job for both and the bare OCR call for scale.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from rq import Worker

from intake.job import jobs, queue
from intake.job.worker import PromptWorker
from intake.settings import Settings
from intake.storage.db import Document, migrate, session_scope
from intake.upload import service

SAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "samples"


def _drain(settings: Settings, worker_cls: type[Worker] | type[PromptWorker], n: int, data: bytes) -> float:
    ids = [service.accept(settings, application_id="bench-worker", data=data).document_id for _ in range(n)]
    t = time.perf_counter()
    worker_cls(queue.queues(settings), connection=queue.connection(settings)).work(burst=True,
                                                                                    logging_level="ERROR")
    elapsed = time.perf_counter() - t
    with session_scope(settings.database_url) as s:
        states = [s.get(Document, i).state for i in ids]  # type: ignore[union-attr]
    assert all(st in ("accepted", "needs_review", "rejected") for st in states), states
    return elapsed / n


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="docintake bench worker")
    p.add_argument("--jobs", type=int, default=4)
    p.add_argument("--image", type=Path, default=None)
    args = p.parse_args(argv)
    image = args.image or next(iter(sorted(SAMPLE.glob("*photo*.jpg"))), None)
    if image is None:
        print("no sample photo found; pass --image")
        return 1
    data = image.read_bytes()
    settings = Settings(data_dir=Path(tempfile.mkdtemp(prefix="bench-worker-")))
    settings.ensure_dirs()
    migrate(settings.database_url)

    # RQ's default: the parent never loads the models, every forked child does.
    jobs.configure(settings)  # RQ's forking Worker hands no context: the children use this, unloaded
    fork = _drain(settings, Worker, args.jobs, data)

    t = time.perf_counter()
    pipe = jobs.current().pipeline()
    load = time.perf_counter() - t
    simple = _drain(settings, PromptWorker, args.jobs, data)

    import cv2
    import numpy as np

    img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    bare = []
    for _ in range(args.jobs):
        t = time.perf_counter()
        pipe.engine.read(img)
        bare.append(time.perf_counter() - t)
    print(f"image: {image.name}, {args.jobs} jobs each")
    print(f"RQ Worker (fork per job, models load in each child): {fork:.2f} s/job")
    print(f"PromptWorker (models loaded once, {load:.2f} s):       {simple:.2f} s/job")
    print(f"bare OCR call on the whole photo:                     {statistics.median(bare):.2f} s")
    print(f"fork-per-job costs {fork / simple:.1f}x the preloaded worker")
    return 0
