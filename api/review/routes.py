"""The review page's JSON API (``/review/api``): signed-in reviewers only, CSRF-checked.

Every action on a document names the version the reviewer was looking at;
the answer is the document as the page shows it after the action (a new
version by the reviewer), or 409 ``version_conflict`` when someone else moved
it on first.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from api.deps import DB_INT_MAX, RowNumber, SessionDep, SettingsDep
from api.review import views
from api.schemas import Problem
from api.security import (
    SESSION_COOKIE,
    Forbidden,
    ReviewerDep,
    ReviewerIdentity,
    SupervisorDep,
    check_unsafe,
)
from api.views import page_image
from intake.errors import IntakeError
from intake.record import records
from intake.review import auth, corrections, decisions
from intake.review.decisions import Decision
from intake.settings import Settings
from intake.storage.blobs import store_of
from intake.storage.db import Document, session_scope

log = logging.getLogger(__name__)
router = APIRouter(prefix="/review/api", tags=["review"], include_in_schema=False)


class BadSignIn(IntakeError):
    code = "bad_credentials"
    message = "Wrong username or password."
    message_zh = "用户名或密码错误。"
    http_status = 401


class SignIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


def _me(who: ReviewerIdentity) -> dict[str, Any]:
    return {"user": {"username": who.username, "display_name": who.display_name, "role": who.role.value},
            "csrf_token": who.csrf_token}


class SignInLocked(IntakeError):
    code = "sign_in_locked"
    message = "Too many failed sign-ins: wait before trying again."
    message_zh = "登录失败次数过多，请稍后再试。"
    http_status = 429
    retryable = True

    def __init__(self, wait_s: float) -> None:
        self.retry_after = int(wait_s) + 1
        super().__init__(f"try again in {self.retry_after} s")


class _FailuresByAddress:
    """Failed sign-ins per client address in this API process (one per app, ``app.state``): a guesser spreading
    tries over many names is slowed too (the lock per name is :func:`intake.review.auth.locked_for`, in the
    database)."""

    LIMIT, WINDOW_S = 20, 15 * 60

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._at: dict[str, collections.deque[float]] = {}

    def wait_s(self, address: str) -> float:
        with self._lock:
            times = self._prune(address, time.monotonic())
            return 0.0 if len(times) < self.LIMIT else max(1.0, times[0] + self.WINDOW_S - time.monotonic())

    def add(self, address: str) -> None:
        with self._lock:
            self._prune(address, time.monotonic()).append(time.monotonic())

    def _prune(self, address: str, now: float) -> collections.deque[float]:
        times = self._at.setdefault(address, collections.deque())
        while times and now - times[0] > self.WINDOW_S:
            times.popleft()
        return times


def _failures(request: Request) -> _FailuresByAddress:
    state = request.app.state
    if not hasattr(state, "sign_in_failures"):
        state.sign_in_failures = _FailuresByAddress()
    failures: _FailuresByAddress = state.sign_in_failures
    return failures


@router.post("/session", dependencies=[Depends(check_unsafe)], responses={429: {"model": Problem}})
def sign_in(body: SignIn, request: Request, response: Response, settings: SettingsDep) -> dict[str, Any]:
    """Sign in. Five failures under one name in 15 minutes lock it (the right password too) until the oldest is
    15 minutes old; twenty from one address, likewise. Every attempt is in the audit log."""
    address, failures = request.client.host if request.client else "-", _failures(request)
    with session_scope(settings.database_url) as s:
        # a name we do not know may be a password typed in the wrong box: never kept
        known = s.get(auth.Reviewer, body.username) is not None
        actor = body.username if known else "(unknown)"
        wait = max(failures.wait_s(address), auth.locked_for(s, body.username) if known else 0.0)
        if wait:
            auth.audit(s, actor, "sign_in_locked")
            user = None
        else:
            user = auth.authenticate(s, body.username, body.password)
            if user is None:
                auth.audit(s, actor, "sign_in_failed")
                failures.add(address)
            else:
                token, row = auth.start_session(s, user, settings.review_session_hours)
                auth.audit(s, user.username, "signed_in")
                who = ReviewerIdentity(user.username, user.display_name, auth.Role(user.role), row.csrf_token)
    if wait:
        raise SignInLocked(wait)
    if user is None:
        raise BadSignIn()
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict", path="/review",
                        secure=settings.public_origin.startswith("https://"),
                        max_age=int(settings.review_session_hours * 3600))
    return _me(who)


@router.delete("/session", status_code=204)
def sign_out(request: Request, who: ReviewerDep, settings: SettingsDep) -> Response:
    with session_scope(settings.database_url) as s:
        auth.end_session(s, request.cookies.get(SESSION_COOKIE, ""))
        auth.audit(s, who.username, "signed_out")
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/review")
    return response


@router.get("/me")
def me(who: ReviewerDep) -> dict[str, Any]:
    return _me(who)


@router.get("/types")
def types(who: ReviewerDep) -> dict[str, Any]:
    """Every document type's declaration: labels of the type, its fields and table columns, kinds, masking."""
    return {"types": records.declarations()}


@router.get("/queue")
def queue(who: ReviewerDep, s: SessionDep, settings: SettingsDep,
          status: Annotated[str, Query(pattern="^(needs_review|accepted|rejected|all)$")] = "needs_review",
          type: Annotated[str, Query(max_length=64)] = "",
          rule: Annotated[str, Query(max_length=80)] = "",
          age: Annotated[str, Query(pattern="^(|1h|4h|24h|72h)$")] = "") -> dict[str, Any]:
    return views.queue(s, settings, status=status, doc_type=type, rule=rule, age=age)


