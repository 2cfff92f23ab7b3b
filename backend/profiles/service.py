"""The user's profile (one row, made on first write) and the link that shares its ask."""

import re
import secrets
import uuid
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from backend import crud
from backend.audit import trail
from backend.audit.models import HistoryKind
from backend.documents import dialect_of
from backend.errors import NotFound, PreconditionFailed
from backend.fields import utcnow
from backend.profiles.models import Profile, ProfilePublic, ProfileUpdate, SharedProfile
from backend.profiles.page import PUBLIC_HEADERS
from backend.users.models import User

table = crud.table_of(Profile)
users = crud.table_of(User)

# What a profile holds before its owner writes anything.
EMPTY: dict[str, Any] = {
    "focus_areas": [],
    "learn_from": None,
    "values": None,
    "situation": None,
    "ask": None,
    "share_token": None,
    "share_created_at": None,
}
# secrets.token_urlsafe(32) gives 43 characters of this alphabet; anything else is no token.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")


def _row(session: Session, owner: uuid.UUID) -> dict[str, Any] | None:
    found = session.execute(select(table).where(table.c.owner_id == owner)).mappings().first()
    return dict(found) if found else None


def get_profile(*, session: Session, owner: uuid.UUID) -> dict[str, Any]:
    """The stored row, or the defaults at version 0 when there is none yet."""
    return _row(session, owner) or {**EMPTY, "version": 0, "created_at": None, "updated_at": None}


def public_of(profile: dict[str, Any], base_url: str) -> ProfilePublic:
    token = profile["share_token"]
    share_url = f"{base_url.rstrip('/')}/share/{token}" if token else None
    fields = {k: v for k, v in profile.items() if k in ProfilePublic.model_fields}
    return ProfilePublic.model_validate({**fields, "share_url": share_url})


def _insert_new(session: Session, values: dict[str, Any]) -> dict[str, Any] | None:
    """Inserts the first row, or nothing when a concurrent first write won the race."""
    insert = postgresql.insert if dialect_of(session) == "postgresql" else sqlite.insert
    stmt = (
        insert(table)
        .values(values)
        .on_conflict_do_nothing(index_elements=[table.c.owner_id])
        .returning(*table.c)
    )
    found = session.execute(stmt).mappings().first()
    return dict(found) if found else None


def _audit(
    session: Session, owner: uuid.UUID, before: dict[str, Any] | None, after: dict[str, Any]
) -> None:
    """The change in the audit trail (never the share token itself: see audit.changes)."""
    trail.record_row(
        session, owner=owner, kind=HistoryKind.profiles, object_id=owner, before=before,
        after=after,
    )  # fmt: skip


def _write(
    session: Session, owner: uuid.UUID, changes: dict[str, Any], expected_version: int | None
) -> dict[str, Any]:
    """Applies `changes` to the profile, making it if needed, guarded by its version.

    Two first writes at once: one inserts, the other's insert does nothing and it updates the
    row the first made (or, if it named version 0 in If-Match, is refused with 412)."""
    for _attempt in range(3):
        current = _row(session, owner)
        crud.check_version(current["version"] if current else 0, expected_version)
        if current is None:
            now = utcnow()
            values = {**EMPTY, **changes, "owner_id": owner, "version": 1}
            inserted = _insert_new(session, {**values, "created_at": now, "updated_at": now})
            if inserted is not None:
                _audit(session, owner, None, inserted)
                return inserted
            continue
        stmt = (
            update(table)
            .where(table.c.owner_id == owner, table.c.version == current["version"])
            .values({**changes, **crud.touched(table)})
            .returning(*table.c)
        )
        updated = session.execute(stmt).mappings().first()
        if updated is not None:
            _audit(session, owner, current, dict(updated))
            return dict(updated)
    raise PreconditionFailed("Your profile kept changing while we tried to update it; retry.")


def update_profile(
    *, session: Session, owner: uuid.UUID, data: ProfileUpdate, expected_version: int | None
) -> dict[str, Any]:
    changes = data.model_dump(mode="json", exclude_unset=True)
    if not changes:
        profile = get_profile(session=session, owner=owner)
        crud.check_version(profile["version"], expected_version)
        return profile
    profile = _write(session, owner, changes, expected_version)
    session.commit()
    return profile


def create_share_link(
    *, session: Session, owner: uuid.UUID, expected_version: int | None
) -> dict[str, Any]:
    """A new unguessable token; any earlier link stops working."""
    changes = {"share_token": secrets.token_urlsafe(32), "share_created_at": utcnow()}
    profile = _write(session, owner, changes, expected_version)
    session.commit()
    return profile


def revoke_share_link(*, session: Session, owner: uuid.UUID, expected_version: int | None) -> None:
    profile = get_profile(session=session, owner=owner)
    crud.check_version(profile["version"], expected_version)
    if profile["share_token"] is None:
        return
    _write(session, owner, {"share_token": None, "share_created_at": None}, expected_version)
    session.commit()


def _unknown_link() -> NotFound:
    return NotFound("No profile is shared at this link.", headers=PUBLIC_HEADERS)


_SHARED = (
    select(
        users.c.display_name,
        table.c.ask,
        table.c.situation,
        table.c.focus_areas,
        table.c.learn_from,
    )
    .join(users, users.c.id == table.c.owner_id)
    .where(table.c.share_token == bindparam("token", type_=table.c.share_token.type))
)


def shared_profile(*, session: Session, share_token: str) -> SharedProfile:
    """What the link shows, for anyone; an unknown or revoked token is 404. The token is
    found through its unique index (never logged)."""
    if not _TOKEN.fullmatch(share_token):
        raise _unknown_link()
    found = session.execute(_SHARED, {"token": share_token}).mappings().first()
    if found is None:
        raise _unknown_link()
    return SharedProfile.model_validate(dict(found))
