"""Property-based API testing from the OpenAPI schema: every operation, schemathesis' checks.

The app runs in-process (ASGI) on both databases, as a user of its own (bearer token). The
schema is loaded once from the app's own document; requests go to the current database's app
through a small ASGI relay (schemathesis' fixture-based lazy loader does not run on this pytest).
"""

from datetime import UTC, datetime
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from sqlalchemy import Engine
from starlette.types import ASGIApp, Receive, Scope, Send

from backend.main import create_app
from tests.conftest import new_user

# Slow (every operation against its schema, many generated cases): not in `make test-fast`.
pytestmark = pytest.mark.slow


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


# Schema-valid random bytes are not a CSV or a vCard; positive cases upload a small real one.
SAMPLE_UPLOADS = {
    "/api/v1/imports/linkedin": b"First Name,Last Name,URL\r\nAda,Lovelace,\r\n",
    "/api/v1/imports/contacts-csv": b"full_name,email\r\nAda Lovelace,\r\n",
    "/api/v1/imports/vcard": b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Lovelace\r\n"
    b"N:Lovelace;Ada;;;\r\nEND:VCARD\r\n",
}


def distinct_starts(slots: list[Any]) -> list[Any]:
    seen: set[datetime] = set()
    kept = []
    for slot in slots:
        try:
            start = datetime.fromisoformat(slot["starts_at"])
            fresh = start not in seen  # hashing an aware instant near year 1 may overflow
        except (TypeError, KeyError, ValueError, OverflowError):
            kept.append(slot)
            continue
        if fresh:
            seen.add(start)
            kept.append(slot)
    return kept


def _leaves_calendar(value: str) -> bool:
    if len(value) < 20 or value[4:5] != "-" or value[10:11] != "T":
        return False
    try:
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is not None:
            parsed.astimezone(UTC)
    except ValueError:
        return False
    except OverflowError:
        return True
    return False


def storable_instants(value: Any) -> None:
    """In place: schemathesis tells a case's kind by its own objects, so they are kept."""
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, item in list(items):
        if isinstance(item, dict | list):
            storable_instants(item)
        elif isinstance(item, str) and _leaves_calendar(item):
            value[key] = "2026-01-01T00:00:00Z"


@schema.hook("map_case")
def without_server_issued_tokens(_context: Any, case: Any) -> Any:
    # A cursor or an ETag means something only when the server issued it; made-up ones are
    # rightly refused (422, 412). Positive cases leave them out; test_contacts.py and
    # test_pagination.py cover real ones, and negative cases still send garbage.
    if case.meta is not None and case.meta.generation.mode.is_positive:
        if case.query:
            case.query.pop("cursor", None)
            # An IANA zone name: the list of real ones is the system's, not the schema's.
            case.query.pop("tz", None)
        if case.headers:
            case.headers.pop("If-Match", None)
        # Password quality (not a common one, not the email…) is beyond JSON Schema; a random
        # schema-valid string may be refused with 422. Positive cases use a strong one, and
        # test_accounts.py covers the policy.
        if isinstance(case.body, dict):
            for field in ("password", "new_password"):
                if field in case.body:
                    case.body[field] = "a strong-enough passphrase 7"
            # Webhook targets on internal addresses are refused, which a schema cannot say.
            if case.operation.path.startswith("/api/v1/webhooks") and "url" in case.body:
                case.body["url"] = "https://hooks.example.test/nexthop"
            # Two proposed slots at the same instant are refused, which a schema cannot say.
            slots = case.body.get("proposed_slots")
            if isinstance(slots, list):
                slots[:] = distinct_starts(slots)
            # An instant near year 1 or 9999 whose UTC form leaves the calendar is refused.
            storable_instants(case.body)
            sample = SAMPLE_UPLOADS.get(case.operation.path)
            if sample is not None and "file" in case.body:
                case.body["file"] = sample
    return case


@schema.auth(refresh_interval=None)
class BearerToken:
    """The current test user's token, set on every generated case, so schemathesis knows the
    credentials and can also check that requests without them are refused."""

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
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_operation_meets_its_schema(case: Any) -> None:
    case.call_and_validate()
