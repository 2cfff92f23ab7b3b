"""Personal access tokens: the secret is shown once; only its hash is kept."""

import logging
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from backend.auth import new_secret, secret_hash
from backend.errors import NotFound
from backend.fields import utcnow, uuid7
from backend.tokens.models import ApiToken, TokenScope

log = logging.getLogger("nexthop.auth")
table = ApiToken.__table__  # type: ignore[attr-defined]
PREFIX = "nh_"
PUBLIC = ("id", "name", "prefix", "scope", "created_at", "expires_at", "last_used_at")
_PUBLIC_COLUMNS = tuple(table.c[k] for k in PUBLIC)


def issue_token(
    session: Session,
    *,
    user_id: uuid.UUID,
    name: str,
    scope: TokenScope = TokenScope.read_write,
    expires_at: datetime | None = None,
) -> dict[str, Any]:
    secret = new_secret(PREFIX)
    values = {
        "id": uuid7(), "user_id": user_id, "name": name, "token_hash": secret_hash(secret),
        "prefix": secret[:10], "scope": scope.value, "created_at": utcnow(),
        "expires_at": expires_at, "last_used_at": None,
    }  # fmt: skip
    session.execute(insert(table).values(values))
    log.info("token created: user=%s token=%s scope=%s", user_id, values["id"], scope.value)
    return {**{k: values[k] for k in PUBLIC}, "secret": secret}


def list_tokens(session: Session, *, user_id: uuid.UUID) -> list[dict[str, Any]]:
    stmt = (
        select(*_PUBLIC_COLUMNS)
        .where(table.c.user_id == user_id)
        .order_by(table.c.created_at, table.c.id)
    )
    return [dict(row) for row in session.execute(stmt).mappings()]


def revoke_token(session: Session, *, user_id: uuid.UUID, token_id: uuid.UUID) -> dict[str, Any]:
    """Deletes one of the user's tokens; answers it as it was (its public fields)."""
    stmt = delete(table).where(table.c.user_id == user_id, table.c.id == token_id)
    gone = session.execute(stmt.returning(*_PUBLIC_COLUMNS)).mappings().first()
    if gone is None:
        raise NotFound(f"No token with id {token_id}.")
    log.info("token revoked: user=%s token=%s", user_id, token_id)
    return dict(gone)


def revoke_all(session: Session, *, user_id: uuid.UUID) -> list[dict[str, Any]]:
    """Deletes every token of the user; answers them as they were (their public fields)."""
    stmt = delete(table).where(table.c.user_id == user_id)
    gone = [
        dict(row)
        for row in session.execute(stmt.returning(*(table.c[k] for k in PUBLIC))).mappings()
    ]
    if gone:
        log.info("tokens revoked: user=%s count=%d", user_id, len(gone))
    return gone
