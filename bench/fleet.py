"""Worker processes for the throughput benchmarks, started as ``serve`` starts them, and waiting for documents.

Used by ``bench urgency`` and ``bench throughput``: a private queue name and data folder, the database and Redis
of the caller's settings, each worker a ``docintake worker`` process of its own.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from intake.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
MODEL_LOAD_S = 12.0
"""How long a new worker takes to load its models here before it takes jobs."""


def private_settings(work: Path, queue_name: str, **extra: object) -> Settings:
    """Settings of a benchmark round: its own data folder under ``work`` and queue name, the caller's database
    and Redis (``DOCINTAKE_DATABASE_URL``, ``DOCINTAKE_REDIS_URL``; embedded ones when unset), migrated."""
    from intake.settings import Settings
    from intake.storage.db import migrate

    settings = Settings(data_dir=work / "data", database_url=os.environ.get("DOCINTAKE_DATABASE_URL", ""),
                        redis_url=os.environ.get("DOCINTAKE_REDIS_URL") or None, queue_name=queue_name,
                        **extra)  # type: ignore[arg-type]
    settings.ensure_dirs()
    migrate(settings.database_url)
    return settings


@contextmanager
def workers(settings: Settings, count: int, extra_env: dict[str, str] | None = None) -> Iterator[None]:
    """``count`` worker processes on ``settings``' queue, stopped (and the embedded Redis with them) on exit."""
    from intake.job import queue

    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCINTAKE_")} | {
        "DOCINTAKE_DATA_DIR": str(settings.data_dir), "DOCINTAKE_DATABASE_URL": settings.database_url,
        "DOCINTAKE_REDIS_URL": queue.redis_url(settings), "DOCINTAKE_QUEUE_NAME": settings.queue_name,
        "DOCINTAKE_QUEUE_BY_URGENCY": str(settings.queue_by_urgency).lower()} | (extra_env or {})
    logs = [settings.data_dir / f"worker-{n}.log" for n in range(count)]
    handles = [log.open("wb") for log in logs]
    procs = [subprocess.Popen([sys.executable, "-m", "docintake.cli", "worker"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=handle) for handle in handles]
    try:
        time.sleep(MODEL_LOAD_S)
        yield
    finally:
        for n, p in enumerate(procs):
            if p.poll() is not None:  # a worker that left before the round ended makes the round's figure wrong
                tail = logs[n].read_text(errors="replace").strip().splitlines()[-5:]
                print(f"worker {n} exited early with {p.returncode}: " + " | ".join(tail), file=sys.stderr)
            p.terminate()
        for p in procs:
            p.wait(timeout=180)
        for handle in handles:
            handle.close()
        queue.stop_embedded()


def wait_finished(settings: Settings, ids: Sequence[str], timeout_s: float = 1800) -> None:
    """Until every document of ``ids`` has finished (or ``timeout_s`` passed)."""
    from intake.storage.db import Document, session_scope

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with session_scope(settings.database_url) as s:
            if all((d := s.get(Document, i)) is not None and d.finished_at is not None for i in ids):
                return
        time.sleep(0.5)
