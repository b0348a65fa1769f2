"""Reviewer corrections through the review page's API: a new version with source reviewer, the rules run
again, the old version kept, a second reviewer working from an old version refused, the feed and the evidence
updated — and read back through the approval service's API."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from intake.job import jobs, queue
from intake.job.pipeline import Pipeline
from intake.job.worker import PromptWorker
from intake.settings import Settings
from tests.conftest import api, sample, signed_in

pytestmark = pytest.mark.ocr


@pytest.fixture
def forged(settings: Settings, pipeline: Pipeline) -> tuple[TestClient, TestClient, str, dict]:  # type: ignore[type-arg]
    """The statement with one edited balance, read: needs_review on balance_chain at that row; the API client and
    a signed-in reviewer."""
    jobs.configure(settings, pipeline)
    client = api(settings)
    path = sample("statements", "neg-edited-balance.pdf")
    r = client.post("/v1/applications/app-fix/documents", files={"file": (path.name, path.read_bytes())})
    PromptWorker(queue.queues(settings), connection=queue.connection(settings)).work(burst=True)
    return (client, signed_in(settings, "reviewer.li", app=client.app), r.json()["document_id"],
            json.loads(path.with_suffix(".json").read_text(encoding="utf-8")))


def _row(view: dict, truth_row: dict) -> int:  # type: ignore[type-arg]
    rows = view["documents"][0]["transactions"]
    return next(i for i, r in enumerate(rows) if (r["date"]["value"], r["amount"]["value"], r["balance"]["value"])
                == (truth_row["date"], truth_row["amount"], truth_row["balance"]))


def test_a_correction_is_a_new_version_and_the_rules_run_again(forged: tuple) -> None:  # type: ignore[type-arg]
    client, reviewer, doc_id, truth = forged
    before = client.get(f"/v1/documents/{doc_id}").json()
    assert before["version"] == 1 and before["state"] == "needs_review"
    i = _row(before, truth["expect"]["row"])
    r = reviewer.post(f"/review/api/documents/{doc_id}/corrections", json={
        "expected_version": 1,
        "changes": [{"field": f"transactions[{i}].balance", "value": truth["expect"]["edit"]["original_balance"],
                     "note": "checked against the bank's copy"}]})
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 2
    after = client.get(f"/v1/documents/{doc_id}").json()
    assert after["version"] == 2 and after["state"] == "accepted"
    cell = after["documents"][0]["transactions"][i]["balance"]
    assert cell["source"] == "reviewer" and cell["value"] == truth["expect"]["edit"]["original_balance"]
    assert cell["note"] == "reviewer.li: checked against the bank's copy"
    assert not [f for f in after["documents"][0]["findings"] if f["rule"] == "balance_chain"]
    assert after["evidence"]["chain_ok"], after["evidence"]["problems"]
    assert after["evidence"]["events"][-1]["kind"] == "corrected"

    versions = client.get(f"/v1/documents/{doc_id}/versions").json()
    assert [(v["version"], v["source"], v["action"], v["author"], v["state"]) for v in versions] == [
        (1, "pipeline", "extracted", None, "needs_review"), (2, "reviewer", "corrected", "reviewer.li", "accepted")]
    assert versions[1]["changes"][0]["from"] == truth["expect"]["edit"]["printed_balance"]
    feed = client.get("/v1/records/feed").json()["entries"]
    assert [(e["document_id"], e["version"]) for e in feed] == [(doc_id, 1), (doc_id, 2)]


def test_a_second_reviewer_on_an_old_version_is_refused(forged: tuple) -> None:  # type: ignore[type-arg]
    client, reviewer, doc_id, truth = forged
    i = _row(client.get(f"/v1/documents/{doc_id}").json(), truth["expect"]["row"])
    change = {"field": f"transactions[{i}].balance", "value": truth["expect"]["edit"]["original_balance"]}
    other = signed_in(client.app.state.settings, "reviewer.wang", app=client.app)
    first = reviewer.post(f"/review/api/documents/{doc_id}/corrections",
                          json={"expected_version": 1, "changes": [change]})
    assert first.status_code == 200
    second = other.post(f"/review/api/documents/{doc_id}/corrections",
                        json={"expected_version": 1, "changes": [{"field": "account_name", "value": "王五"}]})
    assert second.status_code == 409
    error = second.json()["error"]
    assert error["code"] == "version_conflict" and "version 2" in error["detail"] and error["message_zh"]
    view = client.get(f"/v1/documents/{doc_id}").json()
    assert view["version"] == 2 and view["documents"][0]["fields"]["account_name"]["value"] != "王五"


@pytest.mark.parametrize(("change", "detail"), [
    ({"field": "period_start", "value": "last spring"}, "is not a date"),
    ({"field": "transactions[0].amount", "value": "lots"}, "is not an amount"),
    ({"field": "transactions[999].amount", "value": "1.00"}, "is not in the record"),
    ({"field": "favourite_colour", "value": "blue"}, "is not a field of bank_statement"),
])
def test_corrections_that_do_not_fit_are_refused(forged: tuple, change: dict, detail: str) -> None:  # type: ignore[type-arg]
    client, reviewer, doc_id, _ = forged
    r = reviewer.post(f"/review/api/documents/{doc_id}/corrections", json={"expected_version": 1, "changes": [change]})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_correction"
    assert detail in r.json()["error"]["detail"]
    assert client.get(f"/v1/documents/{doc_id}").json()["version"] == 1, "nothing changed"
