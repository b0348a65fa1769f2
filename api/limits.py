"""The gate every request passes before any of its body is read: who is asking, and how much they may send.

A pure ASGI middleware, outside FastAPI, because FastAPI spools a multipart
body to temporary files before any dependency runs — a 400 MiB upload without a
token used to be written to disk before its 401. Here:

1. a ``/v1`` request with a body must carry a bearer token of a live API client
   (checked once; the route's role check reuses the client, ``scope["state"]``)
   — else 401 ``not_authenticated`` with nothing read;
2. a ``Content-Length`` over the route's limit is 413 at once;
3. the body is counted as it streams, and the read that passes the limit ends
   the request with 413 — a chunked body without a length is cut the same way.

Limits: the upload route takes ``max_upload_bytes`` plus room for the multipart
envelope and form fields; every other route a JSON body of at most 1 MiB.
"""

from __future__ import annotations

import re
import time
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from intake.errors import FileTooLarge, IntakeError, StorageUnavailable
from intake.review import auth
from intake.settings import Settings
from intake.storage.db import session_scope

UPLOAD_PATH = re.compile(r"^/v1/applications/[^/]+/documents/?$")
ENVELOPE = 64 * 1024
"""Room for the multipart boundaries, part headers and the small form fields beside the file."""
SMALL_BODY = 1024 * 1024
BODYLESS = {"GET", "HEAD", "OPTIONS"}


class RequestTooLarge(IntakeError):
    code = "request_too_large"
    message = "The request body is larger than this route accepts."
    message_zh = "请求体超过该接口允许的大小。"
    http_status = 413


async def _answer(send: Send, exc: IntakeError, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    import json

    body = json.dumps({"error": exc.to_dict()}, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": exc.http_status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close"), *(headers or [])]})
    await send({"type": "http.response.body", "body": body})


CLIENT_CACHE_SECONDS = 5.0
"""How long a process trusts a token it has looked up: an upload burst costs one database read a client every
few seconds instead of one a request; a client disabled or re-keyed is refused everywhere within this time."""
_known: dict[tuple[str, str], tuple[float, Any]] = {}


def _client(settings: Settings, token: str) -> Any:
    from api.security import Client

    key, now = (settings.database_url, auth.token_digest(token)), time.monotonic()
    hit = _known.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    with session_scope(settings.database_url) as s:
        row = auth.client_of(s, token)
        client = None if row is None else Client(row.name, frozenset(row.roles.split(",")))
    if client is not None:  # only clients are remembered: a token added a moment ago works at once
        if len(_known) >= 1024:
            _known.clear()
        _known[key] = (now + CLIENT_CACHE_SECONDS, client)
    else:
        _known.pop(key, None)
    return client


class RequestGate:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in BODYLESS:
            await self.app(scope, receive, send)
            return
        from api.security import NotAuthenticated

        path: str = scope["path"]
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        upload = UPLOAD_PATH.match(path) is not None
        limit = self.settings.max_upload_bytes + ENVELOPE if upload else SMALL_BODY
        too_large: IntakeError = FileTooLarge(f"more than {self.settings.max_upload_bytes} bytes") if upload \
            else RequestTooLarge(f"more than {SMALL_BODY} bytes")
        if path.startswith("/v1/"):
            scheme, _, token = headers.get("authorization", "").partition(" ")
            try:
                client = await run_in_threadpool(_client, self.settings, token.strip()) \
                    if scheme.lower() == "bearer" and token.strip() else None
            except SQLAlchemyError as exc:
                await _answer(send, StorageUnavailable(f"{type(exc).__name__}; nothing was stored, retry later"))
                return
            if client is None:
                await _answer(send, NotAuthenticated("send Authorization: Bearer <token>"),
                              [(b"www-authenticate", b"Bearer")])
                return
            scope.setdefault("state", {})["client"] = client
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or len(length) > 15 or int(length) > limit):
            await _answer(send, too_large)
            return
        seen, cut, answered = 0, False, False

        async def counted() -> Message:
            nonlocal seen, cut
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    cut = True
                    raise type(too_large)(too_large.detail)
            return message

        async def guarded(message: Message) -> None:
            # FastAPI turns an error while it parses a body into its own 400: once the body was cut, whatever
            # the app answers is replaced by the 413
            nonlocal answered
            if not cut:
                await send(message)
            elif not answered and message["type"] == "http.response.start":
                answered = True
                await _answer(send, too_large)

        try:
            await self.app(scope, counted, guarded)
        except IntakeError:
            if not cut:
                raise
            if not answered:
                await _answer(send, too_large)
