"""``docintake bench soak``: thousands of documents through one worker, its memory sampled all along.

Every sample under ``fixtures/samples`` (ID card photos and scans, bad captures, digital, scanned and photographed
statements, digital and scanned contracts, files the upload refuses) is queued again and again, each copy made
distinct, ``--docs`` in all, in a shuffled order fixed by ``--seed``. One worker drains the queue, run by the
same supervisor ``serve`` uses (:class:`intake.job.supervisor.Workers`): a worker that leaves — after
``DOCINTAKE_WORKER_MAX_JOBS`` jobs or above ``DOCINTAKE_WORKER_MAX_RSS_MB`` — is replaced by a fresh one. The
worker's RSS is sampled every half second beside the number of documents finished; the curve is written to
``bench/out/soak.csv`` and drawn to ``bench/out/soak.png``.

Database and Redis: ``DOCINTAKE_DATABASE_URL`` / ``DOCINTAKE_REDIS_URL`` when set, else SQLite and an embedded
Redis in a fresh folder.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import shutil
import tempfile
import time
from collections import Counter
from pathlib import Path

import cv2
import numpy as np
import psutil
from sqlalchemy import func, select

from fixtures.variants import distinct

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "fixtures" / "samples"
TERMINAL = ("accepted", "needs_review", "rejected")


def _files() -> list[tuple[str, bytes]]:
    found = sorted(p for p in SAMPLES.rglob("*") if p.suffix in (".jpg", ".pdf"))
    return [(str(p.relative_to(SAMPLES)), p.read_bytes()) for p in found]


def _draw(samples: list[tuple[float, int, float, int]], budget_mb: int, path: Path) -> None:
    """RSS (MB) against documents finished, one colour per worker process, the budget as a red line."""
    w, h, m = 1000, 420, 60
    img = np.full((h, w, 3), 255, np.uint8)
    done_max = max(1, max(s[1] for s in samples))
    top = max(budget_mb * 1.1, max(s[2] for s in samples) * 1.1)

    def xy(done: float, mb: float) -> tuple[int, int]:
        return int(m + (w - 2 * m) * done / done_max), int(h - m - (h - 2 * m) * mb / top)

    cv2.rectangle(img, (m, m), (w - m, h - m), (0, 0, 0), 1)
    for mb in range(0, int(top), 250):
        y = xy(0, mb)[1]
        cv2.line(img, (m - 4, y), (m, y), (0, 0, 0), 1)
        cv2.putText(img, str(mb), (5, y + 4), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (0, 0, 0), 1)
    for d in range(0, done_max + 1, max(1, done_max // 10)):
        x = xy(d, 0)[0]
        cv2.line(img, (x, h - m), (x, h - m + 4), (0, 0, 0), 1)
        cv2.putText(img, str(d), (x - 12, h - m + 18), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (0, 0, 0), 1)
    cv2.line(img, xy(0, budget_mb), xy(done_max, budget_mb), (0, 0, 220), 1)
    cv2.putText(img, f"budget {budget_mb} MB", (w - m - 130, xy(0, budget_mb)[1] - 6), cv2.FONT_HERSHEY_SIMPLEX,
                0.45, (0, 0, 220), 1)
    colours = [(200, 90, 20), (40, 150, 40), (150, 40, 150), (20, 140, 200)]
    pids = list(dict.fromkeys(s[3] for s in samples))
    for a, b in itertools.pairwise(samples):
        if a[3] == b[3]:
            cv2.line(img, xy(a[1], a[2]), xy(b[1], b[2]), colours[pids.index(a[3]) % len(colours)], 2)
    cv2.putText(img, "worker RSS (MB) by documents finished; a new colour is a fresh worker", (m, m - 20),
                cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 1)
    cv2.imwrite(str(path), img)


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="docintake bench soak")
    p.add_argument("--docs", type=int, default=2000)
    p.add_argument("--seed", type=int, default=12)
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = p.parse_args(argv)

    from extractors.errors import IntakeError
    from intake.job import queue
    from intake.job.supervisor import Workers
    from intake.settings import Settings
    from intake.storage.db import Document, migrate, session_scope
    from intake.upload import service

    work = Path(tempfile.mkdtemp(prefix="bench-soak-"))
    settings = Settings(data_dir=work / "data", database_url=os.environ.get("DOCINTAKE_DATABASE_URL", ""),
                        redis_url=os.environ.get("DOCINTAKE_REDIS_URL") or None, queue_name="bench-soak")
    settings.ensure_dirs()
    migrate(settings.database_url)
    files = _files()
    order = [random.Random(args.seed + n).randrange(len(files)) for n in range(args.docs)]
    kinds: Counter[str] = Counter()
    refused: Counter[str] = Counter()
    ids = []
    for n, i in enumerate(order):
        name, data = files[i]
        kinds[name.split("/")[0] if "/" in name else "id/bad photos"] += 1
        try:
            ids.append(service.accept(settings, application_id=f"soak-{n % 97}", data=distinct(data, f"soak-{n}"),
                                      filename=Path(name).name).document_id)
        except IntakeError as exc:
            refused[exc.code] += 1
    print(f"{len(ids)} documents queued ({dict(kinds)}); refused at upload: {dict(refused)}", flush=True)

    passed = ("DOCINTAKE_OCR_MEMORY_ARENA", "DOCINTAKE_OCR_ENGINE", "DOCINTAKE_WORKER_MAX_JOBS",
              "DOCINTAKE_WORKER_MAX_RSS_MB")  # what the worker is run with, when set
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCINTAKE_") or k in passed} | {
        "DOCINTAKE_DATA_DIR": str(settings.data_dir), "DOCINTAKE_DATABASE_URL": settings.database_url,
        "DOCINTAKE_REDIS_URL": queue.redis_url(settings), "DOCINTAKE_QUEUE_NAME": "bench-soak"}
    start = time.monotonic()
    workers = Workers(env, 1)
    samples: list[tuple[float, int, float, int]] = []
    done = 0
    try:
        while done < len(ids):
            time.sleep(0.5)
            proc = workers.procs[0]
            try:
                rss = psutil.Process(proc.pid).memory_info().rss / 2**20
            except psutil.Error:
                continue
            with session_scope(settings.database_url) as s:
                done = s.scalar(select(func.count()).select_from(Document).where(
                    Document.state.in_(TERMINAL))) or 0
            samples.append((round(time.monotonic() - start, 1), done, round(rss, 1), proc.pid))
            if len(samples) % 120 == 0:
                print(f"{samples[-1][0]:7.0f} s  {done:5d} done  worker {proc.pid} at {rss:6.0f} MB", flush=True)
    finally:
        workers.stop(grace_s=settings.job_timeout_s)
    elapsed = time.monotonic() - start
    with session_scope(settings.database_url) as s:
        states = dict(s.execute(select(Document.state, func.count()).group_by(Document.state)).all())
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "soak.csv").write_text("seconds,documents_done,rss_mb,worker_pid\n" + "".join(
        f"{a},{b},{c},{d}\n" for a, b, c, d in samples), encoding="utf-8")
    _draw(samples, settings.worker_max_rss_mb, args.out / "soak.png")
    workers_seen = list(dict.fromkeys(s[3] for s in samples))
    curve = {}
    for step in range(0, 11):
        target = len(ids) * step // 10
        at = next((s for s in samples if s[1] >= target), samples[-1])
        curve[target] = at[2]
    summary = {"documents": len(ids), "refused_at_upload": dict(refused), "states": states,
               "seconds": round(elapsed), "documents_per_second": round(len(ids) / elapsed, 2),
               "peak_rss_mb": max(s[2] for s in samples), "budget_mb": settings.worker_max_rss_mb,
               "max_jobs": settings.worker_max_jobs, "workers": len(workers_seen),
               "peak_rss_mb_by_worker": {str(pid): max(s[2] for s in samples if s[3] == pid) for pid in workers_seen},
               "rss_mb_at_documents_done": curve}
    (args.out / "soak.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    print(json.dumps(summary, indent=2))
    queue.stop_embedded()
    shutil.rmtree(work, ignore_errors=True)
    return 0
