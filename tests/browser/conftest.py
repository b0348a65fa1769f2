"""The review page in a real browser: Debian's Chromium driven by Playwright, against the API served by
uvicorn on a free local port, with the real Redis, database, worker and OCR behind it.

Without Chromium (``apt-get install chromium``) these tests are skipped on a developer's machine and fail
under CI (``CI=true``), where ``.ci/run`` installs it. Playwright never downloads a browser here.
"""

from __future__ import annotations

import os
import random
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from api.main import create_app
from fixtures.idcard import NEGATIVES, one
from fixtures.people import negative
from intake.job import jobs, queue
from intake.job.pipeline import Pipeline
from intake.job.worker import PromptWorker
from intake.settings import Settings
from tests.conftest import PASSWORD, TODAY, api

CHROMIUM = os.environ.get("DOCINTAKE_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        message = f"no Chromium at {CHROMIUM}: apt-get install chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield chromium
        chromium.close()


class Live:
    """The API on a real socket, and the ``/v1`` clients the app and the approval service would use."""

    def __init__(self, settings: Settings) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.settings = settings = settings.model_copy(update={"public_origin": self.url})
        self.app = create_app(settings, run_migrations=False)
        self.server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.app_client = api(settings, "app", app=self.app)
        self.scorer = api(settings, "scorer", app=self.app)

    def __enter__(self) -> Live:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the API did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def upload(self, path: Path, application: str = "app-review") -> str:
        r = self.app_client.post(f"/v1/applications/{application}/documents",
                                 files={"file": (path.name, path.read_bytes())})
        assert r.status_code == 202, r.text
        return str(r.json()["document_id"])

    def work(self) -> None:
        PromptWorker(queue.queues(self.settings), connection=queue.connection(self.settings)).work(burst=True)


@pytest.fixture
def live(settings: Settings, pipeline: Pipeline) -> Iterator[Live]:
    jobs.configure(settings, pipeline)
    with Live(settings) as server:
        yield server


def add_reviewer(settings: Settings, username: str, role: str = "reviewer") -> None:
    from intake.review import auth
    from intake.storage.db import session_scope

    with session_scope(settings.database_url) as s:
        auth.add_reviewer(s, username, PASSWORD, auth.Role(role), display_name=username)


def generated_cards(out: Path, count: int, seed: int = 2051) -> list[Path]:
    """``count`` ID card scans (both sides) of people whose cards break a rule, the kinds taken in turn."""
    import datetime as dt

    out.mkdir(parents=True, exist_ok=True)
    rng, today, kinds = random.Random(seed), dt.date.fromisoformat(TODAY), list(NEGATIVES)
    names = []
    for i in range(count):
        kind = kinds[i % len(kinds)]
        names.append(one(out, f"{i:02d}-{kind}.jpg", negative(kind, rng, today), rng, capture="scan", sides="both",
                         neg=kind))
    return [out / n for n in names]


def sign_in(page: Any, live: Live, username: str) -> None:
    page.goto(f"{live.url}/review")
    page.wait_for_url("**/review/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#sign-in")
    page.wait_for_selector("#whoami")
    page.wait_for_selector(".queue-item, #queue-empty:visible")
