"""Prepared statements (backend.prepared) read values exactly as SQLAlchemy's own path does."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, bindparam, select, update
from sqlalchemy.orm import Session

from backend.prepared import Prepared
from backend.reads import Reading, Reads
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


def test_a_failed_read_leaves_no_transaction_or_connection_behind(engine: Engine) -> None:
    user = new_user(engine)
    reads = Reads(engine)
    checked_out = engine.pool.checkedout()  # type: ignore[attr-defined]

    def failing(reading: Reading) -> None:
        assert reading.first(Prepared(BY_USER), user=user.id) is not None
        raise LookupError("the endpoint's own error, after a read")

    try:
        for bounded in (True, False):
            with pytest.raises(LookupError):
                asyncio.run(reads.run(failing, bounded=bounded))
            # A transaction left open would make the next read's BEGIN fail on SQLite.
            again = asyncio.run(
                reads.run(lambda r: r.all(Prepared(BY_USER), user=user.id), bounded=bounded)
            )
            assert [row[1] for row in again] == [user.id]
            assert engine.pool.checkedout() == checked_out  # type: ignore[attr-defined]
            if reads.loop is not None:
                assert not reads.loop.get().in_transaction
    finally:
        reads.close()
