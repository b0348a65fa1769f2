"""The review page itself: served to reviewers, never cached, framed or sniffed."""

from __future__ import annotations

from intake.settings import Settings
from tests.conftest import signed_in


def test_review_answers_are_never_cached_framed_or_sniffed(settings: Settings) -> None:
    reviewer = signed_in(settings)
    for path in ("/review", "/review/login", "/review/api/queue", "/review/api/me"):
        r = reviewer.get(path)
        assert r.status_code == 200, path
        assert r.headers["cache-control"] == "no-store, private", path
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
        assert r.headers["x-content-type-options"] == "nosniff"
    assert reviewer.get("/review/static/../../main.py").status_code == 404
