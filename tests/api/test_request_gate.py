"""Nothing is read of a body before its sender is known and its size allowed (security review, finding 2): a
400 MiB upload without a token is 401 before 1 MiB is read; with a token, 413 before the limit plus 1 MiB.

The app is driven as an ASGI server drives it, one 64 KiB chunk per ``receive``, so the test counts exactly
how much of the body the app pulled."""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from api.main import create_app
from intake.settings import Settings
from tests.conftest import api

MiB = 1024 * 1024
CHUNK = 64 * 1024
BOUNDARY = "gate-test-boundary"


def drive(app: Any, path: str, total: int, headers: dict[str, str], *, declare_length: bool = True,
          multipart: bool = True) -> tuple[int, int, dict[str, Any]]:
    """POST ``total`` bytes to ``path``; returns the status, how many body bytes the app read, the JSON body."""
    head = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.jpg\"\r\n"
            "Content-Type: image/jpeg\r\n\r\n").encode() if multipart else b'{"username": "'
    hdrs = {"content-type": f"multipart/form-data; boundary={BOUNDARY}" if multipart else "application/json",
            "host": "testserver"} | {k.lower(): v for k, v in headers.items()}
    if declare_length:
        hdrs["content-length"] = str(total)
    read, out = 0, {"status": 0, "body": b""}

    async def receive() -> dict[str, Any]:
        nonlocal read
        if out["status"] or read >= total:
            return {"type": "http.disconnect"}
        chunk = (head if read == 0 else b"x" * CHUNK)[: total - read]
        read += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": read < total}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            out["status"] = message["status"]
        elif message["type"] == "http.response.body":
            out["body"] += message.get("body", b"")

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(k.encode(), v.encode()) for k, v in hdrs.items()], "client": ("127.0.0.1", 50000),
             "server": ("testserver", 80), "state": {}}
    with ThreadPoolExecutor(1) as own_loop:  # a loop of its own: the browser tests keep one running in this thread
        own_loop.submit(asyncio.run, app(scope, receive, send)).result()
    return int(out["status"]), read, json.loads(out["body"] or b"{}")


UPLOAD = "/v1/applications/app-gate/documents"


@pytest.fixture
def gate(settings: Settings) -> tuple[Any, str]:
    small = settings.model_copy(update={"max_upload_bytes": 2 * MiB})
    token = api(small).headers["Authorization"]
    return create_app(small, run_migrations=False), token


@pytest.mark.parametrize("declare_length", [True, False])
@pytest.mark.parametrize("authorization", [None, "Bearer not-a-token", "Basic abc"])
def test_no_token_is_401_before_any_of_the_body(gate: tuple[Any, str], declare_length: bool,
                                                authorization: str | None) -> None:
    app, _ = gate
    status, read, body = drive(app, UPLOAD, 400 * MiB, {"authorization": authorization} if authorization else {},
                               declare_length=declare_length)
    assert (status, body["error"]["code"]) == (401, "not_authenticated")
    assert read < MiB


def test_a_declared_length_over_the_limit_is_413_before_any_of_the_body(gate: tuple[Any, str]) -> None:
    app, token = gate
    status, read, body = drive(app, UPLOAD, 400 * MiB, {"authorization": token})
    assert (status, body["error"]["code"], read) == (413, "file_too_large", 0)


def test_a_stream_without_a_length_is_cut_at_the_limit(gate: tuple[Any, str]) -> None:
    app, token = gate
    status, read, body = drive(app, UPLOAD, 400 * MiB, {"authorization": token}, declare_length=False)
    assert (status, body["error"]["code"]) == (413, "file_too_large")
    assert read <= 2 * MiB + MiB


def test_every_other_route_takes_a_small_body_only(gate: tuple[Any, str]) -> None:
    app, token = gate
    for path, headers in [("/review/api/session", {}), ("/v1/records/feed/ack", {"authorization": token})]:
        status, read, body = drive(app, path, 50 * MiB, headers, declare_length=False, multipart=False)
        assert (status, body["error"]["code"]) == (413, "request_too_large"), path
        assert read <= 2 * MiB
