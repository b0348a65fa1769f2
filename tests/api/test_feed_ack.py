"""The pull feed's consumer acknowledgements: kept in the database, so a consumer resumes after a restart."""

from __future__ import annotations

import pytest
from rq import SimpleWorker

from intake import jobs, queue
from intake.pipeline import Pipeline
from intake.settings import Settings
from tests.conftest import api, sample

pytestmark = pytest.mark.ocr


def test_a_consumer_resumes_after_its_acknowledged_cursor(settings: Settings, pipeline: Pipeline) -> None:
    jobs.configure(settings, pipeline)
    client = api(settings)
    for name in ("digital-cmb.pdf", "digital-icbc.pdf", "digital-abc.pdf"):
        assert client.post("/v1/applications/app-ack/documents",
                           files={"file": (name, sample("statements", name).read_bytes())}).status_code == 202
    SimpleWorker([queue.queue(settings)], connection=queue.connection(settings)).work(burst=True)

    first = client.get("/v1/records/feed", params={"consumer": "scoring"}).json()["entries"]
    assert len(first) == 3, "nothing acknowledged yet: from the start"
    ack = client.post("/v1/records/feed/ack", json={"consumer": "scoring", "cursor": first[1]["cursor"]})
    assert ack.status_code == 200 and ack.json()["acked_cursor"] == first[1]["cursor"]

    restarted = api(settings)  # a new API process, the same database
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
