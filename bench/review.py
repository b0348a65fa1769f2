"""How fast the review page's API answers with a long queue.

``docintake bench review [--docs 500] [--rounds 30]`` reads one ID card that
needs review and one bank statement with the real pipeline, copies their rows
(results, pages, versions) until ``--docs`` documents wait in the queue, then
times, through the ASGI app in this process (httpx, no network):

- ``GET /review/api/queue`` against the bare query it is built on (the waiting
  rows loaded with their results), and against ``--docs``;
- ``GET /review/api/documents/{id}`` against the approval service's
  ``GET /v1/documents/{id}`` of the same document;
- a correction (rules run again, new version, evidence, feed) and an approval.

Medians in milliseconds; the database is SQLite under a temporary folder unless
``DOCINTAKE_DATABASE_URL`` says otherwise.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from api.main import create_app
from intake.job import jobs, queue
from intake.job.worker import PromptWorker
from intake.review import auth
from intake.settings import Settings
from intake.storage.db import DocState, Document, Page, RecordVersion, migrate, session_scope
from intake.upload import service

SAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "samples"
PASSWORD = "bench-review-password"


def _median_ms(run: Callable[[], Any], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        run()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def _copy(settings: Settings, source_id: str, n: int) -> list[str]:
    """``n`` copies of a read document: the row, its pages and its first version."""
    ids = []
    with session_scope(settings.database_url) as s:
        doc = s.get(Document, source_id)
        assert doc is not None
        pages = s.scalars(select(Page).where(Page.document_id == source_id)).all()
        first = s.scalars(select(RecordVersion).where(RecordVersion.document_id == source_id)).first()
        assert first is not None
        for _ in range(n):
            new_id = uuid.uuid4().hex
            s.add(Document(id=new_id, application_id=f"bench-{new_id[:6]}", declared_type=doc.declared_type,
                           size=doc.size, sha256=doc.sha256, state=doc.state, version=1, result=doc.result,
                           engine=doc.engine, timings=doc.timings, finished_at=doc.finished_at))
            s.flush()
            s.add_all(Page(document_id=new_id, number=p.number, sha256=p.sha256, width=p.width, height=p.height)
                      for p in pages)
            s.add(RecordVersion(document_id=new_id, version=1, source="pipeline", action="extracted",
                                state=first.state, result=first.result, result_sha256=first.result_sha256))
            ids.append(new_id)
    return ids


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="docintake bench review")
    p.add_argument("--docs", type=int, default=500)
    p.add_argument("--rounds", type=int, default=30)
    args = p.parse_args(argv)
    settings = Settings(data_dir=Path(tempfile.mkdtemp(prefix="bench-review-")))
    settings.ensure_dirs()
    migrate(settings.database_url)
    jobs.configure(settings)
    read = [service.accept(settings, application_id=f"bench-review-{i}", data=(SAMPLE / name).read_bytes())
            .document_id for i, name in enumerate(("neg-bad-check-digit.jpg", "statements/neg-edited-balance.pdf"))]
    PromptWorker(queue.queues(settings), connection=queue.connection(settings)).work(burst=True,
                                                                                      logging_level="ERROR")
    with session_scope(settings.database_url) as s:
        states = [s.get(Document, i).state for i in read]  # type: ignore[union-attr]
        auth.add_reviewer(s, "bench", PASSWORD, auth.Role.SUPERVISOR)
        token = auth.add_client(s, "bench-scorer", [auth.ClientRole.SCORER])
    assert states == ["needs_review", "needs_review"], states
    card_copies = _copy(settings, read[0], args.docs // 2 - 1)
    _copy(settings, read[1], args.docs - args.docs // 2 - 1)

    app = create_app(settings, run_migrations=False)
    reviewer = TestClient(app)
    csrf = reviewer.post("/review/api/session", json={"username": "bench", "password": PASSWORD}).json()
    reviewer.headers["X-CSRF-Token"] = csrf["csrf_token"]
    scorer = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    listed = reviewer.get("/review/api/queue").json()
    assert len(listed["items"]) == args.docs, len(listed["items"])

    def bare_query() -> None:
        with session_scope(settings.database_url) as s:
            list(s.scalars(select(Document).where(Document.state == DocState.NEEDS_REVIEW.value,
                                                  Document.review_decision.is_(None))))

    figures = {
        "queue": _median_ms(lambda: reviewer.get("/review/api/queue"), args.rounds),
        "queue_bare_query": _median_ms(bare_query, args.rounds),
    }
    for kind, doc_id in (("card", read[0]), ("statement", read[1])):
        figures[f"{kind}_view"] = _median_ms(partial(reviewer.get, f"/review/api/documents/{doc_id}"), args.rounds)
        figures[f"{kind}_v1_view"] = _median_ms(partial(scorer.get, f"/v1/documents/{doc_id}"), args.rounds)
    targets = iter(card_copies)
    correct_ms, approve_ms = [], []
    for _ in range(min(args.rounds, len(card_copies))):
        doc_id = next(targets)
        t = time.perf_counter()
        r = reviewer.post(f"/review/api/documents/{doc_id}/corrections",
                          json={"expected_version": 1, "changes": [{"field": "address", "value": "核对地址"}]})
        correct_ms.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, r.text
        t = time.perf_counter()
        r = reviewer.post(f"/review/api/documents/{doc_id}/approve", json={"expected_version": 2})
        approve_ms.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, r.text
    figures["correct"] = statistics.median(correct_ms)
    figures["approve"] = statistics.median(approve_ms)

    print(f"review API, {args.docs} documents waiting, {settings.database_url.split(':')[0]}, median ms "
          f"over {args.rounds} rounds:")
    print(f"  queue            {figures['queue']:8.1f}  (bare query of the waiting rows "
          f"{figures['queue_bare_query']:.1f}: {figures['queue'] / figures['queue_bare_query']:.1f}x)")
    for kind in ("card", "statement"):
        view, v1 = figures[f"{kind}_view"], figures[f"{kind}_v1_view"]
        print(f"  {kind + ' view':16} {view:8.1f}  (GET /v1/documents/ of it {v1:.1f}: {view / v1:.2f}x)")
    print(f"  correction       {figures['correct']:8.1f}  (rules again, new version, evidence, feed)")
    print(f"  approval         {figures['approve']:8.1f}")
    return 0
