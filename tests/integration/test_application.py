"""A whole credit application through the API: ID card front and back, statement and contract uploaded, read by
the worker, merged into one application record that validates against the published schema; the mismatched
application is flagged on the right fields of both documents, and a reviewer's correction makes a new version."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from fastapi.testclient import TestClient

from intake.job import jobs, queue
from intake.job.pipeline import Pipeline
from intake.job.worker import PromptWorker
from intake.record import application
from intake.settings import Settings
from tests.conftest import api, sample, signed_in

pytestmark = [pytest.mark.ocr, pytest.mark.integration]


@pytest.fixture
def client(settings: Settings, pipeline: Pipeline) -> TestClient:
    jobs.configure(settings, pipeline)
    return api(settings)


def submit(client: TestClient, settings: Settings, folder: Path, application_id: str) -> dict[str, Any]:
    """Upload every file of the fixture application with its declared type and let a worker read them all;
    returns the fixture's description with each file's upload id."""
    spec = json.loads((folder / "application.json").read_text(encoding="utf-8"))
    ids = {}
    for name, doc_type in spec["documents"].items():
        r = client.post(f"/v1/applications/{application_id}/documents", data={"document_type": doc_type},
                        files={"file": (name, (folder / name).read_bytes())})
        assert r.status_code == 202, r.text
        ids[name] = r.json()["document_id"]
    PromptWorker(queue.queues(settings), connection=queue.connection(settings)).work(burst=True)
    spec["ids"] = ids
    return spec


def refs_of(finding: dict[str, Any]) -> dict[str, list[str]]:
    return {r["document"].split("/")[0]: r["fields"] for r in finding["refs"]}


def test_a_complete_application_reaches_complete(client: TestClient, settings: Settings) -> None:
    spec = submit(client, settings, sample("applications", "complete"), "app-ok")
    record = client.get("/v1/applications/app-ok/record").json()
    errors = [f for f in record["findings"] if f["severity"] == "error"]
    assert record["status"] == "complete", (errors, record["missing"])
    assert set(record["sections"]) == {"id_card_front", "id_card_back", "bank_statement", "loan_contract"}
    contract = record["sections"]["loan_contract"]["fields"]
    assert contract["borrower_id_number"]["value"] == spec["person"]["id_number"]
    assert contract["has_seal"]["value"] is True and contract["has_seal"]["bbox"]
    assert record["sections"]["bank_statement"]["analytics"]["monthly"]
    assert record["version"] == 4 and len(record["documents"]) == 4
    assert all(d["chain_head"] and d["result_sha256"] for d in record["documents"])
    schema = client.get(f"/v1/schemas/application-record/{record['schema_version']}").json()
    assert schema == application.json_schema(), "the published schema is the models' schema"
    jsonschema.validate(record, schema)


def test_a_mismatched_application_names_both_documents_and_a_correction_clears_it(
        client: TestClient, settings: Settings) -> None:
    spec = submit(client, settings, sample("applications", "mismatched"), "app-bad")
    ids = spec["ids"]
    record = client.get("/v1/applications/app-bad/record").json()
    assert record["status"] == "needs_review"
    found = {f["rule"]: f for f in record["findings"] if f["cross_document"]}
    for expected in spec["expect"]["findings"]:
        finding = found[expected["rule"]]
        assert refs_of(finding) == {ids[name]: fields for name, fields in expected["fields"].items()}
    assert set(record["review"]) == {f["rule"] for f in spec["expect"]["findings"]}

    contract_id = ids["contract.pdf"]
    view = client.get(f"/v1/documents/{contract_id}").json()
    reviewer = signed_in(settings, "reviewer-7", app=client.app)
    r = reviewer.post(f"/review/api/documents/{contract_id}/corrections", json={
        "expected_version": view["version"],
        "changes": [{"field": "borrower", "value": spec["person"]["name"], "note": "per the signed original"},
                    {"field": "borrower_id_number", "value": spec["person"]["id_number"]}]})
    assert r.status_code == 200, r.text
    after = client.get("/v1/applications/app-bad/record").json()
    assert after["version"] == record["version"] + 1
    assert after["status"] == "complete", [f for f in after["findings"] if f["severity"] == "error"]
    section = after["sections"]["loan_contract"]
    borrower = section["fields"]["borrower"]
    assert borrower["source"] == "reviewer" and "reviewer-7" in borrower["note"]
    assert (section["version"], section["version_source"], section["version_author"]) == (2, "reviewer", "reviewer-7")
    assert section["version_at"] >= record["sections"]["loan_contract"]["version_at"]
    stale = signed_in(settings, "reviewer-8", app=client.app).post(
        f"/review/api/documents/{contract_id}/corrections",
        json={"expected_version": view["version"], "changes": [{"field": "purpose", "value": "装修"}]})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "version_conflict"


def test_the_committed_schema_is_the_models_schema() -> None:
    assert application.published_schema() == application.json_schema(), \
        "the record's shape changed: bump SCHEMA_VERSION or rewrite the schema (python -m intake.record.application)"


def test_an_application_held_across_documents_waits_in_the_review_queue_until_reviewers_approve(
        client: TestClient, settings: Settings) -> None:
    spec = submit(client, settings, sample("applications", "mismatched"), "app-q")
    reviewer = signed_in(settings, "reviewer-9", app=client.app)
    held = [i for i in reviewer.get("/review/api/queue").json()["items"] if i["kind"] == "application"]
    assert [i["id"] for i in held] == ["app-q"]
    assert {f["rule"] for f in held[0]["findings"]} == {f["rule"] for f in spec["expect"]["findings"]}
    view = reviewer.get("/review/api/applications/app-q").json()
    named = {r["document_id"] for f in view["findings"] if f["cross_document"] for r in f["refs"]}
    assert named == {spec["ids"][name] for f in spec["expect"]["findings"] for name in f["fields"]}
    name = next(f for f in view["findings"] if f["rule"] == "id_number_matches_across_documents")
    assert all("*" in str(v["value"]) for r in name["refs"] for v in r["values"].values()), "numbers masked"

    for doc_id in sorted(named):  # the reviewer checked the originals: the same person, both documents right
        version = reviewer.get(f"/review/api/documents/{doc_id}").json()["version"]
        r = reviewer.post(f"/review/api/documents/{doc_id}/approve", json={"expected_version": version})
        assert r.status_code == 200, r.text
    assert not [i for i in reviewer.get("/review/api/queue").json()["items"] if i["kind"] == "application"]
    record = client.get("/v1/applications/app-q/record").json()
    assert record["status"] == "complete" and record["review"] == []
    assert all(f["overridden"] for f in record["findings"] if f["cross_document"])
