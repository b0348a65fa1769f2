"""The evidence chain: timestamped events per document, each hashed with the one before.

An event's hash is the sha256 of the canonical JSON of ``{document_id, seq,
kind, at, payload, prev_hash}``; the first event's ``prev_hash`` is 64 zeros.
The ``finished`` event carries the sha256 of the stored result, so a value
edited in the database after the fact no longer matches its chain;
:func:`verify` recomputes all of it and says what broke.

>>> canonical({"b": 1, "a": "张"})
b'{"a":"\\xe5\\xbc\\xa0","b":1}'
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from intake.storage.blobs import BlobAltered, Blobs
from intake.storage.db import Document, EvidenceEvent, Page

GENESIS = "0" * 64


class EventKind:
    RECEIVED = "received"
    STARTED = "started"
    READ = "read"
    VALIDATED = "validated"
    FINISHED = "finished"
    FORWARDED = "forwarded"
    CORRECTED = "corrected"
    REVIEWED = "reviewed"
    RETRIED = "retried"
    PAGE_ADDED = "page_added"
    PURGED = "purged"
    DELETED = "deleted"


def canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sha256_json(obj: Any) -> str:
    return hashlib.sha256(canonical(obj)).hexdigest()


def _event_hash(document_id: str, seq: int, kind: str, at: str, payload: dict[str, Any], prev: str) -> str:
    return sha256_json({"document_id": document_id, "seq": seq, "kind": kind, "at": at,
                        "payload": payload, "prev_hash": prev})


def result_digest(doc: Document) -> str:
    """The digest the ``finished`` event pins: state, reason and the extracted result."""
    return sha256_json({"state": doc.state, "reject_code": doc.reject_code, "reject_reason": doc.reject_reason,
                        "result": doc.result})


def append(session: Session, document_id: str, kind: str, payload: dict[str, Any] | None = None,
           at: dt.datetime | None = None) -> EvidenceEvent:
    """Add the next event of the document's chain (in the caller's transaction)."""
    last = session.scalars(select(EvidenceEvent).where(EvidenceEvent.document_id == document_id)
                           .order_by(EvidenceEvent.seq.desc()).limit(1)).first()
    seq = last.seq + 1 if last else 1
    prev = last.hash if last else GENESIS
    stamp = (at or dt.datetime.now(dt.UTC)).isoformat(timespec="microseconds")
    payload = payload or {}
    event = EvidenceEvent(document_id=document_id, seq=seq, kind=kind, at=stamp, payload=payload, prev_hash=prev,
                          hash=_event_hash(document_id, seq, kind, stamp, payload, prev))
    session.add(event)
    session.flush()
    return event


def first_event(document_id: str, kind: str, payload: dict[str, Any], at: dt.datetime | None = None) -> dict[str, Any]:
    """The first event of a new document's chain as a row of ``evidence_events``, for a bulk insert beside the
    document's own row (:mod:`intake.upload.committer`): what :func:`append` writes for a document with no events."""
    stamp = (at or dt.datetime.now(dt.UTC)).isoformat(timespec="microseconds")
    return {"document_id": document_id, "seq": 1, "kind": kind, "at": stamp, "payload": payload,
            "prev_hash": GENESIS, "hash": _event_hash(document_id, 1, kind, stamp, payload, GENESIS)}


class VerifyReport(BaseModel):
    document_id: str
    ok: bool
    events: int
    problems: list[str]


def events_of(session: Session, document_id: str) -> list[EvidenceEvent]:
    """The document's events in chain order."""
    return list(session.scalars(select(EvidenceEvent).where(EvidenceEvent.document_id == document_id)
                                .order_by(EvidenceEvent.seq)))


def verify(session: Session, document_id: str, blobs: Blobs | None = None,
           events: list[EvidenceEvent] | None = None, *, deep: bool = True) -> VerifyReport:
    """Recompute the chain, the result digest and (with ``blobs``) every stored file's hash.

    ``events``: the document's events if the caller has already loaded them (:func:`events_of`). ``deep=False``:
    only that every stored file is there, not its hash — a status request must not read a 20 MiB upload and every
    page image each time (``docintake verify`` is deep; a page is checked when it is served).
    """

    def intact(digest: str) -> bool:
        if blobs is None or not blobs.exists(digest):
            return False
        try:
            return not deep or hashlib.sha256(blobs.get(digest)).hexdigest() == digest
        except BlobAltered:
            return False

    problems: list[str] = []
    doc = session.get(Document, document_id)
    events = events_of(session, document_id) if events is None else events
    if doc is None:
        return VerifyReport(document_id=document_id, ok=False, events=0, problems=["no such document"])
    prev = GENESIS
    for i, ev in enumerate(events, start=1):
        if ev.seq != i:
            problems.append(f"event {ev.seq}: expected sequence number {i} (an event is missing)")
        if ev.prev_hash != prev:
            problems.append(f"event {ev.seq} ({ev.kind}): does not link to the event before it")
        if _event_hash(ev.document_id, ev.seq, ev.kind, ev.at, ev.payload, ev.prev_hash) != ev.hash:
            problems.append(f"event {ev.seq} ({ev.kind}): contents do not match its hash")
        prev = ev.hash
    received = next((e for e in events if e.kind == EventKind.RECEIVED), None)
    if received is None:
        problems.append("no 'received' event")
    elif received.payload.get("sha256") != doc.sha256:
        problems.append("upload sha256 differs from the one received")
    finished = [e for e in events if e.kind in (EventKind.FINISHED, EventKind.CORRECTED, EventKind.REVIEWED,
                                                 EventKind.DELETED)]
    gone = {h for e in events if e.kind in (EventKind.PURGED, EventKind.DELETED) for h in e.payload.get("removed", [])}
    if finished and finished[-1].payload.get("result_sha256") != result_digest(doc):
        problems.append(f"stored result differs from the one the last '{finished[-1].kind}' event recorded")
    if doc.parts:  # a document sent as photos: each photo arrived with an event, and is kept as it arrived
        arrived = {p["sha256"] for e in events if e.kind in (EventKind.RECEIVED, EventKind.PAGE_ADDED)
                   for p in (e.payload.get("parts") or [e.payload])}
        for n, part in enumerate(doc.parts, start=1):
            if part["sha256"] not in arrived:
                problems.append(f"photo {n}: no event records its arrival")
            elif blobs is not None and part["sha256"] not in gone and not intact(part["sha256"]):
                problems.append(f"photo {n}: stored photo is missing or altered")
    if blobs is not None:
        if not doc.parts and doc.sha256 not in gone and not intact(doc.sha256):
            problems.append("stored upload is missing or altered")
        content = doc.content_sha256
        if content and content not in gone and (received is None or received.payload.get("content_sha256") != content
                                                or not intact(content)):
            problems.append("the opened copy of the protected upload is missing, altered or not the one received")
        read = [e for e in events if e.kind == EventKind.READ]
        recorded = {p["number"]: p["sha256"] for p in (read[-1].payload.get("pages", []) if read else [])}
        for page in session.scalars(select(Page).where(Page.document_id == document_id)):
            if recorded.get(page.number) != page.sha256:
                problems.append(f"page {page.number}: sha256 differs from the one recorded when read")
            elif page.sha256 not in gone and not intact(page.sha256):
                problems.append(f"page {page.number}: stored image is missing or altered")
    return VerifyReport(document_id=document_id, ok=not problems, events=len(events), problems=problems)
