"""A content-addressed blob store: files named by their sha256 under a directory, sealed at rest.

Writes go to a temporary file, are fsynced and renamed into place, so a blob is
either whole or absent; writing the same content twice is a no-op. With a
:class:`~intake.storage.keys.Keyring` (every store the service opens has one:
:func:`store_of`) each blob is sealed with AES-GCM under a data key of its own,
wrapped by the master key, so the folder holds no readable upload, page image
or portrait; a sealed blob that was altered, or moved under another name, does
not open (:class:`BlobAltered`).

>>> import tempfile
>>> from intake.storage.keys import Keyring
>>> store = BlobStore(tempfile.mkdtemp(), Keyring({"k1": bytes(32)}, current="k1"))
>>> digest = store.put(b"hello")
>>> digest[:12], store.get(digest), b"hello" in store.path(digest).read_bytes()
('2cf24dba5fb0', b'hello', False)
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from extractors.errors import StorageUnavailable
from intake.storage.keys import MAGIC, Keyring, SealError, keyring

if TYPE_CHECKING:
    from intake.settings import Settings


class BlobNotFound(KeyError):
    pass


class Blobs(Protocol):
    """What the service needs of a blob store: the folder (:class:`BlobStore`) or a bucket
    (:class:`intake.storage.s3blobs.S3BlobStore`)."""

    def put(self, data: bytes, *, digest: str | None = None) -> str: ...

    def get(self, digest: str) -> bytes: ...

    def exists(self, digest: str) -> bool: ...

    def delete(self, digest: str) -> None: ...

    def rewrap(self) -> tuple[int, int]: ...


class BlobAltered(StorageUnavailable):
    """A sealed blob that does not open: altered on disk, or its master key is not configured."""


class BlobStore:
    def __init__(self, root: str | Path, keyring: Keyring | None = None) -> None:
        self.root = Path(root)
        self.keyring = keyring

    def path(self, digest: str) -> Path:
        if len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
            raise BlobNotFound(digest)
        return self.root / digest[:2] / digest[2:]

    def put(self, data: bytes, *, digest: str | None = None) -> str:
        """Store ``data`` under its sha256 (``digest``: already computed by the caller, who vouches for it)."""
        digest = digest or hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if target.exists():
            return digest
        try:
            # the fan-out folder only: the store's own folder missing means the volume is gone (unmounted, a
            # network share down), and writing into a fresh empty folder in its place would lose the blob later
            target.parent.mkdir(exist_ok=True)
            _replace(target, self.keyring.seal(data, aad=digest.encode()) if self.keyring else data)
        except OSError as exc:
            raise StorageUnavailable(f"blob store write failed: {exc.strerror}") from exc
        return digest

    def get(self, digest: str) -> bytes:
        try:
            stored = self.path(digest).read_bytes()
        except FileNotFoundError as exc:
            if not self.root.is_dir():
                raise StorageUnavailable("the blob store's folder is not there (volume unmounted?)") from exc
            raise BlobNotFound(digest) from exc
        if stored.startswith(MAGIC) and self.keyring is not None:
            try:
                return self.keyring.open(stored, aad=digest.encode())
            except SealError as exc:
                raise BlobAltered(str(exc)) from exc
        return stored  # written before blobs were sealed: `docintake keys rewrap` seals it

    def rewrap(self) -> tuple[int, int]:
        """Seal every blob under the current master key: re-wrap the data keys of sealed ones (the content is not
        re-encrypted), seal plaintext ones from before. Returns (re-wrapped, sealed). Safe while the service runs:
        each file is replaced whole, and every version opens with the keys configured."""
        assert self.keyring is not None
        rewrapped = sealed = 0
        for path in sorted(self.root.glob("??/*")):
            if path.name.startswith(".tmp-"):
                continue
            new, was_plain = resealed(self.keyring, path.read_bytes(), path.parent.name + path.name)
            rewrapped += new is not None and not was_plain
            sealed += was_plain
            if new is not None:
                _replace(path, new)
        return rewrapped, sealed

    def exists(self, digest: str) -> bool:
        try:
            return self.path(digest).is_file()
        except BlobNotFound:
            return False

    def delete(self, digest: str) -> None:
        self.path(digest).unlink(missing_ok=True)


def resealed(keys: Keyring, stored: bytes, digest: str) -> tuple[bytes | None, bool]:
    """A stored blob under the current master key: a sealed one's data key re-wrapped (None: already current),
    a plaintext one from before encryption sealed; and whether it was plaintext."""
    if stored.startswith(MAGIC):
        return keys.rewrap(stored, aad=digest.encode()), False
    return keys.seal(stored, aad=digest.encode()), True


def _replace(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def store_of(settings: Settings) -> Blobs:
    """The service's blob store, sealed with the configured master keys: the S3 bucket ``DOCINTAKE_BLOB_URL``
    names (``s3://BUCKET/PREFIX``), else the data folder's ``blobs/``."""
    keys = _keyring(settings.master_key, settings.master_key_path)
    if settings.blob_url:
        from intake.storage.s3blobs import S3BlobStore

        return S3BlobStore(settings.blob_url, keys)
    return BlobStore(settings.blob_dir, keys)


@cache
def _keyring(master_key: str | None, key_file: Path) -> Keyring:
    return keyring(master_key, key_file)
