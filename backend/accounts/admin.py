"""What an administrator does to other accounts: reset a password, revoke API tokens, disable
and enable, make and unmake administrators.

Each change is recorded in the affected user's history (kinds `accounts` and `tokens`),
naming the administrator who made it, or `system` for the command line (backend.audit).
"""

import logging
import uuid
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from backend.accounts import service
from backend.audit import trail
from backend.audit.models import HistoryKind
from backend.errors import Conflict
from backend.fields import utcnow
from backend.tokens import service as tokens

log = logging.getLogger("nexthop.auth")
users = service.users

NO_ADMIN_LEFT = (
    "Nexthop would have no enabled administrator left: make another account an administrator first."
)


def _record_revoked(session: Session, user_id: uuid.UUID, revoked: list[dict[str, Any]]) -> None:
    for token in revoked:
        trail.record_row(
            session, owner=user_id, kind=HistoryKind.tokens, object_id=token["id"],
            before=token, after=None,
        )  # fmt: skip


def reset_password(session: Session, *, user_id: uuid.UUID, new: str) -> Any:
    """Sets the password; whoever held the account loses every way in, its sessions and its
    API tokens alike. Answers the user row."""
    user = service.get_user(session, user_id)
    service.set_password(session, user_id=user_id, new=new, email=user.email)
    service.end_sessions(session, user_id)
    _record_revoked(session, user_id, tokens.revoke_all(session, user_id=user_id))
    # The password itself is never recorded: only that it was reset.
    trail.record(
        session, owner=user_id, kind=HistoryKind.accounts.value, object_id=user_id,
        before={"password": None}, after={"password": "reset"},
    )  # fmt: skip
    log.info("password reset: user=%s", user_id)
    return user


def list_tokens(session: Session, *, user_id: uuid.UUID) -> list[dict[str, Any]]:
    service.get_user(session, user_id)  # 404 for no such user, not an empty list
    return tokens.list_tokens(session, user_id=user_id)


def revoke_token(session: Session, *, user_id: uuid.UUID, token_id: uuid.UUID) -> None:
    service.get_user(session, user_id)
    revoked = tokens.revoke_token(session, user_id=user_id, token_id=token_id)
    _record_revoked(session, user_id, [revoked])


def revoke_tokens(session: Session, *, user_id: uuid.UUID) -> int:
    service.get_user(session, user_id)
    revoked = tokens.revoke_all(session, user_id=user_id)
    _record_revoked(session, user_id, revoked)
    return len(revoked)


def leaves_an_admin(active_admins: set[uuid.UUID], user_id: uuid.UUID, stays: bool) -> bool:
    """Whether some enabled administrator remains once `user_id` is (`stays`) or is not one.
    Pure."""
    return stays or bool(active_admins - {user_id})


def update_user(
    session: Session, *, user_id: uuid.UUID, disabled: bool | None, is_admin: bool | None
) -> Any:
    """Disables or enables the account, makes or unmakes an administrator; answers the row.

    Never leaves the instance without an enabled administrator (Conflict). The enabled
    administrators are read locked (PostgreSQL; SQLite write transactions are serial), so two
    administrators disabling each other at once cannot both succeed."""
    active = select(users.c.id).where(users.c.is_admin.is_(True), users.c.disabled_at.is_(None))
    active_admins = set(session.execute(active.with_for_update()).scalars())
    user = service.get_user(session, user_id)
    before = {"disabled_at": user.disabled_at, "is_admin": user.is_admin}
    after = dict(before)
    if disabled is not None and disabled != (user.disabled_at is not None):
        after["disabled_at"] = utcnow() if disabled else None
    if is_admin is not None:
        after["is_admin"] = is_admin
    if user_id in active_admins:
        stays = after["is_admin"] and after["disabled_at"] is None
        if not leaves_an_admin(active_admins, user_id, stays):
            raise Conflict(NO_ADMIN_LEFT)
    if after == before:
        return user
    session.execute(update(users).where(users.c.id == user_id).values(after))
    if after["disabled_at"] is not None and before["disabled_at"] is None:
        service.end_sessions(session, user_id)  # its tokens are refused while it is disabled
    trail.record_row(
        session, owner=user_id, kind=HistoryKind.accounts, object_id=user_id,
        before=before, after=after,
    )  # fmt: skip
    log.info(
        "account changed by an administrator: user=%s disabled=%s admin=%s",
        user_id, after["disabled_at"] is not None, after["is_admin"],
    )  # fmt: skip
    return service.get_user(session, user_id)
