"""Pushing finished records to a real webhook receiver on 127.0.0.1: down for a while, then up.

Nothing is lost, nothing is unsigned, a repeat is recognisable by its event id,
and a delivery the receiver keeps refusing is parked for an operator to replay.
"""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from intake.feed import forward
from intake.job import jobs, queue, recovery
from intake.job.pipeline import Pipeline
from intake.job.worker import PromptWorker
from intake.settings import Settings
from intake.storage.db import utcnow
from tests.conftest import api, sample, signed_in

pytestmark = [pytest.mark.integration, pytest.mark.ocr]
SECRET = "test-webhook-secret"


class Receiver:
    """An HTTP server that records what it gets and answers with ``status`` (the approval service's side)."""

    def __init__(self, port: int) -> None:
        self.port, self.status = port, 200
        self.got: list[dict[str, Any]] = []
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> None:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.got.append({"headers": dict(self.headers), "body": body})
                self.send_response(outer.status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver(_free_port())
    yield r
    r.stop()


def _hooked(settings: Settings, receiver: Receiver, **kw: Any) -> Settings:
    return settings.model_copy(update={"webhook_url": f"http://127.0.0.1:{receiver.port}/hook",
                                       "webhook_secret": SECRET, "webhook_backoff_s": 0.05} | kw)


def _work(settings: Settings) -> None:
    PromptWorker(queue.queues(settings), connection=queue.connection(settings)).work(burst=True)


def _retry_round(settings: Settings, hours_later: float = 0.0) -> None:
    """What the worker's sweeper does on its rounds: enqueue the deliveries that are due, then work them.
    ``hours_later``: judge what is due as if that much time had passed (the backoff grows to an hour)."""
    time.sleep(0.1)
    if hours_later:
        forward.enqueue_due(settings, now=utcnow() + dt.timedelta(hours=hours_later))
    else:
        recovery.sweep(settings)
    _work(settings)


def test_a_receiver_down_for_a_while_loses_nothing(settings: Settings, pipeline: Pipeline,
                                                   receiver: Receiver) -> None:
    hooked = _hooked(settings, receiver)
    jobs.configure(hooked, pipeline)
    client = api(hooked)
    ids = []
    for parts in (("front-scan-1.jpg",), ("statements", "digital-icbc.pdf"), ("contracts", "digital-bank.pdf")):
        r = client.post("/v1/applications/app-hook/documents",
                        files={"file": (parts[-1], sample(*parts).read_bytes())})
        assert r.status_code == 202
        ids.append(r.json()["document_id"])
    _work(hooked)  # read them all; the receiver is not listening yet
    contract = client.get(f"/v1/documents/{ids[2]}").json()
    purpose = contract["documents"][0]["fields"]["purpose"]["value"]
    reviewer = signed_in(hooked, "reviewer-3", app=client.app)
    r = reviewer.post(f"/review/api/documents/{ids[2]}/corrections", json={  # version 2, made while it is down
        "expected_version": 1, "changes": [{"field": "purpose", "value": "装修（厨房）"}]})
    assert r.status_code == 200, r.text
    _retry_round(hooked)
    for _ in range(3):
        _retry_round(hooked, hours_later=1.01)  # the receiver stays down for three hours
    pending = client.get("/v1/deliveries", params={"state": "pending"}).json()
    assert sorted(d["document_id"] for d in pending) == sorted([*ids, ids[2]])
    assert all(d["attempts"] >= 3 and d["last_error"] == "ConnectError" for d in pending)

    receiver.start()
    _retry_round(hooked, hours_later=1.01)
    assert client.get("/v1/deliveries", params={"state": "pending"}).json() == []
    bodies = [json.loads(g["body"]) for g in receiver.got]
    assert sorted(b["event_id"] for b in bodies) == sorted([f"{i}:1" for i in ids] + [f"{ids[2]}:2"]), \
        "every version of every record arrived, once"
    for got, body in zip(receiver.got, bodies, strict=True):
        h = got["headers"]
        assert forward.verify(SECRET, h[forward.TIMESTAMP_HEADER], h[forward.SIGNATURE_HEADER], got["body"])
        assert not forward.verify("another secret", h[forward.TIMESTAMP_HEADER], h[forward.SIGNATURE_HEADER],
                                  got["body"])
        assert h[forward.EVENT_HEADER] == body["event_id"] == f"{body['document_id']}:{body['version']}"
    versions = {b["version"]: b["documents"][0]["fields"]["purpose"] for b in bodies if b["document_id"] == ids[2]}
    assert versions[1]["value"] == purpose, "version 1 is pushed as it was, though version 2 exists"
    assert versions[2]["value"] == "装修（厨房）" and versions[2]["source"] == "reviewer"
    second = next(b for b in bodies if b["event_id"] == f"{ids[2]}:2")
    assert (second["source"], second["action"], second["author"]) == ("reviewer", "corrected", "reviewer-3")
    statement = next(b for b in bodies if b["document_id"] == ids[1])
    assert statement["documents"][0]["type"] == "bank_statement" and statement["documents"][0]["transactions"]
    for doc_id in ids:
        view = client.get(f"/v1/documents/{doc_id}").json()
        assert view["evidence"]["chain_ok"], view["evidence"]["problems"]
        forwarded = [e for e in view["evidence"]["events"] if e["kind"] == "forwarded"]
        assert len(forwarded) == (2 if doc_id == ids[2] else 1) and forwarded[0]["payload"]["attempt"] >= 4


def test_a_refused_delivery_is_parked_and_an_operator_replays_it(settings: Settings, pipeline: Pipeline,
                                                                  receiver: Receiver) -> None:
    hooked = _hooked(settings, receiver, webhook_max_attempts=2)
    jobs.configure(hooked, pipeline)
    client = api(hooked)
    receiver.status = 500
    receiver.start()
    r = client.post("/v1/applications/app-hook/documents",
                    files={"file": ("s.pdf", sample("statements", "digital-cmb.pdf").read_bytes())})
    doc_id = r.json()["document_id"]
    _work(hooked)
    _retry_round(hooked, hours_later=1.01)
    _retry_round(hooked, hours_later=1.01)  # nothing more is tried once it is dead
    [dead] = client.get("/v1/deliveries", params={"state": "dead"}).json()
    assert dead["document_id"] == doc_id and dead["attempts"] == 2 and dead["last_error"] == "HTTP 500"
    assert len(receiver.got) == 2
    assert len({g["headers"][forward.EVENT_HEADER] for g in receiver.got}) == 1, "a repeat carries the same id"

    assert client.post("/v1/deliveries/999999/replay").status_code == 404
    receiver.status = 204
    replayed = client.post(f"/v1/deliveries/{dead['id']}/replay")
    assert replayed.status_code == 202 and replayed.json()["state"] == "pending"
    _work(hooked)
    [done] = client.get("/v1/deliveries", params={"state": "delivered"}).json()
    assert done["id"] == dead["id"] and done["attempts"] == 1
    again = client.post(f"/v1/deliveries/{dead['id']}/replay")
    assert again.status_code == 409 and again.json()["error"]["code"] == "delivery_not_dead"


def test_no_webhook_configured_means_no_deliveries(settings: Settings, pipeline: Pipeline) -> None:
    jobs.configure(settings, pipeline)
    client = api(settings)
    client.post("/v1/applications/app-hook/documents",
                files={"file": ("s.pdf", sample("statements", "digital-cmb.pdf").read_bytes())})
    _work(settings)
    assert client.get("/v1/deliveries").json() == []
    assert client.get("/v1/records/feed").json()["entries"], "the record is in the feed to pull"
