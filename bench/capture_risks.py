"""``docintake bench capture-risks``: are screen re-shoots, cut borders, fingers, edits and temporary cards found,
and do genuine captures of every kind stay clear of them?

Generates (once, cached under ``bench/out/``) :mod:`fixtures.capture_risks`' set — ``--count`` captures of every
risk kind and of every genuine kind, cards from both renderers — and reads every file end to end (upload → RQ
job on the real Redis → worker with the real OCR → record), judged on the set's ``today``. Prints:

- per risk kind: how often its risk was raised (**found**), how often it was accepted with a wrong value, and
  what else it raised;
- per genuine kind: each risk raised where the capture does not show it (**false alarms**), field accuracy,
  the review rate and accepted with a wrong value;
- the risk checks' share of the read time (the checks run inside the read; ``read.timings["risks"]`` over the
  whole job's time, same documents, same process).

``bw_copy`` and ``photocopy`` are graded too: shown by grey or black-and-white scans and copies, and by A4
copies.

    docintake bench capture-risks --count 4 --seed 7301    # tuning seed
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from bench.id_card import field_hits, load_set, review_causes, set_today, wrong_values
from fixtures.capture_risks import RISK_KINDS
from intake.job import jobs, queue
from intake.job.pipeline import Pipeline
from intake.job.worker import PromptWorker
from intake.record.records import document_record
from intake.settings import Settings
from intake.storage.db import Document, migrate, session_scope
from intake.upload import service

ROOT = Path(__file__).resolve().parent.parent
RISKS = ("screen_reshoot", "border_incomplete", "occluded", "edited", "temporary_card", "bw_copy", "photocopy")
HELD_OUT = {9931, 9937, 9953, 9983, 9991, 9997, 9998}
"""Seeds looked at once, at the end, after every change they report on (say so beside their figures)."""


def generate(out: Path, count: int, seed: int) -> Path:
    target = out / f"capture-risks-n{count}-s{seed}"
    if not (target / "manifest.json").exists():
        print(f"generating {count} captures of every kind into {target} …", flush=True)
        subprocess.run([sys.executable, "-m", "fixtures.capture_risks", "--out", str(target), "--count", str(count),
                        "--seed", str(seed)], check=True)
    return target


def shown(truth: dict[str, Any]) -> set[str]:
    """The risks a capture shows: its truth's ``risks``, plus no colour (grey or black-and-white scans and copies)
    and a page (A4 copies)."""
    out = set(truth.get("risks") or [])
    if truth.get("mode") in ("grey", "bw"):
        out.add("bw_copy")
    if truth.get("capture") == "a4_copy":
        out.add("photocopy")
    return out


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="docintake bench capture-risks")
    p.add_argument("--count", type=int, default=4, help="captures of every kind")
    p.add_argument("--seed", type=int, default=7301)
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    p.add_argument("--json", type=Path, default=None, help="write the report here too")
    args = p.parse_args(argv)

    folder = generate(args.out, args.count, args.seed)
    items = load_set(folder)
    as_of = set_today(folder, "2026-11-21")
    settings = Settings(data_dir=Path(tempfile.mkdtemp(prefix="bench-risks-")), as_of=as_of)
    settings.ensure_dirs()
    migrate(settings.database_url)
    pipe = Pipeline(settings)
    jobs.configure(settings, pipe)
    worker = PromptWorker(queue.queues(settings), connection=queue.connection(settings))
    print(f"{len(items)} files; seed {args.seed}{' (HELD OUT)' if args.seed in HELD_OUT else ''}; judged on {as_of}")

    raised_by: dict[str, Counter[str]] = defaultdict(Counter)
    files: Counter[str] = Counter()
    found: Counter[str] = Counter()
    states: dict[str, Counter[str]] = defaultdict(Counter)
    wrong_accepts: list[str] = []
    hits: dict[str, Counter[str]] = defaultdict(Counter)
    total: dict[str, Counter[str]] = defaultdict(Counter)
    misses: list[str] = []
    alarms: list[str] = []
    reviewed: list[str] = []
    share: list[float] = []
    for n, (path, truth) in enumerate(items, start=1):
        kind = truth["capture"]
        t = time.perf_counter()
        doc_id = service.accept(settings, application_id="bench", data=path.read_bytes()).document_id
        worker.work(burst=True, logging_level="ERROR")
        with session_scope(settings.database_url) as s:
            row = s.get(Document, doc_id)
            assert row is not None
            state, docs, timings = row.state, [document_record(d) for d in row.result or []], row.timings or {}
            rejected_for = row.reject_code
        if timings.get("risks") and timings.get("total"):
            share.append(timings["risks"] / timings["total"])
        elapsed = time.perf_counter() - t
        raised = {f["rule"] for d in docs for f in d["findings"] if f["rule"] in RISKS}
        if rejected_for in RISKS:  # a card a finger hides too much of to read: rejected, the app asks to retake
            raised.add(rejected_for)
        want = shown(truth)
        files[kind] += 1
        states[kind][str(state)] += 1
        for r in raised:
            raised_by[kind][r] += 1
        if truth.get("risks"):
            found[kind] += set(truth["risks"]) <= raised
            if not set(truth["risks"]) <= raised:
                misses.append(f"{path.name}: raised {sorted(raised) or 'nothing'}")
        for r in sorted(raised - want):
            alarms.append(f"{path.name}: {r}")
        wrong = wrong_values(docs, truth)
        if state == "accepted" and wrong:
            wrong_accepts.append(f"{path.name} ({kind}): {', '.join(wrong)}")
        if state == "needs_review":
            reviewed.append(f"{path.name}: {', '.join(review_causes(docs, truth))}")
        field_hits(docs, truth, hits[kind], total[kind])
        if n % 20 == 0:
            print(f"  {n}/{len(items)} ({elapsed:.1f}s the last)", flush=True)

    report: dict[str, Any] = {"set": str(folder), "seed": args.seed, "held_out": args.seed in HELD_OUT, "kinds": {}}
    print(f"\n{'capture':18} {'files':>5} {'found':>7} " + " ".join(f"{r[:14]:>14}" for r in RISKS)
          + f" {'fields':>7} {'review':>7}")
    for kind in sorted(files, key=lambda k: (k not in RISK_KINDS, k)):
        n_files = files[kind]
        risky = kind in RISK_KINDS
        acc = sum(hits[kind].values()) / max(sum(total[kind].values()), 1)
        review = states[kind]["needs_review"] / n_files
        cells = " ".join(f"{raised_by[kind][r]:>14}" for r in RISKS)
        print(f"{kind:18} {n_files:5} {(f'{found[kind]}/{n_files}' if risky else '-'):>7} {cells} {acc:7.1%}"
              f" {review:7.1%}")
        report["kinds"][kind] = {"files": n_files, "found": found[kind] if risky else None,
                                 "raised": dict(raised_by[kind]), "field_accuracy": round(acc, 4),
                                 "states": dict(states[kind])}
    genuine = [k for k in files if k not in RISK_KINDS]
    n_genuine = sum(files[k] for k in genuine)
    new_alarms = [a for a in alarms if a.split(": ")[1] not in ("bw_copy", "photocopy")]
    print(f"\nfalse alarms (a risk raised that the capture does not show): {len(alarms)} "
          f"({len(new_alarms)} of the five new risks) on {len(items)} files, {n_genuine} of them genuine")
    for a in alarms:
        print(f"  FALSE ALARM {a}")
    for m in misses:
        print(f"  MISSED {m}")
    print(f"\naccepted with a wrong value: {len(wrong_accepts)}")
    for w in wrong_accepts:
        print(f"  ACCEPTED WRONG {w}")
    print("\nsent to review, and why:")
    for r in reviewed:
        print(f"  {r}")
    if share:
        print(f"\nthe risk checks' share of a document's job time: median {statistics.median(share):.1%}, "
              f"max {max(share):.1%}")
    report |= {"false_alarms": alarms, "missed": misses, "accepted_wrong": wrong_accepts,
               "risk_time_share_median": statistics.median(share) if share else None}
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0
