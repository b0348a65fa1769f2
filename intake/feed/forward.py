"""Pushing finished records to the approval service's webhook: signed, retried, parked when refused.

Every feed entry (a finished record) gets a :class:`~intake.storage.db.Delivery` row in
the same transaction that writes the entry — an outbox, so a crash between
finishing and sending loses nothing. An RQ job (:func:`intake.job.jobs.deliver_record`)
POSTs the entry; a 2xx marks it delivered and writes a ``forwarded`` event to
the document's evidence chain. Anything else (a refusal, a timeout, a receiver
that is down) schedules the next attempt with exponential backoff
(:func:`backoff`: 10 s, 30 s, 90 s … capped at an hour); after
``webhook_max_attempts`` the delivery is parked as ``dead``, listed for an
operator (``GET /v1/deliveries?state=dead``) who can replay it. The database is
the source of truth: the sweeper in every worker enqueues deliveries that are
due, so a lost job or a Redis restart delays a delivery and never drops it.

The receiver gets the same record the feed serves, with headers:

- ``X-DocIntake-Event-Id``: ``<document id>:<version>`` — the same on every
  attempt, so a receiver recognises a duplicate;
- ``X-DocIntake-Timestamp``: Unix seconds at sending;
- ``X-DocIntake-Signature``: ``v1=`` + hex HMAC-SHA256 over ``<timestamp>.<body>``
  with the shared secret; :func:`verify` is the receiver's check, with a replay
  window, and :class:`ReplayGuard` turns a replayed or retried event into a
  duplicate the receiver acknowledges without acting on.

>>> sig = sign("s3cret", 1_790_000_000, b'{"a":1}')
>>> verify("s3cret", "1790000000", sig, b'{"a":1}', now=1_790_000_100)
True
>>> verify("s3cret", "1790000000", sig, b'{"a":2}', now=1_790_000_100)
False
>>> verify("s3cret", "1790000000", sig, b'{"a":1}', now=1_790_000_000 + 3600)  # outside the window
False
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import time
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from intake.job import queue
from intake.record import evidence
from intake.record.evidence import EventKind
from intake.record.records import document_record
from intake.settings import Settings
from intake.storage.db import Delivery, DeliveryState, Document, FeedEntry, RecordVersion, session_scope, utcnow

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-DocIntake-Signature"
TIMESTAMP_HEADER = "X-DocIntake-Timestamp"
EVENT_HEADER = "X-DocIntake-Event-Id"
REPLAY_WINDOW_S = 300
DELIVER_FUNC = "intake.job.jobs.deliver_record"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def verify(secret: str, timestamp: str | None, signature: str | None, body: bytes, *, now: float | None = None,
           window_s: int = REPLAY_WINDOW_S) -> bool:
    """The receiver's check: the signature is ours over this body and timestamp, and the timestamp is recent.

    Never raises: whatever arrives in the headers (``²``, a 5000-digit number, non-ASCII) is simply False.

    >>> [verify("k", t, s, b"{}", now=1_790_000_000) for t, s in [("²", "v1=00"), ("9" * 5000, "v1=00"),
    ...                                                            ("1790000000", "v1=é"), (None, None)]]
    [False, False, False, False]
    """
    if not isinstance(timestamp, str) or not isinstance(signature, str) or not secret:
        return False
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12) \
            or not (signature.isascii() and len(signature) <= 128):
        return False
    if abs((time.time() if now is None else now) - int(timestamp)) > window_s:
        return False
    return hmac.compare_digest(sign(secret, int(timestamp), body), signature)


class ReplayGuard:
    """A receiver's memory of the event ids it has taken: a verified push whose event id was seen is a
    duplicate — a retry of ours after a lost answer, or a captured request played again inside the window — to
    be answered 2xx and not acted on again. The event id is inside the signed body (``event_id``), so it cannot
    be changed without breaking the signature. Ids are kept ``keep_s`` (default twice the replay window: a
    replay older than the window already fails :func:`verify`); a receiver with several processes keeps them in
    its database instead.

    >>> guard = ReplayGuard()
    >>> guard.first("d1:1", now=0), guard.first("d1:1", now=10), guard.first("d1:2", now=10)
    (True, False, True)
    >>> guard.first("d1:1", now=2 * REPLAY_WINDOW_S + 1)
    True
    """

    def __init__(self, keep_s: float = 2 * REPLAY_WINDOW_S) -> None:
        self.keep_s = keep_s
        self._seen: dict[str, float] = {}

    def first(self, event_id: str, *, now: float | None = None) -> bool:
        now = time.time() if now is None else now
        self._seen = {k: t for k, t in self._seen.items() if now - t <= self.keep_s}
        if event_id in self._seen:
            return False
        self._seen[event_id] = now
        return True


def backoff(attempt: int, base_s: float) -> float:
    """Seconds before attempt ``attempt + 1``: ``base × 3^(attempt − 1)``, at most an hour.

    >>> [backoff(n, 10) for n in (1, 2, 3, 6, 9)]
    [10.0, 30.0, 90.0, 2430.0, 3600.0]
    """
    return float(min(base_s * 3 ** max(attempt - 1, 0), 3600.0))


def add_to_feed(s: Session, doc: Document, settings: Settings) -> None:
    """Append the finished document to the feed, in commit order.

    On PostgreSQL the feed table is locked until commit so cursors are handed
    out in the order transactions commit: a reader that has seen cursor N can
    never later find a smaller one appear. SQLite serialises writers anyway.
    """
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("LOCK TABLE feed IN EXCLUSIVE MODE"))
    entry = FeedEntry(document_id=doc.id, application_id=doc.application_id, state=doc.state,
                      version=max(doc.version, 1))
    s.add(entry)
    schedule(s, settings, entry)


def schedule(s: Session, settings: Settings, entry: FeedEntry) -> None:
    """Add the delivery of a new feed entry, in the transaction that adds the entry (no webhook: nothing)."""
    if settings.webhook_url:
        s.flush()  # the entry's cursor
        s.add(Delivery(feed_cursor=entry.cursor, document_id=entry.document_id, state=DeliveryState.PENDING, attempts=0,
                       next_attempt_at=utcnow()))


def body_of(s: Session, entry: FeedEntry) -> dict[str, Any]:
    """What the receiver gets: the feed entry with the document's records as of the entry's version (a push that
    is retried after a correction still carries the version it announces), without page URLs."""
    doc = s.get(Document, entry.document_id)
    assert doc is not None
    stored = s.scalars(select(RecordVersion).where(RecordVersion.document_id == entry.document_id,
                                                   RecordVersion.version == entry.version)).first()
    result = stored.result if stored is not None else doc.result
    return {"event_id": f"{entry.document_id}:{entry.version}", "cursor": str(entry.cursor),
            "document_id": entry.document_id, "application_id": entry.application_id, "state": entry.state,
            "version": entry.version, "created_at": entry.created_at.isoformat(),
            "reject_code": doc.reject_code, "reject_reason": doc.reject_reason,
            "source": stored.source if stored is not None else "pipeline",
            "action": stored.what if stored is not None else "extracted",
            "author": stored.author if stored is not None else None,
            "documents": [document_record(d) for d in result or []]}


def enqueue_due(settings: Settings, now: dt.datetime | None = None, limit: int = 100) -> int:
    """Enqueue a job for every pending delivery whose time has come; returns how many."""
    if not settings.webhook_url:
        return 0
    now = now or utcnow()
    with session_scope(settings.database_url) as s:
        due = s.scalars(select(Delivery.id)
                        .where(Delivery.state == DeliveryState.PENDING, Delivery.next_attempt_at <= now)
                        .order_by(Delivery.id).limit(limit)).all()
    for delivery_id in due:
        try:
            queue.queue(settings).enqueue(DELIVER_FUNC, delivery_id, job_id=f"deliver-{delivery_id}-{time.time_ns()}",
                                          job_timeout=60, result_ttl=600, failure_ttl=7 * 24 * 3600)
        except Exception as exc:  # Redis down: the sweeper tries again
            log.warning("delivery %s not enqueued: %s", delivery_id, type(exc).__name__)
            break
    return len(due)


def deliver(settings: Settings, delivery_id: int, *, client: Any = None) -> str:
    """One attempt at one delivery; returns its state afterwards (``delivered``, ``pending`` or ``dead``).

    The attempt is claimed in one transaction (its next attempt moved past the request's timeout, so the
    sweeper does not send it twice meanwhile), sent with no transaction open, and its outcome written in
    another: a slow receiver holds no database lock.
    """
    import httpx

    secret = settings.webhook_secret
    if not settings.webhook_url or not secret:  # never signed with an empty key (Settings refuses to start so)
        return "pending"
    with session_scope(settings.database_url) as s:
        d = s.get(Delivery, delivery_id, with_for_update=True)
        if d is None or d.state != DeliveryState.PENDING:
            return d.state if d is not None else "missing"
        entry = s.get(FeedEntry, d.feed_cursor)
        assert entry is not None
        body = json.dumps(body_of(s, entry), ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
        document_id, event_id = entry.document_id, f"{entry.document_id}:{entry.version}"
        d.attempts += 1
        d.last_attempt_at = utcnow()
        d.next_attempt_at = utcnow() + dt.timedelta(seconds=settings.webhook_timeout_s
                                                    + backoff(d.attempts, settings.webhook_backoff_s))
        attempt = d.attempts
    now = int(time.time())
    headers = {"Content-Type": "application/json", EVENT_HEADER: event_id, TIMESTAMP_HEADER: str(now),
               SIGNATURE_HEADER: sign(secret, now, body)}
    try:
        http = client or httpx.Client(timeout=settings.webhook_timeout_s)
        try:
            r = http.post(settings.webhook_url, content=body, headers=headers)
        finally:
            if client is None:
                http.close()
        ok, error = 200 <= r.status_code < 300, f"HTTP {r.status_code}"
    except httpx.HTTPError as exc:
        ok, error = False, type(exc).__name__
    with session_scope(settings.database_url) as s:
        d = s.get(Delivery, delivery_id, with_for_update=True)
        assert d is not None
        if ok:
            d.state, d.delivered_at, d.last_error = DeliveryState.DELIVERED, utcnow(), None
            evidence.append(s, document_id, EventKind.FORWARDED, {
                "delivery": d.id, "event_id": event_id, "to": urlsplit(settings.webhook_url).netloc,
                "attempt": attempt, "body_sha256": hashlib.sha256(body).hexdigest()})
        elif attempt >= settings.webhook_max_attempts:
            d.state, d.last_error = DeliveryState.DEAD, error
            log.warning("delivery %s parked as dead after %d attempts (%s)", d.id, attempt, error)
        else:
            d.last_error = error
            d.next_attempt_at = utcnow() + dt.timedelta(seconds=backoff(attempt, settings.webhook_backoff_s))
        return d.state


def replay(settings: Settings, delivery_id: int) -> bool:
    """An operator sends a dead delivery again: it is pending with fresh attempts. False if not dead."""
    with session_scope(settings.database_url) as s:
        d = s.get(Delivery, delivery_id, with_for_update=True)
        if d is None or d.state != DeliveryState.DEAD:
            return False
        d.state, d.attempts, d.next_attempt_at = DeliveryState.PENDING, 0, utcnow()
    enqueue_due(settings)
    return True
