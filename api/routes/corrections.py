"""Reviewer corrections (API for now) and the versions of a record."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, HTTPException, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from sqlalchemy import select

from api.deps import SessionDep, SettingsDep
from api.schemas import DocumentView, Problem
from api.views import document_view
from intake import corrections
from intake.db import Document, RecordVersion, session_scope

router = APIRouter(tags=["corrections"])


class CorrectionIn(BaseModel):
    expected_version: int = Field(ge=1, description="The version the reviewer was looking at")
    author: str = Field(min_length=1, max_length=64, pattern=r"^[\w.@:-]+$")
    changes: list[corrections.Change] = Field(min_length=1, max_length=200)


class VersionOut(BaseModel):
    version: int
    source: str
    author: str | None
    state: str
    created_at: dt.datetime
    changes: list[dict[str, Any]] | None
    result_sha256: str


@router.post("/v1/documents/{document_id}/corrections", status_code=status.HTTP_201_CREATED,
             response_model=DocumentView, responses={404: {"model": Problem}, 409: {"model": Problem},
                                                     422: {"model": Problem}})
async def correct_document(document_id: str, body: CorrectionIn, settings: SettingsDep) -> DocumentView:
    """Correct fields: a new version with source ``reviewer``; the rules run again at once. A correction made
    against an older version than the current one is refused (409 ``version_conflict``)."""
    with session_scope(settings.database_url) as s:
        if s.get(Document, document_id) is None:
            raise HTTPException(404, detail="document_not_found")
    await run_in_threadpool(corrections.correct, settings, document_id, expected_version=body.expected_version,
                            author=body.author, changes=body.changes)
    with session_scope(settings.database_url) as s:
        doc = s.get(Document, document_id)
        assert doc is not None
        return document_view(s, doc)


@router.get("/v1/documents/{document_id}/versions", response_model=list[VersionOut],
            responses={404: {"model": Problem}})
def versions(document_id: str, s: SessionDep) -> list[VersionOut]:
    """Every version of the record, oldest first, with who changed what."""
    if s.get(Document, document_id) is None:
        raise HTTPException(404, detail="document_not_found")
    rows = s.scalars(select(RecordVersion).where(RecordVersion.document_id == document_id)
                     .order_by(RecordVersion.version)).all()
    return [VersionOut(version=r.version, source=r.source, author=r.author, state=r.state, created_at=r.created_at,
                       changes=r.changes, result_sha256=r.result_sha256) for r in rows]
