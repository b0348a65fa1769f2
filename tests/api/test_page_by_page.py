"""A paper statement photographed page by page: several photos make one document, in page order, its balance
chain running across them; a missing page is named, and adding it later reads the document again."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from fastapi.testclient import TestClient

from fixtures.statement import make_statement, photo, render_pdf, truth
from intake.job import jobs, queue
from intake.job.pipeline import Pipeline
from intake.job.worker import PromptWorker
from intake.settings import Settings
from tests.conftest import api, sample

TODAY = dt.date(2026, 11, 21)


@pytest.fixture(scope="module")
def three_pages() -> tuple[list[bytes], dict[str, Any]]:
    rng = random.Random(5)
    st = make_statement(rng, "icbc", 3, TODAY)
    pdf = render_pdf(st)
    return [photo(pdf, rng, page_index=i)[0] for i in range(3)], truth(st, "three-pages", "photo", pages=3)


def _post(client: TestClient, photos: list[tuple[str, bytes]], **form: Any) -> Any:
    return client.post("/v1/applications/app-pages/documents", data=form,
                       files=[("file", (name, data, "image/jpeg")) for name, data in photos])


def _work(settings: Settings) -> None:
    PromptWorker(queue.queues(settings), connection=queue.connection(settings)).work(burst=True)


def _balances(doc: dict[str, Any]) -> list[Any]:
    return [(row.get("balance") or {}).get("value") for row in doc["transactions"]]


@pytest.mark.ocr
def test_pages_sent_out_of_order_with_one_missing_then_added(
        settings: Settings, pipeline: Pipeline, three_pages: tuple[list[bytes], dict[str, Any]]) -> None:
    settings.as_of = TODAY
    jobs.configure(settings, pipeline)
    client = api(settings)
    shots, want = three_pages
    first = _post(client, [("p3.jpg", shots[2]), ("p1.jpg", shots[0])])
    assert first.status_code == 202, first.text
    doc_id = first.json()["document_id"]
    _work(settings)
    view = client.get(f"/v1/documents/{doc_id}").json()
    [doc] = view["documents"]
    assert doc["type"] == "bank_statement" and doc["status"] == "needs_review"
    missing = [f for f in doc["findings"] if f["rule"] == "pages_complete"]
    assert missing and "Page 2 of 3" in missing[0]["message"]["en"]
    chain = [f for f in doc["findings"] if f["rule"] == "balance_chain"]
    assert chain, "the chain breaks where a page is missing"
    row = int(chain[0]["fields"][0].split("[")[1].split("]")[0])
    pages = [t["date"]["page"] for t in doc["transactions"]]
    # the row on either side of the boundary, by the bank's print order (newest first: the one above it)
    assert pages[row] != pages[row - 1] or pages[row] != pages[row + 1], f"not at a boundary: {pages}, row {row}"
    assert view["evidence"]["events"][0]["kind"] == "received" and view["evidence"]["chain_ok"]

    added = client.post("/v1/applications/app-pages/documents", data={"continues": doc_id, "page": "2"},
                        files={"file": ("p2.jpg", shots[1], "image/jpeg")})
    assert added.status_code == 202, added.text
    assert added.json()["document_id"] == doc_id
    again = client.post("/v1/applications/app-pages/documents", data={"continues": doc_id},
                        files={"file": ("p2.jpg", shots[1], "image/jpeg")})
    assert again.json()["duplicate"] is True, "the same photo twice is one page"
    _work(settings)
    view = client.get(f"/v1/documents/{doc_id}").json()
    [doc] = view["documents"]
    rules = {f["rule"] for f in doc["findings"]}
    assert "pages_complete" not in rules and "balance_chain" not in rules, rules
    assert _balances(doc) == [t["balance"] for t in want["transactions"]], "one statement, rows in page order"
    assert view["version"] == 2 and view["evidence"]["chain_ok"]
    kinds = [e["kind"] for e in view["evidence"]["events"]]
    assert kinds.count("page_added") == 1 and kinds.count("finished") == 2
    feed = client.get("/v1/records/feed", params={"after": "0"}).json()["entries"]
    assert [(e["document_id"], e["version"]) for e in feed] == [(doc_id, 1), (doc_id, 2)]


def test_only_photos_make_a_document_of_pages(settings: Settings, three_pages: tuple[list[bytes], Any]) -> None:
    client = api(settings)
    pdf = sample("statements", "digital-abc.pdf").read_bytes()
    r = client.post("/v1/applications/app-pages/documents",
                    files=[("file", ("p1.jpg", three_pages[0][0], "image/jpeg")), ("file", ("s.pdf", pdf, "x"))])
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request"
    assert "photo 2 is a PDF" in r.json()["error"]["detail"]
    lone = client.post("/v1/applications/app-pages/documents", data={"continues": "0" * 32},
                       files={"file": ("p.jpg", three_pages[0][0], "image/jpeg")})
    assert lone.status_code == 404 and lone.json()["error"]["code"] == "document_not_found"
    twice = client.post("/v1/applications/app-pages/documents",
                        files=[("file", ("a.jpg", three_pages[0][0], "image/jpeg")),
                               ("file", ("b.jpg", three_pages[0][0], "image/jpeg"))])
    assert twice.status_code == 202
    view = client.get(f"/v1/documents/{twice.json()['document_id']}").json()
    received = view["evidence"]["events"][0]
    assert received["kind"] == "received" and len(received["payload"]["parts"]) == 1
    assert received["payload"]["repeated_photos"] == 1
