"""``docintake bench urgency``: an ID photo's wait while statements are queued, with and without the queues by
urgency.

Each round: ``--statements`` statement PDFs (the committed digital and scanned samples, each copy distinct) are
queued first, then ``--photos`` ID photos arrive one every ``--every`` seconds; one worker process (the service's,
as ``serve`` starts it) drains everything. Reported per round: each photo's end-to-end time (upload to its
terminal state, from the database's own timestamps), p50/p95/max, and when the last statement finished. Round
``single``: ``DOCINTAKE_QUEUE_BY_URGENCY=false`` (one queue, first come first served); round ``urgency``: the
default (photos interactive, PDFs batch).
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.fleet import private_settings, wait_finished, workers
from fixtures.variants import distinct

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "fixtures" / "samples"
STATEMENTS = ["statements/digital-icbc-3pages.pdf", "statements/digital-ccb-3pages.pdf",
              "statements/scanned-abc-2pages.pdf", "statements/digital-boc.pdf",
              "contracts/scanned-consumer-2pages.pdf"]
PHOTOS = ["front-photo-1.jpg", "back-photo-1.jpg", "front-scan-1.jpg", "back-scan-1.jpg"]


def _round(by_urgency: bool, statements: int, photos: int, every: float) -> dict[str, Any]:
    from intake.storage.db import Document, session_scope
    from intake.upload import service

    work = Path(tempfile.mkdtemp(prefix="bench-urgency-"))
    settings = private_settings(work, "bench-urgency", queue_by_urgency=by_urgency)
    try:
        with workers(settings, 1):
            pdfs = [distinct((SAMPLES / STATEMENTS[n % len(STATEMENTS)]).read_bytes(), f"urgency-{n}")
                    for n in range(statements)]
            statement_ids = [service.accept(settings, application_id="urgency", data=d).document_id for d in pdfs]
            photo_ids = []
            for n in range(photos):
                data = distinct((SAMPLES / PHOTOS[n % len(PHOTOS)]).read_bytes(), f"urgency-{n}")
                photo_ids.append(service.accept(settings, application_id="urgency", data=data).document_id)
                time.sleep(every)
            wait_finished(settings, statement_ids + photo_ids)
            with session_scope(settings.database_url) as s:
                def took(d: str) -> float:
                    doc = s.get(Document, d)
                    assert doc is not None and doc.finished_at is not None and doc.created_at is not None
                    return (doc.finished_at - doc.created_at).total_seconds()

                photo_s = [took(d) for d in photo_ids]
                statements_done = max(took(d) for d in statement_ids)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"queues": "urgency" if by_urgency else "single", "photos": len(photo_s),
            "photo_p50_s": round(float(np.percentile(photo_s, 50)), 2),
            "photo_p95_s": round(float(np.percentile(photo_s, 95)), 2), "photo_max_s": round(max(photo_s), 2),
            "last_statement_done_s": round(statements_done, 1)}


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="docintake bench urgency")
    p.add_argument("--statements", type=int, default=20)
    p.add_argument("--photos", type=int, default=20)
    p.add_argument("--every", type=float, default=1.0)
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = p.parse_args(argv)
    results = []
    for by_urgency in (False, True):
        r = _round(by_urgency, args.statements, args.photos, args.every)
        results.append(r)
        print(f"{r['queues']:8} ID photo end to end: p50 {r['photo_p50_s']:6.2f} s  p95 {r['photo_p95_s']:6.2f} s  "
              f"max {r['photo_max_s']:6.2f} s;  last statement done after {r['last_statement_done_s']} s",
              flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "urgency.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0
