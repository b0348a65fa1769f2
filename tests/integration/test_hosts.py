"""Hosts, not processes: the services, the API and two workers each in a network namespace of their own.

PostgreSQL, Redis and an S3 server (moto's) on a "services" host, ``docintake serve --workers 0`` on an "api"
host, ``docintake worker`` on two worker hosts, joined by a bridge; each host has its own data folder, so
nothing can pass through a shared disk or localhost. Documents uploaded to the API are read by the worker
hosts through Redis, PostgreSQL and S3. One worker host is cut off (its link down) while it reads a document;
the other worker's sweeper gives the document to it; the cut-off host comes back with its late result, which
its stale claim keeps out. Nothing is lost, nothing is finished twice.

Needs root and ``ip netns`` (CI runs as root); elsewhere it skips, saying why.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from fixtures.variants import distinct
from tests.conftest import sample

ROOT = Path(__file__).resolve().parents[2]
SUBNET = "10.77.{}.{}"


def _why_not() -> str | None:
    if os.geteuid() != 0:
        return "network namespaces need root"
    if shutil.which("ip") is None or shutil.which("redis-server") is None:
        return "needs iproute2's ip and redis-server"
    if not sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb")):
        return "needs PostgreSQL's server programs (initdb, pg_ctl)"
    try:
        import moto  # noqa: F401
    except ImportError:
        return "needs moto's S3 server (pip install 'moto[s3]' flask flask-cors)"
    probe = f"di-probe-{os.getpid()}"
    if subprocess.run(["ip", "netns", "add", probe], capture_output=True).returncode != 0:
        return "ip netns add is not permitted here"
    subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return None


pytestmark = pytest.mark.skipif(_why_not() is not None, reason=_why_not() or "")


def _ip(*args: str, ns: str | None = None) -> None:
    cmd = ["ip", "netns", "exec", ns, "ip", *args] if ns else ["ip", *args]
    subprocess.run(cmd, check=True, capture_output=True)


class Net:
    """A bridge and one namespace per host; ``addr(name)`` is the host's address."""

    def __init__(self, hosts: list[str]) -> None:
        tag = os.getpid() % 250
        self.tag, self.bridge, self.hosts = tag, f"dib{tag}", hosts
        self.ns = {h: f"di{tag}-{h}" for h in hosts}
        try:
            self._build()
        except BaseException:
            self.close()
            raise

    def _build(self) -> None:
        tag, hosts = self.tag, self.hosts
        _ip("link", "add", self.bridge, "type", "bridge")
        _ip("addr", "add", f"{SUBNET.format(tag, 1)}/24", "dev", self.bridge)
        _ip("link", "set", self.bridge, "up")
        for i, h in enumerate(hosts, start=2):
            ns, outer, inner = self.ns[h], self._veth(h, "o"), self._veth(h, "i")
            subprocess.run(["ip", "netns", "add", ns], check=True)
            _ip("link", "add", outer, "type", "veth", "peer", "name", inner)
            _ip("link", "set", outer, "master", self.bridge, "up")
            _ip("link", "set", inner, "netns", ns)
            _ip("addr", "add", f"{SUBNET.format(tag, i)}/24", "dev", inner, ns=ns)
            _ip("link", "set", inner, "up", ns=ns)
            _ip("link", "set", "lo", "up", ns=ns)

    def _veth(self, host: str, end: str) -> str:
        return f"di{self.tag}h{self.hosts.index(host)}{end}"

    def addr(self, host: str) -> str:
        return SUBNET.format(self.tag, self.hosts.index(host) + 2)

    def link(self, host: str, up: bool) -> None:
        _ip("link", "set", self._veth(host, "o"), "up" if up else "down")

    def run(self, host: str, cmd: list[str], **kwargs: object) -> subprocess.Popen[bytes]:
        return subprocess.Popen(["ip", "netns", "exec", self.ns[host], *cmd], **kwargs)  # type: ignore[call-overload]

    def close(self) -> None:
        for ns in self.ns.values():
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        subprocess.run(["ip", "link", "del", self.bridge], capture_output=True)


