"""A status request checks the evidence chain and that every stored file is there, without reading the upload
and every page image again (security review, finding 9: 19 ms a GET for a 19 MiB upload); a page is checked
when it is served, and ``docintake verify`` checks every hash."""

from __future__ import annotations

import pytest

from intake.job import jobs, queue
from intake.job.pipeline import Pipeline
from intake.job.worker import PromptWorker
from intake.record import evidence
from intake.settings import Settings
from intake.storage.blobs import BlobStore, store_of
from intake.storage.db import session_scope
from tests.conftest import api, sample

pytestmark = pytest.mark.ocr


def test_status_reads_no_file_and_a_served_page_is_checked(settings: Settings, pipeline: Pipeline,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    jobs.configure(settings, pipeline)
    client = api(settings)
    doc_id = client.post("/v1/applications/app-st/documents",
                         files={"file": ("f.jpg", sample("front-scan-1.jpg").read_bytes())}).json()["document_id"]
    PromptWorker(queue.queues(settings), connection=queue.connection(settings)).work(burst=True)
    reads: list[str] = []
    real_get = BlobStore.get
    monkeypatch.setattr(BlobStore, "get", lambda self, digest: reads.append(digest) or real_get(self, digest))
    view = client.get(f"/v1/documents/{doc_id}").json()
    assert view["evidence"]["chain_ok"] and reads == [], "a status request reads no stored file"

    page = store_of(settings).path(view["pages"][0]["sha256"])
    page.write_bytes(page.read_bytes()[:-1] + b"\x00")  # altered in place
    served = client.get(f"/v1/documents/{doc_id}/pages/1")
    assert served.status_code == 409 and served.json()["error"]["code"] == "page_altered"
    with session_scope(settings.database_url) as s:
        deep = evidence.verify(s, doc_id, store_of(settings))
    assert not deep.ok and "page 1: stored image is missing or altered" in deep.problems

    page.unlink()
    missing = client.get(f"/v1/documents/{doc_id}").json()["evidence"]
    assert not missing["chain_ok"] and "page 1: stored image is missing or altered" in missing["problems"]
