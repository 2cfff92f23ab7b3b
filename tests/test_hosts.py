"""NEXTHOP_ALLOWED_HOSTS: which Host names the app answers to (backend.hosts)."""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from backend.config import Settings
from backend.hosts import default_allowed_hosts, host_allowed, host_of
from backend.main import create_app
from tests.conftest import new_user


@pytest.mark.parametrize(
    ("header", "host"),
    [
        ("localhost:8000", "localhost"),
        ("LocalHost", "localhost"),
        ("127.0.0.1:8000", "127.0.0.1"),
        ("[::1]:8000", "::1"),
        ("[::1]", "::1"),
        ("nexthop.example.com.", "nexthop.example.com"),
        ("", None),
        ("a b", None),
        ("user@localhost", None),
        ("localhost:8000:1", None),
        ("::1", None),
    ],
)
def test_the_host_a_host_header_names(header: str, host: str | None) -> None:
    assert host_of(header) == host


def test_allowed_names_exact_or_under_a_wildcard() -> None:
    allowed = ["nexthop.example.com", "*.lan", "[FD00::1]"]
    assert host_allowed("nexthop.example.com", allowed)
    assert host_allowed("box.lan", allowed)
    assert host_allowed("fd00::1", allowed)
    assert not host_allowed("lan", allowed)
    assert not host_allowed("evil-nexthop.example.com", allowed)
    assert not host_allowed("nexthop.example.com.evil.example", allowed)
    assert host_allowed("anything.example", ["*"])


def test_by_default_loopback_names_and_the_bound_address() -> None:
    assert default_allowed_hosts("127.0.0.1") == ["localhost", "127.0.0.1", "::1"]
    assert default_allowed_hosts("0.0.0.0") == ["localhost", "127.0.0.1", "::1"]
    assert default_allowed_hosts("::") == ["localhost", "127.0.0.1", "::1"]
    assert default_allowed_hosts("192.168.1.20") == [
        "localhost",
        "127.0.0.1",
        "::1",
        "192.168.1.20",
    ]
    assert Settings(_env_file=None, host="nexthop.lan").effective_allowed_hosts[-1] == "nexthop.lan"  # type: ignore[call-arg]


def test_empty_means_the_default_not_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """An empty list would refuse every request; compose passes an unset variable as ""."""
    for value in ("", "[]"):
        monkeypatch.setenv("NEXTHOP_ALLOWED_HOSTS", value)
        settings = Settings(_env_file=None)  # type: ignore[call-arg]
        assert settings.effective_allowed_hosts == ["localhost", "127.0.0.1", "::1"]
    monkeypatch.setenv("NEXTHOP_ALLOWED_HOSTS", '["nexthop.example.com"]')
    assert Settings(_env_file=None).effective_allowed_hosts == ["nexthop.example.com"]  # type: ignore[call-arg]


def _client(settings: Settings, engine: Engine, host: str, **allowed: object) -> TestClient:
    app: FastAPI = create_app(settings.model_copy(update=allowed), engine)
    return TestClient(app, base_url=f"http://{host}")


@pytest.mark.parametrize("host", ["localhost:8000", "127.0.0.1:8000", "[::1]:8000"])
def test_the_default_answers_loopback_names(settings: Settings, engine: Engine, host: str) -> None:
    token = new_user(engine).token
    client = _client(settings, engine, host, allowed_hosts=[])
    answer = client.get("/api/v1/contacts", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200


def test_another_host_gets_400_naming_the_header_and_nothing_runs(
    settings: Settings, engine: Engine
) -> None:
    token = new_user(engine).token
    client = _client(settings, engine, "rebound.example", allowed_hosts=[])
    auth = {"Authorization": f"Bearer {token}"}
    refused = client.post("/api/v1/organizations", json={"name": "Planted"}, headers=auth)
    assert refused.status_code == 400
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.headers["x-content-type-options"] == "nosniff"
    assert refused.json()["errors"][0]["field"] == "Host"
    local = _client(settings, engine, "localhost", allowed_hosts=[])
    assert local.get("/api/v1/organizations", headers=auth).json()["total"] == 0


def test_probes_answer_whatever_host_they_name(settings: Settings, engine: Engine) -> None:
    """Orchestrators probe by the pod's address; the probes tell nothing about anyone."""
    client = _client(settings, engine, "10.1.2.3:8000", allowed_hosts=[])
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/").status_code == 400


def test_a_listed_name_and_the_star(settings: Settings, engine: Engine) -> None:
    listed = ["nexthop.example.com"]
    assert (
        _client(settings, engine, "nexthop.example.com", allowed_hosts=listed).get("/").status_code
        == 200
    )
    # Listing names replaces the default: localhost is then refused too.
    assert _client(settings, engine, "localhost", allowed_hosts=listed).get("/").status_code == 400
    assert _client(settings, engine, "any.example", allowed_hosts=["*"]).get("/").status_code == 200
