"""Liveness/readiness and Prometheus metrics.

Metrics are computed from the shared state at scrape time (queue length from
Redis, document states and step timings from the database), so they are
correct however many API and worker processes run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.core import CollectorRegistry, GaugeMetricFamily, SummaryMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select, text

from api.deps import SettingsDep
from intake.job import queue
from intake.settings import Settings
from intake.storage.db import Document, session_scope

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz(settings: SettingsDep, response: Response) -> dict[str, object]:
    checks: dict[str, str] = {}
    try:
        with session_scope(settings.database_url) as s:
            s.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"error: {type(exc).__name__}"
    try:
        queue.connection(settings).ping()
        checks["redis"] = "ok"
    except Exception as exc:
        checks["redis"] = f"error: {type(exc).__name__}"
    ok = all(v == "ok" for v in checks.values())
    response.status_code = 200 if ok else 503
    return {"status": "ok" if ok else "degraded", "checks": checks,
            "workers_seen_last_minute": _workers_seen(settings) if checks["redis"] == "ok" else None}


def _workers_seen(settings: Settings) -> int:
    """Workers of any host, listening to this service's queues, whose heartbeat reached Redis in the last minute
    (RQ's worker registry; other services sharing the Redis are not counted)."""
    from rq import Worker

    ours = {q.name for q in queue.queues(settings)}
    cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    seen = 0
    for w in Worker.all(connection=queue.connection(settings)):
        beat = w.last_heartbeat
        if beat is not None and (beat if beat.tzinfo else beat.replace(tzinfo=dt.UTC)) >= cutoff and \
                ours & set(w.queue_names()):
            seen += 1
    return seen


class StateCollector(Collector):
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def collect(self) -> Iterator[GaugeMetricFamily | SummaryMetricFamily]:
        depth = GaugeMetricFamily("docintake_queue_depth", "Jobs waiting in the RQ queue", labels=["queue"])
        oldest = GaugeMetricFamily("docintake_queue_oldest_job_seconds", "Age of the job waiting longest",
                                   labels=["queue"])
        now = dt.datetime.now(dt.UTC)
        for urgency in queue.URGENCIES:
            try:
                q = queue.queue(self.settings, urgency)
                depth.add_metric([urgency], q.count)
                first = q.get_job_ids(0, 1)
                job = q.fetch_job(first[0]) if first else None
                at = job.enqueued_at if job is not None else None
                age = (now - (at if at.tzinfo else at.replace(tzinfo=dt.UTC))).total_seconds() if at else 0.0
                oldest.add_metric([urgency], age)
            except Exception:
                depth.add_metric([urgency], float("nan"))
                oldest.add_metric([urgency], float("nan"))
        yield depth
        yield oldest
        states = GaugeMetricFamily("docintake_documents", "Uploads by state", labels=["state"])
        steps = SummaryMetricFamily("docintake_step_seconds",
                                    "Seconds per pipeline step, uploads finished in the last hour", labels=["step"])
        with session_scope(self.settings.database_url) as s:
            for state, n in s.execute(select(Document.state, func.count()).group_by(Document.state)):
                states.add_metric([state], n)
            since = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
            sums: dict[str, list[float]] = {}
            for (timings,) in s.execute(select(Document.timings).where(Document.finished_at >= since)):
                for step, seconds in (timings or {}).items():
                    acc = sums.setdefault(step, [0, 0.0])
                    acc[0] += 1
                    acc[1] += seconds
        yield states
        for step, (count, total) in sorted(sums.items()):
            steps.add_metric([step], count_value=int(count), sum_value=total)
        yield steps


@router.get("/metrics", response_class=Response, responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}})
def metrics(settings: SettingsDep) -> Response:
    registry = CollectorRegistry()
    registry.register(StateCollector(settings))
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
