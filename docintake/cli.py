"""The ``docintake`` command.

::

    docintake extract FILE... [--type T] [--json]   read files in-process (no Redis, no database)
    docintake serve [--port 8000] [--workers 1] [--api-workers 1]   API + OCR worker processes
    docintake worker [--burst]                      one worker process
    docintake verify DOCUMENT_ID                    prove a document's evidence chain
    docintake keys new ID | keys rewrap             add a master key (current from now) | re-wrap every blob under it
    docintake demo                                  the sample documents through queue, worker and database
    docintake bench id-card|bank-statement|contract|calibration|worker|review    benchmarks (see bench/)
    docintake migrate                               bring the database schema up to date
    docintake reviewer NAME [--role supervisor]     add a reviewer who signs in at /review
    docintake client NAME --role app|scorer         add an API client; prints its bearer token

``extract --json`` prints, per file, ``{"file", "sha256", "status", "documents":
[{"type", "status", "fields": {name: {"value", "raw", "confidence", "source",
"page", "bbox"}}, "findings": [{"rule", "severity", "fields", "message"}]}]}``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

from extractors.admission import declarable_types
from intake.settings import get_settings

log = logging.getLogger("docintake")


def _extract(args: argparse.Namespace) -> int:
    from intake.job.pipeline import Pipeline
    from intake.record.records import document_record

    pipe: Pipeline | None = None
    today = dt.date.fromisoformat(args.today) if args.today else None
    worst = 0
    for name in args.files:
        path = Path(name)
        try:
            data = path.read_bytes()
        except OSError as exc:
            print(json.dumps({"file": name, "error": exc.strerror}, ensure_ascii=False))
            worst = 2
            continue
        pipe = pipe or Pipeline(get_settings())  # the OCR models load once, for the first readable file
        outcome = pipe.process(data, args.type, today=today, password=args.password)
        out = {"file": name, "sha256": hashlib.sha256(data).hexdigest(), "status": outcome.status.value,
               "reject_code": outcome.reject_code, "reject_reason": outcome.reject_reason,
               "documents": [document_record(d) for d in outcome.documents_json()], "timings": outcome.timings}
        if args.json:
            print(json.dumps(out, ensure_ascii=False, indent=None if args.compact else 2))
        else:
            _print_human(out)
    return worst


def _print_human(out: dict[str, Any]) -> None:
    from intake.record.records import statement_summary

    print(f"{out['file']}: {out['status']}" + (f" ({out['reject_reason']})" if out["reject_reason"] else ""))
    for d in out["documents"]:
        print(f"  {d['type']}: {d['status']}")
        for name, f in d["fields"].items():
            print(f"    {name:12} {f['value']!s:30} conf={f['confidence']:.2f} {f['source']}")
        if line := statement_summary(d):
            print(f"    {line}")
        for f in d["findings"]:
            print(f"    [{f['severity']}] {f['rule']}: {f['message']['en']}")


def _serve(args: argparse.Namespace) -> int:
    """The API and its workers until SIGTERM or Ctrl-C; then the workers finish their job (or are killed after
    ``job_timeout_s``: the sweeper re-queues what they held) and the embedded Redis stops. Nothing outlives it."""
    import signal

    import uvicorn

    from intake.job import queue
    from intake.job.supervisor import Workers

    # the review page's changes are taken only from this origin (a proxy in front: set DOCINTAKE_PUBLIC_ORIGIN)
    os.environ.setdefault("DOCINTAKE_PUBLIC_ORIGIN", f"http://{args.host}:{args.port}")
    settings = get_settings()
    queue.check_eviction_policy(settings)
    env = dict(os.environ, DOCINTAKE_REDIS_URL=queue.redis_url(settings),
               DOCINTAKE_DATA_DIR=str(settings.data_dir.resolve()))
    from intake.storage.db import migrate

    migrate(settings.database_url)
    _say_who_can_use_it(settings)
    # uvicorn re-raises the signal it stopped on once it has shut down; with the default SIGTERM action that
    # ended the process before `finally`, leaving the workers and the embedded Redis behind
    signal.signal(signal.SIGTERM, _exit_on_signal)
    workers = Workers(env, args.workers)
    try:
        uvicorn.run("api.main:create_app", factory=True, host=args.host, port=args.port, log_level="info",
                    workers=args.api_workers)
    except KeyboardInterrupt:
        pass
    finally:
        workers.stop(grace_s=settings.job_timeout_s)
        queue.stop_embedded()
    return 0


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def _say_who_can_use_it(settings: Any) -> None:
    from sqlalchemy import func, select

    from intake.storage.db import ApiClient, Reviewer, session_scope

    with session_scope(settings.database_url) as s:
        reviewers = s.scalar(select(func.count()).select_from(Reviewer))
        clients = s.scalar(select(func.count()).select_from(ApiClient))
    if not reviewers:
        print("no reviewers yet: add one with `docintake reviewer NAME [--role supervisor]` to use /review")
    if not clients:
        print("no API clients yet: `docintake client NAME --role app` (and --role scorer) prints a bearer token")


def _worker(args: argparse.Namespace) -> int:
    from intake.job import worker

    worker.run(get_settings(), burst=args.burst)
    return 0


def _verify(args: argparse.Namespace) -> int:
    from intake.record import evidence
    from intake.storage.blobs import store_of
    from intake.storage.db import session_scope

    settings = get_settings()
    with session_scope(settings.database_url) as s:
        report = evidence.verify(s, args.document_id, store_of(settings))
    print(json.dumps(report.model_dump(), ensure_ascii=False, indent=2))
    return 0 if report.ok else 1


def _keys(args: argparse.Namespace) -> int:
    """``keys new ID``: append a master key to the key file, current from now on; ``keys rewrap``: every blob's data
    key wrapped under the current key, plaintext blobs from before encryption sealed (:mod:`intake.storage.keys`)."""
    from intake.storage.blobs import store_of
    from intake.storage.keys import new_key_line

    settings = get_settings()
    if args.action == "new":
        if not args.key_id:
            print("usage: docintake keys new ID", file=sys.stderr)
            return 2
        if settings.master_key:
            print("DOCINTAKE_MASTER_KEY is set: add the key where it comes from", file=sys.stderr)
            return 2
        store_of(settings)  # makes the key file on a fresh machine
        with settings.master_key_path.open("a") as f:
            f.write(new_key_line(args.key_id) + "\n")
        print(f"{args.key_id} is the current master key; restart the service, then `docintake keys rewrap`")
        return 0
    rewrapped, sealed = store_of(settings).rewrap()
    print(f"{rewrapped} blobs re-wrapped, {sealed} sealed")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from intake.job import queue
    from intake.operations.demo import run_demo

    try:
        return run_demo(get_settings())
    finally:
        queue.stop_embedded()


def _bench(args: argparse.Namespace) -> int:
    from bench import main as bench_main

    return bench_main(args.rest)


def _migrate(args: argparse.Namespace) -> int:
    from intake.storage.db import migrate

    migrate(get_settings().database_url)
    return 0


def _reviewer(args: argparse.Namespace) -> int:
    import getpass

    from intake.review import auth
    from intake.storage.db import migrate, session_scope

    settings = get_settings()
    migrate(settings.database_url)
    password = os.environ.get("DOCINTAKE_NEW_PASSWORD") or getpass.getpass(f"password for {args.username}: ")
    try:
        with session_scope(settings.database_url) as s:
            auth.add_reviewer(s, args.username, password, auth.Role(args.role), args.name)
    except ValueError as exc:
        print(f"not saved: {exc}", file=sys.stderr)
        return 2
    print(f"{args.role} {args.username} can sign in at /review")
    return 0


def _client(args: argparse.Namespace) -> int:
    from intake.review import auth
    from intake.storage.db import migrate, session_scope

    settings = get_settings()
    migrate(settings.database_url)
    with session_scope(settings.database_url) as s:
        token = auth.add_client(s, args.name, [auth.ClientRole(r) for r in args.role])
    print(token)  # shown once; only its sha256 is kept
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="docintake", description="Document intake and OCR for a credit app.")
    sub = p.add_subparsers(dest="command", required=True)
    e = sub.add_parser("extract", help="read files in-process and print their records")
    e.add_argument("files", nargs="+")
    e.add_argument("--type", default=None, help="declared document type: " + ", ".join(declarable_types()))
    e.add_argument("--password", default=None, help="the password of a protected PDF")
    e.add_argument("--json", action="store_true", help="print the JSON contract")
    e.add_argument("--compact", action="store_true", help="one JSON object per line")
    e.add_argument("--today", default=None, help="the date rules judge expiry against (YYYY-MM-DD)")
    e.set_defaults(func=_extract)
    s = sub.add_parser("serve", help="run the API and worker processes")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--workers", type=int, default=1, help="OCR worker processes")
    s.add_argument("--api-workers", type=int, default=1, help="API processes (uvicorn workers)")
    s.set_defaults(func=_serve)
    w = sub.add_parser("worker", help="run one worker process")
    w.add_argument("--burst", action="store_true", help="exit when the queue is empty")
    w.set_defaults(func=_worker)
    v = sub.add_parser("verify", help="prove a document's evidence chain")
    v.add_argument("document_id")
    v.set_defaults(func=_verify)
    k = sub.add_parser("keys", help="master keys for encryption at rest: add one, re-wrap every blob under it")
    k.add_argument("action", choices=["new", "rewrap"])
    k.add_argument("key_id", nargs="?", default=None)
    k.set_defaults(func=_keys)
    d = sub.add_parser("demo", help="run the sample documents through queue, worker and database")
    d.set_defaults(func=_demo)
    b = sub.add_parser("bench", add_help=False,
                       help="benchmarks: id-card, bank-statement, contract, calibration, worker, review")
    b.add_argument("rest", nargs=argparse.REMAINDER)
    b.set_defaults(func=_bench)
    m = sub.add_parser("migrate", help="bring the database schema up to date")
    m.set_defaults(func=_migrate)
    r = sub.add_parser("reviewer", help="add a reviewer (or give one a new password or role); the password is "
                                        "asked for, or read from DOCINTAKE_NEW_PASSWORD")
    r.add_argument("username")
    r.add_argument("--role", choices=["reviewer", "supervisor"], default="reviewer")
    r.add_argument("--name", default=None, help="the name the page shows")
    r.set_defaults(func=_reviewer)
    c = sub.add_parser("client", help="add an API client (or give one a new token); prints its bearer token once")
    c.add_argument("name")
    c.add_argument("--role", choices=["app", "scorer"], action="append", required=True)
    c.set_defaults(func=_client)
    return p


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)
    for noisy in ("paddlex", "paddleocr", "ppocr", "rq.worker", "alembic", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    args = build_parser().parse_args(argv)
    get_settings().redirect_caches()
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
