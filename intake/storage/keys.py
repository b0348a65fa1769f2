"""Master keys for encryption at rest, and envelope encryption of one blob.

Every blob gets its own random 256-bit data key; the blob is sealed with
AES-GCM under that key, and the data key is sealed (wrapped) under the current
master key. Both seals take the blob's sha256 — its name in the store — as
associated data, so a sealed file moved under another name does not open. On
disk::

    b"DIB1" | key id length (1 byte) | key id | wrapped data key (12-byte nonce + 48) | nonce (12) | ciphertext

Master keys come from ``DOCINTAKE_MASTER_KEY`` (``ID:BASE64`` or just
``BASE64``, 32 bytes), else from the key file ``DOCINTAKE_MASTER_KEY_FILE``
(default ``<data dir>/master.keys``, made with one new key and mode 0600 on a
fresh machine, like the embedded Redis and SQLite: production sets the
variable from its secret store). The file holds ``ID:BASE64`` lines; the last
is current. Rotation without downtime: append a new key (processes read the
file again on meeting an id they do not know, and seal new blobs with the
current one once restarted), run ``docintake keys rewrap`` to re-wrap every
blob's data key under it (the blobs themselves are not re-encrypted), then drop
the old line.

>>> ring = Keyring({"k1": bytes(32)}, current="k1")
>>> sealed = ring.seal(b"%PDF-1.7 ...", aad=b"name")
>>> sealed[:4], b"%PDF" in sealed, ring.open(sealed, aad=b"name")
(b'DIB1', False, b'%PDF-1.7 ...')
"""

from __future__ import annotations

import base64
import contextlib
import os
import re
import tempfile
import threading
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"DIB1"
_KEY_ID = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")


class SealError(RuntimeError):
    """A sealed blob that cannot be opened: its master key is unknown, or it was altered."""


class Keyring:
    def __init__(self, keys: dict[str, bytes], current: str, source: Path | None = None) -> None:
        for key_id, key in keys.items():
            if not _KEY_ID.match(key_id) or len(key) != 32:
                raise ValueError(f"master key {key_id!r}: an id of letters, digits, '_', '.', '-' and 32 bytes")
        if current not in keys:
            raise ValueError(f"no master key {current!r}")
        self.keys, self.current, self.source = dict(keys), current, source
        self._lock = threading.Lock()

    @classmethod
    def from_file(cls, path: Path) -> Keyring:
        keys: dict[str, bytes] = {}
        for line in path.read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                key_id, _, b64 = line.strip().partition(":")
                keys[key_id] = base64.b64decode(b64)
        if not keys:
            raise ValueError(f"{path}: no master key")
        return cls(keys, current=list(keys)[-1], source=path)

    @classmethod
    def from_setting(cls, value: str) -> Keyring:
        key_id, _, b64 = value.rpartition(":")
        return cls({key_id or "env": base64.b64decode(b64)}, current=key_id or "env")

    def seal(self, data: bytes, aad: bytes) -> bytes:
        key_id = self.current.encode()
        data_key = AESGCM.generate_key(bit_length=256)
        return MAGIC + bytes([len(key_id)]) + key_id + self._wrap(data_key, aad) + _seal(data_key, data, aad)

    def open(self, blob: bytes, aad: bytes) -> bytes:
        _, data_key, body = self._unwrap(blob, aad)
        try:
            return AESGCM(data_key).decrypt(body[:12], body[12:], aad)
        except InvalidTag:
            raise SealError("a stored blob was altered: it does not decrypt") from None

    def rewrap(self, blob: bytes, aad: bytes) -> bytes | None:
        """The blob with its data key wrapped under the current master key (None: it already is)."""
        key_id, data_key, body = self._unwrap(blob, aad)
        if key_id == self.current:
            return None
        cid = self.current.encode()
        return MAGIC + bytes([len(cid)]) + cid + self._wrap(data_key, aad) + body

    def _wrap(self, data_key: bytes, aad: bytes) -> bytes:
        return _seal(self.keys[self.current], data_key, aad)

    def _unwrap(self, blob: bytes, aad: bytes) -> tuple[str, bytes, bytes]:
        if not blob.startswith(MAGIC) or len(blob) < 5:
            raise SealError("not a sealed blob")
        n = blob[4]
        key_id, rest = blob[5 : 5 + n].decode("ascii", "replace"), blob[5 + n :]
        key = self._key(key_id)
        try:
            data_key = AESGCM(key).decrypt(rest[:12], rest[12:60], aad)
        except InvalidTag:
            raise SealError("a stored blob's data key does not unwrap: altered, or another key") from None
        return key_id, data_key, rest[60:]

    def _key(self, key_id: str) -> bytes:
        with self._lock:
            if key_id not in self.keys and self.source is not None and self.source.exists():
                self.keys.update(Keyring.from_file(self.source).keys)  # a key added while we run
            if key_id not in self.keys:
                raise SealError(f"master key {key_id!r} is not configured")
            return self.keys[key_id]


def _seal(key: bytes, data: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(12)
    return nonce + AESGCM(key).encrypt(nonce, data, aad)


def new_key_line(key_id: str) -> str:
    return f"{key_id}:{base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()}"


def keyring(master_key: str | None, key_file: Path) -> Keyring:
    """The configured keys: the variable's, else the key file's (made on first use, mode 0600)."""
    if master_key:
        return Keyring.from_setting(master_key)
    if not key_file.exists():
        # written whole, then linked into place: a process or thread that starts at the same moment (the API
        # and its workers on a fresh machine) finds either no file or the whole one, and every one gets the same
        key_file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=key_file.parent, prefix=".keys-")
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write("# DocIntake master keys, ID:BASE64, the last is current. Keep a copy apart from the data.\n")
                f.write(new_key_line("k1") + "\n")
                f.flush()
                os.fsync(f.fileno())
            with contextlib.suppress(FileExistsError):
                os.link(tmp, key_file)
        finally:
            os.unlink(tmp)
    return Keyring.from_file(key_file)
