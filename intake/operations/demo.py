"""``docintake demo``: the committed sample documents through the whole service.

Each sample is accepted as an upload would be (blob, row, evidence, RQ job on
the configured Redis — the embedded one by default), a worker drains the queue
with the real OCR, and every record is printed with its evidence check. The
sample applications (``samples/applications/<name>/``: ID card, statement,
contract) are uploaded as applications of their own, and their merged
application records are printed: status, what is missing, the findings.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

from extractors.errors import DocumentError
from intake.job import jobs, queue
from intake.job.worker import PromptWorker
from intake.record import evidence
from intake.record.application import build
from intake.record.records import document_record, statement_summary
from intake.settings import Settings
from intake.storage.blobs import store_of
from intake.storage.db import Document, migrate, session_scope
from intake.upload import service

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "samples"


def samples_as_of(samples: Path) -> dt.date | None:
    """The day the samples were made (their manifests' ``today``): the demo judges them as of that day, so a
    statement made for a November application is still within its window when the demo runs a year later."""
    days = {json.loads(m.read_text(encoding="utf-8")).get("today") for m in samples.rglob("manifest.json")}
    days.discard(None)
    if len(days) > 1:
        raise ValueError(f"the samples under {samples} were made on different days: {sorted(days)}")
    return dt.date.fromisoformat(days.pop()) if days else None


def run_demo(settings: Settings, samples: Path = SAMPLES) -> int:
    migrate(settings.database_url)
    if settings.as_of is None and (made := samples_as_of(samples)) is not None:
        settings = settings.model_copy(update={"as_of": made})
    files = sorted(p for p in samples.rglob("*") if p.is_file() and p.suffix.lower() != ".json")
    if not files:
        print(f"no sample documents under {samples}")
        return 1
    application = "demo-" + dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S")
    print(f"Redis: {queue.redis_url(settings)}\nDatabase: {settings.database_url}\nApplication: {application}")
    print(f"Judged as of {settings.as_of or 'the upload day'} (the samples' day; DOCINTAKE_AS_OF overrides)\n")
    ids: dict[str, str] = {}
    applications: set[str] = set()
    for path in files:
        parts = path.relative_to(samples).parts
        app_id = f"{application}-{parts[1]}" if parts[0] == "applications" and len(parts) > 2 else application
        if app_id != application:
            applications.add(app_id)
        try:
            acc = service.accept(settings, application_id=app_id, data=path.read_bytes(), filename=path.name,
                                 idempotency_key=path.name)
            ids[acc.document_id] = str(path.relative_to(samples))
        except DocumentError as exc:
            print(f"{path.relative_to(samples)}: refused at upload — {exc.code}: {exc.detail or exc.message}")
    t = time.perf_counter()
    context = jobs.JobContext(settings)
    context.pipeline()
    print(f"\nOCR models loaded in {time.perf_counter() - t:.1f}s; {len(ids)} jobs queued; working…\n")
    t = time.perf_counter()
    PromptWorker(queue.queues(settings), connection=queue.connection(settings), context=context).work(
        burst=True, logging_level="WARNING")
    elapsed = time.perf_counter() - t
    blobs = store_of(settings)
    with session_scope(settings.database_url) as s:
        for doc_id, name in ids.items():
            doc = s.get(Document, doc_id)
            assert doc is not None
            chain = evidence.verify(s, doc_id, blobs)
            print(f"{name}: {doc.state}" + (f" — {doc.reject_reason}" if doc.reject_reason else "")
                  + f"   [evidence {'ok' if chain.ok else 'BROKEN'}, {chain.events} events]")
            for d in (document_record(x) for x in doc.result or []):
                fields = ", ".join(f"{k}={v['value']}" for k, v in d["fields"].items())
                print(f"    {d['type']} {d['status']}: {fields}")
                if line := statement_summary(d):
                    print(f"      {line}")
                for f in d["findings"]:
                    print(f"      [{f['severity']}] {f['rule']}: {f['message']['en']}")
        for app_id in sorted(applications):
            record = build(s, settings, app_id)
            assert record is not None
            print(f"\napplication {app_id}: {record.status} (record version {record.version})"
                  + (f", missing {', '.join(record.missing)}" if record.missing else ""))
            for f in record.findings:
                if f.severity == "error" or f.cross_document:
                    where = "; ".join(f"{r.type}: {', '.join(r.fields)}" for r in f.refs)
                    print(f"    [{f.severity}] {f.rule} ({where}): {f.message['en']}")
    print(f"\n{len(ids)} documents processed in {elapsed:.1f}s through the queue.")
    print("Start the API with `docintake serve` and open http://127.0.0.1:8000/docs (API clients: `docintake "
          "client NAME --role app|scorer`); reviewers (`docintake reviewer NAME`) work at http://127.0.0.1:8000/review")
    return 0
