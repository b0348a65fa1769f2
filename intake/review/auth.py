"""Who may use DocIntake: reviewers who sign in to the review page, and the machine clients of the API.

Two kinds of credential that never open each other's doors:

- **Reviewers** (``reviewers``): a username, a password (scrypt, from the
  standard library's OpenSSL binding, with a random salt) and a role —
  ``reviewer``, or ``supervisor``, who may also reject and reveal personal data
  in bulk. Signing in makes a session: a random token in an HttpOnly cookie
  scoped to ``/review``, stored here only as its sha256, with its own CSRF
  token; sessions end after ``review_session_hours`` or on sign-out.
- **API clients** (``api_clients``): the app back end (role ``app``: upload,
  status) and the approval service (role ``scorer``: records, feed, webhook
  deliveries), each with a bearer token shown once when it is made and stored
  as its sha256. The review page does not accept them.

>>> h = hash_password("correct horse")
>>> h.startswith("scrypt$"), check_password("correct horse", h), check_password("wrong", h)
(True, True, False)
"""

from __future__ import annotations

import base64
import datetime as dt
import enum
import hashlib
import hmac
import secrets

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from intake.storage.db import ApiClient, AuditEntry, Reviewer, ReviewSession, utcnow


class Role(str, enum.Enum):
    REVIEWER = "reviewer"
    SUPERVISOR = "supervisor"


class ClientRole(str, enum.Enum):
    APP = "app"
    SCORER = "scorer"


SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return "$".join(["scrypt", str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P),
                     base64.b64encode(salt).decode(), base64.b64encode(digest).decode()])


def check_password(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        got = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                             dklen=32)
    except ValueError:
        return False
    return hmac.compare_digest(got, base64.b64decode(digest))


_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))
"""Checked against when the username is unknown, so a wrong name takes as long as a wrong password."""


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_reviewer(s: Session, username: str, password: str, role: Role, display_name: str | None = None) -> Reviewer:
    """Create or update a reviewer (a new password or role for an existing name ends their sessions)."""
    if len(password) < 10:
        raise ValueError("a password has at least 10 characters")
    user = s.get(Reviewer, username)
    if user is None:
        user = Reviewer(username=username, display_name=display_name or username, role=role.value,
                        password_hash=hash_password(password), disabled=False)
        s.add(user)
    else:
        user.role, user.password_hash, user.disabled = role.value, hash_password(password), False
        user.display_name = display_name or user.display_name
        s.execute(delete(ReviewSession).where(ReviewSession.username == username))
    s.flush()
    return user


def authenticate(s: Session, username: str, password: str) -> Reviewer | None:
    user = s.get(Reviewer, username)
    ok = check_password(password, user.password_hash if user else _DUMMY_HASH)
    if user is None or user.disabled or not ok:
        return None
    return user


LOCK_AFTER = 5
"""Failed sign-ins under one name within :data:`LOCK_WINDOW` (since its last success) that lock it …"""
LOCK_WINDOW = dt.timedelta(minutes=15)
"""… until the oldest of them is this old: at most five guesses a quarter of an hour, the right password too."""


def locked_for(s: Session, username: str, now: dt.datetime | None = None) -> float:
    """Seconds until ``username`` may try to sign in again (0: now). Counted from the audit log, so every API
    process sees the same lock and a restart does not lift it."""
    now = now or utcnow()
    since = now - LOCK_WINDOW
    last_ok = s.scalar(select(func.max(AuditEntry.at)).where(AuditEntry.actor == username,
                                                              AuditEntry.action == "signed_in"))
    if last_ok is not None:
        since = max(since, _aware(last_ok))
    fails = s.scalars(select(AuditEntry.at).where(AuditEntry.actor == username,
                                                  AuditEntry.action == "sign_in_failed", AuditEntry.at > since)
                      .order_by(AuditEntry.at.desc()).limit(LOCK_AFTER)).all()
    if len(fails) < LOCK_AFTER:
        return 0.0
    return max(1.0, (_aware(fails[-1]) + LOCK_WINDOW - now).total_seconds())


def start_session(s: Session, user: Reviewer, hours: float) -> tuple[str, ReviewSession]:
    """A new session for ``user``; returns the cookie's token (never stored) and the row."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    row = ReviewSession(token_sha256=token_digest(token), username=user.username,
                        csrf_token=secrets.token_urlsafe(32), created_at=now,
                        expires_at=now + dt.timedelta(hours=hours))
    s.add(row)
    s.execute(delete(ReviewSession).where(ReviewSession.expires_at < now))
    return token, row


def session_of(s: Session, token: str | None) -> tuple[ReviewSession, Reviewer] | None:
    """The live session the cookie's token opens, and its reviewer; None when there is none."""
    if not token:
        return None
    row = s.get(ReviewSession, token_digest(token))
    if row is None or _aware(row.expires_at) <= utcnow():
        return None
    user = s.get(Reviewer, row.username)
    if user is None or user.disabled:
        return None
    return row, user


def end_session(s: Session, token: str) -> None:
    s.execute(delete(ReviewSession).where(ReviewSession.token_sha256 == token_digest(token)))


def add_client(s: Session, name: str, roles: list[ClientRole]) -> str:
    """Create (or re-key) an API client; returns its bearer token, which is shown once and stored only hashed."""
    token = f"di_{secrets.token_urlsafe(32)}"
    client = s.get(ApiClient, name)
    joined = ",".join(sorted(r.value for r in roles))
    if client is None:
        s.add(ApiClient(name=name, roles=joined, token_sha256=token_digest(token), disabled=False))
    else:
        client.roles, client.token_sha256, client.disabled = joined, token_digest(token), False
    s.flush()
    return token


def client_of(s: Session, token: str) -> ApiClient | None:
    client = s.query(ApiClient).filter_by(token_sha256=token_digest(token)).first()
    return None if client is None or client.disabled else client


def audit(s: Session, actor: str, action: str, document_id: str | None = None,
          detail: dict[str, object] | None = None) -> None:
    """Record an action that leaves no record version. ``detail`` names fields, never their values."""
    s.add(AuditEntry(actor=actor, action=action, document_id=document_id, detail=detail))


def _aware(t: dt.datetime) -> dt.datetime:
    return t if t.tzinfo else t.replace(tzinfo=dt.UTC)


__all__ = ["ClientRole", "Reviewer", "Role", "add_client", "add_reviewer", "audit", "authenticate", "check_password",
           "client_of", "end_session", "hash_password", "locked_for", "session_of", "start_session"]
