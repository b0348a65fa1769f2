"""The review page's API: who gets in (reviewers by session, never API tokens), CSRF, roles, masking and
revealing personal numbers, the queue, and decisions as new versions that reach the approval service."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from stdnum.cn import ric

from api.main import create_app
from intake.job import jobs, queue
from intake.job.pipeline import Pipeline
from intake.job.worker import PromptWorker
from intake.settings import Settings
from intake.storage.db import AuditEntry, session_scope
from tests.conftest import PASSWORD, api, sample, signed_in


def test_api_tokens_do_not_open_the_review_page_and_sessions_do_not_open_the_api(settings: Settings) -> None:
    scorer, app = api(settings, "scorer"), api(settings, "app")
    for client in (scorer, app):
        r = client.get("/review/api/queue")
        assert r.status_code == 401 and r.json()["error"]["code"] == "not_signed_in"
        assert client.get("/review", follow_redirects=False).headers["location"] == "/review/login"
    reviewer = signed_in(settings, app=scorer.app)
    assert reviewer.get("/review/api/queue").status_code == 200
    r = reviewer.get("/v1/records/feed")
    assert r.status_code == 401 and r.json()["error"]["code"] == "not_authenticated"
    assert r.headers["www-authenticate"] == "Bearer"
    assert app.get("/v1/records/feed").status_code == 403, "the app's token is not the approval service's"
    assert scorer.post("/v1/applications/a/documents", files={"file": ("a.jpg", b"x")}).status_code == 403
    assert TestClient(scorer.app).get("/v1/records/feed").status_code == 401
    bad = TestClient(scorer.app, headers={"Authorization": "Bearer di_not-a-token"})
    assert bad.get("/v1/records/feed").json()["error"]["code"] == "not_authenticated"


def test_sign_in_out_and_wrong_passwords(settings: Settings) -> None:
    reviewer = signed_in(settings, "wang.fang")
    me = reviewer.get("/review/api/me").json()
    assert me["user"] == {"username": "wang.fang", "display_name": "wang.fang", "role": "reviewer"}
    cookie = next(c for c in reviewer.cookies.jar if c.name == "docintake_review")
    assert cookie.path == "/review" and cookie.has_nonstandard_attr("HttpOnly")
    wrong = TestClient(reviewer.app).post("/review/api/session", json={"username": "wang.fang", "password": "nope"})
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "bad_credentials"
    nobody = TestClient(reviewer.app).post("/review/api/session", json={"username": "nobody", "password": PASSWORD})
    assert nobody.json()["error"] == wrong.json()["error"], "an unknown name looks like a wrong password"
    assert reviewer.delete("/review/api/session").status_code == 204
    assert reviewer.get("/review/api/me").status_code == 401
    with session_scope(settings.database_url) as s:
        actions = [(a.actor, a.action) for a in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == [("wang.fang", "signed_in"), ("wang.fang", "sign_in_failed"), ("(unknown)", "sign_in_failed"),
                       ("wang.fang", "signed_out")]


def test_unsafe_requests_need_the_csrf_token_json_and_this_origin(settings: Settings) -> None:
    reviewer = signed_in(settings)
    token = reviewer.headers.pop("X-CSRF-Token")
    r = reviewer.post("/review/api/documents/x/approve", json={"expected_version": 1})
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf_failed"
    r = reviewer.post("/review/api/documents/x/approve", json={"expected_version": 1},
                      headers={"X-CSRF-Token": "forged"})
    assert r.json()["error"]["code"] == "csrf_failed"
    r = reviewer.post("/review/api/documents/x/approve", data={"expected_version": "1"},
                      headers={"X-CSRF-Token": token})
    assert r.status_code == 415 and r.json()["error"]["code"] == "json_required", "a cross-site form cannot post"
    r = reviewer.post("/review/api/documents/x/approve", json={"expected_version": 1},
                      headers={"X-CSRF-Token": token, "Origin": "https://evil.example"})
    assert r.json()["error"]["code"] == "csrf_failed"
    r = reviewer.post("/review/api/documents/x/approve", json={"expected_version": 1},
                      headers={"X-CSRF-Token": token, "Origin": "http://testserver"})
    assert r.status_code == 404, "with the token, from this site, it reaches the route"
    login = TestClient(reviewer.app).post("/review/api/session", data={"username": "li.na", "password": PASSWORD})
    assert login.status_code == 415, "sign-in too takes JSON only"


@pytest.fixture
def card(settings: Settings, pipeline: Pipeline) -> tuple[TestClient, str]:
    """An ID card photo whose number has a wrong check digit, read: needs_review."""
    jobs.configure(settings, pipeline)
    client = api(settings)
    r = client.post("/v1/applications/app-rv/documents",
                    files={"file": ("card.jpg", sample("neg-bad-check-digit.jpg").read_bytes())})
    PromptWorker(queue.queues(settings), connection=queue.connection(settings)).work(burst=True)
    return client, r.json()["document_id"]


def _front(view: dict) -> dict:  # type: ignore[type-arg]
    return next(d for d in view["documents"] if d["type"] == "id_card_front")


@pytest.mark.ocr
def test_the_queue_and_the_document_view_mask_numbers_until_revealed(card: tuple, settings: Settings) -> None:  # type: ignore[type-arg]
    client, doc_id = card
    reviewer = signed_in(settings, app=client.app)
    listed = reviewer.get("/review/api/queue").json()
    assert [i["id"] for i in listed["items"]] == [doc_id]
    item = listed["items"][0]
    assert "id_card_front" in item["types"] and any(f["severity"] == "error" for f in item["findings"])
    assert listed["counts"]["waiting"] == 1 and listed["counts"]["by_type"]["id_card_front"] == 1
    assert reviewer.get("/review/api/queue", params={"type": "bank_statement"}).json()["items"] == []
    assert reviewer.get("/review/api/queue", params={"age": "24h"}).json()["items"] == []
    rule = item["findings"][0]["rule"]
    assert [i["id"] for i in reviewer.get("/review/api/queue", params={"rule": rule}).json()["items"]] == [doc_id]

    view = reviewer.get(f"/review/api/documents/{doc_id}").json()
    number = _front(view)["fields"]["id_number"]
    truth = client.get(f"/v1/documents/{doc_id}").json()
    real = next(d for d in truth["documents"] if d["type"] == "id_card_front")["fields"]["id_number"]["value"]
    assert number["masked"] and number["value"] == real[:4] + "*" * 10 + real[-4:] and number["failed"]
    assert real not in reviewer.get(f"/review/api/documents/{doc_id}").text
    assert view["permissions"] == {"correct": True, "approve": True, "retake": True, "reject": False,
                                   "reveal_all": False}

    one = reviewer.post(f"/review/api/documents/{doc_id}/reveal",
                        json={"fields": [{"document": _front(view)["index"], "field": "id_number"}]})
    assert one.status_code == 200 and one.json()["values"][0]["value"] == real
    both = [{"document": _front(view)["index"], "field": "id_number"}, {"document": 0, "field": "name"}]
    bulk = reviewer.post(f"/review/api/documents/{doc_id}/reveal", json={"fields": both})
    assert bulk.status_code == 403, "only supervisors reveal in bulk"
    name = reviewer.post(f"/review/api/documents/{doc_id}/reveal", json={"fields": both[1:]})
    assert name.status_code == 422 and name.json()["error"]["code"] == "invalid_reveal", "names are not masked"
    with session_scope(settings.database_url) as s:
        logged = [(a.actor, a.action, a.document_id, a.detail) for a in
                  s.scalars(select(AuditEntry).where(AuditEntry.action == "revealed"))]
    assert logged == [("li.na", "revealed", doc_id, {"fields": [f"{_front(view)['index']}:id_number"]})]
    assert real not in str(logged)


@pytest.mark.ocr
def test_correct_then_approve_makes_reviewer_versions_in_the_feed(card: tuple, settings: Settings) -> None:  # type: ignore[type-arg]
    client, doc_id = card
    reviewer = signed_in(settings, app=client.app)
    view = reviewer.get(f"/review/api/documents/{doc_id}").json()
    front = _front(view)
    real = reviewer.post(f"/review/api/documents/{doc_id}/reveal", json={
        "fields": [{"document": front["index"], "field": "id_number"}]}).json()["values"][0]["value"]
    fixed = real[:17] + ric.calc_check_digit(real)  # stdnum takes the whole number and ignores its last digit
    r = reviewer.post(f"/review/api/documents/{doc_id}/corrections", json={
        "expected_version": 1, "changes": [{"document": front["index"], "field": "id_number", "value": fixed}]})
    assert r.status_code == 200, r.text
    corrected = _front(r.json())
    number = corrected["fields"]["id_number"]
    assert number["source"] == "reviewer" and not number["failed"], corrected["findings"]
    assert not [f for f in corrected["findings"] if "id_number" in f["fields"] and f["severity"] == "error"]
    approved = reviewer.post(f"/review/api/documents/{doc_id}/approve", json={"expected_version": 2, "note": "ok"})
    assert approved.status_code == 200, approved.text
    done = approved.json()
    assert (done["state"], done["version"], done["review"]["decision"], done["review"]["by"]) == (
        "accepted", 3, "approved", "li.na")
    assert done["actionable"] is False and reviewer.get("/review/api/queue").json()["items"] == []
    again = reviewer.post(f"/review/api/documents/{doc_id}/approve", json={"expected_version": 3})
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_decided"

    history = reviewer.get(f"/review/api/documents/{doc_id}/versions").json()
    assert [(v["version"], v["action"], v["author"]) for v in history] == [
        (1, "extracted", None), (2, "corrected", "li.na"), (3, "approved", "li.na")]
    change = next(c for c in history[1]["changes"] if c["field"] == "id_number")
    assert change["to"] == fixed[:4] + "*" * 10 + fixed[-4:], "the diff masks the number too"
    entries = client.get("/v1/records/feed").json()["entries"]
    assert [(e["version"], e["state"]) for e in entries] == [(1, "needs_review"), (2, entries[1]["state"]),
                                                             (3, "accepted")]
    last = entries[-1]["record"]
    assert last["review"]["decision"] == "approved" and last["review"]["by"] == "li.na"
    assert last["evidence"]["chain_ok"] and last["evidence"]["events"][-1]["kind"] == "reviewed"
    field = next(d for d in last["documents"] if d["type"] == "id_card_front")["fields"]["id_number"]
    assert field["value"] == fixed and field["source"] == "reviewer"


@pytest.mark.ocr
def test_only_supervisors_reject_and_a_retake_reaches_the_app(card: tuple, settings: Settings) -> None:  # type: ignore[type-arg]
    client, doc_id = card
    reviewer = signed_in(settings, app=client.app)
    r = reviewer.post(f"/review/api/documents/{doc_id}/reject", json={"expected_version": 1, "reason": "forged"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    r = reviewer.post(f"/review/api/documents/{doc_id}/retake", json={"expected_version": 1, "reason": "shiny"})
    assert r.status_code == 422
    r = reviewer.post(f"/review/api/documents/{doc_id}/retake", json={"expected_version": 1, "reason": "glare"})
    assert r.status_code == 200 and r.json()["review"]["decision"] == "retake"
    status = client.get(f"/v1/documents/{doc_id}").json()
    assert (status["state"], status["reject_code"]) == ("rejected", "glare") and "glare" in status["reject_reason"]

    supervisor = signed_in(settings, "zhao.lei", "supervisor", app=client.app)
    other = client.post("/v1/applications/app-rv/documents",
                        files={"file": ("c2.jpg", sample("neg-expired.jpg").read_bytes())}).json()["document_id"]
    PromptWorker(queue.queues(settings), connection=queue.connection(settings)).work(burst=True)
    assert supervisor.get(f"/review/api/documents/{other}").json()["permissions"]["reject"] is True
    r = supervisor.post(f"/review/api/documents/{other}/reject", json={"expected_version": 1, "reason": "  "})
    assert r.status_code == 422
    r = supervisor.post(f"/review/api/documents/{other}/reject",
                        json={"expected_version": 1, "reason": "照片与本人不符"})
    assert r.status_code == 200
    status = client.get(f"/v1/documents/{other}").json()
    assert (status["state"], status["reject_code"], status["reject_reason"]) == (
        "rejected", "reviewer_rejected", "照片与本人不符")


@pytest.mark.ocr
def test_four_eyes_a_corrector_does_not_approve_their_own_correction(card: tuple, settings: Settings) -> None:  # type: ignore[type-arg]
    """With DOCINTAKE_REVIEW_FOUR_EYES the reviewer who corrected a document cannot approve it; another can."""
    _, doc_id = card
    strict = settings.model_copy(update={"review_four_eyes": True})
    app = create_app(strict, run_migrations=False)
    li, wang = signed_in(strict, "li.na", app=app), signed_in(strict, "wang.fang", app=app)
    front = _front(li.get(f"/review/api/documents/{doc_id}").json())
    r = li.post(f"/review/api/documents/{doc_id}/corrections", json={
        "expected_version": 1, "changes": [{"document": front["index"], "field": "address", "value": "河北省邯郸市"}]})
    assert r.status_code == 200, r.text
    own = li.post(f"/review/api/documents/{doc_id}/approve", json={"expected_version": 2})
    assert own.status_code == 403 and own.json()["error"]["code"] == "four_eyes"
    other = wang.post(f"/review/api/documents/{doc_id}/approve", json={"expected_version": 2})
    assert other.status_code == 200 and other.json()["review"]["by"] == "wang.fang"
