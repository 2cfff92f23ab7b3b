"""Every response carries the security headers; HSTS only when the request came over https."""

import uuid
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from backend.config import Settings
from backend.main import create_app
from tests import factories
from tests.conftest import Api

PROXY = "10.20.30.40"


def directives(csp: str) -> dict[str, list[str]]:
    parsed: dict[str, list[str]] = {}
    for part in csp.split(";"):
        name, *values = part.split()
        assert name not in parsed, f"{name} given twice"
        parsed[name] = values
    return parsed


def assert_secure_headers(response: httpx.Response) -> None:
    headers = response.headers
    csp = directives(headers["content-security-policy"])
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    sources = [value for values in csp.values() for value in values]
    assert "'unsafe-inline'" not in sources
    assert "'unsafe-eval'" not in sources
    assert "*" not in sources
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["x-frame-options"] == "DENY"
    # Each header once: a second copy would make browsers combine or ignore them.
    for name in ("content-security-policy", "x-content-type-options", "referrer-policy"):
        assert len(headers.get_list(name)) == 1


@pytest.fixture
def https_client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="https://testserver") as client:
        yield client


@pytest.fixture
def behind_proxy(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    """The same database served by an app that believes X-Forwarded-* from PROXY only."""
    proxied = create_app(settings.model_copy(update={"trusted_proxies": [PROXY]}), engine)
    with TestClient(proxied, client=(PROXY, 40000)) as client:
        yield client


def test_api_response_has_security_headers_and_no_hsts_over_http(api: Api) -> None:
    response = api.get("/api/v1/contacts")
    assert response.status_code == 200
    assert_secure_headers(response)
    assert "strict-transport-security" not in response.headers


def test_public_api_response_has_security_headers(test_client: TestClient) -> None:
    response = test_client.get("/api/v1/setup")
    assert response.status_code == 200
    assert_secure_headers(response)


def test_frontend_page_has_security_headers(test_client: TestClient) -> None:
    for url in ("/", "/app/contacts/123"):
        response = test_client.get(url)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assert_secure_headers(response)
        assert "strict-transport-security" not in response.headers


def test_error_responses_have_security_headers(test_client: TestClient) -> None:
    unauthenticated = test_client.get("/api/v1/contacts")
    assert unauthenticated.status_code == 401
    assert_secure_headers(unauthenticated)
    missing = test_client.get("/api/v1/no-such-thing")
    assert missing.status_code == 404
    assert_secure_headers(missing)


def test_refused_oversized_body_has_security_headers(api: Api) -> None:
    app: FastAPI = api.client.app  # type: ignore[assignment]
    too_big = b" " * (app.state.settings.max_body_bytes + 1)
    response = api.post(
        "/api/v1/contacts", content=too_big, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert_secure_headers(response)


def test_hsts_over_https(https_client: TestClient) -> None:
    for url in ("/", "/api/v1/setup", "/api/v1/contacts"):
        response = https_client.get(url)
        assert response.headers["strict-transport-security"] == (
            "max-age=31536000; includeSubDomains"
        )
        assert_secure_headers(response)


def test_hsts_when_a_trusted_proxy_says_https(behind_proxy: TestClient) -> None:
    forwarded = behind_proxy.get("/", headers={"X-Forwarded-Proto": "https"})
    assert forwarded.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    plain = behind_proxy.get("/", headers={"X-Forwarded-Proto": "http"})
    assert "strict-transport-security" not in plain.headers


def test_x_forwarded_proto_from_anyone_else_is_ignored(test_client: TestClient) -> None:
    response = test_client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 200
    assert "strict-transport-security" not in response.headers


def test_what_the_api_answers_is_never_stored_by_a_cache(api: Api) -> None:
    """JSON, exports, .ics downloads and problems: `no-store`, so neither a shared cache nor
    the browser's disk keeps one user's data (or who is signed in) after they leave."""
    contact = factories.contact(api, full_name="Ada Park")
    interview = factories.interview(
        api, contact_id=contact["id"], status="scheduled", scheduled_at="2030-03-04T15:00:00Z"
    )
    for url in (
        "/api/v1/contacts",
        f"/api/v1/contacts/{contact['id']}",
        f"/api/v1/contacts/{contact['id']}/vcard",
        "/api/v1/exports/contacts.csv",
        "/api/v1/exports/backup",
        f"/api/v1/interviews/{interview['id']}/ics",
        "/api/v1/auth/session",
        f"/api/v1/contacts/{uuid.uuid4()}",  # a problem, for a signed-in user
    ):
        response = api.get(url)
        assert response.status_code in (200, 404), (url, response.text)
        assert response.headers.get_list("cache-control") == ["no-store"], url
    created = api.post("/api/v1/organizations", json={"name": "Acme"})
    assert created.status_code == 201
    assert created.headers["cache-control"] == "no-store"
    assert api.client.get("/api/v1/contacts").headers["cache-control"] == "no-store"  # 401


def test_what_sets_its_own_caching_keeps_it(api: Api) -> None:
    # The calendar feed: calendar apps keep a copy and revalidate it by its ETag; no shared
    # cache may keep it (backend/calendar/router.py).
    feed = api.post("/api/v1/calendar/feed").json()["url"]
    path = httpx.URL(feed).path
    assert api.client.get(path).headers.get_list("cache-control") == ["private, no-cache"]
    assert api.client.get("/sw.js").headers.get_list("cache-control") == ["no-cache"]
    for url in ("/", "/static/app.js"):
        assert "cache-control" not in api.client.get(url).headers, url
