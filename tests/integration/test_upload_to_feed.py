"""API → Redis → worker → database → feed, with the real OCR on committed samples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from intake.job import jobs, queue
from intake.job.pipeline import Pipeline
from intake.job.worker import PromptWorker
from intake.settings import Settings
from tests.conftest import SAMPLES, api

pytestmark = [pytest.mark.integration, pytest.mark.ocr]


def _truth(path: Path) -> dict:  # type: ignore[type-arg]
    return json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))


def _accepted_samples() -> list[Path]:
    out = []
    for gt in sorted(SAMPLES.glob("*.json")):
        if gt.name == "manifest.json":
            continue
        truth = json.loads(gt.read_text(encoding="utf-8"))
        if truth.get("expect", {}).get("status") == "accepted":
            out.extend(p for p in SAMPLES.glob(gt.stem + ".*") if p.suffix != ".json")
    return out


def test_upload_to_feed(settings: Settings, pipeline: Pipeline) -> None:
    jobs.configure(settings, pipeline)
    client = api(settings)
    files = _accepted_samples()[:3]
    assert files, "no accepted samples committed under fixtures/samples"

    ids = {}
    for path in files:
        r = client.post("/v1/applications/app-e2e/documents", files={"file": (path.name, path.read_bytes())},
                        headers={"Idempotency-Key": path.name})
        assert r.status_code == 202, r.text
        ids[r.json()["document_id"]] = path
        assert client.get(r.json()["status_url"]).json()["state"] == "queued"

    PromptWorker(queue.queues(settings), connection=queue.connection(settings)).work(burst=True)

    for doc_id, path in ids.items():
        view = client.get(f"/v1/documents/{doc_id}").json()
        truth = _truth(path)
        assert view["state"] == "accepted", (path.name, view["documents"])
        assert view["evidence"]["chain_ok"], view["evidence"]["problems"]
        assert [e["kind"] for e in view["evidence"]["events"]] == ["received", "started", "read", "validated",
                                                                   "finished"]
        assert view["evidence"]["engine"]["models"]["PP-OCRv6_small_det"]
        got = {d["type"]: d for d in view["documents"]}
        for want in truth["documents"]:
            doc = got[want["type"]]
            for name, value in want["fields"].items():
                assert doc["fields"][name]["value"] == value, (path.name, name)
            for name, field in doc["fields"].items():
                page = view["pages"][field["page"] - 1]
                x0, y0, x1, y1 = field["bbox"]
                assert 0 <= x0 < x1 <= page["width"] and 0 <= y0 < y1 <= page["height"], (name, field["bbox"])
        png = client.get(view["pages"][0]["url"])
        assert png.status_code == 200 and png.content[:4] == b"\x89PNG"

    feed = client.get("/v1/records/feed", params={"after": "0", "limit": 2}).json()
    seen = [e["document_id"] for e in feed["entries"]]
    rest = client.get("/v1/records/feed", params={"after": feed["next_cursor"]}).json()
    seen += [e["document_id"] for e in rest["entries"]]
    assert sorted(seen) == sorted(ids), "every finished record exactly once"
    empty = client.get("/v1/records/feed", params={"after": rest["next_cursor"]}).json()
    assert empty["entries"] == [] and empty["next_cursor"] == rest["next_cursor"]

    record = client.get("/v1/applications/app-e2e/record").json()
    assert record["application_id"] == "app-e2e"
    assert {d["upload_id"] for d in record["documents"]} == set(ids)

    metrics = client.get("/metrics").text
    assert 'docintake_documents{state="accepted"}' in metrics
    assert "docintake_step_seconds_count" in metrics
    assert client.get("/healthz").json()["status"] == "ok"
