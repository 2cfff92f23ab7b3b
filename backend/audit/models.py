"""The audit trail: one row per change to a user's data, written with the change itself."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String
from sqlmodel import Field, SQLModel

from backend.fields import UTCDateTime


class HistoryKind(StrEnum):
    """What kind of object changed: the name of its collection."""

    organizations = "organizations"
    contacts = "contacts"
    interviews = "interviews"
    note_items = "note_items"
    referrals = "referrals"
    opportunities = "opportunities"
    profiles = "profiles"
    message_templates = "message_templates"
    webhooks = "webhooks"
    # What an administrator did to the account (disabled, enabled, made or unmade an
    # administrator, reset the password) and to its API tokens (revoked).
    accounts = "accounts"
    tokens = "tokens"


class HistoryAction(StrEnum):
    create = "create"
    update = "update"
    delete = "delete"


class ActorVia(StrEnum):
    session = "session"
    token = "token"
    system = "system"


# A sequence, not a UUID: the events of one transaction (a cascade, an import) keep the
# order they were written in, and "newest first" is simply the largest first.
EVENT_ID = BigInteger().with_variant(Integer(), "sqlite")


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_owner_id_id", "owner_id", "id"),
        Index("ix_audit_events_owner_id_object_id_id", "owner_id", "object_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=EVENT_ID)
    # Whose data changed: deleting the account deletes its history with it.
    owner_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    at: datetime = Field(sa_type=UTCDateTime)
    # Who changed it, and how they were signed in. No foreign keys: a revoked token's
    # changes keep naming it.
    user_id: uuid.UUID
    via: str = Field(sa_type=String(10))
    token_id: uuid.UUID | None = None
    kind: str = Field(sa_type=String(40))
    object_id: uuid.UUID
    action: str = Field(sa_type=String(10))
    # As stored (see backend.audit.changes): a create's or delete's row, an update's
    # {field: {"old", "new"}}. Plain JSON (text) on both databases: written once, shown as is.
    changes: dict[str, Any] = Field(sa_type=JSON)


class FieldChange(SQLModel):
    old: Any = Field(description="The value before (null for a create).")
    new: Any = Field(description="The value after (null for a delete).")


class HistoryEvent(SQLModel):
    """One change to one object, as it was recorded when it happened."""

    id: int = Field(description="Grows with every event: the newest has the largest.")
    at: datetime = Field(description="When the change was committed.")
    user_id: uuid.UUID = Field(description="Who made the change.")
    via: ActorVia = Field(
        description="How they were signed in: a browser `session`, a personal access "
        "`token` (then `token_id` names it), or `system` (administration commands)."
    )
    token_id: uuid.UUID | None
    kind: HistoryKind
    object_id: uuid.UUID = Field(
        description="The changed object's id (for `profiles` and `accounts`, the user's own id)."
    )
    action: HistoryAction
    changes: dict[str, FieldChange] = Field(
        description="Each field that changed, old → new: for a create the fields it set, for "
        "a delete the values the object last had. Secrets (share links, webhook signing "
        "secrets, passwords, token secrets) are never recorded: a password reset shows as "
        "`password` becoming `reset`."
    )
