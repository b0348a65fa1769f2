"""Retention and deletion end to end through the API: ID card files purged after 90 days with the record and
the evidence kept (a ``purged`` event with the hashes); an application deleted on request loses its files and
its personal fields in every version, with a tombstone in the evidence; verify still proves every chain."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from intake.job import jobs, queue
from intake.job.pipeline import Pipeline
from intake.job.worker import PromptWorker
from intake.operations import retention
from intake.record import evidence
from intake.settings import Settings
from intake.storage.blobs import store_of
from intake.storage.db import session_scope
from tests.conftest import api, sample

pytestmark = [pytest.mark.integration, pytest.mark.ocr]


def _upload(settings: Settings, pipeline: Pipeline, app_id: str) -> tuple[object, dict[str, str]]:
    jobs.configure(settings, pipeline)
    client = api(settings)
    ids = {kind: client.post(f"/v1/applications/{app_id}/documents",
                             files={"file": (parts[-1], sample(*parts).read_bytes())}).json()["document_id"]
           for kind, parts in [("card", ("front-scan-1.jpg",)), ("statement", ("statements", "digital-icbc.pdf"))]}
    PromptWorker(queue.queues(settings), connection=queue.connection(settings)).work(burst=True)
    return client, ids


def _files(settings: Settings, view: dict) -> list[str]:  # type: ignore[type-arg]
    return [view["sha256"], *(p["sha256"] for p in view["pages"])]


def _deep_ok(settings: Settings, doc_id: str) -> evidence.VerifyReport:
    with session_scope(settings.database_url) as s:
        return evidence.verify(s, doc_id, store_of(settings))


def test_id_card_files_are_purged_after_their_retention(settings: Settings, pipeline: Pipeline) -> None:
    client, ids = _upload(settings, pipeline, "app-ret")
    card, statement = (client.get(f"/v1/documents/{ids[k]}").json() for k in ("card", "statement"))  # type: ignore[attr-defined]
    blobs = store_of(settings)
    assert retention.purge(settings, now=dt.datetime.now(dt.UTC) + dt.timedelta(days=89)) == []
    assert retention.purge(settings, now=dt.datetime.now(dt.UTC) + dt.timedelta(days=91)) == [ids["card"]]
    assert not any(blobs.path(d).exists() for d in _files(settings, card)), "the portrait is gone"
    assert all(blobs.path(d).exists() for d in _files(settings, statement)), "statements are kept (unset)"
    after = client.get(f"/v1/documents/{ids['card']}").json()  # type: ignore[attr-defined]
    assert after["documents"] == card["documents"], "the extracted record stays"
    last = after["evidence"]["events"][-1]
    assert last["kind"] == "purged" and sorted(last["payload"]["removed"]) == sorted(set(_files(settings, card)))
    assert after["evidence"]["chain_ok"] and _deep_ok(settings, ids["card"]).ok
    page = client.get(f"/v1/documents/{ids['card']}/pages/1")  # type: ignore[attr-defined]
    assert page.status_code == 410 and page.json()["error"]["code"] == "page_purged"


def test_an_application_deleted_on_request(settings: Settings, pipeline: Pipeline) -> None:
    client, ids = _upload(settings, pipeline, "app-del")
    views = {k: client.get(f"/v1/documents/{v}").json() for k, v in ids.items()}  # type: ignore[attr-defined]
    name = views["card"]["documents"][0]["fields"]["name"]["value"]
    number = views["card"]["documents"][0]["fields"]["id_number"]["value"]
    account = views["statement"]["documents"][0]["fields"]["account_number"]["value"]
    scorer = api(settings, "scorer")
    assert scorer.delete("/v1/applications/app-del").status_code == 403, "the app back end relays the request"
    r = client.delete("/v1/applications/app-del")  # type: ignore[attr-defined]
    assert r.status_code == 200 and sorted(r.json()["deleted"]) == sorted(ids.values())
    blobs = store_of(settings)
    for kind, doc_id in ids.items():
        assert not any(blobs.path(d).exists() for d in _files(settings, views[kind]))
        view = client.get(f"/v1/documents/{doc_id}").json()  # type: ignore[attr-defined]
        versions = client.get(f"/v1/documents/{doc_id}/versions").json()  # type: ignore[attr-defined]
        text = json.dumps([view["documents"], versions], ensure_ascii=False)
        assert name not in text and number not in text and account not in text, "no personal field is left"
        assert view["evidence"]["events"][-1]["kind"] == "deleted", "the tombstone"
        assert view["evidence"]["chain_ok"] and _deep_ok(settings, doc_id).ok
    feed = json.dumps(scorer.get("/v1/records/feed").json(), ensure_ascii=False)
    assert number not in feed and account not in feed
    assert client.delete("/v1/applications/app-del").status_code == 404  # type: ignore[attr-defined]
