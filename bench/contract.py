"""``docintake bench contract``: loan-contract fields, seal and signature, negatives, speed — digital and scanned.

Generates (once, cached under ``bench/out/``) a set of synthetic contracts in
every template with ground truth and the negatives (:mod:`fixtures.contract`),
and reads every file through the pipeline in this process
(:meth:`intake.pipeline.Pipeline.process`: reader, seal and signature, rules).

- **Fields**: exact match of the 15 contract fields against the truth, per
  capture (``principal_in_words`` compares the amount the words mean, and its
  raw reading against the printed words).
- **Negatives**: each must get an error from the rule the truth names, on the
  fields it names, and no other error.
- **Speed**: seconds per page through the pipeline beside the bare OCR call on
  the same rendered pages (scanned); for digital contracts the pipeline's pages
  per second beside pdfplumber's bare ``extract_text()`` of the same pages.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import io
import json
import statistics
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from bench.id_card import load_set
from extractors.doctypes.loan_contract import LoanContract
from extractors.imaging import decode
from intake.pipeline import Pipeline
from intake.records import document_record
from intake.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
FIELDS = LoanContract.field_names
TODAY = dt.date(2026, 11, 21)


def generate(out: Path, count: int, seed: int, captures: list[str]) -> Path:
    from fixtures import contract

    target = out / f"contracts-n{count}-s{seed}-{'-'.join(captures)}"
    if not (target / "manifest.json").exists():
        print(f"generating {count} contracts per capture into {target} …", flush=True)
        contract.generate_set(target, count=count, seed=seed, today=TODAY, captures=captures, negatives=True)
    return target


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="docintake bench contract")
    p.add_argument("--count", type=int, default=12, help="contracts per capture (cycling through the templates)")
    p.add_argument("--seed", type=int, default=2027)
    p.add_argument("--captures", default="digital,scanned")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    p.add_argument("--json", type=Path, help="also write the figures here")
    args = p.parse_args(argv)
    captures = args.captures.split(",")
    items = load_set(generate(args.out, args.count, args.seed, captures))
    settings = Settings(data_dir=args.out / "bench-data")
    settings.redirect_caches()
    pipe = Pipeline(settings)
    gc.freeze()

    hits: Counter[tuple[str, str]] = Counter()
    total: Counter[tuple[str, str]] = Counter()
    words_raw: Counter[tuple[str, bool]] = Counter()
    status: dict[str, Counter[str]] = defaultdict(Counter)
    negatives: list[tuple[str, str, bool, str]] = []
    speed: dict[str, list[float]] = defaultdict(list)
    misses: list[str] = []
    for path, truth in items:
        capture, data = truth["capture"], path.read_bytes()
        t = time.perf_counter()
        outcome = pipe.process(data, "loan_contract", today=TODAY)
        seconds = time.perf_counter() - t
        docs = [document_record(d) for d in outcome.documents_json()]
        doc = next((d for d in docs if d["type"] == "loan_contract"), None) or {"fields": {}, "findings": []}
        expect = truth["expect"]
        errors = {f["rule"]: f["fields"] for f in doc["findings"] if f["severity"] == "error"}
        if expect.get("negative"):
            want = set(expect["rules"])
            ok = want <= set(errors) and all(set(errors[r]) == set(expect["fields"]) for r in want) \
                and set(errors) == want
            negatives.append((path.name, expect["negative"], ok, f"errors {errors}, expected {sorted(want)} on "
                                                                   f"{expect['fields']}"))
            continue
        status[capture][outcome.status.value] += 1
        if errors:
            misses.append(f"{path.name}: errors {errors}")
        for name in FIELDS:
            got = (doc["fields"].get(name) or {}).get("value")
            total[(capture, name)] += 1
            hits[(capture, name)] += got == truth["fields"][name]
            if got != truth["fields"][name]:
                misses.append(f"{path.name}: {name} read {got!r}, truth {truth['fields'][name]!r}")
        raw = (doc["fields"].get("principal_in_words") or {}).get("raw")
        words_raw[(capture, raw == truth["raw"]["principal_in_words"])] += 1
        speed[f"{capture}_s_per_page"].append(seconds / truth["pages"])
        if capture == "digital":
            speed["digital_pages"].append(truth["pages"])
            speed["digital_s"].append(seconds)
            speed["digital_bare_s"].append(_pdfplumber(data))
        else:
            for image in decode.render_pdf_pages(data):
                t = time.perf_counter()
                pipe.engine.read(np.ascontiguousarray(image), whole_page=True)
                speed[f"{capture}_bare_ocr_s_per_page"].append(time.perf_counter() - t)

    report: dict[str, Any] = {"captures": {}}
    for c in captures:
        right = sum(hits[(c, n)] for n in FIELDS)
        n = sum(total[(c, n)] for n in FIELDS)
        entry: dict[str, Any] = {
            "contracts": sum(status[c].values()), "fields_right": f"{right}/{n}",
            "field_accuracy": round(right / n, 4) if n else None,
            "by_field": {f: f"{hits[(c, f)]}/{total[(c, f)]}" for f in FIELDS},
            "words_raw_exact": f"{words_raw[(c, True)]}/{words_raw[(c, True)] + words_raw[(c, False)]}",
            "status": dict(status[c]),
        }
        per_page = speed[f"{c}_s_per_page"]
        if c == "digital" and per_page:
            pages = sum(speed["digital_pages"])
            entry["speed"] = {"pipeline_pages_per_s": round(pages / sum(speed["digital_s"]), 1),
                              "bare_pdfplumber_extract_text_pages_per_s":
                                  round(pages / sum(speed["digital_bare_s"]), 1),
                              "pipeline_s_per_page_median": round(statistics.median(per_page), 3)}
        elif per_page:
            bare = speed[f"{c}_bare_ocr_s_per_page"]
            entry["speed"] = {"pipeline_s_per_page_median": round(statistics.median(per_page), 3),
                              "pipeline_s_per_page_max": round(max(per_page), 3),
                              "bare_ocr_s_per_page_median": round(statistics.median(bare), 3),
                              "ratio_pipeline_to_bare_ocr": round(statistics.median(per_page)
                                                                  / statistics.median(bare), 2)}
        report["captures"][c] = entry
    report["negatives"] = {"flagged": sum(1 for x in negatives if x[2]), "total": len(negatives),
                           "by_kind": dict(Counter(k for _, k, ok, _ in negatives if ok)),
                           "missed": [f"{a} ({b}): {d}" for a, b, ok, d in negatives if not ok]}
    print(json.dumps(report, ensure_ascii=False, indent=2))
    if misses:
        print("\nmisses:", *misses[:80], sep="\n  ")
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


def _pdfplumber(data: bytes) -> float:
    import pdfplumber

    t = time.perf_counter()
    with pdfplumber.open(io.BytesIO(data)) as bare:
        for page in bare.pages:
            page.extract_text()
    return time.perf_counter() - t
