"""Once the API has answered 202, the document reaches a terminal state.

Real Redis, real database, real worker: the job is lost (Redis emptied, as
after a restart without persistence), or the worker dies after claiming the
document, or the OCR keeps failing — and the sweeper still brings every
document to an end.
"""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pytest
from PIL import Image
from rq.timeouts import JobTimeoutException

from extractors.errors import OcrUnavailable
from intake.job import jobs, queue
from intake.job.pipeline import Pipeline
from intake.job.recovery import sweep
from intake.job.worker import PromptWorker
from intake.settings import Settings
from intake.storage.db import DocState, Document, session_scope
from intake.upload import service


def _photo() -> bytes:
    rng = np.random.default_rng(7)
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (120, 160, 3), dtype=np.uint8)).save(buf, "JPEG")
    return buf.getvalue()


def _state(settings: Settings, doc_id: str) -> str:
    with session_scope(settings.database_url) as s:
        doc = s.get(Document, doc_id)
        assert doc is not None
        return doc.state


def _work(settings: Settings) -> None:
    PromptWorker(queue.queues(settings), connection=queue.connection(settings)).work(burst=True)


def _later(settings: Settings) -> dt.datetime:
    return dt.datetime.now(dt.UTC) + dt.timedelta(seconds=settings.stale_after_s + 1)


def test_job_lost_with_redis_is_enqueued_again(settings: Settings, pipeline: Pipeline) -> None:
    jobs.configure(settings, pipeline)
    doc_id = service.accept(settings, application_id="app-rec", data=_photo()).document_id
    queue.queue(settings).empty()  # Redis lost the job
    _work(settings)
    assert _state(settings, doc_id) == DocState.QUEUED.value
    assert sweep(settings) == [], "not stale yet"
    assert sweep(settings, now=_later(settings)) == [doc_id]
    _work(settings)
    assert DocState(_state(settings, doc_id)).terminal


def test_worker_dying_mid_job_is_recovered(settings: Settings, pipeline: Pipeline) -> None:
    jobs.configure(settings, pipeline)
    doc_id = service.accept(settings, application_id="app-rec", data=_photo()).document_id
    queue.queue(settings).empty()
    assert jobs._claim(settings, doc_id) is not None  # claimed, then the worker died
    assert _state(settings, doc_id) == DocState.PROCESSING.value
    assert sweep(settings, now=_later(settings)) == [doc_id]
    _work(settings)
    assert DocState(_state(settings, doc_id)).terminal


def test_running_a_job_twice_is_harmless(settings: Settings, pipeline: Pipeline) -> None:
    jobs.configure(settings, pipeline)
    doc_id = service.accept(settings, application_id="app-rec", data=_photo()).document_id
    _work(settings)
    first = _state(settings, doc_id)
    assert jobs.process_document(doc_id) == "skipped"
    assert _state(settings, doc_id) == first


class _BrokenEngine:
    kind = "broken"

    def read(self, image: object, page: int = 1, whole_page: bool = False) -> list[object]:
        raise OcrUnavailable("engine crashed")

    def info(self) -> None:
        return None


def test_service_errors_end_in_review_after_max_attempts(settings: Settings) -> None:
    broken = Pipeline.__new__(Pipeline)
    Pipeline.__init__(broken, settings, engine=_BrokenEngine())  # type: ignore[arg-type]
    jobs.configure(settings, broken)
    doc_id = service.accept(settings, application_id="app-rec", data=_photo()).document_id
    now = dt.datetime.now(dt.UTC)
    for attempt in range(settings.max_attempts):
        _work(settings)
        if attempt < settings.max_attempts - 1:
            assert _state(settings, doc_id) == DocState.QUEUED.value
            now += dt.timedelta(seconds=settings.stale_after_s + 1)
            assert sweep(settings, now=now) == [doc_id]
    assert _state(settings, doc_id) == DocState.NEEDS_REVIEW.value
    with session_scope(settings.database_url) as s:
        doc = s.get(Document, doc_id)
        assert doc is not None and doc.result
        assert doc.result[0]["findings"][0]["rule"] == "processing_failed"


