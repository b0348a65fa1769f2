"""``docintake bench id-card``: accuracy and speed of ID card photos, end to end.

Generates (once, cached under ``bench/out/``) a synthetic set with ground truth
— ``--count`` photos of self-consistent cards plus negatives — and for every
file measures, in this one process:

- **end to end**: upload (``intake.upload.service.accept``) → RQ job on the real
  Redis → worker with the real OCR → record in the database; seconds from
  upload to finished record;
- **bare OCR**: the PaddleOCR call alone on the same decoded photo;
- **naive baseline**: that bare OCR output through the same field patterns,
  with no imaging (no card finding, flattening, orientation) and no rules.

``--generator alt`` grades the same way on :mod:`fixtures.idcard_alt` (other fonts, typography and
captures: grey and black-and-white scans, side-by-side A4 copies, glare, turned blurred photos) — the
readers were tuned on the ``own`` generator, so this is the honest figure. Every document is judged on
the set manifest's ``today`` (``Settings.as_of``).

Prints per-field exact-match accuracy (positives), the needs_review rate,
the headline **accepted with a wrong value** (captures accepted while a field differs from the truth —
good ones and bad ones alike, such as glare that wiped out half the address — plus negatives that ended
``accepted``) with field accuracy and the
needs_review rate per capture kind, the rule that sent each good document to review,
which negatives were flagged by the rule they break, median/p90 seconds, and
the readings of ``../shared/realdata`` when present. ``--tesseract`` adds the
naive baseline on Tesseract where it is installed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from extractors.doctypes.idcard import IdCardBack, IdCardFront
from extractors.engines import EngineOptions, create_engine
from extractors.errors import OcrUnavailable
from intake.job import jobs, queue
from intake.job.pipeline import Pipeline
from intake.job.worker import PromptWorker
from intake.record.records import document_record
from intake.settings import Settings
from intake.storage.db import Document, migrate, session_scope
from intake.upload import service

ROOT = Path(__file__).resolve().parent.parent
REALDATA = ROOT.parent / "shared" / "realdata"


GENERATORS = {"own": ("idcard", "fixtures.idcard", ()), "alt": ("idcard-alt", "fixtures.idcard_alt", ("--negatives",))}
"""``--generator``: the folder prefix, the generator module and its extra arguments."""


def generate(out: Path, count: int, seed: int, generator: str = "own") -> Path:
    prefix, module, extra = GENERATORS[generator]
    target = out / f"{prefix}-n{count}-s{seed}"
    if not (target / "manifest.json").exists():
        print(f"generating {count} captures into {target} …", flush=True)
        subprocess.run([sys.executable, "-m", module, "--out", str(target), "--count", str(count),
                        "--seed", str(seed), *extra], check=True)
    return target


def set_today(folder: Path, default: str) -> dt.date:
    """The day the set was generated for (its manifest's ``today``): documents are judged on that day."""
    manifest = folder / "manifest.json"
    today = json.loads(manifest.read_text(encoding="utf-8")).get("today") if manifest.exists() else None
    return dt.date.fromisoformat(today or default)


def wrong_values(docs: list[dict[str, Any]], truth: dict[str, Any]) -> list[str]:
    """``type.field`` of every true field the record lacks or holds another value for."""
    got = {d["type"]: d for d in docs}
    return [f"{want['type']}.{name}" for want in truth["documents"] for name, value in want["fields"].items()
            if got.get(want["type"], {}).get("fields", {}).get(name, {}).get("value", object()) != value]


def review_causes(docs: list[dict[str, Any]], truth: dict[str, Any]) -> list[str]:
    """Why a record went to review: each document's error rules (else its warnings, else its photo problems),
    and documents the truth has that were not found."""
    causes: list[str] = []
    for d in docs:
        if d["status"] != "needs_review":
            continue
        errors = [f["rule"] for f in d["findings"] if f["severity"] == "error"]
        warnings = [f["rule"] for f in d["findings"] if f["severity"] != "error"]
        problems = [f"quality:{p}" for p in (d.get("quality") or {}).get("problems", [])]
        causes += errors or warnings or problems or [f"{d['type']}:unexplained"]
    found = {d["type"] for d in docs}
    causes += [f"missing:{w['type']}" for w in truth["documents"] if w["type"] not in found]
    if not causes:  # every document passed: the record was held for a photo problem, or by the application
        causes = [f"quality:{p}" for d in docs for p in (d.get("quality") or {}).get("problems", [])]
        causes += [f"{d['type']}:{d['status']}" for d in docs] if not causes else []
    return sorted(set(causes))


RISKS = ("bw_copy", "photocopy")
"""The capture risks the bench grades (:mod:`extractors.imaging.capture`)."""


def expected_risks(truth: dict[str, Any]) -> dict[str, bool | None]:
    """Per risk, whether the capture shows it (None: the truth cannot say — an A4 copy of a set made before
    the generator recorded its mode). Photos of the card never do; scans and copies without colour are
    ``bw_copy``; A4 copies are ``photocopy``."""
    kind = truth.get("capture", "")
    mode = truth.get("mode") or {"scan_grey": "grey", "scan_bw": "bw"}.get(kind)
    copy = kind.startswith("a4_")
    bw: bool | None = mode in ("grey", "bw") if mode or not copy else None
    return {"bw_copy": bw, "photocopy": copy}


def risks_raised(docs: list[dict[str, Any]]) -> set[str]:
    return {f["rule"] for d in docs for f in d["findings"] if f["rule"] in RISKS}


def load_set(folder: Path) -> list[tuple[Path, dict[str, Any]]]:
    items = []
    for gt in sorted(folder.glob("*.json")):
        if gt.name == "manifest.json":
            continue
        truth = json.loads(gt.read_text(encoding="utf-8"))
        path = folder / truth["file"] if "file" in truth else next(p for p in folder.glob(gt.stem + ".*")
                                                                   if p.suffix != ".json")
        items.append((path, truth))
    return items


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def field_hits(docs: list[dict[str, Any]], truth: dict[str, Any], hits: Counter[str], total: Counter[str]) -> None:
    got = {d["type"]: d for d in docs}
    for want in truth["documents"]:
        fields = got.get(want["type"], {}).get("fields", {})
        for name, value in want["fields"].items():
            total[name] += 1
            if name in fields and fields[name]["value"] == value:
                hits[name] += 1


def naive(lines: list[Any]) -> list[dict[str, Any]]:
    out = []
    for cls in (IdCardFront, IdCardBack):
        doc = cls().extract(lines)
        out.append({"type": cls.doc_type, "fields": {k: {"value": f.value} for k, f in doc.fields.items()}})
    return out


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="docintake bench id-card")
    p.add_argument("--count", type=int, default=200, help="photos of valid cards to generate")
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    p.add_argument("--today", default="2026-11-21")
    p.add_argument("--tesseract", action="store_true")
    p.add_argument("--limit", type=int, default=0, help="only the first N files (quick look)")
    p.add_argument("--generator", choices=sorted(GENERATORS), default="own",
                   help="own: fixtures.idcard (the readers were tuned on it); alt: fixtures.idcard_alt (other "
                        "fonts, typography and captures, negatives included)")
    p.add_argument("--no-bare", action="store_true", help="skip the bare-OCR and naive baselines (half the time)")
    p.add_argument("--engine", choices=("paddle", "openvino"), default=None,
                   help="the pipeline's OCR engine (default: DOCINTAKE_OCR_ENGINE); the bare call is always "
                        "PaddleOCR on ONNX Runtime with its default settings")
    args = p.parse_args(argv)

    folder = generate(args.out, args.count, args.seed, args.generator)
    items = load_set(folder)
    if args.limit:
        items = items[: args.limit]
    as_of = set_today(folder, args.today)
    settings = Settings(data_dir=Path(tempfile.mkdtemp(prefix="bench-idcard-")), as_of=as_of)
    if args.engine:
        settings.ocr_engine = args.engine
    settings.ensure_dirs()
    migrate(settings.database_url)
    t = time.perf_counter()
    pipe = Pipeline(settings)
    print(f"pipeline loaded in {time.perf_counter() - t:.2f}s; {len(items)} files; Redis {queue.redis_url(settings)}")
    jobs.configure(settings, pipe)
    bare_engine = create_engine(EngineOptions(  # PaddleOCR out of the box: ONNX Runtime with its memory arena
        kind="paddle", threads=settings.ocr_threads, model_dir=str(settings.model_dir.resolve()), memory_arena=True))
    print(f"pipeline engine: {settings.ocr_engine}; bare call: PaddleOCR on ONNX Runtime, its defaults")
    tess = None
    if args.tesseract:
        try:
            tess = create_engine(EngineOptions(kind="tesseract"))
        except OcrUnavailable as exc:
            print(f"tesseract skipped: {exc}")

    e2e, bare = [], []
    hits: Counter[str] = Counter()
    total: Counter[str] = Counter()
    naive_hits: Counter[str] = Counter()
    naive_total: Counter[str] = Counter()
    tess_hits: Counter[str] = Counter()
    tess_total: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    negatives: dict[str, list[bool]] = defaultdict(list)
    retakes: dict[str, list[str]] = defaultdict(list)
    misses: list[str] = []
    per_capture: dict[str, Counter[str]] = defaultdict(Counter)
    cap_hits: dict[str, Counter[str]] = defaultdict(Counter)
    cap_total: dict[str, Counter[str]] = defaultdict(Counter)
    wrong_accepts: list[dict[str, Any]] = []
    reviewed: list[dict[str, Any]] = []
    risk_tally: dict[str, Counter[str]] = defaultdict(Counter)
    scores: dict[str, list[int]] = defaultdict(list)
    worker = PromptWorker(queue.queues(settings), connection=queue.connection(settings))
    for n, (path, truth) in enumerate(items, start=1):
        data = path.read_bytes()
        expect = truth.get("expect", {})
        t = time.perf_counter()
        doc_id = service.accept(settings, application_id="bench", data=data).document_id
        worker.work(burst=True, logging_level="ERROR")
        seconds = time.perf_counter() - t
        with session_scope(settings.database_url) as s:
            row = s.get(Document, doc_id)
            assert row is not None
            state, docs = row.state, [document_record(d) for d in row.result or []]
        rules = {f["rule"] for d in docs for f in d["findings"] if f["severity"] == "error"}
        img = None if args.no_bare else cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        t = time.perf_counter()
        lines = bare_engine.read(img) if img is not None else None  # a PDF has no bare OCR
        bare_s = time.perf_counter() - t
        kind = truth.get("capture", "?")
        tally = per_capture[kind]
        raised = risks_raised(docs)
        for risk, shown in expected_risks(truth).items():
            if shown is not None and docs:
                risk_tally[kind][f"{risk}:{'shown' if shown else 'not shown'}"] += 1
                risk_tally[kind][f"{risk}:{'found' if shown else 'false alarm'}"] += risk in raised
        scores[kind] += [d["quality"]["score"] for d in docs if (d.get("quality") or {}).get("score") is not None]
        positive = not expect.get("negative") and not expect.get("reject_reason")
        tally["files"] += 1
        tally[state] += 1
        wrong = [] if expect.get("negative") else wrong_values(docs, truth)  # a bad capture's truth is still true
        if state == "accepted" and (wrong or expect.get("negative")):
            tally["accepted_wrong"] += 1
            wrong_accepts.append({"file": path.name, "capture": kind, "fields": wrong,
                                  "expected": expect.get("negative") or expect.get("reject_reason")})
        if positive and state == "needs_review":
            reviewed.append({"file": path.name, "capture": kind, "rules": review_causes(docs, truth)})
        if positive:
            tally["positives"] += 1
            field_hits(docs, truth, cap_hits[kind], cap_total[kind])
        if expect.get("negative"):
            negatives[expect["negative"]].append(state != "accepted" and bool(rules))
        elif expect.get("reject_reason"):
            retakes[expect["reject_reason"]].append(state + ":" + (row.reject_code or "-"))
        else:
            e2e.append(seconds)
            if lines is not None:
                bare.append(bare_s)
            statuses[state] += 1
            before = sum(hits.values())
            field_hits(docs, truth, hits, total)
            if sum(hits.values()) - before < sum(len(d["fields"]) for d in truth["documents"]):
                misses.append(path.name)
            if lines is not None:
                field_hits(naive(lines), truth, naive_hits, naive_total)
            if tess is not None and img is not None:
                field_hits(naive(tess.read(img)), truth, tess_hits, tess_total)
        if n % 25 == 0:
            print(f"  {n}/{len(items)}", flush=True)

    report: dict[str, Any] = {"set": str(folder), "files": len(items)}
    print(f"\n== positives: {sum(statuses.values())} photos ==")
    print(f"{'field':14} {'pipeline':>9} {'naive':>9}" + (f" {'tesseract':>10}" if tess else ""))
    for name in total:
        line = f"{name:14} {hits[name] / total[name]:9.2%} {naive_hits[name] / max(naive_total[name], 1):9.2%}"
        if tess:
            line += f" {tess_hits[name] / max(tess_total[name], 1):10.2%}"
        print(line)
    overall = sum(hits.values()) / max(sum(total.values()), 1)
    naive_overall = sum(naive_hits.values()) / max(sum(naive_total.values()), 1)
    print(f"{'ALL FIELDS':14} {overall:9.2%} {naive_overall:9.2%}")
    n_pos = max(sum(statuses.values()), 1)
    print(f"statuses: {dict(statuses)}; needs_review rate {statuses['needs_review'] / n_pos:.2%}")
    median = statistics.median(e2e) if e2e else float("nan")
    bare_median = statistics.median(bare) if bare else float("nan")
    print(f"end to end (upload → finished record, real queue): median {median:.3f}s, p90 {pct(e2e, 90):.3f}s")
    if bare:
        print(f"bare PaddleOCR call on the same photos:            median {bare_median:.3f}s, "
              f"p90 {pct(bare, 90):.3f}s  (ratio {median / bare_median:.2f}x)")
    print(f"\n== accepted with a wrong value: {len(wrong_accepts)} (judged on {as_of}) ==")
    print(f"{'capture':18} {'files':>5} {'fields':>8} {'review':>7} {'wrong-acc':>9}  statuses")
    captures = {}
    for kind, tally in sorted(per_capture.items()):
        n_fields = sum(cap_total[kind].values())
        acc = sum(cap_hits[kind].values()) / n_fields if n_fields else float("nan")
        review = sum(1 for r in reviewed if r["capture"] == kind) / tally["positives"] if tally["positives"] else 0.0
        states = {k: v for k, v in tally.items() if k in ("accepted", "needs_review", "rejected")}
        print(f"{kind:18} {tally['files']:5} {acc:8.2%} {review:7.1%} {tally['accepted_wrong']:9}  {states}")
        captures[kind] = {"files": tally["files"], "positives": tally["positives"], "field_accuracy": acc,
                          "fields": {k: cap_hits[kind][k] / cap_total[kind][k] for k in cap_total[kind]},
                          "needs_review_rate": review, "accepted_wrong": tally["accepted_wrong"], "statuses": states}
    for w in wrong_accepts:
        print(f"  ACCEPTED WRONG {w['file']} ({w['capture']}): {', '.join(w['fields']) or w['expected']}")
    if reviewed:
        print("\n== good documents sent to review, and the rule that sent each ==")
        for r in reviewed:
            print(f"  {r['file']:28} {', '.join(r['rules'])}")
    print("\n== capture risks: found where shown, false alarms where not; capture quality score ==")
    print(f"{'capture':18} " + " ".join(f"{r:>26}" for r in RISKS) + f" {'score median (min)':>19}")
    risk_report: dict[str, Any] = {}
    for kind in sorted(per_capture):
        cells: list[str] = []
        entry: dict[str, Any] = {}
        for risk in RISKS:
            counts = risk_tally[kind]
            n_shown, n_absent = counts[f"{risk}:shown"], counts[f"{risk}:not shown"]
            parts = []
            if n_shown:
                parts.append(f"found {counts[f'{risk}:found']}/{n_shown}")
                entry[risk] = {"shown": n_shown, "found": counts[f"{risk}:found"]}
            if n_absent:
                parts.append(f"false {counts[f'{risk}:false alarm']}/{n_absent}")
                alarms = counts[f"{risk}:false alarm"]
                entry[risk] = entry.get(risk, {}) | {"not_shown": n_absent, "false_alarms": alarms}
            cells.append(", ".join(parts) or "-")
        sc = scores[kind]
        entry["score_median"] = statistics.median(sc) if sc else None
        risk_report[kind] = entry
        print(f"{kind:18} " + " ".join(f"{c:>26}" for c in cells)
              + (f" {statistics.median(sc):>12.0f} ({min(sc)})" if sc else f" {'-':>19}"))
    report["capture_risks"] = risk_report
    print("\n== negatives (flagged = not accepted, with an error finding) ==")
    for kind, flags in sorted(negatives.items()):
        print(f"  {kind:24} {sum(flags)}/{len(flags)} flagged")
    print("\n== bad captures (state:reject_code) ==")
    for kind, outs in sorted(retakes.items()):
        print(f"  {kind:10} {dict(Counter(outs))}")
    if misses:
        print(f"\nfiles with a wrong field ({len(misses)}): {', '.join(misses[:20])}")
    report.update(generator=args.generator, engine=settings.ocr_engine, as_of=as_of.isoformat(),
                  field_accuracy={k: hits[k] / total[k] for k in total}, overall=overall, naive=naive_overall,
                  statuses=dict(statuses), e2e_median=median, e2e_p90=pct(e2e, 90),
                  bare_median=bare_median, bare_p90=pct(bare, 90),
                  accepted_wrong=len(wrong_accepts), accepted_wrong_files=wrong_accepts, captures=captures,
                  sent_to_review=reviewed,
                  negatives={k: [sum(v), len(v)] for k, v in negatives.items()},
                  retakes={k: dict(Counter(v)) for k, v in retakes.items()}, misses=misses)
    report["realdata"] = realdata(pipe, as_of.isoformat())
    target = args.out / ("id-card" + ("" if args.generator == "own" else f"-{args.generator}")
                         + ("" if settings.ocr_engine == "paddle" else f"-{settings.ocr_engine}") + ".json")
    target.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"\nreport: {target}")
    return 0


def realdata(pipe: Pipeline, today: str) -> list[dict[str, Any]]:
    import datetime as dt

    if not REALDATA.is_dir():
        print("\n(../shared/realdata absent: skipped)")
        return []
    print("\n== real specimens (../shared/realdata) ==")
    out = []
    for path in sorted(REALDATA.glob("*.jp*g")):
        t = time.perf_counter()
        outcome = pipe.process(path.read_bytes(), today=dt.date.fromisoformat(today))
        seconds = time.perf_counter() - t
        docs = [document_record(d) for d in outcome.documents_json()]
        print(f"{path.name}: {outcome.status.value} in {seconds:.2f}s")
        for d in docs:
            print(f"  {d['type']} {d['status']}: " + ", ".join(f"{k}={v['value']}" for k, v in d["fields"].items()))
            for f in d["findings"]:
                print(f"    [{f['severity']}] {f['rule']}")
        out.append({"file": path.name, "status": outcome.status.value, "seconds": seconds, "documents": docs})
    return out
