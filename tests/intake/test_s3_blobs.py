"""The S3 blob store against a real S3 protocol server on 127.0.0.1 (moto's standalone server, a process of its
own speaking HTTP): uploads, page images and the evidence check in a bucket, nothing in the data folder."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from extractors.errors import StorageUnavailable
from intake.job import jobs, queue
from intake.job.pipeline import Pipeline
from intake.record import evidence
from intake.settings import Settings
from intake.storage.blobs import BlobAltered, BlobNotFound, store_of
from intake.storage.db import Document, session_scope
from intake.storage.s3blobs import S3BlobStore, _client
from intake.upload import service
from tests.conftest import api, sample

pytest.importorskip("moto")


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("moto server did not start")


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = _port()
    proc = _start(port)
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "docintake-test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "docintake-test-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    _client.cache_clear()  # a client for this server
    _client().create_bucket(Bucket="intake")
    try:
        yield "s3://intake/blobs", proc
    finally:
        proc.kill()
        proc.wait()
        _client.cache_clear()


def _objects(prefix: str = "blobs/") -> dict[str, bytes]:
    found = _client().list_objects_v2(Bucket="intake", Prefix=prefix).get("Contents", [])
    return {o["Key"]: _client().get_object(Bucket="intake", Key=o["Key"])["Body"].read() for o in found}


def test_blobs_are_sealed_content_addressed_objects_checked_on_every_read(
        s3: tuple[str, subprocess.Popen[bytes]], settings: Settings) -> None:
    settings.blob_url = s3[0]
    store = store_of(settings)
    assert isinstance(store, S3BlobStore)
    photo = sample("front-photo-1.jpg").read_bytes()
    digest = store.put(photo)
    assert store.put(photo) == digest and store.exists(digest)
    [(key, body)] = _objects().items()
    assert key == f"blobs/{digest[:2]}/{digest[2:]}"
    assert not body.startswith(b"\xff\xd8") and photo[100:140] not in body, "sealed before it left the process"
    assert store.get(digest) == photo
    # an object replaced by a sealed copy of other content, under this name: refused on read
    other = store.keyring.seal(b"another file", aad=digest.encode())  # type: ignore[union-attr]
    _client().put_object(Bucket="intake", Key=key, Body=other)
    with pytest.raises(BlobAltered):
        store.get(digest)
    with pytest.raises(BlobNotFound):
        store.get("0" * 64)
    store.delete(digest)
    assert not store.exists(digest)


def test_a_document_read_from_the_bucket_leaves_nothing_in_the_data_folder(
        s3: tuple[str, subprocess.Popen[bytes]], settings: Settings, pipeline: Pipeline) -> None:
    settings.blob_url = s3[0]
    jobs.configure(settings, pipeline)
    accepted = service.accept(settings, application_id="app-s3", data=sample("front-photo-1.jpg").read_bytes(),
                              declared_type="id_card")
    from intake.job.worker import PromptWorker

    PromptWorker(queue.queues(settings), connection=queue.connection(settings)).work(burst=True)
    with session_scope(settings.database_url) as s:
        doc = s.get(Document, accepted.document_id)
        assert doc is not None and doc.state in ("accepted", "needs_review"), doc.state if doc else None
        report = evidence.verify(s, doc.id, store_of(settings))  # deep: every blob read back and hashed
        assert report.ok, report.problems
    assert len(_objects()) >= 2, "the upload and its page image are in the bucket"
    assert not [p for p in Path(settings.data_dir).rglob("*") if p.is_file() and "blobs" in p.parts], \
        "no blob in the data folder"
    page = api(settings, "app").get(f"/v1/documents/{accepted.document_id}/pages/1")
    assert page.status_code == 200 and page.content.startswith(b"\x89PNG")


def test_s3_down_is_a_retryable_503_and_nothing_is_stored(
        s3: tuple[str, subprocess.Popen[bytes]], settings: Settings) -> None:
    settings.blob_url = s3[0]
    s3[1].kill()
    s3[1].wait()
    started = time.monotonic()
    with pytest.raises(StorageUnavailable):
        store_of(settings).put(b"an upload")
    assert time.monotonic() - started < 30, "bounded retries, not a hang"
    r = api(settings, "app").post("/v1/applications/app-s3/documents",
                                  files={"file": ("a.jpg", sample("front-photo-1.jpg").read_bytes())})
    assert r.status_code == 503 and r.json()["error"]["code"] == "storage_unavailable"
    assert r.json()["error"]["retryable"] is True
    with session_scope(settings.database_url) as s:
        assert s.query(Document).filter_by(application_id="app-s3").count() == 0


def test_a_missing_bucket_is_unavailable_not_an_empty_store(
        s3: tuple[str, subprocess.Popen[bytes]], settings: Settings) -> None:
    settings.blob_url = "s3://no-such-bucket/x"
    with pytest.raises(StorageUnavailable):
        store_of(settings).get("a" * 64)