def _wait_port(host: str, port: int, seconds: float = 60) -> None:
    import socket

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection((host, port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{host}:{port} did not open")


@pytest.fixture
def hosts(tmp_path: Path) -> Iterator[tuple[Net, Path, dict[str, str]]]:
    net = Net(["services", "api", "worker1", "worker2"])
    procs: list[subprocess.Popen[bytes]] = []
    import tempfile

    pg_dir = Path(tempfile.mkdtemp(prefix="di-hosts-pg-"))  # pytest's folders are closed to the postgres user
    pg_bin = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))[-1].parent
    as_postgres = ["runuser", "-u", "postgres", "--"]
    try:
        svc = net.addr("services")
        pg_dir.chmod(0o755)
        shutil.chown(pg_dir, "postgres")
        subprocess.run([*as_postgres, str(pg_bin / "initdb"), "-D", str(pg_dir / "data"), "-U", "postgres",
                        "--auth=trust", "-E", "UTF8"], check=True, capture_output=True)
        with open(pg_dir / "data" / "pg_hba.conf", "a") as hba:
            hba.write(f"host all all {SUBNET.format(net.tag, 0)}/24 trust\n")
        subprocess.run(["ip", "netns", "exec", net.ns["services"], *as_postgres, str(pg_bin / "pg_ctl"), "-D",
                        str(pg_dir / "data"), "-l", str(pg_dir / "log"), "-w", "-o",
                        f"-p 5432 -k {pg_dir} -c listen_addresses={svc}", "start"], check=True, capture_output=True)
        procs.append(net.run("services", ["redis-server", "--bind", svc, "--port", "6379", "--save", "",
                                          "--appendonly", "no", "--protected-mode", "no"],
                             stdout=subprocess.DEVNULL))
        procs.append(net.run("services", [sys.executable, "-m", "moto.server", "-H", svc, "-p", "5000"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        for port in (5432, 6379, 5000):
            _wait_port(svc, port)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DOCINTAKE_", "AWS_"))} | {
            "DOCINTAKE_DATABASE_URL": f"postgresql://postgres@{svc}:5432/postgres",
            "DOCINTAKE_REDIS_URL": f"redis://{svc}:6379/0", "DOCINTAKE_BLOB_URL": "s3://intake/blobs",
            "AWS_ENDPOINT_URL": f"http://{svc}:5000", "AWS_ACCESS_KEY_ID": "hosts-test",
            "AWS_SECRET_ACCESS_KEY": "hosts-test-secret", "AWS_DEFAULT_REGION": "us-east-1",
            "DOCINTAKE_MASTER_KEY": "k1:" + base64.b64encode(os.urandom(32)).decode(),
            "DOCINTAKE_STALE_AFTER_S": "15", "DOCINTAKE_AS_OF": "2026-11-21", "PYTHONUNBUFFERED": "1"}
        import boto3

        boto3.client("s3", endpoint_url=env["AWS_ENDPOINT_URL"], aws_access_key_id="hosts-test",
                     aws_secret_access_key="hosts-test-secret", region_name="us-east-1").create_bucket(Bucket="intake")
        yield net, tmp_path, env
    finally:
        for p in procs:
            p.kill()
            p.wait()
        subprocess.run(["ip", "netns", "exec", net.ns["services"], *as_postgres, str(pg_bin / "pg_ctl"), "-D",
                        str(pg_dir / "data"), "-m", "immediate", "stop"], capture_output=True)
        net.close()
        shutil.rmtree(pg_dir, ignore_errors=True)


def test_documents_cross_hosts_and_a_cut_off_worker_loses_nothing(hosts: tuple[Net, Path, dict[str, str]]) -> None:
    net, tmp, env = hosts
    api_host = net.addr("api")
    started: list[subprocess.Popen[bytes]] = []
    logs = {h: open(tmp / f"{h}.log", "wb") for h in ("api", "worker1", "worker2")}  # noqa: SIM115
    try:
        started.append(net.run("api", [sys.executable, "-m", "docintake.cli", "serve", "--host", api_host, "--port",
                                       "8000", "--workers", "0"], cwd=ROOT, env=env | {
                                           "DOCINTAKE_DATA_DIR": str(tmp / "api-data")},
                               stdout=logs["api"], stderr=subprocess.STDOUT))
        _wait_port(api_host, 8000, 120)
        workers = {}
        for h in ("worker1", "worker2"):
            workers[h] = net.run(h, [sys.executable, "-m", "docintake.cli", "worker"], cwd=ROOT,
                                 env=env | {"DOCINTAKE_DATA_DIR": str(tmp / f"{h}-data")}, stdout=logs[h],
                                 stderr=subprocess.STDOUT)
            started.append(workers[h])
        db = create_engine(env["DOCINTAKE_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://"))
        from intake.review import auth
        from intake.storage.db import session_scope

        with session_scope(env["DOCINTAKE_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://")) as s:
            token = auth.add_client(s, "hosts-test", [auth.ClientRole.APP])
        base = f"http://{api_host}:8000"
        deadline = time.monotonic() + 120
        while httpx.get(f"{base}/healthz", timeout=5).json().get("workers_seen_last_minute") != 2:
            assert time.monotonic() < deadline, "the worker hosts did not come up"
            time.sleep(1)

        files = [("front-photo-1.jpg",), ("back-photo-1.jpg",), ("front-scan-1.jpg",), ("back-scan-1.jpg",),
                 ("statements", "digital-icbc-3pages.pdf"), ("statements", "scanned-abc-2pages.pdf")]
        ids = []
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
            for n in range(18):
                parts = files[n % len(files)]
                data = distinct(sample(*parts).read_bytes(), f"host-{n}")
                r = client.post("/v1/applications/hosts/documents", files={"file": (parts[-1], data)})
                assert r.status_code == 202, r.text
                ids.append(r.json()["document_id"])

        # cut worker1 off while it holds a document
        w1 = f":{workers['worker1'].pid}"
        deadline = time.monotonic() + 120
        held = None
        while held is None:
            assert time.monotonic() < deadline, "worker1 never took a document"
            with db.connect() as conn:
                held = conn.execute(text(
                    "SELECT e.document_id FROM evidence_events e JOIN documents d ON d.id = e.document_id "
                    "WHERE d.state = 'processing' AND e.kind = 'started' AND e.payload::text LIKE :w "
                    "ORDER BY e.id DESC LIMIT 1"), {"w": f"%{w1}%"}).scalar()
            time.sleep(0.2)
        net.link("worker1", up=False)

        deadline = time.monotonic() + 240
        while True:
            with db.connect() as conn:
                states = dict(conn.execute(text("SELECT id, state FROM documents")).all())
            if all(states.get(i) in ("accepted", "needs_review", "rejected") for i in ids):
                break
            assert time.monotonic() < deadline, f"not all terminal: {sorted(set(states.values()))}"
            time.sleep(1)
        net.link("worker1", up=True)  # back, with whatever it was doing
        time.sleep(20)

        with db.connect() as conn:
            feed = dict(conn.execute(text("SELECT document_id, count(*) FROM feed GROUP BY document_id")).all())
            finished = dict(conn.execute(text(
                "SELECT document_id, count(*) FROM evidence_events WHERE kind = 'finished' GROUP BY document_id"
            )).all())
            starts = conn.execute(text("SELECT payload FROM evidence_events WHERE kind = 'started' "
                                       "AND document_id = :d ORDER BY seq"), {"d": held}).scalars().all()
        assert {i: feed.get(i) for i in ids} == dict.fromkeys(ids, 1), "each document once in the feed"
        assert {i: finished.get(i) for i in ids} == dict.fromkeys(ids, 1), "each document finished once"
        assert len(starts) >= 2 and w1 in str(starts[0]) and w1 not in str(starts[-1]), \
            "the cut-off host's document was read again by the other host"
        for h in ("api", "worker1", "worker2"):
            blobs = [p for p in (tmp / f"{h}-data").rglob("*") if p.is_file() and "blobs" in p.parts]
            assert blobs == [], f"{h} kept blobs on its own disk"
    finally:
        for p in started:
            p.terminate()
        for p in started:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
        for f in logs.values():
            f.close()
