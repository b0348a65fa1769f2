"""The bare floor of the upload stack, for ``docintake bench load``: FastAPI's multipart parsing, a sha256, an
fsync'd file, one database row and one Redis push — what any upload service on this stack must do, and nothing
DocIntake adds (authentication, the header checks, evidence, the RQ job)."""

from __future__ import annotations

import hashlib
import os
import tempfile
import uuid
from pathlib import Path

import redis
from fastapi import FastAPI, File, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, create_engine, func, insert

META = MetaData()
ROWS = Table("floor_uploads", META, Column("id", String(32), primary_key=True), Column("sha256", String(64)),
             Column("size", Integer), Column("created_at", DateTime(timezone=True), server_default=func.now()))


def create_floor() -> FastAPI:
    folder = Path(os.environ["FLOOR_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    url = os.environ["FLOOR_DATABASE_URL"]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    engine = create_engine(url, pool_size=5, max_overflow=5)  # as DocIntake's engine
    META.create_all(engine)
    queue = redis.Redis.from_url(os.environ["FLOOR_REDIS_URL"])
    app = FastAPI()

    def store(data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        target = folder / digest[:2] / digest[2:]  # fanned out as any content-addressed store is
        target.parent.mkdir(exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
        row_id = uuid.uuid4().hex
        with engine.begin() as conn:
            conn.execute(insert(ROWS).values(id=row_id, sha256=digest, size=len(data)))
        queue.lpush("floor-jobs", row_id)
        return row_id

    @app.post("/upload", status_code=202)
    async def upload(file: UploadFile = File(...)) -> JSONResponse:  # noqa: B008
        row_id = await run_in_threadpool(store, await file.read())
        return JSONResponse({"id": row_id}, status_code=202)

    return app
