"""Personal access tokens: shown once, stored hashed, scoped, revocable, expiring, made only
from a signed-in session (`Api.create_token`) or the command line, never by a token."""

import asyncio
import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, select, update

from backend.tokens.models import ApiToken
from tests import factories
from tests.conftest import Api

URL = "/api/v1/tokens"
PUBLIC_KEYS = {"id", "name", "prefix", "scope", "created_at", "expires_at", "last_used_at"}
tokens_table = ApiToken.__table__  # type: ignore[attr-defined]


class Bearer:
    """Requests made with one particular token secret."""

    def __init__(self, api: Api, secret: str) -> None:
        self.api, self.secret = api, secret

    def request(self, method: str, url: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.secret}", **kwargs.pop("headers", {})}
        return self.api.client.request(method, url, headers=headers, **kwargs)


def create(api: Api, **fields: Any) -> dict[str, Any]:
    response = api.create_token(**{"name": "Laptop script", **fields})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def listed(api: Api) -> list[dict[str, Any]]:
    response = api.get(URL)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()
    return items


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_create_shows_the_secret_once(api: Api) -> None:
    created = create(api)
    assert set(created) == PUBLIC_KEYS | {"secret"}
    assert created["name"] == "Laptop script"
    assert created["scope"] == "read_write"
    assert created["expires_at"] is None
    assert created["last_used_at"] is None
    assert created["secret"].startswith("nh_")
    assert len(created["secret"]) >= 40
    assert created["secret"].startswith(created["prefix"])
    assert len(created["prefix"]) < len(created["secret"]) - 30

    listing = api.get(URL)
    assert created["secret"] not in listing.text
    mine = [t for t in listing.json() if t["id"] == created["id"]]
    assert len(mine) == 1
    assert set(mine[0]) == PUBLIC_KEYS
    assert mine[0]["prefix"] == created["prefix"]


def test_new_token_authenticates_as_its_owner(api: Api) -> None:
    created = create(api)
    session = Bearer(api, created["secret"]).request("GET", "/api/v1/auth/session")
    assert session.status_code == 200
    body = session.json()
    assert body["user"]["id"] == str(api.user_id)
    assert body["via"] == "token"
    assert body["csrf_token"] is None


def test_two_tokens_have_different_secrets(api: Api) -> None:
    first, second = create(api), create(api)
    assert first["secret"] != second["secret"]
    assert first["id"] != second["id"]


def test_the_list_holds_only_my_tokens(api: Api, other_api: Api) -> None:
    mine = create(api, name="Mine")
    create(other_api, name="Theirs")
    names = [t["name"] for t in listed(api)]
    assert names == ["tests", "Mine"]  # the fixture's own token, then the new one
    assert mine["id"] not in {t["id"] for t in listed(other_api)}


def test_only_a_hash_of_the_secret_is_stored(api: Api, engine: Engine) -> None:
    created = create(api)
    secret = created["secret"]
    with engine.connect() as conn:
        rows = conn.execute(select(tokens_table)).all()
    stored = [str(value) for row in rows for value in row]
    assert not any(secret in value for value in stored)
    # Only the short, shown-in-the-list prefix may appear; the rest of the secret never does.
    assert not any(secret[len(created["prefix"]) :] in value for value in stored)


def test_last_used_at_appears_after_use(api: Api) -> None:
    created = create(api)
    before = [t for t in listed(api) if t["id"] == created["id"]][0]
    assert before["last_used_at"] is None

    assert Bearer(api, created["secret"]).request("GET", "/api/v1/contacts").status_code == 200

    after = [t for t in listed(api) if t["id"] == created["id"]][0]
    assert after["last_used_at"] is not None
    age = datetime.now(UTC) - parse_time(after["last_used_at"])
    assert timedelta(0) <= age < timedelta(minutes=1)


def test_revoked_token_is_refused(api: Api) -> None:
    created = create(api)
    token = Bearer(api, created["secret"])
    assert token.request("GET", "/api/v1/contacts").status_code == 200

    assert api.delete(f"{URL}/{created['id']}").status_code == 204

    refused = token.request("GET", "/api/v1/contacts")
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == "Bearer"
    assert created["id"] not in {t["id"] for t in listed(api)}
    assert api.delete(f"{URL}/{created['id']}").status_code == 404


def test_a_token_can_revoke_itself(api: Api) -> None:
    created = create(api)
    token = Bearer(api, created["secret"])
    assert token.request("DELETE", f"{URL}/{created['id']}").status_code == 204
    assert token.request("GET", URL).status_code == 401


def test_another_user_cannot_revoke_my_token(api: Api, other_api: Api) -> None:
    created = create(api)
    response = other_api.delete(f"{URL}/{created['id']}")
    assert response.status_code == 404
    assert created["id"] in {t["id"] for t in listed(api)}
    assert Bearer(api, created["secret"]).request("GET", "/api/v1/contacts").status_code == 200


