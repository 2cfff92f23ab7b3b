"""Who is asking: a browser session (cookie) or a personal access token (bearer).

Every data endpoint depends on `current_principal`; its `user_id` scopes every query. Cookie
requests that change something must also prove they come from our own pages (CSRF), and a
read-only token may not change anything.
"""

import hashlib
import hmac
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any

import anyio.to_thread
from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine, bindparam, select, update

from backend.accounts.models import UserSession
from backend.audit.actor import CURRENT_ACTOR, Actor
from backend.errors import ProblemError
from backend.fields import utcnow
from backend.prepared import Prepared
from backend.ratelimits.dependency import count_request
from backend.tokens.models import ApiToken, TokenScope
from backend.users.models import User

log = logging.getLogger("nexthop.auth")

SESSION_COOKIE = "nexthop_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Last-used times are written at most this often, so reads stay reads.
TOUCH_EVERY = timedelta(minutes=1)

cookie_scheme = APIKeyCookie(
    name=SESSION_COOKIE, auto_error=False, scheme_name="session",
    description="Set by POST /api/v1/auth/login; unsafe requests also need X-CSRF-Token.",
)  # fmt: skip
bearer_scheme = HTTPBearer(
    auto_error=False, scheme_name="token",
    description="A personal access token from POST /api/v1/tokens.",
)  # fmt: skip


class Unauthorized(ProblemError):
    status, code = 401, "unauthorized"


class Forbidden(ProblemError):
    status, code = 403, "forbidden"


def secret_hash(secret: str) -> str:
    """Sessions and tokens are long random secrets: a plain SHA-256 is the right storage."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Principal:
    user_id: uuid.UUID
    is_admin: bool
    via: str  # "session" or "token"
    scope: TokenScope
    session_id: str | None = None
    csrf_token: str | None = None
    token_id: uuid.UUID | None = None


_sessions, _tokens, _users = (
    UserSession.__table__, ApiToken.__table__, User.__table__,  # type: ignore[attr-defined]
)  # fmt: skip
# Every request runs one of these: compiled once, run on the DB-API cursor (backend.prepared).
# A disabled account's sessions and tokens find nothing: refused at once, on every request.
_SESSION_LOOKUP = Prepared(
    select(_sessions.c.id, _sessions.c.csrf_token, _sessions.c.last_seen_at,
           _sessions.c.expires_at, _users.c.id, _users.c.is_admin)
    .join(_users, _users.c.id == _sessions.c.user_id)
    .where(_sessions.c.id == bindparam("hash", type_=_sessions.c.id.type),
           _users.c.disabled_at.is_(None))
)  # fmt: skip
_TOKEN_LOOKUP = Prepared(
    select(_tokens.c.id, _tokens.c.scope, _tokens.c.expires_at, _tokens.c.last_used_at,
           _users.c.id, _users.c.is_admin)
    .join(_users, _users.c.id == _tokens.c.user_id)
    .where(_tokens.c.token_hash == bindparam("hash", type_=_tokens.c.token_hash.type),
           _users.c.disabled_at.is_(None))
)  # fmt: skip


def _session_principal(row: Any, idle: timedelta) -> tuple[Principal, bool] | None:
    session_id, csrf_token, last_seen_at, expires_at, user_id, is_admin = row
    now = utcnow()
    if expires_at <= now or last_seen_at + idle <= now:
        return None
    principal = Principal(
        user_id, is_admin, "session", TokenScope.read_write, session_id, csrf_token
    )
    return principal, last_seen_at + TOUCH_EVERY <= now


def _token_principal(row: Any) -> tuple[Principal, bool] | None:
    token_id, scope, expires_at, last_used_at, user_id, is_admin = row
    now = utcnow()
    if expires_at is not None and expires_at <= now:
        return None
    principal = Principal(user_id, is_admin, "token", TokenScope(scope), token_id=token_id)
    return principal, last_used_at is None or last_used_at + TOUCH_EVERY <= now


def _touch(engine: Engine, principal: Principal) -> None:
    now = utcnow()
    with engine.begin() as conn:
        if principal.session_id is not None:
            sessions = UserSession.__table__  # type: ignore[attr-defined]
            conn.execute(
                update(sessions).where(sessions.c.id == principal.session_id)
                .values(last_seen_at=now)
            )  # fmt: skip
        elif principal.token_id is not None:
            tokens = ApiToken.__table__  # type: ignore[attr-defined]
            conn.execute(
                update(tokens).where(tokens.c.id == principal.token_id).values(last_used_at=now)
            )
            log.info("token used: user=%s token=%s", principal.user_id, principal.token_id)


# Sessions and tokens whose last-use time this process is writing right now. Every request
# that finds it stale meanwhile would otherwise write it too: at 32 connections, 32 writers
# queued on SQLite's lock at once, each request waiting on its own (a 1 s stall once a minute
# under `make bench`). The first writes it and waits; the others go on.
_touching: set[str | uuid.UUID] = set()


async def _touch_once(engine: Engine, principal: Principal) -> None:
    key = principal.session_id or principal.token_id
    if key is None or key in _touching:
        return
    _touching.add(key)
    try:
        await anyio.to_thread.run_sync(_touch, engine, principal)
    finally:
        _touching.discard(key)


def same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    return origin is not None and origin == f"{request.url.scheme}://{request.url.netloc}"


async def current_principal(
    request: Request,
    cookie: Annotated[str | None, Depends(cookie_scheme)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Principal:
    state = request.app.state
    found = None
    if bearer is not None:
        row = await state.reads.first(_TOKEN_LOOKUP, hash=secret_hash(bearer.credentials))
        found = _token_principal(row) if row else None
    elif cookie:
        row = await state.reads.first(_SESSION_LOOKUP, hash=secret_hash(cookie))
        idle = timedelta(hours=state.settings.session_idle_hours)
        found = _session_principal(row, idle) if row else None
    if found is None:
        raise Unauthorized(
            "Sign in, or send a personal access token as `Authorization: Bearer <token>`.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    principal, stale = found
    if stale:
        await _touch_once(state.write_engine, principal)
    unsafe = request.method not in SAFE_METHODS
    if unsafe and principal.via == "token" and principal.scope != TokenScope.read_write:
        raise Forbidden("This token is read-only.")
    if unsafe and principal.via == "session":
        sent = request.headers.get(CSRF_HEADER, "")
        token_ok = bool(sent) and hmac.compare_digest(sent, principal.csrf_token or "")
        if not token_ok and not same_origin(request):
            raise Forbidden(f"Send the {CSRF_HEADER} header you got when you signed in.")
    # Who the audit trail names for whatever this request changes (a context variable: the
    # request's task and the threads its sync code runs in see it, no other request does).
    CURRENT_ACTOR.set(Actor(principal.user_id, principal.via, principal.token_id))
    await count_request(request, principal.user_id)
    return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]


async def current_owner(principal: PrincipalDep) -> uuid.UUID:
    return principal.user_id


OwnerDep = Annotated[uuid.UUID, Depends(current_owner)]


async def current_admin(principal: PrincipalDep) -> Principal:
    if not principal.is_admin:
        raise Forbidden("Only an administrator may do this.")
    return principal


AdminDep = Annotated[Principal, Depends(current_admin)]
