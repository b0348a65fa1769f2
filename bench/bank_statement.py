"""``docintake bench bank-statement``: transactions found, header fields, speed — digital, scanned, photo.

Generates (once, cached under ``bench/out/``) a set of synthetic statements in
every layout with ground truth — ``--generator own`` (:mod:`fixtures.statement`, what the readers were
tuned on) or ``alt`` (:mod:`fixtures.statement_alt`: other fonts, column orders and footers) — and reads every
file through the pipeline in this process (:meth:`intake.job.pipeline.Pipeline.process`:
the reader, the rules, the analytics — no queue or database, which
``bench id-card`` and ``bench worker`` already measure).

- **Transactions**: a read row matches a true row when date, amount and
  balance are all equal; precision, recall and F1 over all rows, per capture.
  The other cells (time, counterparty, its account, summary, channel) are
  counted on the matched rows.
- **Header fields**: exact match of bank_name … closing_balance, per capture.
- **Accepted with a wrong value** (the headline): statements ``accepted`` while any
  header field or any transaction cell (rows missing or extra included) differs
  from the truth, plus negatives accepted; per capture, with the review rate and,
  for each good statement sent to review, the rules that sent it. Every document
  is judged as of the set's own day (``manifest.json`` ``today``; ``Settings.as_of``).
- **Negatives**: each edited-balance and deleted-row statement must carry a
  ``balance_chain`` error whose first field is the true broken row.
- **Speed**: digital pages per second for our parse (text cells → fields) and
  for the bare ``pdfplumber`` text extraction of the same pages, in this
  process, three rounds over the set after the OCR runs; the full pipeline's
  seconds per statement (it also renders every page and OCRs the sampled cells). Scanned and photo:
  seconds per page through the pipeline beside the bare OCR call on the same
  rendered page.
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
from extractors import pdf
from extractors.doctypes.bank_statement import TRANSACTION_FIELDS, BankStatement
from extractors.engines import EngineOptions, create_engine
from extractors.imaging import decode
from intake.job.pipeline import Pipeline
from intake.record.records import document_record
from intake.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
HEADER = ("bank_name", "account_name", "account_number", "currency", "period_start", "period_end",
          "opening_balance", "closing_balance")
TODAY = dt.date(2026, 11, 21)


def generate(out: Path, count: int, seed: int, captures: list[str], generator: str = "own") -> Path:
    from fixtures import statement, statement_alt

    prefix = "statements" if generator == "own" else "statements-alt"
    target = out / f"{prefix}-n{count}-s{seed}-{'-'.join(captures)}"
    if not (target / "manifest.json").exists():
        print(f"generating {count} statements per capture into {target} …", flush=True)
        make = statement.generate_set if generator == "own" else statement_alt.generate_set
        make(target, count=count, seed=seed, today=TODAY, captures=captures, negatives=True)
    return target


def set_day(folder: Path) -> dt.date:
    """The day the set is to be judged on (its manifest's ``today``)."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return dt.date.fromisoformat(manifest["today"])


def wrong_values(doc: dict[str, Any] | None, truth: dict[str, Any]) -> list[str]:
    """Every header field and transaction cell of the record that is not the truth (row by row in printed
    order; a missing or extra row counts once)."""
    fields = (doc or {}).get("fields", {})
    out = [name for name in HEADER if (fields.get(name) or {}).get("value") != truth["fields"].get(name)]
    got = values((doc or {}).get("transactions", []))
    want = truth["transactions"]
    if len(got) != len(want):
        out.append(f"rows {len(got)} read, {len(want)} printed")
    for i, (g, w) in enumerate(zip(got, want, strict=False)):
        out.extend(f"transactions[{i}].{name}" for name in TRANSACTION_FIELDS if g.get(name) != w.get(name))
    return out


def review_rules(doc: dict[str, Any] | None) -> list[str]:
    """The rules whose errors sent a document to review."""
    return sorted({f["rule"] for f in (doc or {}).get("findings", []) if f.get("severity") == "error"})


def key(row: dict[str, Any]) -> tuple[Any, Any, Any]:
    return row.get("date"), row.get("amount"), row.get("balance")


def values(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{name: (cell or {}).get("value") for name, cell in row.items()} for row in rows]


def match_rows(got: list[dict[str, Any]], want: list[dict[str, Any]]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Pairs of (read, true) rows with equal date, amount and balance; each row used at most once."""
    pool: dict[tuple[Any, Any, Any], list[dict[str, Any]]] = defaultdict(list)
    for row in want:
        pool[key(row)].append(row)
    pairs = []
    for row in got:
        bucket = pool.get(key(row))
        if bucket:
            pairs.append((row, bucket.pop(0)))
    return pairs


def printed_index(rows: list[dict[str, Any]], target: dict[str, Any]) -> int | None:
    return next((i for i, r in enumerate(rows) if key(r) == key(target)), None)


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="docintake bench bank-statement")
    p.add_argument("--count", type=int, default=14, help="statements per capture (cycling through the layouts)")
    p.add_argument("--seed", type=int, default=2027)
    p.add_argument("--captures", default="digital,scanned,photo")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    p.add_argument("--json", type=Path, help="also write the figures here")
    p.add_argument("--no-speed", action="store_true", help="skip the speed rounds (the bare OCR and parse runs)")
    p.add_argument("--generator", choices=("own", "alt"), default="own",
                   help="own: fixtures.statement (tuned on); alt: fixtures.statement_alt (another look)")
    p.add_argument("--engine", choices=("paddle", "openvino"), default=None,
                   help="the pipeline's OCR engine (default: DOCINTAKE_OCR_ENGINE); the bare call is always "
                        "PaddleOCR on ONNX Runtime with its default settings")
    args = p.parse_args(argv)
    captures = args.captures.split(",")
    folder = generate(args.out, args.count, args.seed, captures, args.generator)
    items = load_set(folder)
    today = set_day(folder)
    settings = Settings(data_dir=args.out / "bench-data", as_of=today)
    if args.engine:
        settings.ocr_engine = args.engine
    settings.redirect_caches()
    pipe = Pipeline(settings)
    engine = create_engine(EngineOptions(  # the bare call: PaddleOCR out of the box (ONNX Runtime, its arena)
        kind="paddle", threads=settings.ocr_threads, model_dir=str(settings.model_dir.resolve()), memory_arena=True))
    print(f"pipeline engine: {settings.ocr_engine}; bare call: PaddleOCR on ONNX Runtime, its defaults", flush=True)
    gc.freeze()  # as the worker does once its models are loaded (intake.job.jobs.pipeline)

    tp: Counter[str] = Counter()
    n_got: Counter[str] = Counter()
    n_want: Counter[str] = Counter()
    cell_hits: Counter[tuple[str, str]] = Counter()
    cell_total: Counter[tuple[str, str]] = Counter()
    head_hits: Counter[tuple[str, str]] = Counter()
    head_total: Counter[tuple[str, str]] = Counter()
    status: dict[str, Counter[str]] = defaultdict(Counter)
    per_layout: dict[tuple[str, str], list[float]] = defaultdict(list)
    negatives: list[tuple[str, str, bool, str]] = []
    speed: dict[str, list[float]] = defaultdict(list)
    pages_of: Counter[str] = Counter()
    misses: list[str] = []
    digital: list[bytes] = []
    wrong: dict[str, list[str]] = defaultdict(list)
    wrong_cells: Counter[tuple[str, str]] = Counter()
    reviewed: dict[str, list[str]] = defaultdict(list)
    review_counts: dict[str, Counter[str]] = defaultdict(Counter)
    negatives_accepted: list[str] = []

    for path, truth in items:
        capture, data = truth.get("capture", "digital"), path.read_bytes()
        expect = truth.get("expect") or {}
        if truth.get("reason") or "transactions" not in truth:
            continue  # the bad inputs are the tests' business
        t = time.perf_counter()
        outcome = pipe.process(data, "bank_statement", today=today)
        seconds = time.perf_counter() - t
        docs = [document_record(d) for d in outcome.documents_json()]
        doc = next((d for d in docs if d["type"] == "bank_statement"), None)
        got = values(doc.get("transactions", [])) if doc else []
        want = truth["transactions"]
        pages = truth.get("pages", 1)
        negative = expect.get("negative")
        if negative and outcome.status.value == "accepted":
            negatives_accepted.append(f"{path.name} ({negative})")
        if negative in ("edited_balance", "deleted_row"):
            row = printed_index(got, expect["row"]) if expect.get("row") else None
            flagged = [f for f in (doc or {}).get("findings", []) if f["rule"] == "balance_chain"]
            ok = row is not None and any(f["fields"] and f["fields"][0] == f"transactions[{row}].balance"
                                         for f in flagged)
            negatives.append((path.name, negative, ok, f"row {row}; flagged "
                              f"{[f['fields'][0] for f in flagged if f['fields']]}"))
            continue
        if negative:
            rule = expect.get("rule")
            ok = any(f["rule"] == rule for f in (doc or {}).get("findings", []))
            negatives.append((path.name, negative, ok, f"rule {rule}"))
            continue
        status[capture][outcome.status.value] += 1
        if outcome.status.value == "accepted":
            bad = wrong_values(doc, truth)
            if bad:
                money = [b for b in bad if not b.startswith("transactions[")
                         or b.split(".")[-1] in ("date", "time", "amount", "balance")]
                shown = (money + [b for b in bad if b not in money])[:6]
                wrong[capture].append(f"{path.name}: {', '.join(shown)}{' …' if len(bad) > 6 else ''}")
                for cell in bad:
                    wrong_cells[(capture, cell.split(".")[-1] if "." in cell else cell.split(" ")[0])] += 1
        elif outcome.status.value == "needs_review":
            rules = review_rules(doc)
            reviewed[capture].append(f"{path.name}: {', '.join(rules) or '(no error finding)'}")
            review_counts[capture].update(rules)
        pairs = match_rows(got, want)
        tp[capture] += len(pairs)
        n_got[capture] += len(got)
        n_want[capture] += len(want)
        f1 = 2 * len(pairs) / max(len(got) + len(want), 1)
        per_layout[(capture, truth.get("layout", "?"))].append(f1)
        if f1 < 1:
            misses.append(f"{path.name}: {len(pairs)} of {len(want)} rows matched, {len(got)} read")
        for g, w in pairs:
            for name in TRANSACTION_FIELDS:
                if name in ("date", "amount", "balance"):
                    continue
                cell_total[(capture, name)] += 1
                cell_hits[(capture, name)] += g.get(name) == w.get(name)
        fields = (doc or {}).get("fields", {})
        for name in HEADER:
            head_total[(capture, name)] += 1
            ok = (fields.get(name) or {}).get("value") == truth["fields"].get(name)
            head_hits[(capture, name)] += ok
            if not ok:
                misses.append(f"{path.name}: {name} read {(fields.get(name) or {}).get('value')!r}, "
                              f"truth {truth['fields'].get(name)!r}")
        speed[f"{capture}_pipeline_s"].append(seconds)
        speed[f"{capture}_pipeline_s_per_page"].append(seconds / pages)
        pages_of[capture] += pages
        if args.no_speed:
            continue
        if capture == "digital":
            digital.append(data)
        else:
            _ocr_speed(data, capture, engine, speed, pages)

    time.sleep(0 if args.no_speed else 2)  # ONNX Runtime's threads spin on after the last OCR call; let them settle
    for _ in range(3):
        for data in digital:
            _digital_speed(data, speed)

    report = _report(captures, tp, n_got, n_want, cell_hits, cell_total, head_hits, head_total, status,
                     per_layout, negatives, speed, pages_of)
    report = {"generator": args.generator, "engine": settings.ocr_engine, "seed": args.seed, "today": today.isoformat(),
              **_headline(captures, status, wrong, wrong_cells, reviewed, review_counts, negatives_accepted),
              **report}
    print(json.dumps(report, ensure_ascii=False, indent=2))
    if misses:
        print("\nmisses:", *misses[:60], sep="\n  ")
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


def _money_wrong(line: str) -> bool:
    """Whether a listed wrong statement has a header field, a row count or a date/time/amount/balance wrong
    (not only a counterparty, summary or channel text)."""
    cells = line.split(": ", 1)[1].rstrip(" …").split(", ")
    return any(not c.startswith("transactions[") or c.split(".")[-1] in ("date", "time", "amount", "balance")
               for c in cells)


def _headline(captures: list[str], status: dict[str, Counter[str]], wrong: dict[str, list[str]],
              wrong_cells: Counter[tuple[str, str]], reviewed: dict[str, list[str]],
              review_counts: dict[str, Counter[str]], negatives_accepted: list[str]) -> dict[str, Any]:
    """Accepted with a wrong value (good statements accepted with any value off, plus negatives accepted) and
    the review rate with its reasons, per capture."""
    per: dict[str, Any] = {}
    for c in captures:
        n = sum(status[c].values())
        per[c] = {
            "statements": n,
            "accepted_with_wrong_value": len(wrong[c]),
            "accepted_with_wrong_money": sum(1 for w in wrong[c] if _money_wrong(w)),
            "wrong_cells": {k: v for (cap, k), v in sorted(wrong_cells.items()) if cap == c},
            "review_rate": round(status[c]["needs_review"] / n, 4) if n else 0.0,
            "review_reasons": dict(review_counts[c].most_common()),
            "sent_to_review": reviewed[c],
            "accepted_wrong": wrong[c],
        }
    return {"accepted_with_wrong_value": sum(len(v) for v in wrong.values()) + len(negatives_accepted),
            "negatives_accepted": negatives_accepted, "by_capture": per}


def _digital_speed(data: bytes, speed: dict[str, list[float]]) -> None:
    import pdfplumber

    t = time.perf_counter()
    info, text_pages = pdf.read(data)
    doc = BankStatement().extract_pages([(i + 1, p.lines) for i, p in enumerate(text_pages) if p],
                                        {"pdf_producer": info.producer})
    ours = time.perf_counter() - t
    assert doc.tables.get("transactions") is not None
    t = time.perf_counter()
    with pdfplumber.open(io.BytesIO(data)) as bare:
        for page in bare.pages:
            page.extract_text()
    plumber = time.perf_counter() - t
    speed["digital_parse_s"].append(ours)
    speed["digital_pdfplumber_text_s"].append(plumber)
    speed["digital_pages"].append(float(info.pages))


def _ocr_speed(data: bytes, capture: str, engine: Any, speed: dict[str, list[float]], pages: int) -> None:
    """The bare OCR call on the same page(s): the rendered scan pages, or the photo as uploaded."""
    images = (decode.render_pdf_pages(data) if decode.sniff(data) == "pdf" else [decode.load_image(data)])
    for image in images:
        t = time.perf_counter()
        engine.read(np.ascontiguousarray(image))
        speed[f"{capture}_bare_ocr_s_per_page"].append(time.perf_counter() - t)


def _report(captures: list[str], tp: Counter[str], n_got: Counter[str], n_want: Counter[str],
            cell_hits: Counter[tuple[str, str]], cell_total: Counter[tuple[str, str]],
            head_hits: Counter[tuple[str, str]], head_total: Counter[tuple[str, str]],
            status: dict[str, Counter[str]], per_layout: dict[tuple[str, str], list[float]],
            negatives: list[tuple[str, str, bool, str]], speed: dict[str, list[float]],
            pages_of: Counter[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"captures": {}}
    for c in captures:
        precision = tp[c] / n_got[c] if n_got[c] else 0.0
        recall = tp[c] / n_want[c] if n_want[c] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        heads = {n: f"{head_hits[(c, n)]}/{head_total[(c, n)]}" for n in HEADER if head_total[(c, n)]}
        cells = {n: round(cell_hits[(c, n)] / cell_total[(c, n)], 4) for n in TRANSACTION_FIELDS
                 if cell_total[(c, n)]}
        entry: dict[str, Any] = {
            "statements": sum(status[c].values()), "pages": pages_of[c], "true_rows": n_want[c],
            "read_rows": n_got[c], "matched_rows": tp[c], "precision": round(precision, 4),
            "recall": round(recall, 4), "f1": round(f1, 4),
            "header_fields_right": f"{sum(head_hits[(c, n)] for n in HEADER)}/"
                                   f"{sum(head_total[(c, n)] for n in HEADER)}",
            "header_by_field": heads, "other_cells_right_on_matched_rows": cells, "status": dict(status[c]),
            "f1_by_layout": {lay: round(statistics.fmean(v), 4) for (cap, lay), v in sorted(per_layout.items())
                             if cap == c},
        }
        s = speed
        if c == "digital" and s["digital_pages"]:
            n = sum(s["digital_pages"])
            entry["speed"] = {
                "parse_pages_per_s": round(n / sum(s["digital_parse_s"]), 1),
                "bare_pdfplumber_extract_text_pages_per_s": round(n / sum(s["digital_pdfplumber_text_s"]), 1),
                "pipeline_s_per_statement_median": round(statistics.median(s["digital_pipeline_s"]), 3),
                "pipeline_pages_per_s": round(n / sum(s["digital_pipeline_s"]), 1),
            }
        elif s[f"{c}_pipeline_s_per_page"]:
            bare = s[f"{c}_bare_ocr_s_per_page"]
            entry["speed"] = {
                "pipeline_s_per_page_median": round(statistics.median(s[f"{c}_pipeline_s_per_page"]), 3),
                "pipeline_s_per_page_max": round(max(s[f"{c}_pipeline_s_per_page"]), 3),
                "bare_ocr_s_per_page_median": round(statistics.median(bare), 3) if bare else None,
                "ratio_pipeline_to_bare_ocr": round(statistics.median(s[f"{c}_pipeline_s_per_page"])
                                                    / statistics.median(bare), 2) if bare else None,
            }
        out["captures"][c] = entry
    out["negatives"] = {"flagged": sum(1 for n in negatives if n[2]), "total": len(negatives),
                        "missed": [f"{a} ({b}): {d}" for a, b, ok, d in negatives if not ok]}
    return out
