"""Prepared statements (backend.prepared) read values exactly as SQLAlchemy's own path does."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, bindparam, select, update
from sqlalchemy.orm import Session

from backend.prepared import Prepared, Reads
from backend.tokens.models import ApiToken
from tests.conftest import Api, new_user

tokens = ApiToken.__table__  # type: ignore[attr-defined]
BY_USER = select(
    tokens.c.id, tokens.c.user_id, tokens.c.scope, tokens.c.expires_at, tokens.c.created_at
).where(tokens.c.user_id == bindparam("user", type_=tokens.c.user_id.type))


def test_prepared_read_matches_sqlalchemy(engine: Engine) -> None:
    user = new_user(engine)
    expires = datetime(2031, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)
    with Session(engine) as session:
        session.execute(
            update(tokens).where(tokens.c.user_id == user.id).values(expires_at=expires)
        )
        session.commit()
        expected = tuple(session.execute(BY_USER, {"user": user.id}).one())

    reads = Reads(engine)
    try:
        found = asyncio.run(reads.first(Prepared(BY_USER), user=user.id))
        missing = asyncio.run(reads.first(Prepared(BY_USER), user=uuid.uuid4()))
    finally:
        reads.close()

    assert found == expected
    token_id, user_id, _scope, expires_at, created_at = found
    assert isinstance(token_id, uuid.UUID)
    assert user_id == user.id
    assert expires_at == expires
    assert expires_at.utcoffset() == timedelta(0)
    assert created_at.tzinfo is not None
    assert missing is None


def test_token_revoked_is_refused_at_once(api: Api) -> None:
    """The lookup is not cached: a revoked token stops working on the very next request."""
    assert api.get("/api/v1/contacts").status_code == 200
    listed = api.get("/api/v1/tokens").json()
    for token in listed:
        assert api.delete(f"/api/v1/tokens/{token['id']}").status_code == 204
    refused = api.get("/api/v1/contacts")
    assert refused.status_code == 401
    assert refused.headers["content-type"].startswith("application/problem+json")
