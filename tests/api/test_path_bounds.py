"""Integers in paths and bodies beyond what a column holds are 422 ``invalid_request``, never a database error
(security review, finding 7: 500s on 2⁶³ in ``pages/{n}``, ``deliveries/{id}/replay`` and the review page)."""

from __future__ import annotations

import pytest

from intake.settings import Settings
from tests.conftest import api, signed_in

HUGE = [2**31, 2**63, 2**64, 10**40]


@pytest.mark.parametrize("n", HUGE)
def test_huge_integers_in_v1_paths(settings: Settings, n: int) -> None:
    client = api(settings)
    for method, path in [("get", f"/v1/documents/abc/pages/{n}"), ("post", f"/v1/deliveries/{n}/replay"),
                         ("get", f"/v1/schemas/application-record/{n}")]:
        r = getattr(client, method)(path)
        assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request", (path, r.text)


@pytest.mark.parametrize("n", HUGE)
def test_huge_integers_on_the_review_page(settings: Settings, n: int) -> None:
    reviewer = signed_in(settings)
    r = reviewer.get(f"/review/api/documents/abc/pages/{n}")
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request", r.text
    r = reviewer.post("/review/api/documents/abc/approve", json={"expected_version": n})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request", r.text


@pytest.mark.parametrize("cursor", ["3000000000", "999999999999999999"])
def test_a_feed_cursor_beyond_any_is_422(settings: Settings, cursor: str) -> None:
    """Found by the fuzzer on PostgreSQL: ``after=3000000000`` against an integer column was a 500."""
    r = api(settings).get("/v1/records/feed", params={"after": cursor})
    assert r.status_code == 422 and r.json()["error"]["code"] == "cursor_out_of_range"
