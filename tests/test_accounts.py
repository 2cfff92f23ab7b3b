"""Accounts: first-run set-up, sign-up, sign-in and its throttle, browser sessions and CSRF,
password changes, the admin's user list, account deletion.

Password hashing runs at its real cost (~0.1 s a hash or a check), so the tests spend it
only where the password is the subject: accounts are written to the database with one hash
computed once (as conftest's `new_user` writes token users), and a test about sessions or CSRF
starts its session the way sign-in does once the password is checked (`Browser.start_session`).
Sign-in, set-up, sign-up, password changes, resets and deletion go through the API.

Every browser gets its own cookie jar and its own client address, so one test's sign-in
failures never throttle another's. Set-up and sign-up are global state, so their tests run
on databases of their own.
"""

import ipaddress
import json
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, func, insert, select, update
from sqlalchemy.orm import Session
from sqlmodel import SQLModel

import backend.models  # noqa: F401  (every table, for the deletion check)
from backend import migrations
from backend.accounts import passwords
from backend.accounts.models import Invite, LoginThrottle, UserSession
from backend.accounts.passwords import hash_password
from backend.accounts.service import start_session
from backend.accounts.throttle import ADDRESS_FACTOR
from backend.auth import secret_hash
from backend.config import Settings
from backend.db import make_engine
from backend.fields import uuid7
from backend.main import create_app
from backend.signup_mode import SignupMode
from backend.tokens.service import issue_token
from backend.users.models import User
from tests.conftest import Api, HttpVerbs, _postgres_database, new_user, settings_for

PASSWORD = "correct horse battery"
STRICT = 2  # failures before lockout in the throttle tests
OTHER_PASSWORD = "another fine passphrase"
COOKIE = "nexthop_session"
CSRF = "X-CSRF-Token"
PUBLIC_USER_KEYS = {"id", "email", "display_name", "is_admin", "created_at"}
ADMIN_USER_KEYS = PUBLIC_USER_KEYS | {"disabled_at"}  # what the admin's user list shows
TOKEN_KEYS = {"id", "name", "prefix", "scope", "created_at", "expires_at", "last_used_at"}
WRONG_LOGIN = {
    "type": "https://nexthop.invalid/problems/unauthorized",
    "title": "Unauthorized",
    "status": 401,
    "detail": "The email or the password is wrong.",
}

users_table = User.__table__  # type: ignore[attr-defined]
sessions_table = UserSession.__table__  # type: ignore[attr-defined]
throttle_table = LoginThrottle.__table__  # type: ignore[attr-defined]
invites_table = Invite.__table__  # type: ignore[attr-defined]


# --- helpers ---


def unique_email(label: str = "user") -> str:
    return f"{label}-{uuid.uuid4().hex[:12]}@example.test"


def unique_address() -> tuple[str, int]:
    return str(ipaddress.IPv4Address(0x0A000000 | secrets.randbits(24))), 50000


class Browser(HttpVerbs):
    """One browser: its own cookie jar, its own client address, the CSRF token it was given."""

    def __init__(self, app: FastAPI, *, base_url: str = "http://testserver", **kwargs: Any):
        kwargs.setdefault("client", unique_address())
        self.http = TestClient(app, base_url=base_url, **kwargs)
        self.csrf: str | None = None

    def request(self, method: str, url: str, *, csrf: bool = True, **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}))
        if csrf and self.csrf is not None:
            headers.setdefault(CSRF, self.csrf)
        return self.http.request(method, url, headers=headers, **kwargs)

    def start_session(self, account: "Account") -> None:
        """Signs in as the account the way /auth/login does once the password is checked.
        Tests whose subject is not the password check use this: each check costs ~0.1 s."""
        state = self.http.app.state  # type: ignore[attr-defined]
        with Session(state.engine) as session:
            secret, self.csrf = start_session(session, uuid.UUID(account.id), state.settings)
            session.commit()
        self.http.cookies.set(COOKIE, secret)

    def _remember(self, response: httpx.Response) -> httpx.Response:
        if response.status_code in (200, 201):
            self.csrf = response.json()["csrf_token"]
        return response

    def sign_in(self, email: str, password: str, **kwargs: Any) -> httpx.Response:
        body = {"email": email, "password": password}
        return self._remember(self.post("/api/v1/auth/login", json=body, **kwargs))

    def set_up(self, email: str, password: str = PASSWORD, name: str = "Admin") -> httpx.Response:
        body = {"email": email, "password": password, "display_name": name}
        return self._remember(self.post("/api/v1/setup", json=body))

    def sign_up(self, email: str, password: str = PASSWORD, **fields: Any) -> httpx.Response:
        body = {"email": email, "password": password, "display_name": "Newcomer", **fields}
        return self._remember(self.post("/api/v1/auth/signup", json=body))

    @property
    def cookie(self) -> str | None:
        return self.http.cookies.get(COOKIE)

    def is_signed_in(self) -> bool:
        response = self.get("/api/v1/auth/session")
        assert response.status_code in (200, 401), response.text
        return response.status_code == 200


def cookie_attributes(response: httpx.Response) -> dict[str, str | bool]:
    """The attributes of the session cookie the response sets, names lower-cased."""
    cookies = [c for c in response.headers.get_list("set-cookie") if c.startswith(f"{COOKIE}=")]
    assert len(cookies) == 1, cookies
    attributes: dict[str, str | bool] = {}
    for part in cookies[0].split(";")[1:]:
        name, _, value = part.strip().partition("=")
        attributes[name.lower()] = value or True
    return attributes


def holding(app: FastAPI, cookie: str) -> Browser:
    """A browser presenting a given cookie value (an old one, say)."""
    browser = Browser(app)
    browser.http.cookies.set(COOKIE, cookie)
    return browser


def bearer(client: TestClient, token: str, method: str, url: str, **kw: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}", **kw.pop("headers", {})}
    return client.request(method, url, headers=headers, **kw)


def field_of(response: httpx.Response) -> list[str]:
    return [issue["field"] for issue in response.json()["errors"]]


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class Account(NamedTuple):
    id: str
    email: str
    password: str


@cache
def password_hash() -> str:
    """One real hash of PASSWORD, computed once: every account below shares it."""
    return hash_password(PASSWORD)


def make_account(engine: Engine, *, email: str | None = None) -> Account:
    """A user whose password is PASSWORD. Written straight to the database, as conftest's
    `new_user` does, so it costs no hashing; the admin endpoint is tested on its own."""
    user_id, email = uuid7(), email or unique_email()
    with engine.begin() as conn:
        conn.execute(
            insert(users_table).values(
                id=user_id, email=email, display_name="Pat", password_hash=password_hash(),
                is_admin=False, created_at=datetime.now(UTC),
            )
        )  # fmt: skip
    return Account(str(user_id), email, PASSWORD)


