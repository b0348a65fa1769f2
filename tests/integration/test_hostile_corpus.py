"""The hostile corpus against a running ``docintake serve`` (its API process and a worker), with both
processes' memory sampled throughout (security review, "keep it that way"): every item is answered 4xx at
upload or ends ``rejected`` with a code within 60 s; the API stays under 300 MB, the worker under its budget.

The files are built here, never committed: decompression, pixel, 16-bit and float rasters (five 16-bit 40 MP
PNGs at once), page-tree, lying page counts, object-stream, flate and operator bombs, a polyglot, extreme aspect
ratios, truncated and cyclic files."""

from __future__ import annotations

import io
import os
import signal
import struct
import subprocess
import sys
import threading
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np
import psutil
import pytest
from PIL import Image

from tests.integration.test_hostile_files import CATALOG, HOSTILE, page, pdf, png, stream

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
DRAINED_S = 600
"""The whole corpus through one worker on a shared two-core machine (about a minute alone)."""
API_BUDGET = 300 * 2**20
WORKER_BUDGET = 2 * 2**30


def _objstm_bomb(pad_mib: int = 400) -> bytes:
    """The page tree inside an object stream padded with ``pad_mib`` MiB of spaces (a cross-reference stream
    points into it): opening it to count pages used to inflate it all."""
    pages = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
    leaf = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"
    header = b"2 0 3 %d " % (len(pages) + 1)
    packed = zlib.compress(header + pages + b" " + leaf + b" " * (pad_mib * 2**20), 9)
    out = b"%PDF-1.5\n"
    at_catalog = len(out)
    out += b"1 0 obj\n" + CATALOG + b"\nendobj\n"
    at_objstm = len(out)
    out += (b"4 0 obj\n<< /Type /ObjStm /N 2 /First %d /Length %d /Filter /FlateDecode >>\nstream\n"
            % (len(header), len(packed)) + packed + b"\nendstream\nendobj\n")
    at_xref = len(out)
    rows = [(0, 0, 65535), (1, at_catalog, 0), (2, 4, 0), (2, 4, 1), (1, at_objstm, 0), (1, at_xref, 0)]
    table = b"".join(struct.pack(">BIH", *row) for row in rows)
    out += (b"5 0 obj\n<< /Type /XRef /Size 6 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n" % len(table)
            + table + b"\nendstream\nendobj\n")
    return out + b"startxref\n%d\n%%%%EOF\n" % at_xref


def _tiff(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(array).save(buf, "TIFF", compression="tiff_adobe_deflate")
    return buf.getvalue()


def _corpus() -> dict[str, bytes]:
    photo = png(np.full((600, 900, 3), 200, np.uint8))
    jpeg = io.BytesIO()
    Image.fromarray(np.full((600, 900, 3), 180, np.uint8)).save(jpeg, "JPEG")
    bomb_header = bytearray(png(np.zeros((8, 8), np.uint8)))
    bomb_header[16:24] = struct.pack(">II", 60000, 60000)  # IHDR claims 3.6 G pixels …
    bomb_header[29:33] = struct.pack(">I", zlib.crc32(bytes(bomb_header[12:29])))  # … with a right checksum
    zip_tail = b"PK\x05\x06" + b"\x00" * 18
    return HOSTILE | {
        f"sixteen-bit-40mp-{i}.png": png(np.zeros((6320, 6320), np.uint16)) for i in range(5)
    } | {
        "float-40mp.tif": _tiff(np.zeros((6000, 6000), np.float32)),
        "pixel-bomb-60000x60000.png": bytes(bomb_header),
        "objstm-bomb-400mib.pdf": _objstm_bomb(),
        "operator-bomb-48mib.pdf": pdf({1: CATALOG, 2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                                        3: page(2, 4), 4: stream(b"0 0 m 1 1 l S\n" * (48 * 2**20 // 14),
                                                                  flate=True)}),
        "claims-100000-pages.pdf": pdf({1: CATALOG, 2: b"<< /Type /Pages /Kids [3 0 R] /Count 100000 >>",
                                        3: page(2)}),
        "jpeg-zip-polyglot.jpg": jpeg.getvalue() + zip_tail,
        "truncated.png": photo[: len(photo) // 2],
        "truncated.jpg": jpeg.getvalue()[: len(jpeg.getvalue()) // 2],
        "html-named.jpg": b"<html><body>hello</body></html>",
        "empty.pdf": b"",
    }


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Sampler(threading.Thread):
    """The largest RSS of the API process and of any worker, every 100 ms."""

    def __init__(self, api_pid: int) -> None:
        super().__init__(daemon=True)
        self.api = psutil.Process(api_pid)
        self.api_peak = self.worker_peak = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.1):
            try:
                self.api_peak = max(self.api_peak, self.api.memory_info().rss)
                for child in self.api.children(recursive=True):
                    if "intake.job.worker" in " ".join(child.cmdline()):
                        self.worker_peak = max(self.worker_peak, child.memory_info().rss)
            except psutil.Error:
                continue


def test_the_hostile_corpus_against_a_running_service(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCINTAKE_")}
    env |= {"DOCINTAKE_DATA_DIR": str(tmp_path / "data"), "PYTHONUNBUFFERED": "1"}
    run = [sys.executable, "-m", "docintake.cli"]
    token = subprocess.run([*run, "client", "hostile", "--role", "app"], cwd=ROOT, env=env, check=True,
                           capture_output=True, text=True, timeout=120).stdout.strip().splitlines()[-1]
    port = _free_port()
    serve = subprocess.Popen([*run, "serve", "--port", str(port), "--workers", "1"], cwd=ROOT, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base, headers = f"http://127.0.0.1:{port}", {"Authorization": f"Bearer {token}"}
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert serve.poll() is None and time.monotonic() < deadline, "serve did not come up"
            time.sleep(0.5)
        sampler = Sampler(serve.pid)
        sampler.start()
        corpus = _corpus()

        def upload(item: tuple[str, bytes]) -> tuple[str, httpx.Response, float]:
            name, data = item
            r = httpx.post(f"{base}/v1/applications/app-hostile/documents", headers=headers, timeout=60,
                           files={"file": (name, data)})
            return name, r, time.monotonic()

        with ThreadPoolExecutor(6) as pool:
            answers = list(pool.map(upload, corpus.items()))
        outcomes: dict[str, str] = {}
        for name, r, at in answers:
            if r.status_code != 202:
                assert 400 <= r.status_code < 500 and r.json()["error"]["code"], (name, r.status_code, r.text)
                outcomes[name] = f"{r.status_code} {r.json()['error']['code']}"
                continue
            url = f"{base}{r.json()['status_url']}"
            while True:
                view = httpx.get(url, headers=headers, timeout=30).json()
                if view["state"] not in ("queued", "processing"):
                    break
                assert time.monotonic() - at < DRAINED_S, f"{name}: still {view['state']} after {DRAINED_S} s"
                time.sleep(0.5)
            assert view["state"] == "rejected" and view["reject_code"], (name, view["state"], view["documents"])
            # one worker takes them in turn: each is judged by its own time in the worker, one attempt
            assert view["timings"]["total"] < 60, (name, view["timings"])
            outcomes[name] = f"rejected {view['reject_code']} in {view['timings']['total']:.1f} s"
        sampler.done.set()
        sampler.join()
        assert set(outcomes) == set(corpus)
        print("\n".join(f"{k}: {v}" for k, v in sorted(outcomes.items())))
        print(f"API peak RSS {sampler.api_peak / 2**20:.0f} MiB; worker peak RSS {sampler.worker_peak / 2**20:.0f} MiB")
        assert sampler.api_peak < API_BUDGET, f"API peak RSS {sampler.api_peak / 2**20:.0f} MiB"
        assert 0 < sampler.worker_peak < WORKER_BUDGET, f"worker peak RSS {sampler.worker_peak / 2**20:.0f} MiB"
    finally:
        serve.send_signal(signal.SIGTERM)
        try:
            serve.wait(timeout=90)
        except subprocess.TimeoutExpired:
            serve.kill()
