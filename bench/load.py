"""``docintake bench load``: DocIntake's upload beside the bare floor of the same stack, in the same run.

Both are served the same way (uvicorn with its standard extras, ``--api-workers`` processes, no OCR worker:
the API alone) against the same database and Redis, and both get ``--requests`` uploads of a 150–200 KB phone
photo (each made distinct by a JPEG comment, so every one is a new blob) from ``--concurrency`` clients at once.
Reported per side: requests/s, p50/p99 latency, answers that were not 202, and the API processes' peak RSS;
then DocIntake's requests/s as a share of the floor's. The floor (:mod:`bench.load_floor`) does the multipart
parse, a sha256, an fsync'd file, one row and one Redis push; DocIntake adds the token check, the header checks,
the sealed blob, the evidence event and the RQ job.

Database and Redis: ``DOCINTAKE_DATABASE_URL`` / ``DOCINTAKE_REDIS_URL`` when set (e.g. this machine's
PostgreSQL and Redis), else SQLite and an embedded Redis in a fresh folder.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import aiohttp
import numpy as np
import psutil

from fixtures.variants import distinct

ROOT = Path(__file__).resolve().parent.parent
PHOTO = ROOT / "fixtures" / "samples" / "front-photo-1.jpg"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Peak(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.proc, self.peak, self.done = psutil.Process(pid), 0, threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.1):
            try:
                procs = [self.proc, *self.proc.children(recursive=True)]
                self.peak = max(self.peak, sum(p.memory_info().rss for p in procs))
            except psutil.Error:
                continue


def _serve(target: str, port: int, workers: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", target, "--factory", "--host", "127.0.0.1",
                             "--port", str(port), "--workers", str(workers), "--log-level", "warning",
                             "--no-access-log"], cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"{target} did not start")


async def _load(url: str, photo: bytes, requests: int, concurrency: int, headers: dict[str, str],
                offset: int) -> dict[str, Any]:
    """``requests`` uploads from ``concurrency`` clients at once, each on its own kept-alive connection.

    The client is aiohttp: with httpx's client (tried first) the load generator itself was the bottleneck at
    concurrency 50 on this machine — the servers sat idle while it ran at ~70 uploads/s, and its stalls made
    the p99 of both sides 2–3 s."""
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    gate = asyncio.Semaphore(concurrency)
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(headers=headers, connector=connector,
                                     timeout=aiohttp.ClientTimeout(total=60)) as client:
        async def one(n: int) -> None:
            async with gate:
                form = aiohttp.FormData()
                form.add_field("file", distinct(photo, f"load-{offset + n}"), filename="photo.jpg",
                               content_type="image/jpeg")
                t = time.perf_counter()
                try:
                    async with client.post(url, data=form) as r:
                        await r.read()
                        code = str(r.status)
                except (aiohttp.ClientError, TimeoutError) as exc:
                    code = type(exc).__name__
                latencies.append(time.perf_counter() - t)
                statuses[code] = statuses.get(code, 0) + 1

        start = time.perf_counter()
        await asyncio.gather(*(one(n) for n in range(requests)))
        elapsed = time.perf_counter() - start
    return {"requests": requests, "seconds": round(elapsed, 2), "rps": round(requests / elapsed, 1),
            "p50_ms": round(float(np.percentile(latencies, 50)) * 1000), "p99_ms":
            round(float(np.percentile(latencies, 99)) * 1000), "not_202": requests - statuses.get("202", 0),
            "statuses": statuses}


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="docintake bench load")
    p.add_argument("--requests", type=int, default=1000)
    p.add_argument("--concurrency", type=int, default=50)
    p.add_argument("--api-workers", type=int, default=2)
    p.add_argument("--warmup", type=int, default=300, help="uploads before the measured ones, not counted")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = p.parse_args(argv)

    from intake.job import queue
    from intake.review import auth
    from intake.settings import Settings
    from intake.storage.db import migrate, session_scope

    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    settings = Settings(data_dir=work / "data", database_url=os.environ.get("DOCINTAKE_DATABASE_URL", ""),
                        redis_url=os.environ.get("DOCINTAKE_REDIS_URL") or None, queue_name="bench-load")
    settings.ensure_dirs()
    migrate(settings.database_url)
    redis_url = queue.redis_url(settings)  # an embedded one is started here and shared by every process
    with session_scope(settings.database_url) as s:
        token = auth.add_client(s, f"bench-load-{os.getpid()}", [auth.ClientRole.APP])
    database = settings.database_url.replace("postgresql+psycopg://", "postgresql://")
    base = {k: v for k, v in os.environ.items() if not k.startswith("DOCINTAKE_")}
    ours_env = base | {"DOCINTAKE_DATA_DIR": str(settings.data_dir), "DOCINTAKE_DATABASE_URL": database,
                       "DOCINTAKE_REDIS_URL": redis_url, "DOCINTAKE_QUEUE_NAME": "bench-load"}
    floor_env = base | {"FLOOR_DIR": str(work / "floor"), "FLOOR_DATABASE_URL": database,
                        "FLOOR_REDIS_URL": redis_url}
    photo = PHOTO.read_bytes()
    print(f"{args.requests} uploads of a {len(photo) // 1024} KB photo, concurrency {args.concurrency}, "
          f"{args.api_workers} API processes each; database {database.split('://')[0]}, Redis {redis_url}")
    results: dict[str, Any] = {}
    for name, target, env, path, headers in [
        ("floor", "bench.load_floor:create_floor", floor_env, "/upload", {}),
        ("docintake", "api.main:create_app", ours_env, "/v1/applications/bench-load/documents",
         {"Authorization": f"Bearer {token}"}),
    ]:
        port = _port()
        server = _serve(target, port, args.api_workers, env)
        try:
            url = f"http://127.0.0.1:{port}{path}"
            asyncio.run(_load(url, photo, args.warmup, args.concurrency, headers, offset=10**6))
            peak = Peak(server.pid)
            peak.start()
            results[name] = asyncio.run(_load(url, photo, args.requests, args.concurrency, headers, offset=0))
            peak.done.set()
            peak.join()
            results[name]["peak_rss_mb"] = round(peak.peak / 2**20)
            results[name]["rss_per_process_mb"] = round(peak.peak / 2**20 / (args.api_workers + 1))
        finally:
            server.terminate()
            server.wait(timeout=30)
        r = results[name]
        print(f"{name:10} {r['rps']:7.1f} req/s  p50 {r['p50_ms']:5d} ms  p99 {r['p99_ms']:5d} ms  "
              f"not 202: {r['not_202']}  RSS {r['peak_rss_mb']} MB ({r['rss_per_process_mb']} MB a process)")
    ratio = results["docintake"]["rps"] / results["floor"]["rps"]
    results["ratio"] = round(ratio, 2)
    print(f"DocIntake at {ratio:.2f}x the bare floor of the stack")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "load.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    queue.stop_embedded()
    shutil.rmtree(work, ignore_errors=True)  # the uploads it stored
    return 0