def _document(s: Session, document_id: str) -> Document:
    doc = s.get(Document, document_id)
    if doc is None:
        raise HTTPException(404, detail="document_not_found")
    return doc


def _view(settings: Settings, document_id: str, who: ReviewerIdentity) -> dict[str, Any]:
    with session_scope(settings.database_url) as s:
        return views.document(s, settings, _document(s, document_id), supervisor=who.supervisor)


@router.get("/documents/{document_id}")
def document(document_id: str, who: ReviewerDep, settings: SettingsDep) -> dict[str, Any]:
    return _view(settings, document_id, who)


@router.get("/documents/{document_id}/pages/{number}")
def page(document_id: str, number: RowNumber, who: ReviewerDep, s: SessionDep, settings: SettingsDep) -> Response:
    data, _ = page_image(s, store_of(settings), document_id, number)
    return Response(data, media_type="image/png")


@router.get("/documents/{document_id}/versions")
def versions(document_id: str, who: ReviewerDep, s: SessionDep) -> list[dict[str, Any]]:
    _document(s, document_id)
    return views.versions(s, document_id)


class CorrectionIn(BaseModel):
    expected_version: int = Field(ge=1, le=DB_INT_MAX, description="The version the reviewer was looking at")
    changes: list[corrections.Change] = Field(min_length=1, max_length=200)


@router.post("/documents/{document_id}/corrections")
async def correct(document_id: str, body: CorrectionIn, who: ReviewerDep, settings: SettingsDep) -> dict[str, Any]:
    await run_in_threadpool(corrections.correct, settings, document_id, expected_version=body.expected_version,
                            author=who.username, changes=body.changes)
    return await run_in_threadpool(_view, settings, document_id, who)


class ApproveIn(BaseModel):
    expected_version: int = Field(ge=1, le=DB_INT_MAX)
    note: str | None = Field(None, max_length=500)


class RejectIn(BaseModel):
    expected_version: int = Field(ge=1, le=DB_INT_MAX)
    reason: str = Field(min_length=1, max_length=500)


class RetakeIn(BaseModel):
    expected_version: int = Field(ge=1, le=DB_INT_MAX)
    reason: decisions.RetakeReason
    note: str | None = Field(None, max_length=500)


async def _decide(settings: Settings, document_id: str, who: ReviewerIdentity, expected_version: int,
                  decision: Decision, reason: str | None, retake: decisions.RetakeReason | None = None,
                  ) -> dict[str, Any]:
    await run_in_threadpool(decisions.decide, settings, document_id, expected_version=expected_version,
                            author=who.username, decision=decision, reason=reason, retake=retake)
    return await run_in_threadpool(_view, settings, document_id, who)


@router.post("/documents/{document_id}/approve")
async def approve(document_id: str, body: ApproveIn, who: ReviewerDep, settings: SettingsDep) -> dict[str, Any]:
    return await _decide(settings, document_id, who, body.expected_version, Decision.APPROVED, body.note)


@router.post("/documents/{document_id}/reject")
async def reject(document_id: str, body: RejectIn, who: SupervisorDep, settings: SettingsDep) -> dict[str, Any]:
    return await _decide(settings, document_id, who, body.expected_version, Decision.REJECTED, body.reason)


@router.post("/documents/{document_id}/retake")
async def retake(document_id: str, body: RetakeIn, who: ReviewerDep, settings: SettingsDep) -> dict[str, Any]:
    return await _decide(settings, document_id, who, body.expected_version, Decision.RETAKE, body.note, body.reason)


class FieldPath(BaseModel):
    document: int = Field(0, ge=0, le=DB_INT_MAX)
    field: str = Field(min_length=1, max_length=80)


class RevealIn(BaseModel):
    fields: list[FieldPath] = Field(min_length=1, max_length=2000)


class RevealRefused(IntakeError):
    code = "invalid_reveal"
    message = "These fields cannot be revealed."
    message_zh = "无法查看这些字段。"
    http_status = 422


@router.post("/documents/{document_id}/reveal")
def reveal(document_id: str, body: RevealIn, who: ReviewerDep, s: SessionDep) -> dict[str, Any]:
    """The unmasked personal numbers asked for; one at a time for reviewers, any number for supervisors.
    Logged (who, which document, which fields — never the values)."""
    if len(body.fields) > 1 and not who.supervisor:
        raise Forbidden("only a supervisor may reveal several values at once")
    doc = _document(s, document_id)
    try:
        values = views.reveal(doc, [(f.document, f.field) for f in body.fields])
    except ValueError as exc:
        raise RevealRefused(str(exc)) from exc
    paths = [f"{f.document}:{f.field}" for f in body.fields]
    auth.audit(s, who.username, "revealed", document_id, {"fields": paths})
    log.info("reviewer %s revealed %d masked field(s) of document %s", who.username, len(paths), document_id)
    return {"values": values}


@router.get("/applications/{application_id}")
def application_view(application_id: str, who: ReviewerDep, s: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    view = views.application_view(s, settings, application_id)
    if view is None:
        raise HTTPException(404, detail="application_not_found")
    return view


__all__ = ["router"]
