"""What the approval service reads: the application record and the feed of finished records."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import func, select

from api.deps import DB_INT_MAX, RowNumber, SessionDep, SettingsDep
from api.schemas import FeedEntryOut, FeedPage, Problem
from api.security import AUTH_ERRORS, SCORER, Client
from api.views import document_view
from intake.feed import consumers
from intake.record import application
from intake.record.application import ApplicationRecord
from intake.storage.db import Document, FeedEntry

router = APIRouter(tags=["records"], dependencies=[SCORER], responses=AUTH_ERRORS)

@router.get("/v1/applications/{application_id}/record", response_model=ApplicationRecord,
            response_model_by_alias=True, responses={404: {"model": Problem}})
def application_record(application_id: str, s: SessionDep, settings: SettingsDep) -> ApplicationRecord:
    """Every document of the application merged: fields with provenance, findings (cross-document ones too), the
    statement analytics, an overall status with what is missing, and references into the evidence chains.
    The shape is the published JSON Schema (`GET /v1/schemas/application-record/1`)."""
    record = application.build(s, settings, application_id)
    if record is None:
        raise HTTPException(404, detail="application_not_found")
    return record


@router.get("/v1/schemas/application-record/{version}", responses={404: {"model": Problem}})
def application_record_schema(version: RowNumber) -> JSONResponse:
    """The JSON Schema of the application record, by version (the record's `schema_version`)."""
    if version != application.SCHEMA_VERSION:
        raise HTTPException(404, detail="schema_not_found")
    return JSONResponse(application.published_schema(), media_type="application/schema+json")


CONSUMER = r"^[A-Za-z0-9_.:-]{1,64}$"


@router.get("/v1/records/feed", response_model=FeedPage, responses={422: {"model": Problem}})
def feed(s: SessionDep, settings: SettingsDep, client: Annotated[Client, SCORER],
         after: Annotated[str | None, Query(pattern=r"^\d{1,18}$",
                                            description="Cursor from the last page; 0 to start")] = None,
         consumer: Annotated[str | None, Query(pattern=CONSUMER, description=(
             "A consumer that acknowledges what it has read (POST /v1/records/feed/ack); without `after`, "
             "the page starts after its last acknowledged cursor"))] = None,
         limit: Annotated[int, Query(ge=1, le=500)] = 100) -> FeedPage:
    """Finished records in commit order. Keep ``next_cursor`` (or acknowledge it); nothing is missed or repeated."""
    if after is not None and int(after) > DB_INT_MAX:  # no cursor that large exists; the database cannot compare it
        raise HTTPException(422, detail="cursor_out_of_range")
    if after is None:
        acked = consumers.owned(s, consumer, client.name) if consumer else None
        after = str(acked.acked_cursor if acked else 0)
    rows = s.scalars(select(FeedEntry).where(FeedEntry.cursor > int(after)).order_by(FeedEntry.cursor)
                     .limit(limit)).all()
    entries = []
    for row in rows:
        doc = s.get(Document, row.document_id)
        assert doc is not None
        entries.append(FeedEntryOut(cursor=str(row.cursor), document_id=row.document_id,
                                    application_id=row.application_id, state=row.state, version=row.version,
                                    created_at=row.created_at, record=document_view(s, doc)))
    return FeedPage(entries=entries, next_cursor=entries[-1].cursor if entries else after)


class FeedAck(BaseModel):
    consumer: str = Field(pattern=CONSUMER)
    cursor: str = Field(pattern=r"^\d{1,18}$", description="The last cursor the consumer has processed")


class FeedAckOut(BaseModel):
    consumer: str
    acked_cursor: str


@router.post("/v1/records/feed/ack", response_model=FeedAckOut,
             responses={403: {"model": Problem}, 409: {"model": Problem}})
def ack_feed(ack: FeedAck, s: SessionDep, client: Annotated[Client, SCORER]) -> FeedAckOut:
    """Record that ``consumer`` has processed the feed up to ``cursor``. Acknowledging an older cursor than the
    last one is a no-op (at-least-once readers may repeat an ack); a cursor the feed has not reached is 409. A
    consumer belongs to the API client that first acknowledged for it: any other client gets 403
    ``consumer_taken`` (:mod:`intake.feed.consumers`)."""
    newest = s.scalar(select(func.max(FeedEntry.cursor))) or 0
    if int(ack.cursor) > newest:
        raise HTTPException(409, detail="cursor_ahead_of_feed")
    row = consumers.owned(s, ack.consumer, client.name, create=True)
    assert row is not None
    row.acked_cursor = max(row.acked_cursor or 0, int(ack.cursor))
    s.flush()
    return FeedAckOut(consumer=row.name, acked_cursor=str(row.acked_cursor))
