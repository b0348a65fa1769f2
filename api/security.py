"""Credentials at the door: bearer tokens for the machine API, sessions for the review page.

The ``/v1`` API answers only API clients (:mod:`intake.review.auth`) holding a role
the route allows — the app back end (``app``) uploads and reads its documents'
status; the approval service (``scorer``) reads records, the feed and the
webhook deliveries. The review page (``/review``) answers only a signed-in
reviewer's session cookie; a bearer token opens nothing there, and a session
cookie opens nothing under ``/v1``.

Unsafe requests to the review API must carry the session's CSRF token in
``X-CSRF-Token`` and a JSON body (which a cross-site form cannot send without
a CORS preflight this server never grants), and, when the browser sends an
``Origin``, come from this host.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request

from api.deps import SettingsDep
from intake.errors import IntakeError
from intake.review import auth
from intake.review.auth import ClientRole, Role
from intake.settings import Settings
from intake.storage.db import session_scope

SESSION_COOKIE = "docintake_review"
CSRF_HEADER = "X-CSRF-Token"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class NotAuthenticated(IntakeError):
    code = "not_authenticated"
    message = "Credentials are missing or not valid."
    message_zh = "缺少有效的身份凭证。"
    http_status = 401


class NotSignedIn(IntakeError):
    code = "not_signed_in"
    message = "Sign in to the review page first; your session may have ended."
    message_zh = "请先登录审核台，登录可能已过期。"
    http_status = 401


class Forbidden(IntakeError):
    code = "forbidden"
    message = "Your credentials do not allow this."
    message_zh = "您的权限不允许此操作。"
    http_status = 403


class CsrfFailed(IntakeError):
    code = "csrf_failed"
    message = "The request did not come from the review page; reload the page and try again."
    message_zh = "请求并非来自审核页面，请刷新页面后重试。"
    http_status = 403


class JsonRequired(IntakeError):
    code = "json_required"
    message = "Send the request body as application/json."
    message_zh = "请求体须为 application/json。"
    http_status = 415


@dataclass(frozen=True)
class Client:
    name: str
    roles: frozenset[str]


def allow(*roles: ClientRole) -> Callable[..., object]:
    """A dependency that lets through API clients holding one of ``roles``."""
    wanted = {r.value for r in roles}

    def check(request: Request, settings: SettingsDep) -> Client:
        client: Client | None = getattr(request.state, "client", None)  # checked by the gate (api.limits)
        if client is not None:
            if not client.roles & wanted:
                raise Forbidden(f"this route is for: {', '.join(sorted(wanted))}")
            return client
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthenticated("send Authorization: Bearer <token>")
        with session_scope(settings.database_url) as s:
            row = auth.client_of(s, token.strip())
            client = None if row is None else Client(row.name, frozenset(row.roles.split(",")))
        if client is None:
            raise NotAuthenticated("unknown or disabled token")
        if not client.roles & wanted:
            raise Forbidden(f"this route is for: {', '.join(sorted(wanted))}")
        return client

    return check


@dataclass(frozen=True)
class ReviewerIdentity:
    username: str
    display_name: str
    role: Role
    csrf_token: str

    @property
    def supervisor(self) -> bool:
        return self.role is Role.SUPERVISOR


def same_origin(request: Request) -> bool:
    """No ``Origin`` (same-origin GETs, non-browser clients) or exactly the configured public origin
    (``DOCINTAKE_PUBLIC_ORIGIN``) — never one judged by the ``Host`` header, which a DNS-rebinding page sets."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    settings: Settings = request.app.state.settings
    return origin.rstrip("/") == settings.public_origin.rstrip("/")


def reviewer_session(request: Request, settings: SettingsDep) -> ReviewerIdentity:
    """The signed-in reviewer; for unsafe methods also the CSRF checks."""
    token = request.cookies.get(SESSION_COOKIE)
    with session_scope(settings.database_url) as s:
        found = auth.session_of(s, token)
        if found is None:
            raise NotSignedIn()
        row, user = found
        who = ReviewerIdentity(user.username, user.display_name, Role(user.role), row.csrf_token)
    if request.method in UNSAFE:
        check_unsafe(request)
        sent = request.headers.get(CSRF_HEADER, "")
        if not sent or not hmac.compare_digest(sent.encode(), who.csrf_token.encode()):
            raise CsrfFailed("missing or wrong X-CSRF-Token")
    return who


def check_unsafe(request: Request) -> None:
    """The checks every unsafe review request passes, signed in or not (sign-in itself)."""
    if not same_origin(request):
        raise CsrfFailed("the Origin is not this site")
    if request.method != "DELETE" and request.headers.get("content-type", "").split(";")[0].strip() \
            != "application/json":
        raise JsonRequired()


ReviewerDep = Annotated[ReviewerIdentity, Depends(reviewer_session)]


def supervisor(who: ReviewerDep) -> ReviewerIdentity:
    if not who.supervisor:
        raise Forbidden("only a supervisor may do this")
    return who


SupervisorDep = Annotated[ReviewerIdentity, Depends(supervisor)]

APP = Depends(allow(ClientRole.APP))
SCORER = Depends(allow(ClientRole.SCORER))
APP_OR_SCORER = Depends(allow(ClientRole.APP, ClientRole.SCORER))
AUTH_ERRORS: dict[int | str, dict[str, Any]] = {401: {"description": "Missing or unknown bearer token"},
                                                   403: {"description": "The token's client may not use this route"}}