def clear_throttle(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(delete(throttle_table))


def set_session(engine: Engine, cookie: str, **values: Any) -> None:
    with engine.begin() as conn:
        done = conn.execute(
            update(sessions_table).where(sessions_table.c.id == secret_hash(cookie)).values(values)
        )
        assert done.rowcount == 1


def stored_hash(engine: Engine, user_id: str) -> str:
    with engine.connect() as conn:
        stmt = select(users_table.c.password_hash).where(users_table.c.id == uuid.UUID(user_id))
        value: str = conn.execute(stmt).scalar_one()
    return value


# --- fixtures ---


@pytest.fixture
def admin_api(test_client: TestClient, engine: Engine) -> Api:
    """An administrator of the shared database. Made an admin directly in the database:
    the shared database's one set-up may already have happened in another test."""
    user = new_user(engine)
    with engine.begin() as conn:
        conn.execute(update(users_table).where(users_table.c.id == user.id).values(is_admin=True))
    return Api(test_client, user)


@pytest.fixture
def browser(app: FastAPI) -> Iterator[Callable[..., Browser]]:
    """Opens browsers (on the shared app unless told otherwise); closes them after the test."""
    opened: list[Browser] = []

    def open_browser(on: FastAPI = app, **kwargs: Any) -> Browser:
        opened.append(Browser(on, **kwargs))
        return opened[-1]

    yield open_browser
    for each in opened:
        each.http.close()


@pytest.fixture
def account(engine: Engine) -> Account:
    return make_account(engine)


@pytest.fixture
def strict_app(settings: Settings, engine: Engine) -> FastAPI:
    """The shared database behind an app that locks after STRICT failures, so the throttle
    tests need few (slow) password checks."""
    return create_app(settings.model_copy(update={"login_failures_before_lockout": STRICT}), engine)


class FreshDatabase(NamedTuple):
    """An empty, migrated database of its own, for what is global: set-up and sign-up."""

    settings: Settings
    engine: Engine

    def app(self, **settings: Any) -> FastAPI:
        return create_app(self.settings.model_copy(update=settings), self.engine)


def _fresh_database(db_kind: str, data_dir: Path) -> Iterator[FreshDatabase]:
    urls: Iterator[str | None] = iter([None]) if db_kind == "sqlite" else _postgres_database()
    for url in urls:
        settings = settings_for(data_dir, url)
        engine = make_engine(settings)
        migrations.upgrade(engine)
        try:
            yield FreshDatabase(settings, engine)
        finally:
            engine.dispose()


@pytest.fixture
def fresh(db_kind: str, tmp_path: Path) -> Iterator[FreshDatabase]:
    yield from _fresh_database(db_kind, tmp_path)


class SetUp(NamedTuple):
    db: FreshDatabase
    admin_token: str


@pytest.fixture(scope="module")
def set_up(db_kind: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SetUp]:
    """A fresh database whose first account exists; its admin holds a token. Tests on it
    sign up with new emails, so they can share it."""
    for db in _fresh_database(db_kind, tmp_path_factory.mktemp("set-up")):
        admin = Browser(db.app())
        assert admin.set_up(unique_email("admin")).status_code == 201
        token = admin.post("/api/v1/tokens", json={"name": "admin"})
        assert token.status_code == 201
        yield SetUp(db, token.json()["secret"])


# --- first run ---


def test_a_page_on_another_host_cannot_claim_a_fresh_install(fresh: FreshDatabase) -> None:
    """DNS rebinding: a page on attacker.example points its name at 127.0.0.1 and posts to
    /setup as if it were the same origin; the browser still names attacker.example as Host.
    By default (NEXTHOP_ALLOWED_HOSTS empty) only loopback names and the bound address are
    answered."""
    app = fresh.app(allowed_hosts=[])
    rebound = Browser(app, base_url="http://attacker.example:8000")
    refused = rebound.set_up(unique_email("attacker"))
    assert refused.status_code == 400
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["errors"] == [
        {
            "field": "Host",
            "location": "header",
            "reason": "This server does not answer to that host name; its operator can add "
            "it to NEXTHOP_ALLOWED_HOSTS.",
            "code": "host_not_allowed",
        }
    ]
    local = Browser(app, base_url="http://localhost:8000")
    assert local.get("/api/v1/setup").json()["needs_setup"] is True
    assert local.set_up(unique_email("owner")).status_code == 201


def test_first_run_creates_the_admin_once(fresh: FreshDatabase) -> None:
    app = fresh.app()
    first = Browser(app)
    assert first.get("/api/v1/setup").json() == {"needs_setup": True, "signup_mode": "closed"}
    # An account without a password (tokens only) does not count as set up.
    token_only = new_user(fresh.engine)
    assert first.get("/api/v1/setup").json()["needs_setup"] is True

    # Nobody may sign up before the first account exists, whatever the sign-up mode.
    early = Browser(fresh.app(signup_mode=SignupMode.open)).sign_up(unique_email())
    assert early.status_code == 403

    weak = first.set_up("Boss@Example.test", password="password123")
    assert weak.status_code == 422
    assert field_of(weak) == ["password"]
    assert first.get("/api/v1/setup").json()["needs_setup"] is True

    created = first.set_up("Boss@Example.test", name="The Boss")
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["via"] == "session"
    assert isinstance(body["csrf_token"], str)
    assert len(body["csrf_token"]) >= 32
    assert set(body["user"]) == PUBLIC_USER_KEYS
    assert body["user"]["email"] == "boss@example.test"
    assert body["user"]["display_name"] == "The Boss"
    assert body["user"]["is_admin"] is True
    assert cookie_attributes(created) == {
        "httponly": True, "samesite": "lax", "path": "/", "max-age": str(30 * 24 * 3600)
    }  # fmt: skip

    assert first.get("/api/v1/setup").json() == {"needs_setup": False, "signup_mode": "closed"}
    session = first.get("/api/v1/auth/session")
    assert session.status_code == 200
    assert session.json() == body
    listed = first.get("/api/v1/admin/users")
    assert listed.status_code == 200
    assert [u["id"] for u in listed.json()] == [str(token_only.id), body["user"]["id"]]

    second = Browser(app)
    again = second.set_up(unique_email("usurper"))
    assert again.status_code == 409
    assert "set-cookie" not in again.headers
    assert not second.is_signed_in()
    assert len(first.get("/api/v1/admin/users").json()) == 2


def test_set_up_adopts_the_local_user_of_earlier_versions(fresh: FreshDatabase) -> None:
    # Before accounts, Nexthop served one user, local@nexthop.invalid, holding all the data.
    local_id = uuid7()
    with Session(fresh.engine) as session:
        session.execute(
            insert(users_table).values(
                id=local_id, email="local@nexthop.invalid", display_name="Local",
                is_admin=False, created_at=datetime.now(UTC),
            )
        )  # fmt: skip
        token = issue_token(session, user_id=local_id, name="old")["secret"]
        session.commit()
    admin = Browser(fresh.app())
    kept = bearer(admin.http, token, "POST", "/api/v1/contacts", json={"full_name": "Kept"})
    assert kept.status_code == 201
    assert admin.get("/api/v1/setup").json()["needs_setup"] is True

    created = admin.set_up("Owner@Example.test", name="Owner")
    assert created.status_code == 201, created.text
    assert created.json()["user"] == {
        **created.json()["user"], "id": str(local_id), "email": "owner@example.test",
        "display_name": "Owner", "is_admin": True,
    }  # fmt: skip
    contacts = admin.get("/api/v1/contacts").json()
    assert [c["id"] for c in contacts["items"]] == [kept.json()["id"]]
    assert [u["id"] for u in admin.get("/api/v1/admin/users").json()] == [str(local_id)]


def test_set_up_over_https_sets_a_secure_cookie(fresh: FreshDatabase) -> None:
    admin = Browser(fresh.app(), base_url="https://testserver")
    created = admin.set_up(unique_email("admin"))
    assert created.status_code == 201
    assert cookie_attributes(created) == {
        "httponly": True, "secure": True, "samesite": "lax", "path": "/",
        "max-age": str(30 * 24 * 3600),
    }  # fmt: skip
    assert admin.is_signed_in()


def test_trusted_proxy_saying_https_makes_the_cookie_secure(
    settings: Settings, engine: Engine, account: Account
) -> None:
    proxy = "10.255.0.1"
    behind_proxy = create_app(settings.model_copy(update={"trusted_proxies": [proxy]}), engine)
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}

    via_proxy = Browser(behind_proxy, client=(proxy, 40000))
    response = via_proxy.sign_in(account.email, account.password, headers=forwarded)
    assert response.status_code == 200
    assert cookie_attributes(response)["secure"] is True


