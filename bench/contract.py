"""``docintake bench contract``: loan-contract fields, seal and signature, negatives, speed — digital and scanned.

Generates (once, cached under ``bench/out/``) a set of synthetic contracts in
every template with ground truth and the negatives (:mod:`fixtures.contract`),
and reads every file through the pipeline in this process
(:meth:`intake.job.pipeline.Pipeline.process`: reader, seal and signature, rules).

- **Fields**: exact match of the 15 contract fields against the truth, per
  capture (``principal_in_words`` compares the amount the words mean, and its
  raw reading against the printed words).
- **Negatives**: each must get an error from the rule the truth names, on the
  fields it names, and no other error.
- **Accepted with a wrong value** (the headline): good contracts accepted while any field differs from the
  truth, plus negatives accepted — per capture, beside field accuracy and the review rate; every good contract
  sent to review is listed with the rules that sent it.
- **Generators**: ``--generator own`` (:mod:`fixtures.contract`, the readers' tuning set) or ``alt``
  (:mod:`fixtures.contract_alt`: other fonts, wording, signature and seal placement, grey and black-and-white
  scans). Documents are judged on the set's ``today`` (``Settings.as_of``).
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
from intake.job.pipeline import Pipeline
from intake.record.records import document_record
from intake.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
FIELDS = LoanContract.field_names
TODAY = dt.date(2026, 11, 21)


def generate(out: Path, count: int, seed: int, captures: list[str], generator: str = "own") -> Path:
    from fixtures import contract, contract_alt

    prefix = "contracts" if generator == "own" else "contracts-alt"
    target = out / f"{prefix}-n{count}-s{seed}-{'-'.join(captures)}"
    if not (target / "manifest.json").exists():
        print(f"generating {count} contracts per capture into {target} …", flush=True)
        make = contract.generate_set if generator == "own" else contract_alt.generate_set
        make(target, count=count, seed=seed, today=TODAY, captures=captures, negatives=True)
    return target


def set_today(folder: Path) -> dt.date:
    """The day the set was made for (its manifest's ``today``): the day its documents are judged on."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return dt.date.fromisoformat(manifest["today"])


def _review_reasons(doc: dict[str, Any]) -> list[str]:
    """The rules whose findings sent a document to review (errors first), or why else it was not accepted."""
    found = sorted({f"{f['rule']} ({f['severity']})" for f in doc["findings"]}, key=lambda r: "(error)" not in r)
    return found or [f"status {doc.get('status')} without findings"]


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="docintake bench contract")
    p.add_argument("--count", type=int, default=12, help="contracts per capture (cycling through the templates)")
    p.add_argument("--seed", type=int, default=2027)
    p.add_argument("--generator", choices=("own", "alt"), default="own",
                   help="own: fixtures.contract (tuned on); alt: fixtures.contract_alt (a different look)")
    p.add_argument("--captures", help="default: digital,scanned (own); digital,scan_colour,scan_grey,scan_bw (alt)")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    p.add_argument("--json", type=Path, help="also write the figures here")
    args = p.parse_args(argv)
    default = "digital,scanned" if args.generator == "own" else "digital,scan_colour,scan_grey,scan_bw"
    captures = (args.captures or default).split(",")
    folder = generate(args.out, args.count, args.seed, captures, args.generator)
    items = load_set(folder)
    today = set_today(folder)
    settings = Settings(data_dir=args.out / "bench-data", as_of=today)
    settings.redirect_caches()
    pipe = Pipeline(settings)
    gc.freeze()

    hits: Counter[tuple[str, str]] = Counter()
    total: Counter[tuple[str, str]] = Counter()
    words_raw: Counter[tuple[str, bool]] = Counter()
    status: dict[str, Counter[str]] = defaultdict(Counter)
    negatives: list[tuple[str, str, bool, str, str, str]] = []
    wrong_accepted: dict[str, list[str]] = defaultdict(list)
    reviewed: dict[str, list[str]] = defaultdict(list)
    speed: dict[str, list[float]] = defaultdict(list)
    misses: list[str] = []
    for path, truth in items:
        capture, data = truth["capture"], path.read_bytes()
        t = time.perf_counter()
        outcome = pipe.process(data, "loan_contract", today=today)
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
                                                                   f"{expect['fields']}", capture,
                              outcome.status.value))
            if outcome.status.value == "accepted":
                wrong_accepted[capture].append(f"{path.name}: negative {expect['negative']} accepted")
            continue
        status[capture][outcome.status.value] += 1
        if errors:
            misses.append(f"{path.name}: errors {errors}")
        if outcome.status.value != "accepted":
            reviewed[capture].append(f"{path.name}: {', '.join(_review_reasons(doc))}")
        wrong = [n for n in FIELDS if (doc["fields"].get(n) or {}).get("value") != truth["fields"][n]]
        if outcome.status.value == "accepted" and wrong:
            wrong_accepted[capture].append(f"{path.name}: accepted with {', '.join(wrong)} wrong")
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
            "accepted_with_wrong_value": len(wrong_accepted[c]),
            "accepted_with_wrong_value_files": wrong_accepted[c],
            "review_rate": round(sum(v for k, v in status[c].items() if k != "accepted") / sum(status[c].values()), 4)
            if status[c] else None,
            "sent_to_review": reviewed[c],
            "negatives_flagged": f"{sum(1 for x in negatives if x[4] == c and x[2])}/"
                                 f"{sum(1 for x in negatives if x[4] == c)}",
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
    report["generator"], report["today"] = args.generator, today.isoformat()
    report["accepted_with_wrong_value"] = sum(len(v) for v in wrong_accepted.values())
    report["negatives"] = {"flagged": sum(1 for x in negatives if x[2]), "total": len(negatives),
                           "accepted": sum(1 for x in negatives if x[5] == "accepted"),
                           "by_kind": dict(Counter(x[1] for x in negatives if x[2])),
                           "missed": [f"{x[0]} ({x[1]}): {x[3]}" for x in negatives if not x[2]]}
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
