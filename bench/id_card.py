"""``docintake bench id-card``: accuracy and speed of ID card photos, end to end.

Generates (once, cached under ``bench/out/``) a synthetic set with ground truth
— ``--count`` photos of self-consistent cards plus negatives — and for every
file measures, in this one process:

- **end to end**: upload (``intake.service.accept``) → RQ job on the real
  Redis → worker with the real OCR → record in the database; seconds from
  upload to finished record;
- **bare OCR**: the PaddleOCR call alone on the same decoded photo;
- **naive baseline**: that bare OCR output through the same field patterns,
  with no imaging (no card finding, flattening, orientation) and no rules.

Prints per-field exact-match accuracy (positives), the needs_review rate,
which negatives were flagged by the rule they break, median/p90 seconds, and
the readings of ``../shared/realdata`` when present. ``--tesseract`` adds the
naive baseline on Tesseract where it is installed.
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

import cv2
import numpy as np
from rq import SimpleWorker

from extractors.doctypes.idcard import IdCardBack, IdCardFront
from extractors.engines import EngineOptions, create_engine
from extractors.errors import OcrUnavailable
from intake import jobs, queue, service
from intake.db import Document, migrate, session_scope
from intake.pipeline import Pipeline
from intake.records import document_record
from intake.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
REALDATA = ROOT.parent / "shared" / "realdata"


def generate(out: Path, count: int, seed: int) -> Path:
    target = out / f"idcard-n{count}-s{seed}"
    if not (target / "manifest.json").exists():
        print(f"generating {count} photos into {target} …", flush=True)
        subprocess.run([sys.executable, "-m", "fixtures.idcard", "--out", str(target), "--count", str(count),
                        "--seed", str(seed)], check=True)
    return target


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
    args = p.parse_args(argv)

    folder = generate(args.out, args.count, args.seed)
    items = load_set(folder)
    if args.limit:
        items = items[: args.limit]
    settings = Settings(data_dir=Path(tempfile.mkdtemp(prefix="bench-idcard-")))
    settings.ensure_dirs()
    migrate(settings.database_url)
    t = time.perf_counter()
    pipe = Pipeline(settings)
    print(f"pipeline loaded in {time.perf_counter() - t:.2f}s; {len(items)} files; Redis {queue.redis_url(settings)}")
    jobs.configure(settings, pipe)
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
    worker = SimpleWorker([queue.queue(settings)], connection=queue.connection(settings))
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
        img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        t = time.perf_counter()
        lines = pipe.engine.read(img)
        bare_s = time.perf_counter() - t
        if expect.get("negative"):
            negatives[expect["negative"]].append(state != "accepted" and bool(rules))
        elif expect.get("reject_reason"):
            retakes[expect["reject_reason"]].append(state + ":" + (row.reject_code or "-"))
        else:
            e2e.append(seconds)
            bare.append(bare_s)
            statuses[state] += 1
            before = sum(hits.values())
            field_hits(docs, truth, hits, total)
            if sum(hits.values()) - before < sum(len(d["fields"]) for d in truth["documents"]):
                misses.append(path.name)
            field_hits(naive(lines), truth, naive_hits, naive_total)
            if tess is not None:
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
    print(f"end to end (upload → finished record, real queue): median {statistics.median(e2e):.3f}s, "
          f"p90 {pct(e2e, 90):.3f}s")
    print(f"bare PaddleOCR call on the same photos:            median {statistics.median(bare):.3f}s, "
          f"p90 {pct(bare, 90):.3f}s  (ratio {statistics.median(e2e) / statistics.median(bare):.2f}x)")
    print("\n== negatives (flagged = not accepted, with an error finding) ==")
    for kind, flags in sorted(negatives.items()):
        print(f"  {kind:24} {sum(flags)}/{len(flags)} flagged")
    print("\n== bad captures (state:reject_code) ==")
    for kind, outs in sorted(retakes.items()):
        print(f"  {kind:10} {dict(Counter(outs))}")
    if misses:
        print(f"\nfiles with a wrong field ({len(misses)}): {', '.join(misses[:20])}")
    report.update(field_accuracy={k: hits[k] / total[k] for k in total}, overall=overall, naive=naive_overall,
                  statuses=dict(statuses), e2e_median=statistics.median(e2e), e2e_p90=pct(e2e, 90),
                  bare_median=statistics.median(bare), bare_p90=pct(bare, 90),
                  negatives={k: [sum(v), len(v)] for k, v in negatives.items()},
                  retakes={k: dict(Counter(v)) for k, v in retakes.items()}, misses=misses)
    report["realdata"] = realdata(pipe, args.today)
    (args.out / "id-card.json").write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"\nreport: {args.out / 'id-card.json'}")
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
