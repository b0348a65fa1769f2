"""A worker hands its settings and pipeline to the jobs it runs: no job reads them from module state."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fixtures import payments
from intake.job import jobs, queue
from intake.job.pipeline import Pipeline
from intake.job.worker import PromptWorker
from intake.settings import Settings
from tests.conftest import api

AS_OF = dt.date(2026, 12, 7)


def test_a_worker_hands_its_context_to_its_jobs(settings: Settings, pipeline: Pipeline, tmp_path: Path) -> None:
    settings.as_of = AS_OF
    elsewhere = Settings(data_dir=tmp_path / "elsewhere", database_url=f"sqlite:///{tmp_path}/elsewhere.db")
    jobs.configure(elsewhere)  # the fallback points at another database: a job that used it would find nothing
    client = api(settings)
    records = payments.make(31, "alipay_csv", AS_OF, count=10)
    r = client.post("/v1/applications/app-ctx/documents",
                    files={"file": ("alipay_record.csv", payments.alipay_csv(records), "text/csv")})
    assert r.status_code == 202, r.text
    worker = PromptWorker(queue.queues(settings), connection=queue.connection(settings),
                          context=jobs.JobContext(settings, pipeline))
    worker.work(burst=True)
    view = client.get(r.json()["status_url"]).json()
    assert view["state"] == "accepted", view["state"]
    assert jobs.current().settings is elsewhere, "outside a job, the fallback is untouched"
