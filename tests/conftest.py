"""Fixtures: every test runs once on SQLite and once on PostgreSQL, as a brand-new user.

Each test acts as a user created just for it, so assertions can be exact (`total == 2`)
without emptying tables between tests: that is what ownership scoping promises anyway.
"""

import os
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from backend import migrations
from backend.accounts.service import start_session
from backend.auth import CSRF_HEADER, SESSION_COOKIE
from backend.config import Settings
from backend.db import make_engine
from backend.main import create_app
from backend.tokens.service import issue_token
from backend.users.models import User

warnings.filterwarnings("ignore", message=".*httpx2.*")
from fastapi.testclient import TestClient  # noqa: E402  (after the warning filter)

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PG_ADMIN_URL = os.environ.get(
    "NEXTHOP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _postgres_database() -> Iterator[str]:
    """A throwaway database on the PostgreSQL server, dropped after the session."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"nexthop_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        admin.dispose()
        reason = f"PostgreSQL unreachable at {PG_ADMIN_URL}: {exc.orig}"
        if IN_CI:
            pytest.fail(f"{reason} (CI=true requires PostgreSQL)")
        pytest.skip(reason)
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        choices=("both", "sqlite", "postgresql"),
        default="both",
        help="run the database-parametrized tests on this database only (default: both)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # The browser tests drive a real Chromium: slow, whatever their module says.
    for item in items:
        if "browser" in item.path.parts:
            item.add_marker(pytest.mark.slow)
    only = config.getoption("--db")
    if only == "both":
        return
    keep, drop = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        kind = callspec.params.get("db_kind") if callspec is not None else None
        (drop if kind not in (None, only) else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def db_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


# The host TestClient names (http://testserver): allowed by the tests' settings, not by the
# default (backend.hosts).
TEST_HOSTS = ["testserver"]


@pytest.fixture(scope="session")
def settings(db_kind: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    data_dir = tmp_path_factory.mktemp(f"data-{db_kind}")
    if db_kind == "sqlite":
        yield settings_for(data_dir, None)
        return
    for url in _postgres_database():
        yield settings_for(data_dir, url)


def settings_for(data_dir: Path, url: str | None) -> Settings:
    """What the tests' apps run with: no .env file, the test client's host allowed."""
    return Settings(  # type: ignore[call-arg]
        data_dir=data_dir, database_url=url, allowed_hosts=TEST_HOSTS, _env_file=None
    )


@pytest.fixture(scope="session")
def engine(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings)
    migrations.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def app(settings: Settings, engine: Engine) -> FastAPI:
    return create_app(settings, engine)


@pytest.fixture(scope="session")
def test_client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


class HttpVerbs:
    """get/post/patch/delete over a `request(method, url, **kwargs)` of the subclass."""

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        raise NotImplementedError

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def put(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("PUT", url, **kwargs)

    def patch(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("PATCH", url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", url, **kwargs)


class Api(HttpVerbs):
    """One user's view of the HTTP API, authenticated with a personal access token."""

    def __init__(self, client: TestClient, user: "TestUser") -> None:
        self.client = client
        self.user_id = user.id
        self.token = user.token

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        return self.client.request(method, url, headers=headers, **kwargs)

    def create_token(self, **fields: Any) -> httpx.Response:
        """POST /api/v1/tokens as the user's browser does: tokens are made from a signed-in
        session, never by another token."""
        state = self.client.app.state  # type: ignore[attr-defined]
        headers = signed_in_headers(state.engine, state.settings, self.user_id)
        return self.client.post("/api/v1/tokens", json=fields, headers=headers)


def signed_in_headers(engine: Engine, settings: Settings, user_id: uuid.UUID) -> dict[str, str]:
    """A new browser session of the user, as sign-in starts one: its cookie and CSRF token
    (the test users have no password to sign in with)."""
    with Session(engine) as session:
        secret, csrf = start_session(session, user_id, settings)
        session.commit()
    return {"Cookie": f"{SESSION_COOKIE}={secret}", CSRF_HEADER: csrf}


class TestUser(NamedTuple):
    id: uuid.UUID
    token: str


def new_user(engine: Engine) -> TestUser:
    """A user with a read-write token and no password (the token is all the tests need, and
    argon2 hashing at its real cost would make every test slow)."""
    user = User(email=f"{uuid.uuid4().hex}@example.test", display_name="Test user")
    with Session(engine) as session:
        session.execute(
            User.__table__.insert().values(  # type: ignore[attr-defined]
                id=user.id, email=user.email, display_name=user.display_name,
                is_admin=False, created_at=user.created_at,
            )
        )  # fmt: skip
        token = issue_token(session, user_id=user.id, name="tests")["secret"]
        session.commit()
    return TestUser(user.id, token)


@pytest.fixture
def api(test_client: TestClient, engine: Engine) -> Api:
    return Api(test_client, new_user(engine))


@pytest.fixture
def other_api(test_client: TestClient, engine: Engine) -> Api:
    """A second user, for proving one user never sees another's data."""
    return Api(test_client, new_user(engine))


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent
