"""Property-based fuzzing of every route in the OpenAPI schema — ``/v1`` and ``/review/api`` alike — with
schemathesis (security review: "keep it that way"). Whatever it sends, signed in with every role or not at all,
the answer is never a 5xx, and every error has the one error shape. Examples are bounded so the run stays short.
"""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.routing import APIRoute
from hypothesis import HealthCheck, given, settings

from api.main import create_app
from api.review import routes as review_routes
from intake.settings import Settings
from tests.conftest import api, signed_in

pytestmark = pytest.mark.integration


@pytest.fixture
def credentials(settings: Settings) -> dict[str, str]:
    """A token of both roles for /v1; a supervisor's session cookie and CSRF token for /review/api."""
    token = api(settings).headers["Authorization"]
    desk = signed_in(settings, "fuzz.supervisor", role="supervisor")
    cookie = "; ".join(f"{k}={v}" for k, v in desk.cookies.items())
    return {"Authorization": token, "Cookie": cookie, "X-CSRF-Token": desk.headers["X-CSRF-Token"],
            "Origin": settings.public_origin}


def _check(response: Any) -> None:
    assert response.status_code < 500, f"{response.status_code}: {response.text[:500]}"
    content_type = " ".join(response.headers.get("content-type", []))  # schemathesis keeps every value of a header
    if response.status_code >= 400 and content_type.startswith("application/json"):
        error = json.loads(response.content)["error"]
        assert {"code", "message", "message_zh", "retryable"} <= set(error), error


SLOW_OK = [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large]


@contextlib.contextmanager
def _review_api_in_the_schema() -> Iterator[None]:
    """The review page's JSON API is left out of the published schema (it serves the page, not integrators); the
    fuzzer gets it too, for the length of one test."""
    routes = [r for r in review_routes.router.routes if isinstance(r, APIRoute)]
    try:
        for r in routes:
            r.include_in_schema = True
        yield
    finally:
        for r in routes:
            r.include_in_schema = False


def _fuzz(app: FastAPI, headers: dict[str, str] | None, examples: int) -> tuple[int, Counter[int]]:
    """Every operation of ``app``'s schema, up to ``examples`` cases each; returns how many operations were fuzzed
    and the statuses they answered."""
    statuses: Counter[int] = Counter()
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=examples, deadline=None, derandomize=True, suppress_health_check=SLOW_OK,
                  database=None)
        def one(case: Any) -> None:
            response = case.call(headers=headers)
            statuses[response.status_code] += 1
            _check(response)

        one()
    return len(operations), statuses


def test_no_route_answers_5xx_signed_in(settings: Settings, credentials: dict[str, str]) -> None:
    with _review_api_in_the_schema():
        operations, statuses = _fuzz(create_app(settings, run_migrations=False), credentials, examples=12)
    assert operations >= 25, "every route of /v1 and /review/api is in the schema"
    assert sum(statuses.values()) >= 5 * operations, statuses
    assert any(200 <= code < 300 for code in statuses), f"the credentials open the routes: {statuses}"


def test_no_route_answers_5xx_to_a_stranger(settings: Settings) -> None:
    with _review_api_in_the_schema():
        _, statuses = _fuzz(create_app(settings, run_migrations=False), None, examples=4)
    assert set(statuses) <= {401, 403, 404, 405, 413, 415, 422, 200}, statuses
