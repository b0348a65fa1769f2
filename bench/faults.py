"""``docintake bench faults``: faults injected while ``docintake serve`` reads a run of documents.

Each run starts its own PostgreSQL (``initdb`` into a temporary folder), its own Redis (no persistence) and
``docintake serve --workers 2`` against them, uploads ``--docs`` documents over HTTP at a steady pace (an app's
retry on 503 or a refused connection included), and a few seconds in injects one fault:

- ``kill-worker``: SIGKILL to a worker process in the middle of its job (``serve`` starts a fresh one);
- ``redis-restart``: Redis stopped and started again *empty* — every queued job is gone;
- ``postgres-restart``: PostgreSQL stopped (fast: connections cut), down for ``--outage`` seconds, started;
- ``blobs-away``: the blob folder gone for ``--blob-outage`` seconds (a volume unmounted), then back;
- ``none``: the same run without a fault, for the outcome each document should have.

Then it waits for every upload that got its 202 to reach a terminal state and checks: each is terminal, each
appears exactly once in the feed, each ended as it did in the run without a fault (or says which ended for a
person because of the fault), and after ``serve`` is stopped with SIGTERM none of its processes is left.
``DOCINTAKE_STALE_AFTER_S`` is 20 s here (default 300) so the sweeper's recovery shows within a run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil
from sqlalchemy import create_engine, text

from fixtures.variants import distinct

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "fixtures" / "samples"
MIX = [  # (file, declared type): cheap enough that a run of 100 takes about a minute on two workers
    ("front-photo-1.jpg", "id_card"), ("back-photo-1.jpg", "id_card"), ("front-scan-1.jpg", "id_card"),
    ("back-scan-1.jpg", "id_card"), ("both-sides-photo.jpg", "id_card"), ("bad-blurry.jpg", None),
    ("bad/not-a-card.jpg", None), ("statements/digital-abc.pdf", "bank_statement"),
    ("statements/digital-cmb.pdf", "bank_statement"), ("contracts/digital-bank.pdf", "loan_contract"),
]
TERMINAL = {"accepted", "needs_review", "rejected"}
FAULTS = ["none", "kill-worker", "redis-restart", "postgres-restart", "blobs-away"]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Postgres:
    """A PostgreSQL server of its own, in a temporary folder (run as the ``postgres`` user when we are root)."""

    def __init__(self, folder: Path) -> None:
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        initdb = str(found[-1]) if found else shutil.which("initdb")
        if initdb is None:
            raise SystemExit("bench faults needs PostgreSQL's server programs (initdb, pg_ctl)")
        self.bin = Path(initdb).parent
        self.dir, self.port = folder / "pg", _port()
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        folder.mkdir(parents=True, exist_ok=True)
        if self.as_user:
            folder.parent.chmod(0o755)  # mkdtemp's 0700 keeps the postgres user out
            shutil.chown(folder, "postgres")
        self._run("initdb", "-D", str(self.dir), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, program: str, *args: str) -> None:
        subprocess.run([*self.as_user, str(self.bin / program), *args], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.dir), "-l", str(self.dir.parent / "pg.log"), "-w", "-o",
                  f"-p {self.port} -k {self.dir.parent} -c listen_addresses=127.0.0.1", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.dir), "-m", "fast", "-w", "stop")


class Redis:
    def __init__(self, folder: Path) -> None:
        self.port, self.dir = _port(), folder
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no", "--dir", str(self.dir)], stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()  # no save, no goodbye: what a crashed or replaced Redis leaves is nothing
            self.proc.wait()


@dataclass
class Run:
    fault: str
    uploaded: dict[str, str] = field(default_factory=dict)  # document id → sample name
    retries: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)
    fault_at: float = 0.0
    fault_over: float = 0.0


def _upload(base: str, token: str, docs: int, pace_s: float, run: Run) -> None:
    """The app's side: one upload every ``pace_s`` from four threads, each retried on 503 or a refused
    connection (as an app does) until it gets its 202, for up to three minutes."""
    files = [(name, (SAMPLES / name).read_bytes(), kind) for name, kind in MIX]
    lock = threading.Lock()

    def one(n: int) -> None:
        name, data, kind = files[n % len(files)]
        body = distinct(data, f"fault-run-{n}")
        deadline = time.monotonic() + 180
        with httpx.Client(timeout=30, headers={"Authorization": f"Bearer {token}"}) as client:
            while True:
                try:
                    r = client.post(f"{base}/v1/applications/fault-{n % 17}/documents",
                                    files={"file": (Path(name).name, body)},
                                    data={"document_type": kind} if kind else {},
                                    headers={"Idempotency-Key": f"upload-{n}"})
                    code = str(r.status_code)
                except httpx.HTTPError as exc:
                    code = type(exc).__name__
                    r = None
                with lock:
                    if code == "202" and r is not None:
                        run.uploaded[r.json()["document_id"]] = name
                        return
                    if code not in ("503",) and r is not None:
                        run.refused[code] += 1
                        return
                    run.retries[code] += 1
                if time.monotonic() > deadline:
                    with lock:
                        run.refused[f"gave up after {code}"] += 1
                    return
                time.sleep(1.0)

    threads = []
    for n in range(docs):
        t = threading.Thread(target=one, args=(n,), daemon=True)
        t.start()
        threads.append(t)
        time.sleep(pace_s)
    for t in threads:
        t.join()


def _workers(serve: psutil.Process) -> list[psutil.Process]:
    return [p for p in serve.children(recursive=True) if "worker" in " ".join(p.cmdline())]


def _inject(fault: str, serve: psutil.Process, redis: Redis, pg: Postgres, blob_dir: Path, outage: float,
            blob_outage: float, run: Run) -> None:
    run.fault_at = time.monotonic()
    if fault == "kill-worker":
        busy = _workers(serve)
        os.kill(busy[0].pid, signal.SIGKILL)
    elif fault == "redis-restart":
        redis.stop()
        time.sleep(2)
        redis.start()
    elif fault == "postgres-restart":
        pg.stop()
        time.sleep(outage)
        pg.start()
    elif fault == "blobs-away":
        away = blob_dir.with_name(blob_dir.name + ".away")
        blob_dir.rename(away)
        time.sleep(blob_outage)
        away.rename(blob_dir)
    run.fault_over = time.monotonic()


def _states(url: str, ids: list[str]) -> tuple[dict[str, str], dict[str, int], dict[str, list[str]]]:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, state, result FROM documents")).all()
            feed = conn.execute(text("SELECT document_id, count(*) FROM feed GROUP BY document_id")).all()
    finally:
        engine.dispose()
    states = {r[0]: r[1] for r in rows if r[0] in ids}
    rules: dict[str, list[str]] = {}
    for doc_id, _state, result in rows:
        found = result if isinstance(result, list) else json.loads(result) if result else []
        rules[doc_id] = sorted({f["rule"] for d in found for f in d.get("findings", [])
                                if f["rule"] in ("processing_failed", "processing_timeout")})
    return states, {r[0]: int(r[1]) for r in feed}, rules


def one_run(fault: str, docs: int, outage: float, blob_outage: float, workers: int) -> dict[str, Any]:
    from intake.review import auth
    from intake.storage.db import migrate, session_scope

    work = Path(tempfile.mkdtemp(prefix=f"bench-faults-{fault}-"))
    pg, redis = Postgres(work / "postgres"), Redis(work)
    pg.start()
    redis.start()
    serve: subprocess.Popen[bytes] | None = None
    run = Run(fault)
    try:
        migrate(pg.url)
        with session_scope(pg.url.replace("postgresql://", "postgresql+psycopg://")) as s:
            token = auth.add_client(s, "bench-faults", [auth.ClientRole.APP])
        port = _port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("DOCINTAKE_")} | {
            "DOCINTAKE_DATA_DIR": str(work / "data"), "DOCINTAKE_DATABASE_URL": pg.url,
            "DOCINTAKE_REDIS_URL": redis.url, "DOCINTAKE_STALE_AFTER_S": "20"}
        serve = subprocess.Popen([sys.executable, "-m", "docintake.cli", "serve", "--port", str(port), "--workers",
                                  str(workers)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                 stderr=open(work / "serve.log", "wb"))  # noqa: SIM115 - closed with the process
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200 and len(
                        _workers(psutil.Process(serve.pid))) == workers:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        time.sleep(8)  # the workers load their models
        uploader = threading.Thread(target=_upload, args=(base, token, docs, 0.2, run))
        started = time.monotonic()
        uploader.start()
        if fault != "none":
            time.sleep(6)
            _inject(fault, psutil.Process(serve.pid), redis, pg, work / "data" / "blobs", outage, blob_outage,
                    run)
        uploader.join()
        ids = list(run.uploaded)
        wait_until = time.monotonic() + 600
        states: dict[str, str] = {}
        feed: dict[str, int] = {}
        rules: dict[str, list[str]] = {}
        while time.monotonic() < wait_until:
            try:
                states, feed, rules = _states(pg.url, ids)
            except Exception:  # the database is coming back
                time.sleep(1)
                continue
            if len(states) == len(ids) and all(st in TERMINAL for st in states.values()):
                break
            time.sleep(1)
        done_at = time.monotonic()
        procs = [psutil.Process(serve.pid), *psutil.Process(serve.pid).children(recursive=True)]
        serve.send_signal(signal.SIGTERM)
        try:
            serve.wait(timeout=120)
        except subprocess.TimeoutExpired:
            serve.kill()
        time.sleep(1)
        left = [p.pid for p in procs if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        return {
            "fault": fault, "uploads_202": len(ids), "upload_retries": dict(run.retries),
            "upload_refused": dict(run.refused),
            "terminal": sum(st in TERMINAL for st in states.values()), "states": dict(Counter(states.values())),
            "by_document": {i: (run.uploaded[i], states.get(i), rules.get(i, [])) for i in ids},
            "in_feed_once": sum(feed.get(i) == 1 for i in ids), "in_feed_twice_or_more": sum(
                feed.get(i, 0) > 1 for i in ids), "feed_strangers": len(set(feed) - set(ids)),
            "ended_for_a_person_by_the_fault": sum(bool(rules.get(i)) for i in ids),
            "seconds_to_all_terminal": round(done_at - started, 1),
            "seconds_after_fault_over": round(done_at - run.fault_over, 1) if run.fault_over else None,
            "processes_left": left,
        }
    finally:
        if serve is not None and serve.poll() is None:
            serve.kill()
        redis.stop()
        with contextlib.suppress(subprocess.CalledProcessError):
            pg.stop()
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="docintake bench faults")
    p.add_argument("--fault", choices=[*FAULTS, "all"], default="all")
    p.add_argument("--docs", type=int, default=100)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--outage", type=float, default=10.0, help="seconds PostgreSQL stays down")
    p.add_argument("--blob-outage", type=float, default=60.0, help="seconds the blob folder stays away")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = p.parse_args(argv)
    faults = FAULTS if args.fault == "all" else ["none", args.fault] if args.fault != "none" else ["none"]
    results = []
    baseline: dict[str, set[str | None]] = {}
    for fault in faults:
        r = one_run(fault, args.docs, args.outage, args.blob_outage, args.workers)
        if fault == "none":
            for name, state, _rules in r["by_document"].values():
                baseline.setdefault(name, set()).add(state)
        r["same_outcome_as_without_fault"] = sum(
            state in baseline.get(name, set()) for name, state, _rules in r["by_document"].values())
        results.append(r)
        after = "" if r["seconds_after_fault_over"] is None else f" ({r['seconds_after_fault_over']} s after the fault)"
        print(f"{fault:17} 202: {r['uploads_202']:3d}  terminal: {r['terminal']:3d}  in feed once: "
              f"{r['in_feed_once']:3d} (twice+: {r['in_feed_twice_or_more']}, strangers: {r['feed_strangers']})  "
              f"same outcome: {r['same_outcome_as_without_fault']:3d}  for a person by the fault: "
              f"{r['ended_for_a_person_by_the_fault']}  upload retries: {r['upload_retries']}  "
              f"all terminal after {r['seconds_to_all_terminal']} s{after}  "
              f"processes left: {len(r['processes_left'])}", flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "faults.json").write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0
