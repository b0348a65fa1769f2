"""Request and response models of the API (separate from the table models)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field


class ErrorBody(BaseModel):
    code: str = Field(examples=["unsupported_format"])
    message: str
    message_zh: str
    retryable: bool
    detail: str | None = None


class Problem(BaseModel):
    error: ErrorBody


class DocumentAccepted(BaseModel):
    document_id: str
    application_id: str
    state: str
    status_url: str
    duplicate: bool = False


class PageRef(BaseModel):
    number: int
    url: str
    sha256: str
    width: int
    height: int


class EvidenceEventOut(BaseModel):
    seq: int
    kind: str
    at: str
    payload: dict[str, Any]
    prev_hash: str
    hash: str


class Evidence(BaseModel):
    upload_sha256: str
    chain_ok: bool
    problems: list[str]
    engine: dict[str, Any] | None
    events: list[EvidenceEventOut]


class ReviewDecision(BaseModel):
    decision: str = Field(description="approved | rejected | retake")
    by: str
    at: dt.datetime


class DocumentView(BaseModel):
    id: str
    application_id: str
    state: str = Field(description="queued | processing | accepted | needs_review | rejected")
    version: int = Field(0, description="The record's version: 1 from the pipeline, one more per correction and per "
                                        "reading again after a page was added")
    reject_code: str | None
    reject_reason: str | None
    review: ReviewDecision | None = Field(None, description="A reviewer's decision, once made")
    declared_type: str | None
    sha256: str
    size: int
    created_at: dt.datetime
    finished_at: dt.datetime | None
    documents: list[dict[str, Any]] = Field(description="Documents found in the file, in the record contract's shape")
    pages: list[PageRef]
    timings: dict[str, float] | None
    evidence: Evidence | None = None


class FeedEntryOut(BaseModel):
    cursor: str
    document_id: str
    application_id: str
    state: str
    version: int
    created_at: dt.datetime
    record: DocumentView


class FeedPage(BaseModel):
    entries: list[FeedEntryOut]
    next_cursor: str = Field(description="Pass as `after` to get the entries after these; equal to `after` if none")
