"""The blob store on S3: ``DOCINTAKE_BLOB_URL=s3://BUCKET/PREFIX`` (MinIO, Ceph RGW or AWS).

The same contract as the folder (:class:`intake.storage.blobs.BlobStore`), so that API hosts and worker hosts share
uploads and page images with no shared disk:

- content-addressed keys, ``PREFIX/ab/cdef…`` (the sha256 of the plain content), so a second write of the same
  file is skipped and a key names what it holds;
- sealed as in the folder (AES-GCM under a data key of its own, wrapped by the master key) before it leaves the
  process: the bucket holds no readable portrait or statement;
- the sha256 checked on every read: an object that does not open, or opens to other content, is
  :class:`~intake.storage.blobs.BlobAltered`;
- retried with backoff by botocore's ``standard`` retry mode (5 attempts, short timeouts), then
  ``storage_unavailable`` — a retryable 503 at the API, a retry for the worker; a missing object is
  :class:`~intake.storage.blobs.BlobNotFound` only when the bucket itself answers.

Endpoint, region and credentials come from the standard variables (``AWS_ENDPOINT_URL``, ``AWS_DEFAULT_REGION``,
``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``), read by boto3 itself. One client per process and URL
(clients are thread-safe); boto3 is imported only when an S3 store is configured.
"""

from __future__ import annotations

import hashlib
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from extractors.errors import StorageUnavailable
from intake.storage.blobs import BlobAltered, BlobNotFound, resealed
from intake.storage.keys import MAGIC, Keyring, SealError

MISSING = {"NoSuchKey", "404", "NotFound"}


@cache
def _client() -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client("s3", config=Config(retries={"max_attempts": 5, "mode": "standard"}, connect_timeout=3,
                                            read_timeout=20, tcp_keepalive=True))


def _code(exc: Exception) -> str:
    return str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))


class S3BlobStore:
    def __init__(self, url: str, keyring: Keyring | None = None) -> None:
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.netloc:
            raise ValueError(f"DOCINTAKE_BLOB_URL must be s3://BUCKET/PREFIX, not {url!r}")
        self.bucket, self.prefix = parts.netloc, parts.path.strip("/")
        self.keyring = keyring

    def key(self, digest: str) -> str:
        if len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
            raise BlobNotFound(digest)
        return "/".join(p for p in (self.prefix, digest[:2], digest[2:]) if p)

    def _call(self, what: str, **kwargs: Any) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return getattr(_client(), what)(Bucket=self.bucket, **kwargs)
        except ClientError as exc:
            if _code(exc) in MISSING and "Key" in kwargs:
                raise BlobNotFound(kwargs["Key"]) from None
            raise StorageUnavailable(f"S3 {what} failed: {_code(exc) or type(exc).__name__}") from None
        except BotoCoreError as exc:  # connection refused, timeouts, after botocore's retries
            raise StorageUnavailable(f"S3 {what} failed: {type(exc).__name__}") from None

    def put(self, data: bytes, *, digest: str | None = None) -> str:
        digest = digest or hashlib.sha256(data).hexdigest()
        if self.exists(digest):
            return digest
        body = self.keyring.seal(data, aad=digest.encode()) if self.keyring else data
        self._call("put_object", Key=self.key(digest), Body=body)
        return digest

    def get(self, digest: str) -> bytes:
        stored = self._call("get_object", Key=self.key(digest))["Body"].read()
        data = stored
        if stored.startswith(MAGIC) and self.keyring is not None:
            try:
                data = self.keyring.open(stored, aad=digest.encode())
            except SealError as exc:
                raise BlobAltered(str(exc)) from exc
        if hashlib.sha256(data).hexdigest() != digest:
            raise BlobAltered(f"the object under {digest[:12]}… holds other content")
        return data

    def exists(self, digest: str) -> bool:
        try:
            self._call("head_object", Key=self.key(digest))
        except BlobNotFound:
            return False
        return True

    def delete(self, digest: str) -> None:
        self._call("delete_object", Key=self.key(digest))

    def rewrap(self) -> tuple[int, int]:
        """As :meth:`intake.storage.blobs.BlobStore.rewrap`, object by object."""
        assert self.keyring is not None
        rewrapped = sealed = 0
        pages = _client().get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=f"{self.prefix}/" if self.prefix else "")
        for page in pages:
            for item in page.get("Contents", []):
                key: str = item["Key"]
                stored = self._call("get_object", Key=key)["Body"].read()
                new, was_plain = resealed(self.keyring, stored, "".join(key.rsplit("/", 2)[-2:]))
                rewrapped += new is not None and not was_plain
                sealed += was_plain
                if new is not None:
                    self._call("put_object", Key=key, Body=new)
        return rewrapped, sealed


__all__ = ["S3BlobStore"]
