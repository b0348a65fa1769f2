"""Review sign-in: throttled and locked after repeated failures (audited), Origin from settings, Secure cookie
from settings (security review, finding 8)."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from api.main import create_app
from intake.review import auth
from intake.settings import Settings
from intake.storage.db import AuditEntry, session_scope
from tests.conftest import PASSWORD


def _desk(settings: Settings, *names: str) -> TestClient:
    with session_scope(settings.database_url) as s:
        for name in names:
            auth.add_reviewer(s, name, PASSWORD, auth.Role.REVIEWER, display_name=name)
    return TestClient(create_app(settings, run_migrations=False))


def _sign_in(client: TestClient, name: str, password: str, **headers: str):  # type: ignore[no-untyped-def]
    return client.post("/review/api/session", json={"username": name, "password": password}, headers=headers)


def _actions(settings: Settings, actor: str) -> list[str]:
    with session_scope(settings.database_url) as s:
        return list(s.scalars(select(AuditEntry.action).where(AuditEntry.actor == actor).order_by(AuditEntry.id)))


def test_five_wrong_passwords_lock_the_name_even_against_the_right_one(settings: Settings) -> None:
    client = _desk(settings, "li.na")
    for _ in range(auth.LOCK_AFTER):
        assert _sign_in(client, "li.na", "wrong password!").status_code == 401
    locked = _sign_in(client, "li.na", PASSWORD)
    assert locked.status_code == 429 and locked.json()["error"]["code"] == "sign_in_locked"
    assert 1 <= int(locked.headers["Retry-After"]) <= auth.LOCK_WINDOW.total_seconds() + 1
    assert "review_session" not in locked.cookies
    assert _actions(settings, "li.na") == ["sign_in_failed"] * auth.LOCK_AFTER + ["sign_in_locked"]

    with session_scope(settings.database_url) as s:  # a quarter of an hour later
        s.execute(update(AuditEntry).values(at=AuditEntry.at - auth.LOCK_WINDOW - dt.timedelta(seconds=1)))
    assert _sign_in(client, "li.na", PASSWORD).status_code == 200


def test_a_success_clears_the_count(settings: Settings) -> None:
    client = _desk(settings, "li.na")
    for _ in range(auth.LOCK_AFTER - 1):
        _sign_in(client, "li.na", "wrong password!")
    assert _sign_in(client, "li.na", PASSWORD).status_code == 200
    assert _sign_in(client, "li.na", "wrong password!").status_code == 401
    assert _sign_in(client, "li.na", PASSWORD).status_code == 200


def test_one_address_guessing_across_names_is_throttled(settings: Settings) -> None:
    client = _desk(settings, "li.na")
    codes = [_sign_in(client, f"guess-{i}", "wrong password!").status_code for i in range(25)]
    assert codes[:20] == [401] * 20 and set(codes[20:]) == {429}
    assert _sign_in(client, "li.na", PASSWORD).status_code == 429, "that address waits, whatever the name"
    assert "guess-3" not in {e for e in _actions(settings, "(unknown)")}, "an unknown name is never kept"


def test_the_origin_is_the_configured_one_not_the_host_header(settings: Settings) -> None:
    """A DNS-rebinding page sends a Host and an Origin that agree with each other; neither is ours."""
    client = _desk(settings, "li.na")
    rebound = _sign_in(client, "li.na", PASSWORD, Origin="http://evil.example:8000", Host="evil.example:8000")
    assert rebound.status_code == 403 and rebound.json()["error"]["code"] == "csrf_failed"
    assert _sign_in(client, "li.na", PASSWORD, Origin=settings.public_origin).status_code == 200


def test_the_cookie_is_secure_when_the_public_origin_is_https(settings: Settings) -> None:
    plain = _sign_in(_desk(settings, "li.na"), "li.na", PASSWORD)
    assert "secure" not in plain.headers["set-cookie"].lower()
    https = settings.model_copy(update={"public_origin": "https://review.lender.example"})
    secure = _sign_in(_desk(https), "li.na", PASSWORD)
    assert "; secure" in secure.headers["set-cookie"].lower()