class _Failing:
    def __init__(self, error: BaseException) -> None:
        self.error = error

    def read(self, image: object, page: int = 1, whole_page: bool = False) -> list[object]:
        raise self.error

    def info(self) -> None:
        return None


@pytest.mark.parametrize(("error", "rule", "code"), [
    (ZeroDivisionError("a bug of ours"), "processing_failed", "unexpected_error:ZeroDivisionError"),
    (JobTimeoutException("past the deadline"), "processing_timeout", "processing_timeout"),
])
def test_an_error_no_retry_mends_ends_the_document_at_once(settings: Settings, error: BaseException, rule: str,
                                                           code: str) -> None:
    """Not left `processing` for the sweeper to find three times over (security review, finding 3)."""
    failing = Pipeline.__new__(Pipeline)
    Pipeline.__init__(failing, settings, engine=_Failing(error))  # type: ignore[arg-type]
    jobs.configure(settings, failing)
    doc_id = service.accept(settings, application_id="app-rec", data=_photo()).document_id
    _work(settings)
    with session_scope(settings.database_url) as s:
        doc = s.get(Document, doc_id)
        assert doc is not None and doc.result
        assert (doc.state, doc.attempts) == (DocState.NEEDS_REVIEW.value, 1)
        [finding] = doc.result[0]["findings"]
        assert finding["rule"] == rule and code in finding["message"]["en"]
        assert "a bug of ours" not in finding["message"]["en"], "the error's text may quote the file: not kept"
    assert sweep(settings, now=_later(settings)) == [], "nothing left for the sweeper"


STUCK_WORKER = """
import signal, time
from intake.job import jobs, worker
from intake.job.pipeline import Pipeline
from intake.settings import Settings

class Stuck:  # an OCR call that never returns to the interpreter: the alarm is never handled
    def read(self, image, page=1, whole_page=False):
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        time.sleep(300)

    def info(self):
        return None

settings = Settings()
pipe = Pipeline.__new__(Pipeline)
Pipeline.__init__(pipe, settings, engine=Stuck())
worker.run(settings, burst=True, context=jobs.JobContext(settings, pipe))
"""


def test_a_job_stuck_in_native_code_is_ended_by_the_watchdog(settings: Settings) -> None:
    """RQ's deadline is a SIGALRM that Python handles only between bytecodes; a job stuck in native code never
    sees it. The worker's watchdog ends the document (`processing_timeout`) and the worker process, within the
    deadline and its grace — a real worker process, a real stuck call, the alarm really not handled."""
    import os
    import subprocess
    import sys
    import time

    from intake.job.worker import EXIT_WATCHDOG

    settings.job_timeout_s = 2  # the job's deadline is set when it is queued
    doc_id = service.accept(settings, application_id="app-stuck", data=_photo()).document_id
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCINTAKE_")} | {
        "DOCINTAKE_DATA_DIR": str(settings.data_dir), "DOCINTAKE_DATABASE_URL": settings.database_url,
        "DOCINTAKE_REDIS_URL": str(settings.redis_url), "DOCINTAKE_QUEUE_NAME": settings.queue_name,
        "DOCINTAKE_JOB_TIMEOUT_S": "2", "DOCINTAKE_WATCHDOG_GRACE_S": "2"}
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", STUCK_WORKER], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == EXIT_WATCHDOG, done.stderr[-2000:]
    with session_scope(settings.database_url) as s:
        doc = s.get(Document, doc_id)
        assert doc is not None and doc.result and doc.started_at and doc.finished_at
        assert doc.state == DocState.NEEDS_REVIEW.value
        assert doc.result[0]["findings"][0]["rule"] == "processing_timeout"
        held = (doc.finished_at - doc.started_at).total_seconds()
    assert 3.5 <= held < 10, f"ended {held:.1f} s after it started (deadline 2 s + grace 2 s)"
    assert time.monotonic() - started < 90
    assert sweep(settings, now=_later(settings)) == [], "nothing left for the sweeper"