# --- sign-up ---


def test_closed_sign_up_is_refused(set_up: SetUp) -> None:
    visitor = Browser(set_up.db.app(signup_mode=SignupMode.closed))
    email = unique_email()
    response = visitor.sign_up(email)
    assert response.status_code == 403
    assert "set-cookie" not in response.headers
    users = bearer(visitor.http, set_up.admin_token, "GET", "/api/v1/admin/users").json()
    assert email not in {u["email"] for u in users}


def test_open_sign_up_creates_an_ordinary_account(set_up: SetUp) -> None:
    app = set_up.db.app(signup_mode=SignupMode.open)
    visitor = Browser(app)
    email = unique_email("Open")
    # Whatever else the body says, a new account is never an admin.
    response = visitor.sign_up(email, is_admin=True, id=str(uuid.uuid4()))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["user"]["email"] == email.lower()
    assert body["user"]["is_admin"] is False
    assert body["via"] == "session"
    assert cookie_attributes(response)["httponly"] is True
    assert visitor.is_signed_in()
    assert visitor.get("/api/v1/admin/users").status_code == 403

    taken = Browser(app).sign_up(email.upper())
    assert taken.status_code == 409
    assert field_of(taken) == ["email"]
    weak = Browser(app).sign_up(unique_email(), password="qwertyuiop")
    assert weak.status_code == 422
    assert field_of(weak) == ["password"]
    own_email = unique_email()
    same_as_email = Browser(app).sign_up(own_email, password=own_email.upper())
    assert same_as_email.status_code == 422
    assert field_of(same_as_email) == ["password"]


def invite_code(set_up: SetUp, client: TestClient) -> str:
    response = bearer(client, set_up.admin_token, "POST", "/api/v1/admin/invites")
    assert response.status_code == 201, response.text
    code: str = response.json()["code"]
    return code


def test_invite_sign_up_takes_a_valid_code_once(set_up: SetUp) -> None:
    app = set_up.db.app(signup_mode=SignupMode.invite)
    code = invite_code(set_up, Browser(app).http)

    for invite in (None, "", "not-a-real-code"):
        refused = Browser(app).sign_up(unique_email(), invite=invite)
        assert refused.status_code == 422
        assert field_of(refused) == ["invite"]

    # A sign-up refused for another reason leaves the invite unused.
    weak = Browser(app).sign_up(unique_email(), password="letmein123", invite=code)
    assert weak.status_code == 422
    assert field_of(weak) == ["password"]

    invited = Browser(app)
    response = invited.sign_up(unique_email(), invite=code)
    assert response.status_code == 201, response.text
    assert response.json()["user"]["is_admin"] is False
    assert invited.is_signed_in()

    reused = Browser(app).sign_up(unique_email(), invite=code)
    assert reused.status_code == 422
    assert field_of(reused) == ["invite"]


