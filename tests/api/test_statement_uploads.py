"""Statement uploads through the API: the password of a protected PDF, over-long and malformed PDFs,
and a statement's way through the queue, the worker and the feed."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from intake.job import jobs, queue
from intake.job.pipeline import Pipeline
from intake.job.worker import PromptWorker
from intake.settings import Settings
from intake.storage.db import Document, EvidenceEvent, session_scope
from tests.conftest import api, sample

PASSWORD = "123456"


@pytest.fixture
def client(settings: Settings) -> TestClient:
    return api(settings)


def _upload(client: TestClient, name: str, data: bytes, **form: str):  # type: ignore[no-untyped-def]
    return client.post("/v1/applications/app-st/documents", data=form,
                       files={"file": (name, data, "application/pdf")})


def _stored(settings: Settings) -> int:
    with session_scope(settings.database_url) as s:
        return s.query(Document).filter_by(application_id="app-st").count()


def test_a_protected_statement_needs_its_password(client: TestClient, settings: Settings) -> None:
    data = sample("statements", "bad-encrypted.pdf").read_bytes()
    r = _upload(client, "s.pdf", data)
    assert r.status_code == 422 and r.json()["error"]["code"] == "encrypted_pdf"
    assert "password" in r.json()["error"]["message"]
    wrong = _upload(client, "s.pdf", data, password="000000")
    assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "encrypted_pdf"
    assert "does not open" in wrong.json()["error"]["detail"]
    assert _stored(settings) == 0


@pytest.mark.ocr
def test_a_protected_statement_with_its_password_is_read_and_the_password_is_not_kept(
        client: TestClient, settings: Settings, pipeline: Pipeline) -> None:
    jobs.configure(settings, pipeline)
    data = sample("statements", "bad-encrypted.pdf").read_bytes()
    r = _upload(client, "s.pdf", data, password=PASSWORD, document_type="bank_statement")
    assert r.status_code == 202, r.text
    PromptWorker(queue.queues(settings), connection=queue.connection(settings)).work(burst=True)
    view = client.get(r.json()["status_url"]).json()
    assert view["evidence"]["chain_ok"], view["evidence"]["problems"]
    [doc] = view["documents"]
    assert doc["type"] == "bank_statement" and len(doc["transactions"]) > 0
    truth = json.loads(sample("statements", "bad-encrypted.json").read_text(encoding="utf-8"))
    if "transactions" in truth:
        assert [t["balance"]["value"] for t in doc["transactions"]] == [t["balance"] for t in truth["transactions"]]
    with session_scope(settings.database_url) as s:
        row = s.scalars(select(Document).where(Document.id == view["id"])).one()
        assert row.content_sha256 and row.content_sha256 != row.sha256
        events = s.scalars(select(EvidenceEvent).where(EvidenceEvent.document_id == row.id)
                           .order_by(EvidenceEvent.seq)).all()
        dumped = json.dumps([e.payload for e in events]) + json.dumps(row.result)
    assert events[0].payload["opened_with_password"] is True
    assert PASSWORD not in dumped
    record = client.get("/v1/applications/app-st/record").json()
    assert record["status"] == "incomplete"
    assert record["missing"] == ["id_card_front", "id_card_back", "loan_contract"]
    assert record["sections"]["bank_statement"]["transactions"], "the statement's rows are in the record"
    feed = client.get("/v1/records/feed", params={"after": "0"}).json()
    [entry] = feed["entries"]
    assert entry["document_id"] == view["id"]


def test_a_500_page_pdf_is_refused_with_its_own_code(client: TestClient, settings: Settings) -> None:
    from fixtures.statement import big_pdf

    r = _upload(client, "long.pdf", big_pdf(pages=500))
    assert r.status_code == 413, r.text
    body = r.json()["error"]
    assert body["code"] == "too_many_pages" and "500 pages" in body["detail"]
    assert _stored(settings) == 0


def test_a_truncated_statement_is_corrupt(client: TestClient, settings: Settings) -> None:
    data = sample("statements", "digital-icbc.pdf").read_bytes()
    r = _upload(client, "cut.pdf", data[: len(data) // 3])
    assert r.status_code == 422 and r.json()["error"]["code"] == "corrupt_file"
    assert _stored(settings) == 0
