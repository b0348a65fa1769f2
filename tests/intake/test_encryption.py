"""Personal data protected at rest: uploads and page images sealed with a data key of their own (AES-GCM),
wrapped by a master key; rotation without downtime; ``docintake verify`` still works."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest

from extractors.errors import StorageUnavailable
from intake.job import jobs, queue
from intake.job.pipeline import Pipeline
from intake.job.worker import PromptWorker
from intake.settings import Settings
from intake.storage.blobs import BlobAltered, BlobNotFound, BlobStore, store_of
from intake.storage.keys import Keyring, SealError
from tests.conftest import api, sample

ROOT = Path(__file__).resolve().parents[2]
MAGIC = {b"\xff\xd8\xff": "JPEG", b"\x89PNG": "PNG", b"%PDF": "PDF"}


def _plain_magic(folder: Path) -> list[str]:
    found = []
    for path in folder.rglob("*"):
        if path.is_file():
            head = path.read_bytes()[:8]
            found += [f"{path.name}: {kind}" for magic, kind in MAGIC.items() if head.startswith(magic)]
    return found


@pytest.mark.ocr
def test_uploads_and_page_images_are_sealed_on_disk(settings: Settings, pipeline: Pipeline) -> None:
    jobs.configure(settings, pipeline)
    client = api(settings)
    ids = [client.post("/v1/applications/app-enc/documents",
                       files={"file": (name, sample(*parts).read_bytes())}).json()["document_id"]
           for name, parts in [("card.jpg", ("front-scan-1.jpg",)), ("st.pdf", ("statements", "digital-icbc.pdf"))]]
    PromptWorker(queue.queues(settings), connection=queue.connection(settings)).work(burst=True)
    assert len(list(settings.blob_dir.rglob("*"))) > 4
    assert _plain_magic(settings.blob_dir) == [], "no JPEG, PNG or PDF is readable in the blob folder"
    for doc_id in ids:
        view = client.get(f"/v1/documents/{doc_id}").json()
        assert view["state"] in ("accepted", "needs_review") and view["evidence"]["chain_ok"]
        page = client.get(f"/v1/documents/{doc_id}/pages/1")
        assert page.status_code == 200 and page.content.startswith(b"\x89PNG"), "served decrypted"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCINTAKE_")} | {
        "DOCINTAKE_DATA_DIR": str(settings.data_dir), "DOCINTAKE_DATABASE_URL": settings.database_url}
    verify = subprocess.run([sys.executable, "-m", "docintake.cli", "verify", ids[0]], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert '"ok": true' in verify.stdout


def test_a_blob_altered_or_renamed_does_not_open(tmp_path: Path) -> None:
    store = BlobStore(tmp_path, Keyring({"k1": os.urandom(32)}, current="k1"))
    digest = store.put(b"%PDF-1.7 a statement")
    sealed = store.path(digest).read_bytes()
    store.path(digest).write_bytes(sealed[:-1] + bytes([sealed[-1] ^ 1]))
    with pytest.raises(BlobAltered):
        store.get(digest)
    other = store.put(b"another")
    store.path(other).write_bytes(sealed)  # a whole sealed blob moved under another name
    with pytest.raises(BlobAltered):
        store.get(other)


def test_a_master_key_from_the_environment(tmp_path: Path) -> None:
    key = base64.b64encode(os.urandom(32)).decode()
    settings = Settings(data_dir=tmp_path, master_key=f"vault-7:{key}")
    settings.ensure_dirs()
    digest = store_of(settings).put(b"\xff\xd8\xff portrait")
    assert store_of(settings).path(digest).read_bytes()[4:12] == b"\x07vault-7"
    assert not (tmp_path / "master.keys").exists(), "no key file when the key comes from the environment"
    wrong = Settings(data_dir=tmp_path, master_key=f"vault-7:{base64.b64encode(os.urandom(32)).decode()}")
    with pytest.raises(BlobAltered):
        store_of(wrong).get(digest)


def test_key_rotation_without_downtime(tmp_path: Path) -> None:
    """Blobs sealed under k1; k2 added to the key file while a reader holds k1 only (it finds k2 in the file);
    new blobs sealed under k2; `docintake keys rewrap` moves the old ones to k2; then k1 can go."""
    key_file = tmp_path / "master.keys"
    key_file.write_text(f"k1:{base64.b64encode(os.urandom(32)).decode()}\n")
    (tmp_path / "blobs").mkdir()
    old = BlobStore(tmp_path / "blobs", Keyring.from_file(key_file))
    before = [old.put(f"upload {i}".encode()) for i in range(3)]
    plain = BlobStore(tmp_path / "blobs").put(b"\xff\xd8\xff from before encryption")

    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCINTAKE_")} | {
        "DOCINTAKE_DATA_DIR": str(tmp_path), "DOCINTAKE_MASTER_KEY_FILE": str(key_file)}
    cli = [sys.executable, "-m", "docintake.cli", "keys"]
    subprocess.run([*cli, "new", "k2"], cwd=ROOT, env=env, check=True, capture_output=True, timeout=60)
    new = BlobStore(tmp_path / "blobs", Keyring.from_file(key_file))
    assert new.keyring is not None and new.keyring.current == "k2"
    after = new.put(b"upload after")
    assert old.get(after) == b"upload after", "a process started before the new key reads it from the file"

    out = subprocess.run([*cli, "rewrap"], cwd=ROOT, env=env, check=True, capture_output=True, text=True,
                         timeout=60).stdout
    assert "3 blobs re-wrapped, 1 sealed" in out
    assert _plain_magic(tmp_path / "blobs") == []
    key_file.write_text(key_file.read_text().splitlines()[-1] + "\n")  # k1 retired
    only_k2 = BlobStore(tmp_path / "blobs", Keyring.from_file(key_file))
    assert [only_k2.get(d) for d in before] == [f"upload {i}".encode() for i in range(3)]
    assert only_k2.get(plain) == b"\xff\xd8\xff from before encryption"
    with pytest.raises(SealError):
        Keyring.from_file(key_file).open(old.path(before[0]).read_bytes() + b"", aad=b"wrong name")


def test_processes_starting_together_make_one_key_file(tmp_path: Path) -> None:
    """The API and its workers on a fresh machine: whoever comes first writes the key file whole; every other
    one reads that one (it once read it half-written: 'no master key')."""
    from concurrent.futures import ThreadPoolExecutor

    from intake.storage.keys import keyring

    with ThreadPoolExecutor(8) as pool:
        keys = list(pool.map(lambda _: keyring(None, tmp_path / "master.keys").keys["k1"], range(16)))
    assert len(set(keys)) == 1
    assert (tmp_path / "master.keys").stat().st_mode & 0o777 == 0o600


def test_a_store_whose_folder_is_gone_is_unavailable_not_empty(tmp_path: Path) -> None:
    """The blob folder unmounted (a volume or share gone): reads and writes say storage_unavailable, which the
    API answers with a retryable 503 and the worker with a retry — never "blob missing", and never a write into
    a fresh folder in the volume's place."""
    (tmp_path / "blobs").mkdir()
    store = BlobStore(tmp_path / "blobs", Keyring({"k1": os.urandom(32)}, current="k1"))
    digest = store.put(b"an upload")
    (tmp_path / "blobs").rename(tmp_path / "away")
    with pytest.raises(StorageUnavailable):
        store.get(digest)
    with pytest.raises(StorageUnavailable):
        store.put(b"another upload")
    assert not (tmp_path / "blobs").exists()
    (tmp_path / "away").rename(tmp_path / "blobs")
    assert store.get(digest) == b"an upload"
    with pytest.raises(BlobNotFound):
        store.get("0" * 64)