def test_unknown_token_is_refused(api: Api) -> None:
    for secret in ("nh_not-a-real-token", api.token + "x", api.token[:-1]):
        response = Bearer(api, secret).request("GET", "/api/v1/contacts")
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"


def test_read_only_token_reads_but_never_writes(api: Api) -> None:
    existing = factories.contact(api, full_name="Existing")
    created = create(api, name="Dashboard", scope="read")
    assert created["scope"] == "read"
    reader = Bearer(api, created["secret"])
    contact_url = f"/api/v1/contacts/{existing['id']}"

    assert reader.request("GET", "/api/v1/contacts").status_code == 200
    assert reader.request("GET", contact_url).status_code == 200
    assert reader.request("GET", URL).status_code == 200
    assert reader.request("GET", "/api/v1/account").status_code == 200

    writes = [
        ("POST", "/api/v1/contacts", {"full_name": "Sneaky"}),
        ("PATCH", contact_url, {"full_name": "Renamed"}),
        ("DELETE", contact_url, None),
        ("POST", URL, {"name": "escalate", "scope": "read_write"}),
        ("DELETE", f"{URL}/{created['id']}", None),
        ("POST", "/api/v1/account/delete", {"password": "whatever it is"}),
        ("POST", "/api/v1/auth/logout-everywhere", None),
    ]
    for method, url, body in writes:
        response = reader.request(method, url, json=body)
        assert response.status_code == 403, (method, url, response.text)
        assert response.json()["detail"] == "This token is read-only."

    contacts = api.get("/api/v1/contacts").json()
    assert contacts["total"] == 1
    assert contacts["items"][0]["full_name"] == "Existing"
    assert [t["name"] for t in listed(api)] == ["tests", "Dashboard"]


def test_a_token_cannot_create_tokens(api: Api) -> None:
    """A leaked token must not mint itself successors that outlive its revocation."""
    full = create(api, name="Full access")
    for secret in (api.token, full["secret"]):
        for body in ({"name": "successor"}, {"name": "successor", "scope": "read"}):
            refused = Bearer(api, secret).request("POST", URL, json=body)
            assert refused.status_code == 403, refused.text
            assert refused.headers["content-type"] == "application/problem+json"
            problem = refused.json()
            assert problem["type"] == "https://nexthop.invalid/problems/session_required"
            assert problem["detail"].startswith("A token cannot create tokens")
    assert [t["name"] for t in listed(api)] == ["tests", "Full access"]


def test_token_with_future_expiry_works_until_it_expires(api: Api, engine: Engine) -> None:
    expires = datetime.now(UTC) + timedelta(days=30)
    created = create(api, expires_at=expires.isoformat())
    assert parse_time(created["expires_at"]) == expires
    stored = [t for t in listed(api) if t["id"] == created["id"]][0]
    assert parse_time(stored["expires_at"]) == expires
    token = Bearer(api, created["secret"])
    assert token.request("GET", "/api/v1/contacts").status_code == 200

    with engine.begin() as conn:
        conn.execute(
            update(tokens_table)
            .where(tokens_table.c.id == uuid.UUID(created["id"]))
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert token.request("GET", "/api/v1/contacts").status_code == 401
    # The owner still sees it in the list (to know it expired) and may delete it.
    assert created["id"] in {t["id"] for t in listed(api)}
    assert api.delete(f"{URL}/{created['id']}").status_code == 204


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "ok", "scope": "admin"}, "scope"),
        ({"name": "ok", "expires_at": "2030-01-01T00:00:00"}, "expires_at"),
        ({}, "name"),
    ],
)
def test_invalid_token_requests_are_422(api: Api, body: dict[str, Any], field: str) -> None:
    response = api.create_token(**body)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert [t["name"] for t in listed(api)] == ["tests"]


def test_concurrent_requests_write_a_stale_last_use_once(
    api: Api, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    """Requests that all find the token's last use stale do not all queue to write it."""
    mine = tokens_table.c.user_id == api.user_id
    with engine.begin() as conn:
        conn.execute(update(tokens_table).where(mine).values(last_used_at=None))
    transport = httpx.ASGITransport(app=api.client.app)
    headers = {"Authorization": f"Bearer {api.token}"}

    async def burst() -> list[int]:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            calls = [client.get("/api/v1/contacts", headers=headers) for _ in range(12)]
            return [r.status_code for r in await asyncio.gather(*calls)]

    with caplog.at_level(logging.INFO, logger="nexthop.auth"):
        assert asyncio.run(burst()) == [200] * 12
    writes = [r for r in caplog.records if r.getMessage().startswith("token used")]
    assert 1 <= len(writes) <= 3
    with engine.connect() as conn:
        assert conn.execute(select(tokens_table.c.last_used_at).where(mine)).scalar() is not None
