"""Webhooks: endpoints a user registers, and the deliveries of events to them.

A delivery row is the outbox: it is written in the same transaction as the change it reports
(`backend.webhooks.events.emit`), and the worker (`backend.webhooks.worker`) sends it later.
"""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, ConfigDict, StringConstraints
from pydantic import Field as Constraints
from sqlalchemy import JSON, Index, String
from sqlmodel import Field, SQLModel

from backend.fields import JsonBool, JSONList, ShortText, Storable, UTCDateTime, utcnow, uuid7
from backend.rows import OwnedRow, RowMeta


class WebhookEvent(StrEnum):
    contact_created = "contact.created"
    contact_updated = "contact.updated"
    contact_deleted = "contact.deleted"
    interview_status_changed = "interview.status_changed"
    interview_completed = "interview.completed"
    note_item_created = "note_item.created"
    note_item_updated = "note_item.updated"
    referral_created = "referral.created"
    referral_updated = "referral.updated"
    opportunity_updated = "opportunity.updated"


# Sent only by POST /webhooks/{webhook_id}/test, whatever the endpoint subscribed to.
TEST_EVENT = "webhook.test"


class DeliveryStatus(StrEnum):
    pending = "pending"
    succeeded = "succeeded"
    failed = "failed"


# No control characters: it is typed into the receiver's configuration too.
Secret = Annotated[
    str,
    StringConstraints(min_length=16, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$"),
    Storable,
]


def _unique(events: list[WebhookEvent]) -> list[WebhookEvent]:
    return list(dict.fromkeys(events))


# The length is checked as sent, before duplicates are dropped: as the schema says.
EventTypes = Annotated[
    list[WebhookEvent], Constraints(min_length=1, max_length=20), AfterValidator(_unique)
]


_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_PORT = r"(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3})"
# http(s), a host name (IDNs in their xn-- form) or IPv4 address, an optional port, no
# credentials: what deliveries can be made to, as far as a pattern can say.
WebhookUrl = Annotated[
    str,
    StringConstraints(
        max_length=2048,
        pattern=rf"^https?://{_LABEL}(?:\.{_LABEL})*\.?(?::{_PORT})?(?:[/?#][^\x00-\x20]*)?$",
    ),
    Storable,
]


class WebhookBase(SQLModel):
    url: WebhookUrl = Field(
        max_length=2048,
        description="Where events are POSTed. Addresses on loopback, link-local, private or "
        "cloud-metadata networks are refused (unless the server allows them).",
    )
    description: ShortText | None = Field(default=None, max_length=200)
    event_types: EventTypes = Field(sa_type=JSONList, description="The events to send here.")
    active: JsonBool = Field(
        default=True, description="false: no events are queued, pending ones are dropped."
    )


class Webhook(WebhookBase, OwnedRow, table=True):
    __tablename__ = "webhooks"
    __table_args__ = (Index("ix_webhooks_owner_created", "owner_id", "created_at", "id"),)

    secret: str = Field(max_length=200)


class WebhookCreate(WebhookBase):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "url": "https://hooks.example.com/nexthop",
                    "event_types": ["contact.created", "interview.completed"],
                    "description": "My CRM",
                }
            ]
        }
    )

    secret: Secret | None = Field(
        default=None,
        description="Signs every delivery (HMAC-SHA256); generated when left out. Shown only "
        "in the answer to this create.",
    )


class WebhookUpdate(SQLModel):
    url: WebhookUrl = Field(default=None, max_length=2048)
    description: ShortText | None = Field(default=None, max_length=200)
    event_types: EventTypes = Field(default=None)
    active: JsonBool = Field(default=None)
    secret: Secret = Field(default=None, description="A new signing secret.")


class WebhookPublic(WebhookBase, RowMeta):
    """An endpoint as its owner sees it; the signing secret is never shown again."""


class WebhookCreated(WebhookPublic):
    secret: str = Field(
        description="Shown once: verify `Nexthop-Signature` with it (see the webhooks tag)."
    )


class WebhookList(SQLModel):
    items: list[WebhookPublic] = Field(description="Oldest first; at most 20 per user.")


class WebhookDelivery(SQLModel, table=True):
    """One event for one endpoint: the outbox row, and the delivery log the user reads."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_webhook", "owner_id", "webhook_id", "created_at", "id"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    )

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    owner_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    webhook_id: uuid.UUID = Field(foreign_key="webhooks.id", ondelete="CASCADE")
    event_id: uuid.UUID
    event_type: str = Field(max_length=40)
    # Plain JSON (not JSONB): the event's data keeps its members in the order it was written.
    data: dict[str, Any] = Field(sa_type=JSON)
    status: DeliveryStatus = Field(default=DeliveryStatus.pending, sa_type=String(20))
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    response_code: int | None = None
    error: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WebhookDeliveryPublic(SQLModel):
    id: uuid.UUID
    webhook_id: uuid.UUID
    event_id: uuid.UUID = Field(description="The `id` in the delivered body.")
    event_type: str
    data: dict[str, Any] = Field(description="The `data` in the delivered body.")
    status: DeliveryStatus = Field(
        description="pending: queued or waiting for a retry; succeeded: a 2xx answer; failed: "
        "given up (retries ran out, or the target address is refused)."
    )
    attempts: int
    next_attempt_at: datetime | None = Field(description="When a pending delivery is tried.")
    last_attempt_at: datetime | None
    response_code: int | None = Field(description="The HTTP status of the last attempt.")
    error: str | None = Field(description="Why the last attempt failed, in plain words.")
    created_at: datetime = Field(description="When the event happened.")
