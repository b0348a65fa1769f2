"""The pull feed's consumer acknowledgements: kept in the database, so a consumer resumes after a restart."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from intake.job import jobs, queue
from intake.job.pipeline import Pipeline
from intake.job.worker import PromptWorker
from intake.settings import Settings
from tests.conftest import api, sample

pytestmark = pytest.mark.ocr


def test_a_consumer_resumes_after_its_acknowledged_cursor(settings: Settings, pipeline: Pipeline) -> None:
    jobs.configure(settings, pipeline)
    client = api(settings)
    for name in ("digital-cmb.pdf", "digital-icbc.pdf", "digital-abc.pdf"):
        assert client.post("/v1/applications/app-ack/documents",
                           files={"file": (name, sample("statements", name).read_bytes())}).status_code == 202
    PromptWorker(queue.queues(settings), connection=queue.connection(settings)).work(burst=True)

    first = client.get("/v1/records/feed", params={"consumer": "scoring"}).json()["entries"]
    assert len(first) == 3, "nothing acknowledged yet: from the start"
    ack = client.post("/v1/records/feed/ack", json={"consumer": "scoring", "cursor": first[1]["cursor"]})
    assert ack.status_code == 200 and ack.json()["acked_cursor"] == first[1]["cursor"]

    restarted = TestClient(create_app(settings, run_migrations=False), headers=client.headers)  # a new API process
    rest = restarted.get("/v1/records/feed", params={"consumer": "scoring"}).json()
    assert [e["document_id"] for e in rest["entries"]] == [first[2]["document_id"]]
    assert restarted.get("/v1/records/feed", params={"consumer": "other"}).json()["entries"][0]["cursor"] \
        == first[0]["cursor"], "each consumer has its own place"

    older = restarted.post("/v1/records/feed/ack", json={"consumer": "scoring", "cursor": first[0]["cursor"]})
    assert older.json()["acked_cursor"] == first[1]["cursor"], "a repeated older ack does not move it back"
    ahead = restarted.post("/v1/records/feed/ack", json={"consumer": "scoring", "cursor": "999999"})
    assert ahead.status_code == 409 and ahead.json()["error"]["code"] == "cursor_ahead_of_feed"
    explicit = restarted.get("/v1/records/feed", params={"consumer": "scoring", "after": "0"}).json()
    assert len(explicit["entries"]) == 3, "an explicit cursor wins"
    bad = restarted.post("/v1/records/feed/ack", json={"consumer": "no spaces allowed", "cursor": "1"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_request"


def test_a_consumer_belongs_to_the_client_that_made_it(settings: Settings) -> None:
    """Another scorer token can neither move a consumer's cursor (to make it skip entries) nor read its place."""
    owner, other = api(settings, "scorer"), api(settings, "scorer")
    assert owner.post("/v1/records/feed/ack", json={"consumer": "scoring", "cursor": "0"}).status_code == 200
    moved = other.post("/v1/records/feed/ack", json={"consumer": "scoring", "cursor": "0"})
    assert moved.status_code == 403 and moved.json()["error"]["code"] == "consumer_taken"
    read = other.get("/v1/records/feed", params={"consumer": "scoring"})
    assert read.status_code == 403 and read.json()["error"]["code"] == "consumer_taken"
    assert owner.get("/v1/records/feed", params={"consumer": "scoring"}).status_code == 200
    assert other.post("/v1/records/feed/ack", json={"consumer": "scoring-2", "cursor": "0"}).status_code == 200


def test_first_acks_of_a_new_consumer_racing_each_other_all_succeed(settings: Settings) -> None:
    client = api(settings, "scorer")
    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(lambda i: client.post("/v1/records/feed/ack",
                                                    json={"consumer": f"new-{i % 2}", "cursor": "0"}).status_code,
                              range(40)))
    assert codes == [200] * 40
