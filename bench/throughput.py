"""``docintake bench throughput``: ID photos per second per core, with 1 and 2 worker processes.

Each round starts the workers (``docintake worker`` processes, as ``serve`` starts them), lets them load their
models, uploads ``--docs`` ID photos at once (the committed front and back photos and scans, each copy distinct)
and times from the first job taken to the last document finished, from the database's own timestamps (``started_at``,
``finished_at``); the models' load is outside it. Documents per second, and per core of this machine, are
printed per engine (``--engine paddle openvino``) and worker count (``--workers 1 2``). Each worker runs its OCR
on ``DOCINTAKE_OCR_THREADS`` threads (default 2); ``--threads-per-worker auto`` gives each of N workers
cores/N threads instead.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from bench.fleet import private_settings, wait_finished, workers
from fixtures.variants import distinct

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "fixtures" / "samples"
PHOTOS = ["front-photo-1.jpg", "back-photo-1.jpg", "front-scan-1.jpg", "back-scan-1.jpg"]


def _round(engine: str, count: int, docs: int, threads: int | None) -> dict[str, Any]:
    from intake.storage.db import Document, session_scope
    from intake.upload import service

    work = Path(tempfile.mkdtemp(prefix="bench-throughput-"))
    try:
        settings = private_settings(work, "bench-throughput")
        env = {"DOCINTAKE_OCR_ENGINE": engine} | ({"DOCINTAKE_OCR_THREADS": str(threads)} if threads else {})
        photos = [distinct((SAMPLES / PHOTOS[n % len(PHOTOS)]).read_bytes(), f"tp-{engine}-{count}-{n}")
                  for n in range(docs)]
        with workers(settings, count, env):  # loaded before the photos arrive
            ids = [service.accept(settings, application_id="throughput", data=d).document_id for d in photos]
            wait_finished(settings, ids)
        with session_scope(settings.database_url) as s:
            rows = [s.get(Document, i) for i in ids]
            spans = [(r.started_at, r.finished_at, r.state) for r in rows
                     if r is not None and r.started_at is not None and r.finished_at is not None]
            span = (max(f for _, f, _ in spans) - min(st for st, _, _ in spans)).total_seconds()
            states = sorted({state for _, _, state in spans})
    finally:
        shutil.rmtree(work, ignore_errors=True)
    cores = os.cpu_count() or 1
    rate = len(spans) / span if span > 0 else float("nan")
    return {"engine": engine, "workers": count, "ocr_threads": threads or settings.ocr_threads,
            "docs": len(spans), "seconds": round(span, 2), "docs_per_s": round(rate, 3),
            "docs_per_s_per_core": round(rate / cores, 3), "cores": cores, "states": states}


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="docintake bench throughput")
    p.add_argument("--docs", type=int, default=40)
    p.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    p.add_argument("--engine", nargs="+", choices=("paddle", "openvino"), default=["paddle", "openvino"])
    p.add_argument("--threads-per-worker", default="default", choices=("default", "auto"))
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = p.parse_args(argv)
    results = []
    for count in args.workers:
        for engine in args.engine:
            threads = max(1, (os.cpu_count() or 1) // count) if args.threads_per_worker == "auto" else None
            r = _round(engine, count, args.docs, threads)
            results.append(r)
            print(f"{r['engine']:9} {r['workers']} worker(s) × {r['ocr_threads']} OCR threads: {r['docs']} photos in "
                  f"{r['seconds']:7.2f} s = {r['docs_per_s']:.3f}/s, {r['docs_per_s_per_core']:.3f}/s per core "
                  f"({r['cores']} cores); states {r['states']}", flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "throughput.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


__all__ = ["main"]
