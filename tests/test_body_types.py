"""Request bodies take JSON's own types: a boolean is `true` or `false`, an instant or a date
is ISO 8601 text. Pydantic's lax mode would read 0 as false, "yes" as true and 0 as
1970-01-01T00:00:00Z (a token that expired at once, a webhook switched off by a number).

Every such field of every JSON request body comes from the app's own OpenAPI document, so a
field added later is covered without anyone editing this file.
"""

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from backend.config import Settings
from backend.main import create_app
from backend.users.models import User
from tests.conftest import Api, new_user

# JSON values each kind of field must refuse: numbers, and for booleans strings too.
WRONG = {
    "boolean": [0, 1, "true", "false"],
    "date-time": [0, 1_700_000_000, "1700000000"],
    "date": [0, 20_261_201],
}


def _kind(schema: dict[str, Any]) -> str | None:
    if schema.get("type") == "boolean":
        return "boolean"
    if schema.get("type") == "string" and schema.get("format") in ("date-time", "date"):
        return str(schema["format"])
    return None


def typed_fields(
    spec: dict[str, Any], schema: dict[str, Any], path: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """(path to the field, its kind) for every boolean, date-time and date in a schema; a
    list's items at index 0."""
    seen = set()
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return
        seen.add(name)
        schema = spec["components"]["schemas"][name]
    kind = _kind(schema)
    if kind is not None:
        yield path, kind
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key, []):
            yield from typed_fields(spec, option, path)
    if "items" in schema:
        yield from typed_fields(spec, schema["items"], (*path, 0))
    for name, prop in schema.get("properties", {}).items():
        yield from typed_fields(spec, prop, (*path, name))


def body_with(path: tuple[str | int, ...], value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    return [body_with(rest, value)] if isinstance(head, int) else {head: body_with(rest, value)}


def cases(spec: dict[str, Any]) -> Iterator[tuple[str, str, tuple[str | int, ...], str]]:
    for template, item in spec["paths"].items():
        for method, op in item.items():
            content = op.get("requestBody", {}).get("content", {})
            if "application/json" not in content:
                continue
            fields = dict(typed_fields(spec, content["application/json"]["schema"]))
            for path, kind in fields.items():
                yield method.upper(), template, path, kind


@pytest.fixture
def admin_api(settings: Settings, engine: Engine) -> Iterator[Api]:
    """An administrator (admin-only bodies too), on an app without rate limits (the restore
    alone is asked a hundred times)."""
    user = new_user(engine)
    with Session(engine) as session:
        users = User.__table__  # type: ignore[attr-defined]
        session.execute(update(users).where(users.c.id == user.id).values(is_admin=True))
        session.commit()
    unlimited = create_app(settings.model_copy(update={"rate_limits_enabled": False}), engine)
    with TestClient(unlimited) as client:
        yield Api(client, user)


def test_every_boolean_and_instant_in_a_body_takes_its_json_type_only(
    app: FastAPI, admin_api: Api
) -> None:
    spec = app.openapi()
    found = list(cases(spec))
    # The ones the finding named, so an empty walk cannot pass.
    named = {(m, t, ".".join(map(str, p))) for m, t, p, _ in found}
    assert ("POST", "/api/v1/tokens", "expires_at") in named
    assert ("PATCH", "/api/v1/webhooks/{webhook_id}", "active") in named
    assert len(found) > 40
    accepted = []
    for method, template, path, kind in found:
        url = re.sub(r"\{[^}]+\}", lambda _: str(uuid.uuid4()), template)
        field = ".".join(map(str, path))
        for value in WRONG[kind]:
            response = admin_api.request(method, url, json=body_with(path, value))
            issues = response.json().get("errors") or [] if response.status_code == 422 else []
            if not any(i["field"] == field and i["location"] == "body" for i in issues):
                accepted.append(f"{method} {template} {field}={value!r}: {response.status_code}")
    assert accepted == [], "\n".join(accepted)


def test_a_token_cannot_be_made_to_expire_in_1970(api: Api) -> None:
    response = api.post("/api/v1/tokens", json={"name": "scripts", "expires_at": 0})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["expires_at"]
    assert [t["name"] for t in api.get("/api/v1/tokens").json()] == ["tests"]


def test_a_webhook_is_not_switched_off_by_a_number(api: Api) -> None:
    hook = api.post(
        "/api/v1/webhooks",
        json={"url": "https://hooks.example.com/x", "event_types": ["contact.created"]},
    ).json()
    response = api.patch(f"/api/v1/webhooks/{hook['id']}", json={"active": 0})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["active"]
    assert api.get(f"/api/v1/webhooks/{hook['id']}").json()["active"] is True
