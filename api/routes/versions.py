"""The versions of a record: the pipeline's, then each reviewer's correction or decision.

Reviewers make versions on the review page (:mod:`api.review`); the approval
service reads them here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel
from sqlalchemy import select

from api.deps import SessionDep
from api.schemas import Problem
from api.security import AUTH_ERRORS, SCORER
from intake.storage.db import Document, RecordVersion

router = APIRouter(tags=["versions"], dependencies=[SCORER], responses=AUTH_ERRORS)


class VersionOut(BaseModel):
    version: int
    source: str
    action: str
    author: str | None
    state: str
    created_at: dt.datetime
    changes: list[dict[str, Any]] | None
    reason: str | None
    result_sha256: str


@router.get("/v1/documents/{document_id}/versions", response_model=list[VersionOut],
            responses={404: {"model": Problem}})
def versions(document_id: str, s: SessionDep) -> list[VersionOut]:
    """Every version of the record, oldest first, with who changed what."""
    if s.get(Document, document_id) is None:
        raise HTTPException(404, detail="document_not_found")
    rows = s.scalars(select(RecordVersion).where(RecordVersion.document_id == document_id)
                     .order_by(RecordVersion.version)).all()
    return [VersionOut(version=r.version, source=r.source, action=r.what, author=r.author, state=r.state,
                       created_at=r.created_at, changes=r.changes, reason=r.reason, result_sha256=r.result_sha256)
            for r in rows]
