"""The database: tables, engine and sessions, migrations by Alembic.

SQLite by default, PostgreSQL when ``DOCINTAKE_DATABASE_URL`` says so. The
schema is created only by the migrations in ``intake/storage/migrations`` —
:func:`migrate` runs them to head — never by ``create_all``.

Tables:

- ``documents``: one row per upload; its state, its result (the extracted
  documents as JSON) and its retry bookkeeping;
- ``pages``: the page images the boxes refer to (blobs by sha256);
- ``evidence_events``: the hash chain of what happened to a document;
- ``feed``: finished records in commit order; ``cursor`` is the pull cursor;
- ``record_versions``: every version of a record (the pipeline's, then each reviewer action);
- ``reviewers``, ``review_sessions``: who may sign in to the review page, and who is signed in;
- ``api_clients``: the app's and the approval service's credentials (hashed tokens);
- ``audit_log``: what reviewers did that leaves no record version (sign-in, revealing personal data).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    create_engine,
    event,
    text,
)
from sqlalchemy import Enum as SAEnum
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

JsonType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class DocState(enum.StrEnum):
    """A document's state; stored as its value (a string column, so no migration and no database enum type)."""

    QUEUED = "queued"
    PROCESSING = "processing"
    ACCEPTED = "accepted"
    NEEDS_REVIEW = "needs_review"
    REJECTED = "rejected"

    @property
    def terminal(self) -> bool:
        return self in (DocState.ACCEPTED, DocState.NEEDS_REVIEW, DocState.REJECTED)


class DeliveryState(enum.StrEnum):
    """A webhook delivery's state."""

    PENDING = "pending"
    """The next attempt is due at ``next_attempt_at``."""
    DELIVERED = "delivered"
    DEAD = "dead"
    """Parked for an operator after the last attempt failed."""


def _states(kind: type[enum.StrEnum]) -> SAEnum:
    """A column of ``kind``'s values: rows read back as members, a value or a member may be written."""
    return SAEnum(kind, native_enum=False, create_constraint=False, length=16, validate_strings=True,
                  values_callable=lambda members: [m.value for m in members])


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JsonType, list[Any]: JsonType}


