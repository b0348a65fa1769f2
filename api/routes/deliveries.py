"""The webhook outbox for operators: what was pushed to the approval service, what is parked, and replay."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel
from sqlalchemy import select

from api.deps import RowNumber, SessionDep, SettingsDep
from api.schemas import Problem
from api.security import AUTH_ERRORS, SCORER
from intake.feed import forward
from intake.storage.db import Delivery, DeliveryState

router = APIRouter(tags=["deliveries"], dependencies=[SCORER], responses=AUTH_ERRORS)


class DeliveryOut(BaseModel):
    id: int
    document_id: str
    feed_cursor: str
    state: str
    attempts: int
    next_attempt_at: dt.datetime | None
    last_attempt_at: dt.datetime | None
    delivered_at: dt.datetime | None
    last_error: str | None


def _out(d: Delivery) -> DeliveryOut:
    return DeliveryOut(id=d.id, document_id=d.document_id, feed_cursor=str(d.feed_cursor), state=d.state,
                       attempts=d.attempts,
                       next_attempt_at=d.next_attempt_at if d.state == DeliveryState.PENDING else None,
                       last_attempt_at=d.last_attempt_at, delivered_at=d.delivered_at, last_error=d.last_error)


@router.get("/v1/deliveries", response_model=list[DeliveryOut])
def list_deliveries(s: SessionDep, state: Annotated[Literal["pending", "delivered", "dead"] | None, Query()] = None,
                    limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[DeliveryOut]:
    """Webhook deliveries, newest first; ``state=dead`` lists those parked after their last attempt."""
    q = select(Delivery).order_by(Delivery.id.desc()).limit(limit)
    if state:
        q = q.where(Delivery.state == state)
    return [_out(d) for d in s.scalars(q)]


@router.post("/v1/deliveries/{delivery_id}/replay", status_code=status.HTTP_202_ACCEPTED, response_model=DeliveryOut,
             responses={404: {"model": Problem}, 409: {"model": Problem}})
def replay_delivery(delivery_id: RowNumber, s: SessionDep, settings: SettingsDep) -> DeliveryOut:
    """Send a dead delivery again, with fresh attempts (an operator's action, after the receiver is fixed)."""
    d = s.get(Delivery, delivery_id)
    if d is None:
        raise HTTPException(404, detail="delivery_not_found")
    if d.state != "dead":
        raise HTTPException(409, detail="delivery_not_dead")
    s.rollback()
    forward.replay(settings, delivery_id)
    s.expire_all()
    fresh = s.get(Delivery, delivery_id)
    assert fresh is not None
    return _out(fresh)
