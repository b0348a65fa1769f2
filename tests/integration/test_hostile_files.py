"""Hostile files from the security review (findings 1, 3, 4), built here — never committed: each is answered 4xx
at upload or ends ``rejected`` with a code in one attempt, and none costs the API its memory."""

from __future__ import annotations

import threading
import tracemalloc
import zlib

import cv2
import numpy as np
import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from intake.job import jobs, queue
from intake.job.pipeline import Pipeline
from intake.job.worker import PromptWorker
from intake.settings import Settings
from intake.storage.db import Document, session_scope
from tests.conftest import api

pytestmark = pytest.mark.integration


def png(array: np.ndarray) -> bytes:
    ok, data = cv2.imencode(".png", array)
    assert ok
    return data.tobytes()


def pdf(objects: dict[int, bytes], root: int = 1) -> bytes:
    """A PDF of ``objects`` (number → dictionary or stream), with a correct cross-reference table."""
    out, offsets = b"%PDF-1.4\n", {}
    for n in sorted(objects):
        offsets[n] = len(out)
        out += b"%d 0 obj\n" % n + objects[n] + b"\nendobj\n"
    size = max(objects) + 1
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    out += b"".join(b"%010d 00000 n \n" % offsets.get(n, 0) for n in range(1, size))
    return out + b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, root, xref)


def page(parent: int, contents: int | None = None) -> bytes:
    extra = b" /Contents %d 0 R" % contents if contents else b""
    return b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842]%s >>" % (parent, extra)


def stream(data: bytes, flate: bool = False) -> bytes:
    body = zlib.compress(data, 9) if flate else data
    return (b"<< /Length %d%s >>\nstream\n" % (len(body), b" /Filter /FlateDecode" if flate else b"")
            + body + b"\nendstream")


CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
TEXT = stream(b"BT /F1 12 Tf 72 720 Td (hello) Tj ET")

HOSTILE = {
    "strip-40000x1.png": png(np.full((1, 40000), 255, np.uint8)),
    "strip-1x40000.png": png(np.full((40000, 1), 255, np.uint8)),
    "page-tree-lists-itself.pdf": pdf({1: CATALOG, 2: b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
                                       3: page(2, 4), 4: TEXT}),
    "count-1-two-real-pages.pdf": pdf({1: CATALOG, 2: b"<< /Type /Pages /Kids [3 0 R 5 0 R] /Count 1 >>",
                                       3: page(2, 4), 4: TEXT, 5: page(2, 4)}),
    "count-5-one-real-page.pdf": pdf({1: CATALOG, 2: b"<< /Type /Pages /Kids [3 0 R] /Count 5 >>",
                                      3: page(2, 4), 4: TEXT}),
    "flate-bomb-256mib.pdf": pdf({1: CATALOG, 2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", 3: page(2, 4),
                                  4: stream(b"0 0 m 1 1 l S\n" * (256 * 2**20 // 14), flate=True)}),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_file_is_refused_or_rejected_in_one_attempt(settings: Settings, pipeline: Pipeline,
                                                              name: str) -> None:
    jobs.configure(settings, pipeline)
    client = api(settings)
    r = client.post("/v1/applications/app-hostile/documents", files={"file": (name, HOSTILE[name])})
    if r.status_code != 202:
        assert 400 <= r.status_code < 500 and r.json()["error"]["code"], r.text
        return
    PromptWorker(queue.queues(settings), connection=queue.connection(settings)).work(burst=True)
    with session_scope(settings.database_url) as s:
        doc = s.get(Document, r.json()["document_id"])
        assert doc is not None
        assert (doc.state, doc.attempts) == ("rejected", 1), (doc.state, doc.result)
        assert doc.reject_code and doc.reject_reason
        assert doc.timings and doc.timings["total"] < 60, doc.timings  # the one attempt's own time


def test_five_16_bit_40_mp_pngs_at_once_cost_the_api_nothing(settings: Settings) -> None:
    """A 78 KB PNG that decodes to 6320×6320 16-bit pixels took the API from 228 MB to 1.29 GB; five at once to
    5 GB. The upload now decides from the header; Python's allocations are traced across the five requests."""
    bomb = png(np.zeros((6320, 6320), np.uint16))
    assert len(bomb) < 200_000
    headers = dict(api(settings).headers)
    app = create_app(settings, run_migrations=False)
    codes: list[object] = []

    def upload() -> None:
        try:
            with TestClient(app, headers=headers) as client:
                codes.append(client.post("/v1/applications/app-bomb/documents",
                                         files={"file": ("b.png", bomb)}).status_code)
        except Exception as exc:  # shown in the assertion below
            codes.append(repr(exc))

    tracemalloc.start()
    try:
        threads = [threading.Thread(target=upload) for _ in range(5)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert codes == [202] * 5  # the worker decodes it once, bounded (a 16-bit raster is a real scan format)
    assert peak < 50 * 2**20, f"{peak / 2**20:.0f} MiB traced"


def test_the_stream_measure_stops_at_the_end_of_the_data() -> None:
    """A flate stream with a byte after its end once kept the bounded inflate looping for ever (the API hung)."""
    from extractors.imaging import decode

    data = pdf({1: CATALOG, 2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", 3: page(2, 4),
                4: stream(b"0 0 m 1 1 l S\n" * (8 * 2**20 // 14), flate=True)})
    decode.check_pdf_streams(data)  # returns (under the bound), and at once
    assert decode.pdf_page_count(data) == 1