def test_an_invite_never_tells_whether_an_email_has_an_account(
    set_up: SetUp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An invite used with an email that has an account answers as an unknown code does,
    and is spent: one code cannot enumerate accounts."""
    app = set_up.db.app(signup_mode=SignupMode.invite)
    existing = make_account(set_up.db.engine)
    hashed: list[str] = []
    real_hash = passwords.hash_password
    monkeypatch.setattr(passwords, "hash_password", lambda p: hashed.append(p) or real_hash(p))
    unknown = Browser(app).sign_up(unique_email(), invite="not-a-real-code")
    assert unknown.status_code == 422

    code = invite_code(set_up, Browser(app).http)
    taken = Browser(app).sign_up(existing.email.upper(), invite=code)
    assert hashed == []  # neither answer waits for a password hash: no timing difference
    assert taken.status_code == unknown.status_code
    assert taken.json() == unknown.json()
    assert taken.headers["content-type"] == unknown.headers["content-type"]
    assert "set-cookie" not in taken.headers
    # The code is spent: it cannot go on to ask about the next email, nor make an account.
    for email in (unique_email(), existing.email):
        again = Browser(app).sign_up(email, invite=code)
        assert again.status_code == 422
        assert again.json() == unknown.json()
    users = bearer(Browser(app).http, set_up.admin_token, "GET", "/api/v1/admin/users").json()
    assert [u["email"] for u in users].count(existing.email) == 1
    assert Browser(app).sign_in(existing.email, existing.password).status_code == 200


def test_expired_invite_is_refused(set_up: SetUp) -> None:
    app = set_up.db.app(signup_mode=SignupMode.invite)
    code = invite_code(set_up, Browser(app).http)
    with set_up.db.engine.begin() as conn:
        conn.execute(
            update(invites_table)
            .where(invites_table.c.token_hash == secret_hash(code))
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    response = Browser(app).sign_up(unique_email(), invite=code)
    assert response.status_code == 422
    assert field_of(response) == ["invite"]


# --- sign-in ---


def test_sign_in_sets_a_cookie_that_alone_authenticates(
    browser: Callable[..., Browser], account: Account
) -> None:
    visitor = browser()
    assert visitor.get("/api/v1/contacts").status_code == 401

    response = visitor.sign_in(account.email, account.password)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["via"] == "session"
    assert body["user"]["id"] == account.id
    assert body["user"]["email"] == account.email
    assert cookie_attributes(response) == {
        "httponly": True, "samesite": "lax", "path": "/", "max-age": str(30 * 24 * 3600)
    }  # fmt: skip

    for url in ("/api/v1/contacts", "/api/v1/account", "/api/v1/tokens"):
        assert visitor.get(url, csrf=False).status_code == 200, url
    assert visitor.get("/api/v1/account").json()["id"] == account.id
    session = visitor.get("/api/v1/auth/session").json()
    assert session == body

    # Each sign-in is a session of its own, with its own secrets.
    elsewhere = browser()
    assert elsewhere.sign_in(account.email, account.password).status_code == 200
    assert elsewhere.cookie != visitor.cookie
    assert elsewhere.csrf != visitor.csrf


def test_wrong_password_and_unknown_email_answer_alike(
    browser: Callable[..., Browser], account: Account, engine: Engine
) -> None:
    token_only = new_user(engine)
    with engine.connect() as conn:
        stmt = select(users_table.c.email).where(users_table.c.id == token_only.id)
        token_only_email = conn.execute(stmt).scalar_one()

    answers = [
        browser().sign_in(account.email, "not the password"),
        browser().sign_in(unique_email("nobody"), account.password),
        browser().sign_in(token_only_email, account.password),
    ]
    for response in answers:
        assert response.status_code == 401
        assert response.json() == WRONG_LOGIN
        assert "set-cookie" not in response.headers


def test_email_is_case_insensitive(browser: Callable[..., Browser], account: Account) -> None:
    visitor = browser()
    assert visitor.sign_in(account.email.upper(), PASSWORD).status_code == 200
    assert visitor.get("/api/v1/account").json()["id"] == account.id


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", None],
)
def test_sign_in_takes_only_json_so_other_sites_cannot_post_it(
    browser: Callable[..., Browser], account: Account, content_type: str | None
) -> None:
    # A cross-site form can send these content types without a preflight; were they
    # accepted, another site could sign a visitor into an account of its choosing.
    body = json.dumps({"email": account.email, "password": account.password})
    headers = {"Content-Type": content_type} if content_type else {}
    response = browser().post("/api/v1/auth/login", content=body, headers=headers)
    assert response.status_code == 422
    assert "set-cookie" not in response.headers


def assert_throttled(response: httpx.Response, at_most: int) -> None:
    assert response.status_code == 429, response.text
    assert response.json()["status"] == 429
    assert "set-cookie" not in response.headers
    retry = int(response.headers["retry-after"])
    assert at_most - 5 < retry <= at_most


def test_throttle_locks_an_unknown_account(
    browser: Callable[..., Browser], strict_app: FastAPI, engine: Engine
) -> None:
    clear_throttle(engine)
    attacker, email = browser(strict_app), unique_email("ghost")
    for _ in range(STRICT):
        assert attacker.sign_in(email, "guess guess guess").status_code == 401
    assert_throttled(attacker.sign_in(email, "guess guess guess"), 30)
    # The account name is locked wherever the next attempt comes from.
    assert_throttled(browser(strict_app).sign_in(email, "guess guess guess"), 30)


def test_throttle_refuses_even_the_right_password_while_locked(
    browser: Callable[..., Browser], strict_app: FastAPI, engine: Engine, account: Account
) -> None:
    clear_throttle(engine)
    attacker = browser(strict_app)
    for _ in range(STRICT):
        assert attacker.sign_in(account.email, "guess guess guess").status_code == 401

    assert_throttled(attacker.sign_in(account.email, account.password), 30)
    owner = browser(strict_app)
    assert_throttled(owner.sign_in(account.email, account.password), 30)
    assert not owner.is_signed_in()

    # When the lock runs out, one more failure locks again, for twice as long.
    with engine.begin() as conn:
        conn.execute(
            update(throttle_table)
            .where(throttle_table.c.key == f"email:{account.email}")
            .values(locked_until=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert owner.sign_in(account.email, "guess guess guess").status_code == 401
    assert_throttled(owner.sign_in(account.email, account.password), 60)


def test_throttle_locks_an_address_trying_many_accounts(
    browser: Callable[..., Browser], strict_app: FastAPI, engine: Engine, account: Account
) -> None:
    clear_throttle(engine)
    attacker = browser(strict_app)
    # An address may be shared by many people, so it gets ADDRESS_FACTOR times the tries.
    for _ in range(STRICT * ADDRESS_FACTOR):
        assert attacker.sign_in(unique_email("spray"), "Summer2024!!").status_code == 401
    assert_throttled(attacker.sign_in(account.email, account.password), 30)
    # Other addresses are not affected.
    assert browser(strict_app).sign_in(account.email, account.password).status_code == 200


def test_a_successful_sign_in_forgets_the_account_failures(
    browser: Callable[..., Browser], strict_app: FastAPI, engine: Engine, account: Account
) -> None:
    clear_throttle(engine)
    for _ in range(2):
        owner = browser(strict_app)  # a new address each time: its count is not forgotten
        for _ in range(STRICT - 1):
            assert owner.sign_in(account.email, "a typo in it").status_code == 401
        assert owner.sign_in(account.email, account.password).status_code == 200


def test_simultaneous_failures_all_count(
    browser: Callable[..., Browser], strict_app: FastAPI, engine: Engine, account: Account
) -> None:
    clear_throttle(engine)
    # From different addresses, so only the account's count can lock.
    attackers = [browser(strict_app) for _ in range(8)]
    with ThreadPoolExecutor(len(attackers)) as pool:
        answers = list(pool.map(lambda b: b.sign_in(account.email, "guess guess guess"), attackers))
    statuses = [answer.status_code for answer in answers]
    assert set(statuses) <= {401, 429}, statuses
    failures = statuses.count(401)
    assert failures >= STRICT
    # Every password check that failed counts: the lock is as long as that many failures earn.
    expected = min(30 * 2 ** (failures - STRICT), 3600)
    assert_throttled(browser(strict_app).sign_in(account.email, account.password), expected)


class CountedChecks:
    """Stands in for the password check: slow like argon2, always wrong, and counted."""

    def __init__(self) -> None:
        self.calls = 0
        self._lock = threading.Lock()

    def __call__(self, _stored_hash: str | None, _password: str) -> bool:
        with self._lock:
            self.calls += 1
        time.sleep(0.05)
        return False


@pytest.fixture
def counted_checks(monkeypatch: pytest.MonkeyPatch) -> CountedChecks:
    checks = CountedChecks()
    monkeypatch.setattr(passwords, "verify_password", checks)
    return checks


LIMIT = 5
BURST = 40


def test_a_burst_of_parallel_guesses_gets_only_the_allowed_checks(
    settings: Settings, engine: Engine, account: Account, counted_checks: CountedChecks
) -> None:
    """Counted before the check: parallel guesses cannot all pass a lock not yet set."""
    clear_throttle(engine)
    app = create_app(settings.model_copy(update={"login_failures_before_lockout": LIMIT}), engine)
    # From different addresses, so only the account's count can lock.
    attackers = [Browser(app) for _ in range(BURST)]
    with ThreadPoolExecutor(BURST) as pool:
        answers = list(pool.map(lambda b: b.sign_in(account.email, "guess guess guess"), attackers))
    statuses = [answer.status_code for answer in answers]
    assert counted_checks.calls <= LIMIT, statuses
    assert statuses.count(401) == counted_checks.calls
    assert statuses.count(429) == BURST - counted_checks.calls
    clear_throttle(engine)


def test_a_burst_of_parallel_password_confirmations_gets_only_the_allowed_checks(
    settings: Settings, engine: Engine, account: Account, counted_checks: CountedChecks
) -> None:
    """A stolen session guessing the password for a password change, many at once. One
    server (one event loop, as uvicorn runs it) with threads enough to run them together."""
    clear_throttle(engine)
    tuned = {"login_failures_before_lockout": LIMIT, "worker_threads": 8}
    with TestClient(create_app(settings.model_copy(update=tuned), engine)) as server:
        thieves = []
        for _ in range(BURST):
            with Session(engine) as session:
                secret, csrf = start_session(session, uuid.UUID(account.id), settings)
                session.commit()
            thieves.append({"Cookie": f"{COOKIE}={secret}", CSRF: csrf})
        body = {"current_password": "a guess guess", "new_password": OTHER_PASSWORD}

        def guess(headers: dict[str, str]) -> int:
            url = "/api/v1/account/password"
            return server.post(url, json=body, headers=headers).status_code

        with ThreadPoolExecutor(BURST) as pool:
            statuses = list(pool.map(guess, thieves))
    assert counted_checks.calls <= LIMIT, statuses
    assert statuses.count(403) == counted_checks.calls
    assert statuses.count(429) == BURST - counted_checks.calls
    clear_throttle(engine)


def test_weak_stored_hash_is_upgraded_on_sign_in(
    browser: Callable[..., Browser], engine: Engine, account: Account
) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(account.password)
    with engine.begin() as conn:
        conn.execute(
            update(users_table)
            .where(users_table.c.id == uuid.UUID(account.id))
            .values(password_hash=weak)
        )
    assert browser().sign_in(account.email, "wrong password here").status_code == 401
    assert stored_hash(engine, account.id) == weak

    assert browser().sign_in(account.email, account.password).status_code == 200
    upgraded = stored_hash(engine, account.id)
    default = PasswordHasher()
    assert upgraded.startswith(
        f"$argon2id$v=19$m={default.memory_cost},t={default.time_cost},p={default.parallelism}$"
    )
    assert not default.check_needs_rehash(upgraded)

    assert browser().sign_in(account.email, account.password).status_code == 200
    assert stored_hash(engine, account.id) == upgraded


# --- CSRF ---


def test_cookie_writes_without_csrf_proof_are_refused(
    browser: Callable[..., Browser], account: Account
) -> None:
    visitor, other = browser(), browser()
    visitor.start_session(account)
    other.start_session(account)
    created = visitor.post("/api/v1/contacts", json={"full_name": "Kept"})
    assert created.status_code == 201
    url = f"/api/v1/contacts/{created.json()['id']}"

    attempts: list[dict[str, str]] = [
        {},
        {CSRF: "wrong"},
        {CSRF: ""},
        {CSRF: str(other.csrf)},  # another session's token
        {"Origin": "http://evil.example"},
        {"Origin": "https://testserver"},  # another scheme is another origin
        {"Origin": "http://testserver:8080"},
        {"Origin": "null"},
        {CSRF: "wrong", "Origin": "http://evil.example"},
    ]
    for headers in attempts:
        for method, target, body in (
            ("POST", "/api/v1/contacts", {"full_name": "Forged"}),
            ("PATCH", url, {"full_name": "Forged"}),
            ("DELETE", url, None),
            ("POST", "/api/v1/tokens", {"name": "forged"}),
            ("POST", "/api/v1/auth/logout", None),
        ):
            response = visitor.request(method, target, csrf=False, headers=headers, json=body)
            assert response.status_code == 403, (method, target, headers)

    contacts = visitor.get("/api/v1/contacts").json()
    assert [c["full_name"] for c in contacts["items"]] == ["Kept"]
    assert visitor.get("/api/v1/tokens").json() == []
    assert visitor.is_signed_in()


def test_cookie_writes_with_the_csrf_token_or_from_our_origin_work(
    browser: Callable[..., Browser], account: Account
) -> None:
    visitor = browser()
    visitor.start_session(account)
    same_origin = {"Origin": "http://testserver"}

    for proof in ({CSRF: str(visitor.csrf)}, same_origin):
        created = visitor.post(
            "/api/v1/contacts", json={"full_name": "Ada"}, csrf=False, headers=proof
        )
        assert created.status_code == 201, created.text
        url = f"/api/v1/contacts/{created.json()['id']}"
        patched = visitor.patch(url, json={"full_name": "Ada L."}, csrf=False, headers=proof)
        assert patched.status_code == 200
        assert patched.json()["full_name"] == "Ada L."
        assert visitor.delete(url, csrf=False, headers=proof).status_code == 204
        assert visitor.get(url).status_code == 404

    # Our own origin with a wrong token is still our own page.
    response = visitor.post(
        "/api/v1/contacts", json={"full_name": "Bo"}, csrf=False,
        headers={**same_origin, CSRF: "stale"},
    )  # fmt: skip
    assert response.status_code == 201


def test_bearer_requests_need_no_csrf_token(api: Api) -> None:
    for headers in ({}, {"Origin": "http://evil.example"}):
        response = api.post("/api/v1/contacts", json={"full_name": "Token"}, headers=headers)
        assert response.status_code == 201
    assert api.get("/api/v1/contacts").json()["total"] == 2


def test_https_same_origin_is_recognised(app: FastAPI, account: Account) -> None:
    visitor = Browser(app, base_url="https://testserver")
    visitor.start_session(account)
    body = {"full_name": "Secure"}
    plain = visitor.post(
        "/api/v1/contacts", json=body, csrf=False, headers={"Origin": "http://testserver"}
    )
    assert plain.status_code == 403
    secure = visitor.post(
        "/api/v1/contacts", json=body, csrf=False, headers={"Origin": "https://testserver"}
    )
    assert secure.status_code == 201


# --- sessions ---


def test_logout_ends_only_this_session(
    app: FastAPI, browser: Callable[..., Browser], account: Account
) -> None:
    laptop, phone = browser(), browser()
    laptop.start_session(account)
    phone.start_session(account)
    old_cookie = str(laptop.cookie)

    assert laptop.post("/api/v1/auth/logout", csrf=False).status_code == 403
    assert laptop.is_signed_in()

    response = laptop.post("/api/v1/auth/logout")
    assert response.status_code == 204
    assert cookie_attributes(response)["max-age"] == "0"
    assert not laptop.is_signed_in()
    assert not holding(app, old_cookie).is_signed_in()
    assert phone.is_signed_in()


def test_logout_everywhere_ends_every_session_and_every_token(
    app: FastAPI, browser: Callable[..., Browser], account: Account
) -> None:
    laptop, phone = browser(), browser()
    laptop.start_session(account)
    phone.start_session(account)
    token = laptop.post("/api/v1/tokens", json={"name": "script"}).json()["secret"]
    old_cookie = str(laptop.cookie)

    # No body: tokens are revoked too, unless the request says otherwise.
    assert laptop.post("/api/v1/auth/logout-everywhere").status_code == 204
    assert not laptop.is_signed_in()
    assert not holding(app, old_cookie).is_signed_in()
    assert not phone.is_signed_in()
    assert bearer(phone.http, token, "GET", "/api/v1/auth/session").status_code == 401


def test_logout_everywhere_may_keep_the_tokens(
    browser: Callable[..., Browser], account: Account
) -> None:
    laptop, phone = browser(), browser()
    laptop.start_session(account)
    phone.start_session(account)
    kept = laptop.post("/api/v1/tokens", json={"name": "script"}).json()["secret"]
    url = "/api/v1/auth/logout-everywhere"
    assert laptop.post(url, json={"revoke_tokens": False}).status_code == 204
    assert not laptop.is_signed_in()
    assert not phone.is_signed_in()
    assert bearer(phone.http, kept, "GET", "/api/v1/auth/session").status_code == 200

    # Said explicitly, and sent with a token: every token goes, the sender's own too.
    laptop.start_session(account)
    other = laptop.post("/api/v1/tokens", json={"name": "other"}).json()["secret"]
    revoked = bearer(laptop.http, kept, "POST", url, json={"revoke_tokens": True})
    assert revoked.status_code == 204
    for secret in (kept, other):
        assert bearer(laptop.http, secret, "GET", "/api/v1/auth/session").status_code == 401
    assert not laptop.is_signed_in()


def test_token_and_account_switches_take_json_booleans_only(
    browser: Callable[..., Browser], admin_api: Api, account: Account
) -> None:
    """A 0 or a "false" must neither keep nor revoke tokens, nor disable anyone: 422."""
    visitor = browser()
    visitor.start_session(account)
    token = visitor.post("/api/v1/tokens", json={"name": "script"}).json()["secret"]
    passwords = {"current_password": account.password, "new_password": OTHER_PASSWORD}
    admin_url = f"/api/v1/admin/users/{account.id}"
    for value in (0, 1, "false", "true"):
        for client, method, url, field, rest in (
            (visitor, "POST", "/api/v1/auth/logout-everywhere", "revoke_tokens", {}),
            (visitor, "POST", "/api/v1/account/password", "revoke_tokens", passwords),
            (admin_api, "PATCH", admin_url, "disabled", {}),
            (admin_api, "PATCH", admin_url, "is_admin", {}),
        ):
            refused = client.request(method, url, json={**rest, field: value})
            assert refused.status_code == 422, (url, field, value)
            assert field_of(refused) == [field]
    assert visitor.is_signed_in()
    assert bearer(visitor.http, token, "GET", "/api/v1/account").json()["is_admin"] is False


def test_changing_the_password(browser: Callable[..., Browser], account: Account) -> None:
    here, elsewhere = browser(), browser()
    here.start_session(account)
    elsewhere.start_session(account)
    url = "/api/v1/account/password"

    wrong = here.post(
        url, json={"current_password": "not it at all", "new_password": OTHER_PASSWORD}
    )
    assert wrong.status_code == 403
    assert field_of(wrong) == ["current_password"]
    for weak in ("short", "1234567890"):  # too short for the schema; too common
        refused = here.post(url, json={"current_password": account.password, "new_password": weak})
        assert refused.status_code == 422, weak
        assert field_of(refused) == ["new_password"]
    assert elsewhere.is_signed_in()  # nothing changed yet

    token = elsewhere.post("/api/v1/tokens", json={"name": "script"}).json()["secret"]
    changed = here.post(
        url, json={"current_password": account.password, "new_password": OTHER_PASSWORD}
    )
    assert changed.status_code == 204
    assert here.is_signed_in()
    assert not elsewhere.is_signed_in()
    # Whoever knew the old password may have made a token: unless told otherwise, it goes.
    assert bearer(here.http, token, "GET", "/api/v1/auth/session").status_code == 401
    assert here.get("/api/v1/tokens").json() == []
    assert browser().sign_in(account.email, account.password).status_code == 401
    assert browser().sign_in(account.email, OTHER_PASSWORD).status_code == 200


def test_changing_the_password_may_keep_the_tokens(
    browser: Callable[..., Browser], account: Account
) -> None:
    here = browser()
    here.start_session(account)
    token = here.post("/api/v1/tokens", json={"name": "script"}).json()["secret"]
    body = {
        "current_password": account.password, "new_password": OTHER_PASSWORD,
        "revoke_tokens": False,
    }  # fmt: skip
    assert here.post("/api/v1/account/password", json=body).status_code == 204
    assert bearer(here.http, token, "GET", "/api/v1/auth/session").status_code == 200
    assert [t["name"] for t in here.get("/api/v1/tokens").json()] == ["script"]


def test_idle_session_expires(
    app: FastAPI, browser: Callable[..., Browser], settings: Settings, engine: Engine,
    account: Account,
) -> None:  # fmt: skip
    visitor = browser()
    visitor.start_session(account)
    cookie = str(visitor.cookie)
    idle = timedelta(hours=settings.session_idle_hours)

    set_session(engine, cookie, last_seen_at=datetime.now(UTC) - idle + timedelta(minutes=5))
    assert visitor.is_signed_in()
    # Being used moves the idle deadline on.
    with engine.connect() as conn:
        stmt = select(sessions_table.c.last_seen_at).where(
            sessions_table.c.id == secret_hash(cookie)
        )
        seen = conn.execute(stmt).scalar_one()
    assert datetime.now(UTC) - seen < timedelta(minutes=1)

    set_session(engine, cookie, last_seen_at=datetime.now(UTC) - idle - timedelta(seconds=1))
    assert not visitor.is_signed_in()
    assert not holding(app, cookie).is_signed_in()


def test_session_expires_at_its_absolute_limit_however_active(
    browser: Callable[..., Browser], engine: Engine, account: Account
) -> None:
    visitor = browser()
    visitor.start_session(account)
    cookie = str(visitor.cookie)

    set_session(engine, cookie, expires_at=datetime.now(UTC) + timedelta(minutes=5))
    assert visitor.is_signed_in()
    set_session(
        engine, cookie,
        expires_at=datetime.now(UTC) - timedelta(seconds=1), last_seen_at=datetime.now(UTC),
    )  # fmt: skip
    assert not visitor.is_signed_in()
    assert visitor.post("/api/v1/contacts", json={"full_name": "Late"}).status_code == 401


# --- admin ---


def test_non_admins_cannot_use_admin_endpoints(api: Api, test_client: TestClient) -> None:
    requests: list[tuple[str, str, dict[str, Any] | None]] = [
        ("GET", "/api/v1/admin/users", None),
        ("POST", "/api/v1/admin/users",
         {"email": unique_email(), "password": PASSWORD, "display_name": "X"}),
        ("POST", f"/api/v1/admin/users/{api.user_id}/password", {"new_password": OTHER_PASSWORD}),
        ("POST", "/api/v1/admin/invites", None),
        ("PATCH", f"/api/v1/admin/users/{api.user_id}", {"is_admin": True}),
        ("GET", f"/api/v1/admin/users/{api.user_id}/tokens", None),
        ("DELETE", f"/api/v1/admin/users/{api.user_id}/tokens", None),
        ("DELETE", f"/api/v1/admin/users/{api.user_id}/tokens/{uuid.uuid4()}", None),
    ]  # fmt: skip
    for method, url, body in requests:
        assert api.request(method, url, json=body).status_code == 403, url
        assert test_client.request(method, url, json=body).status_code == 401, url
    assert api.get("/api/v1/account").json()["is_admin"] is False
    assert [t["name"] for t in api.get("/api/v1/tokens").json()] == ["tests"]


def test_admin_creates_users(browser: Callable[..., Browser], admin_api: Api) -> None:
    url = "/api/v1/admin/users"
    email = f"New.Person-{uuid.uuid4().hex[:8]}@Example.test"
    body = {"email": email, "password": PASSWORD, "display_name": "New Person"}

    for bad_password in ("password123", "short", "zzzzzzzzzzzz", email.lower()):
        refused = admin_api.post(url, json={**body, "password": bad_password})
        assert refused.status_code == 422, bad_password
        assert field_of(refused) == ["password"]

    created = admin_api.post(url, json=body)
    assert created.status_code == 201, created.text
    user = created.json()
    assert set(user) == ADMIN_USER_KEYS
    assert user["disabled_at"] is None
    assert user["email"] == email.lower()
    assert user["display_name"] == "New Person"
    assert user["is_admin"] is False

    duplicate = admin_api.post(url, json={**body, "email": email.upper(), "display_name": "Dup"})
    assert duplicate.status_code == 409
    assert field_of(duplicate) == ["email"]

    boss = admin_api.post(url, json={**body, "email": unique_email("boss"), "is_admin": True})
    assert boss.status_code == 201
    assert boss.json()["is_admin"] is True
    boss_browser = browser()
    assert boss_browser.sign_in(boss.json()["email"], PASSWORD).status_code == 200
    assert boss_browser.get(url).status_code == 200

    listed = {u["id"]: u for u in admin_api.get(url).json()}
    assert listed[user["id"]] == user
    assert listed[boss.json()["id"]]["is_admin"] is True
    assert all(set(u) == ADMIN_USER_KEYS for u in listed.values())


def test_admin_lists_users_oldest_first(admin_api: Api, engine: Engine) -> None:
    first, second = new_user(engine), new_user(engine)
    users = admin_api.get("/api/v1/admin/users").json()
    ids = [u["id"] for u in users]
    assert len(ids) == len(set(ids))
    assert ids.index(str(admin_api.user_id)) < ids.index(str(first.id)) < ids.index(str(second.id))
    with engine.connect() as conn:
        assert len(ids) == conn.execute(select(func.count()).select_from(users_table)).scalar_one()


def test_admin_resets_a_password_signs_the_user_out_and_revokes_the_tokens(
    browser: Callable[..., Browser], admin_api: Api, account: Account
) -> None:
    visitor = browser()
    visitor.start_session(account)
    url = f"/api/v1/admin/users/{account.id}/password"

    weak = admin_api.post(url, json={"new_password": "iloveyou123"})
    assert weak.status_code == 422
    assert field_of(weak) == ["new_password"]
    missing = admin_api.post(
        f"/api/v1/admin/users/{uuid.uuid4()}/password", json={"new_password": OTHER_PASSWORD}
    )
    assert missing.status_code == 404
    assert visitor.is_signed_in()

    token = visitor.post("/api/v1/tokens", json={"name": "script"}).json()["secret"]
    assert bearer(visitor.http, token, "GET", "/api/v1/auth/session").status_code == 200
    assert admin_api.post(url, json={"new_password": OTHER_PASSWORD}).status_code == 204
    assert not visitor.is_signed_in()
    # Every way in goes with the old password: its API tokens too.
    assert bearer(visitor.http, token, "GET", "/api/v1/auth/session").status_code == 401
    # The user's history says so, naming the administrator and never the password.
    back = browser()
    assert back.sign_in(account.email, OTHER_PASSWORD).status_code == 200
    (reset,) = history_of(back, "accounts")
    assert reset["changes"] == {"password": {"old": None, "new": "reset"}}
    assert (reset["user_id"], reset["via"]) == (str(admin_api.user_id), "token")
    assert [e["action"] for e in history_of(back, "tokens")] == ["delete"]
    assert browser().sign_in(account.email, account.password).status_code == 401
    assert browser().sign_in(account.email, OTHER_PASSWORD).status_code == 200


def history_of(visitor: Browser, kind: str) -> list[dict[str, Any]]:
    response = visitor.get("/api/v1/history", params={"kind": kind})
    assert response.status_code == 200, response.text
    events: list[dict[str, Any]] = response.json()["items"]
    return events


def test_admin_lists_and_revokes_a_users_tokens(
    browser: Callable[..., Browser], admin_api: Api, account: Account, other_api: Api
) -> None:
    visitor = browser()
    visitor.start_session(account)
    made = [
        visitor.post("/api/v1/tokens", json={"name": name}).json()
        for name in ("laptop", "phone", "server")
    ]
    base = f"/api/v1/admin/users/{account.id}/tokens"

    listed = admin_api.get(base)
    assert listed.status_code == 200, listed.text
    assert [t["name"] for t in listed.json()] == ["laptop", "phone", "server"]
    assert all(set(t) == TOKEN_KEYS for t in listed.json())
    assert not any(t["secret"] in listed.text for t in made)

    laptop, phone, server = made
    assert admin_api.delete(f"{base}/{laptop['id']}").status_code == 204
    assert bearer(visitor.http, laptop["secret"], "GET", "/api/v1/account").status_code == 401
    assert bearer(visitor.http, phone["secret"], "GET", "/api/v1/account").status_code == 200
    assert admin_api.delete(f"{base}/{laptop['id']}").status_code == 404
    # A token named under another user is not found, and stays.
    (theirs,) = other_api.get("/api/v1/tokens").json()
    assert admin_api.delete(f"{base}/{theirs['id']}").status_code == 404
    assert other_api.get("/api/v1/account").status_code == 200
    nobody = f"/api/v1/admin/users/{uuid.uuid4()}/tokens"
    for method, url in (("GET", nobody), ("DELETE", nobody), ("DELETE", f"{nobody}/{phone['id']}")):
        assert admin_api.request(method, url).status_code == 404, (method, url)

    assert admin_api.delete(base).status_code == 204
    for token in (phone, server):
        assert bearer(visitor.http, token["secret"], "GET", "/api/v1/account").status_code == 401
    assert admin_api.get(base).json() == []
    assert visitor.is_signed_in()  # revoking tokens leaves the browser sessions alone

    # The user's history says which tokens went, and who revoked them.
    events = history_of(visitor, "tokens")
    assert [(e["object_id"], e["action"]) for e in reversed(events)] == [
        (t["id"], "delete") for t in made
    ]
    assert {(e["user_id"], e["via"]) for e in events} == {(str(admin_api.user_id), "token")}
    assert events[-1]["changes"]["name"] == {"old": "laptop", "new": None}
    assert not any(t["secret"] in json.dumps(events) for t in made)


def test_admin_disables_and_enables_an_account(
    browser: Callable[..., Browser], admin_api: Api, account: Account
) -> None:
    visitor, elsewhere = browser(), browser()
    visitor.start_session(account)
    elsewhere.start_session(account)
    token = visitor.post("/api/v1/tokens", json={"name": "script"}).json()["secret"]
    url = f"/api/v1/admin/users/{account.id}"

    disabled = admin_api.patch(url, json={"disabled": True})
    assert disabled.status_code == 200, disabled.text
    assert set(disabled.json()) == ADMIN_USER_KEYS
    when = parse_time(disabled.json()["disabled_at"])
    assert datetime.now(UTC) - when < timedelta(minutes=1)
    # At once: every session ends and every token is refused.
    assert not visitor.is_signed_in()
    assert not elsewhere.is_signed_in()
    assert bearer(visitor.http, token, "GET", "/api/v1/account").status_code == 401
    # A wrong password answers as always; only the right one learns the account is disabled.
    wrong = browser().sign_in(account.email, "not the password")
    assert wrong.status_code == 401
    assert wrong.json() == WRONG_LOGIN
    right = browser().sign_in(account.email, account.password)
    assert right.status_code == 403
    assert right.json()["type"] == "https://nexthop.invalid/problems/account_disabled"
    assert "set-cookie" not in right.headers
    listed = {u["id"]: u for u in admin_api.get("/api/v1/admin/users").json()}
    assert listed[account.id]["disabled_at"] == disabled.json()["disabled_at"]
    # Disabling again changes nothing, not even the time.
    assert admin_api.patch(url, json={"disabled": True}).json() == disabled.json()

    enabled = admin_api.patch(url, json={"disabled": False})
    assert enabled.status_code == 200
    assert enabled.json()["disabled_at"] is None
    assert bearer(visitor.http, token, "GET", "/api/v1/account").status_code == 200
    back = browser()
    assert back.sign_in(account.email, account.password).status_code == 200

    events = history_of(back, "accounts")
    assert [e["changes"] for e in reversed(events)] == [
        {"disabled_at": {"old": None, "new": disabled.json()["disabled_at"]}},
        {"disabled_at": {"old": disabled.json()["disabled_at"], "new": None}},
    ]
    assert {e["user_id"] for e in events} == {str(admin_api.user_id)}
    assert {e["object_id"] for e in events} == {account.id}

    missing = admin_api.patch(f"/api/v1/admin/users/{uuid.uuid4()}", json={"disabled": True})
    assert missing.status_code == 404


def test_an_admin_cannot_leave_nexthop_without_an_enabled_admin(fresh: FreshDatabase) -> None:
    app = fresh.app()
    first = Browser(app)
    me = first.set_up(unique_email("admin")).json()["user"]
    mine = f"/api/v1/admin/users/{me['id']}"
    for change in ({"disabled": True}, {"is_admin": False}, {"disabled": True, "is_admin": False}):
        refused = first.patch(mine, json=change)
        assert refused.status_code == 409, change
        assert "no enabled administrator" in refused.json()["detail"]
    assert first.get("/api/v1/account").json()["is_admin"] is True

    body = {"email": unique_email("second"), "password": PASSWORD, "display_name": "Second"}
    second = first.post("/api/v1/admin/users", json={**body, "is_admin": True}).json()
    theirs = f"/api/v1/admin/users/{second['id']}"
    assert first.patch(theirs, json={"disabled": True}).status_code == 200
    # A disabled administrator is no administrator to leave in charge.
    assert first.patch(mine, json={"is_admin": False}).status_code == 409
    assert first.patch(theirs, json={"disabled": False}).status_code == 200
    # With another enabled administrator, stepping down is fine.
    demoted = first.patch(mine, json={"is_admin": False})
    assert demoted.status_code == 200
    assert demoted.json()["is_admin"] is False
    assert first.get("/api/v1/admin/users").status_code == 403
    promoted = first.patch(mine, json={"is_admin": True})
    assert promoted.status_code == 403  # no longer an administrator: cannot undo it oneself


def test_two_admins_disabling_each_other_at_once_leave_one(fresh: FreshDatabase) -> None:
    app = fresh.app()
    first = Browser(app)
    one = first.set_up(unique_email("one")).json()["user"]
    body = {"email": unique_email("two"), "password": PASSWORD, "display_name": "Two"}
    two = first.post("/api/v1/admin/users", json={**body, "is_admin": True}).json()
    with Session(fresh.engine) as session:
        tokens = {
            user["id"]: issue_token(session, user_id=uuid.UUID(user["id"]), name="t")["secret"]
            for user in (one, two)
        }
        session.commit()
    moves = [(tokens[one["id"]], two["id"]), (tokens[two["id"]], one["id"])]

    def disable(move: tuple[str, str]) -> int:
        token, target = move
        url = f"/api/v1/admin/users/{target}"
        return bearer(Browser(app).http, token, "PATCH", url, json={"disabled": True}).status_code

    with ThreadPoolExecutor(2) as pool:
        statuses = sorted(pool.map(disable, moves))
    assert statuses in ([200, 401], [200, 409]), statuses  # the loser is refused or disabled
    with fresh.engine.connect() as conn:
        enabled_admins = conn.execute(
            select(func.count()).select_from(users_table)
            .where(users_table.c.is_admin.is_(True), users_table.c.disabled_at.is_(None))
        ).scalar_one()  # fmt: skip
    assert enabled_admins == 1


def test_admin_creates_single_use_invites(admin_api: Api) -> None:
    first = admin_api.post("/api/v1/admin/invites")
    second = admin_api.post("/api/v1/admin/invites")
    assert first.status_code == second.status_code == 201
    assert set(first.json()) == {"id", "code", "expires_at"}
    assert first.json()["code"] != second.json()["code"]
    assert len(first.json()["code"]) >= 32
    lifetime = parse_time(first.json()["expires_at"]) - datetime.now(UTC)
    assert timedelta(days=7) - timedelta(minutes=1) < lifetime <= timedelta(days=7)


# --- account deletion ---


def rows_of(engine: Engine, user_id: uuid.UUID) -> dict[str, int]:
    """How many rows of each table still point at the user (or are the user)."""
    found = {}
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            for column in ("owner_id", "user_id", "created_by", "id"):
                if column in table.c and (column != "id" or table is users_table):
                    stmt = select(func.count()).select_from(table).where(table.c[column] == user_id)
                    count = conn.execute(stmt).scalar_one()
                    if count:
                        found[f"{table.name}.{column}"] = count
    return found


def test_deleting_the_account_removes_everything_of_it(
    app: FastAPI, browser: Callable[..., Browser], engine: Engine, account: Account,
    other_api: Api,
) -> None:  # fmt: skip
    theirs = other_api.post("/api/v1/contacts", json={"full_name": "Not yours"})
    assert theirs.status_code == 201

    me = browser()
    me.start_session(account)
    token = me.post("/api/v1/tokens", json={"name": "script"}).json()["secret"]
    reader = me.post("/api/v1/tokens", json={"name": "ro", "scope": "read"}).json()["secret"]
    org = me.post("/api/v1/organizations", json={"name": "Acme"}).json()
    person = me.post(
        "/api/v1/contacts", json={"full_name": "Ada", "organization_id": org["id"]}
    ).json()
    friend = me.post("/api/v1/contacts", json={"full_name": "Bo"}).json()
    interview = me.post("/api/v1/interviews", json={"contact_id": person["id"]}).json()
    note = me.post(
        "/api/v1/note-items",
        json={"interview_id": interview["id"], "category": "to_do", "text": "Send the deck"},
    )
    assert note.status_code == 201, note.text
    referral = me.post(
        "/api/v1/referrals", json={"to_contact_id": friend["id"], "from_contact_id": person["id"]}
    )
    assert referral.status_code == 201, referral.text
    with_key = bearer(
        me.http, token, "POST", "/api/v1/contacts", json={"full_name": "Keyed"},
        headers={"Idempotency-Key": "k1"},
    )  # fmt: skip
    assert with_key.status_code == 201
    owner = uuid.UUID(account.id)
    assert rows_of(engine, owner) == {
        "users.id": 1, "user_sessions.user_id": 1, "api_tokens.user_id": 2,
        "organizations.owner_id": 1, "contacts.owner_id": 3, "interviews.owner_id": 1,
        "note_items.owner_id": 1, "referrals.owner_id": 1, "idempotency_keys.owner_id": 1,
        "row_counts.owner_id": 5, "audit_events.owner_id": 7, "audit_events.user_id": 7,
        "rate_limit_counters.user_id": 1,
    }  # fmt: skip

    url = "/api/v1/account/delete"
    wrong = me.post(url, json={"password": "not my password"})
    assert wrong.status_code == 403
    assert field_of(wrong) == ["password"]
    read_only = bearer(me.http, reader, "POST", url, json={"password": account.password})
    assert read_only.status_code == 403
    assert me.get("/api/v1/contacts").json()["total"] == 3

    deleted = me.post(url, json={"password": account.password})
    assert deleted.status_code == 204
    assert cookie_attributes(deleted)["max-age"] == "0"

    assert bearer(me.http, token, "GET", "/api/v1/contacts").status_code == 401
    assert bearer(me.http, reader, "GET", "/api/v1/contacts").status_code == 401
    assert not me.is_signed_in()
    assert browser().sign_in(account.email, account.password).status_code == 401
    assert rows_of(engine, owner) == {}

    mine = other_api.get("/api/v1/contacts").json()
    assert [c["full_name"] for c in mine["items"]] == ["Not yours"]
    assert other_api.get(f"/api/v1/contacts/{theirs.json()['id']}").status_code == 200


def test_password_confirmation_is_throttled_like_a_sign_in(
    browser: Callable[..., Browser], strict_app: FastAPI, engine: Engine, account: Account
) -> None:
    """A stolen session must not be a free oracle for guessing the account's password."""
    clear_throttle(engine)
    thief = browser(strict_app)
    thief.start_session(account)
    url = "/api/v1/account/password"
    for _ in range(STRICT):
        wrong = thief.post(
            url, json={"current_password": "a guess guess", "new_password": "x" * 12}
        )
        assert wrong.status_code == 403
    right = thief.post(
        url, json={"current_password": account.password, "new_password": OTHER_PASSWORD}
    )
    assert right.status_code == 429
    deleting = thief.post("/api/v1/account/delete", json={"password": account.password})
    assert deleting.status_code == 429
    # The account and its password are as they were.
    assert browser(strict_app).sign_in(account.email, account.password).status_code == 429
    clear_throttle(engine)
    assert browser(strict_app).sign_in(account.email, account.password).status_code == 200
