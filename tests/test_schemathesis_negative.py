"""Hostile input, from the OpenAPI schema: no request may make the server fail.

Schemathesis in `mode all` (valid and invalid data) with NUL bytes allowed, and on top of
what it generates, every number in a body or query may become a huge one (beyond 64 bits,
beyond a double) and every string may gain a NUL byte. Checked: no 5xx, and a response that
is documented matches its schema. Runs in-process on both databases, like
tests/test_schemathesis.py (whose setup this copies).
"""

from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance
from sqlalchemy import Engine
from starlette.types import ASGIApp, Receive, Scope, Send

from backend.main import create_app
from tests.conftest import new_user

# Slow (hundreds of generated bad inputs): `make test-fast` leaves it out.
pytestmark = pytest.mark.slow

HUGE_NUMBERS = (
    2**63,
    -(2**63) - 1,
    10**40,
    -(10**40),
    1.7976931348623157e308,
    -1.7976931348623157e308,
    5e-324,
    1e300,
)


class Relay:
    """An ASGI app that forwards to whichever app the running test points it at."""

    target: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.target is not None, "no app selected"
        await self.target(scope, receive, send)


relay = Relay()
schema = schemathesis.openapi.from_dict(create_app().openapi())
schema.app = relay
schema.config.generation.update(modes=list(GenerationMode), allow_x00=True)
current_user: dict[str, str] = {}


def poisoned(value: Any) -> st.SearchStrategy[Any]:
    """The value, or the same with numbers made huge and strings given a NUL byte."""
    if isinstance(value, bool) or value is None:
        return st.just(value)
    if isinstance(value, int | float):
        return st.one_of(st.just(value), st.sampled_from(HUGE_NUMBERS))
    if isinstance(value, str):
        return st.sampled_from([value, value + "\x00", "\x00" + value, "\x00"])
    if isinstance(value, dict):
        return st.fixed_dictionaries({key: poisoned(item) for key, item in value.items()})
    if isinstance(value, list):
        return st.tuples(*(poisoned(item) for item in value)).map(list)
    return st.just(value)


@schema.hook("flatmap_body")
def poison_body(_context: Any, body: Any) -> st.SearchStrategy[Any]:
    return poisoned(body)


@schema.hook("flatmap_query")
def poison_query(_context: Any, query: Any) -> st.SearchStrategy[Any]:
    return poisoned(query)


@schema.auth(refresh_interval=None)
class BearerToken:
    def get(self, _case: Any, _context: Any) -> str:
        return current_user.get("token", "not-yet-created")

    def set(self, case: Any, data: str, _context: Any) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@pytest.fixture
def served(app: FastAPI, test_client: Any, engine: Engine) -> None:
    relay.target = app
    current_user["token"] = new_user(engine).token


@pytest.mark.usefixtures("served")
@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_no_input_makes_the_server_fail(case: Any) -> None:
    case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])
