"""A content-addressed blob store: files named by their sha256 under a directory.

Writes go to a temporary file, are fsynced and renamed into place, so a blob is
either whole or absent; writing the same content twice is a no-op.

>>> import tempfile
>>> store = BlobStore(tempfile.mkdtemp())
>>> digest = store.put(b"hello")
>>> digest[:12], store.get(digest)
('2cf24dba5fb0', b'hello')
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from extractors.errors import StorageUnavailable


class BlobNotFound(KeyError):
    pass


class BlobStore:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def path(self, digest: str) -> Path:
        if len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
            raise BlobNotFound(digest)
        return self.root / digest[:2] / digest[2:]

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if target.exists():
            return digest
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise StorageUnavailable(f"blob store write failed: {exc.strerror}") from exc
        return digest

    def get(self, digest: str) -> bytes:
        try:
            return self.path(digest).read_bytes()
        except FileNotFoundError as exc:
            raise BlobNotFound(digest) from exc

    def exists(self, digest: str) -> bool:
        try:
            return self.path(digest).is_file()
        except BlobNotFound:
            return False
