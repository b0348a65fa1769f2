"""Personal data never reaches a log line, and never comes back in an error."""

from __future__ import annotations

import json
import logging

import pytest

from intake.job import jobs, queue
from intake.job.pipeline import Pipeline
from intake.job.worker import PromptWorker
from intake.settings import Settings
from tests.conftest import api, sample

pytestmark = [pytest.mark.integration, pytest.mark.ocr]


def test_no_personal_data_in_logs(settings: Settings, pipeline: Pipeline, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    jobs.configure(settings, pipeline)
    client = api(settings)
    secrets = []
    for name in ("both-sides-photo.jpg", "neg-bad-check-digit.jpg"):
        path = sample(name)
        truth = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        front = truth["documents"][0]["fields"]
        secrets += [front["name"], front["id_number"], front["address"], front["id_number"][:14]]
        assert client.post("/v1/applications/app-pii/documents", files={"file": (name, path.read_bytes())}
                           ).status_code == 202
    for name in ("scanned-abc-2pages.pdf", "neg-edited-balance.pdf"):  # a statement read by OCR, one by text
        path = sample("statements", name)
        truth = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        secrets += [truth["fields"]["account_name"], truth["fields"]["account_number"]]
        secrets += [t["counterparty_account"] for t in truth["transactions"] if t.get("counterparty_account")]
        assert client.post("/v1/applications/app-pii/documents", files={"file": (name, path.read_bytes())}
                           ).status_code == 202
    PromptWorker(queue.queues(settings), connection=queue.connection(settings)).work(burst=True)
    view = client.get("/v1/records/feed").json()
    assert len(view["entries"]) == 4, "the documents were processed"
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert logged, "something was logged"
    for secret in secrets:
        assert secret not in logged


def test_openapi_documents_every_route(settings: Settings) -> None:
    spec = api(settings).get("/openapi.json").json()
    assert {"/v1/applications/{application_id}/documents", "/v1/documents/{document_id}",
            "/v1/documents/{document_id}/pages/{number}", "/v1/applications/{application_id}/record",
            "/v1/records/feed", "/healthz", "/metrics"} <= set(spec["paths"])
    upload = spec["paths"]["/v1/applications/{application_id}/documents"]["post"]
    assert {"202", "409", "413", "415", "422"} <= set(upload["responses"])
