"""``docintake bench pages``: paper statements photographed page by page, sent as photos in shuffled order.

For ``--count`` statements of ``--pages`` pages (``--generator own``: :mod:`fixtures.statement`'s layouts, the
one the readers were tuned on; ``alt``: :mod:`fixtures.statement_alt`'s styles, written to differ), every page
is photographed (:func:`fixtures.statement.photo`), the photos are shuffled and read as one document
(:meth:`intake.job.pipeline.Pipeline.process_photos`), then read again without the middle page. Printed:

- pages put in the right order, and how the order was decided (printed numbers, or as sent);
- statements whose balance chain holds across the photos, balances exact (row by row against the truth);
- with the middle photo missing: flagged by ``pages_complete`` naming the page, and the chain broken at the
  boundary of the photos on either side of it;
- good statements accepted with a wrong value (a balance or amount that differs from the truth).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

TODAY = dt.date(2026, 11, 21)


def _statement(generator: str, rng: random.Random, i: int, pages: int) -> tuple[bytes, dict[str, Any]]:
    from fixtures import statement, statement_alt
    from fixtures.statement_alt_styles import STYLES
    from fixtures.statement_layouts import LAYOUTS

    if generator == "alt":
        style = sorted(STYLES)[i % len(STYLES)]
        st = statement_alt.make(rng, style, pages, TODAY)
        pdf, printed = statement_alt.render_pdf(st, STYLES[style])
        return pdf, statement_alt.truth(st, STYLES[style], f"pages-{i}", "photo", printed)
    layout = sorted(LAYOUTS)[i % len(LAYOUTS)]
    st = statement.make_statement(rng, layout, pages, TODAY)
    return statement.render_pdf(st), statement.truth(st, f"pages-{i}", "photo", pages=pages)


def _page_count(pdf: bytes) -> int:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        return len(doc)
    finally:
        doc.close()


def _chain_rows(doc: Any) -> list[int]:
    return sorted({int(f.split("[")[1].split("]")[0]) for finding in doc.findings if finding.rule == "balance_chain"
                   for f in finding.fields if f.startswith("transactions[")})


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="docintake bench pages")
    p.add_argument("--generator", choices=("own", "alt"), default="own")
    p.add_argument("--count", type=int, default=6)
    p.add_argument("--pages", type=int, default=3)
    p.add_argument("--seed", type=int, default=2026)
    args = p.parse_args(argv)

    from fixtures.statement import photo
    from intake.job.pipeline import Pipeline
    from intake.settings import Settings

    settings = Settings(data_dir=Path(tempfile.mkdtemp(prefix="bench-pages-")), as_of=TODAY)
    settings.redirect_caches()
    pipe = Pipeline(settings)
    tally: Counter[str] = Counter()
    by: Counter[str] = Counter()
    notes: list[str] = []
    seconds: list[float] = []
    for i in range(args.count):
        rng = random.Random(f"pages-{args.generator}-{args.seed}-{i}")
        pdf, truth = _statement(args.generator, rng, i, args.pages)
        n = _page_count(pdf)
        if n < 3:
            notes.append(f"#{i}: printed on {n} pages, skipped")
            continue
        shots = [photo(pdf, rng, page_index=k)[0] for k in range(n)]
        order = list(range(n))
        while order == sorted(order):
            rng.shuffle(order)
        t0 = time.perf_counter()
        out = pipe.process_photos([shots[k] for k in order], today=TODAY)
        seconds.append(time.perf_counter() - t0)
        tally["statements"] += 1
        doc = next((d for d in out.documents if d.doc_type == "bank_statement"), None)
        if doc is None:
            notes.append(f"#{i}: no statement read ({[d.doc_type for d in out.documents]})")
            continue
        by[str(doc.meta.get("page_order"))] += 1
        if [order[p - 1] for p in doc.pages] == list(range(n)):
            tally["ordered"] += 1
        else:
            notes.append(f"#{i}: pages read in the order {[order[p - 1] + 1 for p in doc.pages]}")
        rows = doc.tables.get("transactions", [])
        got = [(r["balance"].value if r.get("balance") else None, r["amount"].value if r.get("amount") else None)
               for r in rows]
        want = [(t["balance"], t["amount"]) for t in truth["transactions"]]
        if not _chain_rows(doc):
            tally["chain holds"] += 1
        if got == want:
            tally["balances exact"] += 1
        tally[f"status {doc.status.value if doc.status else None}"] += 1
        if doc.status is not None and doc.status.value == "accepted" and got != want:
            tally["ACCEPTED WITH A WRONG VALUE"] += 1
        # the middle photo left out
        middle = n // 2
        without = [k for k in order if k != middle]
        cut = pipe.process_photos([shots[k] for k in without], today=TODAY)
        cdoc = next((d for d in cut.documents if d.doc_type == "bank_statement"), None)
        if cdoc is None:
            continue
        named = any(f.rule == "pages_complete" and f"Page {middle + 1}" in f.message.en for f in cdoc.findings)
        pages_of_rows = [(r.get("date") or r.get("balance")).page for r in cdoc.tables.get("transactions", [])
                         if r.get("date") or r.get("balance")]
        at_boundary = any(0 < r < len(pages_of_rows) and (pages_of_rows[r] != pages_of_rows[r - 1] or (
            r + 1 < len(pages_of_rows) and pages_of_rows[r] != pages_of_rows[r + 1])) for r in _chain_rows(cdoc))
        tally["missing page named"] += named
        tally["chain broken at the boundary"] += at_boundary
        tally["missing: accepted"] += cdoc.status is not None and cdoc.status.value == "accepted"
    print(f"\ngenerator {args.generator}, seed {args.seed}, {args.pages}-page statements, shuffled photos")
    for key in ("statements", "ordered", "chain holds", "balances exact", "missing page named",
                "chain broken at the boundary", "missing: accepted", "ACCEPTED WITH A WRONG VALUE"):
        print(f"  {key:<32} {tally[key]}")
    print("  order decided by:", dict(by), " statuses:", {k: v for k, v in tally.items() if k.startswith("status")})
    if seconds:
        print(f"  seconds to read the photos: median {sorted(seconds)[len(seconds) // 2]:.1f}")
    for line in notes:
        print("  note:", line)
    return 0