class Document(Base):
    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint("application_id", "idempotency_key", name="uq_documents_idempotency"),
        Index("ix_documents_state_updated", "state", "updated_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    application_id: Mapped[str] = mapped_column(String(64), index=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    declared_type: Mapped[str | None] = mapped_column(String(64))
    filename: Mapped[str | None] = mapped_column(String(255))
    content_type: Mapped[str | None] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content_sha256: Mapped[str | None] = mapped_column(String(64))
    """The blob the pipeline reads when it is not the upload itself: a PDF opened with the password the app
    user gave (the password is used once, at upload, and never stored)."""
    state: Mapped[DocState] = mapped_column(_states(DocState), default=DocState.QUEUED)
    urgency: Mapped[str | None] = mapped_column(String(16))
    """The queue it is read from: ``interactive`` (photos) or ``batch`` (PDFs); see :mod:`intake.job.queue`."""
    version: Mapped[int] = mapped_column(Integer, default=0)
    """The record's current version: 1 when the pipeline finishes, one more for every reviewer correction."""
    reject_code: Mapped[str | None] = mapped_column(String(64))
    reject_reason: Mapped[str | None] = mapped_column(String(500))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    result: Mapped[list[Any] | None] = mapped_column(JsonType)
    parts: Mapped[list[Any] | None] = mapped_column(JsonType)
    """A document sent as several photos (one per page): each photo's blob, size and the page number the app
    gave it, in the order they arrived; None for a document of one file (``sha256``)."""
    timings: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    engine: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    purged_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    """Its upload and page images were removed by the retention policy (:mod:`intake.operations.retention`)."""
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    """Deleted on the applicant's request: files and personal fields gone, a tombstone in the evidence."""
    review_decision: Mapped[str | None] = mapped_column(String(16))
    """``approved``, ``rejected`` or ``retake`` once a reviewer has decided; a later correction clears it."""
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Page(Base):
    __tablename__ = "pages"
    __table_args__ = (UniqueConstraint("document_id", "number", name="uq_pages_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)


class EvidenceEvent(Base):
    __tablename__ = "evidence_events"
    __table_args__ = (UniqueConstraint("document_id", "seq", name="uq_evidence_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    at: Mapped[str] = mapped_column(String(40))
    """ISO-8601 UTC, stored as text so the hashed form and the stored form are the same."""
    payload: Mapped[dict[str, Any]] = mapped_column(JsonType)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class FeedEntry(Base):
    __tablename__ = "feed"

    cursor: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[str] = mapped_column(String(64), index=True)
    state: Mapped[DocState] = mapped_column(_states(DocState))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RecordVersion(Base):
    """Every version of a document's record, never overwritten: the pipeline's, then each correction."""

    __tablename__ = "record_versions"
    __table_args__ = (UniqueConstraint("document_id", "version", name="uq_record_versions"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(16))
    """``pipeline`` or ``reviewer``."""
    author: Mapped[str | None] = mapped_column(String(64))
    changes: Mapped[list[Any] | None] = mapped_column(JsonType)
    state: Mapped[DocState] = mapped_column(_states(DocState))
    result: Mapped[list[Any] | None] = mapped_column(JsonType)
    result_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    action: Mapped[str | None] = mapped_column(String(16))
    """``extracted``, ``corrected``, ``approved``, ``rejected`` or ``retake`` (null on versions made before it was
    kept: read them by ``source``)."""
    reason: Mapped[str | None] = mapped_column(String(500))
    """The reviewer's reason or note for a decision."""

    @property
    def what(self) -> str:
        """The action, also for versions stored before it was kept."""
        return self.action or ("extracted" if self.source == "pipeline" else "corrected")


class FeedConsumer(Base):
    """How far a consumer of the feed (the approval service) has acknowledged reading it; kept in the database,
    so a consumer that restarts resumes after its last acknowledged cursor."""

    __tablename__ = "feed_consumers"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    acked_cursor: Mapped[int] = mapped_column(Integer, default=0)
    client: Mapped[str | None] = mapped_column(String(64))
    """The API client that owns it (its first acknowledger); no other client may read or move its cursor."""
    acked_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class Delivery(Base):
    """One feed entry's push to the approval service's webhook (:mod:`intake.feed.forward`)."""

    __tablename__ = "deliveries"
    __table_args__ = (Index("ix_deliveries_state_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    feed_cursor: Mapped[int] = mapped_column(ForeignKey("feed.cursor", ondelete="CASCADE"), unique=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    state: Mapped[DeliveryState] = mapped_column(_states(DeliveryState), default=DeliveryState.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(String(200))


class Reviewer(Base):
    __tablename__ = "reviewers"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(16))
    """``reviewer`` or ``supervisor``."""
    password_hash: Mapped[str] = mapped_column(String(256))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ReviewSession(Base):
    """A signed-in reviewer; the cookie holds the token, the table only its sha256."""

    __tablename__ = "review_sessions"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(ForeignKey("reviewers.username", ondelete="CASCADE"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ApiClient(Base):
    """A machine client of the ``/v1`` API: the app back end (``app``) or the approval service (``scorer``)."""

    __tablename__ = "api_clients"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    roles: Mapped[str] = mapped_column(String(64))
    """Comma-separated: ``app``, ``scorer``."""
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    document_id: Mapped[str | None] = mapped_column(String(32), index=True)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    """Which fields, never their values."""


@cache
def get_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


@cache
def _sessionmaker(url: str) -> sessionmaker[Session]:
    return sessionmaker(get_engine(url), expire_on_commit=False)


@contextmanager
def session_scope(url: str) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    session = _sessionmaker(url)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def migrate(url: str) -> None:
    """Bring the schema to the newest migration (idempotent; safe on every start, and when several processes
    start at once: they take turns, :func:`_migrating`)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["connection_url"] = url
    with _migrating(url):
        command.upgrade(cfg, "head")


MIGRATION_LOCK = 7_465_001
"""PostgreSQL advisory lock key held while one process migrates."""


@contextmanager
def _migrating(url: str) -> Iterator[None]:
    """One migrating process at a time per database: a PostgreSQL advisory lock, or an exclusive lock on a file
    beside the SQLite database (two workers started together on a fresh database raced to add the same
    column)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            yield
            return
        import fcntl

        with open(f"{parsed.database}.migrate-lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield
        return
    if parsed.get_backend_name() != "postgresql":
        yield
        return
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK})
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK})
    finally:
        engine.dispose()
