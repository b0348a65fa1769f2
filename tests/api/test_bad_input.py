"""Every bad upload gets a specific, machine-readable answer — never a crash or a hang."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.main import create_app
from intake.settings import Settings
from intake.storage.db import Document, session_scope
from tests.conftest import api, sample


@pytest.fixture
def client(settings: Settings) -> TestClient:
    return api(settings)


def _upload(client: TestClient, name: str, data: bytes, **kw: object):  # type: ignore[no-untyped-def]
    return client.post("/v1/applications/app-bad/documents", files={"file": (name, data, "image/jpeg")}, **kw)


@pytest.mark.parametrize(("name", "status", "code"), [
    ("empty.jpg", 422, "empty_file"),
    ("truncated.jpg", 422, "corrupt_file"),
    ("text.jpg", 415, "unsupported_format"),
    ("encrypted.pdf", 422, "encrypted_pdf"),
])
def test_unreadable_files_are_refused_with_a_code(client: TestClient, settings: Settings, name: str, status: int,
                                                  code: str) -> None:
    r = _upload(client, name, sample("bad", name).read_bytes())
    assert r.status_code == status, r.text
    body = r.json()["error"]
    assert body["code"] == code
    assert body["message"] and body["message_zh"]
    assert body["retryable"] is False
    with session_scope(settings.database_url) as s:
        assert s.query(Document).filter_by(application_id="app-bad").count() == 0, "nothing stored for a refusal"


def test_decompression_bomb_is_refused_quickly(client: TestClient, tmp_path: Path) -> None:
    from fixtures.idcard import make_decompression_bomb

    bomb = tmp_path / "bomb.png"
    make_decompression_bomb(bomb)
    t = time.perf_counter()
    r = _upload(client, "bomb.png", bomb.read_bytes())
    elapsed = time.perf_counter() - t
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "image_too_large"
    assert elapsed < 30, "must be refused from the header, not decoded"


def test_upload_over_the_limit_is_413(settings: Settings) -> None:
    small = settings.model_copy(update={"max_upload_bytes": 1000})
    client = api(small)
    r = _upload(client, "big.jpg", b"\xff\xd8\xff" + b"0" * 5000)
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "file_too_large"


def test_unknown_declared_type_is_422(client: TestClient) -> None:
    r = client.post("/v1/applications/app-bad/documents", data={"document_type": "passport"},
                    files={"file": ("a.jpg", sample("bad", "not-a-card.jpg").read_bytes(), "image/jpeg")})
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "unknown_document_type"


def test_bad_application_id_is_422(client: TestClient) -> None:
    r = client.post("/v1/applications/%20bad%20id/documents",
                    files={"file": ("a.jpg", sample("bad", "not-a-card.jpg").read_bytes(), "image/jpeg")})
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "invalid_request"


def test_missing_file_is_422(client: TestClient) -> None:
    r = client.post("/v1/applications/app-bad/documents")
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "invalid_request"


def test_unknown_document_is_404_with_code(client: TestClient) -> None:
    r = client.get("/v1/documents/doesnotexist")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "document_not_found"


def test_idempotency_key_reused_for_other_bytes_is_409(client: TestClient) -> None:
    a = sample("bad", "not-a-card.jpg").read_bytes()
    first = _upload(client, "a.jpg", a, headers={"Idempotency-Key": "k-409"})
    assert first.status_code == 202
    again = _upload(client, "a.jpg", a, headers={"Idempotency-Key": "k-409"})
    assert again.status_code == 202
    assert again.json()["document_id"] == first.json()["document_id"]
    assert again.json()["duplicate"] is True
    other = _upload(client, "b.jpg", sample("bad", "pdf-named.jpg").read_bytes(), headers={"Idempotency-Key": "k-409"})
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "idempotency_conflict"


def test_feed_rejects_a_malformed_cursor(client: TestClient) -> None:
    r = client.get("/v1/records/feed", params={"after": "abc"})
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "invalid_request"


def test_database_down_is_a_retryable_503(settings: Settings) -> None:
    down = settings.model_copy(update={"database_url": "postgresql+psycopg://postgres@127.0.0.1:1/none"})
    client = TestClient(create_app(down, run_migrations=False), raise_server_exceptions=False,
                        headers={"Authorization": "Bearer any-token"})  # looking the token up finds it down
    r = _upload(client, "a.jpg", sample("front-scan-1.jpg").read_bytes())
    assert r.status_code == 503
    assert r.json()["error"]["code"] == "storage_unavailable"
    assert r.json()["error"]["retryable"] is True


@pytest.mark.parametrize("declared", ["id", "bank", "loan", "x" * 100_000, "passport"])
def test_an_unknown_type_is_refused_without_echoing_it(client: TestClient, declared: str) -> None:
    """``id`` and ``bank`` are stems, not types; a 100 KB type comes back as a short excerpt (finding 9)."""
    r = client.post("/v1/applications/app-bad/documents", data={"document_type": declared},
                    files={"file": ("a.jpg", sample("front-scan-1.jpg").read_bytes(), "image/jpeg")})
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_document_type"
    assert len(r.text) < 1000


def test_several_file_parts_with_one_not_a_photo_are_refused_not_half_taken(client: TestClient,
                                                                            settings: Settings) -> None:
    one, two = sample("front-scan-1.jpg").read_bytes(), sample("statements", "digital-abc.pdf").read_bytes()
    r = client.post("/v1/applications/app-bad/documents",
                    files=[("file", ("front.jpg", one, "image/jpeg")), ("file", ("s.pdf", two, "application/pdf"))])
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request"
    assert "several files make one document only when each is a photo" in r.json()["error"]["detail"]
    with session_scope(settings.database_url) as s:
        assert s.scalar(select(func.count()).select_from(Document)) == 0, "nothing stored"
