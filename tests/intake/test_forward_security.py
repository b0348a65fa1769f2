"""The webhook's keys and the receiver's check (security review, finding 5)."""

from __future__ import annotations

import time

import pytest
from pydantic import ValidationError

from intake.feed import forward
from intake.settings import Settings

BODY = b'{"event_id":"d1:1"}'


@pytest.mark.parametrize("secret", [None, "", "short"])
def test_a_webhook_without_a_real_secret_refuses_to_start(monkeypatch: pytest.MonkeyPatch, tmp_path,
                                                          secret: str | None) -> None:
    monkeypatch.setenv("DOCINTAKE_WEBHOOK_URL", "http://127.0.0.1:9/hook")
    if secret is None:
        monkeypatch.delenv("DOCINTAKE_WEBHOOK_SECRET", raising=False)
    else:
        monkeypatch.setenv("DOCINTAKE_WEBHOOK_SECRET", secret)
    with pytest.raises(ValidationError, match="DOCINTAKE_WEBHOOK_SECRET"):
        Settings(data_dir=tmp_path)
    monkeypatch.setenv("DOCINTAKE_WEBHOOK_SECRET", "a-long-enough-secret")
    assert Settings(data_dir=tmp_path).webhook_secret == "a-long-enough-secret"


@pytest.mark.parametrize(("timestamp", "signature"), [
    ("²", "v1=" + "0" * 64), ("١٢٣", "v1=" + "0" * 64), ("9" * 5000, "v1=" + "0" * 64), ("-1", "v1=00"),
    ("", "v1=00"), (None, "v1=00"), ("NOW", None), ("1790000000", "v1=é" + "0" * 63), ("1790000000", "x" * 10_000),
    ("1790000000", "\x00"), ("1790000000", ""),
])
def test_verify_is_false_on_every_malformed_header(timestamp: str | None, signature: str | None) -> None:
    assert forward.verify("a-long-enough-secret", timestamp, signature, BODY, now=1_790_000_000) is False


def test_verify_is_false_with_an_empty_key() -> None:
    now = int(time.time())
    assert forward.verify("", str(now), forward.sign("", now, BODY), BODY) is False
    assert forward.verify("k" * 16, str(now), forward.sign("k" * 16, now, BODY), BODY) is True


def test_a_replayed_push_is_a_duplicate() -> None:
    guard, now = forward.ReplayGuard(), time.time()
    assert guard.first("d1:1", now=now) and not guard.first("d1:1", now=now + 60)
