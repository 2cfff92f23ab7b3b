"""Property-based API testing from the OpenAPI schema: every operation, schemathesis' checks.

The app runs in-process (ASGI) on both databases, as a user of its own. The schema is loaded
once from the app's own document; requests go to the current database's app through a small
ASGI relay (schemathesis' fixture-based lazy loader does not run on this pytest).
"""

from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from sqlalchemy import Engine
from starlette.types import ASGIApp, Receive, Scope, Send

from backend.main import create_app
from tests.conftest import TEST_USER_HEADER, new_user


class Relay:
    """An ASGI app that forwards to whichever app the running test points it at."""

    target: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.target is not None, "no app selected"
        await self.target(scope, receive, send)


relay = Relay()
schema = schemathesis.openapi.from_dict(create_app().openapi())
schema.app = relay
current_user: dict[str, str] = {}


@schema.hook("map_case")
def without_server_issued_tokens(_context: Any, case: Any) -> Any:
    # A cursor or an ETag means something only when the server issued it; made-up ones are
    # rightly refused (422, 412). Positive cases leave them out; test_contacts.py and
    # test_pagination.py cover real ones, and negative cases still send garbage.
    if case.meta is not None and case.meta.generation.mode.is_positive:
        if case.query:
            case.query.pop("cursor", None)
        if case.headers:
            case.headers.pop("If-Match", None)
    return case


@pytest.fixture
def served(app: FastAPI, test_client: Any, engine: Engine) -> None:
    relay.target = app
    current_user["id"] = str(new_user(engine))


@pytest.mark.usefixtures("served")
@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_operation_meets_its_schema(case: Any) -> None:
    case.call_and_validate(headers={TEST_USER_HEADER: current_user["id"]})
