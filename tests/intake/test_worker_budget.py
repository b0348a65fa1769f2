"""A worker leaves after ``worker_max_jobs`` jobs, or after a job that took it over ``worker_max_rss_mb``; a
Redis that would evict queued jobs is refused at start."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from intake.job import jobs, queue
from intake.job.pipeline import Pipeline
from intake.job.worker import RecyclingWorker
from intake.settings import Settings
from intake.upload import service


def photo(seed: int) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.random.default_rng(seed).integers(0, 255, (120, 160, 3), dtype=np.uint8)).save(buf, "JPEG")
    return buf.getvalue()


def _three_jobs(settings: Settings, pipeline: Pipeline) -> None:
    jobs.configure(settings, pipeline)
    for i in range(3):
        service.accept(settings, application_id="app-budget", data=photo(i))


def test_a_worker_leaves_after_its_jobs(settings: Settings, pipeline: Pipeline) -> None:
    _three_jobs(settings, pipeline)
    RecyclingWorker(queue.queues(settings), connection=queue.connection(settings)).work(
        burst=False, max_jobs=2, logging_level="WARNING")
    assert queue.queue(settings).count == 1, "it left after two, one job waits for its replacement"


def test_a_worker_over_its_memory_budget_leaves_after_the_job(settings: Settings, pipeline: Pipeline) -> None:
    _three_jobs(settings, pipeline)
    worker = RecyclingWorker(queue.queues(settings), connection=queue.connection(settings))
    worker.max_rss_bytes = 1 << 20  # any process is over a megabyte
    worker.work(burst=False, logging_level="WARNING")
    assert queue.queue(settings).count == 2


def test_a_redis_that_evicts_jobs_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    own = Settings(data_dir=tmp_path)  # an embedded server of its own: its configuration is ours to change
    own.ensure_dirs()
    conn = queue.connection(own)
    try:
        conn.config_set("maxmemory-policy", "allkeys-lru")
        with pytest.raises(queue.EvictingRedis, match="allkeys-lru"):
            queue.check_eviction_policy(own)
        conn.config_set("maxmemory-policy", "volatile-lru")
        assert queue.check_eviction_policy(own) == "volatile-lru"
    finally:
        queue.stop_embedded(tmp_path)


def test_a_worker_leaves_before_a_job_like_its_largest_could_pass_the_budget(settings: Settings,
                                                                            pipeline: Pipeline) -> None:
    """Under the budget, but the largest growth one job has caused would cross it: the budget is a ceiling."""
    import psutil

    _three_jobs(settings, pipeline)
    worker = RecyclingWorker(queue.queues(settings), connection=queue.connection(settings))
    worker.max_rss_bytes = psutil.Process().memory_info().rss + (512 << 20)  # far above what one tiny photo adds
    worker.largest_growth = 600 << 20  # as if an earlier job had added 600 MiB
    worker.work(burst=False, logging_level="WARNING")
    assert queue.queue(settings).count == 2, "it left after one job, still under its budget"
    assert psutil.Process().memory_info().rss < worker.max_rss_bytes
